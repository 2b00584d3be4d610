"""createUpload and completeUpload against moto's S3: the presigned POST and the server's real check."""

from __future__ import annotations

import base64
import io
import json

import boto3
import pytest
from PIL import Image
from submit_helpers import MARITAL, browser_upload, create_upload, jpeg, png

from functions.core import models


def objects(config, bucket: str) -> list[str]:
    s3 = boto3.client("s3", region_name=config.region)
    return [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]


def read(config, bucket: str, key: str) -> bytes:
    return boto3.client("s3", region_name=config.region).get_object(Bucket=bucket, Key=key)["Body"].read()


def upload_and_complete(citizen, data: bytes, content_type: str = "image/jpeg", slot: str = "id_card"):
    created = create_upload(citizen, slot, content_type, len(data))
    assert created.status_code == 201, created.json
    assert browser_upload(created.json["upload"], data, content_type) == 204
    return created.json["document_id"], citizen.post(f"/uploads/{created.json['document_id']}/complete", json={})


def test_the_presigned_post_pins_type_size_and_a_key_under_the_users_own_prefix(citizen):
    created = create_upload(citizen, size=250_000)
    assert created.status_code == 201
    fields = created.json["upload"]["fields"]
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert fields["key"] == f"incoming/{citizen.user_id}/{created.json['document_id']}"
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    assert ["content-length-range", 1, 10_000_000] in policy["conditions"]
    assert created.json["max_bytes"] == 10_000_000
    assert created.json["expires_at"] == "2026-11-22T03:10:00+00:00"


J = {"procedure_id": MARITAL, "slot_id": "id_card", "content_type": "image/jpeg", "size": 1}


@pytest.mark.parametrize(("body", "fields"), [
    ({**J, "procedure_id": "nope"}, {"procedure_id": "unknown"}),
    ({**J, "slot_id": "selfie"}, {"slot_id": "unknown"}),
    ({**J, "content_type": "image/gif"}, {"content_type": "not_allowed"}),
    ({**J, "size": "1"}, {"size": "invalid_type"}),
    ({**J, "size": 0}, {"size": "too_small"}),
    ({**J, "acl": "public-read"}, {"acl": "unknown_field"}),
    ({}, {"procedure_id": "required", "slot_id": "required", "content_type": "required", "size": "required"}),
])
def test_bad_upload_requests_are_named_field_by_field_and_write_nothing(citizen, body, fields):
    resp = citizen.post("/uploads", json=body)
    assert resp.status_code == 400 and resp.json["error"]["code"] == "validation_failed"
    assert resp.json["error"]["details"]["fields"] == fields
    assert models.Document.count() == 0


def test_a_declared_size_over_the_slot_limit_is_refused_up_front(citizen):
    resp = create_upload(citizen, size=10_000_001)
    assert resp.status_code == 413 and resp.json["error"]["code"] == "upload_too_large"


def test_uploads_need_a_session_and_the_csrf_header(submit_app, citizen):
    assert submit_app.test_client().post("/uploads", json={}).status_code == 401
    no_header = citizen.client.post("/uploads", json={"procedure_id": MARITAL})
    assert no_header.status_code == 403 and no_header.json["error"]["code"] == "csrf_failed"


def test_a_good_photo_is_verified_and_only_a_clean_copy_is_kept(citizen, submit_config):
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (21.0, 1.0, 30.0)}
    exif[0x010F] = "PhoneMaker"
    document_id, done = upload_and_complete(citizen, jpeg(exif=exif.tobytes()))
    assert done.status_code == 200
    assert done.json == {"document_id": document_id, "procedure_id": MARITAL, "slot_id": "id_card",
                         "state": "verified", "content_type": "image/jpeg", "size": done.json["size"],
                         "width": 1200, "height": 1600}
    bucket = submit_config.documents_bucket
    stored = f"documents/{citizen.user_id}/{document_id}.jpg"
    assert objects(submit_config, bucket) == [stored]  # the incoming original is gone
    kept = read(submit_config, bucket, stored)
    assert b"PhoneMaker" not in kept and not Image.open(io.BytesIO(kept)).getexif()
    again = citizen.post(f"/uploads/{document_id}/complete", json={})
    assert again.status_code == 200 and again.json == done.json


def test_heic_from_an_iphone_is_stored_as_jpeg(citizen, submit_config):
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (640, 480), "white").save(out, "HEIF")
    document_id, done = upload_and_complete(citizen, out.getvalue(), "image/heic")
    assert done.status_code == 200 and done.json["content_type"] == "image/jpeg"
    assert objects(submit_config, submit_config.documents_bucket) == [f"documents/{citizen.user_id}/{document_id}.jpg"]


