"""infra/template.yaml deployed into moto yields a private, encrypted, expiring store."""

from __future__ import annotations

import boto3


def test_document_bucket_is_private_encrypted_and_only_accepts_posts_from_the_app_origin(stack, config):
    s3 = boto3.client("s3", region_name=config.region)
    bucket = stack["DocumentsBucketName"]
    block = s3.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"]
    assert all(block[k] for k in ("BlockPublicAcls", "BlockPublicPolicy", "IgnorePublicAcls",
                                  "RestrictPublicBuckets"))
    rule = s3.get_bucket_encryption(Bucket=bucket)["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    cors = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert cors == [{"AllowedOrigins": [config.app_origin], "AllowedMethods": ["POST"],
                     "AllowedHeaders": ["*"], "MaxAgeSeconds": 3000}]
    # The TLS-only statement is kept out of the plain-HTTP emulator (see emulator.emulated_policy);
    # tests/unit/test_infra_policies.py checks the template still has it.
    s3.put_object(Bucket=bucket, Key="probe", Body=b"x")
    assert s3.head_object(Bucket=bucket, Key="probe")["ServerSideEncryption"] == "aws:kms"


def test_abandoned_uploads_expire(stack, config):
    s3 = boto3.client("s3", region_name=config.region)
    rules = s3.get_bucket_lifecycle_configuration(Bucket=stack["DocumentsBucketName"])["Rules"]
    incoming = next(r for r in rules if r["ID"] == "delete-abandoned-uploads")
    assert incoming["Filter"]["Prefix"] == "incoming/" and incoming["Expiration"]["Days"] == 1


def test_codes_sessions_and_idempotency_records_expire_by_ttl(stack, config):
    ddb = boto3.client("dynamodb", region_name=config.region)
    for short in ("otp", "sessions", "idempotency"):
        ttl = ddb.describe_time_to_live(TableName=config.table_name(short))["TimeToLiveDescription"]
        assert ttl == {"TimeToLiveStatus": "ENABLED", "AttributeName": "expires_at"}


def test_outbox_table_has_a_stream(stack, config):
    ddb = boto3.client("dynamodb", region_name=config.region)
    table = ddb.describe_table(TableName=config.table_name("events"))["Table"]
    assert table["StreamSpecification"]["StreamEnabled"] is True
    assert stack["EventsStreamArn"] == table["LatestStreamArn"]
