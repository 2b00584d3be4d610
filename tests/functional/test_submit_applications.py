"""submitApplication and listMyApplications: checks, atomic writes, idempotency, ownership, pages."""

from __future__ import annotations

import re
import uuid

import pytest
from account_helpers import PROFILE
from submit_helpers import (
    ANSWERS,
    create_upload,
    drop_table,
    signed_in_client,
    submission,
    submit,
    uploaded_page,
)

from functions.core import models


def count(model) -> int:  # noqa: ANN001
    return model.count()


def test_a_complete_application_is_stored_with_its_first_event_and_claims_its_pages(citizen):
    page = uploaded_page(citizen)
    resp = submit(citizen, submission([page]))
    assert resp.status_code == 201
    app = resp.json["application"]
    assert re.fullmatch(r"HN-2611-[0-9A-HJKMNP-TV-Z]{6}", app["code"])
    # Sunday 22 Nov 10:00 -> received Monday; Tuesday 24 is a holiday -> Wed, Thu, Fri.
    assert app["due_date"] == "2026-11-26" and app["submitted_at"] == "2026-11-22T10:00:00+07:00"
    assert (app["status"], app["fee_vnd"], app["payment_state"]) == ("submitted", 3000, "unpaid")
    assert app["commune_name"] and app["documents"] == {"id_card": [page]}
    stored = models.Application.get(app["code"])
    assert stored.owner_id == citizen.user_id and stored.commune_status == "13075#submitted"
    assert stored.applicant["citizen_id"] == PROFILE["citizen_id"]
    events = list(models.Event.query(app["code"]))
    assert [(e.kind, e.actor["role"], e.delivery) for e in events] == [("submitted", "citizen", "pending")]
    assert models.Document.get(page).application_id == app["code"]


def test_a_retry_with_the_same_key_returns_the_same_application_and_creates_nothing(citizen):
    body, key = submission([uploaded_page(citizen)]), str(uuid.uuid4())
    first, second = submit(citizen, body, key), submit(citizen, body, key)
    assert first.status_code == second.status_code == 201
    assert first.json == second.json
    assert count(models.Application) == 1 and count(models.Event) == 1


def test_a_retry_after_the_key_record_expired_still_finds_the_first_application(citizen):
    body, key = submission([uploaded_page(citizen)]), str(uuid.uuid4())
    first = submit(citizen, body, key)
    for record in models.IdempotencyRecord.scan():
        record.delete()  # what DynamoDB's TTL does after 30 days
    again = submit(citizen, body, key)
    assert again.status_code == 201 and again.json == first.json
    assert count(models.Application) == 1


def test_a_database_failure_while_writing_is_503_and_leaves_nothing(citizen):
    page = uploaded_page(citizen)
    drop_table(models.StatCell)  # one of the transaction's tables is gone: the service fails, not a condition
    resp = submit(citizen, submission([page]))
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert count(models.Application) == 0 and models.Document.get(page).application_id is None


def test_the_same_key_with_another_body_is_refused(citizen):
    key = str(uuid.uuid4())
    page = uploaded_page(citizen)
    assert submit(citizen, submission([page]), key).status_code == 201
    reused = submit(citizen, submission([page], delivery={"method": "electronic"}), key)
    assert reused.status_code == 409 and reused.json["error"]["code"] == "idempotency_key_reused"
    assert count(models.Application) == 1


@pytest.mark.parametrize("key", [None, "", "not-a-uuid"])
def test_the_idempotency_key_is_required(citizen, key):
    headers = {} if key is None else {"Idempotency-Key": key}
    resp = citizen.post("/applications", json=submission([]), headers=headers)
    assert resp.status_code == 400 and resp.json["error"]["code"] == "idempotency_key_required"


def test_applying_needs_a_complete_profile_first(submit_app, submit_config, clock):
    newcomer = signed_in_client(submit_app, submit_config, clock.current, "+84911111111", profile=None)
    resp = submit(newcomer, submission([uploaded_page(newcomer)]))
    assert resp.status_code == 409 and resp.json["error"]["code"] == "profile_required"
    assert count(models.Application) == 0


def assert_refused(citizen, body, fields):  # noqa: ANN001
    resp = submit(citizen, body)
    assert resp.status_code == 400, resp.json
    assert resp.json["error"]["code"] == "validation_failed"
    assert resp.json["error"]["details"]["fields"] == fields
    assert count(models.Application) == 0 and count(models.Event) == 0
    assert all(doc.application_id is None for doc in models.Document.scan())


def test_answers_that_break_the_schema_are_named_and_nothing_is_written(citizen):
    body = submission([uploaded_page(citizen)], answers={"purpose": "marriage", "marital_status": "single"})
    assert_refused(citizen, body, {
        "answers.intended_spouse_birth_year": "required", "answers.intended_spouse_name": "required",
        "answers.intended_spouse_nationality": "required", "answers.marital_status": "not_allowed",
        "answers.marriage_place": "required",
    })


def test_a_divorced_applicant_must_add_the_divorce_decision(citizen):
    body = submission([uploaded_page(citizen)], answers={**ANSWERS, "marital_status": "divorced"})
    assert_refused(citizen, body, {"documents.divorce_decision": "required"})


