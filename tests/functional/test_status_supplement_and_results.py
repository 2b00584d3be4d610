"""The supplement loop (the officer names papers, the citizen retakes exactly those and resubmits) and the
result (post, pick-up, or an electronic PDF the citizen downloads through a short-lived link)."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from pay_helpers import pay
from submit_helpers import (
    as_user,
    browser_upload,
    create_upload,
    delete_bucket,
    submission,
    submit,
    uploaded_page,
)

from functions.core import models

REASON = "Ảnh CCCD bị mờ, chụp lại mặt trước"
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


def act(who, code: str, action: str, **details):  # noqa: ANN001, ANN003, ANN201
    return who.post(f"/applications/{code}/actions", json={"action": action, **details})


def to_review(officer, code: str) -> None:  # noqa: ANN001
    for action in ("accept", "start_review"):
        assert act(officer, code, action).status_code == 200


@pytest.fixture
def mine(status_app, citizen):  # noqa: ANN001, ANN201
    return as_user(status_app, citizen)


@pytest.fixture
def asked(officer, filed) -> str:  # noqa: ANN001
    """The citizen's application with a supplement of the ID card requested."""
    to_review(officer, filed)
    resp = act(officer, filed, "request_supplement", slots=["id_card"], reason=REASON)
    assert resp.status_code == 200, resp.json
    return filed


@pytest.fixture
def approved(officer, filed, pay_app, citizen) -> str:  # noqa: ANN001
    """Approved and paid: the result may be released."""
    to_review(officer, filed)
    assert act(officer, filed, "approve").status_code == 200
    pay(pay_app, as_user(pay_app, citizen), filed)
    return filed


def test_the_citizen_sees_which_paper_to_retake_and_why(mine, asked):
    body = mine.get(f"/applications/{asked}").json
    assert body["status"] == "supplement_requested" and body["actions"] == ["resubmit"]
    assert body["supplement"]["slots"] == ["id_card"] and body["supplement"]["reason"] == REASON
    assert body["procedure_slots"]["id_card"]["label"]["vi"].startswith("Căn cước")
    assert "image/jpeg" in body["procedure_slots"]["id_card"]["accept"]


def test_resubmitting_replaces_the_requested_pages_and_clears_the_request(mine, citizen, officer, asked):
    old = mine.get(f"/applications/{asked}").json["documents"]["id_card"][0]["document_id"]
    retaken = uploaded_page(citizen)
    resp = act(mine, asked, "resubmit", documents={"id_card": [retaken]})
    assert resp.status_code == 200, resp.json
    assert resp.json["status"] == "resubmitted" and resp.json["supplement"] is None
    assert [p["document_id"] for p in resp.json["documents"]["id_card"]] == [retaken]
    assert resp.json["timeline"][-1]["data"]["documents"] == {"id_card": [retaken]}
    assert models.Document.get(retaken).application_id == asked
    assert models.Document.get(old).application_id == asked  # the first page stays in the file's history
    assert act(officer, asked, "start_review").json["status"] == "in_review"


@pytest.mark.parametrize(("documents", "field", "code"), [
    ({}, "documents", "required"),
    ({"id_card": []}, "documents.id_card", "required"),
    ({"id_card": ["x" * 32], "divorce_decision": ["y" * 32]}, "documents.divorce_decision", "not_requested"),
    ({"id_card": ["0" * 32]}, "documents.id_card.0", "document_not_found"),
])
def test_a_bad_resubmission_is_refused_and_changes_nothing(mine, asked, documents, field, code):
    resp = act(mine, asked, "resubmit", documents=documents)
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "validation_failed")
    assert resp.json["error"]["details"]["fields"][field] == code
    assert models.Application.get(asked).status == "supplement_requested"


def test_pages_that_are_not_the_citizens_own_fresh_ones_are_refused(mine, citizen, other_citizen, asked):
    used = mine.get(f"/applications/{asked}").json["documents"]["id_card"][0]["document_id"]
    theirs = uploaded_page(other_citizen)
    unfinished = create_upload(citizen).json["document_id"]
    resp = act(mine, asked, "resubmit", documents={"id_card": [used, theirs]})
    assert resp.json["error"]["details"]["fields"] == {"documents.id_card.0": "document_in_use",
                                                       "documents.id_card.1": "document_not_found"}
    resp = act(mine, asked, "resubmit", documents={"id_card": [unfinished]})
    assert resp.json["error"]["details"]["fields"] == {"documents.id_card.0": "document_not_verified"}
    assert models.Document.get(theirs).application_id is None


