"""Library costs the local stack's long-lived processes need not pay, each a small patch.

None changes behaviour: two cache work that is repeated with the same result, and one writes DynamoDB's
item answers with `json.dumps` instead of moto's model-driven serializer
(tests/functional/test_emulator_speedups.py compares the two answers through boto3). The emulator's
DynamoDB patches live in speedups_dynamodb.py and speedups_expressions.py; `install_emulator` applies them all.
"""

from __future__ import annotations

import base64
import functools
import json
import threading
from collections.abc import Callable, Iterable
from typing import Any


def share_botocore_session() -> None:
    """Let every AWS client of this process (PynamoDB's and boto3's) be built from one botocore session.

    PynamoDB 6 gives each connection a botocore session of its own (one per model, and per thread), and a
    new session loads and parses the service's model and endpoint files again: 150 ms of CPU and ~10 MB per
    client instead of 8 ms on a warm session; 11 clients per worker cost 1.7 s of its start. botocore does
    not promise that one session builds clients safely from two threads at once, so builds take a lock.
    """
    import boto3
    import botocore.session
    from pynamodb.connection import base

    session = botocore.session.get_session()
    build, lock = session.create_client, threading.Lock()

    def create_client(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return build(*args, **kwargs)

    session.create_client = create_client  # type: ignore[method-assign]
    base.get_session = lambda: session
    boto3.setup_default_session(botocore_session=session)


def cache_moto_lookups() -> None:
    """Two lookups moto 5.2.5 repeats for every request, with answers that never change while it runs:
    the list of its service packages (~200 isdir calls, under its dispatcher's global lock) and the
    method names of the responding class (inspect.getmembers). Each is computed once instead."""
    from moto import backends
    from moto.core import responses

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    responses.method_names_from_class = functools.lru_cache(maxsize=None)(responses.method_names_from_class)


# DynamoDB's item operations. Their answers (after moto's `dynamo_to_dict`) are already the wire format:
# names, strings, numbers as strings, lists and maps, and bytes for binary attributes.
ITEM_OPERATIONS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan", "PutItem", "UpdateItem", "DeleteItem",
                             "TransactWriteItems", "TransactGetItems", "BatchWriteItem"})
JSON_1_0 = "application/x-amz-json-1.0"


def _blob(value: Any) -> str:
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode()
    raise TypeError(f"not JSON serializable: {type(value).__name__}")


def dynamodb_items_as_json() -> Callable[[], None]:
    """Answer DynamoDB's item operations with `json.dumps`; returns the function that undoes it.

    moto 5.2.5 walks botocore's output shape for every answer (`ResponseSerializer`): a fifth of the
    emulator's CPU under load went there. An item answer needs no shape: it is JSON already, except binary
    values, which go out as base64 as the serializer writes them. Other operations keep the serializer.
    """
    from moto.dynamodb.responses import DynamoResult

    shaped = DynamoResult.execute_result

    def execute_result(self: DynamoResult, context: Any) -> Any:
        if context.operation_model.name not in ITEM_OPERATIONS:
            return shaped(self, context)
        return 200, {"Content-Type": JSON_1_0}, json.dumps(self.result, default=_blob, separators=(",", ":"))

    DynamoResult.execute_result = execute_result  # type: ignore[method-assign]

    def undo() -> None:
        DynamoResult.execute_result = shaped  # type: ignore[method-assign]

    return undo


def emulator_patches() -> dict[str, Callable[[], object]]:
    """The emulator process's patches by name, in the order they apply (bench/emulator_cpu.py picks some)."""
    from functions.local import speedups_dynamodb, speedups_expressions

    return {"lookups": cache_moto_lookups, "items_json": dynamodb_items_as_json,
            "query": speedups_dynamodb.query_without_table_walk, "expressions": speedups_expressions.cache_expressions,
            "validation": speedups_expressions.faster_update_validation, "items": speedups_dynamodb.faster_item_build}


def install_emulator(names: Iterable[str] | None = None) -> None:
    """Apply the emulator's patches (all of them, or those named), after serialize.install()."""
    patches = emulator_patches()
    for name in patches if names is None else names:
        patches[name]()
