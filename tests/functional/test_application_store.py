"""The application store: every change moves the statistics in its own transaction, a refused change moves
nothing, and the recount rebuilds exactly the counters the changes left."""

from __future__ import annotations

from collections import Counter
from typing import Any

import pytest
from pay_helpers import FEE, callback, ipn
from submit_helpers import HOME_COMMUNE, MARITAL, as_user, drop_table, submission, submit, uploaded_page

from functions.core import models, recount
from functions.core.domain import stats

PROVINCE_SCOPE = stats.scope_key("33")  # 13075 is in province 33 after the 2025 reform
OFFICER_SCOPE = stats.officer_scope(HOME_COMMUNE)


def act(who, code: str, action: str, **details: Any):  # noqa: ANN001, ANN201
    resp = who.post(f"/applications/{code}/actions", json={"action": action, **details})
    assert resp.status_code == 200, resp.json
    return resp


def cells(model: type, scope: str) -> dict[str, dict[str, int]]:
    """Every cell of a scope: its sort key -> its non-zero counters."""
    names = stats.COUNTERS if model is models.StatCell else \
        ("steps", *(f"step_days_{n}" for n, _, _ in stats.STEP_DAY_BUCKETS))
    found = {}
    for item in model.query(scope, consistent_read=True):
        found[item.cell] = {name: int(getattr(item, name)) for name in names if getattr(item, name)}
    return found


def total(found: dict[str, dict[str, int]]) -> Counter:
    summed: Counter = Counter()
    for counters in found.values():
        summed.update(counters)
    return summed


@pytest.fixture
def history(citizen, officer, status_app, pay_app, clock) -> dict[str, str]:  # noqa: ANN001
    """Three applications changed in every way the store counts: a supplement loop, an approval and a
    payment; a withdrawal; a late rejection a month later, after an apology with a new date."""
    mine = as_user(status_app, citizen)
    first, second, third = (submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"]
                            for _ in range(3))
    clock.advance(hours=20)
    for action in ("accept", "start_review"):
        act(officer, first, action)
    act(officer, first, "request_supplement", slots=["id_card"], reason="Ảnh mờ, chụp lại")
    act(mine, first, "resubmit", documents={"id_card": [uploaded_page(citizen)]})
    act(officer, first, "start_review")
    clock.advance(days=2)  # Wednesday 25 November 06:00: one working day after Monday (24/11 is a holiday)
    act(officer, first, "approve")
    order = as_user(pay_app, citizen).post(f"/applications/{first}/payment", json={"lang": "vi"}).json
    assert ipn(pay_app, callback(order["order"]["txn_ref"], FEE))["RspCode"] == "00"
    act(mine, second, "withdraw", reason="Tôi nộp nhầm")
    clock.advance(days=25)  # within the sessions' 30 days
    late = officer.post(f"/applications/{third}/apology", json={"reason": "Cán bộ tư pháp nghỉ ốm", "working_days": 2})
    assert late.status_code == 200, late.json
    for action in ("accept", "start_review"):
        act(officer, third, action)
    act(officer, third, "reject", reason="Không đủ điều kiện")
    return {"approved": first, "withdrawn": second, "rejected": third}


def test_every_change_moves_its_counters_in_the_month_it_happened(history, clock):
    found = cells(models.StatCell, PROVINCE_SCOPE)
    november, december = f"2026-11#{HOME_COMMUNE}#{MARITAL}", f"2026-12#{HOME_COMMUNE}#{MARITAL}"
    assert set(found) == {november, december}
    assert found[november] == {"received_online": 3, "fee_bearing": 3, "supplement_requests": 1, "decided": 1,
                               "on_time": 1, "decision_working_days": 1, "paid_online": 1, "withdrawn": 1}
    assert found[december]["decided"] == 1 and found[december]["late"] == 1 and found[december]["rejected"] == 1
    item = models.StatCell.get(PROVINCE_SCOPE, november)
    assert (item.province_code, item.commune_code, item.procedure_id, item.month) == ("33", HOME_COMMUNE, MARITAL,
                                                                                      "2026-11")


def test_each_officer_step_is_counted_for_the_officer_with_its_duration(history, officer):
    found = cells(models.OfficerCell, OFFICER_SCOPE)
    # 5 steps on the approved application; the apology and 3 steps on the rejected one
    assert total(found)["steps"] == 9
    assert sum(n for name, n in total(found).items() if name.startswith("step_days_")) == 9
    (december_cell,) = [key for key in found if key.startswith("2026-12#")]
    assert found[december_cell]["steps"] == 4


def test_a_refused_change_moves_no_counter(history, officer):
    code = history["approved"]
    before = cells(models.StatCell, PROVINCE_SCOPE), cells(models.OfficerCell, OFFICER_SCOPE)
    stale = officer.post(f"/applications/{code}/actions", json={"action": "mark_result_ready", "version": 1,
                                                                 "result": "pickup"})
    assert (stale.status_code, stale.json["error"]["code"]) == (409, "conflict")
    again = officer.post(f"/applications/{code}/actions", json={"action": "approve"})
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")
    assert (cells(models.StatCell, PROVINCE_SCOPE), cells(models.OfficerCell, OFFICER_SCOPE)) == before


def test_the_recount_rebuilds_exactly_the_counters_the_changes_left(history):
    kept = cells(models.StatCell, PROVINCE_SCOPE), cells(models.OfficerCell, OFFICER_SCOPE)
    for item in models.StatCell.query(PROVINCE_SCOPE):
        item.update(actions=[models.StatCell.decided.set(99), models.StatCell.received_online.set(0)])
    models.StatCell(PROVINCE_SCOPE, f"2026-10#{HOME_COMMUNE}#{MARITAL}", province_code="33",
                    commune_code=HOME_COMMUNE, procedure_id=MARITAL, month="2026-10", late=7).save()
    for item in models.OfficerCell.query(OFFICER_SCOPE):
        item.delete()
    done = recount.recount("2026-10", "2026-12")
    assert done == {"applications": 3, "events": 15, "cells": 4, "zeroed": 1}
    assert (cells(models.StatCell, PROVINCE_SCOPE), cells(models.OfficerCell, OFFICER_SCOPE)) == \
        ({**kept[0], f"2026-10#{HOME_COMMUNE}#{MARITAL}": {}}, kept[1])


def test_a_retried_submission_is_received_once(citizen):
    body, key = submission([uploaded_page(citizen)]), "6f1c1f0e-4b8e-4a51-9a2e-3f7f5b7f0c11"
    first, again = submit(citizen, body, key), submit(citizen, body, key)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert total(cells(models.StatCell, PROVINCE_SCOPE))["received_online"] == 1


def test_without_the_statistics_table_a_step_is_503_and_changes_nothing(filed, officer):
    drop_table(models.StatCell)
    resp = officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert models.Application.get(filed, consistent_read=True).status == "submitted"
    assert [e.kind for e in models.Event.query(filed)] == ["submitted"]
