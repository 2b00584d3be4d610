"""A stranger who knows a number cannot lock its owner out of signing in (README, "Limits").

The daily codes count per (number, client address) under a higher per-number ceiling, and a browser that
signed in with the number before carries a signed device cookie that gives it a bucket of its own.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from account_helpers import csrf, latest_code, sign_in
from flask.testing import FlaskClient

from functions.account import devices

PHONE, OTHER = "+84912345678", "+84987654321"
OWNER_IP, STRANGER_IP, SHARED_IP = "203.0.113.7", "198.51.100.66", "192.0.2.10"
# 21:00 in Vietnam: midnight, when the daily counts start again, is 3 hours away.
EVENING = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def evening(clock) -> None:  # noqa: ANN001
    clock.current = EVENING


def ask(client: FlaskClient, ip: str, clock, phone: str = PHONE):  # noqa: ANN001, ANN201
    """requestOtp from `ip`, then a minute passes (the number's cooldown)."""
    resp = client.post("/otp", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})
    clock.advance(seconds=60)
    return resp


def spend(client: FlaskClient, ip: str, clock, times: int) -> None:  # noqa: ANN001
    for _ in range(times):
        resp = ask(client, ip, clock)
        assert resp.status_code == 202, resp.json


def signed_in_then_out(client: FlaskClient, inbox, ip: str, phone: str = PHONE) -> None:  # noqa: ANN001
    """Sign in from `ip`, then sign out: the session goes, the device cookie stays."""
    assert sign_in(client, inbox, phone, ip=ip).status_code == 200
    assert client.post("/logout", json={}, headers=csrf(client)).status_code == 204
    assert client.get_cookie(devices.COOKIE) is not None


def limit_of(resp) -> str:  # noqa: ANN001
    assert (resp.status_code, resp.json["error"]["code"]) == (429, "otp_rate_limited"), resp.json
    return resp.json["error"]["details"]["limit"]


def test_a_stranger_elsewhere_spending_the_daily_codes_does_not_stop_the_owner(account_app, sms_inbox, clock):
    stranger = account_app.test_client()
    spend(stranger, STRANGER_IP, clock, 5)
    assert limit_of(ask(stranger, STRANGER_IP, clock)) == "number_daily"
    owner = account_app.test_client()
    signed_in = sign_in(owner, sms_inbox, PHONE, ip=OWNER_IP)
    assert signed_in.status_code == 200, signed_in.json
    assert len(sms_inbox(PHONE)) == 6


def test_a_known_device_passes_after_a_stranger_spent_the_codes_of_its_own_address(account_app, sms_inbox,
                                                                                    clock):
    """Behind one carrier NAT the stranger and the owner share an address; the device cookie tells them apart."""
    owner = account_app.test_client()
    signed_in_then_out(owner, sms_inbox, SHARED_IP)
    clock.advance(seconds=60)
    stranger = account_app.test_client()
    spend(stranger, SHARED_IP, clock, 4)  # the owner's sign-in used the first of this address's five
    assert limit_of(ask(stranger, SHARED_IP, clock)) == "number_daily"
    assert ask(owner, SHARED_IP, clock).status_code == 202
    again = owner.post("/otp/verify", json={"phone": PHONE, "code": latest_code(sms_inbox, PHONE)})
    assert again.status_code == 200
    assert limit_of(ask(stranger, SHARED_IP, clock)) == "number_daily"  # the owner spent nothing of theirs


def test_a_device_cookie_vouches_only_for_its_own_number_and_only_when_genuine(account_app, sms_inbox, clock):
    stranger = account_app.test_client()
    signed_in_then_out(stranger, sms_inbox, STRANGER_IP, OTHER)  # a device cookie for their own number
    clock.advance(seconds=60)
    spend(stranger, STRANGER_IP, clock, 5)
    assert limit_of(ask(stranger, STRANGER_IP, clock)) == "number_daily"
    genuine = devices.issue(account_app.config["MOTCUA"], PHONE, clock.current)
    forged = genuine[:-1] + ("0" if genuine[-1] != "0" else "1")
    for value in (forged, genuine.split(".")[1], "", "20261122.", "garbage"):
        stranger.set_cookie(devices.COOKIE, value)
        assert limit_of(ask(stranger, STRANGER_IP, clock)) == "number_daily", value


def test_a_device_cookie_older_than_a_year_no_longer_vouches(account_app, sms_inbox, clock):
    owner = account_app.test_client()
    signed_in_then_out(owner, sms_inbox, SHARED_IP)
    clock.advance(days=366)
    spend(account_app.test_client(), SHARED_IP, clock, 5)
    assert limit_of(ask(owner, SHARED_IP, clock)) == "number_daily"


def test_the_per_number_ceiling_holds_across_addresses_but_known_devices_keep_their_own_codes(
        account_app, sms_inbox, clock):
    owner = account_app.test_client()
    signed_in_then_out(owner, sms_inbox, OWNER_IP)  # 1 of the ceiling's 20
    clock.advance(seconds=60)
    strangers = account_app.test_client()
    for n in range(3):
        spend(strangers, f"198.51.100.{n}", clock, 5)
    spend(strangers, "198.51.100.3", clock, 4)  # 20 codes today, none refused so far
    refused = ask(strangers, "198.51.100.3", clock)
    assert limit_of(refused) == "number_ceiling"
    assert refused.json["error"]["details"]["retry_after"] == int(
        (datetime(2026, 11, 22, 17, 0, tzinfo=UTC) - clock.current + timedelta(seconds=60)).total_seconds())
    assert limit_of(ask(account_app.test_client(), OWNER_IP, clock)) == "number_ceiling"  # a new browser too
    spend(owner, OWNER_IP, clock, 5)  # the owner's known device has its own five
    assert limit_of(ask(owner, OWNER_IP, clock)) == "number_daily"
    assert len(sms_inbox(PHONE)) == 25


def test_the_device_cookie_is_http_only_strict_long_lived_and_holds_no_number(account_app, sms_inbox):
    resp = sign_in(account_app.test_client(), sms_inbox, PHONE)
    cookie = next(h for h in resp.headers.getlist("Set-Cookie") if h.startswith(f"{devices.COOKIE}="))
    attributes = {part.strip().split("=")[0].lower() for part in cookie.split(";")[1:]}
    assert {"httponly", "max-age", "path"} <= attributes and "SameSite=Strict" in cookie
    assert "Max-Age=31536000" in cookie
    value = cookie.split(";")[0].split("=", 1)[1]
    assert "912345678" not in value and "84912" not in value