def test_a_page_of_another_slot_and_too_many_pages_are_refused(mine, citizen, asked):
    other_slot = uploaded_page(citizen, slot="divorce_decision")
    three = [uploaded_page(citizen) for _ in range(3)]
    resp = act(mine, asked, "resubmit", documents={"id_card": [other_slot]})
    assert resp.json["error"]["details"]["fields"] == {"documents.id_card.0": "wrong_slot"}
    resp = act(mine, asked, "resubmit", documents={"id_card": three})
    assert resp.json["error"]["details"]["fields"] == {"documents.id_card": "too_many_pages"}


def test_resubmitting_twice_is_an_invalid_transition_the_second_time(mine, citizen, asked):
    page = uploaded_page(citizen)
    assert act(mine, asked, "resubmit", documents={"id_card": [page]}).status_code == 200
    again = act(mine, asked, "resubmit", documents={"id_card": [uploaded_page(citizen)]})
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")
    assert [e.kind for e in models.Event.query(asked)].count("resubmit") == 1


def test_the_supplement_loop_can_repeat(mine, citizen, officer, asked):
    act(mine, asked, "resubmit", documents={"id_card": [uploaded_page(citizen)]})
    act(officer, asked, "start_review")
    again = act(officer, asked, "request_supplement", slots=["id_card"], reason="Vẫn còn mờ")
    assert again.json["supplement"]["reason"] == "Vẫn còn mờ"
    last = act(mine, asked, "resubmit", documents={"id_card": [uploaded_page(citizen)]})
    assert last.json["status"] == "resubmitted"


def test_a_citizen_sees_who_handles_it_by_name_never_by_staff_id(mine, officer, filed):
    models.User.get(officer.user_id).update(actions=[models.User.profile.set({"full_name": "Trần Văn Bình"})])
    act(officer, filed, "accept")
    step = mine.get(f"/applications/{filed}").json["timeline"][-1]
    assert step["actor"] == {"role": "officer", "name": "Trần Văn Bình"}
    assert officer.get(f"/applications/{filed}").json["timeline"][-1]["actor"]["user_id"] == officer.user_id


def result_upload(officer, code: str, data: bytes = PDF):  # noqa: ANN001, ANN201
    created = officer.post(f"/applications/{code}/result-upload", json={"size": len(data)})
    assert created.status_code == 201, created.json
    assert browser_upload(created.json["upload"], data, "application/pdf") in (200, 204)
    return created.json["document_id"]


def test_an_electronic_result_reaches_the_citizen_as_a_short_lived_download(mine, officer, approved):
    document_id = result_upload(officer, approved)
    done = act(officer, approved, "mark_result_ready", result="electronic", document_id=document_id)
    assert done.status_code == 200, done.json
    seen = mine.get(f"/applications/{approved}").json
    assert seen["status"] == "result_ready" and seen["result"]["result"] == "electronic"
    assert int(parse_qs(urlsplit(seen["result"]["url"]).query)["X-Amz-Expires"][0]) <= 300
    download = requests.get(seen["result"]["url"], timeout=10)
    assert download.status_code == 200 and download.content == PDF
    assert models.Document.get(document_id).application_id == approved


@pytest.mark.parametrize(("data", "status", "code"), [
    (b"\x89PNG\r\n\x1a\n" + b"0" * 100, 415, "upload_type_not_allowed"),
    (PDF[:-8], 422, "upload_corrupt"),
    (PDF.replace(b"/Catalog", b"/Catalog /OpenAction << /S /JavaScript /JS (app.alert(1)) >>"), 415,
     "upload_type_not_allowed"),
])
def test_a_result_that_is_not_a_clean_pdf_is_refused(officer, approved, data, status, code):
    document_id = result_upload(officer, approved, data)
    resp = act(officer, approved, "mark_result_ready", result="electronic", document_id=document_id)
    assert (resp.status_code, resp.json["error"]["code"]) == (status, code)
    assert models.Application.get(approved).status == "approved"


def test_a_result_must_be_uploaded_and_belong_to_this_application(officer, citizen, approved):
    created = officer.post(f"/applications/{approved}/result-upload", json={"size": 100}).json
    early = act(officer, approved, "mark_result_ready", result="electronic", document_id=created["document_id"])
    assert (early.status_code, early.json["error"]["code"]) == (409, "upload_incomplete")
    citizens_page = uploaded_page(citizen)
    borrowed = act(officer, approved, "mark_result_ready", result="electronic", document_id=citizens_page)
    assert borrowed.json["error"]["details"]["fields"] == {"document_id": "document_not_found"}
    assert models.Application.get(approved).status == "approved"


