"""The application store in memory: the same interface and rules as DynamoStore, with no AWS at all.

It is the twin chalice keeps for its DynamoDB store (`InMemoryTodoDB`): the store's contract suite
(tests/functional/test_store_contract.py) runs against both, so races are written as two changes from the
same read, with no monkeypatching. Every change checks all its conditions before it writes anything, under
one lock, as one transaction does.
"""

from __future__ import annotations

import copy
import threading
from collections import Counter
from datetime import datetime
from typing import Any

from functions.core import models
from functions.core.store import rules
from functions.core.store.change import Change, Item, Refused, expected
from functions.core.store.change import ClaimPages as Pages
from functions.core.store.change import ClaimResult as Result
from functions.core.store.change import NewOrder as Order
from functions.core.store.change import SaveRecord as Record
from functions.core.store.change import SettleOrder as Settle


class MemoryStore:
    """Applications, their events, the statistics cells, and the items changes claim, in dictionaries."""

    def __init__(self) -> None:
        self.applications: dict[str, dict[str, Any]] = {}
        self.events: dict[str, list[models.Event]] = {}
        self.cells: dict[tuple[str, str], dict[str, Any]] = {}
        self.documents: dict[str, dict[str, Any]] = {}
        self.payments: dict[str, dict[str, Any]] = {}
        self.records: dict[str, models.IdempotencyRecord] = {}
        self._lock = threading.Lock()

    def get(self, code: str) -> models.Application | None:
        """A fresh copy of the application as stored now, or None."""
        with self._lock:
            stored = self.applications.get(code)
            return models.Application(**copy.deepcopy(stored)) if stored else None

    def create(self, app: models.Application, change: Change, now: datetime) -> None:
        """Store a new application with its first event and counters; Refused when any condition fails."""
        rules.prepare_new(app, now)
        with self._lock:
            if app.application_id in self.applications:
                raise Refused()
            self._check_items(change.with_items)
            app.version = 1
            event = rules.first_event(app, change, now)
            self.applications[app.application_id] = copy.deepcopy(app.attribute_values)
            self._append(event)
            self._finish(app, change, now)

    def apply(self, app: models.Application, change: Change, now: datetime) -> None:
        """Apply a change to a stored application; Refused when a condition fails (nothing is written)."""
        sets, event = rules.sets_of(app, change, now), rules.next_event(app, change, now)
        appended = rules.appends(app, event)
        with self._lock:
            stored = self.applications.get(app.application_id)
            if stored is None or (change.locked and stored.get("version") != app.version):
                raise Refused()
            if not all(expected(wanted).holds(stored.get(name)) for name, wanted in change.expect.items()):
                raise Refused()
            self._check_items(change.with_items)
            if event is not None:
                self._append(event)
            self._finish(app, change, now)
            stored.update(copy.deepcopy(sets))
            for name in change.removes:
                stored.pop(name, None)
            if appended is not None:
                stored["timeline"] = [*stored.get("timeline", []), appended]
            stored["version"] = int(stored.get("version") or 0) + 1
        rules.set_attributes(app, sets, change.removes, appended)
        app.version = stored["version"]

    def kinds(self, code: str) -> list[str]:
        """The kinds of an application's events, in order."""
        return [event.kind for event in self.events.get(code, [])]

    def _append(self, event: models.Event) -> None:
        found = self.events.setdefault(event.application_id, [])
        if any(e.event_id == event.event_id for e in found):
            raise Refused()
        found.append(event)

    def _finish(self, app: models.Application, change: Change, now: datetime) -> None:
        for item in change.with_items:
            self._write(item)
        for _, key, attrs, counts in rules.moves(app, change, now):
            cell = self.cells.setdefault(key, {"counts": Counter()})
            cell.update(attrs)
            cell["counts"].update(counts)

    def _check_items(self, items: list[Item]) -> None:
        if not all(self._holds(item) for item in items):
            raise Refused()

    def _holds(self, item: Item) -> bool:
        if isinstance(item, Pages):
            docs = [self.documents.get(i) for i in item.document_ids]
            return all(d is not None and d.get("owner_id") == item.owner_id and d.get("state") == "verified"
                       and not d.get("application_id") for d in docs)
        if isinstance(item, Result):
            return not self.documents.get(item.document.document_id, {}).get("application_id")
        if isinstance(item, Record):
            return item.record.key not in self.records
        if isinstance(item, Order):
            return item.payment.txn_ref not in self.payments
        if isinstance(item, Settle):
            return self.payments.get(item.payment.txn_ref, {}).get("state") == "pending"
        raise TypeError(f"unknown item {item!r}")  # pragma: no cover - the Item union is closed

    def _write(self, item: Item) -> None:
        if isinstance(item, Pages):
            for document_id in item.document_ids:
                self.documents[document_id]["application_id"] = item.application_id
        elif isinstance(item, Result):
            doc = self.documents.setdefault(item.document.document_id, {})
            doc.update(state="verified", application_id=item.application_id, size=item.document.size,
                       verified_at=item.at)
        elif isinstance(item, Record):
            self.records[item.record.key] = item.record
        elif isinstance(item, Order):
            self.payments[item.payment.txn_ref] = copy.deepcopy(item.payment.attribute_values)
        elif isinstance(item, Settle):
            self.payments[item.payment.txn_ref].update(copy.deepcopy(item.sets))