def test_png_and_pdf_pages_are_accepted(citizen):
    assert upload_and_complete(citizen, png(), "image/png")[1].json["content_type"] == "image/png"
    pdf = b"%PDF-1.4\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
    assert upload_and_complete(citizen, pdf, "application/pdf")[1].json["content_type"] == "application/pdf"


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"this is not a picture at all, whatever the content type says", 415, "upload_type_not_allowed"),
    (jpeg()[:300], 422, "upload_corrupt"),
])
def test_a_bad_file_is_deleted_and_the_answer_stays_the_same(citizen, submit_config, data, status, code):
    document_id, done = upload_and_complete(citizen, data)
    assert (done.status_code, done.json["error"]["code"]) == (status, code)
    assert objects(submit_config, submit_config.documents_bucket) == []
    again = citizen.post(f"/uploads/{document_id}/complete", json={})
    assert (again.status_code, again.json["error"]["code"]) == (status, code)
    assert models.Document.get(document_id).state == "rejected"


def test_a_decompression_bomb_is_refused_and_deleted(citizen, submit_config):
    out = io.BytesIO()
    Image.new("1", (20_000, 20_000), 1).save(out, "PNG")
    _, done = upload_and_complete(citizen, out.getvalue(), "image/png")
    assert done.status_code == 413 and done.json["error"]["details"]["limit"] == "pixels"
    assert objects(submit_config, submit_config.documents_bucket) == []


def test_a_file_larger_than_the_policy_allowed_is_caught_by_the_servers_head(citizen, submit_config):
    # moto does not enforce content-length-range, and a modified client could ignore it too.
    created = create_upload(citizen, size=1000)
    big = b"\xff\xd8\xff" + b"\0" * 10_000_000
    assert browser_upload(created.json["upload"], big) == 204
    done = citizen.post(f"/uploads/{created.json['document_id']}/complete", json={})
    assert done.status_code == 413 and done.json["error"]["details"]["limit"] == "bytes"
    assert objects(submit_config, submit_config.documents_bucket) == []


def test_completing_before_the_file_arrived_can_be_retried(citizen):
    created = create_upload(citizen, size=1000)
    document_id = created.json["document_id"]
    early = citizen.post(f"/uploads/{document_id}/complete", json={})
    assert early.status_code == 409 and early.json["error"]["code"] == "upload_incomplete"
    assert browser_upload(created.json["upload"], jpeg()) == 204
    assert citizen.post(f"/uploads/{document_id}/complete", json={}).status_code == 200


def test_nobody_else_can_complete_or_even_see_a_page(citizen, other_citizen):
    document_id, _ = upload_and_complete(citizen, jpeg())
    for path in (f"/uploads/{document_id}/complete", "/uploads/not-a-real-document-id/complete"):
        resp = other_citizen.post(path, json={})
        assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"


def test_asking_twice_gives_two_separate_pending_pages(citizen):
    first, second = create_upload(citizen), create_upload(citizen)
    assert first.status_code == second.status_code == 201
    assert first.json["document_id"] != second.json["document_id"]
    assert first.json["upload"]["fields"]["key"] != second.json["upload"]["fields"]["key"]
    assert {d.state for d in models.Document.scan()} == {"pending"} and models.Document.count() == 2


def test_a_pdf_page_hiding_javascript_behind_a_name_escape_is_refused_and_deleted(citizen, submit_config):
    from tests.fixtures.pdfs import document, link

    hostile = document(page=b"/Annots [10 0 R]", extra=link(b"<< /S /J#61vaScript /J#53 (app.alert(1)) >>"))
    assert b"/JavaScript" not in hostile and b"/JS" not in hostile  # what the old byte scan looked for
    document_id, done = upload_and_complete(citizen, hostile, "application/pdf")
    assert (done.status_code, done.json["error"]["code"]) == (415, "upload_type_not_allowed")
    assert done.json["error"]["details"] == {"reason": "pdf_active_content", "found": "JavaScript"}
    assert objects(submit_config, submit_config.documents_bucket) == []
    assert models.Document.get(document_id).state == "rejected"


def test_a_pdf_page_that_only_says_javascript_is_kept(citizen):
    from tests.fixtures.pdfs import document

    page = document(pages=2, content=b"BT /F1 12 Tf 72 720 Td (Turn on /JavaScript to sign) Tj ET")
    _, done = upload_and_complete(citizen, page, "application/pdf")
    assert done.status_code == 200 and done.json["content_type"] == "application/pdf"
