"""The one rate limiter (functions/core/ratelimit.py): one suite, run against the `otp` table in moto and
against the in-memory twin, as chalice runs its todo suite against both stores."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest
from pynamodb.exceptions import CancellationReason, TransactWriteError, VerboseClientError

from functions.core import models, ratelimit
from functions.core.errors import RateLimited
from functions.core.ratelimit import Cooldown, Hit, Rule

NOW = datetime(2026, 11, 22, 3, 30, tzinfo=UTC)  # 10:30 in Vietnam: the clock hour ends in 30 minutes
HOURLY3 = Rule("test-hourly", "three_an_hour", 3, ratelimit.HOURLY)
DAILY = Rule("test-daily", "one_a_day", 1, ratelimit.DAILY)
COOL = Cooldown("test-cool", "one_a_minute", timedelta(seconds=60))


@pytest.fixture(params=["dynamodb", "memory"])
def limiter(request: pytest.FixtureRequest) -> ratelimit.Limiter:
    """Each test runs against both implementations."""
    if request.param == "memory":
        return ratelimit.MemoryLimiter()
    request.getfixturevalue("stack")
    return ratelimit.DynamoLimiter(request.getfixturevalue("config"))


def refused(spend: Callable[[], None]) -> dict:
    """The details of the RateLimited a spend raises."""
    with pytest.raises(RateLimited) as caught:
        spend()
    assert (caught.value.status, caught.value.code) == (429, "rate_limited")
    return caught.value.details


def test_a_rule_allows_its_limit_per_window_then_refuses_until_the_window_ends(limiter):
    for _ in range(3):
        limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW)
    assert refused(lambda: limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW + timedelta(minutes=10))) == \
        {"limit": "three_an_hour", "retry_after": 20 * 60}
    limiter.spend([Hit(HOURLY3, "ip:198.51.100.9")], NOW)  # another subject has its own count
    limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW + timedelta(minutes=30))  # the next hour


def test_a_refused_spend_counts_none_of_its_hits(limiter):
    limiter.spend([Hit(DAILY, "+84912345678")], NOW)
    both = [Hit(HOURLY3, "ip:203.0.113.7"), Hit(DAILY, "+84912345678")]
    for _ in range(5):
        assert refused(lambda: limiter.spend(both, NOW))["limit"] == "one_a_day"
    for _ in range(3):  # the refusals spent nothing of the hourly rule
        limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW)
    assert refused(lambda: limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW))["limit"] == "three_an_hour"


def test_a_cooldown_counts_from_the_last_spend(limiter):
    limiter.spend([Hit(COOL, "+84912345678")], NOW)
    assert refused(lambda: limiter.spend([Hit(COOL, "+84912345678")], NOW + timedelta(seconds=20))) == \
        {"limit": "one_a_minute", "retry_after": 40}
    limiter.spend([Hit(COOL, "+84912345678")], NOW + timedelta(seconds=60))
    assert refused(lambda: limiter.spend([Hit(COOL, "+84912345678")], NOW + timedelta(seconds=61))) == \
        {"limit": "one_a_minute", "retry_after": 59}


def test_the_longest_wait_is_the_one_reported(limiter):
    limiter.spend([Hit(COOL, "+84912345678"), Hit(DAILY, "+84912345678")], NOW)
    details = refused(lambda: limiter.spend([Hit(COOL, "+84912345678"), Hit(DAILY, "+84912345678")], NOW))
    assert details == {"limit": "one_a_day", "retry_after": 13 * 3600 + 30 * 60}  # until midnight in Vietnam


def test_a_limit_below_one_refuses_everything(limiter):
    closed = Rule("test-closed", "closed", 0, ratelimit.per_seconds(60))
    assert refused(lambda: limiter.spend([Hit(closed, "anyone")], NOW))["limit"] == "closed"


def test_concurrent_spends_never_pass_the_limit(limiter):
    """Sixteen callers at once against a limit of three: exactly three pass, whatever the interleaving."""
    if isinstance(limiter, ratelimit.DynamoLimiter):
        from functions.local import serialize

        serialize.install()  # moto is not thread-safe; real DynamoDB serialises conditional writes itself
    start, outcomes = threading.Barrier(16), []

    def call() -> None:
        start.wait()
        try:
            limiter.spend([Hit(HOURLY3, "ip:203.0.113.7")], NOW)
            outcomes.append("passed")
        except RateLimited:
            outcomes.append("refused")

    threads = [threading.Thread(target=call) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["passed"] * 3 + ["refused"] * 13


def test_counters_keep_no_subject_in_clear_and_expire_after_their_window(stack, config):
    limiter = ratelimit.DynamoLimiter(config)
    limiter.spend([Hit(HOURLY3, "ip:203.0.113.7"), Hit(COOL, "+84912345678")], NOW)
    items = {item.key.split("#")[0]: item for item in models.OtpChallenge.scan()}
    assert set(items) == {"test-hourly", "test-cool"}
    assert not any("203.0.113.7" in key or "912345678" in key for key in (i.key for i in items.values()))
    assert items["test-hourly"].key.endswith("#2026112210")  # the clock hour in Vietnam
    assert items["test-hourly"].expires_at == datetime(2026, 11, 22, 5, 0, tzinfo=UTC)  # its end plus an hour
    assert items["test-cool"].expires_at == NOW + timedelta(seconds=60)


def test_a_transaction_conflict_is_tried_again_not_counted_as_a_refusal(stack, config, monkeypatch):
    """Real DynamoDB cancels a transaction that meets another on the same item; moto never does."""
    real, calls = models.transaction, []

    def conflict() -> None:
        cause = VerboseClientError({"Error": {"Code": "TransactionCanceledException", "Message": "conflict"}},
                                   "TransactWriteItems", {},
                                   cancellation_reasons=[CancellationReason(code="TransactionConflict")])
        raise TransactWriteError("Failed to write transaction items", cause)

    def conflicting() -> object:
        calls.append(1)
        tx = real()
        if len(calls) == 1:
            tx._commit = conflict  # the first attempt meets another transaction
        return tx

    monkeypatch.setattr(ratelimit.models, "transaction", conflicting)
    ratelimit.DynamoLimiter(config).spend([Hit(DAILY, "+84912345678")], NOW)
    assert len(calls) == 2
    assert [item.count for item in models.OtpChallenge.scan()] == [1]


@pytest.mark.parametrize(("ip", "counted_as"), [
    ("203.0.113.7", "203.0.113.7"),
    ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
    ("2001:db8:1:2:ffff:ffff:ffff:ffff", "2001:db8:1:2::/64"),
    ("::ffff:203.0.113.7", "203.0.113.7"),
    ("", "-"),
    ("not-an-address", "not-an-address"),
])
def test_an_ipv6_subscriber_is_counted_by_its_64_prefix(ip, counted_as):
    assert ratelimit.client_address(ip) == counted_as
