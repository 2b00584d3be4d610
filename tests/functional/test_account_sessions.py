"""Sessions: cookies, expiry, renewal, revocation and CSRF, as the browser and other callers see them."""

from __future__ import annotations

import hashlib

import pytest
from account_helpers import csrf, sign_in

from functions.core import models


def cookie_header(resp, name: str) -> str:  # noqa: ANN001
    return next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(f"{name}="))


def test_the_session_cookie_is_httponly_lax_and_lives_thirty_days(account_app, sms_inbox):
    resp = sign_in(account_app.test_client(), sms_inbox)
    session = cookie_header(resp, "motcua_session")
    assert "HttpOnly" in session and "SameSite=Lax" in session and "Path=/" in session
    assert "Max-Age=2592000" in session
    assert "Secure" not in session  # local runs are plain http
    assert "HttpOnly" not in cookie_header(resp, "motcua_csrf")  # the page must read it


def test_outside_local_runs_cookies_are_secure_and_host_prefixed(config, stack, clock, sms_inbox):
    from functions.account.app import create_app

    app = create_app(config.with_overrides(stage="dev"), clock=clock)
    resp = sign_in(app.test_client(), sms_inbox)
    session = cookie_header(resp, "__Host-motcua_session")
    assert "Secure" in session and "HttpOnly" in session
    assert "Secure" in cookie_header(resp, "__Host-motcua_csrf")


def test_only_a_hash_of_the_token_is_stored(account_app, sms_inbox):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    token = client.get_cookie("motcua_session").value
    assert len(token) >= 43  # 256 bits in base64url
    stored = [s.session_hash for s in models.Session.scan()]
    assert stored == [hashlib.sha256(token.encode()).hexdigest()]


def test_the_session_expires_after_thirty_days_without_use(account_app, sms_inbox, clock):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    clock.advance(days=30)
    resp = client.get("/profile")
    assert (resp.status_code, resp.json["error"]["code"]) == (401, "unauthorized")


def test_use_renews_the_session_for_another_thirty_days(account_app, sms_inbox, clock):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    clock.advance(days=20)
    renewed = client.get("/profile")
    assert renewed.status_code == 200
    assert "Max-Age=2592000" in cookie_header(renewed, "motcua_session")
    clock.advance(days=25)  # 45 days after sign-in, 25 after last use
    assert client.get("/profile").status_code == 200


def test_a_forged_or_unknown_cookie_is_not_a_session(account_app):
    client = account_app.test_client()
    client.set_cookie("motcua_session", "A" * 43)
    assert client.get("/profile").status_code == 401


def test_logout_revokes_the_session_on_the_server_even_if_the_cookie_is_replayed(account_app, sms_inbox):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    token = client.get_cookie("motcua_session").value
    resp = client.post("/logout", headers=csrf(client))
    assert resp.status_code == 204
    assert "Max-Age=0" in cookie_header(resp, "motcua_session")
    replay = account_app.test_client()
    replay.set_cookie("motcua_session", token)
    assert replay.get("/profile").status_code == 401
    assert list(models.Session.scan()) == []


def test_logout_is_safe_to_repeat_and_without_a_session(account_app, sms_inbox):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    assert client.post("/logout", headers=csrf(client)).status_code == 204
    assert client.post("/logout").status_code == 204
    assert account_app.test_client().post("/logout", json={"all_devices": True}).status_code == 204


def test_sign_out_of_all_devices_ends_every_session_of_that_user_only(account_app, sms_inbox, clock):
    phone, other = account_app.test_client(), account_app.test_client()
    laptop = account_app.test_client()
    sign_in(phone, sms_inbox)
    clock.advance(seconds=61)
    sign_in(laptop, sms_inbox)
    sign_in(other, sms_inbox, phone="+84987654321")
    assert laptop.post("/logout", json={"all_devices": True}, headers=csrf(laptop)).status_code == 204
    assert phone.get("/profile").status_code == 401
    assert laptop.get("/profile").status_code == 401
    assert other.get("/profile").status_code == 200
    clock.advance(seconds=1)
    again = account_app.test_client()
    clock.advance(seconds=60)
    assert sign_in(again, sms_inbox).status_code == 200
    assert again.get("/profile").status_code == 200, "a new sign-in after the revocation works"


@pytest.mark.parametrize("all_devices", ["yes", 1, None])
def test_logout_rejects_a_non_boolean_all_devices(account_app, sms_inbox, all_devices):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    resp = client.post("/logout", json={"all_devices": all_devices}, headers=csrf(client))
    assert resp.json["error"]["code"] == "validation_failed"
    assert client.get("/profile").status_code == 200, "a refused logout leaves the session alone"


@pytest.mark.parametrize("headers", [
    {},
    {"X-CSRF-Token": "0" * 64},
])
def test_writes_with_a_session_need_the_csrf_token(account_app, sms_inbox, headers):
    client = account_app.test_client()
    sign_in(client, sms_inbox)
    for method, path in (("put", "/profile"), ("post", "/logout")):
        resp = getattr(client, method)(path, json={}, headers=headers)
        assert (resp.status_code, resp.json["error"]["code"]) == (403, "csrf_failed")
    assert client.get("/profile").status_code == 200


@pytest.mark.parametrize("headers", [
    {"Origin": "https://evil.example"},
    {"Sec-Fetch-Site": "cross-site"},
    {"Sec-Fetch-Site": "same-site"},
])
def test_writes_from_another_site_are_refused_even_without_a_session(account_app, sms_inbox, headers):
    resp = account_app.test_client().post("/otp", json={"phone": "0912345678"}, headers=headers)
    assert (resp.status_code, resp.json["error"]["code"]) == (403, "csrf_failed")
    assert sms_inbox("+84912345678") == []


def test_same_origin_writes_pass_the_origin_check(account_app, config):
    headers = {"Origin": config.app_origin, "Sec-Fetch-Site": "same-origin"}
    assert account_app.test_client().post("/otp", json={"phone": "0912345678"}, headers=headers).status_code == 202
