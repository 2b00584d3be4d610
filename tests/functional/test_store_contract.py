"""The application store's contract, run against both stores: DynamoStore (on moto, with the template
deployed) and MemoryStore. A race is two changes decided on the same read; no monkeypatching."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from functions.core import models, store
from functions.core.domain import stats
from functions.core.store import Change, ClaimPages, NewOrder, Officer, Refused, SaveRecord, SettleOrder

NOW = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)  # Monday 09:00 in Vietnam
COMMUNE, PROCEDURE = "13075", "marital-status-certificate"
CELL = (stats.scope_key("33"), stats.cell_key("2026-11", COMMUNE, PROCEDURE))


class Dynamo:
    """DynamoStore, and how a test seeds and reads the items around it."""

    def __init__(self) -> None:
        self.store = store.DynamoStore()

    def seed_page(self, document_id: str, owner: str, state: str = "verified") -> None:
        models.Document(document_id, owner_id=owner, procedure_id=PROCEDURE, slot="id_card", state=state,
                        content_type="image/jpeg", object_key=f"k/{document_id}", created_at=NOW).save()

    def page_owner(self, document_id: str) -> str | None:
        return models.Document.get(document_id, consistent_read=True).application_id

    def seed_order(self, app: models.Application, ref: str) -> models.Payment:
        payment = _order(app, ref)
        payment.save()
        return payment

    def order_state(self, ref: str) -> str:
        return models.Payment.get(ref, consistent_read=True).state

    def kinds(self, code: str) -> list[str]:
        return [e.kind for e in models.Event.query(code, consistent_read=True)]

    def counts(self, key: tuple[str, str] = CELL) -> Counter:
        try:
            item = models.StatCell.get(*key, consistent_read=True)
        except models.StatCell.DoesNotExist:
            return Counter()
        return Counter({name: int(getattr(item, name)) for name in stats.COUNTERS if getattr(item, name)})

    def officer_steps(self, user_id: str) -> int:
        key = (stats.officer_scope(COMMUNE), stats.officer_cell("2026-11", user_id))
        return int(models.OfficerCell.get(*key, consistent_read=True).steps)


class Memory(Dynamo):
    """MemoryStore, seeded and read through its dictionaries."""

    def __init__(self) -> None:
        self.store = store.MemoryStore()

    def seed_page(self, document_id: str, owner: str, state: str = "verified") -> None:
        self.store.documents[document_id] = {"owner_id": owner, "state": state}

    def page_owner(self, document_id: str) -> str | None:
        return self.store.documents[document_id].get("application_id")

    def seed_order(self, app: models.Application, ref: str) -> models.Payment:
        payment = _order(app, ref)
        self.store.payments[ref] = dict(payment.attribute_values)
        return payment

    def order_state(self, ref: str) -> str:
        return self.store.payments[ref]["state"]

    def kinds(self, code: str) -> list[str]:
        return self.store.kinds(code)

    def counts(self, key: tuple[str, str] = CELL) -> Counter:
        return Counter(self.store.cells.get(key, {}).get("counts", {}))

    def officer_steps(self, user_id: str) -> int:
        key = (stats.officer_scope(COMMUNE), stats.officer_cell("2026-11", user_id))
        return self.store.cells[key]["counts"]["steps"]


@pytest.fixture(params=["dynamo", "memory"])
def db(request: pytest.FixtureRequest) -> Iterator[Dynamo]:
    if request.param == "memory":
        yield Memory()
        return
    request.getfixturevalue("stack")  # the template deployed into moto
    yield Dynamo()


def _order(app: models.Application, ref: str) -> models.Payment:
    return models.Payment(ref, application_id=app.application_id, amount_vnd=3000, owner_id=app.owner_id,
                          created_at=NOW, expires_at=NOW + timedelta(minutes=15))


def new_app(code: str = "HN-2611-AAAAAA", fee: int = 3000) -> models.Application:
    return models.Application(code, owner_id="u_citizen", procedure_id=PROCEDURE, commune_code=COMMUNE,
                              status="submitted", commune_status=f"{COMMUNE}#submitted", fee_vnd=fee,
                              payment_state="unpaid" if fee else "not_required", created_at=NOW, channel="online",
                              due_at=NOW + timedelta(days=3))


def submitted(db: Dynamo, code: str = "HN-2611-AAAAAA", **extra: Any) -> models.Application:
    app = new_app(code)
    db.store.create(app, Change("submitted", counts=stats.received("online", 3000), **extra), NOW)
    return app


def step(action: str, target: str, **extra: Any) -> Change:
    return Change(action, sets={"status": target, "commune_status": f"{COMMUNE}#{target}"},
                  counts=stats.transitioned(action, NOW, NOW, NOW + timedelta(days=3)), **extra)


def test_a_new_application_is_stored_with_its_first_event_and_counted(db):
    app = submitted(db)
    assert db.store.get(app.application_id).status == "submitted"
    assert db.kinds(app.application_id) == ["submitted"]
    assert db.counts() == {"received_online": 1, "fee_bearing": 1}
    assert app.created_month == "2026-11"


def test_the_same_application_twice_is_refused_and_counted_once(db):
    submitted(db)
    with pytest.raises(Refused):
        submitted(db)
    assert db.counts()["received_online"] == 1


def test_a_change_appends_its_event_moves_its_counters_and_updates_the_callers_copy(db):
    app = submitted(db)
    db.store.apply(app, step("accept", "received", officer=Officer("u_officer", "Lê Văn Cán")), NOW)
    assert app.status == "received" and app.status_at == NOW
    assert db.store.get(app.application_id).status == "received"
    assert db.kinds(app.application_id) == ["submitted", "accept"]
    assert db.officer_steps("u_officer") == 1


def test_of_two_changes_decided_on_the_same_read_only_the_first_is_written(db):
    code = submitted(db).application_id
    mine, theirs = db.store.get(code), db.store.get(code)
    db.store.apply(mine, step("accept", "received"), NOW)
    with pytest.raises(Refused):
        db.store.apply(theirs, step("withdraw", "withdrawn"), NOW + timedelta(seconds=1))
    assert db.store.get(code).status == "received"
    assert db.kinds(code) == ["submitted", "accept"]
    assert db.counts()["withdrawn"] == 0


def test_an_unlocked_change_lands_after_another_change(db):
    code = submitted(db).application_id
    before = db.store.get(code)
    db.store.apply(db.store.get(code), step("accept", "received"), NOW)
    db.store.apply(before, Change("payment_paid", sets={"payment_state": "paid"}, locked=False,
                                  counts=stats.paid("online")), NOW)
    stored = db.store.get(code)
    assert (stored.status, stored.payment_state) == ("received", "paid")
    assert db.counts()["paid_online"] == 1


def _kept(db: Dynamo, code: str) -> list[str]:
    return [json.loads(text)["kind"] for text in db.store.get(code).timeline]


def test_the_item_keeps_its_timeline_in_step_with_the_events(db):
    app = submitted(db)
    db.store.apply(app, step("accept", "received", actor={"user_id": "u_officer", "name": "Lê Văn Cán"},
                             data={"note": "Đủ giấy tờ"}), NOW + timedelta(minutes=5))
    db.store.apply(app, Change(None, sets={"open_payment": "REF9"}, locked=False), NOW)  # no event, no entry
    stored = db.store.get(app.application_id)
    assert _kept(db, app.application_id) == db.kinds(app.application_id) == ["submitted", "accept"]
    assert app.timeline == stored.timeline  # the caller's copy too
    last = json.loads(stored.timeline[-1])
    assert last == {"kind": "accept", "at": "2026-11-23T02:05:00+00:00",
                    "actor": {"user_id": "u_officer", "name": "Lê Văn Cán"}, "data": {"note": "Đủ giấy tờ"}}


def test_an_unlocked_change_keeps_the_entry_of_a_change_that_landed_first(db):
    code = submitted(db).application_id
    before = db.store.get(code)
    db.store.apply(db.store.get(code), step("accept", "received"), NOW)
    db.store.apply(before, Change("payment_paid", sets={"payment_state": "paid"}, locked=False), NOW)
    assert _kept(db, code) == ["submitted", "accept", "payment_paid"]


def test_a_refused_change_appends_no_entry(db):
    code = submitted(db).application_id
    mine, theirs = db.store.get(code), db.store.get(code)
    db.store.apply(mine, step("accept", "received"), NOW)
    with pytest.raises(Refused):
        db.store.apply(theirs, step("withdraw", "withdrawn"), NOW)
    assert _kept(db, code) == ["submitted", "accept"]


def test_an_application_stored_before_items_kept_a_timeline_gets_none(db):
    app = submitted(db)
    legacy = db.store.get(app.application_id)
    legacy.timeline = None  # as read from an item written before the timeline attribute existed
    db.store.apply(legacy, Change("payment_paid", sets={"payment_state": "paid"}, locked=False), NOW)
    assert db.kinds(app.application_id) == ["submitted", "payment_paid"]
    assert _kept(db, app.application_id) == ["submitted"]  # not appended to: its screens query the events


def test_an_expectation_that_no_longer_holds_refuses_the_change(db):
    app = submitted(db)
    held = Change(None, sets={"open_payment": "REF1"}, locked=False,
                  expect={"open_payment": None, "payment_state": "unpaid"}, with_items=[NewOrder(_order(app, "REF1"))])
    db.store.apply(db.store.get(app.application_id), held, NOW)
    again = Change(None, sets={"open_payment": "REF2"}, locked=False,
                   expect={"open_payment": None, "payment_state": "unpaid"}, with_items=[NewOrder(_order(app, "REF2"))])
    with pytest.raises(Refused):
        db.store.apply(app, again, NOW)
    assert db.store.get(app.application_id).open_payment == "REF1"
    assert db.kinds(app.application_id) == ["submitted"]  # bookkeeping changes have no event


@pytest.mark.parametrize(("owner", "state", "claimed_first"), [
    ("u_other", "verified", False),  # another citizen's page
    ("u_citizen", "pending", False),  # not checked yet
    ("u_citizen", "verified", True),  # already on another application
])
def test_a_page_that_cannot_be_claimed_refuses_the_whole_submission(db, owner, state, claimed_first):
    db.seed_page("d_ok", "u_citizen")
    db.seed_page("d_bad", owner, state)
    if claimed_first:
        submitted(db, "HN-2611-FIRST1", with_items=[ClaimPages(("d_bad",), "u_citizen", "HN-2611-FIRST1")])
    with pytest.raises(Refused):
        submitted(db, with_items=[ClaimPages(("d_ok", "d_bad"), "u_citizen", "HN-2611-AAAAAA")])
    assert db.store.get("HN-2611-AAAAAA") is None
    assert db.page_owner("d_ok") is None
    assert db.counts()["received_online"] == (1 if claimed_first else 0)


def test_pages_and_the_idempotency_record_are_claimed_with_the_application(db):
    db.seed_page("d_1", "u_citizen")
    record = models.IdempotencyRecord("submit:u_citizen:k1", status=201, request_hash="h", body={},
                                      expires_at=NOW + timedelta(days=30))
    submitted(db, with_items=[ClaimPages(("d_1",), "u_citizen", "HN-2611-AAAAAA"), SaveRecord(record)])
    assert db.page_owner("d_1") == "HN-2611-AAAAAA"
    db.seed_page("d_2", "u_citizen")
    with pytest.raises(Refused):  # the same key again: nothing of the second submission is written
        submitted(db, "HN-2611-BBBBBB", with_items=[ClaimPages(("d_2",), "u_citizen", "HN-2611-BBBBBB"),
                                                    SaveRecord(record)])
    assert db.page_owner("d_2") is None and db.store.get("HN-2611-BBBBBB") is None


def test_an_order_settles_once(db):
    app = submitted(db)
    db.seed_order(app, "REF1")
    paid = Change("payment_paid", sets={"payment_state": "paid"}, locked=False, counts=stats.paid("online"),
                  with_items=[SettleOrder(_order(app, "REF1"), {"state": "paid"})])
    db.store.apply(db.store.get(app.application_id), paid, NOW)
    with pytest.raises(Refused):
        db.store.apply(db.store.get(app.application_id), paid, NOW + timedelta(seconds=1))
    assert db.order_state("REF1") == "paid"
    assert db.kinds(app.application_id) == ["submitted", "payment_paid"]
    assert db.counts()["paid_online"] == 1


def test_counters_go_to_the_month_of_the_change(db):
    app = submitted(db)
    december = NOW + timedelta(days=30)
    db.store.apply(app, step("accept", "received"), NOW)
    db.store.apply(app, Change("withdraw", sets={"status": "withdrawn"}, counts={"withdrawn": 1}), december)
    assert db.counts()["withdrawn"] == 0
    assert db.counts((CELL[0], stats.cell_key("2026-12", COMMUNE, PROCEDURE))) == {"withdrawn": 1}


def test_an_expectation_may_accept_any_of_several_values(db):
    app = submitted(db)
    db.store.apply(db.store.get(app.application_id), Change(None, sets={"open_payment": "REF1"}, locked=False), NOW)
    read = db.store.get(app.application_id)
    db.store.apply(db.store.get(app.application_id), Change(None, removes=("open_payment",), locked=False), NOW)
    replace = Change(None, sets={"open_payment": "REF2"}, locked=False,
                     expect={"open_payment": store.OneOf((None, read.open_payment))})
    db.store.apply(read, replace, NOW)  # the order read has gone meanwhile: still one of the values expected
    with pytest.raises(Refused):  # REF2 is neither absent nor REF1
        db.store.apply(read, replace, NOW)
    assert db.store.get(app.application_id).open_payment == "REF2"
