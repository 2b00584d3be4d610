"""Make moto's DynamoDB safe to share between threads: one lock, and item-level transaction rollback.

moto documents that it is not thread-safe. In moto 5.2.5, `DynamoDBBackend.transact_write_items`
deep-copies every table a transaction touches and, when the transaction is cancelled, puts that copy
back. With the threaded server (the local stack) or threads in a test, a cancelled transaction then
restores a stale snapshot and erases a concurrent winner's write (two IPNs both answered "00").
Real DynamoDB never does this.

`install()` fixes both halves, in every process that hosts moto:
1. Every DynamoDB and DynamoDB Streams call runs under one process-wide lock, so no request sees or
   restores another's half-done state.
2. A transaction snapshots only the items it touches (and the stream's length), not whole tables:
   the stock deep copy costs O(table size) per transaction (bench/transactions.py measures it).

`uninstalled()` restores stock moto for the test that reproduces the lost write.
"""

from __future__ import annotations

import contextlib
import copy
import functools
import threading
from collections.abc import Callable, Iterator
from typing import Any

from moto.core.responses import BaseResponse
from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler

LOCK = threading.RLock()

_STOCK: dict[str, Any] = {
    "ddb_call": DynamoHandler.call_action,
    "streams_call": DynamoDBStreamsHandler.__dict__.get("call_action"),
    "transact": DynamoDBBackend.transact_write_items,
}


def _locked(call: Callable[..., Any]) -> Callable[..., Any]:
    @functools.wraps(call)
    def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        with LOCK:
            return call(self, *args, **kwargs)

    run.motcua_locked = True  # type: ignore[attr-defined]
    return run


def installed() -> bool:
    """Whether this process's moto is serialised."""
    return getattr(DynamoHandler.call_action, "motcua_locked", False)


def install() -> None:
    """Serialise moto's DynamoDB in this process (idempotent)."""
    if installed():
        return
    DynamoHandler.call_action = _locked(_STOCK["ddb_call"])
    DynamoDBStreamsHandler.call_action = _locked(BaseResponse.call_action)
    DynamoDBBackend.transact_write_items = transact_write_items


def uninstall() -> None:
    """Put stock moto back (for the test that shows what the lock prevents)."""
    DynamoHandler.call_action = _STOCK["ddb_call"]
    if _STOCK["streams_call"] is None:
        with contextlib.suppress(AttributeError):
            del DynamoDBStreamsHandler.call_action
    else:
        DynamoDBStreamsHandler.call_action = _STOCK["streams_call"]
    DynamoDBBackend.transact_write_items = _STOCK["transact"]


@contextlib.contextmanager
def uninstalled() -> Iterator[None]:
    """Stock, unlocked moto inside the block; the previous state after it."""
    was = installed()
    uninstall()
    try:
        yield
    finally:
        if was:
            install()


class _Snapshots:
    """The prior state of each item a transaction touches, and each touched table's stream length."""

    def __init__(self, backend: DynamoDBBackend) -> None:
        self.backend = backend
        self.items: list[tuple[Any, Any, Any, Any]] = []  # (table, hash, range, item or None)
        self.streams: dict[str, int] = {}

    def take(self, table_name: str, key: dict[str, Any]) -> None:
        table = self.backend.get_table(table_name)
        hash_key, range_key = self.backend.get_keys_value(table, key)
        item = table.get_item(hash_key, range_key)
        self.items.append((table, hash_key, range_key, copy.deepcopy(item)))
        if table.stream_shard is not None and table_name not in self.streams:
            self.streams[table_name] = len(table.stream_shard.items)

    def restore(self) -> None:
        for table, hash_key, range_key, item in reversed(self.items):
            bucket = table.items[hash_key] if range_key is not None else table.items
            slot = range_key if range_key is not None else hash_key
            if item is None:
                bucket.pop(slot, None)
            else:
                bucket[slot] = item
        for table_name, length in self.streams.items():
            del self.backend.tables[table_name].stream_shard.items[length:]


def _key_of(backend: DynamoDBBackend, op_type: str, op: dict[str, Any]) -> dict[str, Any]:
    if op_type != "Put":
        return op["Key"]
    table = backend.get_table(op["TableName"])
    attrs = op["Item"]
    key = {table.hash_key_attr: attrs[table.hash_key_attr]}
    if table.range_key_attr is not None:
        key[table.range_key_attr] = attrs[table.range_key_attr]
    return key


def transact_write_items(self: DynamoDBBackend, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems with item-level rollback instead of whole-table deep copies.

    Same checks, same order and same errors as moto 5.2.5; only the backup differs. Must run under
    LOCK (install() guarantees it: every request goes through the locked handler).
    """
    if len(transact_items) > 100:
        raise TooManyTransactionsException()
    snapshots = _Snapshots(self)
    seen: set[tuple[str, str]] = set()
    errors: list[tuple[Any, Any, Any]] = []
    for entry in transact_items:
        if len(entry) > 1:  # same exception as stock moto: one operation per entry
            raise TransactWriteSingleOpException
        op_type, op = next(iter(entry.items()))
        try:
            errors.append(_apply(self, snapshots, seen, op_type, op))
        except (MultipleTransactionsException, MockValidationException):
            snapshots.restore()
            raise
    if any(code is not None for code, _, _ in errors):
        snapshots.restore()
        raise TransactionCanceledException(errors)


def _apply(backend: DynamoDBBackend, snapshots: _Snapshots, seen: set[tuple[str, str]], op_type: str,
           op: dict[str, Any]) -> tuple[Any, Any, Any]:
    """One operation of a transaction; returns its (code, message, item) cancellation reason."""
    original_item = None
    try:
        if op_type not in {"ConditionCheck", "Put", "Delete", "Update"}:
            raise ValueError("Unsupported transaction operation")
        table_name = op["TableName"]
        key = _key_of(backend, op_type, op)
        marker = (str(table_name), str(dict(sorted(key.items()))))
        if marker in seen:
            raise MultipleTransactionsException()
        seen.add(marker)
        current = backend.get_item(table_name, key)
        names, values = op.get("ExpressionAttributeNames"), op.get("ExpressionAttributeValues")
        condition = op.get("ConditionExpression")
        if condition is not None and not get_filter_expression(condition, names, values).expr(current):
            if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
                original_item = current.to_json()["Attributes"]
            raise ConditionalCheckFailed(item=original_item)
        if op_type != "ConditionCheck":
            snapshots.take(table_name, key)
        common = {"condition_expression": condition, "expression_attribute_names": names,
                  "expression_attribute_values": values}
        if op_type == "Put":
            backend.put_item(table_name, op["Item"], **common)
        elif op_type == "Delete":
            backend.delete_item(table_name, key, **common)
        elif op_type == "Update":
            backend.update_item(table_name, key, update_expression=op["UpdateExpression"], **common)
        return (None, None, None)
    except (MultipleTransactionsException, MockValidationException):
        raise
    except ConditionalCheckFailed as exc:
        return ("ConditionalCheckFailed", str(exc.message), original_item)
    except Exception as exc:  # noqa: BLE001 (moto's own behaviour: any other failure cancels with its name)
        return (type(exc).__name__, str(exc), original_item)
