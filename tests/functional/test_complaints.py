"""Complaints ("phản ánh, kiến nghị") through the status API: filing with photos, the receipt, the officer
queue, the answer with its PDF, accepting or reopening once, and the clock-driven escalation sweep that moves
an unanswered complaint up exactly once per level (supervisor, then admin). Everyone else gets 404."""

from __future__ import annotations

import pytest
from submit_helpers import (
    HOME_COMMUNE,
    as_user,
    browser_upload,
    client_of,
    create_upload,
    drop_table,
    submission,
    submit,
    uploaded_page,
)

from functions.account import users
from functions.core import models
from functions.core.domain import stats
from functions.status import notices
from functions.status.complaints import escalate_due

TEXT = "Đèn đường trước trụ sở xã bị hỏng"
CELL = (stats.scope_key("33"), stats.cell_key("2026-11", HOME_COMMUNE, "general"))
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"


@pytest.fixture
def mine(status_app, citizen):  # noqa: ANN001, ANN201
    return as_user(status_app, citizen)


@pytest.fixture
def stranger(status_app, other_citizen):  # noqa: ANN001, ANN201
    return as_user(status_app, other_citizen)


def staff(status_app, config, clock, phone: str, role: str, communes: list[str]):  # noqa: ANN001, ANN201
    return client_of(status_app, config, users.upsert_staff(phone, role, communes, clock.current), clock.current)


@pytest.fixture
def supervisor(status_app, submit_config, clock):  # noqa: ANN001, ANN201
    return staff(status_app, submit_config, clock, "+84912000201", "supervisor", [HOME_COMMUNE])


@pytest.fixture
def admin(status_app, submit_config, clock):  # noqa: ANN001, ANN201
    return staff(status_app, submit_config, clock, "+84912000209", "admin", [])


def file(who, **body):  # noqa: ANN001, ANN003, ANN201
    return who.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE, **body})


@pytest.fixture
def complaint(mine) -> str:  # noqa: ANN001
    resp = file(mine, category="facilities")
    assert resp.status_code == 201, resp.json
    return resp.json["code"]


def error(resp) -> tuple[int, str]:  # noqa: ANN001
    return resp.status_code, resp.json["error"]["code"]


def counted(name: str) -> int:
    """A counter of the commune's `general` cell this month (0 before anything moved it)."""
    cells = list(models.StatCell.query(CELL[0], models.StatCell.cell == CELL[1], consistent_read=True))
    return int(getattr(cells[0], name)) if cells else 0


def kinds(code: str) -> list[str]:
    return [event.kind for event in models.Event.query(code, consistent_read=True)]


def test_filing_gives_a_receipt_with_a_code_and_a_due_date_in_working_days(mine, complaint):
    seen = mine.get(f"/feedback/{complaint}").json
    # Filed Sunday 22/11: counted from Monday 23, Tue 24 is a day off, 10 working days -> Tue 8 December.
    assert complaint.startswith("PA-2611-") and seen["due_date"] == "2026-12-08" and seen["state"] == "open"
    assert (seen["level"], seen["category"], seen["text"], seen["overdue"]) == ("commune", "facilities", TEXT, False)
    assert [e["kind"] for e in seen["timeline"]] == ["feedback_filed"] and seen["actions"] == []
    assert counted("complaints_received") == 1


def complaint_photo(citizen) -> str:  # noqa: ANN001
    """A verified photo through the upload gate, under the complaints' own purpose and slot."""
    return uploaded_page(citizen, slot="photo", procedure="feedback")


def test_an_applications_page_is_no_complaint_photo_and_a_complaint_photo_no_page(citizen, mine):
    page = uploaded_page(citizen)  # the marital-status procedure's ID-card slot
    resp = mine.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE, "photos": [page]})
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, {"photos.0": "wrong_slot"})
    photo = complaint_photo(citizen)
    filed = submit(citizen, submission([photo]))
    assert (filed.status_code, filed.json["error"]["details"]["fields"]) == (400, {"documents.id_card.0": "wrong_slot"})