def test_missing_too_many_and_unknown_slots(citizen):
    pages = [uploaded_page(citizen) for _ in range(3)]
    assert_refused(citizen, submission(pages), {"documents.id_card": "too_many_pages"})
    assert_refused(citizen, submission([], documents={"selfie": pages[:1]}),
                   {"documents.id_card": "required", "documents.selfie": "unknown_slot"})


def test_someone_elses_page_looks_like_a_missing_one(citizen, other_citizen):
    theirs = uploaded_page(other_citizen)
    assert_refused(citizen, submission([theirs]), {"documents.id_card.0": "document_not_found"})
    assert_refused(citizen, submission(["nonexistent-document"]), {"documents.id_card.0": "document_not_found"})


def test_an_unverified_upload_cannot_be_used(citizen):
    pending = create_upload(citizen).json["document_id"]
    assert_refused(citizen, submission([pending]), {"documents.id_card.0": "document_not_verified"})


def test_a_page_from_another_slot_or_used_twice_is_refused(citizen):
    page = uploaded_page(citizen, slot="divorce_decision")
    assert_refused(citizen, submission([page]), {"documents.id_card.0": "wrong_slot"})
    same = uploaded_page(citizen)
    assert_refused(citizen, submission([same, same]), {"documents.id_card.1": "duplicate"})


def test_a_page_already_in_an_application_cannot_join_another(citizen):
    page = uploaded_page(citizen)
    assert submit(citizen, submission([page])).status_code == 201
    again = submit(citizen, submission([page]))
    assert again.status_code == 400
    assert again.json["error"]["details"]["fields"] == {"documents.id_card.0": "document_in_use"}
    assert count(models.Application) == 1


def test_an_unknown_commune_or_procedure_is_refused(citizen):
    page = uploaded_page(citizen)
    assert_refused(citizen, submission([page], commune_code="99999"), {"commune_code": "commune_unknown"})
    assert_refused(citizen, submission([page], procedure_id="passport"), {"procedure_id": "unknown"})


def test_postal_delivery_needs_an_address_that_exists(citizen):
    page = uploaded_page(citizen)
    wrong = {"method": "post", "address": {"province_code": "01", "commune_code": "13075", "street": "Số 1"}}
    assert_refused(citizen, submission([page], delivery=wrong),
                   {"delivery.address.commune_code": "commune_not_in_province"})
    assert_refused(citizen, submission([page], delivery={"method": "drone"}), {"delivery.method": "not_allowed"})
    good = {"method": "post", "address": PROFILE["current_address"]}
    resp = submit(citizen, submission([page], delivery=good))
    assert resp.status_code == 201 and resp.json["application"]["delivery"]["address"]["street"] == "Thôn Đông, số 12"


def test_a_result_kind_the_procedure_does_not_offer_is_refused(citizen):
    page = uploaded_page(citizen, slot="originals", procedure="certified-copy")
    body = {"procedure_id": "certified-copy", "commune_code": "13075",
            "answers": {"document_title": "Bằng tốt nghiệp", "copies": 2},
            "documents": {"originals": [page], "id_card": [uploaded_page(citizen, procedure="certified-copy")]},
            "delivery": {"method": "electronic"}}
    assert_refused(citizen, body, {"delivery.method": "not_offered"})
    resp = submit(citizen, {**body, "delivery": {"method": "pickup"}})
    assert resp.status_code == 201
    app = resp.json["application"]
    assert app["code"].startswith("CT-") and app["fee_vnd"] == 4000  # 2 copies of a 1-page original
    assert app["due_date"] == "2026-11-25"


def test_an_exempt_applicant_pays_nothing(citizen):
    body = submission([uploaded_page(citizen)], answers={**ANSWERS, "fee_exemption": "disabled"})
    body["documents"]["fee_exemption_proof"] = [uploaded_page(citizen, slot="fee_exemption_proof")]
    app = submit(citizen, body).json["application"]
    assert (app["fee_vnd"], app["payment_state"]) == (0, "not_required")


def test_submitting_needs_a_session_and_the_csrf_header(submit_app, citizen):
    assert submit_app.test_client().post("/applications", json={}).status_code == 401
    assert citizen.client.post("/applications", json={}, headers={"Idempotency-Key": str(uuid.uuid4())}
                               ).status_code == 403


def test_my_applications_come_newest_first_a_page_at_a_time(citizen, other_citizen, clock):
    codes = []
    for _ in range(3):
        codes.append(submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"])
        clock.advance(minutes=5)
    first = citizen.get("/applications?limit=2").json
    assert [a["code"] for a in first["applications"]] == codes[::-1][:2] and first["next_cursor"]
    second = citizen.get(f"/applications?limit=2&cursor={first['next_cursor']}").json
    assert [a["code"] for a in second["applications"]] == codes[:1] and second["next_cursor"] is None
    assert other_citizen.get("/applications").json == {"applications": [], "next_cursor": None}
    stolen = other_citizen.get(f"/applications?cursor={first['next_cursor']}")
    assert stolen.status_code == 400 and stolen.json["error"]["code"] == "invalid_cursor"


@pytest.mark.parametrize("query", ["cursor=garbage!!", "cursor=e30", "limit=0", "limit=51", "limit=ten"])
def test_bad_paging_parameters_are_4xx(citizen, query):
    assert citizen.get(f"/applications?{query}").status_code == 400


def test_listing_needs_a_session(submit_app):
    assert submit_app.test_client().get("/applications").status_code == 401
