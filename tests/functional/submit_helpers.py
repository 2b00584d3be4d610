"""Shared steps for the submit tests: a signed-in client, pictures, a browser-like upload to S3."""

from __future__ import annotations

import io
import uuid
from datetime import datetime
from typing import Any

import boto3
import requests
from account_helpers import PROFILE
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, ImageDraw

from functions.account import users
from functions.core import sessions
from functions.core.adapters.identity import VerifiedIdentity
from functions.core.config import Config

MARITAL = "marital-status-certificate"
ANSWERS = {"purpose": "property", "marital_status": "never_married", "fee_exemption": "none"}
PICKUP = {"method": "pickup"}
HOME_COMMUNE = "13075"
OTHER_COMMUNE = "18001"


class Citizen:
    """A signed-in test client that sends the CSRF header on every write, like the PWA."""

    def __init__(self, client: FlaskClient, csrf: str, user_id: str) -> None:
        self.client, self.csrf, self.user_id = client, csrf, user_id

    def get(self, path: str, **kw: Any):  # noqa: ANN201
        """GET as this citizen."""
        return self.client.get(path, **kw)

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any):  # noqa: ANN201
        """POST JSON as this citizen, with the CSRF header."""
        return self.client.open(path, method="POST", json=json, headers=self._csrf(headers), **kw)

    def put(self, path: str, json: Any = None, headers: dict[str, str] | None = None, **kw: Any):  # noqa: ANN201
        """PUT JSON as this citizen, with the CSRF header."""
        return self.client.open(path, method="PUT", json=json, headers=self._csrf(headers), **kw)

    def _csrf(self, headers: dict[str, str] | None) -> dict[str, str]:
        return {"X-CSRF-Token": self.csrf, **(headers or {})}


def signed_in_client(app: Flask, config: Config, now: datetime, phone: str, profile: dict | None = PROFILE
                     ) -> Citizen:
    """A citizen account with a live session (the same session code the sign-in flow uses)."""
    user = users.sign_in(VerifiedIdentity("phone_otp", phone, "phone_verified"), now)
    if profile is not None:
        users.update_profile(user.user_id, profile, now)
    return client_of(app, config, user, now)


def client_of(app: Flask, config: Config, user: Any, now: datetime) -> Citizen:  # noqa: ANN401
    """A test client holding a fresh session of `user`, as the browser would after signing in."""
    token = sessions.open_session(user, now)
    client = app.test_client()
    client.set_cookie("motcua_session", token)
    csrf = sessions.csrf_token(config, token)
    client.set_cookie("motcua_csrf", csrf)
    return Citizen(client, csrf, user.user_id)


def staff_client(app: Flask, config: Config, now: datetime, phone: str, communes: list[str]) -> Citizen:
    """A signed-in commune officer (the same session code as everyone)."""
    return client_of(app, config, users.upsert_staff(phone, "officer", communes, now), now)


def jpeg(size: tuple[int, int] = (1200, 1600), *, exif: bytes | None = None, quality: int = 85) -> bytes:
    """A document-like JPEG: dark lines of 'text' on white paper."""
    image = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(image)
    for y in range(80, size[1] - 80, 48):
        draw.rectangle((80, y, size[0] - 120, y + 18), fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=quality, **({"exif": exif} if exif else {}))
    return out.getvalue()


def png(size: tuple[int, int] = (600, 800)) -> bytes:
    """A small PNG page."""
    out = io.BytesIO()
    Image.new("RGB", size, "white").save(out, "PNG")
    return out.getvalue()


def browser_upload(upload: dict[str, Any], data: bytes, content_type: str = "image/jpeg") -> int:
    """POST the file to the presigned URL as a browser form would (fields first, file last)."""
    fields = upload["fields"]
    resp = requests.post(upload["url"], data=fields, files={"file": ("page", data, content_type)}, timeout=10)
    return resp.status_code


def create_upload(citizen: Citizen, slot: str = "id_card", content_type: str = "image/jpeg", size: int = 1000,
                  procedure: str = MARITAL):  # noqa: ANN201
    """createUpload for one page."""
    return citizen.post("/uploads", json={"procedure_id": procedure, "slot_id": slot,
                                          "content_type": content_type, "size": size})


def uploaded_page(citizen: Citizen, data: bytes | None = None, slot: str = "id_card", procedure: str = MARITAL,
                  content_type: str = "image/jpeg") -> str:
    """A verified page: createUpload, the browser's POST, completeUpload; returns the document id."""
    data = data if data is not None else jpeg()
    created = create_upload(citizen, slot, content_type, len(data), procedure)
    assert created.status_code == 201, created.json
    assert browser_upload(created.json["upload"], data, content_type) in (200, 204)
    done = citizen.post(f"/uploads/{created.json['document_id']}/complete", json={})
    assert done.status_code == 200, done.json
    return created.json["document_id"]


def submission(document_ids: list[str], **changes: Any) -> dict[str, Any]:
    """A valid marital-status submission body for these ID-card pages."""
    body = {"procedure_id": MARITAL, "commune_code": HOME_COMMUNE, "answers": dict(ANSWERS),
            "documents": {"id_card": document_ids}, "delivery": dict(PICKUP)}
    body.update(changes)
    return body


def submit(citizen: Citizen, body: dict[str, Any], key: str | None = None):  # noqa: ANN201
    """submitApplication with an Idempotency-Key (a fresh one unless given)."""
    return citizen.post("/applications", json=body, headers={"Idempotency-Key": key or str(uuid.uuid4())})


def as_user(app: Flask, who: Citizen) -> Citizen:
    """The same session as `who`, on another function's app (e.g. the status app)."""
    client = app.test_client()
    for name in ("motcua_session", "motcua_csrf"):
        client.set_cookie(name, who.client.get_cookie(name).value)
    return Citizen(client, who.csrf, who.user_id)


def delete_bucket(config: Config, bucket: str, s3: Any = None) -> None:
    """Empty the (versioned) bucket and delete it, as a misconfigured or torn-down stage would have it."""
    s3 = s3 or boto3.client("s3", region_name=config.region)
    for version in s3.list_object_versions(Bucket=bucket).get("Versions", []):
        s3.delete_object(Bucket=bucket, Key=version["Key"], VersionId=version["VersionId"])
    s3.delete_bucket(Bucket=bucket)


def drop_table(model: Any) -> None:  # noqa: ANN401
    """Delete a model's table in the emulator: every later call on it fails as a missing table does."""
    model._get_connection().connection.dispatch("DeleteTable", {"TableName": model.Meta.table_name})
