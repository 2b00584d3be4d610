"""Push subscriptions, the inbox and the notification dispatcher, against a fake push service on loopback
(it checks the VAPID JWT and decrypts the aes128gcm body) and moto's SNS for the SMS fallback."""

from __future__ import annotations

import json
import logging
from datetime import timedelta

import boto3
import pytest
from botocore.config import Config as BotoConfig
from flask import Flask
from submit_helpers import HOME_COMMUNE, Citizen, staff_client, submission, submit, uploaded_page

from functions.core import models
from functions.core.adapters.push import WebPushSender
from functions.core.adapters.sms import FakeSms, SnsSms
from functions.local.seed import _new_vapid_pair
from functions.status import notify, outbox, push_api
from functions.status.notify import Dispatcher, topic_for
from tests.push_service import FakePushService, b64url

PHONE = "+84912345678"  # the `citizen` fixture's number
REASON = "Ảnh CCCD bị mờ, xin chụp lại"


@pytest.fixture
def status_app(push_config, clock) -> Flask:  # noqa: ANN001
    from functions.status.app import create_app

    app = create_app(push_config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def service():  # noqa: ANN201
    with FakePushService() as fake:
        yield fake


@pytest.fixture
def dispatcher(push_config) -> Dispatcher:  # noqa: ANN001
    """The real adapters: pywebpush to the fake service, SNS (moto) for SMS."""
    return Dispatcher(push_config, WebPushSender(push_config), SnsSms(push_config))


def on(app: Flask, who: Citizen) -> Citizen:
    """The same session, on the status function."""
    client = app.test_client()
    for name in ("motcua_session", "motcua_csrf"):
        client.set_cookie(name, who.client.get_cookie(name).value)
    return Citizen(client, who.csrf, who.user_id)


@pytest.fixture
def me(status_app, citizen) -> Citizen:  # noqa: ANN001
    return on(status_app, citizen)


@pytest.fixture
def someone_else(status_app, other_citizen) -> Citizen:  # noqa: ANN001
    return on(status_app, other_citizen)


@pytest.fixture
def officer(submit_app, submit_config, clock, status_app) -> Citizen:  # noqa: ANN001
    return on(status_app, staff_client(submit_app, submit_config, clock.current, "+84912000101", [HOME_COMMUNE]))


@pytest.fixture
def filed(citizen) -> str:  # noqa: ANN001
    """The citizen's submitted application; returns its code."""
    return submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"]


def subscribe(who: Citizen, browser, lang: str = "vi"):  # noqa: ANN001, ANN201
    return who.post("/push/subscriptions", json={"subscription": browser.subscription(), "lang": lang})


def act(who: Citizen, code: str, clock, **body):  # noqa: ANN001, ANN003, ANN201
    clock.advance(minutes=5)
    resp = who.post(f"/applications/{code}/actions", json=body)
    assert resp.status_code == 200, resp.json
    return resp


def events(code: str) -> dict[str, models.Event]:
    return {e.kind: e for e in models.Event.query(code, consistent_read=True)}


def stored_subscriptions(user_id: str) -> list[models.PushSubscription]:
    return list(models.PushSubscription.query(user_id, consistent_read=True))


# -- getVapidKey, subscribePush, unsubscribePush --------------------------------------------------------


def test_the_vapid_public_key_is_served_to_anyone(status_app, vapid):
    resp = status_app.test_client().get("/push/key")
    assert (resp.status_code, resp.json) == (200, {"public_key": vapid[1]})
    assert resp.headers["Cache-Control"] == "no-store"


def test_without_a_vapid_key_the_key_route_says_the_service_is_unavailable(make_app, stack):
    resp = make_app("status").test_client().get("/push/key")
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")


def test_subscriptions_and_the_inbox_need_a_session(status_app, service):
    anonymous = status_app.test_client()
    assert anonymous.post("/push/subscriptions", json={"subscription": service.browser().subscription()}
                          ).status_code == 401
    assert anonymous.post("/push/subscriptions/delete", json={"endpoint": "https://x.test/1"}).status_code == 401
    assert anonymous.get("/inbox").status_code == 401


def _bad(sub: dict, path: list[str], value: object) -> dict:
    broken = json.loads(json.dumps(sub))
    target = broken
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return broken


@pytest.mark.parametrize(("path", "value", "field", "code"), [
    (["endpoint"], KeyError, "subscription.endpoint", "required"),
    (["endpoint"], 42, "subscription.endpoint", "invalid_type"),
    (["endpoint"], "ftp://push.example/1", "subscription.endpoint", "bad_format"),
    (["endpoint"], "https://" + "a" * 2050, "subscription.endpoint", "too_long"),
    (["keys", "p256dh"], KeyError, "subscription.keys.p256dh", "required"),
    (["keys", "p256dh"], b64url(b"\x04" + b"\x00" * 64), "subscription.keys.p256dh", "bad_format"),
    (["keys", "p256dh"], b64url(b"\x04" + b"\x01" * 63), "subscription.keys.p256dh", "bad_format"),
    (["keys", "p256dh"], "not base64!", "subscription.keys.p256dh", "bad_format"),
    (["keys", "auth"], KeyError, "subscription.keys.auth", "required"),
    (["keys", "auth"], b64url(b"\x01" * 15), "subscription.keys.auth", "bad_format"),
    (["keys"], "nope", "subscription.keys", "invalid_type"),
])
def test_a_broken_subscription_is_refused_field_by_field(me, service, path, value, field, code):
    body = {"subscription": _bad(service.browser().subscription(), path, value), "lang": "vi"}
    resp = me.post("/push/subscriptions", json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "validation_failed")
    assert resp.json["error"]["details"]["fields"][field] == code
    assert stored_subscriptions(me.user_id) == []


@pytest.mark.parametrize(("body", "fields"), [
    ({}, {"subscription": "required"}),
    ({"subscription": "x"}, {"subscription": "invalid_type"}),
    ({"subscription": None, "lang": "fr"}, {"subscription": "invalid_type", "lang": "not_allowed"}),
])
def test_a_missing_subscription_or_unknown_language_is_refused(me, body, fields):
    resp = me.post("/push/subscriptions", json=body)
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)


