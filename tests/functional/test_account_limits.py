"""Every sending limit, driven by the injectable clock; a refusal sends and writes nothing."""

from __future__ import annotations

from datetime import UTC, datetime

from functions.core import models

PHONE = "+84912345678"


def request(app, phone: str = PHONE, ip: str = "203.0.113.7"):  # noqa: ANN001, ANN201
    return app.test_client().post("/otp", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})


def snapshot() -> list[dict]:
    return sorted((item.attribute_values for item in models.OtpChallenge.scan()), key=lambda v: v["key"])


def assert_refused(resp, limit: str, retry_after: int, before: list[dict], sent_before: int, inbox) -> None:  # noqa: ANN001
    error = resp.json["error"]
    assert (resp.status_code, error["code"]) == (429, "otp_rate_limited")
    assert error["details"] == {"limit": limit, "retry_after": retry_after}
    assert resp.headers["Retry-After"] == str(retry_after)
    assert snapshot() == before, "a refused request must not write"
    assert len(inbox(PHONE)) == sent_before, "a refused request must not send"


def test_one_code_per_number_every_sixty_seconds(account_app, sms_inbox, clock):
    assert request(account_app).status_code == 202
    clock.advance(seconds=20)
    before = snapshot()
    assert_refused(request(account_app), "number_cooldown", 40, before, 1, sms_inbox)
    clock.advance(seconds=40)
    assert request(account_app).status_code == 202
    assert len(sms_inbox(PHONE)) == 2


def test_at_most_five_codes_per_number_per_day_reset_at_vietnam_midnight(account_app, sms_inbox, clock):
    clock.current = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)  # 21:00 in Vietnam
    for _ in range(5):
        assert request(account_app).status_code == 202
        clock.advance(seconds=60)
    # 21:05 local: midnight is 2 h 55 min away.
    before = snapshot()
    assert_refused(request(account_app), "number_daily", 2 * 3600 + 55 * 60, before, 5, sms_inbox)
    clock.current = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 00:00 on the 23rd in Vietnam
    assert request(account_app).status_code == 202


def test_at_most_twenty_codes_per_client_ip_per_hour(account_app, sms_inbox, clock):
    clock.current = datetime(2026, 11, 22, 3, 30, tzinfo=UTC)
    numbers = [f"+8491234{n:04d}" for n in range(21)]
    for number in numbers[:20]:
        assert request(account_app, number).status_code == 202
    before = snapshot()
    assert_refused(request(account_app, numbers[20]), "ip_hourly", 30 * 60, before, 0, sms_inbox)
    assert sms_inbox(numbers[20]) == []
    # Another IP is not affected, and the same IP may send again in the next hour.
    assert request(account_app, numbers[20], ip="198.51.100.9").status_code == 202
    clock.advance(minutes=30)
    assert request(account_app, "+84987654321").status_code == 202


def test_the_longest_wait_is_reported_when_several_limits_apply(account_app, sms_inbox, clock):
    clock.current = datetime(2026, 11, 22, 14, 0, tzinfo=UTC)
    for _ in range(5):
        assert request(account_app).status_code == 202
        clock.advance(seconds=60)
    clock.advance(seconds=-30)  # inside the cooldown of the 5th code and over the daily limit
    resp = request(account_app)
    assert resp.json["error"]["details"]["limit"] == "number_daily"


def test_limits_are_shared_between_instances_because_they_live_in_dynamodb(config, stack, clock, sms_inbox):
    from functions.account.app import create_app

    first, second = create_app(config, clock=clock), create_app(config, clock=clock)
    assert request(first).status_code == 202
    assert request(second).json["error"]["details"]["limit"] == "number_cooldown"
