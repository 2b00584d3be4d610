"""Legal due dates in working days (Tết, weekends, the 15:00 cutoff) and application codes."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime

import pytest

from functions.core.domain import codes
from functions.core.domain.deadlines import due_date, due_moment, is_working_day, received_on
from functions.core.domain.vntime import VIETNAM


def at(day: str, hhmm: str = "10:00") -> datetime:
    return datetime.fromisoformat(f"{day}T{hhmm}:00").replace(tzinfo=VIETNAM)


@pytest.mark.parametrize(("received", "days", "due"), [
    (at("2026-11-23"), 3, "2026-11-27"),            # Mon; Tue 24 Nov is Vietnam Cultural Day
    (at("2026-11-25", "14:59"), 3, "2026-11-30"),   # before the cutoff: counts from Wed
    (at("2026-11-25", "15:00"), 3, "2026-12-01"),   # at 15:00: received Thu
    (at("2026-11-27", "16:00"), 1, "2026-12-01"),   # Fri after 15:00 -> Mon, +1 -> Tue
    (at("2026-11-28"), 1, "2026-12-01"),            # Saturday -> Mon, +1 -> Tue
    (at("2026-11-23"), 0, "2026-11-23"),            # same-day procedures
    (at("2027-02-03", "14:00"), 3, "2027-02-15"),   # Tết 2027: 4-10 Feb are days off
    (at("2027-02-03", "15:30"), 3, "2027-02-16"),   # after the cutoff the day before Tết
    (at("2027-02-06"), 1, "2027-02-12"),            # received on Tết itself
    (at("2026-08-31"), 1, "2026-09-04"),            # substituted day off and National Day: Thu, +1
])
def test_due_date_counts_working_days_after_the_day_of_receipt(received, days, due):
    assert due_date(received, days).isoformat() == due


def test_the_cutoff_is_read_in_vietnam_time_whatever_the_clock_zone():
    # 07:59 UTC is 14:59 in Hanoi; 08:00 UTC is 15:00.
    before = datetime(2026, 11, 25, 7, 59, tzinfo=UTC)
    after = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    assert received_on(before) == date(2026, 11, 25)
    assert received_on(after) == date(2026, 11, 26)


def test_weekends_and_tet_are_not_working_days():
    assert not is_working_day(date(2026, 11, 28)) and not is_working_day(date(2026, 11, 29))
    assert not any(is_working_day(date(2026, 2, d)) for d in range(16, 21))
    assert is_working_day(date(2026, 2, 23))


def test_days_off_can_be_given_explicitly():
    assert due_date(at("2026-11-23"), 1, days_off=set()) == date(2026, 11, 24)
    assert due_date(at("2026-11-23"), 1, days_off={date(2026, 11, 24)}) == date(2026, 11, 25)


def test_the_due_moment_is_the_end_of_that_office_day_in_vietnam():
    assert due_moment(date(2026, 11, 27)).isoformat() == "2026-11-27T17:00:00+07:00"


def test_codes_carry_prefix_month_and_six_crockford_characters():
    code = codes.new_code("HN", datetime(2026, 11, 30, 18, 0, tzinfo=UTC))  # 01:00 on 1 Dec in Hanoi
    assert re.fullmatch(r"HN-2612-[0-9A-HJKMNP-TV-Z]{6}", code)
    many = {codes.new_code("HN", datetime.now(UTC)) for _ in range(2000)}
    assert len(many) == 2000
    assert not set("".join(c[-6:] for c in many)) & set("ILOU")


@pytest.mark.parametrize(("typed", "canonical"), [
    ("HN-2611-7K3QF9", "HN-2611-7K3QF9"),
    ("hn 2611 7k3qf9", "HN-2611-7K3QF9"),
    ("HN2611-7K3QFO", "HN-2611-7K3QF0"),   # O read as 0
    ("HN-2611-7K3QFL", "HN-2611-7K3QF1"),  # L read as 1
    ("HN-2611-7K3QF", None),
    ("", None),
    ("HN-26X1-7K3QF9", None),
])
def test_typed_codes_are_read_forgivingly(typed, canonical):
    assert codes.normalize(typed) == canonical
