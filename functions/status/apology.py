"""issueApology: the officer's apology for a late application, with a reason and a new date
("Phiếu xin lỗi và hẹn lại ngày trả kết quả"). The rules are in core/domain/apology.py.

It goes through the application store: the apology and the new due date on the application (the queue
sorts by it), its timeline event (the outbox pushes it to the citizen, SMS as fallback), and the officer's
workload cell. The application stays counted as late when it is decided.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core import store
from functions.core.applications import visible_application
from functions.core.domain import apology
from functions.core.domain.deadlines import due_moment
from functions.core.domain.lifecycle import apology_owed
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import Conflict, NotFound
from functions.core.sessions import Principal
from functions.status.desk import Desk, acting_role


def issue(desk: Desk, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Apologise for a late application and set its new date; answers the application as the officer sees it."""
    app = visible_application(principal, raw_code)
    if acting_role(principal, app) != "officer":
        raise NotFound()
    seen = body.get("version")
    if seen is not None and seen != app.version:
        raise Conflict(details={"version": int(app.version)})
    kept = apology.checked(body, apology_owed(app.status, app.due_at, now), app.status, now)
    new_day = datetime.fromisoformat(kept["new_due_date"]).date()
    letter = {**kept, "previous_due_date": app.due_date, "at": now.astimezone(VIETNAM).isoformat()}
    actor = {"user_id": principal.user_id, "role": "officer", **({"name": principal.name} if principal.name else {})}
    change = store.Change("apology", actor=actor, data={"action": "apology", **letter},
                          sets={"apology": letter, "due_date": kept["new_due_date"], "due_at": due_moment(new_day)},
                          officer=store.Officer(principal.user_id, principal.name))
    try:
        store.apply(app, change, now)
    except store.Refused as exc:
        raise Conflict() from exc
    return desk.view(app, "officer", now)
