"""DynamoDB requests per API operation over one application's lifecycle (a cost figure, not a timed test).

In one process, with moto (`mock_aws`) and `infra/template.yaml` deployed into it as the functional tests
do, one citizen goes through the four functions' real Flask apps, mounted at /api/<function>/ as the dev
server mounts them, with the PWA's Origin and CSRF headers:
  sign-up   requestOtp (the code read from moto's SNS), verifyOtp, updateProfile
  submit    createUpload + the presigned POST + completeUpload, twice; submitApplication
  pay       createPayment; the gateway's signed IPN (vnpayIpn)
  status    an officer: accept, start_review, request_supplement; the citizen: a new page and resubmit;
            the officer: start_review, approve, mark_result_ready (pickup), complete
Then the reads a citizen makes around it (status, list, tracking, payment state), and the delivery of
each timeline event by the status function's dispatcher (as its stream trigger would, no push
subscription: SMS), reported apart from the lifecycle.

Every botocore client created in this process gets a `before-call` hook (botocore's event system), so
each API call is counted once whatever retries follow, including PynamoDB's own clients. Goal: 0 Scans
and at most 40 requests per lifecycle.

Usage: .venv/bin/python bench/lifecycle_requests.py [--sites]
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import sys
import traceback
from collections import Counter, defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import botocore.session

ROOT = Path(__file__).resolve().parents[1]
os.environ.update({"MOTCUA_STAGE": "test", "AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench",
                   "AWS_SESSION_TOKEN": "bench", "AWS_DEFAULT_REGION": "ap-southeast-1", "AWS_REGION": "ap-southeast-1",
                   "MOTCUA_SESSION_SECRET": "bench-secret-0123456789abcdefghijklmnopqrstuvwxyz",
                   "VNPAY_HASH_SECRET": "BENCHSECRET0123456789ABCDEFGHIJK"})
for _key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MOTCUA_TABLE_PREFIX"):
    os.environ.pop(_key, None)
GOAL_REQUESTS = 40
LIFECYCLE = ("sign-up", "submit", "pay", "status changes")


class Counts:
    """DynamoDB API calls (and other AWS calls) per operation label, with the code that made them."""

    def __init__(self) -> None:
        self.label = "(setup)"
        self.dynamodb: dict[str, Counter[str]] = defaultdict(Counter)
        self.other: dict[str, Counter[str]] = defaultdict(Counter)
        self.sites: dict[tuple[str, str], Counter[str]] = defaultdict(Counter)
        self.order: list[str] = []

    def on_call(self, event_name: str, **_: Any) -> None:
        """botocore's `before-call.<service>.<Operation>` event: one per API call."""
        _, service, operation = event_name.split(".", 2)
        if service != "dynamodb":
            self.other[self.label][f"{service}:{operation}"] += 1
            return
        self.dynamodb[self.label][operation] += 1
        self.sites[(self.label, operation)][_caller()] += 1

    @contextlib.contextmanager
    def operation(self, label: str) -> Iterator[None]:
        """Attribute the calls made inside the block to `label`."""
        if label not in self.order:
            self.order.append(label)
        self.label = label
        try:
            yield
        finally:
            self.label = "(setup)"


def _caller() -> str:
    """The innermost frame in our own code (functions/) that led to the call."""
    for frame in reversed(traceback.extract_stack()):
        if "/functions/" in frame.filename:
            return f"{Path(frame.filename).relative_to(ROOT)}:{frame.lineno} {frame.name}"
    return "?"


COUNTS = Counts()


def install_hook() -> None:
    """Register the counting hook on every botocore client created from now on (boto3's and PynamoDB's)."""
    original = botocore.session.Session.create_client

    def create_client(session: botocore.session.Session, *args: Any, **kwargs: Any) -> Any:  # noqa: ANN401
        client = original(session, *args, **kwargs)
        client.meta.events.register("before-call", COUNTS.on_call)
        return client

    botocore.session.Session.create_client = create_client  # type: ignore[method-assign]


def main() -> int:
    """Run one lifecycle in moto and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--sites", action="store_true", help="print the code location of every call")
    args = parser.parse_args()
    install_hook()
    logging.getLogger("moto").setLevel(logging.ERROR)  # its notes on the template's unsupported resources
    sys.path.insert(0, str(ROOT))
    import lifecycle_steps
    from moto import mock_aws

    with mock_aws():
        lifecycle = lifecycle_steps.Lifecycle(COUNTS)
        stages = lifecycle.run()
    return report(stages, args.sites)


def report(stages: dict[str, list[str]], sites: bool) -> int:
    """Print operation -> requests by API name, the totals, and where any Scan comes from."""
    apis = sorted({api for label, counter in COUNTS.dynamodb.items() if label != "(setup)" for api in counter})
    width = max(len(label) for label in COUNTS.order) + 2
    print(f"{'operation':<{width}}" + "".join(f"{_short(a):>8}" for a in apis) + f"{'total':>8}  other AWS calls")
    for stage, labels in stages.items():
        print(f"-- {stage}")
        for label in labels:
            counter = COUNTS.dynamodb.get(label, Counter())
            others = ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.other.get(label, {}).items()))
            print(f"{label:<{width}}" + "".join(f"{counter.get(a, 0) or '':>8}" for a in apis)
                  + f"{sum(counter.values()):>8}  {others}")
            if sites or counter.get("Scan"):
                for (lab, api), where in sorted(COUNTS.sites.items()):
                    if lab == label and (sites or api == "Scan"):
                        print("\n".join(f"{'':>8}{api} x{n}  {site}" for site, n in where.most_common()))
    _totals(apis, stages)
    return 0


def _short(api: str) -> str:
    return {"TransactWriteItems": "TxWrite", "TransactGetItems": "TxGet", "UpdateItem": "Update",
            "DeleteItem": "Delete", "BatchGetItem": "BatchGet", "BatchWriteItem": "BatchWr"}.get(api, api)


def _totals(apis: list[str], stages: dict[str, list[str]]) -> None:
    lifecycle = [label for stage in LIFECYCLE for label in stages.get(stage, [])]
    six = [label for label in lifecycle if not label.startswith(("7.", "8."))]
    for title, labels in (("sign-up, submit, pay, six status changes (1.-6.)", six),
                          ("the same to completion (eight status changes)", lifecycle)):
        life: Counter[str] = Counter()
        for label in labels:
            life.update(COUNTS.dynamodb.get(label, Counter()))
        print(f"\nPer lifecycle, {title}: {sum(life.values())} DynamoDB requests, {life.get('Scan', 0)} Scans "
              f"(goal: <= {GOAL_REQUESTS} requests, 0 Scans)")
        print("  by API: " + ", ".join(f"{a} {life[a]}" for a in apis if life.get(a)))
    for stage, labels in stages.items():
        if stage not in LIFECYCLE:
            count = Counter()
            for label in labels:
                count.update(COUNTS.dynamodb.get(label, Counter()))
            print(f"Not in the lifecycle: {stage}: {sum(count.values())} requests ({count.get('Scan', 0)} Scans)")


if __name__ == "__main__":
    sys.exit(main())