def test_subscribing_again_is_the_same_as_once_and_switches_the_language(me, service, clock):
    browser = service.browser()
    first = subscribe(me, browser, "vi")
    assert (first.status_code, first.json) == (201, {"ok": True})
    (row,) = stored_subscriptions(me.user_id)
    clock.advance(minutes=1)
    again = subscribe(me, browser, "en")
    assert (again.status_code, again.json) == (201, {"ok": True})
    (renewed,) = stored_subscriptions(me.user_id)
    assert (renewed.lang, renewed.created_at, renewed.updated_at) == ("en", row.created_at, clock.current)
    assert renewed.subscription == {"endpoint": browser.endpoint, "keys": browser.subscription()["keys"]}


def test_unsubscribing_is_idempotent_and_reaches_only_your_own(me, someone_else, service):
    browser = service.browser()
    subscribe(me, browser)
    theirs = someone_else.post("/push/subscriptions/delete", json={"endpoint": browser.endpoint})
    assert (theirs.status_code, theirs.json) == (200, {"ok": True})
    assert len(stored_subscriptions(me.user_id)) == 1
    for _ in range(2):
        mine = me.post("/push/subscriptions/delete", json={"endpoint": browser.endpoint})
        assert (mine.status_code, mine.json) == (200, {"ok": True})
    assert stored_subscriptions(me.user_id) == []
    missing = me.post("/push/subscriptions/delete", json={})
    assert (missing.status_code, missing.json["error"]["details"]["fields"]) == (400, {"endpoint": "required"})


