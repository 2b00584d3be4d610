"""The application store on DynamoDB: each change is one TransactWriteItems."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition
from pynamodb.transactions import TransactWrite

from functions.core import models
from functions.core.store import rules
from functions.core.store.change import (
    Change,
    ClaimPages,
    ClaimResult,
    Item,
    NewOrder,
    Refused,
    SaveRecord,
    SettleOrder,
    expected,
)

A = models.Application


class DynamoStore:
    """Applications, their events and the statistics in DynamoDB (through PynamoDB)."""

    def get(self, code: str) -> models.Application | None:
        """The application as stored now (a consistent read), or None."""
        try:
            return A.get(code, consistent_read=True)
        except A.DoesNotExist:
            return None

    def create(self, app: models.Application, change: Change, now: datetime) -> None:
        """Store a new application with its first event and counters; Refused when any condition fails."""
        rules.prepare_new(app, now)
        self._commit(change, now, app, lambda tx: tx.save(app, condition=A.application_id.does_not_exist()),
                     rules.first_event(app, change, now))

    def apply(self, app: models.Application, change: Change, now: datetime) -> None:
        """Apply a change to a stored application; Refused when a condition fails (nothing is written).

        On success `app` holds the new values, and the new version.
        """
        sets, event = rules.sets_of(app, change, now), rules.next_event(app, change, now)
        actions = [getattr(A, name).set(value) for name, value in sets.items()]
        actions += [getattr(A, name).remove() for name in change.removes]
        appended = rules.appends(app, event)
        if appended is not None:  # list_append: an unlocked change never drops a concurrent one's entry
            actions.append(A.timeline.set(A.timeline.append([appended])))
        self._commit(change, now, app, lambda tx: tx.update(app, actions=actions, condition=expected_condition(change),
                                                            add_version_condition=change.locked), event)
        rules.set_attributes(app, sets, change.removes, appended)

    def _commit(self, change: Change, now: datetime, app: models.Application, write: object,
                event: models.Event | None) -> None:
        try:
            with models.transaction() as tx:
                write(tx)  # type: ignore[operator]
                if event is not None:
                    tx.save(event, condition=models.Event.event_id.does_not_exist())
                for item in change.with_items:
                    _write(tx, item)
                for model, key, attrs, counts in rules.moves(app, change, now):
                    m = model
                    tx.update(m(*key), actions=[getattr(m, k).set(v) for k, v in attrs.items()]
                              + [getattr(m, k).add(n) for k, n in sorted(counts.items())])
        except TransactWriteError as exc:
            if not models.conditions_failed(exc):
                raise  # the service failed, not a condition: 503 through the one error mapping
            raise Refused() from exc


def expected_condition(change: Change, model: type = A) -> Condition | None:
    """The change's expectations on the stored item of `model`, as one condition (None: none)."""
    condition = None
    for name, wanted in change.expect.items():
        attr = getattr(model, name)
        this = None
        for value in expected(wanted).values:
            one = attr.does_not_exist() if value is None else attr == value
            this = one if this is None else this | one
        condition = this if condition is None else condition & this
    return condition


def _write(tx: TransactWrite, item: Item) -> None:
    d, p = models.Document, models.Payment
    if isinstance(item, ClaimPages):
        for document_id in item.document_ids:
            tx.update(d(document_id), actions=[d.application_id.set(item.application_id)],
                      condition=(d.owner_id == item.owner_id) & (d.state == "verified")
                      & d.application_id.does_not_exist())
    elif isinstance(item, ClaimResult):
        doc = item.document
        tx.update(doc, actions=[d.state.set("verified"), d.application_id.set(item.application_id),
                                d.size.set(doc.size), d.verified_at.set(item.at)],
                  condition=d.application_id.does_not_exist())
    elif isinstance(item, SaveRecord):
        tx.save(item.record, condition=models.IdempotencyRecord.key.does_not_exist())
    elif isinstance(item, NewOrder):
        tx.save(item.payment, condition=p.txn_ref.does_not_exist())
    elif isinstance(item, SettleOrder):
        tx.update(item.payment, actions=[getattr(p, k).set(v) for k, v in item.sets.items()],
                  condition=p.state == "pending", add_version_condition=False)
    else:  # pragma: no cover - the Item union is closed
        raise TypeError(f"unknown item {item!r}")
