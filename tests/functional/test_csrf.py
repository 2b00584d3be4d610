"""The CSRF gate as the README states it: a write needs the app's own `Origin`, and `Sec-Fetch-Site`,
when sent, must be `same-origin`; a matching CSRF token alone is not enough."""

from __future__ import annotations

import pytest
from account_helpers import PROFILE, csrf, sign_in
from flask import Flask
from flask.testing import FlaskClient

PHONE = "+84912345678"


def without_origin(app: Flask) -> FlaskClient:
    """A client that sends no `Origin` by itself, as curl or a server would."""
    client = app.test_client()
    client.environ_base.pop("HTTP_ORIGIN", None)
    return client


def refused(resp) -> str:  # noqa: ANN001 (a test response)
    """The refusal's reason, after checking it is the csrf_failed 403."""
    assert (resp.status_code, resp.json["error"]["code"]) == (403, "csrf_failed"), resp.json
    return resp.json["error"]["details"]["reason"]


def test_a_write_with_neither_origin_nor_sec_fetch_site_is_refused(account_app, sms_inbox):
    resp = without_origin(account_app).post("/otp", json={"phone": "0912345678"})
    assert refused(resp) == "origin_missing"
    assert sms_inbox(PHONE) == []


def test_a_signed_in_write_with_the_right_token_but_no_origin_is_refused(account_app, sms_inbox):
    client = account_app.test_client()
    assert sign_in(client, sms_inbox).status_code == 200
    client.environ_base.pop("HTTP_ORIGIN")
    for method, path in (("put", "/profile"), ("post", "/logout")):
        resp = getattr(client, method)(path, json=PROFILE, headers=csrf(client))
        assert refused(resp) == "origin_missing"
    after = client.get("/profile")  # still signed in, and nothing was written
    assert after.status_code == 200 and after.json["profile_complete"] is False


@pytest.mark.parametrize("fetch_site", ["none", "same-site", "cross-site", "Same-Origin", ""])
def test_sec_fetch_site_other_than_same_origin_is_refused_even_with_the_right_origin(
        account_app, config, sms_inbox, fetch_site):
    resp = account_app.test_client().post("/otp", json={"phone": "0912345678"},
                                          headers={"Origin": config.app_origin, "Sec-Fetch-Site": fetch_site})
    assert refused(resp) == "cross_site"
    assert sms_inbox(PHONE) == []


@pytest.mark.parametrize("origin", ["null", "https://evil.example", "http://localhost:8001", "http://localhost:8000/",
                                    "https://localhost:8000", ""])
def test_an_origin_other_than_the_app_is_refused(account_app, config, sms_inbox, origin):
    assert config.app_origin == "http://localhost:8000"  # the near-misses above are near this one
    resp = account_app.test_client().post("/otp", json={"phone": "0912345678"}, headers={"Origin": origin})
    assert refused(resp) == "origin"
    assert sms_inbox(PHONE) == []


def test_a_same_origin_write_with_the_token_passes(account_app, config, sms_inbox):
    client = account_app.test_client()
    assert sign_in(client, sms_inbox).status_code == 200
    client.environ_base.pop("HTTP_ORIGIN")
    same_origin = {"Origin": config.app_origin, "Sec-Fetch-Site": "same-origin"}
    resp = client.put("/profile", json=PROFILE, headers={**same_origin, **csrf(client)})
    assert resp.status_code == 200, resp.json
    assert client.get("/profile").json["profile"] == PROFILE


def test_a_same_origin_write_without_sec_fetch_site_passes(account_app, config, sms_inbox):
    """Older browsers send `Origin` but no fetch metadata."""
    resp = without_origin(account_app).post("/otp", json={"phone": "0912345678"},
                                            headers={"Origin": config.app_origin})
    assert resp.status_code == 202
    assert len(sms_inbox(PHONE)) == 1


def test_reads_need_no_origin(account_app, sms_inbox):
    client = account_app.test_client()
    assert sign_in(client, sms_inbox).status_code == 200
    client.environ_base.pop("HTTP_ORIGIN")
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize("function", ["account", "submit", "status", "pay"])
def test_every_function_refuses_a_write_without_origin(make_app, stack, function):
    resp = without_origin(make_app(function)).post("/anything", json={})
    assert refused(resp) == "origin_missing"


def test_the_gateway_ipn_is_a_server_to_server_get_and_needs_no_origin(make_app, stack):
    resp = without_origin(make_app("pay")).get("/vnpay/ipn", query_string={"vnp_TxnRef": "X"})
    assert resp.status_code == 200
    assert resp.json["RspCode"] == "97"  # the IPN's own answer to a bad signature, not a CSRF refusal