def test_a_browser_that_changes_hands_stops_the_previous_users_notices(me, someone_else, service):
    shared = service.browser()
    subscribe(me, shared)
    assert subscribe(someone_else, shared).status_code == 201
    assert stored_subscriptions(me.user_id) == []
    assert [s.subscription["endpoint"] for s in stored_subscriptions(someone_else.user_id)] == [shared.endpoint]


# -- listInbox -------------------------------------------------------------------------------------------


def test_the_inbox_lists_your_own_notices_newest_first(me, someone_else, officer, filed, clock):
    act(officer, filed, clock, action="accept")
    act(officer, filed, clock, action="start_review")
    act(officer, filed, clock, action="request_supplement", slots=["id_card"], reason=REASON)
    body = me.get("/inbox").json
    kinds = [n["kind"] for n in body["notifications"]]
    assert kinds == ["request_supplement", "start_review", "accept", "submitted"]
    newest = body["notifications"][0]
    assert newest["application_id"] == filed and newest["status"] == "supplement_requested"
    assert newest["title"] == {"vi": f"Hồ sơ {filed} cần bổ sung giấy tờ",
                               "en": f"Application {filed} needs more papers"}
    assert REASON in newest["body"]["vi"] and REASON in newest["body"]["en"]
    assert newest["url"] == f"/application?code={filed}" and newest["at"].endswith("+07:00")
    assert body["next_cursor"] is None
    assert someone_else.get("/inbox").json == {"notifications": [], "next_cursor": None}


def test_the_inbox_pages_with_a_cursor_that_only_its_owner_can_use(me, someone_else, officer, filed, clock,
                                                                   monkeypatch):
    act(officer, filed, clock, action="accept")
    act(officer, filed, clock, action="start_review")
    monkeypatch.setattr(push_api, "INBOX_PAGE", 2)
    first = me.get("/inbox").json
    assert [n["kind"] for n in first["notifications"]] == ["start_review", "accept"]
    second = me.get("/inbox", query_string={"cursor": first["next_cursor"]}).json
    assert [n["kind"] for n in second["notifications"]] == ["submitted"]
    stolen = someone_else.get("/inbox", query_string={"cursor": first["next_cursor"]})
    assert (stolen.status_code, stolen.json["error"]["code"]) == (400, "invalid_cursor")


# -- the dispatcher --------------------------------------------------------------------------------------


def test_an_officers_step_arrives_encrypted_and_signed_at_the_citizens_browser(
        me, officer, filed, clock, service, dispatcher, push_config, vapid, sms_inbox):
    browser = service.browser(application_server_key=vapid[1])
    subscribe(me, browser)
    act(officer, filed, clock, action="accept")
    act(officer, filed, clock, action="start_review")
    act(officer, filed, clock, action="request_supplement", slots=["id_card"], reason=REASON)
    dispatcher.dispatch_pending(clock.current)

    accept, review, supplement = service.delivered
    assert supplement.message == {
        "application_id": filed, "kind": "request_supplement", "status": "supplement_requested",
        "title": f"Hồ sơ {filed} cần bổ sung giấy tờ",
        "body": f"Vui lòng chụp lại giấy tờ được yêu cầu và gửi lại. Lý do: {REASON}",
        "lang": "vi", "url": f"/application?code={filed}", "tag": filed,
    }
    assert (supplement.ttl, supplement.urgency, supplement.content_encoding) == (86400, "high", "aes128gcm")
    assert (accept.message["kind"], accept.urgency, review.urgency) == ("accept", "normal", "normal")
    assert {m.topic for m in service.delivered} == {topic_for(filed)}
    assert supplement.claims["aud"] == service.origin and supplement.claims["sub"] == push_config.vapid_subject
    assert supplement.vapid_key == vapid[1]
    stored = events(filed)
    assert {k: e.delivery for k, e in stored.items()} == {"submitted": "none", "accept": "sent",
                                                          "start_review": "sent", "request_supplement": "sent"}
    # Delivered events leave the outbox: another sweep sends nothing more.
    assert dispatcher.dispatch_pending(clock.advance(hours=2)) == 0
    assert len(service.received) == 3 and sms_inbox(PHONE) == []


