"""What a change to an application is, in terms both stores understand (DynamoDB and in memory).

A change names its timeline event, the attributes it sets and removes, what it expects to find, the
statistics it moves, and the other items it claims or settles with it (`with_items`). Those items are
plain descriptions, not database calls, so the in-memory store applies them by the same rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core import models


class Refused(Exception):
    """A condition of the change did not hold: a lost race, a stale version, a taken page."""


@dataclass(frozen=True)
class Officer:
    """The staff member taking a step, for their workload cell."""

    user_id: str
    name: str | None = None


@dataclass(frozen=True)
class ClaimPages:
    """Tie each verified, unclaimed page of `owner_id` to the application."""

    document_ids: tuple[str, ...]
    owner_id: str
    application_id: str


@dataclass(frozen=True)
class ClaimResult:
    """The checked result PDF (a pending, unclaimed document) becomes the application's result."""

    document: models.Document
    application_id: str
    at: datetime


@dataclass(frozen=True)
class SaveRecord:
    """A new idempotency record (refused when the key is taken)."""

    record: models.IdempotencyRecord


@dataclass(frozen=True)
class NewOrder:
    """A new payment order (refused when the reference is taken)."""

    payment: models.Payment


@dataclass(frozen=True)
class SettleOrder:
    """Set attributes of a payment order that is still pending (refused otherwise)."""

    payment: models.Payment
    sets: dict[str, Any]


Item = ClaimPages | ClaimResult | SaveRecord | NewOrder | SettleOrder


@dataclass(frozen=True)
class OneOf:
    """An expectation met by any of these values (None: the attribute is absent)."""

    values: tuple[Any, ...]

    def holds(self, value: Any) -> bool:  # noqa: ANN401
        """Whether a stored value meets it."""
        return value in self.values


def expected(wanted: Any) -> OneOf:  # noqa: ANN401
    """An expectation as OneOf: a plain value is the one value wanted."""
    return wanted if isinstance(wanted, OneOf) else OneOf((wanted,))


@dataclass
class Change:
    """One change to an application, and everything that must happen with it or not at all.

    `kind` names the timeline event (None: a bookkeeping change with no event, such as holding a payment
    order). `expect` maps attributes to the value the change was decided on (None: absent), or to OneOf. `locked`
    also expects the version that was read. `counts` are the statistics counters it adds to the
    application's cell in the month it happens; `officer` moves that officer's workload cell.
    """

    kind: str | None
    actor: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    sets: dict[str, Any] = field(default_factory=dict)
    removes: tuple[str, ...] = ()
    expect: dict[str, Any] = field(default_factory=dict)
    locked: bool = True
    counts: dict[str, int] = field(default_factory=dict)
    count_month: str | None = None  # the cell's month when not the change's own (a changed rating)
    officer: Officer | None = None
    with_items: list[Item] = field(default_factory=list)
