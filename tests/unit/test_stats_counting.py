"""What each change adds to the statistics (core/domain/stats.py) and working days between two moments."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from functions.core import models
from functions.core.domain import stats
from functions.core.domain.deadlines import working_days_between
from functions.core.domain.lifecycle import ACTIONS

NO_DAYS_OFF: frozenset[date] = frozenset()
MONDAY_9 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)  # 09:00 in Vietnam
DUE = datetime(2026, 11, 5, 10, 0, tzinfo=UTC)  # Thursday 17:00 in Vietnam


@pytest.mark.parametrize(("end", "days"), [
    (MONDAY_9 + timedelta(hours=5), 0),  # the same day
    (MONDAY_9 + timedelta(days=1), 1),
    (MONDAY_9 + timedelta(days=4), 4),  # Friday
    (MONDAY_9 + timedelta(days=6), 4),  # Sunday: the weekend adds nothing
    (MONDAY_9 + timedelta(days=7), 5),
])
def test_working_days_count_from_the_day_of_receipt(end, days):
    assert working_days_between(MONDAY_9, end, NO_DAYS_OFF) == days


def test_received_after_the_cutoff_counts_from_the_next_working_day():
    late_friday = datetime(2026, 11, 6, 9, 0, tzinfo=UTC)  # 16:00 Friday in Vietnam
    assert working_days_between(late_friday, datetime(2026, 11, 9, 3, 0, tzinfo=UTC), NO_DAYS_OFF) == 0
    assert working_days_between(late_friday, datetime(2026, 11, 10, 3, 0, tzinfo=UTC), NO_DAYS_OFF) == 1


def test_a_public_holiday_is_not_a_working_day():
    assert working_days_between(MONDAY_9, MONDAY_9 + timedelta(days=1), {date(2026, 11, 3)}) == 0


@pytest.mark.parametrize(("channel", "fee", "expected"), [
    ("online", 3000, {"received_online": 1, "fee_bearing": 1}),
    ("assisted", 0, {"received_assisted": 1}),
    ("counter", 1, {"received_counter": 1, "fee_bearing": 1}),
])
def test_a_new_application_counts_as_received_by_its_channel(channel, fee, expected):
    assert stats.received(channel, fee) == expected


def test_an_unknown_channel_is_a_programming_error():
    with pytest.raises(ValueError, match="channel"):
        stats.received("fax", 0)
    with pytest.raises(ValueError, match="channel"):
        stats.paid("assisted")


@pytest.mark.parametrize("action", ACTIONS)
def test_every_lifecycle_action_counts_as_the_statistics_define(action):
    on_time = MONDAY_9 + timedelta(days=2)
    counted = stats.transitioned(action, MONDAY_9, on_time, DUE)
    expected = {
        "approve": {"decided": 1, "on_time": 1, "decision_working_days": 2},
        "reject": {"decided": 1, "on_time": 1, "decision_working_days": 2, "rejected": 1},
        "withdraw": {"withdrawn": 1},
        "request_supplement": {"supplement_requests": 1},
    }.get(action, {})
    assert counted == expected
    assert set(counted) <= set(stats.COUNTERS)


def test_a_decision_after_the_due_moment_is_late():
    assert stats.transitioned("approve", MONDAY_9, DUE + timedelta(minutes=1), DUE)["late"] == 1
    assert "late" not in stats.transitioned("approve", MONDAY_9, DUE, DUE)


def test_payments_count_by_channel():
    assert stats.paid("online") == {"paid_online": 1}
    assert stats.paid("counter") == {"paid_counter": 1}


@pytest.mark.parametrize(("days", "bucket"), [(0, "step_days_0"), (3, "step_days_3"), (4, "step_days_4_5"),
                                              (5, "step_days_4_5"), (10, "step_days_6_10"), (11, "step_days_11_plus"),
                                              (400, "step_days_11_plus")])
def test_each_step_falls_in_one_bucket(days, bucket, monkeypatch):
    monkeypatch.setattr(stats, "working_days_between", lambda start, end: days)
    assert stats.step_bucket(MONDAY_9, MONDAY_9) == bucket


def test_cells_are_keyed_by_month_in_vietnam_time():
    assert stats.month_of(datetime(2026, 11, 30, 17, 30, tzinfo=UTC)) == "2026-12"  # 00:30 on 1 December
    assert stats.cell_key("2026-12", "13075", "marital") == "2026-12#13075#marital"
    assert stats.scope_key("33") == "province#33"
    assert stats.officer_cell("2026-12", "u_1") == "2026-12#u_1"


def test_every_counter_is_an_attribute_of_the_cell_model():
    assert all(isinstance(getattr(models.StatCell, name), models.NumberAttribute) for name in stats.COUNTERS)
    buckets = [f"step_days_{name}" for name, _, _ in stats.STEP_DAY_BUCKETS]
    assert all(isinstance(getattr(models.OfficerCell, name), models.NumberAttribute) for name in buckets)