def test_a_subscription_in_english_gets_the_english_text(me, officer, filed, clock, service, dispatcher):
    subscribe(me, service.browser(), "en")
    act(officer, filed, clock, action="accept")
    dispatcher.dispatch_pending(clock.current)
    (message,) = service.delivered
    assert (message.message["lang"], message.message["title"]) == ("en", f"Application {filed} received")


def test_every_browser_of_the_citizen_gets_it(me, officer, filed, clock, service, dispatcher):
    phone, laptop = service.browser(), service.browser()
    subscribe(me, phone)
    subscribe(me, laptop, "en")
    act(officer, filed, clock, action="accept")
    dispatcher.dispatch_pending(clock.current)
    assert sorted(m.endpoint for m in service.delivered) == sorted([phone.endpoint, laptop.endpoint])


def test_a_refused_step_notifies_nobody(me, officer, filed, clock, service, dispatcher):
    subscribe(me, service.browser())
    refused = officer.post(f"/applications/{filed}/actions", json={"action": "approve"})
    assert refused.status_code == 409
    dispatcher.dispatch_pending(clock.current)
    assert service.received == []


def test_the_citizens_own_step_is_in_the_inbox_but_not_pushed(me, filed, clock, service, dispatcher, sms_inbox):
    subscribe(me, service.browser())
    act(me, filed, clock, action="withdraw", reason="Tôi nộp nhầm thủ tục")
    dispatcher.dispatch_pending(clock.current)
    assert service.received == [] and sms_inbox(PHONE) == []
    assert {k: e.delivery for k, e in events(filed).items()} == {"submitted": "none", "withdraw": "none"}
    assert [n["kind"] for n in me.get("/inbox").json["notifications"]] == ["withdraw", "submitted"]


@pytest.mark.parametrize("status", [410, 404])
def test_a_gone_subscription_is_deleted_and_the_citizen_gets_one_sms(me, officer, filed, clock, service,
                                                                     dispatcher, sms_inbox, status):
    subscribe(me, service.browser())
    service.answer(status)
    act(officer, filed, clock, action="accept")
    dispatcher.dispatch_pending(clock.current)
    assert [r.status for r in service.received] == [status]
    assert stored_subscriptions(me.user_id) == []
    (text,) = sms_inbox(PHONE)
    assert filed in text and text.isascii() and len(text) <= 160
    assert events(filed)["accept"].delivery == "sms"


def test_a_500_is_retried_later_and_the_sweep_after_that_delivers_it(me, officer, filed, clock, service,
                                                                     dispatcher, sms_inbox):
    subscribe(me, service.browser())
    service.answer(500)
    act(officer, filed, clock, action="accept")
    failed_at = clock.current
    dispatcher.dispatch_pending(failed_at)
    event = events(filed)["accept"]
    assert (event.delivery, event.attempts, event.last_error) == ("pending", 1, "push_500")
    assert event.next_attempt_at == failed_at + outbox.backoff(1) > failed_at
    dispatcher.dispatch_pending(clock.advance(seconds=30))  # not due yet
    assert len(service.received) == 1
    dispatcher.dispatch_pending(clock.advance(seconds=31))
    assert [r.status for r in service.received] == [500, 201]
    assert service.delivered[0].message["kind"] == "accept"
    assert events(filed)["accept"].delivery == "sent" and len(stored_subscriptions(me.user_id)) == 1
    assert sms_inbox(PHONE) == []


def test_a_429_waits_as_long_as_the_push_service_asks(me, officer, filed, clock, service, dispatcher):
    subscribe(me, service.browser())
    service.answer(429, retry_after=600)
    act(officer, filed, clock, action="accept")
    dispatcher.dispatch_pending(clock.current)
    assert events(filed)["accept"].next_attempt_at == clock.current + timedelta(seconds=600)


