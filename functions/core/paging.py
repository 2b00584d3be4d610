"""Opaque page cursors over DynamoDB's LastEvaluatedKey, checked before they are trusted."""

from __future__ import annotations

import base64
import json
from typing import Any

from functions.core.errors import InvalidCursor


def encode_cursor(key: dict[str, Any]) -> str:
    """The last key of a page as an opaque string for the next request."""
    return base64.urlsafe_b64encode(json.dumps(key, sort_keys=True).encode()).decode().rstrip("=")


def decode_cursor(raw: str, names: set[str], pinned: dict[str, str]) -> dict[str, Any]:
    """A cursor with exactly these string attributes whose `pinned` ones have these values (the caller's
    own partition), or InvalidCursor: a forged one must not read another user's or commune's page."""
    try:
        key = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except (ValueError, TypeError):
        raise InvalidCursor() from None
    if (not isinstance(key, dict) or set(key) != names
            or any(not isinstance(key[n], dict) or set(key[n]) != {"S"} or not isinstance(key[n]["S"], str)
                   for n in names)
            or any(key[name]["S"] != value for name, value in pinned.items())):
        raise InvalidCursor()
    return key
