"""The emulator's CPU per DynamoDB call, at the table sizes a load run leaves. Prints figures; asserts nothing.

Starts the local stack's emulator (functions/local/aws.py: waitress, moto, DynamoDB serialised) as a
child process, once with moto's stock behaviour plus the patches the issue-18 work began with
("before": lookups and JSON item answers) and once with every patch of functions/local/speedups.py
("after"). Each deploys infra/template.yaml, seeds APPS applications and EVENTS events (10 per
application, a few still in the outbox), then replays a fixed mix of calls through boto3 and reads the
child's CPU time (utime + stime from /proc/<pid>/stat) around each kind of call.

Run: .venv/bin/python bench/emulator_cpu.py [--apps 2000] [--calls 200] [--only before|after]
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REGION = "ap-southeast-1"
os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION": REGION})
os.environ.pop("AWS_ENDPOINT_URL", None)

BEFORE = ("lookups", "items_json")  # the speedups the local stack had when this bench was written
EVENTS_PER_APP = 10
OWNERS_PER_100_APPS = 25
TICK = os.sysconf("SC_CLK_TCK")


def child(port: int, ready_fd: int, names: str) -> None:
    """Serve the emulator as functions/local/aws.py does, with the named patches only ('all': every one)."""
    from functions.local import aws, lifecycle, speedups

    lifecycle.die_with_parent()
    chosen = None if names == "all" else [n for n in names.split(",") if n]
    stock = speedups.install_emulator
    speedups.install_emulator = lambda names=None: stock(chosen)  # type: ignore[assignment]
    aws.serve("127.0.0.1", port, ready_fd)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start(names: str) -> tuple[subprocess.Popen, str]:
    """The emulator child with the named patches, once it listens; and its endpoint."""
    port, (read_end, write_end) = _free_port(), os.pipe()
    proc = subprocess.Popen([sys.executable, __file__, "--child", str(port), str(write_end), names],
                            cwd=ROOT, pass_fds=(write_end,))
    os.close(write_end)
    if os.read(read_end, 1) != b"1":
        raise RuntimeError("the emulator did not start")
    os.close(read_end)
    return proc, f"http://127.0.0.1:{port}"


def cpu_seconds(pid: int) -> float:
    """utime + stime of the process, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _s(value: str) -> dict[str, str]:
    return {"S": value}


def application(n: int) -> dict[str, Any]:
    """An application item of the shape the API writes (a status change keeps `version`)."""
    created = f"2026-11-{1 + n % 28:02d}T08:{n % 60:02d}:{n % 59:02d}.{n:06d}+0000"
    return {"application_id": _s(f"app-{n:05d}"), "owner_id": _s(f"user-{n * OWNERS_PER_100_APPS // 100:05d}"),
            "procedure_id": _s("kết hôn"), "commune_code": _s("00004"), "status": _s("submitted"),
            "commune_status": _s("00004#submitted"), "created_at": _s(created), "created_month": _s("2026-11"),
            "due_at": _s(created), "fee_vnd": {"N": "0"}, "version": {"N": "1"}, "payment_state": _s("paid"),
            "answers": _s('{"ho_ten": "Nguyễn Văn A", "ngay_sinh": "1990-01-01", "dia_chi": "' + "x" * 120 + '"}'),
            "documents": _s('[{"slot": "cccd", "document_id": "doc-' + str(n) + '"}]')}


def event(n: int, k: int, pending: bool) -> dict[str, Any]:
    """A timeline event; only events still waiting for delivery carry `outbox` (a sparse index)."""
    created = f"2026-11-{1 + n % 28:02d}T09:{k:02d}:{n % 59:02d}.{n:06d}+0000"
    item = {"application_id": _s(f"app-{n:05d}"), "event_id": _s(f"{created}#{k:02d}"),
            "user_id": _s(f"user-{n * OWNERS_PER_100_APPS // 100:05d}"), "kind": _s("status_changed"),
            "created_at": _s(created), "delivery": _s("pending" if pending else "sent"),
            "payload": _s('{"from": "submitted", "to": "in_review"}')}
    if pending:
        item.update(outbox=_s("pending"), next_attempt_at=_s(created))
    return item


def seed(ddb: Any, tables: dict[str, str], apps: int) -> None:
    """APPS applications and EVENTS_PER_APP events each, through BatchWriteItem."""
    puts = [(tables["applications"], application(n)) for n in range(apps)]
    puts += [(tables["events"], event(n, k, pending=(n * EVENTS_PER_APP + k) % 97 == 0))
             for n in range(apps) for k in range(EVENTS_PER_APP)]
    for start_at in range(0, len(puts), 25):
        batch: dict[str, list[dict[str, Any]]] = {}
        for table, item in puts[start_at:start_at + 25]:
            batch.setdefault(table, []).append({"PutRequest": {"Item": item}})
        ddb.batch_write_item(RequestItems=batch)


