"""One rate limiter for every caller: sign-in codes, public tracking and payment checks.

Counters live in the `otp` table, because Lambda instances share no memory. An item's key is
`<scope>#<keyed hash of the subject>[#<window id>]`, so no address, number or code is stored in clear, and
every item carries its end as the table's TTL. Two kinds of rule:
- `Rule`: at most `limit` spends per fixed window (a clock hour, a Vietnam day, or `per_seconds(n)`);
- `Cooldown`: at most one spend per `gap`, counted from the last one (a sliding window of one).

`spend()` writes all its hits in one transaction, each an atomic update (`ADD count 1` under the condition
that the count is still below the limit), so concurrent calls never pass a limit and a refusal writes
nothing. A refusal is `RateLimited` naming the rule with the longest wait (`details.limit`) and that wait
in seconds (`details.retry_after`). `MemoryLimiter` is the in-memory twin for pure tests.
"""

from __future__ import annotations

import ipaddress
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from pynamodb.exceptions import TransactWriteError
from pynamodb.transactions import TransactWrite

from functions.core import keys, models
from functions.core.config import Config
from functions.core.domain.otp import Window, day_window, hour_window, seconds_until
from functions.core.errors import DependencyUnavailable, RateLimited

C = models.OtpChallenge
# Counters outlive their window a little: DynamoDB's TTL deletes late anyway, and a clock that runs
# slightly behind must not find a fresh item.
SLACK = timedelta(hours=1)
# Real DynamoDB cancels a transaction that meets another one on the same item (TransactionConflict);
# that says nothing about the limit, so the spend is tried again a few times.
ATTEMPTS = 3
WindowOf = Callable[[datetime], Window]
HOURLY: WindowOf = hour_window
DAILY: WindowOf = day_window  # the calendar day in Vietnam time


def per_seconds(seconds: int) -> WindowOf:
    """Fixed windows of `seconds`, aligned on the Unix epoch."""

    def window(now: datetime) -> Window:
        start = int(now.timestamp()) // seconds * seconds
        return Window(f"{seconds}s{start}", datetime.fromtimestamp(start + seconds, UTC))

    return window


@dataclass(frozen=True)
class Rule:
    """At most `limit` spends per window; `scope` prefixes the key, `name` is what a refusal reports."""

    scope: str
    name: str
    limit: int
    window: WindowOf = HOURLY


@dataclass(frozen=True)
class Cooldown:
    """At most one spend per `gap`, measured from the previous spend."""

    scope: str
    name: str
    gap: timedelta


@dataclass(frozen=True)
class Hit:
    """One spend of `rule` by `subject` (an address, a number, a user id); the subject is never stored."""

    rule: Rule | Cooldown
    subject: str


class Limiter(Protocol):
    """What callers need: spend every hit, or none and raise `RateLimited`."""

    def spend(self, hits: Sequence[Hit], now: datetime) -> None:
        """Count one spend per hit, all or nothing."""
        ...


def client_address(ip: str) -> str:
    """The address a limit counts by: an IPv4 address, or an IPv6 /64 (one subscriber's whole prefix)."""
    try:
        parsed = ipaddress.ip_address(ip)
    except ValueError:
        return ip or "-"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.ip_network(f"{parsed}/64", strict=False))
    return str(parsed)


def refusal(waits: dict[str, datetime], now: datetime) -> RateLimited:
    """The error for refused rules (name -> when it frees up): the longest wait is the one that matters."""
    seconds = {name: seconds_until(until, now) for name, until in waits.items()}
    name = max(seconds, key=seconds.__getitem__)
    return RateLimited(details={"retry_after": seconds[name], "limit": name})


def _blocked(hits: Sequence[Hit], now: datetime) -> dict[str, datetime]:
    """Rules that refuse everything (a limit below 1), with the end of their window."""
    return {hit.rule.name: hit.rule.window(now).end for hit in hits
            if isinstance(hit.rule, Rule) and hit.rule.limit < 1}


