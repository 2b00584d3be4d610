"""Complaints ("phản ánh, kiến nghị"): their lifecycle, levels, receipt codes, due dates and input. Pure.

A complaint is filed about one of the citizen's applications, or generally to a commune. It waits for an
answer (`open`), is answered, then accepted or reopened once with a reason (`reopened` waits again):

    open --answer--> answered --accept--> accepted
                     answered --reopen (once)--> reopened --answer--> answered ...

While it waits, it sits at a level: the commune's officers, then the commune's supervisor, then the admin.
Past its due date and still unanswered, the scheduled sweep moves it up one level with a new due date;
levels only go up, so each escalation happens at most once. Due dates are working days from the moment
(deadlines.py); the period is a setting per commune (`MOTCUA_FEEDBACK_ANSWER_DAYS`), default
`DEFAULT_ANSWER_DAYS`. No legal basis for the default was verified here, so it is configurable.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from functions.core.domain import codes
from functions.core.domain.deadlines import due_date, due_moment
from functions.core.errors import InvalidTransition, ReopenUsed, ValidationFailed

PREFIX = "PA"  # "phản ánh": no procedure may take this code prefix
STATES = ("open", "answered", "reopened", "accepted")
AWAITING = frozenset({"open", "reopened"})  # waiting for an answer: in a queue, escalated when late
LEVELS = ("commune", "supervisor", "admin")
# (state, action) -> the state it leads to; escalation is not here: it changes the level, not the state.
TRANSITIONS: dict[tuple[str, str], str] = {
    ("open", "answer"): "answered",
    ("reopened", "answer"): "answered",
    ("answered", "accept"): "accepted",
    ("answered", "reopen"): "reopened",
}
# Who answers at each level: the level's own role, or any role above it.
ANSWERERS: dict[str, frozenset[str]] = {
    "commune": frozenset({"officer", "supervisor", "admin"}),
    "supervisor": frozenset({"supervisor", "admin"}),
    "admin": frozenset({"admin"}),
}
CATEGORIES = ("service_quality", "staff_attitude", "delay", "fees", "procedure_rules", "facilities", "other")
TEXT_MAX = 2000
REASON_MAX = 1000
PHOTOS_MAX = 3
# Complaint photos pass the one upload gate under a purpose of their own instead of a procedure's slot, so a
# procedure's page can never be a complaint's photo, nor the other way round.
PHOTO_PURPOSE = "feedback"
PHOTO_SLOT = {"id": "photo", "label": {"vi": "Ảnh kèm phản ánh", "en": "Photo with the complaint"},
              "required": False, "min_pages": 0, "max_pages": PHOTOS_MAX,
              "accept": ["image/jpeg", "image/png", "image/heic"], "max_bytes": 10_000_000}
REOPENS_MAX = 1
DEFAULT_ANSWER_DAYS = 10


def transition(state: str, action: str, reopens: int = 0) -> str:
    """The state after `action`; InvalidTransition when the state does not allow it, ReopenUsed on a second reopen."""
    if action == "reopen" and reopens >= REOPENS_MAX:
        raise ReopenUsed(details={"reopens": reopens})
    target = TRANSITIONS.get((state, action))
    if target is None:
        raise InvalidTransition(details={"action": action, "status": state})
    return target


def may_answer(role: str, level: str) -> bool:
    """Whether someone in `role` answers a complaint waiting at `level`."""
    return role in ANSWERERS.get(level, frozenset())


def next_level(level: str) -> str | None:
    """The level above, or None at the top."""
    index = LEVELS.index(level)
    return LEVELS[index + 1] if index + 1 < len(LEVELS) else None


def escalation(state: str, level: str, due_at: datetime, now: datetime) -> str | None:
    """The level a complaint moves up to now (unanswered past its due moment), or None."""
    if state not in AWAITING or now <= due_at:
        return None
    return next_level(level)


def answer_days(table: Mapping[str, int], commune_code: str) -> int:
    """The commune's answer period in working days: its own setting, else the default one."""
    return int(table.get(commune_code, table.get("default", DEFAULT_ANSWER_DAYS)))


def due(now: datetime, working_days: int) -> tuple[date, datetime]:
    """The due date counted from `now`, and its end of office day (what queues sort by)."""
    day = due_date(now, working_days)
    return day, due_moment(day)


def new_code(now: datetime, token: str | None = None) -> str:
    """A fresh receipt code, e.g. `PA-2611-7K3QF9` (the application code format, with its own prefix)."""
    return codes.new_code(PREFIX, now, token)


def normalize_code(raw: str) -> str | None:
    """A typed receipt code in canonical form, or None when it cannot be a complaint's."""
    code = codes.normalize(raw)
    return code if code and code.startswith(f"{PREFIX}-") else None


def queue_key(commune_code: str, level: str) -> str:
    """The queue a waiting complaint sits in: its level in its commune (one queue for the admin)."""
    return "admin" if level == "admin" else f"{level}#{commune_code}"


def _text(raw: Any, limit: int, fields: dict[str, str], name: str) -> str:  # noqa: ANN401
    """A required text, stripped; its field code is recorded when it is missing, blank, not text or too long."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        fields[name] = "required"
    elif not isinstance(raw, str):
        fields[name] = "invalid_type"
    elif len(raw) > limit:
        fields[name] = "too_long"
    else:
        return raw.strip()
    return ""


def _photos(raw: Any, fields: dict[str, str]) -> list[str]:  # noqa: ANN401
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        fields["photos"] = "invalid_type"
    elif len(raw) > PHOTOS_MAX:
        fields["photos"] = "too_long"
    elif len(set(raw)) != len(raw):
        fields["photos"] = "duplicate"
    else:
        return list(raw)
    return []


def checked_filing(raw: Mapping[str, Any]) -> dict[str, Any]:
    """What a new complaint keeps: text, category (or None), photo document ids; ValidationFailed otherwise."""
    fields: dict[str, str] = {}
    text = _text(raw.get("text"), TEXT_MAX, fields, "text")
    category = raw.get("category")
    if category is not None and category not in CATEGORIES:
        fields["category"] = "not_allowed" if isinstance(category, str) else "invalid_type"
    photos = _photos(raw.get("photos"), fields)
    has_app, has_commune = raw.get("application_code") is not None, raw.get("commune_code") is not None
    if has_app == has_commune:
        fields["application_code" if has_app else "commune_code"] = "not_allowed" if has_app else "required"
    if fields:
        raise ValidationFailed(details={"fields": fields})
    return {"text": text, "category": category, "photos": photos}


def checked_text(raw: Mapping[str, Any], name: str, limit: int) -> str:
    """One required text field (an answer, a reason to reopen), stripped; ValidationFailed otherwise."""
    fields: dict[str, str] = {}
    text = _text(raw.get(name), limit, fields, name)
    if fields:
        raise ValidationFailed(details={"fields": fields})
    return text


def received_counts() -> dict[str, int]:
    """What filing adds to the statistics cell of its month."""
    return {"complaints_received": 1}


def answer_counts(first_answer: bool, now: datetime, first_due_at: datetime) -> dict[str, int]:
    """What an answer adds: the first answer, given by the first due moment, is counted as on time."""
    return {"complaints_answered_on_time": 1} if first_answer and now <= first_due_at else {}