def test_the_catalog_names_the_complaint_photo_gate_and_the_gate_keeps_its_rules(citizen):
    gate = citizen.get("/procedures").json["complaint_photo"]
    assert gate["procedure_id"] == "feedback" and gate["slot"]["id"] == "photo" and gate["slot"]["max_pages"] == 3
    for slot, content_type, code in (("id_card", "image/jpeg", "unknown"), ("photo", "application/pdf", "not_allowed")):
        field = "slot_id" if code == "unknown" else "content_type"
        resp = create_upload(citizen, slot, content_type, 1000, "feedback")
        assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, {field: code})


def test_a_complaint_about_an_application_takes_its_commune_and_photos_from_the_upload_gate(citizen, mine, filed):
    photo = complaint_photo(citizen)
    resp = mine.post("/feedback", json={"text": TEXT, "application_code": filed, "photos": [photo]})
    assert resp.status_code == 201, resp.json
    assert resp.json["application_code"] == filed and resp.json["commune_code"] == HOME_COMMUNE
    assert [p["document_id"] for p in resp.json["photos"]] == [photo] and resp.json["photos"][0]["url"]
    assert models.Document.get(photo).application_id == resp.json["code"]
    again = mine.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE, "photos": [photo]})
    assert error(again) == (400, "validation_failed")
    assert again.json["error"]["details"]["fields"] == {"photos.0": "document_in_use"}


@pytest.mark.parametrize(("body", "fields"), [
    ({"text": ""}, {"text": "required"}),
    ({"text": "   "}, {"text": "required"}),
    ({"text": "x" * 2001}, {"text": "too_long"}),
    ({"text": 3}, {"text": "invalid_type"}),
    ({"category": "weather"}, {"category": "not_allowed"}),
    ({"photos": ["a" * 32, "b" * 32, "c" * 32, "d" * 32]}, {"photos": "too_long"}),
    ({"photos": ["a" * 32, "a" * 32]}, {"photos": "duplicate"}),
    ({"photos": ["a" * 32]}, {"photos.0": "document_not_found"}),
    ({"commune_code": "99999"}, {"commune_code": "commune_unknown"}),
    ({"commune_code": "1"}, {"commune_code": "bad_format"}),
    ({"application_code": "HN-2611-AAAAAA"}, {"commune_code": "not_valid"}),
    ({"note": "x"}, {"note": "unknown_field"}),
])
def test_a_bad_filing_is_refused_with_its_field_paths(mine, body, fields):
    resp = file(mine, **body)
    assert error(resp) == (400, "validation_failed")
    assert resp.json["error"]["details"]["fields"] == fields
    assert counted("complaints_received") == 0


def test_a_filing_names_neither_an_application_nor_a_commune(mine):
    resp = mine.post("/feedback", json={"text": TEXT})
    assert error(resp) == (400, "validation_failed")
    assert set(resp.json["error"]["details"]["fields"]) <= {"application_code", "commune_code"}
    assert set(resp.json["error"]["details"]["fields"].values()) == {"required"}


def test_a_complaint_about_someone_elses_application_is_404(stranger, filed):
    assert error(stranger.post("/feedback", json={"text": TEXT, "application_code": filed})) == (404, "not_found")


def test_five_complaints_a_day_then_429_and_the_next_day_again(mine, clock):
    for _ in range(5):
        assert file(mine).status_code == 201
    refused = file(mine)
    assert error(refused) == (429, "rate_limited") and refused.json["error"]["details"]["limit"] == "feedback_daily"
    assert counted("complaints_received") == 5
    clock.advance(days=1)
    assert file(mine).status_code == 201


