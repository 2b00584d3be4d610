"""getApplication, officerTransition and the officer queue: who sees what, the lifecycle through the API,
optimistic locking, and short-lived document links."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from submit_helpers import HOME_COMMUNE, as_user, drop_table, staff_client, submission, submit, uploaded_page

from functions.core import models


def without_links(view: dict) -> dict:
    pages = {slot: [{k: v for k, v in page.items() if k != "url"} for page in ids]
             for slot, ids in view["documents"].items()}
    return {**view, "documents": pages}


def test_the_owner_sees_details_links_timeline_and_due_date(status_app, citizen, filed):
    resp = as_user(status_app, citizen).get(f"/applications/{filed}")
    assert resp.status_code == 200
    body = resp.json
    assert (body["code"], body["status"], body["due_date"], body["overdue"]) == (filed, "submitted", "2026-11-26",
                                                                                   False)
    assert body["actions"] == ["withdraw"] and body["applicant"]["full_name"]
    (page,) = body["documents"]["id_card"]
    query = parse_qs(urlsplit(page["url"]).query)
    assert int(query["X-Amz-Expires"][0]) <= 300 and page["content_type"] == "image/jpeg"
    assert [e["kind"] for e in body["timeline"]] == ["submitted"]
    assert "user_id" not in body["timeline"][0]["actor"]
    assert resp.headers["Cache-Control"] == "no-store"


def test_nobody_else_learns_that_it_exists(status_app, filed, other_citizen, far_officer):
    for who in (as_user(status_app, other_citizen), far_officer):
        for path in (f"/applications/{filed}", "/applications/HN-2611-ZZZZZZ", "/applications/garbage"):
            resp = who.get(path)
            assert (resp.status_code, resp.json["error"]["code"]) == (404, "not_found")
        acted = who.post(f"/applications/{filed}/actions", json={"action": "accept"})
        assert acted.status_code == 404
    assert models.Application.get(filed).status == "submitted"


def test_the_commune_officer_moves_it_along_and_every_step_is_on_the_timeline(status_app, citizen, officer, filed,
                                                                               clock):
    steps = [({"action": "accept"}, "received"), ({"action": "start_review"}, "in_review"),
             ({"action": "request_supplement", "reason": "Ảnh CCCD bị mờ", "slots": ["id_card"]},
              "supplement_requested")]
    for version, (body, status) in enumerate(steps, start=2):
        clock.advance(minutes=10)
        resp = officer.post(f"/applications/{filed}/actions", json=body)
        assert resp.status_code == 200, resp.json
        assert (resp.json["status"], resp.json["version"]) == (status, version)
        # The answer is what is stored (links are signed afresh on every read).
        assert without_links(resp.json) == without_links(officer.get(f"/applications/{filed}").json)
    mine = as_user(status_app, citizen)
    seen = mine.get(f"/applications/{filed}").json
    assert seen["actions"] == ["resubmit"]
    assert seen["timeline"][-1]["data"]["reason"] == "Ảnh CCCD bị mờ"
    assert seen["timeline"][-1]["data"]["slots"] == ["id_card"]
    retaken = uploaded_page(citizen)
    resent = mine.post(f"/applications/{filed}/actions", json={"action": "resubmit",
                                                               "documents": {"id_card": [retaken]}})
    assert resent.json["status"] == "resubmitted"
    kinds = [e["kind"] for e in officer.get(f"/applications/{filed}").json["timeline"]]
    assert kinds == ["submitted", "accept", "start_review", "request_supplement", "resubmit"]


def test_a_forbidden_step_is_409_and_changes_nothing(officer, citizen, status_app, filed):
    resp = officer.post(f"/applications/{filed}/actions", json={"action": "approve"})
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "invalid_transition")
    as_citizen = as_user(status_app, citizen).post(f"/applications/{filed}/actions", json={"action": "accept"})
    assert as_citizen.status_code == 403
    assert models.Application.get(filed).status == "submitted"
    assert [e.kind for e in models.Event.query(filed)] == ["submitted"]


def test_two_officers_at_the_same_moment_one_gets_409(officer, filed, submit_app, submit_config, clock, status_app):
    colleague = as_user(status_app, staff_client(submit_app, submit_config, clock.current, "+84912000103",
                                                 [HOME_COMMUNE]))
    version = officer.get(f"/applications/{filed}").json["version"]
    first = officer.post(f"/applications/{filed}/actions", json={"action": "accept", "version": version})
    second = colleague.post(f"/applications/{filed}/actions", json={"action": "accept", "version": version})
    assert first.status_code == 200
    assert (second.status_code, second.json["error"]["code"]) == (409, "conflict")
    assert [e.kind for e in models.Event.query(filed)] == ["submitted", "accept"]


def test_the_queue_lists_the_communes_applications_by_due_date(officer, far_officer, citizen, filed, clock,
                                                                status_app):
    clock.advance(days=2)
    later = submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"]
    resp = officer.get("/queue?status=submitted")
    assert [a["code"] for a in resp.json["applications"]] == [filed, later]
    assert resp.json["applications"][0]["applicant_name"]
    clock.advance(days=10)
    assert all(a["overdue"] for a in officer.get("/queue").json["applications"])
    refused = far_officer.get(f"/queue?commune={HOME_COMMUNE}")
    assert refused.status_code == 400 and refused.json["error"]["details"]["fields"] == {"commune": "not_allowed"}
    assert as_user(status_app, citizen).get("/queue").status_code == 403
    assert officer.get("/queue?status=flying").status_code == 400
    assert officer.get("/queue?cursor=abc").status_code == 400


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"action": "required"}),
    ({"action": 7}, {"action": "invalid_type"}),
    ({"action": "accept", "version": "1"}, {"version": "invalid_type"}),
    ({"action": "accept", "version": True}, {"version": "invalid_type"}),
])
def test_a_malformed_action_is_400_and_changes_nothing(officer, filed, body, fields):
    resp = officer.post(f"/applications/{filed}/actions", json=body)
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)
    assert models.Application.get(filed).status == "submitted"
    assert [e.kind for e in models.Event.query(filed)] == ["submitted"]


def test_a_database_failure_while_acting_is_503_not_a_conflict(officer, filed):
    drop_table(models.StatCell)  # one of the transaction's tables is gone: the service fails, not a condition
    resp = officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert models.Application.get(filed).status == "submitted"
