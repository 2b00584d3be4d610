"""A late application owes the citizen an apology with a new date before any other officer step
(issueApology), and a settled application gets the citizen's rating (rateApplication)."""

from __future__ import annotations

import pytest
from submit_helpers import HOME_COMMUNE, MARITAL, as_user, drop_table

from functions.core import models
from functions.core.domain import stats
from functions.status import notices

REASON = "Cán bộ tư pháp nghỉ ốm"
CELL = (stats.scope_key("33"), stats.cell_key("2026-11", HOME_COMMUNE, MARITAL))


@pytest.fixture
def mine(status_app, citizen):  # noqa: ANN001, ANN201
    return as_user(status_app, citizen)


@pytest.fixture
def late(filed, clock) -> str:  # noqa: ANN001
    """The citizen's application, untouched past its due date (26/11 17:00)."""
    clock.advance(days=5)  # 27 November, 10:00 in Vietnam
    return filed


def apologise(officer, code: str, **body):  # noqa: ANN001, ANN003, ANN201
    return officer.post(f"/applications/{code}/apology", json={"reason": REASON, "working_days": 2, **body})


def counted(name: str) -> int:
    try:
        return int(getattr(models.StatCell.get(*CELL, consistent_read=True), name))
    except models.StatCell.DoesNotExist:
        return 0


def test_a_late_application_needs_an_apology_before_any_step(officer, late):
    refused = officer.post(f"/applications/{late}/actions", json={"action": "accept"})
    assert (refused.status_code, refused.json["error"]["code"]) == (409, "apology_required")
    view = officer.get(f"/applications/{late}").json
    assert view["apology_required"] is True and view["actions"] == [] and view["overdue"] is True


def test_the_apology_sets_a_new_date_the_citizen_and_the_queue_see(officer, mine, late):
    resp = apologise(officer, late)
    assert resp.status_code == 200, resp.json
    assert resp.json["due_date"] == "2026-12-01" and resp.json["apology_required"] is False  # Fri 27 + 2
    assert resp.json["apology"]["reason"] == REASON and resp.json["apology"]["previous_due_date"] == "2026-11-26"
    assert resp.json["actions"] == ["accept"]
    seen = mine.get(f"/applications/{late}").json
    assert seen["apology"]["new_due_date"] == "2026-12-01" and seen["overdue"] is False
    (event,) = [e for e in seen["timeline"] if e["kind"] == "apology"]
    assert event["data"]["new_due_date"] == "2026-12-01" and event["actor"]["role"] == "officer"
    queued = officer.get("/queue?status=submitted").json["applications"]
    assert [a["due_date"] for a in queued if a["code"] == late] == ["2026-12-01"]
    assert officer.post(f"/applications/{late}/actions", json={"action": "accept"}).status_code == 200


def test_the_apology_reaches_the_citizen_with_the_new_date():
    notice = notices.render("apology", {"reason": REASON, "new_due_date": "2026-12-01"}, "HN-2611-AAAAAA",
                            {"vi": "Cấp Giấy xác nhận tình trạng hôn nhân", "en": "Marital status"})
    assert "01/12/2026" in notice.body["vi"] and REASON in notice.body["vi"] and "01/12/2026" in notice.sms
    # Nothing for the citizen to do: normal urgency, as every notice that asks no action of them.
    assert notice.urgency == "normal" and notice.title["en"] == "Sorry: application HN-2611-AAAAAA is late"


def test_an_apology_is_only_for_a_late_application_and_only_once(officer, filed, late):
    assert apologise(officer, late).status_code == 200
    again = apologise(officer, late)
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")
    assert [e.kind for e in models.Event.query(late)].count("apology") == 1


@pytest.mark.parametrize(("body", "fields"), [
    ({"reason": None}, {"reason": "invalid_type"}),
    ({"reason": "ok"}, {"reason": "too_short"}),
    ({"working_days": 0}, {"working_days": "too_small"}),
    ({"working_days": 31}, {"working_days": "too_large"}),
    ({"when": "soon"}, {"when": "unknown_field"}),
])
def test_a_bad_apology_is_400_and_changes_nothing(officer, late, body, fields):
    resp = apologise(officer, late, **body)
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)
    assert models.Application.get(late).apology is None


def test_only_the_communes_officers_apologise(mine, far_officer, late):
    assert apologise(far_officer, late).status_code == 404
    citizen = apologise(mine, late)
    assert (citizen.status_code, citizen.json["error"]["code"]) == (403, "forbidden")


