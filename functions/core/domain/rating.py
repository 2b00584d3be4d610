"""Rating the service ("đánh giá"): one rating per settled application, which the citizen may change for
7 days. Pure.

Five levels, 5 = "Rất hài lòng" (very satisfied) down to 1 = "Rất không hài lòng"; optional reasons from a
list kept as data, "other" with a text.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from functions.core.errors import InvalidTransition, RatingClosed, ValidationFailed

LEVELS = (1, 2, 3, 4, 5)
REASONS = ("easy", "staff_attitude", "time_taken", "information_found", "cost", "other")
OTHER_MAX = 500
CHANGE_WINDOW = timedelta(days=7)
# The application's handling is over: completed, rejected, or withdrawn.
RATABLE = frozenset({"completed", "rejected", "withdrawn"})


def checked(raw: dict[str, Any], status: str, earlier: dict[str, Any] | None, now: datetime) -> dict[str, Any]:
    """The rating to store: level, reasons, other text, when, and when first given; typed errors else."""
    if status not in RATABLE:
        raise InvalidTransition(details={"action": "rate", "status": status})
    first = datetime.fromisoformat(earlier["first_rated_at"]) if earlier else now
    if earlier and now > first + CHANGE_WINDOW:
        raise RatingClosed(details={"until": (first + CHANGE_WINDOW).isoformat()})
    fields: dict[str, str] = {}
    level = raw.get("level")
    if level is None:
        fields["level"] = "required"
    elif not isinstance(level, int) or isinstance(level, bool):
        fields["level"] = "invalid_type"
    elif level not in LEVELS:
        fields["level"] = "too_small" if level < LEVELS[0] else "too_large"
    reasons = raw.get("reasons", [])
    if not isinstance(reasons, list) or not all(isinstance(r, str) for r in reasons):
        fields["reasons"] = "invalid_type"
    elif any(r not in REASONS for r in reasons) or len(set(reasons)) != len(reasons):
        fields["reasons"] = "not_allowed"
    other = raw.get("other")
    if isinstance(reasons, list) and "other" in reasons:
        if not isinstance(other, str) or not other.strip():
            fields["other"] = "required"
        elif len(other) > OTHER_MAX:
            fields["other"] = "too_long"
    elif other not in (None, ""):
        fields["other"] = "not_allowed"
    if fields:
        raise ValidationFailed(details={"fields": fields})
    kept = {"level": level, "reasons": list(reasons), "rated_at": now.isoformat(), "first_rated_at": first.isoformat()}
    return {**kept, "other": other.strip()} if "other" in reasons else kept


def counts(rating: dict[str, Any], earlier: dict[str, Any] | None) -> dict[str, int]:
    """What a (changed) rating moves in its cell: the new level up, the earlier one down."""
    moved = {f"rating_{rating['level']}": 1}
    if earlier:
        old = f"rating_{earlier['level']}"
        moved[old] = moved.get(old, 0) - 1
    return {name: n for name, n in moved.items() if n}
