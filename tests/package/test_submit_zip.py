"""The packaged submit function end to end: a HEIC photo cleaned inside the zip, then one application."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path

import requests
from PIL import Image
from test_lambda_zip import body, event, invoke

from functions.core import config as config_mod
from functions.core import models, sessions

PROFILE = json.loads((Path(__file__).parents[1] / "fixtures" / "profile.json").read_text(encoding="utf-8"))


def signed_in(package_env: dict[str, str], phone: str = "+84912340002") -> tuple[dict[str, str], str]:
    """A citizen session created in the emulator; returns the browser's headers and the user id."""
    from functions.account import users
    from functions.core.adapters.clock import SystemClock
    from functions.core.adapters.identity import VerifiedIdentity

    config = config_mod.load({**package_env, "MOTCUA_STAGE": "dev"})
    models.bind(config)
    now = SystemClock().now()
    user = users.sign_in(VerifiedIdentity("phone_otp", phone, "phone_verified"), now)
    users.update_profile(user.user_id, PROFILE, now)
    token = sessions.open_session(user, now)
    csrf = sessions.csrf_token(config, token)
    return {"Cookie": f"__Host-motcua_session={token}; __Host-motcua_csrf={csrf}", "X-CSRF-Token": csrf}, user.user_id


def as_user(ev: dict, headers: dict[str, str], **more: str) -> dict:
    ev["headers"] = {**ev["headers"], **headers, **more}
    return ev


def heic_photo() -> bytes:
    import pillow_heif

    pillow_heif.register_heif_opener()
    out = io.BytesIO()
    Image.new("RGB", (1024, 768), "white").save(out, "HEIF")
    return out.getvalue()


def test_upload_clean_and_submit_through_the_packaged_submit_handler(unzipped, lambda_runtime, package_env):
    headers, user_id = signed_in(package_env)
    photo = heic_photo()
    run = lambda *events: invoke(unzipped("submit"), lambda_runtime, package_env, *events)  # noqa: E731

    (created,) = run(as_user(event("POST", "/api/submit/uploads", {
        "procedure_id": "marital-status-certificate", "slot_id": "id_card",
        "content_type": "image/heic", "size": len(photo)}), headers))
    assert created["response"]["statusCode"] == 201, created["response"]["body"]
    upload = body(created)["upload"]
    assert upload["fields"]["key"].startswith(f"incoming/{user_id}/")
    posted = requests.post(upload["url"], data=upload["fields"], files={"file": ("p.heic", photo, "image/heic")},
                           timeout=10)
    assert posted.status_code == 204

    document_id = body(created)["document_id"]
    (done,) = run(as_user(event("POST", f"/api/submit/uploads/{document_id}/complete", {}), headers))
    assert done["response"]["statusCode"] == 200, done["response"]["body"]
    # Decoded by pillow-heif inside the zip (with the stub encoder library) and stored as JPEG.
    assert body(done)["content_type"] == "image/jpeg" and body(done)["width"] == 1024

    submission = {"procedure_id": "marital-status-certificate", "commune_code": "13075",
                  "answers": {"purpose": "loan", "marital_status": "never_married"},
                  "documents": {"id_card": [document_id]}, "delivery": {"method": "pickup"}}
    key = str(uuid.uuid4())
    first, retry, listed = run(
        as_user(event("POST", "/api/submit/applications", submission), headers, **{"Idempotency-Key": key}),
        as_user(event("POST", "/api/submit/applications", submission), headers, **{"Idempotency-Key": key}),
        as_user(event("GET", "/api/submit/applications"), headers),
    )
    assert first["response"]["statusCode"] == retry["response"]["statusCode"] == 201, first["response"]["body"]
    assert body(first) == body(retry)
    assert [a["code"] for a in body(listed)["applications"]] == [body(first)["application"]["code"]]