class DynamoLimiter:
    """The limiter on the `otp` table."""

    def __init__(self, config: Config) -> None:
        self.config = config

    def key(self, hit: Hit, now: datetime) -> str:
        """The item key of one hit: scope, keyed hash of the subject, window."""
        base = f"{hit.rule.scope}#{keys.lookup_id(self.config, hit.subject)}"
        return base if isinstance(hit.rule, Cooldown) else f"{base}#{hit.rule.window(now).id}"

    def spend(self, hits: Sequence[Hit], now: datetime) -> None:
        """Count one spend per hit in one transaction, or raise `RateLimited` and write nothing."""
        if blocked := _blocked(hits, now):
            raise refusal(blocked, now)
        for attempt in range(1, ATTEMPTS + 1):
            try:
                with models.transaction() as tx:  # commits on leaving the block
                    for hit in hits:
                        self._add(tx, hit, now)
                return
            except TransactWriteError as exc:
                waits = self._waits(exc, hits, now)
                if waits:
                    raise refusal(waits, now) from exc
                if attempt == ATTEMPTS or not _conflict(exc):
                    raise DependencyUnavailable(details={"service": "dynamodb", "table": C.short_name}) from exc

    def _add(self, tx: TransactWrite, hit: Hit, now: datetime) -> None:
        item, rule = C(self.key(hit, now)), hit.rule
        if isinstance(rule, Cooldown):
            actions, condition = [C.expires_at.set(now + rule.gap)], C.expires_at <= now
        else:
            actions = [C.count.add(1), C.expires_at.set(rule.window(now).end + SLACK)]
            condition = C.count < rule.limit
        # ALL_OLD: a refused cooldown reports the stored end of its wait, with no second read.
        tx.update(item, actions=actions, condition=C.key.does_not_exist() | condition, return_values="ALL_OLD")

    def _waits(self, exc: TransactWriteError, hits: Sequence[Hit], now: datetime) -> dict[str, datetime]:
        """Refused rules and when each frees up; the reasons come in the order of the items (all updates)."""
        waits: dict[str, datetime] = {}
        for hit, reason in zip(hits, exc.cancellation_reasons or [], strict=False):
            if reason is None or reason.code != "ConditionalCheckFailed":
                continue
            rule = hit.rule
            if isinstance(rule, Rule):
                waits[rule.name] = rule.window(now).end
            else:
                stored = ((reason.raw_item or {}).get("expires_at") or {}).get("N")
                waits[rule.name] = datetime.fromtimestamp(int(stored), UTC) if stored else now + rule.gap
        return waits


def _conflict(exc: TransactWriteError) -> bool:
    reasons = [reason for reason in exc.cancellation_reasons or [] if reason is not None]
    return bool(reasons) and all(reason.code == "TransactionConflict" for reason in reasons)


class MemoryLimiter:
    """The in-memory twin: the same rules and refusals, under one lock (for pure and concurrency tests)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._counts: dict[str, int] = {}
        self._until: dict[str, datetime] = {}

    def spend(self, hits: Sequence[Hit], now: datetime) -> None:
        """Count one spend per hit, or raise `RateLimited` and change nothing."""
        if blocked := _blocked(hits, now):
            raise refusal(blocked, now)
        with self._lock:
            waits: dict[str, datetime] = {}
            for hit in hits:
                key, rule = self._key(hit, now), hit.rule
                if isinstance(rule, Cooldown) and self._until.get(key, now) > now:
                    waits[rule.name] = self._until[key]
                elif isinstance(rule, Rule) and self._counts.get(key, 0) >= rule.limit:
                    waits[rule.name] = rule.window(now).end
            if waits:
                raise refusal(waits, now)
            for hit in hits:
                key = self._key(hit, now)
                if isinstance(hit.rule, Cooldown):
                    self._until[key] = now + hit.rule.gap
                else:
                    self._counts[key] = self._counts.get(key, 0) + 1

    @staticmethod
    def _key(hit: Hit, now: datetime) -> str:
        rule = hit.rule
        return f"{rule.scope}#{hit.subject}" + ("" if isinstance(rule, Cooldown) else f"#{rule.window(now).id}")


def for_config(config: Config) -> DynamoLimiter:
    """The limiter a function uses."""
    return DynamoLimiter(config)
