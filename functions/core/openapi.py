"""The one OpenAPI 3.1 document for the whole API (functions/core/openapi.json)."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

DOCUMENT = Path(__file__).resolve().parent / "openapi.json"


@lru_cache(maxsize=1)
def document_bytes() -> bytes:
    """The document as served at /api/openapi.json."""
    return DOCUMENT.read_bytes()


def document() -> dict[str, Any]:
    """The document parsed."""
    return json.loads(document_bytes())


def operations() -> dict[tuple[str, str], str]:
    """(METHOD, path) -> operationId for every documented operation."""
    methods = {"get", "put", "post", "delete", "patch", "head", "options"}
    return {
        (method.upper(), path): op["operationId"]
        for path, item in document()["paths"].items()
        for method, op in item.items()
        if method in methods
    }