def test_only_the_citizen_and_staff_of_the_commune_see_a_complaint(complaint, stranger, officer, far_officer,
                                                                  supervisor, admin):
    assert error(stranger.get(f"/feedback/{complaint}")) == (404, "not_found")
    assert error(far_officer.get(f"/feedback/{complaint}")) == (404, "not_found")
    assert error(far_officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã sửa"})) == (404, "not_found")
    assert error(officer.get("/feedback/PA-2611-ZZZZZZ")) == (404, "not_found")
    assert error(officer.get("/feedback/HN-2611-ZZZZZZ")) == (404, "not_found")
    for who in (officer, supervisor, admin):
        assert who.get(f"/feedback/{complaint}").json["code"] == complaint
    assert stranger.get("/feedback").json["complaints"] == []


def test_the_queue_lists_waiting_complaints_overdue_first_at_the_callers_level(mine, officer, far_officer, clock,
                                                                             supervisor):
    first = file(mine).json["code"]
    clock.advance(days=3)
    second = file(mine).json["code"]
    clock.advance(days=14)  # the first is overdue (8/12), the second not yet (11/12)
    queue = officer.get("/officer/feedback").json
    assert queue["level"] == "commune" and [c["code"] for c in queue["complaints"]] == [first, second]
    assert [c["overdue"] for c in queue["complaints"]] == [True, False]
    assert far_officer.get("/officer/feedback").json["complaints"] == []
    assert supervisor.get("/officer/feedback").json == {"level": "supervisor", "complaints": []}
    assert error(mine.get("/officer/feedback")) == (403, "forbidden")


def test_the_answer_reaches_the_citizen_who_accepts_it(mine, officer, complaint):
    answered = officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã thay bóng đèn"})
    assert answered.status_code == 200, answered.json
    assert answered.json["state"] == "answered" and answered.json["answer"]["text"] == "Đã thay bóng đèn"
    seen = mine.get(f"/feedback/{complaint}").json
    assert seen["actions"] == ["accept", "reopen"] and seen["timeline"][-1]["kind"] == "feedback_answered"
    assert "user_id" not in seen["timeline"][-1]["actor"]  # the citizen sees the role, not staff ids
    assert officer.get("/officer/feedback").json["complaints"] == []
    assert counted("complaints_answered_on_time") == 1
    event = [e for e in models.Event.query(complaint) if e.kind == "feedback_answered"][0]
    assert event.user_id == mine.user_id and event.outbox == "pending"  # the outbox pushes it, SMS as fallback
    notice = notices.render(event.kind, event.data, complaint, None)
    assert complaint in notice.title["vi"] and complaint in notice.sms and "Đã thay" not in notice.body["vi"]
    accepted = mine.post(f"/feedback/{complaint}/accept")
    assert accepted.json["state"] == "accepted" and accepted.json["actions"] == []
    assert error(mine.post(f"/feedback/{complaint}/accept")) == (409, "invalid_transition")
    assert error(officer.post(f"/feedback/{complaint}/answer", json={"text": "Lần nữa"})) == (409, "invalid_transition")


def test_an_answer_may_carry_a_pdf_through_the_result_gate(mine, officer, complaint):
    upload = officer.post(f"/feedback/{complaint}/result-upload", json={"size": len(PDF)})
    assert upload.status_code == 201, upload.json
    assert browser_upload(upload.json["upload"], PDF, "application/pdf") in (200, 204)
    body = {"text": "Kết quả xử lý đính kèm", "result_document_id": upload.json["document_id"]}
    answered = officer.post(f"/feedback/{complaint}/answer", json=body)
    assert answered.status_code == 200, answered.json
    seen = mine.get(f"/feedback/{complaint}").json["answer"]
    assert seen["result_document_id"] == upload.json["document_id"] and seen["url"] and seen["expires_in"] == 300


def test_an_answer_with_a_missing_pdf_or_bad_text_is_refused(officer, complaint):
    resp = officer.post(f"/feedback/{complaint}/answer", json={"text": "ok", "result_document_id": "f" * 32})
    assert error(resp) == (400, "validation_failed")
    assert resp.json["error"]["details"]["fields"] == {"document_id": "document_not_found"}
    for body, fields in (({}, {"text": "required"}), ({"text": " "}, {"text": "required"}),
                         ({"text": "x" * 2001}, {"text": "too_long"})):
        resp = officer.post(f"/feedback/{complaint}/answer", json=body)
        assert (error(resp), resp.json["error"]["details"]["fields"]) == ((400, "validation_failed"), fields)


def test_citizens_cannot_answer_and_only_the_citizen_accepts_or_reopens(mine, stranger, officer, complaint):
    assert error(mine.post(f"/feedback/{complaint}/answer", json={"text": "Tự trả lời"})) == (403, "forbidden")
    assert error(mine.post(f"/feedback/{complaint}/accept")) == (409, "invalid_transition")  # not answered yet
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})
    assert error(stranger.post(f"/feedback/{complaint}/accept")) == (404, "not_found")
    assert error(officer.post(f"/feedback/{complaint}/reopen", json={"reason": "Chưa sửa"})) == (404, "not_found")


