"""The packaged status function: getApplication for the owner and the commune's officer, an officer's step,
and the public trackApplication, each through Zappa's handler in the built zip."""

from __future__ import annotations

import io
import json
import uuid
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import requests
from PIL import Image
from test_lambda_zip import body, event, invoke
from test_submit_zip import as_user, signed_in

from functions.core import config as config_mod
from functions.core import models, sessions
from tests.push_service import FakePushService

COMMUNE = "13075"


def officer_headers(package_env: dict[str, str]) -> dict[str, str]:
    """An officer of the citizen's home commune, signed in in the emulator."""
    from functions.account import users
    from functions.core.adapters.clock import SystemClock

    config = config_mod.load({**package_env, "MOTCUA_STAGE": "dev"})
    models.bind(config)
    now = SystemClock().now()
    officer = users.upsert_staff("+84912000991", "officer", [COMMUNE], now)
    token = sessions.open_session(officer, now)
    csrf = sessions.csrf_token(config, token)
    return {"Cookie": f"__Host-motcua_session={token}; __Host-motcua_csrf={csrf}", "X-CSRF-Token": csrf}


def filed_application(run_submit, headers: dict[str, str]) -> str:  # noqa: ANN001
    """One marital-status application submitted through the packaged submit function."""
    out = io.BytesIO()
    Image.new("RGB", (800, 600), "white").save(out, "JPEG")
    photo = out.getvalue()
    (created,) = run_submit(as_user(event("POST", "/api/submit/uploads", {
        "procedure_id": "marital-status-certificate", "slot_id": "id_card", "content_type": "image/jpeg",
        "size": len(photo)}), headers))
    upload = body(created)["upload"]
    requests.post(upload["url"], data=upload["fields"], files={"file": ("p.jpg", photo, "image/jpeg")}, timeout=10)
    document_id = body(created)["document_id"]
    submission = {"procedure_id": "marital-status-certificate", "commune_code": COMMUNE,
                  "answers": {"purpose": "loan", "marital_status": "never_married"},
                  "documents": {"id_card": [document_id]}, "delivery": {"method": "pickup"}}
    _, filed = run_submit(
        as_user(event("POST", f"/api/submit/uploads/{document_id}/complete", {}), headers),
        as_user(event("POST", "/api/submit/applications", submission), headers,
                **{"Idempotency-Key": str(uuid.uuid4())}))
    assert filed["response"]["statusCode"] == 201, filed["response"]["body"]
    return body(filed)["application"]["code"]


def track_event(code: str, ending: str) -> dict:
    ev = event("GET", "/api/status/track")
    ev["queryStringParameters"] = {"code": code, "phone": ending}
    ev["multiValueQueryStringParameters"] = {"code": [code], "phone": [ending]}
    return ev


def test_get_act_and_track_through_the_packaged_status_handler(unzipped, lambda_runtime, package_env):
    citizen, _ = signed_in(package_env, "+84912340055")  # not the submit test's citizen: it lists its own
    officer = officer_headers(package_env)
    code = filed_application(lambda *evs: invoke(unzipped("submit"), lambda_runtime, package_env, *evs), citizen)
    run = lambda *events: invoke(unzipped("status"), lambda_runtime, package_env, *events)  # noqa: E731

    mine, theirs, accepted, after, tracked, wrong = run(
        as_user(event("GET", f"/api/status/applications/{code}"), citizen),
        as_user(event("GET", f"/api/status/applications/{code}"), officer),
        as_user(event("POST", f"/api/status/applications/{code}/actions", {"action": "accept", "version": 1}),
                officer),
        as_user(event("GET", f"/api/status/applications/{code}"), citizen),
        track_event(code, "0055"),
        track_event(code, "9999"),
    )
    assert mine["response"]["statusCode"] == 200, mine["response"]["body"]
    seen = body(mine)
    assert (seen["status"], seen["actions"]) == ("submitted", ["withdraw"])
    (page,) = seen["documents"]["id_card"]
    assert int(parse_qs(urlsplit(page["url"]).query)["X-Amz-Expires"][0]) <= 300
    assert body(theirs)["actions"] == ["accept"]
    assert accepted["response"]["statusCode"] == 200, accepted["response"]["body"]
    assert body(after)["status"] == "received"
    assert [e["kind"] for e in body(after)["timeline"]] == ["submitted", "accept"]
    assert "user_id" not in body(after)["timeline"][-1]["actor"]
    assert body(tracked) == {"code": code, "procedure_name": seen["procedure_name"], "status": "received",
                             "due_date": seen["due_date"], "overdue": False}
    assert wrong["response"]["statusCode"] == 404


def stream_arn() -> str:
    """The events table's stream ARN as the dev stage's Zappa settings map it to the dispatcher."""
    settings = json.loads((Path(__file__).resolve().parents[2] / "zappa_settings.json").read_text())
    (stream,) = [e for e in settings["dev_status"]["events"] if "event_source" in e]
    return stream["event_source"]["arn"]


def test_a_stream_record_is_pushed_by_the_packaged_dispatcher(unzipped, lambda_runtime, package_env):
    """Through the zip (its aiohttp stand-in included): the stream handler finds the new event, signs with
    VAPID, encrypts for the browser, and the push service receives what the citizen must read."""
    from functions.core.adapters.clock import SystemClock
    from functions.local.seed import _new_vapid_pair
    from functions.status.push_api import endpoint_hash

    private, public = _new_vapid_pair()
    # The dev stage refuses loopback endpoints unless told; the push service here is the loopback fake.
    env = {**package_env, "MOTCUA_VAPID_PRIVATE_KEY": private, "MOTCUA_VAPID_PUBLIC_KEY": public,
           "MOTCUA_PUSH_ALLOW_LOOPBACK": "true"}
    config = config_mod.load({**env, "MOTCUA_STAGE": "dev"})
    models.bind(config)
    now = SystemClock().now()
    owner = f"citizen-{uuid.uuid4().hex[:8]}"
    models.User(owner, phone="+84912340077", created_at=now).save()
    with FakePushService() as push:
        browser = push.browser(public)
        models.PushSubscription(owner, endpoint_hash(browser.endpoint),
                                subscription=browser.subscription(), lang="vi", created_at=now).save()
        event = models.Event("HN-2611-PKG001", f"000002#{now:%Y%m%dT%H%M%S%fZ}#accept", user_id=owner,
                             kind="accept", actor={"user_id": "officer-1", "role": "officer"},
                             data={"action": "accept", "from": "submitted", "to": "received"}, created_at=now)
        event.save()
        record = {"eventID": "1", "eventName": "INSERT", "eventSource": "aws:dynamodb",
                  "eventSourceARN": stream_arn(),
                  "dynamodb": {"Keys": {"application_id": {"S": event.application_id},
                                        "event_id": {"S": event.event_id}}}}
        (result,) = invoke(unzipped("status"), lambda_runtime, env, {"Records": [record]})
        (received,) = push.wait_for(1)
    assert result["response"] == {"records": 1}
    assert "aiohttp" in result["modules"]  # the stand-in satisfied pywebpush's import
    assert received.message["application_id"] == "HN-2611-PKG001" and received.message["kind"] == "accept"
    assert received.message["lang"] == "vi" and received.ttl == 86_400
    assert models.Event.get(event.application_id, event.event_id).delivery == "sent"
