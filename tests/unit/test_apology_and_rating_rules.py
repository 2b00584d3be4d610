"""The apology for a late application and the citizen's rating (core/domain/apology.py, rating.py)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from functions.core.domain import apology, rating
from functions.core.errors import InvalidTransition, RatingClosed, ValidationFailed

NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam


def test_an_apology_sets_a_new_date_in_working_days_from_now():
    kept = apology.checked({"reason": "Cán bộ nghỉ ốm", "working_days": 2}, True, "in_review", NOW)
    assert kept == {"reason": "Cán bộ nghỉ ốm", "working_days": 2, "new_due_date": "2026-12-02"}
    assert date.fromisoformat(kept["new_due_date"]).weekday() < 5


def test_no_apology_when_none_is_owed():
    with pytest.raises(InvalidTransition) as raised:
        apology.checked({"reason": "Cán bộ nghỉ ốm", "working_days": 2}, False, "approved", NOW)
    assert raised.value.details == {"action": "issue_apology", "status": "approved"}


@pytest.mark.parametrize(("raw", "fields"), [
    ({}, {"reason": "required", "working_days": "required"}),
    ({"reason": "  ", "working_days": 1}, {"reason": "required"}),
    ({"reason": "ok", "working_days": 1}, {"reason": "too_short"}),
    ({"reason": "x" * 1001, "working_days": 1}, {"reason": "too_long"}),
    ({"reason": 5, "working_days": 1}, {"reason": "invalid_type"}),
    ({"reason": "Cán bộ nghỉ ốm", "working_days": 0}, {"working_days": "too_small"}),
    ({"reason": "Cán bộ nghỉ ốm", "working_days": 31}, {"working_days": "too_large"}),
    ({"reason": "Cán bộ nghỉ ốm", "working_days": "2"}, {"working_days": "invalid_type"}),
    ({"reason": "Cán bộ nghỉ ốm", "working_days": True}, {"working_days": "invalid_type"}),
])
def test_a_bad_apology_names_its_fields(raw, fields):
    with pytest.raises(ValidationFailed) as raised:
        apology.checked(raw, True, "in_review", NOW)
    assert raised.value.details == {"fields": fields}


def test_a_first_rating_is_kept_with_its_time():
    kept = rating.checked({"level": 5, "reasons": ["easy", "staff_attitude"]}, "completed", None, NOW)
    assert kept == {"level": 5, "reasons": ["easy", "staff_attitude"], "rated_at": NOW.isoformat(),
                    "first_rated_at": NOW.isoformat()}
    assert rating.counts(kept, None) == {"rating_5": 1}


def test_a_rating_may_change_for_seven_days_and_moves_the_count():
    first = rating.checked({"level": 2}, "rejected", None, NOW)
    later = NOW + timedelta(days=7)
    changed = rating.checked({"level": 4, "reasons": ["other"], "other": "Cán bộ giải thích rõ"}, "rejected",
                             first, later)
    assert changed["first_rated_at"] == NOW.isoformat() and changed["rated_at"] == later.isoformat()
    assert changed["other"] == "Cán bộ giải thích rõ"
    assert rating.counts(changed, first) == {"rating_4": 1, "rating_2": -1}
    assert rating.counts(rating.checked({"level": 2}, "rejected", first, later), first) == {}
    with pytest.raises(RatingClosed):
        rating.checked({"level": 3}, "rejected", first, later + timedelta(seconds=1))


@pytest.mark.parametrize("status", ["submitted", "in_review", "approved", "result_ready"])
def test_only_a_settled_application_is_rated(status):
    with pytest.raises(InvalidTransition):
        rating.checked({"level": 5}, status, None, NOW)


@pytest.mark.parametrize(("raw", "fields"), [
    ({}, {"level": "required"}),
    ({"level": 0}, {"level": "too_small"}),
    ({"level": 6}, {"level": "too_large"}),
    ({"level": "5"}, {"level": "invalid_type"}),
    ({"level": True}, {"level": "invalid_type"}),
    ({"level": 5, "reasons": "easy"}, {"reasons": "invalid_type"}),
    ({"level": 5, "reasons": ["fast"]}, {"reasons": "not_allowed"}),
    ({"level": 5, "reasons": ["easy", "easy"]}, {"reasons": "not_allowed"}),
    ({"level": 5, "reasons": ["other"]}, {"other": "required"}),
    ({"level": 5, "reasons": ["other"], "other": "x" * 501}, {"other": "too_long"}),
    ({"level": 5, "other": "no reason other"}, {"other": "not_allowed"}),
])
def test_a_bad_rating_names_its_fields(raw, fields):
    with pytest.raises(ValidationFailed) as raised:
        rating.checked(raw, "completed", None, NOW)
    assert raised.value.details == {"fields": fields}
