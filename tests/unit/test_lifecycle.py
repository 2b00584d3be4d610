"""The application lifecycle, exhaustively: every state with every action and every role."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.domain.lifecycle import (
    ACTIONS,
    ROLES,
    STATES,
    Actor,
    Facts,
    allowed_actions,
    apology_owed,
    transition,
)
from functions.core.errors import (
    ApologyRequired,
    Forbidden,
    InvalidTransition,
    PaymentRequired,
    ValidationFailed,
)

AT = datetime(2026, 11, 23, 3, 0, tzinfo=UTC)
SLOTS = ("id_card", "divorce_decision")
# What each action needs to say to succeed.
GOOD = {
    "request_supplement": {"reason": "Ảnh CCCD bị mờ", "slots": ["id_card"]},
    "reject": {"reason": "Không thuộc thẩm quyền của xã"},
    "mark_result_ready": {"result": "pickup"},
    "resubmit": {"documents": {"id_card": ["d1"], "divorce_decision": ["d2", "d3"]}},
}
# The whole table, written out independently of the module: (state, action) -> (role, new state).
EXPECTED = {
    ("submitted", "accept"): ("officer", "received"),
    ("received", "start_review"): ("officer", "in_review"),
    ("resubmitted", "start_review"): ("officer", "in_review"),
    ("in_review", "request_supplement"): ("officer", "supplement_requested"),
    ("supplement_requested", "resubmit"): ("citizen", "resubmitted"),
    ("in_review", "approve"): ("officer", "approved"),
    ("in_review", "reject"): ("officer", "rejected"),
    ("approved", "mark_result_ready"): ("officer", "result_ready"),
    ("result_ready", "complete"): ("officer", "completed"),
    ("submitted", "withdraw"): ("citizen", "withdrawn"),
    ("received", "withdraw"): ("citizen", "withdrawn"),
}
ROLE_OF = {action: role for (_, action), (role, _) in EXPECTED.items()}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("state", STATES)
def test_every_state_action_and_role(state, action, role):
    actor = Actor("u_1", role)
    expected = EXPECTED.get((state, action))
    if role != ROLE_OF[action]:
        with pytest.raises(Forbidden):
            transition(state, action, actor, AT, GOOD.get(action), slots=SLOTS)
    elif expected is None:
        with pytest.raises(InvalidTransition) as raised:
            transition(state, action, actor, AT, GOOD.get(action), slots=SLOTS)
        assert raised.value.status == 409 and raised.value.details == {"action": action, "status": state}
    else:
        done = transition(state, action, actor, AT, GOOD.get(action), slots=SLOTS)
        assert (done.source, done.target) == (state, expected[1])
        record = done.record()
        assert record["actor"] == {"user_id": "u_1", "role": role}
        assert record["at"] == "2026-11-23T03:00:00+00:00" and record["action"] == action


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("role", ROLES)
def test_allowed_actions_match_the_table(state, role):
    assert sorted(allowed_actions(state, role)) == sorted(
        action for (s, action), (r, _) in EXPECTED.items() if s == state and r == role)


def test_the_supplement_loop_may_repeat():
    officer, citizen = Actor("o", "officer"), Actor("c", "citizen")
    state = "in_review"
    for _ in range(3):
        state = transition(state, "request_supplement", officer, AT, GOOD["request_supplement"], slots=SLOTS).target
        state = transition(state, "resubmit", citizen, AT, GOOD["resubmit"], slots=SLOTS).target
        state = transition(state, "start_review", officer, AT).target
    assert state == "in_review"


def test_final_states_allow_nothing():
    for state in ("rejected", "completed", "withdrawn"):
        assert all(not allowed_actions(state, role) for role in ROLES)


def test_an_unknown_action_is_an_invalid_transition():
    with pytest.raises(InvalidTransition):
        transition("submitted", "teleport", Actor("o", "officer"), AT)


@pytest.mark.parametrize(("action", "details", "fields"), [
    ("reject", {}, {"reason": "required"}),
    ("reject", {"reason": "  x "}, {"reason": "too_short"}),
    ("reject", {"reason": 5}, {"reason": "invalid_type"}),
    ("reject", {"reason": "x" * 1001}, {"reason": "too_long"}),
    ("request_supplement", {"reason": "Ảnh mờ"}, {"slots": "required"}),
    ("request_supplement", {"reason": "Ảnh mờ", "slots": ["selfie"]}, {"slots": "unknown_slot"}),
    ("request_supplement", {"reason": "Ảnh mờ", "slots": ["id_card", "id_card"]}, {"slots": "unknown_slot"}),
    ("request_supplement", {"slots": ["id_card"]}, {"reason": "required"}),
])
def test_reasons_and_slots_are_required_where_the_citizen_needs_them(action, details, fields):
    with pytest.raises(ValidationFailed) as raised:
        transition("in_review", action, Actor("o", "officer"), AT, details, slots=SLOTS)
    assert raised.value.details["fields"] == fields


@pytest.mark.parametrize(("details", "ok", "outcome"), [
    ({"result": "pickup"}, True, {"result": "pickup"}),
    ({"result": "post", "tracking_number": " en123456789vn "}, True,
     {"result": "post", "tracking_number": "EN123456789VN"}),
    ({"result": "electronic", "document_id": "d123"}, True, {"result": "electronic", "document_id": "d123"}),
    ({"result": "post"}, False, {"tracking_number": "required"}),
    ({"result": "post", "tracking_number": "12"}, False, {"tracking_number": "bad_format"}),
    ({"result": "electronic"}, False, {"document_id": "required"}),
    ({"result": "fax"}, False, {"result": "not_allowed"}),
    ({}, False, {"result": "required"}),
])
def test_a_ready_result_says_how_it_reaches_the_citizen(details, ok, outcome):
    officer = Actor("o", "officer")
    if ok:
        done = transition("approved", "mark_result_ready", officer, AT, details)
        assert {k: v for k, v in done.record().items() if k in outcome} == outcome
    else:
        with pytest.raises(ValidationFailed) as raised:
            transition("approved", "mark_result_ready", officer, AT, details)
        assert raised.value.details["fields"] == outcome


def test_withdrawing_may_say_why_and_the_reason_is_kept():
    done = transition("received", "withdraw", Actor("c", "citizen"), AT, {"reason": "Đã xin ở nơi khác"})
    assert done.record()["reason"] == "Đã xin ở nơi khác"
    assert "reason" not in transition("submitted", "withdraw", Actor("c", "citizen"), AT).record()
    blank = transition("submitted", "withdraw", Actor("c", "citizen"), AT, {"reason": " \n "})
    assert "reason" not in blank.record(), "a blank optional reason is no reason (the API document allows it)"


@pytest.mark.parametrize(("documents", "fields"), [
    (None, {"documents": "required"}),
    ({}, {"documents": "required"}),
    (["d1"], {"documents": "invalid_type"}),
    ({"id_card": ["d1"]}, {"documents.divorce_decision": "required"}),
    ({"id_card": ["d1"], "divorce_decision": [], "photo": ["d9"]},
     {"documents.divorce_decision": "required", "documents.photo": "not_requested"}),
    ({"id_card": "d1", "divorce_decision": [7]},
     {"documents.id_card": "invalid_type", "documents.divorce_decision": "invalid_type"}),
])
def test_a_resubmission_brings_new_pages_for_exactly_the_requested_papers(documents, fields):
    with pytest.raises(ValidationFailed) as raised:
        transition("supplement_requested", "resubmit", Actor("c", "citizen"), AT, {"documents": documents},
                   slots=SLOTS)
    assert raised.value.details["fields"] == fields


def test_a_resubmission_records_the_new_pages_per_slot():
    done = transition("supplement_requested", "resubmit", Actor("c", "citizen"), AT, GOOD["resubmit"],
                      slots=SLOTS)
    assert done.record()["documents"] == {"id_card": ["d1"], "divorce_decision": ["d2", "d3"]}


# Beyond the status: an apology owed blocks every officer step; an unpaid fee blocks the release.
UNPAID, LATE = Facts(paid=False), Facts(apology_owed=True)
RELEASING = {"mark_result_ready", "complete"}


@pytest.mark.parametrize(("state", "action"), sorted(EXPECTED))
@pytest.mark.parametrize("facts", [UNPAID, LATE, Facts(paid=False, apology_owed=True)], ids=["unpaid", "late", "both"])
def test_every_allowed_step_under_each_fact(state, action, facts):
    role = EXPECTED[(state, action)][0]
    step = lambda: transition(state, action, Actor("u_1", role), AT, GOOD.get(action), slots=SLOTS,  # noqa: E731
                              facts=facts)
    if role == "officer" and facts.apology_owed:
        with pytest.raises(ApologyRequired) as raised:
            step()
        assert raised.value.status == 409 and raised.value.code == "apology_required"
    elif action in RELEASING and not facts.paid:
        with pytest.raises(PaymentRequired) as raised:
            step()
        assert raised.value.status == 409 and raised.value.code == "payment_required"
    else:  # the citizen's own steps are never held up; nor is anything but the release by a fee
        assert step().target == EXPECTED[(state, action)][1]


@pytest.mark.parametrize("state", STATES)
def test_the_officers_buttons_follow_the_facts(state):
    table = sorted(allowed_actions(state, "officer"))
    assert allowed_actions(state, "officer", LATE) == []
    assert sorted(allowed_actions(state, "officer", UNPAID)) == [a for a in table if a not in RELEASING]
    assert allowed_actions(state, "citizen", LATE) == allowed_actions(state, "citizen")


@pytest.mark.parametrize(("state", "owed"), [
    ("submitted", True), ("received", True), ("in_review", True), ("supplement_requested", True),
    ("resubmitted", True), ("approved", False), ("rejected", False), ("result_ready", False),
    ("completed", False), ("withdrawn", False),
])
def test_an_apology_is_owed_only_past_the_due_moment_and_while_undecided(state, owed):
    assert apology_owed(state, AT, AT + timedelta(seconds=1)) is owed
    assert apology_owed(state, AT, AT) is False
