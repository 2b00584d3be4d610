"""The tiny condition language of procedure files: `{"field": f, "equals": v}` or `{"field": f, "in": [...]}`.

The PWA evaluates the same conditions (pwa/js/procedure-rules.js) to show fields and slots.
"""

from __future__ import annotations

from typing import Any


def matches(condition: dict[str, Any], answers: dict[str, Any]) -> bool:
    """Whether the answers satisfy the condition; a missing answer never matches."""
    if condition["field"] not in answers:
        return False
    value = answers[condition["field"]]
    if "equals" in condition:
        return _same(value, condition["equals"])
    return any(_same(value, option) for option in condition["in"])


def _same(value: Any, expected: Any) -> bool:
    # JSON booleans are ints in Python: True must not equal 1 here.
    return type(value) is type(expected) and value == expected
