"""moto 5.2.5 DynamoDB work the emulator need not repeat: a query's walk over the whole table, and the
quadratic build of an item. Applied in the emulator process only (functions/local/speedups.py lists them);
tests/functional/test_emulator_query_speedups.py compares every answer with stock moto's."""

from __future__ import annotations

import contextvars
import functools
from collections.abc import Callable
from typing import Any

# The items a query may return, for the query running in this thread (see query_without_table_walk).
_CANDIDATES: contextvars.ContextVar[tuple[Any, list[Any]] | None] = contextvars.ContextVar("candidates",
                                                                                          default=None)


def _every_item(table: Any) -> list[Any]:
    if table.range_key_attr:
        return [item for by_range in table.items.values() for item in by_range.values()]
    return list(table.items.values())


def _candidates(table: Any, hash_key: Any, index_name: str | None, conditions: list[Any] | None) -> list[Any] | None:
    """A superset of the items moto's query keeps; None when only a walk will do.

    Their order does not matter: moto sorts them again, by the range key for a query on the table and by
    (index keys, table keys) for an index, keys that are unique per item, so no two items tie."""
    from moto.dynamodb.models.dynamo_type import Item

    if not index_name:
        if hash_key is None:
            return None
        found = table.items.get(hash_key)  # DynamoType hashes as it compares: (type, cast value)
        if found is None:
            return []
        return list(found.values()) if table.range_key_attr else [found]
    if not conditions:
        return None
    name, expected = conditions[0]
    if expected.type == "S":  # two strings are equal DynamoTypes only if their raw values are equal
        value = expected.value
        kept = [item for item in _every_item(table) if getattr(item.attrs.get(name), "value", None) == value]
    else:
        kept = [item for item in _every_item(table) if (v := item.attrs.get(name)) is not None and v == expected]
    return [item for item in kept if isinstance(item, Item)]


def query_without_table_walk() -> Callable[[], None]:
    """Let moto's `Table.query` look only at the items that can match; returns the function that undoes it.

    moto 5.2.5's `Table.query` starts from `self.all_items()`, which lists and *sorts* every item of the
    table (DynamoType comparisons in Python), for a query on the table and on an index alike: 250-300 ms
    per query at 20,000 events. The query itself then keeps the items whose key equals the condition's.
    Here `all_items()`, called from inside that query only, answers just the items with that hash key
    value (a dict lookup on the table, one pass over the items for an index); moto then applies every
    one of its own checks to them, and sorts them, so the answer cannot change. Runs under the
    DynamoDB lock like every query (functions/local/serialize.py); the ContextVar keeps threads apart.
    """
    from moto.dynamodb.models.table import Table

    stock_query, stock_all_items = Table.query, Table.all_items

    @functools.wraps(stock_query)
    def query(self: Table, hash_key: Any, *args: Any, **kwargs: Any) -> Any:
        index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
        found = _candidates(self, hash_key, index_name, kwargs.get("hash_key_conditions"))
        if found is None:
            return stock_query(self, hash_key, *args, **kwargs)
        token = _CANDIDATES.set((self, found))
        try:
            return stock_query(self, hash_key, *args, **kwargs)
        finally:
            _CANDIDATES.reset(token)

    def all_items(self: Table) -> list[Any]:
        current = _CANDIDATES.get()
        if current is not None and current[0] is self:
            return list(current[1])
        return stock_all_items(self)

    Table.query, Table.all_items = query, all_items  # type: ignore[method-assign]

    def undo() -> None:
        Table.query, Table.all_items = stock_query, stock_all_items  # type: ignore[method-assign]

    return undo


ITEM_SIZE_LIMIT = 405000  # moto 5.2.5's LimitedSizeDict: an item larger than this raises ItemSizeTooLarge


def faster_item_build() -> Callable[[], None]:
    """Build moto's `Item` in one pass; returns the undo.

    moto 5.2.5's `Item.__init__` stores each attribute through `LimitedSizeDict.__setitem__`, which sums
    the size of every attribute already stored: O(n^2), 0.7 ms for an application's 24 attributes, on
    every put and every transaction's Put. Here the same sum is kept as a running total: the same sizes,
    the same order, the same ItemSizeTooLarge at the same attribute.
    """
    from moto.dynamodb.exceptions import ItemSizeTooLarge
    from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
    from moto.dynamodb.models.utilities import bytesize

    stock = Item.__init__

    def __init__(self: Item, hash_key: Any, range_key: Any, attrs: dict[str, Any]) -> None:
        self.hash_key = hash_key
        self.range_key = range_key
        self.attrs = LimitedSizeDict()
        total = 0
        for key, value in attrs.items():
            typed = DynamoType(value)
            size = bytesize(key) + typed.size()
            if total + size > ITEM_SIZE_LIMIT:
                raise ItemSizeTooLarge
            dict.__setitem__(self.attrs, key, typed)
            total += size

    Item.__init__ = __init__  # type: ignore[method-assign]

    def undo() -> None:
        Item.__init__ = stock  # type: ignore[method-assign]

    return undo