def test_reopening_once_with_a_reason_then_409(mine, officer, complaint, clock):
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})
    bad = mine.post(f"/feedback/{complaint}/reopen", json={"reason": ""})
    assert (error(bad), bad.json["error"]["details"]["fields"]) == ((400, "validation_failed"), {"reason": "required"})
    clock.advance(days=1)  # Monday 23/11; Tue 24 is a day off -> 10 working days end Tue 8/12
    reopened = mine.post(f"/feedback/{complaint}/reopen", json={"reason": "Đèn vẫn chưa sáng"})
    assert reopened.status_code == 200, reopened.json
    assert (reopened.json["state"], reopened.json["reopen_reason"], reopened.json["due_date"]) == (
        "reopened", "Đèn vẫn chưa sáng", "2026-12-08")
    assert [c["code"] for c in officer.get("/officer/feedback").json["complaints"]] == [complaint]
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã thay lại"})
    assert mine.get(f"/feedback/{complaint}").json["actions"] == ["accept"]
    assert error(mine.post(f"/feedback/{complaint}/reopen", json={"reason": "Vẫn hỏng"})) == (409, "reopen_used")
    assert counted("complaints_answered_on_time") == 1  # only the first answer counts


def test_an_unanswered_complaint_escalates_once_per_level_and_never_twice(mine, officer, supervisor, admin,
                                                                          complaint, clock, submit_config,
                                                                          status_app):
    assert escalate_due(submit_config, clock.now()) == 0
    clock.advance(days=17)  # Wednesday 9/12, past the due date 8/12
    assert escalate_due(submit_config, clock.now()) == 1
    assert escalate_due(submit_config, clock.now()) == 0
    seen = mine.get(f"/feedback/{complaint}").json
    assert (seen["level"], seen["due_date"], seen["overdue"]) == ("supervisor", "2026-12-23", False)
    assert [c["code"] for c in supervisor.get("/officer/feedback").json["complaints"]] == [complaint]
    assert officer.get("/officer/feedback").json["complaints"] == []
    assert error(officer.post(f"/feedback/{complaint}/answer", json={"text": "Muộn"})) == (409, "invalid_transition")
    clock.advance(days=15)  # Thursday 24/12, past 23/12
    assert escalate_due(submit_config, clock.now()) == 1
    levels = [e["data"]["level"] for e in mine.get(f"/feedback/{complaint}").json["timeline"]
              if e["kind"] == "feedback_escalated"]
    assert levels == ["supervisor", "admin"]
    admin = staff(status_app, submit_config, clock, "+84912000209", "admin", [])  # sessions end when idle
    supervisor = staff(status_app, submit_config, clock, "+84912000201", "supervisor", [HOME_COMMUNE])
    assert [c["code"] for c in admin.get("/officer/feedback").json["complaints"]] == [complaint]
    assert error(supervisor.post(f"/feedback/{complaint}/answer", json={"text": "Muộn"})) == (
        409, "invalid_transition")
    clock.advance(days=60)
    assert escalate_due(submit_config, clock.now()) == 0  # the admin is the last level
    assert kinds(complaint).count("feedback_escalated") == 2
    late_admin = staff(status_app, submit_config, clock, "+84912000209", "admin", [])  # a fresh session
    assert late_admin.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"}).status_code == 200
    assert counted("complaints_answered_on_time") == 0  # answered, but late


