"""The complaint store: complaints follow the application store's rule, by the same code.

A complaint is not an application, but every change to it is one all-or-nothing write with its timeline
event (the outbox record the status function delivers, in the events table under the complaint's code),
the photos it claims (`ClaimPages`) and the statistics counters it moves (`complaints_*`, in the cell of its
commune x procedure x month). The two stores here are the application stores with the complaint as the
subject: they reuse their transaction (`_commit`), their in-memory checks and `rules.moves`, which reads
only `commune_code`, `procedure_id`, `status_at` and `created_at`, all of which a complaint has.
"""

from __future__ import annotations

import copy
from datetime import datetime
from typing import Any

from functions.core import models
from functions.core.applications import event_id
from functions.core.store import rules
from functions.core.store.change import Change, Refused, expected
from functions.core.store.dynamo import DynamoStore, expected_condition
from functions.core.store.memory import MemoryStore

K = models.Complaint


def _event(complaint: models.Complaint, change: Change, version: int, now: datetime) -> models.Event:
    """The timeline event of a change, keyed by the complaint's code (the outbox delivers it to its owner)."""
    return models.Event(complaint.complaint_id, event_id(version, now, change.kind or ""), user_id=complaint.owner_id,
                        kind=change.kind, actor=change.actor, data=change.data, created_at=now)


def _prepared(complaint: models.Complaint, change: Change, now: datetime) -> tuple[dict[str, Any], models.Event]:
    """What a change sets (a new state or level restarts the officer-step clock) and the event it appends."""
    sets = {**change.sets, "status_at": now} if {"state", "level"} & set(change.sets) else dict(change.sets)
    return sets, _event(complaint, change, int(complaint.version or 0) + 1, now)


class DynamoComplaints(DynamoStore):
    """Complaints in DynamoDB: each change one TransactWriteItems, through the application store's commit."""

    def get(self, code: str) -> models.Complaint | None:  # type: ignore[override]
        """The complaint as stored now (a consistent read), or None."""
        try:
            return K.get(code, consistent_read=True)
        except K.DoesNotExist:
            return None

    def create(self, complaint: models.Complaint, change: Change, now: datetime) -> None:  # type: ignore[override]
        """Store a new complaint with its first event, claims and counters; Refused when a condition fails."""
        complaint.status_at = now
        self._commit(change, now, complaint,  # type: ignore[arg-type]
                     lambda tx: tx.save(complaint, condition=K.complaint_id.does_not_exist()),
                     _event(complaint, change, 1, now))

    def apply(self, complaint: models.Complaint, change: Change, now: datetime) -> None:  # type: ignore[override]
        """Apply a change under optimistic locking; Refused when a condition fails (nothing is written)."""
        sets, event = _prepared(complaint, change, now)
        actions = [getattr(K, name).set(value) for name, value in sets.items()]
        actions += [getattr(K, name).remove() for name in change.removes]
        self._commit(change, now, complaint,  # type: ignore[arg-type]
                     lambda tx: tx.update(complaint, actions=actions, condition=expected_condition(change, K),
                                          add_version_condition=change.locked), event)
        rules.set_attributes(complaint, sets, change.removes)  # type: ignore[arg-type]


class MemoryComplaints(MemoryStore):
    """Complaints in memory, with the same conditions and the in-memory application store's items."""

    def __init__(self) -> None:
        super().__init__()
        self.complaints: dict[str, dict[str, Any]] = {}

    def get(self, code: str) -> models.Complaint | None:  # type: ignore[override]
        """A fresh copy of the complaint as stored now, or None."""
        with self._lock:
            stored = self.complaints.get(code)
            return K(**copy.deepcopy(stored)) if stored else None

    def create(self, complaint: models.Complaint, change: Change, now: datetime) -> None:  # type: ignore[override]
        """Store a new complaint with its first event, claims and counters; Refused when a condition fails."""
        complaint.status_at = now
        with self._lock:
            if complaint.complaint_id in self.complaints:
                raise Refused()
            self._check_items(change.with_items)
            complaint.version = 1
            self.complaints[complaint.complaint_id] = copy.deepcopy(complaint.attribute_values)
            self._append(_event(complaint, change, 1, now))
            self._finish(complaint, change, now)  # type: ignore[arg-type]

    def apply(self, complaint: models.Complaint, change: Change, now: datetime) -> None:  # type: ignore[override]
        """Apply a change under optimistic locking; Refused when a condition fails (nothing is written)."""
        sets, event = _prepared(complaint, change, now)
        with self._lock:
            stored = self._holding(complaint, change)
            self._append(event)
            self._finish(complaint, change, now)  # type: ignore[arg-type]
            kept = {name: value for name, value in stored.items() if name not in change.removes}
            kept.update(copy.deepcopy(sets), version=int(stored.get("version") or 0) + 1)
            self.complaints[complaint.complaint_id] = kept
        rules.set_attributes(complaint, sets, change.removes)  # type: ignore[arg-type]
        complaint.version = kept["version"]

    def _holding(self, complaint: models.Complaint, change: Change) -> dict[str, Any]:
        """The stored complaint when every condition of the change holds; Refused otherwise."""
        stored = self.complaints.get(complaint.complaint_id)
        fresh = stored is not None and (not change.locked or stored.get("version") == complaint.version)
        if not fresh or not all(expected(want).holds(stored.get(key)) for key, want in change.expect.items()):
            raise Refused()
        self._check_items(change.with_items)
        return stored


COMPLAINTS: DynamoComplaints | MemoryComplaints = DynamoComplaints()
