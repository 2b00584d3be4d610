"""What both stores do the same way: the event a change appends, the attributes it sets, and the
statistics cells it moves (with their keys and plain attributes)."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from functions.core import models
from functions.core.applications import event_id
from functions.core.domain import divisions, stats
from functions.core.store.change import Change

# (model, key, attributes to set, counters to add)
Move = tuple[type[models.StatCell] | type[models.OfficerCell], tuple[str, str], dict[str, Any], dict[str, int]]


def prepare_new(app: models.Application, now: datetime) -> None:
    """What the store sets on a new application: the month it is counted in, and its first status time."""
    app.status_at = now
    app.created_month = stats.month_of(app.created_at)


def first_event(app: models.Application, change: Change, now: datetime) -> models.Event:
    """The new application's first timeline event, which also starts its timeline on the item."""
    event = _event(app, change, 1, now)
    app.timeline = [entry(event)]
    return event


def entry(event: models.Event) -> str:
    """An event as the application item keeps it for the screens: kind, time, actor and data."""
    return json.dumps({"kind": event.kind, "at": event.created_at.isoformat(), "actor": event.actor or {},
                       "data": event.data or {}}, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def appends(app: models.Application, event: models.Event | None) -> str | None:
    """The entry a change appends to the item's timeline: none without an event, or on an application
    stored before items kept one (its screens query the events)."""
    return entry(event) if event is not None and app.timeline is not None else None


def next_event(app: models.Application, change: Change, now: datetime) -> models.Event | None:
    """The event a change appends, None for a bookkeeping change."""
    return _event(app, change, int(app.version or 0) + 1, now) if change.kind else None


def _event(app: models.Application, change: Change, version: int, now: datetime) -> models.Event:
    return models.Event(app.application_id, event_id(version, now, change.kind), user_id=app.owner_id,
                        kind=change.kind, actor=change.actor, data=change.data, created_at=now)


def sets_of(app: models.Application, change: Change, now: datetime) -> dict[str, Any]:
    """The attributes a change sets: a new status also restarts the clock of the next officer step."""
    return {**change.sets, "status_at": now} if "status" in change.sets else dict(change.sets)


def set_attributes(app: models.Application, sets: dict[str, Any], removes: tuple[str, ...],
                   appended: str | None = None) -> None:
    """Bring the caller's instance up to date after a change was written."""
    for name, value in sets.items():
        setattr(app, name, value)
    for name in removes:
        setattr(app, name, None)
    if appended is not None:
        app.timeline = [*(app.timeline or []), appended]


def moves(app: models.Application, change: Change, now: datetime) -> list[Move]:
    """The statistics cells a change moves: the application's cell this month, and the officer's."""
    found: list[Move] = []
    if change.counts:
        month = change.count_month or stats.month_of(now)
        commune = divisions.commune(app.commune_code)
        province = commune.province_code if commune else app.commune_code[:2]
        key = (stats.scope_key(province), stats.cell_key(month, app.commune_code, app.procedure_id))
        attrs = {"province_code": province, "commune_code": app.commune_code, "procedure_id": app.procedure_id,
                 "month": month}
        found.append((models.StatCell, key, attrs, dict(change.counts)))
    if change.officer is not None:
        month = stats.month_of(now)
        key = (stats.officer_scope(app.commune_code), stats.officer_cell(month, change.officer.user_id))
        attrs = {"commune_code": app.commune_code, "month": month, "user_id": change.officer.user_id}
        if change.officer.name:
            attrs["officer_name"] = change.officer.name
        bucket = stats.step_bucket(app.status_at or app.created_at, now)
        found.append((models.OfficerCell, key, attrs, {"steps": 1, bucket: 1}))
    return found
