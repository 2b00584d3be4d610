"""The one OpenAPI 3.1 document for the whole API (functions/core/openapi.json), and the one request check
against it: every operation's path and query parameters and JSON body are validated at the route (http.py
calls `check_request`), so no service re-checks the shape of its input. Validators are built lazily, once
per process: jsonschema costs ~80 ms to import, which a cold start should not pay for a plain GET."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from functions.core.errors import ValidationFailed

if TYPE_CHECKING:
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

DOCUMENT = Path(__file__).resolve().parent / "openapi.json"
URI = "urn:motcua:openapi"
METHODS = ("get", "put", "post", "delete", "patch")
# Formats checked everywhere alike (others, e.g. `uri`, depend on optional packages: patterns say it instead).
FORMATS = ("date", "uuid")
# jsonschema keyword -> our stable field code (the PWA has a text for each).
FIELD_CODES = {
    "required": "required", "type": "invalid_type", "enum": "not_allowed", "const": "not_allowed",
    "minLength": "too_short", "maxLength": "too_long", "pattern": "bad_format", "format": "bad_format",
    "minimum": "too_small", "exclusiveMinimum": "too_small", "maximum": "too_large",
    "exclusiveMaximum": "too_large", "minItems": "too_short", "maxItems": "too_long",
    "minProperties": "required", "additionalProperties": "unknown_field", "uniqueItems": "duplicate",
    None: "unknown_field",  # a `false` subschema: this property may not be sent here
}
# When one field breaks several rules, the most basic one is named.
_PRIORITY = ("required", "invalid_type", "unknown_field", "too_short", "too_long")


@lru_cache(maxsize=1)
def document_bytes() -> bytes:
    """The document as served at /api/openapi.json."""
    return DOCUMENT.read_bytes()


def document() -> dict[str, Any]:
    """The document parsed (a fresh copy the caller may change)."""
    return json.loads(document_bytes())


@lru_cache(maxsize=1)
def _document() -> dict[str, Any]:
    """The document parsed once, read-only."""
    return document()


def operations() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> operationId for every documented operation."""
    return {
        (method.upper(), path): op["operationId"]
        for path, item in _document()["paths"].items()
        for method, op in item.items()
        if method in METHODS
    }


@dataclass(frozen=True)
class Param:
    """One path or query parameter of an operation."""

    name: str
    where: str
    required: bool
    schema: dict[str, Any]
    pointer: str


@dataclass(frozen=True)
class Operation:
    """What the request check needs to know about one documented operation."""

    operation_id: str
    params: tuple[Param, ...]
    body: str | None  # JSON pointer of the body's schema
    body_required: bool
    login: bool  # documents 401: an anonymous caller hears that before anything about its input


def route_path(function: str, rule: str) -> str:
    """The documented path of a Flask rule of `function` ("/applications/<code>" -> "/api/status/...{code}")."""
    return f"/api/{function}" + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule)


def _escape(segment: str) -> str:
    return segment.replace("~", "~0").replace("/", "~1")


@cache
def operation(method: str, path: str) -> Operation | None:
    """The documented operation for a method and documented path, or None."""
    item = _document()["paths"].get(path, {})
    op = item.get(method.lower())
    if op is None:
        return None
    base = f"/paths/{_escape(path)}/{method.lower()}"
    params = tuple(
        Param(p["name"], p["in"], bool(p.get("required")), p["schema"], f"{base}/parameters/{i}/schema")
        for i, p in enumerate(op.get("parameters", [])) if p["in"] in ("path", "query"))
    body = op.get("requestBody", {})
    json_body = body.get("content", {}).get("application/json")
    return Operation(op["operationId"], params,
                     f"{base}/requestBody/content/application~1json/schema" if json_body else None,
                     bool(body.get("required")), "401" in op["responses"])