def test_an_apology_without_its_tables_is_503_and_changes_nothing(officer, late):
    drop_table(models.StatCell)  # the officer's workload cell is written with it
    resp = apologise(officer, late)
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert models.Application.get(late).apology is None


def test_a_settled_application_is_rated_and_the_rating_may_change_for_seven_days(mine, officer, filed, clock):
    early = mine.put(f"/applications/{filed}/rating", json={"level": 5})
    assert (early.status_code, early.json["error"]["code"]) == (409, "invalid_transition")
    assert mine.post(f"/applications/{filed}/actions", json={"action": "withdraw"}).status_code == 200
    first = mine.put(f"/applications/{filed}/rating", json={"level": 4, "reasons": ["easy", "time_taken"]})
    assert first.status_code == 200 and first.json["rating"]["level"] == 4
    assert mine.put(f"/applications/{filed}/rating", json={"level": 4, "reasons": ["easy", "time_taken"]}
                    ).status_code == 200  # the same again: counted once
    assert counted("rating_4") == 1
    assert officer.get(f"/applications/{filed}").json["rating"]["reasons"] == ["easy", "time_taken"]
    clock.advance(days=6)
    changed = mine.put(f"/applications/{filed}/rating", json={"level": 2, "reasons": ["other"],
                                                               "other": "Phải chờ lâu"})
    assert changed.status_code == 200 and changed.json["rating"]["other"] == "Phải chờ lâu"
    assert (counted("rating_4"), counted("rating_2")) == (0, 1)
    clock.advance(days=2)
    late = mine.put(f"/applications/{filed}/rating", json={"level": 5})
    assert (late.status_code, late.json["error"]["code"]) == (409, "rating_closed")
    assert counted("rating_2") == 1 and models.Application.get(filed).rating["level"] == 2


def test_only_the_applicant_rates(officer, status_app, other_citizen, mine, filed):
    assert mine.post(f"/applications/{filed}/actions", json={"action": "withdraw"}).status_code == 200
    assert officer.put(f"/applications/{filed}/rating", json={"level": 1}).status_code == 404
    assert as_user(status_app, other_citizen).put(f"/applications/{filed}/rating", json={"level": 1}
                                                  ).status_code == 404
    assert models.Application.get(filed).rating is None


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"level": "required"}),
    ({"level": 9}, {"level": "too_large"}),
    ({"level": "5"}, {"level": "invalid_type"}),
    ({"level": 5, "reasons": ["fast"]}, {"reasons.0": "not_allowed"}),
    ({"level": 5, "reasons": ["easy", "easy"]}, {"reasons": "duplicate"}),
    ({"level": 5, "reasons": ["other"]}, {"other": "required"}),
    ({"level": 5, "other": "Không có lý do khác"}, {"other": "not_allowed"}),
])
def test_a_bad_rating_is_400_and_changes_nothing(mine, filed, body, fields):
    assert mine.post(f"/applications/{filed}/actions", json={"action": "withdraw"}).status_code == 200
    resp = mine.put(f"/applications/{filed}/rating", json=body)
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)
    assert models.Application.get(filed).rating is None


def test_a_rating_without_the_statistics_table_is_503_and_changes_nothing(mine, filed):
    assert mine.post(f"/applications/{filed}/actions", json={"action": "withdraw"}).status_code == 200
    drop_table(models.StatCell)
    resp = mine.put(f"/applications/{filed}/rating", json={"level": 5})
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert models.Application.get(filed).rating is None


def test_a_rated_application_keeps_its_rating_in_the_recount(mine, filed, clock):
    from functions.core import recount

    assert mine.post(f"/applications/{filed}/actions", json={"action": "withdraw"}).status_code == 200
    assert mine.put(f"/applications/{filed}/rating", json={"level": 3}).status_code == 200
    clock.advance(days=1)
    assert mine.put(f"/applications/{filed}/rating", json={"level": 5}).status_code == 200
    before = (counted("rating_3"), counted("rating_5"), counted("withdrawn"))
    models.StatCell(*CELL).update(actions=[models.StatCell.rating_5.set(0), models.StatCell.rating_3.set(7)])
    recount.recount("2026-11", "2026-11")
    assert (counted("rating_3"), counted("rating_5"), counted("withdrawn")) == before == (0, 1, 1)
