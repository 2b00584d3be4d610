"""Notice texts, push outcomes, retry backoff and the subscription checks that need no AWS."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest

from functions.core.adapters.push import FakePushSender, classify
from functions.core.domain.lifecycle import RESULT_KINDS, TABLE
from functions.status import notices, outbox
from functions.status.notify import topic_for

CODE = "HN-2611-7K3QF9"
MARITAL = {"vi": "Cấp Giấy xác nhận tình trạng hôn nhân",
           "en": "Giấy xác nhận tình trạng hôn nhân (marital-status certificate)"}
KEYS = ["submitted", "payment_paid", "apology", "feedback_answered", "feedback_escalated",
        *(a for a in TABLE if a != "mark_result_ready"),
        *(f"mark_result_ready.{k}" for k in RESULT_KINDS)]


def _event(key: str) -> tuple[str, dict]:
    kind, _, result = key.partition(".")
    data = {"reason": "Ảnh CCCD bị mờ", "tracking_number": "EP123456789VN"}
    return kind, {**data, "result": result} if result else data


def test_every_event_kind_has_a_notice_and_nothing_else_does():
    assert set(notices.catalog()) == set(KEYS)
    assert notices.notice_key("mark_result_ready", {"result": "teleport"}) is None
    assert notices.render("no_such_step", {}, CODE, MARITAL) is None


@pytest.mark.parametrize("key", KEYS)
def test_each_notice_names_the_application_in_both_languages_and_fits_one_sms(key):
    kind, data = _event(key)
    notice = notices.render(kind, data, CODE, MARITAL)
    assert notice is not None and notice.key == key
    for lang in notices.LANGS:
        assert CODE in notice.title[lang] and notice.body[lang]
        assert "{" not in notice.title[lang] + notice.body[lang]
    assert notice.title["vi"] != notice.title["en"]
    # Unaccented GSM-safe ASCII in one 160-character segment, even with the longest tracking number.
    longest = notices.render(kind, {**data, "tracking_number": "X" * 40}, CODE, MARITAL).sms
    for text in (notice.sms, longest):
        assert text.isascii() and len(text) <= notices.SMS_MAX and CODE in text


def test_urgency_is_high_exactly_where_the_citizen_must_act():
    high = {key for key in KEYS if notices.render(*_event(key), CODE, MARITAL).urgency == "high"}
    assert high == {"request_supplement", "mark_result_ready.electronic", "mark_result_ready.pickup"}


def test_texts_quote_the_reason_the_tracking_number_and_the_procedure():
    supplement = notices.render("request_supplement", {"reason": "Ảnh mờ"}, CODE, MARITAL)
    assert supplement.body["vi"].endswith("Lý do: Ảnh mờ")
    posted = notices.render("mark_result_ready", {"result": "post", "tracking_number": "EP1VN"}, CODE, MARITAL)
    assert "EP1VN" in posted.body["en"] and "EP1VN" in posted.sms
    accepted = notices.render("accept", {}, CODE, MARITAL)
    assert MARITAL["vi"] in accepted.body["vi"] and MARITAL["en"] in accepted.body["en"]
    assert CODE in notices.render("accept", {}, CODE, None).body["en"]  # unknown procedure: the code


def test_a_long_reason_is_clipped_and_braces_in_it_stay_text():
    notice = notices.render("reject", {"reason": "{code} " + "x" * 500}, CODE, MARITAL)
    reason = notice.body["en"].split("Reason: ", 1)[1]
    assert reason.startswith("{code} ") and reason.endswith("…") and len(reason) == notices.REASON_MAX


def test_unaccented_drops_every_vietnamese_diacritic():
    assert notices.unaccented("Đường Hồ Chí Minh, Ủy ban nhân dân xã Kiến Xương") == \
        "Duong Ho Chi Minh, Uy ban nhan dan xa Kien Xuong"
    assert notices.unaccented("đ Đ ơ ư ặ ỹ") == "d D o u a y"


@pytest.mark.parametrize(("kind", "actor", "pushed"), [
    ("submitted", {"role": "citizen"}, False),
    ("withdraw", {"role": "citizen"}, False),
    ("resubmit", {"role": "citizen"}, False),
    ("accept", {"role": "officer", "user_id": "u1"}, True),
    ("payment_paid", {"role": "system"}, True),
    ("payment_paid", None, True),
])
def test_only_what_someone_else_did_is_pushed(kind, actor, pushed):
    assert notices.is_pushed(kind, actor) is pushed


def test_the_push_payload_is_the_documented_shape_in_the_subscriptions_language():
    notice = notices.render("accept", {}, CODE, MARITAL)
    en = json.loads(notices.push_payload(notice, CODE, "accept", "received", "en"))
    assert en == {"application_id": CODE, "kind": "accept", "status": "received", "title": notice.title["en"],
                  "body": notice.body["en"], "lang": "en", "url": f"/application?code={CODE}", "tag": CODE}
    assert json.loads(notices.push_payload(notice, CODE, "accept", "received", "xx"))["lang"] == "vi"


def test_event_status_prefers_what_the_event_says():
    assert notices.event_status({"to": "received"}, "in_review") == "received"
    assert notices.event_status({"status": "submitted"}, "in_review") == "submitted"
    assert notices.event_status({}, "in_review") == "in_review"


@pytest.mark.parametrize(("status", "outcome"), [
    (201, "delivered"), (202, "delivered"), (404, "gone"), (410, "gone"), (403, "vapid"), (429, "retry"),
    (500, "retry"), (503, "retry"), (0, "retry"), (400, "rejected"), (413, "rejected"),
])
def test_push_service_answers_mean_what_rfc_8030_says(status, outcome):
    assert classify(status) == outcome


def test_the_fake_push_sender_records_and_answers_as_told():
    fake = FakePushSender()
    fake.answer(500, 410)
    outcomes = [fake.send({"endpoint": "e"}, b"x", ttl=1, urgency="high", topic="t").outcome for _ in range(3)]
    assert outcomes == ["retry", "gone", "delivered"]
    assert [s["status"] for s in fake.sent] == [500, 410, 201] and fake.sent[0]["urgency"] == "high"


def test_backoff_doubles_from_a_minute_up_to_an_hour():
    assert [outbox.backoff(n) for n in range(1, 6)] == [timedelta(minutes=m) for m in (1, 2, 4, 8, 16)]
    assert outbox.backoff(30) == timedelta(hours=1)
    # With push down the whole time, the SMS goes out within about half an hour.
    assert sum((outbox.backoff(n) for n in range(1, outbox.MAX_ATTEMPTS)), timedelta()) <= timedelta(minutes=35)


def test_the_topic_is_stable_per_application_and_a_valid_header():
    topic = topic_for(CODE)
    assert topic == topic_for(CODE) != topic_for("HN-2611-7K3QF8")
    assert len(topic) <= 32 and re.fullmatch(r"[A-Za-z0-9_-]+", topic) and CODE not in topic
