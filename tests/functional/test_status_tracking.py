"""trackApplication: anyone with the code and the last four digits of the applicant's phone learns the status
and the due date, nothing more; guessing is limited per address and per code."""

from __future__ import annotations

import pytest
from flask import Flask
from submit_helpers import as_user

from functions.core import models

# The citizen fixture signs in with +84912345678.
ENDING = "5678"


def track(app: Flask, ip: str = "203.0.113.7", **args: str):  # noqa: ANN201
    return app.test_client().get("/track", query_string=args, environ_base={"REMOTE_ADDR": ip})


@pytest.fixture
def strict_app(submit_config, clock) -> Flask:  # noqa: ANN001
    """The status app with a limit of three tries per hour per address."""
    from functions.status.app import create_app

    app = create_app(submit_config.with_overrides(track_per_hour=3), clock=clock)
    app.testing = True
    return app


def test_the_code_and_phone_ending_show_status_and_due_date_only(status_app, filed):
    resp = track(status_app, code=filed, phone=ENDING)
    assert resp.status_code == 200
    assert resp.json == {"code": filed, "procedure_name": resp.json["procedure_name"], "status": "submitted",
                         "due_date": "2026-11-26", "overdue": False}
    assert resp.json["procedure_name"]["vi"].startswith("Cấp Giấy xác nhận tình trạng hôn nhân")
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_typed_code_is_forgiven_like_on_the_receipt(status_app, filed):
    typed = filed.lower().replace("1", "l").replace("0", "o")
    assert track(status_app, code=typed, phone=ENDING).json["code"] == filed


def test_it_follows_the_application_as_officers_act(status_app, officer, filed):
    officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    assert track(status_app, code=filed, phone=ENDING).json["status"] == "received"


@pytest.mark.parametrize("args", [
    {"code": "HN-2611-ZZZZZZ", "phone": ENDING},
    {"phone": "1234"},
    {"code": "garbage", "phone": ENDING},
])
def test_a_wrong_ending_or_an_unknown_code_get_the_same_404(status_app, filed, args):
    args = {**args, "code": args.get("code", filed)}
    resp = track(status_app, **args)
    assert (resp.status_code, resp.json["error"]["code"]) == (404, "not_found")
    assert "status" not in resp.json


@pytest.mark.parametrize(("args", "fields"), [
    ({}, {"code": "required", "phone": "required"}),
    ({"code": "HN-2611-7K3QF9", "phone": "12a4"}, {"phone": "bad_format"}),
    ({"code": "HN-2611-7K3QF9", "phone": "912345678"}, {"phone": "bad_format"}),
    ({"code": "H" * 41, "phone": "1234"}, {"code": "too_long"}),
])
def test_bad_input_is_a_400_with_field_codes(status_app, args, fields):
    resp = track(status_app, **args)
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)


def test_one_address_gets_a_few_tries_an_hour_then_waits(strict_app, filed, clock):
    for _ in range(3):
        assert track(strict_app, code=filed, phone="0000").status_code == 404
    refused = track(strict_app, code=filed, phone=ENDING)
    assert (refused.status_code, refused.json["error"]["code"]) == (429, "rate_limited")
    wait = refused.json["error"]["details"]["retry_after"]
    assert 0 < wait <= 3600 and refused.headers["Retry-After"] == str(wait)
    assert track(strict_app, ip="198.51.100.9", code=filed, phone=ENDING).status_code == 200
    clock.advance(seconds=wait)
    assert track(strict_app, code=filed, phone=ENDING).status_code == 200


def test_one_code_gets_ten_tries_an_hour_from_all_addresses_together(status_app, filed):
    for n in range(10):
        assert track(status_app, ip=f"192.0.2.{n}", code=filed, phone=f"{n:04d}").status_code == 404
    resp = track(status_app, ip="192.0.2.200", code=filed, phone=ENDING)
    assert resp.status_code == 429


def test_counters_keep_no_address_or_code_in_their_keys(status_app, filed):
    track(status_app, ip="203.0.113.99", code=filed, phone=ENDING)
    keys = [item.key for item in models.OtpChallenge.scan()]
    assert keys and not any("203.0.113.99" in k or filed in k for k in keys)


def test_the_signed_in_view_and_the_public_view_agree_on_the_status(status_app, citizen, filed):
    assert as_user(status_app, citizen).get(f"/applications/{filed}").json["status"] == \
        track(status_app, code=filed, phone=ENDING).json["status"]