def test_a_403_is_logged_as_a_vapid_problem_and_keeps_the_subscription(me, officer, filed, clock, service,
                                                                       dispatcher, caplog, sms_inbox):
    # The browser subscribed with another server's key: the push service refuses our signature.
    browser = service.browser(application_server_key=_new_vapid_pair()[1])
    subscribe(me, browser)
    act(officer, filed, clock, action="accept")
    with caplog.at_level(logging.ERROR, logger="motcua.notify"):
        dispatcher.dispatch_pending(clock.current)
    assert [r.status for r in service.received] == [403]
    assert "VAPID" in caplog.text
    assert browser.endpoint not in caplog.text and PHONE not in caplog.text
    assert len(stored_subscriptions(me.user_id)) == 1
    assert events(filed)["accept"].delivery == "pending" and sms_inbox(PHONE) == []


def test_without_a_subscription_exactly_one_sms_is_sent_however_often_it_is_dispatched(
        officer, filed, clock, dispatcher, sms_inbox):
    act(officer, filed, clock, action="accept")
    for _ in range(3):
        dispatcher.dispatch_pending(clock.advance(hours=1))
        dispatcher.deliver_key(filed, events(filed)["accept"].event_id, clock.current)
    assert sms_inbox(PHONE) == [f"Mot Cua: ho so {filed} da duoc can bo xa tiep nhan."]
    event = events(filed)["accept"]
    assert (event.delivery, event.outbox, event.next_attempt_at) == ("sms", None, None)


def test_push_that_keeps_failing_ends_in_one_sms(me, officer, filed, clock, service, dispatcher, sms_inbox):
    subscribe(me, service.browser())
    service.answer(503, times=outbox.MAX_ATTEMPTS)
    act(officer, filed, clock, action="accept")
    for _ in range(outbox.MAX_ATTEMPTS + 2):
        dispatcher.dispatch_pending(clock.current)
        clock.advance(hours=1)
    assert [r.status for r in service.received] == [503] * outbox.MAX_ATTEMPTS
    assert len(sms_inbox(PHONE)) == 1
    event = events(filed)["accept"]
    assert (event.delivery, event.attempts) == ("sms", outbox.MAX_ATTEMPTS)


def test_an_sms_the_provider_refuses_is_retried_and_sent_once(officer, filed, clock, push_config):
    sms = FakeSms(fail=True)
    dispatcher = Dispatcher(push_config, WebPushSender(push_config), sms)
    act(officer, filed, clock, action="accept")
    dispatcher.dispatch_pending(clock.current)
    event = events(filed)["accept"]
    assert (event.delivery, event.sms_at, event.last_error) == ("pending", None, "sms_unavailable")
    sms.fail = False
    dispatcher.dispatch_pending(clock.advance(minutes=2))
    dispatcher.dispatch_pending(clock.advance(hours=2))
    assert [phone for phone, _ in sms.sent] == [PHONE]


def test_racing_dispatchers_send_one_sms(officer, filed, clock, push_config, sms_inbox):
    act(officer, filed, clock, action="accept")
    first = Dispatcher(push_config, WebPushSender(push_config), SnsSms(push_config))
    second = Dispatcher(push_config, WebPushSender(push_config), SnsSms(push_config))
    key = events(filed)["accept"].event_id
    # Both read the event before either writes.
    mine, theirs = outbox.load(filed, key), outbox.load(filed, key)
    assert first.deliver(mine, clock.current) == "sms"
    assert second.deliver(theirs, clock.current) == "pending"  # lost the claim: sends nothing
    assert len(sms_inbox(PHONE)) == 1
    assert events(filed)["accept"].delivery == "sms"


