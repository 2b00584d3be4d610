"""Vietnam's time zone: deadlines, daily limits and ages are counted in local dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

VIETNAM = ZoneInfo("Asia/Ho_Chi_Minh")


def local_date(moment: datetime) -> date:
    """The calendar date in Vietnam at an aware moment."""
    return moment.astimezone(VIETNAM).date()
