"""Validate a form's answers against the procedure's JSON Schema and name each failing field.

The PWA renders the form from the same schema; the server is the gate. Each failure becomes
`{"answers.<field>": "<code>"}` so the PWA can show the text next to the field.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # jsonschema costs ~80 ms to import: load it on the first submission, not at cold start
    from jsonschema import Draft202012Validator
    from jsonschema.exceptions import ValidationError

# jsonschema keyword -> our stable field code.
_CODES = {
    "required": "required",
    "type": "invalid_type",
    "enum": "not_allowed",
    "const": "not_allowed",
    "minLength": "too_short",
    "maxLength": "too_long",
    "pattern": "bad_format",
    "format": "bad_format",
    "minimum": "too_small",
    "maximum": "too_large",
    "additionalProperties": "unknown_field",
}


@lru_cache(maxsize=32)
def _validator(schema_json: str) -> Draft202012Validator:
    """One compiled validator per distinct schema (the catalog has a handful)."""
    from jsonschema import Draft202012Validator, FormatChecker

    schema = json.loads(schema_json)
    Draft202012Validator.check_schema(schema)
    return Draft202012Validator(schema, format_checker=FormatChecker())


def validate(schema: dict[str, Any], answers: Any) -> dict[str, str]:
    """Field path -> code for every problem; empty when the answers are valid."""
    if not isinstance(answers, dict):
        return {"answers": "invalid_type"}
    validator = _validator(json.dumps(schema, sort_keys=True))
    fields: dict[str, str] = {}
    for error in validator.iter_errors(answers):
        for path in _paths(error, schema):
            fields.setdefault(path, _CODES.get(str(error.validator), "not_valid"))
    return dict(sorted(fields.items()))


def _paths(error: ValidationError, schema: dict[str, Any]) -> list[str]:
    """The answer fields an error is about (a `required` error is about the missing fields, not the object)."""
    base = ".".join(["answers", *(str(part) for part in error.absolute_path)])
    if error.validator == "required" and isinstance(error.instance, dict):
        return [f"{base}.{name}" for name in error.validator_value if name not in error.instance]
    if error.validator == "additionalProperties" and isinstance(error.instance, dict):
        known = schema.get("properties", {})
        return [f"{base}.{name}" for name in error.instance if name not in known]
    return [base]
