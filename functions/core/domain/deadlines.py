"""Legal due dates in working days ("ngày làm việc").

Working days are Monday to Friday except Vietnamese public holidays (Tết included, from the `holidays`
package). An application received after 15:00 Vietnam time, or on a day off, counts as received on
the next working day; the period then starts the day after (Bộ luật Dân sự 2015, Article 147).
"""

from __future__ import annotations

from collections.abc import Container
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from functions.core.domain.vntime import VIETNAM

# Nghị định 23/2015 and Luật Hộ tịch: papers received after 15:00 are handled from the next working day.
CUTOFF = time(15, 0)
# Due dates are shown as dates; the officer queue sorts by the end of that office day.
END_OF_OFFICE_DAY = time(17, 0)


@lru_cache(maxsize=8)
def vietnam_holidays(first_year: int, last_year: int) -> frozenset[date]:
    """Public holidays in Vietnam for these years, observed and substituted days included."""
    import holidays  # a large package: imported when a due date is first needed, not at cold start

    return frozenset(holidays.country_holidays("VN", years=range(first_year, last_year + 1)))


def _default_holidays(day: date) -> Container[date]:
    # Two years ahead covers any legal period we ship (at most 60 working days).
    return vietnam_holidays(day.year, day.year + 2)


def is_working_day(day: date, days_off: Container[date] | None = None) -> bool:
    """Monday to Friday and not a public holiday."""
    off = _default_holidays(day) if days_off is None else days_off
    return day.weekday() < 5 and day not in off


def next_working_day(day: date, days_off: Container[date] | None = None) -> date:
    """The first working day strictly after `day`."""
    following = day + timedelta(days=1)
    while not is_working_day(following, days_off):
        following += timedelta(days=1)
    return following


def received_on(moment: datetime, days_off: Container[date] | None = None) -> date:
    """The working day an application received at `moment` counts as received."""
    local = moment.astimezone(VIETNAM)
    day = local.date()
    if is_working_day(day, days_off) and local.time() < CUTOFF:
        return day
    return next_working_day(day, days_off)


def due_date(moment: datetime, working_days: int, days_off: Container[date] | None = None) -> date:
    """The last working day of the legal period for an application received at `moment`."""
    day = received_on(moment, days_off)
    for _ in range(working_days):
        day = next_working_day(day, days_off)
    return day


def due_moment(day: date) -> datetime:
    """The end of the office day of a due date, as an aware moment (for sorting queues)."""
    return datetime.combine(day, END_OF_OFFICE_DAY, tzinfo=VIETNAM)


def working_days_between(start: datetime, end: datetime, days_off: Container[date] | None = None) -> int:
    """Working days from the day an application received at `start` counts as received, to `end`'s day.

    Decided on the day of receipt: 0; on the next working day: 1. Days off in between do not count.
    """
    first, last = received_on(start, days_off), end.astimezone(VIETNAM).date()
    count, day = 0, first
    while True:
        day = next_working_day(day, days_off)
        if day > last:
            return count
        count += 1
