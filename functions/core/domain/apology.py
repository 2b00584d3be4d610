"""The apology for a late application ("Phiếu xin lỗi và hẹn lại ngày trả kết quả"). Pure.

An application past its due date and still undecided owes the citizen an apology before the officer takes
any other step (lifecycle.apology_owed). The apology gives a reason and a new date, counted in working
days from now; the new date becomes the due date the queue shows. The application stays counted as late.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from functions.core.domain.deadlines import due_date
from functions.core.errors import InvalidTransition, ValidationFailed

REASON_MIN, REASON_MAX = 3, 1000
DAYS_MAX = 30


def checked(raw: dict[str, Any], owed: bool, status: str, now: datetime) -> dict[str, Any]:
    """The apology's reason and new date from an officer's request; 409 when none is owed."""
    if not owed:
        raise InvalidTransition(details={"action": "issue_apology", "status": status})
    fields: dict[str, str] = {}
    reason = raw.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        fields["reason"] = "required" if reason is None or isinstance(reason, str) else "invalid_type"
    elif len(reason.strip()) < REASON_MIN:
        fields["reason"] = "too_short"
    elif len(reason) > REASON_MAX:
        fields["reason"] = "too_long"
    days = raw.get("working_days")
    if days is None:
        fields["working_days"] = "required"
    elif not isinstance(days, int) or isinstance(days, bool):
        fields["working_days"] = "invalid_type"
    elif days < 1:
        fields["working_days"] = "too_small"
    elif days > DAYS_MAX:
        fields["working_days"] = "too_large"
    if fields:
        raise ValidationFailed(details={"fields": fields})
    new_date: date = due_date(now, days)
    return {"reason": reason.strip(), "working_days": days, "new_due_date": new_date.isoformat()}
