"""Deploy `infra/template.yaml` into moto, the embedded AWS emulator.

moto's CloudFormation creates the resources but silently skips a few properties (table TTL, the
bucket's public-access block, CORS, lifecycle, ownership and policy). `complete_stack` applies
exactly those properties from the same template through the service APIs, so the template stays the
only definition of the infrastructure.
"""

from __future__ import annotations

import json
import re
import warnings
from pathlib import Path
from typing import Any

import boto3
import yaml

TEMPLATE = Path(__file__).resolve().parents[2] / "infra" / "template.yaml"
ACCOUNT_ID = "123456789012"  # moto's default account


class _CfnLoader(yaml.SafeLoader):
    """YAML loader that turns CloudFormation short tags (!Ref, !Sub...) into their long form."""


def _tag(loader: yaml.Loader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if suffix == "Ref" else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _tag)


def load_template(path: Path = TEMPLATE) -> dict[str, Any]:
    """The template as plain data, intrinsic functions in their long form."""
    return yaml.load(path.read_text(encoding="utf-8"), Loader=_CfnLoader)  # noqa: S506 (safe subclass)


class _Resolver:
    """Resolves the few intrinsic functions the skipped properties use."""

    def __init__(self, params: dict[str, str], physical: dict[str, str], region: str) -> None:
        self.values = {**params, **physical, "AWS::AccountId": ACCOUNT_ID, "AWS::Region": region,
                       "AWS::Partition": "aws"}
        self.physical = physical

    def attr(self, logical: str, name: str) -> str:
        if name == "Arn":
            return f"arn:aws:s3:::{self.physical[logical]}"
        raise KeyError(f"{logical}.{name}")

    def __call__(self, value: Any) -> Any:
        if isinstance(value, list):
            return [self(v) for v in value]
        if not isinstance(value, dict):
            return value
        if "Ref" in value:
            return self.values[value["Ref"]]
        if "Fn::GetAtt" in value:
            return self.attr(*value["Fn::GetAtt"])
        if "Fn::Sub" in value:
            return self._sub(value["Fn::Sub"])
        return {k: self(v) for k, v in value.items()}

    def _sub(self, text: str) -> str:

        def repl(match: re.Match[str]) -> str:
            name = match.group(1)
            if "." in name:
                return self.attr(*name.split(".", 1))
            return str(self.values[name])

        return re.sub(r"\$\{([^}]+)\}", repl, text)


def deploy(stack_name: str, params: dict[str, str], region: str, endpoint_url: str | None = None) -> dict:
    """Create the stack in the emulator, complete what moto skips, and return its outputs."""
    cfn = boto3.client("cloudformation", region_name=region, endpoint_url=endpoint_url)
    # moto warns about the resources it skips; complete_stack applies them below.
    warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")
    cfn.create_stack(
        StackName=stack_name,
        TemplateBody=TEMPLATE.read_text(encoding="utf-8"),
        Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in params.items()],
        Capabilities=["CAPABILITY_NAMED_IAM"],
    )
    stack = cfn.describe_stacks(StackName=stack_name)["Stacks"][0]
    if stack["StackStatus"] != "CREATE_COMPLETE":
        raise RuntimeError(f"stack {stack_name} ended in {stack['StackStatus']}")
    resources = cfn.list_stack_resources(StackName=stack_name)["StackResourceSummaries"]
    physical = {r["LogicalResourceId"]: r["PhysicalResourceId"] for r in resources}
    template = load_template()
    defaults = {k: str(v.get("Default", "")) for k, v in template["Parameters"].items()}
    resolve = _Resolver({**defaults, **params}, physical, region)
    complete_stack(template, resolve, physical, region, endpoint_url)
    return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


def complete_stack(template: dict, resolve: _Resolver, physical: dict[str, str], region: str,
                   endpoint_url: str | None) -> None:
    """Apply the template properties that moto's CloudFormation ignores."""
    s3 = boto3.client("s3", region_name=region, endpoint_url=endpoint_url)
    ddb = boto3.client("dynamodb", region_name=region, endpoint_url=endpoint_url)
    for logical, res in template["Resources"].items():
        props = res.get("Properties", {})
        if res["Type"] == "AWS::DynamoDB::Table" and "TimeToLiveSpecification" in props:
            ddb.update_time_to_live(TableName=physical[logical],
                                    TimeToLiveSpecification=props["TimeToLiveSpecification"])
        elif res["Type"] == "AWS::S3::Bucket":
            _complete_bucket(s3, physical[logical], resolve(props))
        elif res["Type"] == "AWS::S3::BucketPolicy":
            props = resolve(props)
            policy = emulated_policy(props["PolicyDocument"])
            if policy["Statement"]:
                s3.put_bucket_policy(Bucket=props["Bucket"], Policy=json.dumps(policy))


def emulated_policy(document: dict[str, Any]) -> dict[str, Any]:
    """The bucket policy minus its TLS-only statements: the emulator speaks plain HTTP and moto treats
    `aws:SecureTransport` as false, so "deny non-TLS" would deny every call. AWS gets the full policy;
    tests/unit/test_infra_policies.py checks that the template keeps that statement."""
    def tls_only(statement: dict[str, Any]) -> bool:
        return "aws:SecureTransport" in statement.get("Condition", {}).get("Bool", {})

    return {**document, "Statement": [s for s in document["Statement"] if not tls_only(s)]}


def _complete_bucket(s3: Any, bucket: str, props: dict[str, Any]) -> None:
    if "PublicAccessBlockConfiguration" in props:
        s3.put_public_access_block(Bucket=bucket,
                                   PublicAccessBlockConfiguration=props["PublicAccessBlockConfiguration"])
    if "OwnershipControls" in props:
        s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls=props["OwnershipControls"])
    if "CorsConfiguration" in props:
        rules = [{("MaxAgeSeconds" if k == "MaxAge" else k): v for k, v in rule.items()}
                 for rule in props["CorsConfiguration"]["CorsRules"]]
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    if "LifecycleConfiguration" in props:
        s3.put_bucket_lifecycle_configuration(
            Bucket=bucket, LifecycleConfiguration={"Rules": [_lifecycle_rule(r) for r in
                                                             props["LifecycleConfiguration"]["Rules"]]})


def _lifecycle_rule(rule: dict[str, Any]) -> dict[str, Any]:
    """CloudFormation's lifecycle rule shape -> the S3 API's."""
    out: dict[str, Any] = {"ID": rule["Id"], "Status": rule["Status"],
                           "Filter": {"Prefix": rule.get("Prefix", "")}}
    if "ExpirationInDays" in rule:
        out["Expiration"] = {"Days": int(rule["ExpirationInDays"])}
    if "AbortIncompleteMultipartUpload" in rule:
        out["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
    return out
