"""The application store: the one home of every write to an application.

Each write is one all-or-nothing change holding
- the change to the application (under optimistic locking on `version`, unless the change says otherwise);
- its timeline event, which is also the outbox record the status function delivers;
- whatever the change claims or settles with it (pages, a result file, a payment order, an idempotency
  record), given as `with_items`;
- the statistics counters it moves, by ADD, in the cell of the application's commune x procedure x month
  (Vietnam time), and for an officer's step the workload cell of that officer.

So a change without its event, or counted without happening, cannot exist. Submission (submit), officer and
citizen steps (status/desk.py), payment orders and settlement (pay) all write here, through `STORE`.

`DynamoStore` (dynamo.py) is the one the functions use: one TransactWriteItems per change. `MemoryStore`
(memory.py) is its twin in memory; one contract suite runs against both.
"""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from functions.core import models
from functions.core.store.change import (
    Change,
    ClaimPages,
    ClaimResult,
    Item,
    NewOrder,
    Officer,
    OneOf,
    Refused,
    SaveRecord,
    SettleOrder,
)
from functions.core.store.dynamo import DynamoStore
from functions.core.store.memory import MemoryStore

__all__ = ["STORE", "ApplicationStore", "Change", "ClaimPages", "ClaimResult", "DynamoStore", "Item",
           "MemoryStore", "NewOrder", "OneOf", "Officer", "Refused", "SaveRecord", "SettleOrder", "apply", "create"]


class ApplicationStore(Protocol):
    """What both stores offer."""

    def get(self, code: str) -> models.Application | None:
        """The application as stored now, or None."""

    def create(self, app: models.Application, change: Change, now: datetime) -> None:
        """Store a new application with its first event; Refused when a condition fails."""

    def apply(self, app: models.Application, change: Change, now: datetime) -> None:
        """Apply a change to a stored application; Refused when a condition fails."""


STORE: ApplicationStore = DynamoStore()


def create(app: models.Application, change: Change, now: datetime) -> None:
    """`STORE.create`: a new application, with its first event, counters and claims."""
    STORE.create(app, change, now)


def apply(app: models.Application, change: Change, now: datetime) -> None:
    """`STORE.apply`: one change, with its event, counters and claims; Refused when a condition fails."""
    STORE.apply(app, change, now)