def check_request(op: Operation, path_args: Mapping[str, Any], query: Mapping[str, str], body: Any) -> None:
    """Raise ValidationFailed naming every parameter and body field that breaks the document."""
    fields: dict[str, str] = {}
    for param in op.params:
        raw = (path_args if param.where == "path" else query).get(param.name)
        if raw is None:
            if param.required:
                fields[param.name] = "required"
            continue
        if _trivial(param.schema):
            continue
        fields.update(field_codes(validator(param.pointer).iter_errors(_coerce(raw, param.schema)), param.name))
    if op.body is not None and body is not None:
        fields.update(field_codes(validator(op.body).iter_errors(body)))
    if fields:
        raise ValidationFailed(details={"fields": dict(sorted(fields.items()))})


def _trivial(schema: Mapping[str, Any]) -> bool:
    """A plain string parameter: every value passes, so no validator (nor jsonschema) is needed."""
    return schema.get("type") == "string" and not set(schema) - {"type", "description", "examples"}


def _coerce(raw: str, schema: Mapping[str, Any]) -> Any:
    """A query or path value as the type its schema says, when it reads as one (else left a string)."""
    kind = schema.get("type")
    if kind == "integer" and re.fullmatch(r"-?[0-9]{1,18}", raw):
        return int(raw)
    if kind == "boolean" and raw in ("true", "false"):
        return raw == "true"
    return raw


@cache
def validator(pointer: str) -> Draft202012Validator:
    """A Draft 2020-12 validator for the schema at `pointer` in the document, its `$ref`s resolved in it."""
    from jsonschema import Draft202012Validator, FormatChecker

    return Draft202012Validator({"$ref": f"{URI}#{pointer}"}, registry=_registry(),
                                format_checker=FormatChecker(FORMATS))


@lru_cache(maxsize=1)
def _registry() -> Any:  # noqa: ANN401
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT202012

    return Registry().with_resource(URI, Resource(contents=_document(), specification=DRAFT202012))


def field_codes(errors: Iterator[ValidationError], prefix: str = "") -> dict[str, str]:
    """Dotted field path -> code for every error, e.g. {"phone": "too_long", "documents.0.slot": "required"}."""
    fields: dict[str, str] = {}
    for error in errors:
        for path, code in _described(error, prefix):
            if path not in fields or _rank(code) < _rank(fields[path]):
                fields[path] = code
    return fields


def _rank(code: str) -> int:
    return _PRIORITY.index(code) if code in _PRIORITY else len(_PRIORITY)


def _described(error: ValidationError, prefix: str) -> list[tuple[str, str]]:
    """The fields one error is about and its code (a missing or extra property names that property)."""
    base = ".".join(part for part in [prefix, *(str(p) for p in error.absolute_path)] if part)
    if error.validator in ("oneOf", "anyOf") and error.context:
        from jsonschema.exceptions import best_match

        return _described(best_match(error.context), prefix)
    if error.validator == "required" and isinstance(error.instance, dict):
        return [(_join(base, name), "required") for name in error.validator_value if name not in error.instance]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known, patterns = error.schema.get("properties", {}), error.schema.get("patternProperties", {})
        return [(_join(base, name), "unknown_field") for name in error.instance
                if name not in known and not any(re.search(p, name) for p in patterns)]
    if "propertyNames" in error.absolute_schema_path:  # a key that cannot be a name here: about that key
        return [(_join(base, str(error.instance)), "unknown_field")]
    return [(base, _code(error))]


def _same_kind(value: Any, choices: Any, *, many: bool) -> bool:  # noqa: ANN401
    return any(type(value) is type(choice) for choice in (choices if many else [choices]))


def _join(base: str, name: str) -> str:
    return f"{base}.{name}" if base else name


def _code(error: ValidationError) -> str:
    blank = isinstance(error.instance, str) and not error.instance.strip()
    if blank and error.validator in ("minLength", "pattern"):
        return "required"  # an empty or blank text was not filled in
    if error.validator == "minItems" and error.instance == []:
        return "required"
    if error.validator == "format" and error.validator_value == "date":
        return "invalid_date"
    if error.validator in ("enum", "const") and not _same_kind(error.instance, error.validator_value,
                                                                 many=error.validator == "enum"):
        return "invalid_type"  # not even the kind of value the choices are
    return FIELD_CODES.get(error.validator, "not_valid")  # type: ignore[arg-type]