def test_an_answered_complaint_never_escalates(officer, complaint, clock, submit_config):
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})
    clock.advance(days=40)
    assert escalate_due(submit_config, clock.now()) == 0 and "feedback_escalated" not in kinds(complaint)


def test_escalation_notifies_the_citizen_with_the_new_date():
    notice = notices.render("feedback_escalated", {"new_due_date": "2026-12-23"}, "PA-2611-AAAAAA", None)
    assert "23/12/2026" in notice.body["vi"] and "23/12/2026" in notice.sms and notice.sms.isascii()
    assert notices.application_url("PA-2611-AAAAAA") == "/feedback?code=PA-2611-AAAAAA"


def test_the_citizens_list_has_each_complaint_with_its_timeline(mine, officer, complaint):
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})
    listed = mine.get("/feedback").json["complaints"]
    assert [c["code"] for c in listed] == [complaint]
    assert [e["kind"] for e in listed[0]["timeline"]] == ["feedback_filed", "feedback_answered"]


def test_the_statistics_show_complaints_received_and_answered_on_time(mine, officer, complaint, status_app):
    officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})
    public = status_app.test_client().get(f"/statistics?month=2026-11&commune={HOME_COMMUNE}").json
    assert public["complaints"] == {"received": 1, "answered_on_time": 1}
    assert TEXT not in str(public)


@pytest.mark.parametrize("table", ["complaints", "events"])
def test_a_failing_database_is_503(mine, officer, complaint, table):
    drop_table(models.Complaint if table == "complaints" else models.Event)
    assert error(file(mine)) == (503, "dependency_unavailable")
    assert error(officer.post(f"/feedback/{complaint}/answer", json={"text": "Đã xử lý"})) == (
        503, "dependency_unavailable")
    assert error(mine.get(f"/feedback/{complaint}")) == (503, "dependency_unavailable")


def test_a_failing_database_stops_the_sweep_loudly(complaint, clock, submit_config):
    drop_table(models.Complaint)
    clock.advance(days=17)
    with pytest.raises(Exception, match="complaints|Requested resource|ResourceNotFound"):
        escalate_due(submit_config, clock.now())


def test_a_supervisor_can_be_made_from_the_command_line(status_app, submit_config, clock):
    from functions.account.app import create_app

    runner = create_app(submit_config).test_cli_runner()
    made = runner.invoke(args=["create-supervisor", "--phone", "0912000204", "--commune", HOME_COMMUNE])
    assert made.exit_code == 0, made.output
    assert made.output.startswith("supervisor +84912000204")


def test_a_retry_with_the_same_key_gets_the_first_complaint_and_spends_no_limit(mine):
    key = {"Idempotency-Key": "0b6f8a8e-3f0c-4c1e-9a57-5d2f4c1b7e01"}
    first = mine.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE}, headers=key)
    again = mine.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE}, headers=key)
    assert (first.status_code, again.status_code) == (201, 201) and again.json["code"] == first.json["code"]
    assert counted("complaints_received") == 1 and len(mine.get("/feedback").json["complaints"]) == 1
    other = mine.post("/feedback", json={"text": "Khác", "commune_code": HOME_COMMUNE}, headers=key)
    assert error(other) == (409, "idempotency_key_reused")
    bad = mine.post("/feedback", json={"text": TEXT, "commune_code": HOME_COMMUNE}, headers={"Idempotency-Key": "x"})
    assert error(bad) == (400, "idempotency_key_required")
    for _ in range(4):
        assert file(mine).status_code == 201  # the retry spent nothing: 5 filed today
    assert error(file(mine)) == (429, "rate_limited")
