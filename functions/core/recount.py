"""Rebuild the statistics counters from the timeline events: `python -m functions.core.recount`.

The counters are moved by the application store in the transaction of each change; this command is the
check and the repair. It finds every application a month at a time (the `by_month` index, no Scan), replays
its events through the same rules the store applies (core/domain/stats.py), and writes every cell afresh:
the cells it computed, and zeros over any other cell found in the same provinces and months.

Run it when the counters are in doubt (after a restore, or a change to a counting rule), at a quiet time:
a change committed while it runs may be counted twice or not at all until the next recount.

    python -m functions.core.recount [--from 2026-01] [--to 2026-12]
"""

from __future__ import annotations

import argparse
from collections import Counter, defaultdict
from datetime import date, datetime
from typing import Any

from functions.core import models
from functions.core.domain import deadlines, divisions, rating, stats
from functions.core.domain.lifecycle import TABLE

PAYMENT_PAID = "payment_paid"
Key = tuple[str, str]  # (scope, cell)


def months(first: str, last: str) -> list[str]:
    """Every `YYYY-MM` from first to last, inclusive."""
    year, month = map(int, first.split("-"))
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def replay(app: models.Application, events: list[models.Event]) -> tuple[dict[Key, Counter], dict[Key, dict]]:
    """The counters one application's events add, per cell, and each cell's plain attributes."""
    counts: dict[Key, Counter] = defaultdict(Counter)
    facts: dict[Key, dict[str, Any]] = {}
    commune = divisions.commune(app.commune_code)
    province = commune.province_code if commune else app.commune_code[:2]
    previous_step: datetime = app.created_at
    due_at, apologised, first_rating = _first_due(app, events), False, None
    for event in sorted(events, key=lambda e: e.event_id):
        month, at, data = stats.month_of(event.created_at), event.created_at, event.data or {}

        def cell(in_month: str) -> Key:
            key = (stats.scope_key(province), stats.cell_key(in_month, app.commune_code, app.procedure_id))
            facts[key] = {"province_code": province, "commune_code": app.commune_code,
                          "procedure_id": app.procedure_id, "month": in_month}
            return key

        if event.kind == "submitted":
            counts[cell(month)].update(stats.received(app.channel or "online", int(app.fee_vnd)))
        elif event.kind == PAYMENT_PAID:
            counts[cell(month)].update(stats.paid("online"))
        elif event.kind == "rated":  # counted in the month it was first given, as the store does
            first_rating = first_rating or month
            counts[cell(first_rating)].update(rating.counts(data, {"level": data["previous_level"]}
                                                            if "previous_level" in data else None))
        elif event.kind == "apology":
            apologised, due_at = True, deadlines.due_moment(date.fromisoformat(data["new_due_date"]))
        if event.kind in TABLE:
            counts[cell(month)].update(stats.transitioned(event.kind, app.created_at, at, due_at,
                                                          apologised=apologised))
        if event.kind in TABLE or event.kind == "apology":
            _officer_step(counts, facts, app, event, month, stats.step_bucket(previous_step, at))
        if event.kind in TABLE:
            previous_step = at
    return counts, facts


def _first_due(app: models.Application, events: list[models.Event]) -> datetime:
    """The due moment the application had before any apology moved it."""
    for event in sorted(events, key=lambda e: e.event_id):
        if event.kind == "apology" and (event.data or {}).get("previous_due_date"):
            return deadlines.due_moment(date.fromisoformat(event.data["previous_due_date"]))
    return app.due_at


def _officer_step(counts: dict[Key, Counter], facts: dict[Key, dict[str, Any]], app: models.Application,
                  event: models.Event, month: str, bucket: str) -> None:
    """An officer's step (or apology) in their workload cell."""
    actor = event.actor or {}
    if actor.get("role") != "officer" or not actor.get("user_id"):
        return
    key = (stats.officer_scope(app.commune_code), stats.officer_cell(month, actor["user_id"]))
    counts[key].update({"steps": 1, bucket: 1})
    facts.setdefault(key, {"commune_code": app.commune_code, "month": month, "user_id": actor["user_id"]})
    if actor.get("name"):
        facts[key]["officer_name"] = actor["name"]


def recount(first: str, last: str) -> dict[str, int]:
    """Rebuild every cell of the months first..last; returns how many applications, events and cells."""
    counts: dict[Key, Counter] = defaultdict(Counter)
    facts: dict[Key, dict[str, Any]] = {}
    applications = events = 0
    for month in months(first, last):
        for key in models.Application.by_month.query(month):
            app = models.Application.get(key.application_id, consistent_read=True)
            found = list(models.Event.query(app.application_id, consistent_read=True))
            added, cell_facts = replay(app, found)
            for cell, counter in added.items():
                counts[cell].update(counter)
            facts.update(cell_facts)
            applications, events = applications + 1, events + len(found)
    stale = _existing(facts, first, last) - set(counts)
    for key in stale:
        _zero(key)
    for key, counter in counts.items():
        _write(key, facts[key], counter)
    return {"applications": applications, "events": events, "cells": len(counts), "zeroed": len(stale)}


def _model(scope: str) -> type[models.StatCell] | type[models.OfficerCell]:
    return models.OfficerCell if scope.startswith("officer#") else models.StatCell


def _existing(facts: dict[Key, dict[str, Any]], first: str, last: str) -> set[Key]:
    """Cells already stored in the recounted months, in the provinces and communes the events touch."""
    scopes = {scope for scope, _ in facts}
    found: set[Key] = set()
    for scope in scopes:
        cond = _model(scope).cell.between(f"{first}#", f"{last}#\uffff")
        found |= {(item.scope, item.cell) for item in _model(scope).query(scope, cond, consistent_read=True)}
    return found


def _zero(key: Key) -> None:
    model = _model(key[0])
    names = ("steps", *(f"step_days_{n}" for n, _, _ in stats.STEP_DAY_BUCKETS)) if model is models.OfficerCell \
        else stats.COUNTERS
    model(*key).update(actions=[getattr(model, name).set(0) for name in names])


def _write(key: Key, attrs: dict[str, Any], counter: Counter) -> None:
    """The whole cell, replaced: counters it has no count for are 0."""
    _model(key[0])(*key, **attrs, **counter).save()


def main(argv: list[str] | None = None) -> None:
    """The command line."""
    from functions.core import config as config_mod

    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    this_month = stats.month_of(datetime.now().astimezone())
    parser.add_argument("--from", dest="first", default="2025-07", help="first month, YYYY-MM")
    parser.add_argument("--to", dest="last", default=this_month, help="last month, YYYY-MM")
    args = parser.parse_args(argv)
    models.bind(config_mod.load())
    print(recount(args.first, args.last))  # noqa: T201


if __name__ == "__main__":
    main()
