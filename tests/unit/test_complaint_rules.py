"""Complaint rules ("phản ánh, kiến nghị"): the lifecycle table, levels and escalation, receipt codes, due
dates in working days, the answer period per commune, and the checks on what a citizen or officer sends."""

from __future__ import annotations

import itertools
from datetime import date, datetime, timedelta

import pytest

from functions.core.domain import complaints as c
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import InvalidTransition, ReopenUsed, ValidationFailed

MONDAY = datetime(2026, 11, 23, 9, 0, tzinfo=VIETNAM)  # Tue 24 Nov is Vietnam Cultural Day (a day off)
ACTIONS = ("answer", "accept", "reopen", "escalate", "file")


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return exc.value.details["fields"]


@pytest.mark.parametrize(("state", "action"), list(itertools.product(c.STATES, ACTIONS)))
def test_every_state_and_action_either_follows_the_table_or_is_refused(state, action):
    expected = c.TRANSITIONS.get((state, action))
    if expected is None:
        with pytest.raises(InvalidTransition) as exc:
            c.transition(state, action)
        assert exc.value.details == {"action": action, "status": state}
    else:
        assert c.transition(state, action) == expected


def test_the_loop_is_open_answered_reopened_answered_accepted():
    state = c.transition("open", "answer")
    state = c.transition(state, "reopen", reopens=0)
    assert state == "reopened" and state in c.AWAITING
    state = c.transition(state, "answer")
    assert c.transition(state, "accept") == "accepted"


def test_a_second_reopen_is_refused_with_its_own_code():
    with pytest.raises(ReopenUsed) as exc:
        c.transition("answered", "reopen", reopens=1)
    assert (exc.value.status, exc.value.code) == (409, "reopen_used")


def test_an_accepted_complaint_is_final():
    for action in ACTIONS:
        with pytest.raises(InvalidTransition):
            c.transition("accepted", action)


@pytest.mark.parametrize(("role", "level", "allowed"), [
    ("officer", "commune", True), ("supervisor", "commune", True), ("admin", "commune", True),
    ("officer", "supervisor", False), ("supervisor", "supervisor", True), ("admin", "supervisor", True),
    ("officer", "admin", False), ("supervisor", "admin", False), ("admin", "admin", True),
    ("citizen", "commune", False), ("citizen", "admin", False), ("officer", "nowhere", False),
])
def test_a_level_is_answered_by_its_role_or_one_above(role, level, allowed):
    assert c.may_answer(role, level) is allowed


def test_levels_go_up_one_at_a_time_and_stop_at_the_admin():
    assert [c.next_level(level) for level in c.LEVELS] == ["supervisor", "admin", None]


@pytest.mark.parametrize("state", sorted(c.AWAITING))
def test_an_unanswered_complaint_past_its_due_moment_moves_up_one_level(state):
    due_at = MONDAY + timedelta(days=3)
    assert c.escalation(state, "commune", due_at, due_at + timedelta(seconds=1)) == "supervisor"
    assert c.escalation(state, "supervisor", due_at, due_at + timedelta(days=9)) == "admin"


def test_no_escalation_before_or_at_the_due_moment_after_an_answer_or_above_the_admin():
    due_at = MONDAY + timedelta(days=3)
    assert c.escalation("open", "commune", due_at, due_at) is None
    assert c.escalation("open", "commune", due_at, due_at - timedelta(hours=1)) is None
    later = due_at + timedelta(days=30)
    assert c.escalation("answered", "commune", due_at, later) is None
    assert c.escalation("accepted", "supervisor", due_at, later) is None
    assert c.escalation("open", "admin", due_at, later) is None


def test_escalating_all_the_way_visits_each_level_once():
    level, seen, due_at = "commune", [], MONDAY
    for day in range(1, 40):  # a sweep every day, nobody answers, each level gets a new due date
        now = MONDAY + timedelta(days=day)
        target = c.escalation("open", level, due_at, now)
        if target:
            seen.append(target)
            level, due_at = target, c.due(now, 2)[1]
    assert seen == ["supervisor", "admin"]


def test_due_dates_are_working_days_from_the_moment_holidays_and_cutoff_included():
    assert c.due(MONDAY, 2) == (date(2026, 11, 26), datetime(2026, 11, 26, 17, 0, tzinfo=VIETNAM))
    assert c.due(MONDAY, 10)[0] == date(2026, 12, 8)
    friday_late = datetime(2026, 11, 27, 16, 0, tzinfo=VIETNAM)  # after 15:00: received Monday
    assert c.due(friday_late, 1)[0] == date(2026, 12, 1)


