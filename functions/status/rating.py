"""rateApplication: the citizen's rating of how their settled application was handled ("đánh giá").
The rules are in core/domain/rating.py.

One rating per application, which its owner may change for 7 days. It goes through the application store
with its timeline event and the statistics: the level's counter in the cell of the month it was first
given (a change moves the count from the old level to the new one in that same cell).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core import store
from functions.core.applications import visible_application
from functions.core.domain import rating, stats
from functions.core.errors import Conflict, NotFound
from functions.core.sessions import Principal


def rate(principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
    """Give or change the rating of one's own settled application; answers the rating as stored."""
    app = visible_application(principal, raw_code)
    if app.owner_id != principal.user_id:
        raise NotFound()  # officers see ratings, only the applicant gives one
    earlier = app.rating
    kept = rating.checked(body, app.status, earlier, now)
    month = stats.month_of(datetime.fromisoformat(kept["first_rated_at"]))
    data = {"action": "rate", "level": kept["level"], "reasons": kept["reasons"],
            **({"previous_level": earlier["level"]} if earlier else {})}
    change = store.Change("rated", actor={"user_id": principal.user_id, "role": "citizen"}, data=data,
                          sets={"rating": kept}, counts=rating.counts(kept, earlier), count_month=month)
    try:
        store.apply(app, change, now)
    except store.Refused as exc:
        raise Conflict() from exc
    return {"rating": kept}
