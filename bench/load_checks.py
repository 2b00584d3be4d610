"""After a bench/load.py run: the invariants, read from the emulator's DynamoDB, and the stack's memory.

1. One application per Idempotency-Key (and each key the bench sent is that application's).
2. One paid payment per order (one `payment_paid` event each), at most one paid order per application.
3. Every application change has its timeline event: `submitted` for each application, one
   `payment_paid` for each paid one, the status the last status event reached.
4. Every event delivered: `delivery` is no longer `pending` once the local notifier had time to sweep.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from typing import Any

import boto3

PAYMENT_KINDS = frozenset({"payment_paid", "payment_failed"})


class Tables:
    """Plain reads of the stack's tables (a bench may scan; the services may not)."""

    def __init__(self, endpoint: str, prefix: str, region: str = "ap-southeast-1") -> None:
        self.prefix = prefix
        self.ddb = boto3.client("dynamodb", endpoint_url=endpoint, region_name=region, aws_access_key_id="local",
                                aws_secret_access_key="local", aws_session_token="local")  # noqa: S106 (the emulator)

    def scan(self, short: str) -> list[dict[str, Any]]:
        """Every item of one table, as plain values (strings and numbers)."""
        items: list[dict[str, Any]] = []
        for page in self.ddb.get_paginator("scan").paginate(TableName=f"{self.prefix}{short}", ConsistentRead=True):
            items.extend({k: _plain(v) for k, v in item.items()} for item in page["Items"])
        return items


def _plain(value: dict[str, Any]) -> Any:  # noqa: ANN401 (DynamoDB's typed values)
    (kind, raw), = value.items()
    if kind == "N":
        return int(raw) if raw.lstrip("-").isdigit() else float(raw)
    return raw


def settled(tables: Tables, settle_s: float) -> tuple[dict[str, list[dict[str, Any]]], float]:
    """The tables once the stack is quiet (no event pending and nothing changed between two reads 2 s
    apart: IPNs of clicks cut short by the end of the run still arrive), or after `settle_s`."""
    started, previous = time.monotonic(), None
    while True:
        snapshot = {short: tables.scan(short) for short in ("applications", "payments", "events")}
        pending = sum(1 for e in snapshot["events"] if e.get("delivery", "pending") == "pending")
        state = (len(snapshot["applications"]), len(snapshot["events"]), pending,
                 sorted((p["txn_ref"], p.get("state")) for p in snapshot["payments"]))
        waited = time.monotonic() - started
        if (pending == 0 and state == previous) or waited >= settle_s:
            return snapshot, waited
        previous = state
        time.sleep(2.0)


def check(tables: Tables, submissions: list[tuple[str, str, str]], settle_s: float) -> list[str]:
    """Print the invariants' figures; return the violations (empty when all hold)."""
    snapshot, waited = settled(tables, settle_s)
    apps = {a["application_id"]: a for a in snapshot["applications"]}
    payments, events = snapshot["payments"], snapshot["events"]
    by_app: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for event in events:
        by_app[event["application_id"]].append(event)
    problems = _keys(apps, submissions) + _payments(apps, payments, by_app) + _timelines(apps, by_app)
    pending = [e for e in events if e.get("delivery", "pending") == "pending"]
    problems += [f"event {e['application_id']} {e['event_id']} still pending after {waited:.0f} s"
                 for e in pending]
    paid = sum(1 for p in payments if p.get("state") == "paid")
    deliveries = Counter(e.get("delivery", "pending") for e in events)
    print(f"  every event delivered: {len(events)} events, delivery {dict(sorted(deliveries.items()))}, "
          + (f"none pending {waited:.1f} s after the run" if not pending
             else f"{len(pending)} pending {waited:.1f} s after the run"))
    print(f"  tables: {len(apps)} applications, {len(payments)} payment orders ({paid} paid)")
    return problems


def _keys(apps: dict[str, dict[str, Any]], submissions: list[tuple[str, str, str]]) -> list[str]:
    per_key = Counter(a.get("idempotency_key") for a in apps.values() if a.get("idempotency_key"))
    problems = [f"Idempotency-Key {k} has {n} applications" for k, n in per_key.items() if n > 1]
    for key, first, replayed in submissions:
        if first != replayed:
            problems.append(f"Idempotency-Key {key}: first answer {first}, retry {replayed}")
        elif apps.get(first, {}).get("idempotency_key") != key:
            problems.append(f"Idempotency-Key {key}: application {first} is not stored under it")
    print(f"  one application per Idempotency-Key: {len(per_key)} keys, {len(submissions)} retried by the bench, "
          f"{sum(1 for n in per_key.values() if n > 1)} keys with more than one application")
    return problems


def _payments(apps: dict[str, dict[str, Any]], payments: list[dict[str, Any]],
              by_app: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    paid_per_app = Counter(p["application_id"] for p in payments if p.get("state") == "paid")
    problems += [f"application {a} has {n} paid orders" for a, n in paid_per_app.items() if n > 1]
    paid_events = Counter(_data(e).get("txn_ref") for evs in by_app.values() for e in evs
                          if e.get("kind") == "payment_paid")
    for p in payments:
        want = 1 if p.get("state") == "paid" else 0
        if paid_events.get(p["txn_ref"], 0) != want:
            problems.append(f"order {p['txn_ref']} ({p.get('state')}) has {paid_events.get(p['txn_ref'], 0)} "
                            "payment_paid events")
    for code, app in apps.items():
        if (app.get("payment_state") == "paid") != (paid_per_app.get(code, 0) == 1):
            problems.append(f"application {code} is {app.get('payment_state')} with {paid_per_app.get(code, 0)} "
                            "paid orders")
    print(f"  one paid payment per order, at most one per application: {len(paid_per_app)} paid applications, "
          f"{sum(paid_events.values())} payment_paid events, max {max(paid_per_app.values(), default=0)} "
          "paid orders on one application")
    return problems


def _timelines(apps: dict[str, dict[str, Any]], by_app: dict[str, list[dict[str, Any]]]) -> list[str]:
    problems: list[str] = []
    for code, app in apps.items():
        timeline = sorted(by_app.get(code, []), key=lambda e: e["event_id"])
        kinds = [e.get("kind") for e in timeline]
        if kinds.count("submitted") != 1:
            problems.append(f"application {code}: {kinds.count('submitted')} submitted events")
        moves = [_data(e).get("to") for e in timeline if e.get("kind") not in PAYMENT_KINDS | {"submitted"}]
        if (moves[-1] if moves else "submitted") != app.get("status"):
            problems.append(f"application {code} is {app.get('status')}, its timeline says {moves[-1:]}")
        versions = Counter(e["event_id"].split("#", 1)[0] for e in timeline)
        problems += [f"application {code}: {n} events for version {v}" for v, n in versions.items() if n > 1]
    print(f"  every change has its timeline event: {len(apps)} applications checked")
    return problems


def _data(event: dict[str, Any]) -> dict[str, Any]:
    import json

    raw = event.get("data")
    return json.loads(raw) if isinstance(raw, str) else {}


def process_usage(root_pid: int) -> list[tuple[int, str, float, float]]:
    """(pid, command, RSS MiB, CPU seconds) of every process under `root_pid` (the stack this bench started)."""
    import psutil

    rows = []
    for proc in psutil.Process(root_pid).children(recursive=True):
        try:
            cpu = proc.cpu_times()
            rows.append((proc.pid, " ".join(proc.cmdline()[1:4]), proc.memory_info().rss / 2**20,
                         cpu.user + cpu.system))
        except psutil.Error:
            continue
    return rows