def test_a_result_upload_without_the_bucket_is_503_and_registers_no_document(officer, approved, submit_config):
    delete_bucket(submit_config, submit_config.documents_bucket)
    before = {d.document_id for d in models.Document.scan()}
    resp = officer.post(f"/applications/{approved}/result-upload", json={"size": 100})
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable"), resp.json
    assert resp.json["error"]["details"]["service"] == "s3"
    assert {d.document_id for d in models.Document.scan()} == before
    assert models.Application.get(approved).status == "approved"


def test_result_uploads_are_for_this_communes_officers_on_approved_applications(mine, officer, far_officer, filed):
    early = officer.post(f"/applications/{filed}/result-upload", json={"size": 100})
    assert (early.status_code, early.json["error"]["code"]) == (409, "invalid_transition")
    assert far_officer.post(f"/applications/{filed}/result-upload", json={"size": 100}).status_code == 404
    assert mine.post(f"/applications/{filed}/result-upload", json={"size": 100}).status_code == 403


@pytest.mark.parametrize(("body", "status", "code", "fields"), [
    ({}, 400, "validation_failed", {"size": "required"}),
    ({"size": "100"}, 400, "validation_failed", {"size": "invalid_type"}),
    ({"size": 0}, 400, "validation_failed", {"size": "too_small"}),
    ({"size": 100, "name": "x.pdf"}, 400, "validation_failed", {"name": "unknown_field"}),
    ({"size": 50 * 1024 * 1024}, 413, "upload_too_large", None),
])
def test_a_bad_result_upload_request_is_a_4xx(officer, approved, body, status, code, fields):
    resp = officer.post(f"/applications/{approved}/result-upload", json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (status, code)
    assert resp.json["error"]["details"].get("fields") == fields
    assert [d for d in models.Document.scan() if d.slot == "result"] == []


def test_a_result_by_post_or_pickup_says_how_it_arrives(mine, officer, approved, citizen, pay_app):
    resp = act(officer, approved, "mark_result_ready", result="post", tracking_number="ee123456789vn")
    assert resp.json["result"] == {"result": "post", "tracking_number": "EE123456789VN"}
    assert mine.get(f"/applications/{approved}").json["result"]["tracking_number"] == "EE123456789VN"
    assert act(officer, approved, "complete").json["status"] == "completed"
    second = submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"]
    to_review(officer, second)
    act(officer, second, "approve")
    unpaid = act(officer, second, "mark_result_ready", result="pickup")
    assert (unpaid.status_code, unpaid.json["error"]["code"]) == (409, "payment_required")
    pay(pay_app, as_user(pay_app, citizen), second)
    assert act(officer, second, "mark_result_ready", result="pickup").json["result"] == {"result": "pickup"}


def test_asking_twice_for_a_result_upload_gives_two_slots_and_only_the_used_one_is_claimed(mine, officer, approved):
    first = officer.post(f"/applications/{approved}/result-upload", json={"size": len(PDF)}).json
    second = result_upload(officer, approved)
    assert first["document_id"] != second
    done = act(officer, approved, "mark_result_ready", result="electronic", document_id=second)
    assert done.status_code == 200, done.json
    assert models.Document.get(second).application_id == approved
    assert models.Document.get(first["document_id"]).application_id is None
    again = act(officer, approved, "mark_result_ready", result="electronic", document_id=second)
    assert (again.status_code, again.json["error"]["code"]) == (409, "invalid_transition")


def hidden_in_object_stream() -> bytes:
    """A result whose catalog and JavaScript OpenAction sit in a FlateDecode object stream."""
    from tests.fixtures.pdfs import JS, document

    return document(catalog=b"/OpenAction 10 0 R", extra={10: JS}, packed=(1, 10))


def launch_behind_a_name_escape() -> bytes:
    from tests.fixtures.pdfs import document, link

    return document(page=b"/Annots [10 0 R]", extra=link(b"<< /S /L#61unch /F (cmd.exe) >>"))


@pytest.mark.parametrize(("build", "found"), [
    (hidden_in_object_stream, "OpenAction"),
    (launch_behind_a_name_escape, "Launch"),
])
def test_a_result_with_hidden_active_content_is_never_marked_ready(mine, officer, approved, build, found):
    data = build()
    assert b"/JavaScript" not in data and b"/Launch" not in data  # what the old byte scan looked for
    document_id = result_upload(officer, approved, data)
    resp = act(officer, approved, "mark_result_ready", result="electronic", document_id=document_id)
    assert (resp.status_code, resp.json["error"]["code"]) == (415, "upload_type_not_allowed")
    assert resp.json["error"]["details"] == {"reason": "pdf_active_content", "found": found}
    assert models.Application.get(approved).status == "approved"
    assert models.Document.get(document_id).application_id is None
    assert mine.get(f"/applications/{approved}").json.get("result") is None
