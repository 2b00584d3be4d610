"""Library costs the local stack's long-lived processes need not pay, each a small patch.

None changes behaviour: two cache work that is repeated with the same result, and one writes DynamoDB's
item answers with `json.dumps` instead of moto's model-driven serializer (tests/unit/test_speedups.py
compares the two answers through boto3).
"""

from __future__ import annotations

import base64
import contextvars
import copy
import functools
import io
import json
import pickle
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
    return {"lookups": cache_moto_lookups, "items_json": dynamodb_items_as_json,
            "query": query_without_table_walk, "expressions": cache_expressions,
            "validation": faster_update_validation, "items": faster_item_build}


def install_emulator(names: Iterable[str] | None = None) -> None:
    """Apply the emulator's patches (all of them, or those named), after serialize.install()."""
    patches = emulator_patches()
    for name in patches if names is None else names:
        patches[name]()


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


class _Slot(str):
    """Stands for the value of one `:name` while a condition template is parsed and pickled."""


_CONDITIONS: dict[Any, tuple[bytes, list[str], list[str]] | None] = {}
_UPDATES: dict[str, tuple[Any, bytes, str]] = {}  # text -> (tree, the tree pickled, text)
_PICKLED: dict[int, tuple[Any, bytes, str]] = {}  # id(tree) -> the same entry, for _copy_tree
_CHECKED: set[Any] = set()  # (text, names) whose clause counts and paths moto's validator accepted
CACHE_ENTRIES = 4096  # distinct expressions the API writes are a few dozen; a full cache just starts over