def test_a_slow_dispatcher_overtaken_after_its_claim_ran_out_does_not_double_send(officer, filed, clock,
                                                                                   push_config, sms_inbox):
    act(officer, filed, clock, action="accept")
    key = events(filed)["accept"].event_id
    late = Dispatcher(push_config, WebPushSender(push_config), SnsSms(push_config))

    class Slow(SnsSms):
        def send(self, phone: str, text: str) -> None:
            # While this SMS is on its way, the claim runs out and the sweep takes the event again.
            late.deliver(outbox.load(filed, key), clock.current + timedelta(hours=1))
            super().send(phone, text)

    slow = Dispatcher(push_config, WebPushSender(push_config), Slow(push_config))
    assert slow.deliver(outbox.load(filed, key), clock.current) == "sms"
    assert len(sms_inbox(PHONE)) == 1
    assert events(filed)["accept"].delivery == "sms"


def test_the_stream_handler_delivers_each_inserted_event(me, officer, filed, clock, service, dispatcher, stack,
                                                         monkeypatch, push_config):
    subscribe(me, service.browser())
    act(officer, filed, clock, action="accept")
    records = _stream_records(stack["EventsStreamArn"], push_config.region)
    assert {r["eventName"] for r in records} >= {"INSERT"}
    monkeypatch.setattr(notify, "_dispatcher", lambda: dispatcher)
    result = notify.on_stream({"Records": records}, None)
    assert result == {"records": 2}  # the submission and the acceptance; updates are skipped
    assert [m.message["kind"] for m in service.delivered] == ["accept"]
    assert events(filed)["accept"].delivery == "sent"
    assert notify.on_stream({"Records": records}, None) == {"records": 2}
    assert len(service.received) == 1  # delivered events are not sent again


def test_the_scheduled_sweep_delivers_what_is_due(me, officer, filed, clock, service, dispatcher, monkeypatch):
    subscribe(me, service.browser())
    act(officer, filed, clock, action="accept")
    monkeypatch.setattr(notify, "_dispatcher", lambda: dispatcher)
    assert notify.sweep({"source": "aws.events"}, None) == {"attempted": 2, "escalated": 0}  # no complaint is late
    assert [m.message["kind"] for m in service.delivered] == ["accept"]


def test_every_send_signs_for_its_own_push_service(push_config, vapid):
    # pywebpush writes `aud` into the claims it is given: a shared dict would sign for the first origin.
    sender = WebPushSender(push_config)
    with FakePushService() as one, FakePushService() as two:
        for fake in (one, two, one):
            result = sender.send(fake.browser(vapid[1]).subscription(), b'{"x":1}', ttl=60, urgency="normal",
                                 topic="t")
            assert (result.status, result.outcome) == (201, "delivered")
        assert [m.claims["aud"] for m in one.delivered + two.delivered] == [one.origin, one.origin, two.origin]


def test_an_unreachable_push_service_is_retryable(push_config, vapid):
    with FakePushService() as fake:
        subscription = fake.browser().subscription()
    result = WebPushSender(push_config).send(subscription, b"{}", ttl=60, urgency="normal", topic="t")
    assert (result.status, result.outcome) == (0, "retry")


def _stream_records(stream_arn: str, region: str) -> list[dict]:
    # With a stream ARN, botocore picks an account-based endpoint that moto does not route: turn that off.
    streams = boto3.client("dynamodbstreams", region_name=region,
                           config=BotoConfig(account_id_endpoint_mode="disabled"))
    records = []
    for shard in streams.describe_stream(StreamArn=stream_arn)["StreamDescription"]["Shards"]:
        iterator = streams.get_shard_iterator(StreamArn=stream_arn, ShardId=shard["ShardId"],
                                              ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
        records += streams.get_records(ShardIterator=iterator)["Records"]
    return records


def test_the_local_notifier_delivers_in_the_background_and_stops(me, officer, filed, clock, service, dispatcher):
    from functions.local.notifier import Notifier

    subscribe(me, service.browser())
    act(officer, filed, clock, action="accept")
    loop = Notifier(dispatcher, interval=0.05).start()
    try:
        (message,) = service.wait_for(1)
    finally:
        loop.stop()
    assert message.message["kind"] == "accept"
    assert not loop._thread.is_alive()
