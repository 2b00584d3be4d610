"""Statistics counters: their names, and the cell that holds them (one commune x procedure x month).

Counters only ever grow, by DynamoDB `ADD` in the same transaction as the change they count (the
application store). A cell's month is the Vietnam-time month of that change. This module is pure.
"""

from __future__ import annotations

from datetime import datetime

from functions.core.domain.deadlines import working_days_between
from functions.core.domain.vntime import VIETNAM

# Channels an application can be received through (the assisted-filing issue adds the last two).
CHANNELS = ("online", "assisted", "counter")
RATING_LEVELS = (1, 2, 3, 4, 5)

COUNTERS = (
    "received_online", "received_assisted", "received_counter",
    "decided", "on_time", "late", "withdrawn", "rejected", "supplement_requests", "fee_bearing",
    "paid_online", "paid_counter",
    "decision_working_days",  # the sum, over decided applications, of working days from receipt to decision
    *(f"rating_{level}" for level in RATING_LEVELS),
    "complaints_received", "complaints_answered_on_time",
)

# Working days a step took since the application's previous change: histogram buckets (inclusive bounds).
STEP_DAY_BUCKETS = (("0", 0, 0), ("1", 1, 1), ("2", 2, 2), ("3", 3, 3), ("4_5", 4, 5), ("6_10", 6, 10),
                    ("11_plus", 11, None))


def month_of(moment: datetime) -> str:
    """The `YYYY-MM` month, in Vietnam time, of an aware moment."""
    return moment.astimezone(VIETNAM).strftime("%Y-%m")


def scope_key(province_code: str) -> str:
    """The partition of a province's cells: one Query reads a province over any range of months."""
    return f"province#{province_code}"


def cell_key(month: str, commune_code: str, procedure_id: str) -> str:
    """The sort key of one cell: months first, so a range of months is one key range."""
    return f"{month}#{commune_code}#{procedure_id}"


def officer_scope(commune_code: str) -> str:
    """The partition of one commune's officer workload cells."""
    return f"officer#{commune_code}"


def officer_cell(month: str, user_id: str) -> str:
    """The sort key of one officer's cell in one month."""
    return f"{month}#{user_id}"


def received(channel: str, fee_vnd: int) -> dict[str, int]:
    """What a new application adds to its cell in the month it is received."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    return {f"received_{channel}": 1, **({"fee_bearing": 1} if fee_vnd > 0 else {})}


def transitioned(action: str, received_at: datetime, at: datetime, due_at: datetime, *, apologised: bool = False
                 ) -> dict[str, int]:
    """What one lifecycle step adds to its cell: decisions (on time or late, with their working days),
    rejections, withdrawals and supplement requests. Other steps add nothing. An application that was
    late once (it carries an apology with a new date) stays late, whatever the new date."""
    if action in ("approve", "reject"):
        counts = {"decided": 1, "on_time" if at <= due_at and not apologised else "late": 1,
                  "decision_working_days": working_days_between(received_at, at)}
        return {**counts, "rejected": 1} if action == "reject" else counts
    if action == "withdraw":
        return {"withdrawn": 1}
    if action == "request_supplement":
        return {"supplement_requests": 1}
    return {}


def paid(channel: str) -> dict[str, int]:
    """What a recorded payment adds: online through the gateway, or at the counter."""
    if channel not in ("online", "counter"):
        raise ValueError(f"unknown payment channel {channel!r}")
    return {f"paid_{channel}": 1}


def step_bucket(previous_change: datetime, at: datetime) -> str:
    """The histogram bucket of an officer step taken `at`, after the application's previous change."""
    days = working_days_between(previous_change, at)
    for name, low, high in STEP_DAY_BUCKETS:
        if days >= low and (high is None or days <= high):
            return f"step_days_{name}"
    raise AssertionError("the buckets cover every count")  # pragma: no cover