def calls(ddb: Any, t: dict[str, str], apps: int) -> dict[str, Callable[[int], Any]]:
    """The replayed mix: one function per kind of call, taking the call's sequence number."""
    apps_t, events_t = t["applications"], t["events"]

    def app_key(i: int) -> dict[str, Any]:
        return {"application_id": _s(f"app-{i * 7919 % apps:05d}")}

    def transact(i: int) -> Any:
        n = i * 104729 % apps
        key = {"application_id": _s(f"app-{n:05d}")}
        return ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": apps_t, "Key": key, "UpdateExpression": "SET #s = :s, commune_status = :cs",
                        "ConditionExpression": "attribute_exists(application_id) AND #s <> :gone",
                        "ExpressionAttributeNames": {"#s": "status"},
                        "ExpressionAttributeValues": {":s": _s("in_review"), ":cs": _s("00004#in_review"),
                                                      ":gone": _s("withdrawn")}}},
            {"Put": {"TableName": events_t, "Item": event(n, 100 + i, pending=True),
                     "ConditionExpression": "attribute_not_exists(event_id)"}}])

    def cancelled(i: int) -> Any:
        try:
            return ddb.transact_write_items(TransactItems=[
                {"ConditionCheck": {"TableName": apps_t, "Key": app_key(i), "ConditionExpression": "#v = :v",
                                    "ExpressionAttributeNames": {"#v": "version"},
                                    "ExpressionAttributeValues": {":v": {"N": "999"}}}},
                {"Put": {"TableName": events_t, "Item": event(i, 99, pending=True)}}])
        except ddb.exceptions.TransactionCanceledException as exc:
            return exc

    return {
        "GetItem": lambda i: ddb.get_item(TableName=apps_t, Key=app_key(i)),
        "GetItem+projection": lambda i: ddb.get_item(
            TableName=apps_t, Key=app_key(i), ProjectionExpression="#s, owner_id, version",
            ExpressionAttributeNames={"#s": "status"}),
        "BatchGetItem": lambda i: ddb.batch_get_item(RequestItems={apps_t: {"Keys": [app_key(i), app_key(i + 1)]}}),
        "Query events (base)": lambda i: ddb.query(
            TableName=events_t, KeyConditionExpression="application_id = :a",
            ExpressionAttributeValues={":a": app_key(i)["application_id"]}, ScanIndexForward=False, Limit=20),
        "Query apps.by_owner": lambda i: ddb.query(
            TableName=apps_t, IndexName="by_owner", KeyConditionExpression="owner_id = :o",
            ExpressionAttributeValues={":o": _s(f"user-{i * 31 % (apps // 4):05d}")}, ScanIndexForward=False,
            Limit=20),
        "Query events.by_user": lambda i: ddb.query(
            TableName=events_t, IndexName="by_user", KeyConditionExpression="user_id = :u AND created_at > :c",
            ExpressionAttributeValues={":u": _s(f"user-{i * 31 % (apps // 4):05d}"), ":c": _s("2026-11-01")},
            ScanIndexForward=False, Limit=20),
        "Query events.by_outbox": lambda i: ddb.query(
            TableName=events_t, IndexName="by_outbox", KeyConditionExpression="outbox = :p AND next_attempt_at <= :n",
            ExpressionAttributeValues={":p": _s("pending"), ":n": _s("2026-12-01")}, Limit=25),
        "UpdateItem+condition": lambda i: ddb.update_item(
            TableName=apps_t, Key=app_key(i), UpdateExpression="SET fee_vnd = :f ADD version :one",
            ConditionExpression="attribute_exists(application_id)", ReturnValues="ALL_NEW",
            ExpressionAttributeValues={":f": {"N": str(i)}, ":one": {"N": "1"}}),
        "TransactWriteItems": transact,
        "TransactWriteItems cancelled": cancelled,
    }


def measure(names: str, apps: int, runs: int) -> dict[str, float]:
    """CPU ms of the emulator per call of each kind, with the named patches."""
    import boto3

    from functions.local import emulator

    proc, endpoint = start(names)
    try:
        emulator.deploy("motcua-bench", {"Stage": "dev"}, REGION, endpoint)
        ddb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
        tables = {name.rsplit("-", 1)[1]: name for name in ddb.list_tables()["TableNames"]}
        started = time.perf_counter()
        seed(ddb, tables, apps)
        print(f"  [{names}] seeded {apps} applications, {apps * EVENTS_PER_APP} events in "
              f"{time.perf_counter() - started:.0f} s", flush=True)
        figures = {}
        for label, call in calls(ddb, tables, apps).items():
            call(0)  # warm
            before = cpu_seconds(proc.pid)
            for i in range(runs):
                call(i + 1)
            figures[label] = (cpu_seconds(proc.pid) - before) * 1000 / runs
        return figures
    finally:
        proc.terminate()
        proc.wait(10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--apps", type=int, default=2000)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--only", choices=("before", "after"))
    parser.add_argument("--patches", help="comma-separated patch names for 'after' (default: all)")
    args = parser.parse_args()
    runs = {"before": ",".join(BEFORE), "after": args.patches or "all"}
    if args.only:
        runs = {args.only: runs[args.only]}
    results = {label: measure(names, args.apps, args.calls) for label, names in runs.items()}
    print(f"\nEmulator CPU ms per call ({args.apps} applications, {args.apps * EVENTS_PER_APP} events, "
          f"{args.calls} calls each):")
    print(f"{'call':32}" + "".join(f"{label:>10}" for label in results))
    for call in next(iter(results.values())):
        print(f"{call:32}" + "".join(f"{figures[call]:10.2f}" for figures in results.values()))


if __name__ == "__main__":
    if sys.argv[1:2] == ["--child"]:
        child(int(sys.argv[2]), int(sys.argv[3]), sys.argv[4])
    else:
        main()
