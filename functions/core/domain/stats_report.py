"""Public statistics from the counter cells: month ranges, sums, the rates against the seeds' targets. Pure.

Suppression: a rate whose denominator is under `SUPPRESS_BELOW` is shown as "<5", never as a number, so
nobody can be singled out. Counts stay exact integers (one commune and one month included).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from functions.core.domain.procedures import Procedure
from functions.core.domain.stats import COUNTERS, RATING_LEVELS, STEP_DAY_BUCKETS
from functions.core.errors import ValidationFailed

MAX_MONTHS = 24
DEFAULT_MONTHS = 12
SUPPRESS_BELOW = 5
SUPPRESSED = "<5"
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")

# id -> (comparison, target); None: no numeric target (shown against nothing, lower is better).
TARGETS: dict[str, tuple[str, float] | None] = {
    "satisfied": (">", 0.90),
    "fee_procedures_online": (">=", 0.80),
    "paid_online": (">=", 0.30),
    "fully_online": (">=", 1.0),
    "on_time": (">=", 1.0),
    "average_decision_days": None,
}
DEFINITIONS = {
    "satisfied": "Share of ratings at level 4 or 5 (satisfied, very satisfied) among all ratings.",
    "fee_procedures_online": "Share of fee-bearing procedures in the catalog that can be paid online.",
    "paid_online": "Share of fee payments made online: paid online / (paid online + paid at the counter).",
    "fully_online": "Share of applications received online among all received (online, assisted, counter).",
    "on_time": "Share of decisions made by the due date: on time / (on time + late).",
    "average_decision_days": "Average working days from receipt to decision: sum of working days / decided.",
}


@dataclass(frozen=True)
class MonthRange:
    """An inclusive range of `YYYY-MM` months."""

    first: str
    last: str

    @property
    def months(self) -> list[str]:
        """Every month of the range, oldest first."""
        return [_month_text(i) for i in range(_index(self.first), _index(self.last) + 1)]


def _index(month: str) -> int:
    year, mon = month.split("-")
    return int(year) * 12 + int(mon) - 1


def _month_text(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def shift(month: str, by: int) -> str:
    """The month `by` months after (negative: before) `month`; never before 0000-01."""
    return _month_text(max(0, _index(month) + by))


def month_range(args: Mapping[str, str], current: str) -> MonthRange:
    """`month`, or `from`/`to`, or the last 12 months up to `current`; ValidationFailed with field codes."""
    fields: dict[str, str] = {}
    given = {name: args[name] for name in ("month", "from", "to") if args.get(name) is not None}
    for name, value in given.items():
        if not _MONTH.match(value):
            fields[name] = "bad_format"
        elif _index(value) > _index(current):
            fields[name] = "in_future"
    if "month" in given and ("from" in given or "to" in given):
        fields.setdefault("month", "not_with_range")
    if fields:
        raise ValidationFailed(details={"fields": fields})
    if "month" in given:
        return MonthRange(given["month"], given["month"])
    last = given.get("to", current)
    first = given.get("from", shift(last, -(DEFAULT_MONTHS - 1)))
    if _index(first) > _index(last):
        raise ValidationFailed(details={"fields": {"from": "range_reversed"}})
    if _index(last) - _index(first) + 1 > MAX_MONTHS:
        raise ValidationFailed(details={"fields": {"from": "range_too_long"}})
    return MonthRange(first, last)


def total(cells: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Every counter summed over the cells (a missing counter is 0)."""
    sums = dict.fromkeys(COUNTERS, 0)
    for cell in cells:
        for name in COUNTERS:
            sums[name] += int(cell.get(name) or 0)
    return sums


def by_month(cells: Iterable[Mapping[str, Any]], months: list[str]) -> dict[str, dict[str, int]]:
    """The counters summed per month, every month of the range present."""
    grouped: dict[str, list[Mapping[str, Any]]] = {month: [] for month in months}
    for cell in cells:
        if cell.get("month") in grouped:
            grouped[cell["month"]].append(cell)
    return {month: total(group) for month, group in grouped.items()}


def received(sums: Mapping[str, int]) -> int:
    """Applications received through every channel."""
    return sums["received_online"] + sums["received_assisted"] + sums["received_counter"]


def ratio(numerator: int, denominator: int, digits: int = 4) -> float | str:
    """numerator / denominator, or "<5" when the denominator is under 5 (nobody singled out)."""
    if denominator < SUPPRESS_BELOW:
        return SUPPRESSED
    return round(numerator / denominator, digits)


def fee_procedures_online(procedures: Iterable[Procedure]) -> tuple[int, int]:
    """(fee-bearing procedures payable online, fee-bearing procedures) in the catalog."""
    fee_bearing = [p for p in procedures if _has_fee(p.raw["fee"])]
    # Every catalog procedure is paid through the pay function unless its file says otherwise.
    online = [p for p in fee_bearing if p.raw.get("online_payment", True)]
    return len(online), len(fee_bearing)


