"""The complaint store keeps the application store's contract, against both stores (DynamoDB on moto with the
template deployed, and memory): a change, its timeline event, its claims and its counters, all or nothing."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from test_store_contract import Dynamo as ApplicationDynamo
from test_store_contract import Memory as ApplicationMemory

from functions.core import models
from functions.core.domain import complaints as rules
from functions.core.domain import stats
from functions.core.store import ClaimPages, Officer, Refused
from functions.core.store.change import Change, OneOf
from functions.core.store.complaints import DynamoComplaints, MemoryComplaints

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam
COMMUNE, CODE = "13075", "PA-2611-AAAAAA"
CELL = (stats.scope_key("33"), stats.cell_key("2026-11", COMMUNE, "general"))


class Dynamo(ApplicationDynamo):
    """The contract suite's DynamoDB harness (seeding pages, reading events and cells), over the complaint store."""

    def __init__(self) -> None:
        self.store = DynamoComplaints()


class Memory(ApplicationMemory):
    """The contract suite's in-memory harness, over the complaint store's twin."""

    def __init__(self) -> None:
        self.store = MemoryComplaints()


@pytest.fixture(params=["dynamo", "memory"])
def db(request: pytest.FixtureRequest) -> Iterator[ApplicationDynamo]:
    if request.param == "memory":
        yield Memory()
        return
    request.getfixturevalue("stack")
    yield Dynamo()


def new_complaint(code: str = CODE) -> models.Complaint:
    due_at = NOW + timedelta(days=3)
    return models.Complaint(code, owner_id="u_citizen", commune_code=COMMUNE, procedure_id="general",
                            text="Đèn đường hỏng", state="open", level="commune",
                            queue=rules.queue_key(COMMUNE, "commune"), waiting="waiting", due_date="2026-11-26",
                            due_at=due_at, first_due_at=due_at, created_at=NOW)


def filed(db: ApplicationDynamo, **extra) -> models.Complaint:  # noqa: ANN003
    complaint = new_complaint()
    db.store.create(complaint, Change("feedback_filed", counts=rules.received_counts(), **extra), NOW)
    return complaint


def answer(**extra) -> Change:  # noqa: ANN003
    return Change("feedback_answered", actor={"role": "officer"}, sets={"state": "answered"}, removes=("queue",),
                  expect={"state": OneOf(("open", "reopened"))}, counts={"complaints_answered_on_time": 1},
                  officer=Officer("u_officer"), **extra)


def test_a_new_complaint_is_stored_with_its_first_event_and_counted(db):
    filed(db)
    stored = db.store.get(CODE)
    assert (stored.state, stored.level, stored.version) == ("open", "commune", 1)
    assert db.kinds(CODE) == ["feedback_filed"] and db.counts(CELL) == {"complaints_received": 1}


def test_the_same_complaint_twice_is_refused_and_counted_once(db):
    filed(db)
    with pytest.raises(Refused):
        filed(db)
    assert db.counts(CELL) == {"complaints_received": 1} and db.kinds(CODE) == ["feedback_filed"]


def test_photos_are_claimed_with_the_complaint_or_nothing_is_written(db):
    db.seed_page("p1", "u_citizen")
    db.seed_page("p2", "u_stranger")
    with pytest.raises(Refused):
        filed(db, with_items=[ClaimPages(("p1", "p2"), "u_citizen", CODE)])
    assert db.store.get(CODE) is None and db.kinds(CODE) == [] and db.counts(CELL) == {}
    assert db.page_owner("p1") is None
    filed(db, with_items=[ClaimPages(("p1",), "u_citizen", CODE)])
    assert db.page_owner("p1") == CODE


def test_a_change_appends_its_event_moves_its_counters_and_the_officers_cell(db):
    complaint = filed(db)
    db.store.apply(complaint, answer(), NOW + timedelta(hours=1))
    stored = db.store.get(CODE)
    assert (stored.state, stored.queue, stored.version, complaint.version) == ("answered", None, 2, 2)
    assert complaint.status_at == NOW + timedelta(hours=1)
    assert db.kinds(CODE) == ["feedback_filed", "feedback_answered"]
    assert db.counts(CELL) == {"complaints_received": 1, "complaints_answered_on_time": 1}
    assert db.officer_steps("u_officer") == 1


def test_of_two_changes_decided_on_the_same_read_only_the_first_is_written(db):
    filed(db)
    first, second = db.store.get(CODE), db.store.get(CODE)
    db.store.apply(first, answer(), NOW)
    with pytest.raises(Refused):
        db.store.apply(second, answer(), NOW)
    assert db.kinds(CODE).count("feedback_answered") == 1 and db.counts(CELL)["complaints_answered_on_time"] == 1


def test_an_unlocked_change_still_needs_its_expectations(db):
    filed(db)
    stale = db.store.get(CODE)
    db.store.apply(db.store.get(CODE), answer(), NOW)
    with pytest.raises(Refused):
        db.store.apply(stale, answer(locked=False), NOW)
    escalate = Change("feedback_escalated", sets={"level": "supervisor"}, expect={"level": "commune"}, locked=False)
    db.store.apply(stale, escalate, NOW)  # the level was still "commune": it lands after the answer
    assert db.store.get(CODE).level == "supervisor" and db.store.get(CODE).state == "answered"
