"""moto 5.2.5 expression work the emulator need not repeat: parsing a condition or update expression on
every call, and the update validator's slow walks. Applied in the emulator process only
(functions/local/speedups.py lists them); tests/functional/test_emulator_query_speedups.py compares every
answer with stock moto's."""

from __future__ import annotations

import copy
import io
import pickle
from collections.abc import Callable
from typing import Any


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