def _has_fee(fee: Mapping[str, Any]) -> bool:
    return int(fee["vnd"]) > 0 or any(int(rule["vnd"]) > 0 for rule in fee["rules"])


def rates(sums: Mapping[str, int], catalog_online: tuple[int, int] | None = None) -> dict[str, dict[str, Any]]:
    """Each rate with its value (or "<5"), its denominator, its target and whether the target is met."""
    ratings = sum(sums[f"rating_{level}"] for level in RATING_LEVELS)
    parts = {
        "satisfied": (sums["rating_4"] + sums["rating_5"], ratings),
        "paid_online": (sums["paid_online"], sums["paid_online"] + sums["paid_counter"]),
        "fully_online": (sums["received_online"], received(sums)),
        "on_time": (sums["on_time"], sums["on_time"] + sums["late"]),
    }
    out = {name: _rate(name, ratio(n, d), d) for name, (n, d) in parts.items()}
    if catalog_online is not None:  # about procedures, not people: never suppressed
        online, fee_bearing = catalog_online
        value = round(online / fee_bearing, 4) if fee_bearing else None
        out["fee_procedures_online"] = _rate("fee_procedures_online", value, fee_bearing)
    decided = sums["decided"]
    out["average_decision_days"] = _rate("average_decision_days",
                                         ratio(sums["decision_working_days"], decided, 1), decided)
    return out


def _rate(name: str, value: float | str | None, denominator: int) -> dict[str, Any]:
    target = TARGETS[name]
    met = None
    if target is not None and isinstance(value, float | int):
        met = value > target[1] if target[0] == ">" else value >= target[1]
    return {"value": value, "denominator": denominator, "target": target[1] if target else None,
            "comparison": target[0] if target else None, "met": met, "definition": DEFINITIONS[name]}


def figures(sums: Mapping[str, int]) -> dict[str, Any]:
    """The counts a reader sees: exact integers, never suppressed."""
    return {
        "received": received(sums),
        "received_by_channel": {"online": sums["received_online"], "assisted": sums["received_assisted"],
                                "counter": sums["received_counter"]},
        "decided": sums["decided"], "on_time": sums["on_time"], "late": sums["late"],
        "rejected": sums["rejected"], "withdrawn": sums["withdrawn"],
        "supplement_requests": sums["supplement_requests"], "fee_bearing": sums["fee_bearing"],
        "paid_online": sums["paid_online"], "paid_at_counter": sums["paid_counter"],
        "decision_working_days": sums["decision_working_days"],
        "ratings": {str(level): sums[f"rating_{level}"] for level in RATING_LEVELS},
        "complaints": {"received": sums["complaints_received"],
                       "answered_on_time": sums["complaints_answered_on_time"]},
    }


def series(cells: Iterable[Mapping[str, Any]], months: list[str]) -> list[dict[str, Any]]:
    """Per month, for the charts: the counts behind the bars and the rates behind the lines."""
    out = []
    for month, sums in by_month(cells, months).items():
        month_rates = rates(sums)
        out.append({"month": month, "received": received(sums), "received_online": sums["received_online"],
                    "decided": sums["decided"], "on_time": sums["on_time"], "late": sums["late"],
                    "paid_online": sums["paid_online"], "paid_at_counter": sums["paid_counter"],
                    **{f"{name}_rate": month_rates[name]["value"]
                       for name in ("satisfied", "paid_online", "fully_online", "on_time")}})
    return out


def bucket_label(bucket: str) -> str:
    """A step-days bucket as people read it: "0", "4-5", "11+"."""
    for name, low, high in STEP_DAY_BUCKETS:
        if name == bucket:
            return str(low) if high == low else (f"{low}+" if high is None else f"{low}-{high}")
    raise KeyError(bucket)


def median_bucket(histogram: Mapping[str, int]) -> str | None:
    """The label of the bucket holding the (lower) median step, from a step_days_* histogram; None if empty."""
    counts = [(name, int(histogram.get(f"step_days_{name}") or 0)) for name, _, _ in STEP_DAY_BUCKETS]
    steps = sum(count for _, count in counts)
    if steps == 0:
        return None
    seen = 0
    for name, count in counts:
        seen += count
        if 2 * seen >= steps:
            return bucket_label(name)
    return None  # unreachable: the last bucket always reaches the total


def processing_times(procedures: Iterable[Procedure]) -> list[dict[str, Any]]:
    """Each procedure's legal period and, when it declares one, the shorter online period (working days)."""
    return [{"procedure_id": p.id, "name": p.name, "working_days": p.processing_days,
             "online_working_days": p.online_processing_days} for p in procedures]