def _condition_key(parser: Any) -> Any:
    """What moto's condition parse depends on: the text, the names, and each value's name and type
    (only `BETWEEN` looks at a value, for its type); None when the request is not of the usual shape."""
    names, values = parser.expression_attribute_names, parser.expression_attribute_values
    if not isinstance(values, dict | None) or not isinstance(names, dict | None):
        return None
    if values and not all(isinstance(v, dict) and len(v) == 1 for v in values.values()):
        return None
    try:
        key = (parser.condition_expression, None if names is None else frozenset(names.items()),
               None if values is None else frozenset((k, next(iter(v))) for k, v in values.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _condition_template(stock_parse: Callable[[Any], Any], parser: Any) -> tuple[bytes, list[str], list[str]] | None:
    """The parse of `parser`'s expression with every value a _Slot, pickled; None if it cannot be."""
    values = parser.expression_attribute_values
    slots = None if values is None else {k: {t: _Slot(k) for t in v} for k, v in values.items()}
    template = type(parser)(parser.condition_expression, parser.expression_attribute_names, slots)
    try:
        op = stock_parse(template)
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, protocol=pickle.HIGHEST_PROTOCOL)
        pickler.persistent_id = lambda obj: str(obj) if type(obj) is _Slot else None  # type: ignore[method-assign]
        pickler.dump(op)
    except Exception:  # noqa: BLE001 (a template that will not parse or pickle is simply not cached)
        return None
    return buffer.getvalue(), template.expr_attr_names_found, template.expr_attr_values_found


def _from_template(entry: tuple[bytes, list[str], list[str]], parser: Any) -> Any:
    values = parser.expression_attribute_values
    unpickler = pickle.Unpickler(io.BytesIO(entry[0]))
    unpickler.persistent_load = lambda name: next(iter(values[name].values()))  # type: ignore[method-assign]
    parser.expr_attr_names_found.extend(entry[1])
    parser.expr_attr_values_found.extend(entry[2])
    return unpickler.load()


def _copy_tree(value: Any) -> Any:
    """moto's validator deep-copies the update expression's tree it is given (300 us); unpickling the
    cached tree's bytes builds the same plain nodes in a fraction of that. Anything else is deep-copied."""
    entry = _PICKLED.get(id(value))
    if entry is not None and entry[0] is value:
        return pickle.loads(entry[1])  # noqa: S301 (our own bytes)
    return copy.deepcopy(value)


def cache_expressions() -> Callable[[], None]:
    """Parse each condition and update expression once; returns the function that undoes it.

    moto 5.2.5 parses every ConditionExpression (and FilterExpression) twice per write, in the handler and
    in the backend (250 us each here), and every UpdateExpression twice (400 us). A condition parse
    depends on the text, the names and only the *types* of the values; it is cached as a pickled tree in
    which each value is a placeholder, and each call unpickles a fresh tree bound to its own values
    (9 us), so no tree is shared between calls. The same call first runs moto's own parse when the
    entry is missing, so errors (unknown names, bad syntax) are raised exactly as before and never
    cached. An update expression's tree depends on its text only, and in moto 5.2.5 nobody changes the
    tree `make` returns: the handlers only read it (`find_clauses`) and the validator deep-copies it
    before rewriting its copy; so one tree per text is shared, and the validator's copy is unpickled from
    the cached bytes (see _copy_tree). tests/functional/test_emulator_query_speedups.py checks that the
    shared trees are unchanged after every kind of update.
    """
    from moto.dynamodb.comparisons import ConditionExpressionParser
    from moto.dynamodb.parsing import validators
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    stock_parse, stock_make = ConditionExpressionParser.parse, UpdateExpressionParser.make.__func__

    def parse(self: ConditionExpressionParser) -> Any:
        key = _condition_key(self) if self.condition_expression else None
        entry = _CONDITIONS.get(key) if key is not None else None
        if entry is not None:
            return _from_template(entry, self)
        op = stock_parse(self)
        if key is not None and key not in _CONDITIONS:
            if len(_CONDITIONS) >= CACHE_ENTRIES:
                _CONDITIONS.clear()
            _CONDITIONS[key] = _condition_template(stock_parse, self)
        return op

    def make(cls: type, expression_str: str) -> Any:
        entry = _UPDATES.get(expression_str)
        if entry is None:
            if len(_UPDATES) >= CACHE_ENTRIES:
                _UPDATES.clear()
                _PICKLED.clear()
                _CHECKED.clear()
            tree = stock_make(cls, expression_str)
            entry = _UPDATES[expression_str] = _PICKLED[id(tree)] = (
                tree, pickle.dumps(tree, protocol=pickle.HIGHEST_PROTOCOL), expression_str)
        return entry[0]

    ConditionExpressionParser.parse = parse  # type: ignore[method-assign]
    UpdateExpressionParser.make = classmethod(make)  # type: ignore[assignment, method-assign]
    validators.deepcopy = _copy_tree

    def undo() -> None:
        ConditionExpressionParser.parse = stock_parse  # type: ignore[method-assign]
        UpdateExpressionParser.make = classmethod(stock_make)  # type: ignore[assignment, method-assign]
        validators.deepcopy = copy.deepcopy
        _CONDITIONS.clear()
        _UPDATES.clear()
        _PICKLED.clear()
        _CHECKED.clear()

    return undo


_SUBCLASS: dict[tuple[type, Any], bool] = {}


def _is(node: Any, classes: Any) -> bool:
    """isinstance(node, classes), remembered per class: moto's AST classes are ABCs (slow isinstance), and
    none is ever registered as a virtual subclass, so the answer for a class never changes."""
    key = (type(node), classes)
    found = _SUBCLASS.get(key)
    if found is None:
        found = _SUBCLASS[key] = isinstance(node, classes)
    return found


_PROCESSED: dict[type, tuple[type, ...]] = {}


def _processed(traverser: Any) -> tuple[type, ...]:
    """`nodes_to_be_processed()` per traverser class: in moto 5.2.5 every `_processing_map` is a dict
    literal, so its keys depend on the class only (the method itself rebuilds the dict for every node)."""
    found = _PROCESSED.get(type(traverser))
    if found is None:
        found = _PROCESSED[type(traverser)] = traverser.nodes_to_be_processed()
    return found


def _checked_key(validator: Any, expression: Any) -> Any:
    """(text, names) of a validator built on a tree from the expression cache; else None."""
    entry = _PICKLED.get(id(expression))
    names = validator.expression_attribute_names
    if entry is None or entry[0] is not expression or not isinstance(names, dict | None):
        return None
    try:
        key = (entry[2], None if names is None else frozenset(names.items()))
        hash(key)
    except TypeError:
        return None
    return key


def _validate(self: Any) -> Any:
    """moto 5.2.5's `Validator.validate`, minus its first two walks for a (text, names) they accepted.

    The first two processors of an UpdateExpressionValidator, ActionCountValidator and
    OverlappingPathsValidator, only read the freshly parsed tree and the names (no item, no values) and
    either raise or pass; both walk every node and search the subtree from each (O(n^2)).
    """
    from moto.dynamodb.parsing.validators import ActionCountValidator, OverlappingPathsValidator

    node, processors = self.node_to_validate, self.processors
    key = self.__dict__.get("_motcua_key")
    pure = key is not None and [type(p) for p in processors[:2]] == [ActionCountValidator,
                                                                       OverlappingPathsValidator]
    skip = 2 if pure and key in _CHECKED else 0
    for index, processor in enumerate(processors[skip:], start=skip):
        node = processor.traverse(node)
        if pure and index == 1:
            _CHECKED.add(key)
    return node


def faster_update_validation() -> Callable[[], None]:
    """moto's update-expression validator with its isinstance checks remembered; returns the undo.

    moto 5.2.5 validates every UpdateExpression against the item with ten tree walks
    (`DepthFirstTraverser`), each testing every node with isinstance against ABC classes: a third of a
    validation. The three functions below are moto's own, line for line, with `_is` for isinstance and
    `_processed` for `self.nodes_to_be_processed()`. With cache_expressions (whose shared trees identify
    the text), the two item-independent checks run once per (text, names): see _validate.
    """
    from moto.dynamodb.parsing import ast_nodes
    from moto.dynamodb.parsing.validators import UpdateExpressionValidator

    Node, Traverser = ast_nodes.Node, ast_nodes.DepthFirstTraverser
    stock_init = UpdateExpressionValidator.__init__
    stock = (Traverser.process, Traverser.traverse_node_recursively, Node.find_clauses)

    def process(self: Any, node: Any) -> Any:
        for class_key, processor in self._processing_map().items():
            if _is(node, class_key):
                return processor(node)
        return None

    def traverse_node_recursively(self: Any, node: Any, child_id: int = -1) -> Any:
        if _is(node, Node):
            parent_node = node.parent
            if node.children is not None:
                for i, child_node in enumerate(node.children):
                    self.pre_processing_of_child(node, i)
                    self.traverse_node_recursively(child_node, i)
            if _is(node, _processed(self)):
                node = self.process(node)
                node.parent = parent_node
                if parent_node:
                    parent_node.children[child_id] = node
        return node

    def find_clauses(self: Any, clause_types: Any) -> list[Any]:
        clauses = []
        for child in self.children or []:
            if type(child) in clause_types:
                clauses.append(child)
            elif _is(child, ast_nodes.Expression) or _is(child, ast_nodes.UpdateExpressionFunction):
                clauses.extend(child.find_clauses(clause_types))
        return clauses

    def __init__(self: Any, expression: Any, *args: Any, **kwargs: Any) -> None:
        stock_init(self, expression, *args, **kwargs)
        self._motcua_key = _checked_key(self, expression)

    Traverser.process, Traverser.traverse_node_recursively, Node.find_clauses = (  # type: ignore[method-assign]
        process, traverse_node_recursively, find_clauses)
    UpdateExpressionValidator.__init__, UpdateExpressionValidator.validate = __init__, _validate

    def undo() -> None:
        Traverser.process, Traverser.traverse_node_recursively, Node.find_clauses = stock  # type: ignore[method-assign]
        del UpdateExpressionValidator.__init__, UpdateExpressionValidator.validate

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