def test_the_answer_period_is_the_communes_setting_else_the_default():
    table = {"default": 7, "13075": 5}
    assert c.answer_days(table, "13075") == 5
    assert c.answer_days(table, "18001") == 7
    assert c.answer_days({}, "18001") == c.DEFAULT_ANSWER_DAYS == 10


def test_receipt_codes_look_like_application_codes_with_their_own_prefix():
    code = c.new_code(MONDAY, "7K3QF9")
    assert code == "PA-2611-7K3QF9"
    assert c.new_code(MONDAY).startswith("PA-2611-") and len(c.new_code(MONDAY)) == 14
    assert c.normalize_code("pa 2611 7k3qf9") == code
    assert c.normalize_code("PA-2611-7K3QFO") == "PA-2611-7K3QF0"  # O read as zero
    assert c.normalize_code("HN-2611-7K3QF9") is None  # an application's code is not a complaint's
    assert c.normalize_code("nonsense") is None


def test_queues_are_per_level_and_commune_with_one_admin_queue():
    assert c.queue_key("13075", "commune") == "commune#13075"
    assert c.queue_key("13075", "supervisor") == "supervisor#13075"
    assert c.queue_key("13075", "admin") == c.queue_key("18001", "admin") == "admin"


def test_a_filing_keeps_the_stripped_text_the_category_and_the_photos():
    kept = c.checked_filing({"text": "  Đèn đường hỏng  ", "category": "facilities", "photos": ["a" * 32],
                             "commune_code": "13075"})
    assert kept == {"text": "Đèn đường hỏng", "category": "facilities", "photos": ["a" * 32]}
    assert c.checked_filing({"text": "x", "application_code": "HN-2611-AAAAAA"}) == {
        "text": "x", "category": None, "photos": []}


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"text": "required", "commune_code": "required"}),
    ({"text": "   ", "commune_code": "1"}, {"text": "required"}),
    ({"text": 5, "commune_code": "1"}, {"text": "invalid_type"}),
    ({"text": "x" * (c.TEXT_MAX + 1), "commune_code": "1"}, {"text": "too_long"}),
    ({"text": "x", "commune_code": "1", "category": "weather"}, {"category": "not_allowed"}),
    ({"text": "x", "commune_code": "1", "category": 3}, {"category": "invalid_type"}),
    ({"text": "x", "commune_code": "1", "photos": ["a", "b", "c", "d"]}, {"photos": "too_long"}),
    ({"text": "x", "commune_code": "1", "photos": ["a", "a"]}, {"photos": "duplicate"}),
    ({"text": "x", "commune_code": "1", "photos": "a"}, {"photos": "invalid_type"}),
    ({"text": "x", "commune_code": "1", "photos": [""]}, {"photos": "invalid_type"}),
    ({"text": "x", "commune_code": "1", "application_code": "HN-2611-AAAAAA"}, {"application_code": "not_allowed"}),
])
def test_a_bad_filing_names_each_wrong_field(body, fields):
    with pytest.raises(ValidationFailed) as exc:
        c.checked_filing(body)
    assert fields_of(exc) == fields


def test_exactly_three_photos_and_the_longest_text_are_taken():
    kept = c.checked_filing({"text": "x" * c.TEXT_MAX, "commune_code": "1", "photos": ["a", "b", "c"]})
    assert len(kept["photos"]) == c.PHOTOS_MAX == 3 and len(kept["text"]) == c.TEXT_MAX


@pytest.mark.parametrize(("raw", "code"), [(None, "required"), ("", "required"), (" ", "required"),
                                           (1, "invalid_type"), ("x" * 1001, "too_long")])
def test_an_answer_or_a_reason_must_be_a_text_of_reasonable_length(raw, code):
    with pytest.raises(ValidationFailed) as exc:
        c.checked_text({"reason": raw}, "reason", c.REASON_MAX)
    assert fields_of(exc) == {"reason": code}
    assert c.checked_text({"reason": " ok "}, "reason", c.REASON_MAX) == "ok"


def test_the_categories_are_data_with_other_last():
    assert c.CATEGORIES[-1] == "other" and len(set(c.CATEGORIES)) == len(c.CATEGORIES)


def test_filing_counts_one_received_and_only_a_first_answer_by_the_due_moment_counts_as_on_time():
    due_at = MONDAY + timedelta(days=3)
    assert c.received_counts() == {"complaints_received": 1}
    assert c.answer_counts(True, due_at, due_at) == {"complaints_answered_on_time": 1}
    assert c.answer_counts(True, due_at + timedelta(seconds=1), due_at) == {}
    assert c.answer_counts(False, MONDAY, due_at) == {}
