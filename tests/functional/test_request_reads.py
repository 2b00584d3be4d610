"""What a request costs in DynamoDB requests, and what it reads: the items a route names come with its
session's BatchGetItem and are handed over once; the application item keeps its timeline and its pages'
facts, so a read or a step needs no other table; applications stored before that still read the others."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from botocore.client import BaseClient
from submit_helpers import as_user, uploaded_page

from functions.core import models, reads


@pytest.fixture
def dynamodb_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """Every DynamoDB API call made from now on, by operation name."""
    calls: list[str] = []
    real = BaseClient._make_api_call

    def counted(self, operation, params):  # noqa: ANN001, ANN202
        if self.meta.service_model.service_name == "dynamodb":
            calls.append(operation)
        return real(self, operation, params)

    monkeypatch.setattr(BaseClient, "_make_api_call", counted)
    yield calls


def test_reading_an_application_is_one_request(status_app, citizen, filed, dynamodb_calls):
    resp = as_user(status_app, citizen).get(f"/applications/{filed}")
    assert resp.status_code == 200 and resp.json["documents"]["id_card"][0]["url"]
    assert dynamodb_calls == ["BatchGetItem"]  # session, account and application together


def test_an_officer_step_is_one_read_and_one_transaction(officer, filed, dynamodb_calls):
    resp = officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    assert resp.status_code == 200
    assert [e["kind"] for e in resp.json["timeline"]] == ["submitted", "accept"]
    assert resp.json["documents"]["id_card"][0]["content_type"] == "image/jpeg"
    assert dynamodb_calls == ["BatchGetItem", "TransactWriteItems"]


def test_a_resubmission_keeps_the_new_pages_facts_on_the_application(status_app, citizen, officer, filed):
    officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    officer.post(f"/applications/{filed}/actions", json={"action": "start_review"})
    officer.post(f"/applications/{filed}/actions",
                 json={"action": "request_supplement", "reason": "Ảnh mờ", "slots": ["id_card"]})
    retaken = uploaded_page(citizen)
    resp = as_user(status_app, citizen).post(f"/applications/{filed}/actions",
                                             json={"action": "resubmit", "documents": {"id_card": [retaken]}})
    assert resp.status_code == 200, resp.json
    kept = models.Application.get(filed, consistent_read=True).pages
    doc = models.Document.get(retaken, consistent_read=True)
    assert kept[retaken] == {"content_type": doc.content_type, "width": doc.width, "height": doc.height,
                             "object_key": doc.object_key}
    assert [p["document_id"] for p in resp.json["documents"]["id_card"]] == [retaken]


def test_an_application_stored_before_items_kept_timeline_and_pages_still_shows_both(status_app, citizen,
                                                                                        officer, filed):
    officer.post(f"/applications/{filed}/actions", json={"action": "accept"})
    app = models.Application.get(filed, consistent_read=True)
    expected = as_user(status_app, citizen).get(f"/applications/{filed}").json
    app.update(actions=[models.Application.timeline.remove(), models.Application.pages.remove()])
    legacy = as_user(status_app, citizen).get(f"/applications/{filed}").json
    assert legacy["timeline"] == expected["timeline"]
    assert [{k: v for k, v in p.items() if k != "url"} for p in legacy["documents"]["id_card"]] == \
        [{k: v for k, v in p.items() if k != "url"} for p in expected["documents"]["id_card"]]
    stepped = officer.post(f"/applications/{filed}/actions", json={"action": "start_review"}).json
    assert [e["kind"] for e in stepped["timeline"]] == ["submitted", "accept", "start_review"]
    assert models.Application.get(filed, consistent_read=True).timeline is None  # not half-started


def test_a_held_item_is_handed_over_once_then_read_afresh(status_app, filed):
    with status_app.test_request_context():
        stale = models.Application.get(filed, consistent_read=True)
        reads.keep({(models.Application, filed): stale, (models.Application, "HN-2611-ZZZZZZ"): None})
        assert reads.take(models.Application, filed) is stale
        models.Application.get(filed).update(actions=[models.Application.status.set("received")])
        assert reads.take(models.Application, filed).status == "received"  # from the table, not the batch
        assert reads.take(models.Application, "HN-2611-ZZZZZZ") is None


def test_implausible_names_are_never_sent_with_the_session(status_app, citizen, dynamodb_calls):
    client = as_user(status_app, citizen)
    for code in ("x" * 200, "garbage", "HN-2611-ZZZZZZ"):
        resp = client.get(f"/applications/{code}")
        assert (resp.status_code, resp.json["error"]["code"]) == (404, "not_found")
    assert dynamodb_calls == ["BatchGetItem"] * 3
