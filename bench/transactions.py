"""What one DynamoDB transaction costs in the emulator and in our code. Prints figures; asserts nothing.

1. moto's TransactWriteItems as the table grows (10 and 10,000 items): stock moto deep-copies every
   table a transaction touches; functions/local/serialize.py snapshots only the touched items.
2. Our `models.transaction()` before and after issue 18: a new PynamoDB Connection (and botocore
   client) per transaction, against the one shared connection.

Run: .venv/bin/python bench/transactions.py
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.update({"AWS_ACCESS_KEY_ID": "bench", "AWS_SECRET_ACCESS_KEY": "bench", "AWS_DEFAULT_REGION":
                   "ap-southeast-1", "MOTCUA_STAGE": "test", "MOTCUA_SESSION_SECRET": "bench-" * 8})
os.environ.pop("AWS_ENDPOINT_URL", None)

import boto3  # noqa: E402
from moto import mock_aws  # noqa: E402
from pynamodb.connection import Connection  # noqa: E402
from pynamodb.transactions import TransactWrite  # noqa: E402

from functions.local import serialize  # noqa: E402

TABLE = "bench"


def _ms(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    """Median and p95 in milliseconds."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    times.sort()
    return statistics.median(times), times[int(len(times) * 0.95) - 1]


def _fill(client: object, count: int) -> None:
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.dynamodb.models import dynamodb_backends

    # Filling through the backend directly: 10,000 API calls would only time the filling.
    backend = dynamodb_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"]
    for i in range(count):
        backend.put_item(TABLE, {"pk": {"S": f"item-{i:05d}"}, "data": {"S": "x" * 200},
                                 "n": {"N": str(i)}, "tags": {"SS": ["a", "b"]}})


def _table(client: object) -> None:
    client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"})


def moto_transaction_cost() -> None:
    """Per-transaction time at 10 and 10,000 items, stock and serialised."""
    print("moto TransactWriteItems (one Update + one Put, the shape of a status change):")
    for size in (10, 10_000):
        for label, patched in (("stock moto (deep copy)", False), ("serialised (item snapshot)", True)):
            with mock_aws():
                if not patched:
                    serialize.uninstall()
                else:
                    serialize.install()
                client = boto3.client("dynamodb", region_name="ap-southeast-1")
                _table(client)
                _fill(client, size)
                counter = iter(range(10**9))

                def once(client: object = client, counter: object = counter) -> None:
                    i = next(counter)
                    client.transact_write_items(TransactItems=[
                        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "item-00001"}},
                                    "UpdateExpression": "ADD n :one",
                                    "ExpressionAttributeValues": {":one": {"N": "1"}}}},
                        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": f"event-{i}"}}}},
                    ])

                runs = 20 if (size > 1000 and not patched) else 200
                median, p95 = _ms(once, runs)
                print(f"  {size:>6} items  {label:<28} median {median:8.2f} ms   p95 {p95:8.2f} ms  ({runs} runs)")
    serialize.install()


def connection_cost() -> None:
    """A transaction through a new Connection each time (before) and through the shared one (after)."""
    from functions.core import config as config_mod
    from functions.core import models
    from functions.local import emulator

    print("models.transaction() (one Put into the events table, moto in-process):")
    with mock_aws():
        cfg = config_mod.load()
        models.bind(cfg)
        emulator.deploy("bench", {"Stage": cfg.stage, "AppOrigin": cfg.app_origin}, cfg.region)
        counter = iter(range(10**9))

        def put(make: Callable[[], TransactWrite]) -> Callable[[], None]:
            def run() -> None:
                with make() as txn:
                    txn.save(models.IdempotencyRecord(key=f"bench-{next(counter)}", status=200,
                                                      expires_at=timedelta(hours=1)))
            return run

        def fresh() -> TransactWrite:
            return TransactWrite(connection=Connection(region=cfg.region, host=None))

        for label, make in (("new Connection per transaction", fresh), ("shared connection", models.transaction)):
            median, p95 = _ms(put(make), 50)
            print(f"  {label:<32} median {median:8.2f} ms   p95 {p95:8.2f} ms  (50 runs)")


if __name__ == "__main__":
    moto_transaction_cost()
    connection_cost()
