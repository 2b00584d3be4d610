"""Push endpoints cannot be used for request forgery: subscribePush takes only real push services (and, in
local runs, the loopback fake), and the dispatcher checks again before every send, connects only to the
address it checked, never follows a redirect, and sends Content-Type: application/octet-stream.

No test here resolves a real name or connects anywhere but loopback: names go through a fake resolver, and
`outside` refuses (and records) any connection attempt to another address.
"""

from __future__ import annotations

import ipaddress
import socket
from collections.abc import Iterator, Sequence
from datetime import timedelta

import pytest
from flask import Flask
from submit_helpers import Citizen, signed_in_client

from functions.core import models
from functions.core.adapters.push import WebPushSender
from functions.core.adapters.sms import FakeSms
from functions.status.notify import Dispatcher
from functions.status.push_api import endpoint_hash
from tests.push_service import Browser, FakePushService

PHONE = "+84912345678"
FCM = "https://fcm.googleapis.com/fcm/send/dQw4w9WgXcQ:APA91bHun4MxP5egoKMwt2KZFBaFUH"


class FakeResolver:
    """Answers from a table and records every lookup; a name not in the table does not resolve."""

    def __init__(self, table: dict[str, Sequence[str]]) -> None:
        self.table, self.lookups = table, []

    def __call__(self, host: str, port: int) -> Sequence[str]:
        self.lookups.append((host, port))
        if host not in self.table:
            raise socket.gaierror(socket.EAI_NONAME, "not in the test's table")
        return self.table[host]


@pytest.fixture
def outside(monkeypatch) -> list[object]:  # noqa: ANN001
    """Connection attempts to any address but loopback: refused before a packet leaves, and listed."""
    attempts: list[object] = []
    real = socket.socket.connect

    def connect(sock: socket.socket, address: object) -> None:
        if isinstance(address, tuple) and not ipaddress.ip_address(str(address[0]).split("%")[0]).is_loopback:
            attempts.append(address)
            raise ConnectionRefusedError("this test connects to loopback only")
        real(sock, address)

    monkeypatch.setattr(socket.socket, "connect", connect)
    return attempts


@pytest.fixture
def sender_config(config, vapid):  # noqa: ANN001, ANN201
    """Settings for sending alone (no tables needed)."""
    return config.with_overrides(vapid_private_key=vapid[0], vapid_public_key=vapid[1])


@pytest.fixture
def service() -> Iterator[FakePushService]:
    with FakePushService() as fake:
        yield fake


def status_app_for(config, clock) -> Flask:  # noqa: ANN001
    from functions.status.app import create_app

    app = create_app(config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def me(push_config, clock) -> Citizen:  # noqa: ANN001
    return signed_in_client(status_app_for(push_config, clock), push_config, clock.current, PHONE)


def subscribe(who: Citizen, endpoint: str, browser: Browser):  # noqa: ANN201
    return who.post("/push/subscriptions", json={"subscription": {**browser.subscription(), "endpoint": endpoint}})


def stored(user_id: str) -> list[str]:
    return [row.subscription["endpoint"] for row in models.PushSubscription.query(user_id, consistent_read=True)]


# -- subscribePush -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("endpoint", "reason"), [
    ("https://169.254.169.254/latest/meta-data/iam/security-credentials/", "ip_literal"),
    ("https://10.0.0.1/push/abc", "ip_literal"),
    ("https://2852039166/latest/meta-data/", "ip_literal"),
    ("https://0xa9fea9fe/latest/meta-data/", "ip_literal"),
    ("https://metadata.google.internal/computeMetadata/v1/", "host_not_allowed"),
    ("https://push.example/abc", "host_not_allowed"),
    ("https://fcm.googleapis.com.evil.example/fcm/send/abc", "host_not_allowed"),
    ("https://fcm.googleapis.com:8443/fcm/send/abc", "port"),
    ("http://fcm.googleapis.com/fcm/send/abc", "scheme"),
])
def test_an_endpoint_off_the_push_services_is_refused_and_not_stored(me, service, outside, endpoint, reason):
    for _ in range(2):  # the same answer again, and still nothing stored
        resp = subscribe(me, endpoint, service.browser())
        assert (resp.status_code, resp.json["error"]["code"]) == (400, "push_endpoint_not_allowed")
        assert resp.json["error"]["details"] == {"reason": reason}
    assert stored(me.user_id) == [] and outside == []


@pytest.mark.parametrize("endpoint", ["https://[fd00:ec2::254]/latest/meta-data/",
                                      "https://user:pw@fcm.googleapis.com/fcm/send/abc"])
def test_a_bracketed_ip_or_user_info_is_refused_and_not_stored(me, service, endpoint):
    resp = subscribe(me, endpoint, service.browser())
    assert resp.status_code == 400
    # The API document's endpoint pattern already refuses these shapes (the rule would too: its unit tests).
    assert (resp.json["error"]["code"], resp.json["error"]["details"]) == (
        "validation_failed", {"fields": {"subscription.endpoint": "bad_format"}})
    assert stored(me.user_id) == []


@pytest.mark.parametrize("endpoint", [
    FCM, "https://fcm.googleapis.com/wp/dQw4w9WgXcQ:APA91bH", "https://FCM.googleapis.com/fcm/send/abc",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAAABkZ", "https://web.push.apple.com/QGuQyavXutnMH0",
    "https://wns2-par02p.notify.windows.com/w/?token=BQYAAAD%2bxyz",
])
def test_the_real_push_services_are_accepted_without_any_lookup(me, service, outside, endpoint):
    resp = subscribe(me, endpoint, service.browser())
    assert (resp.status_code, resp.json) == (201, {"ok": True})
    assert stored(me.user_id) == [endpoint] and outside == []


def test_the_loopback_fake_is_refused_where_loopback_is_not_allowed(push_config, clock, service):
    strict = push_config.with_overrides(push_allow_loopback=False)  # as in the dev and prod stages
    citizen = signed_in_client(status_app_for(strict, clock), strict, clock.current, PHONE)
    browser = service.browser()
    resp = subscribe(citizen, browser.endpoint, browser)
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "push_endpoint_not_allowed")
    assert stored(citizen.user_id) == []


def test_the_loopback_fake_is_accepted_in_a_test_run(me, service):
    browser = service.browser()
    assert subscribe(me, browser.endpoint, browser).status_code == 201
    assert stored(me.user_id) == [browser.endpoint]


# -- the dispatcher ------------------------------------------------------------------------------------------


def sender(config, table: dict[str, Sequence[str]] | None = None) -> tuple[WebPushSender, FakeResolver]:  # noqa: ANN001
    resolver = FakeResolver(table or {})
    return WebPushSender(config, resolve=resolver), resolver


def send(push: WebPushSender, subscription: dict):  # noqa: ANN201
    return push.send(subscription, b'{"kind":"accept"}', ttl=60, urgency="normal", topic="t")


def test_every_push_carries_the_octet_stream_content_type(sender_config, service, vapid):
    push, _ = sender(sender_config)
    result = send(push, service.browser(vapid[1]).subscription())
    assert (result.status, result.outcome) == (201, "delivered")
    (message,) = service.delivered
    assert message.content_type == "application/octet-stream"


@pytest.mark.parametrize("status", [301, 302, 303, 307, 308])
def test_a_redirect_from_the_push_service_is_not_followed(sender_config, service, vapid, status):
    push, _ = sender(sender_config)
    with FakePushService() as elsewhere:
        service.answer(status, location=elsewhere.browser(vapid[1]).endpoint)
        result = send(push, service.browser(vapid[1]).subscription())
        assert (result.status, result.outcome) == (status, "rejected")
        assert elsewhere.requests == []  # neither a GET (302) nor a second POST (307) arrived there
    assert [r.status for r in service.received] == [status]


def test_the_send_time_check_refuses_a_push_host_that_now_resolves_to_a_private_address(sender_config, outside,
                                                                                        vapid, caplog):
    push, resolver = sender(sender_config, {"fcm.googleapis.com": ["10.0.0.1"]})
    browser = Browser(FCM, vapid[1])
    result = send(push, browser.subscription())
    assert (result.status, result.outcome) == (0, "rejected")
    assert resolver.lookups == [("fcm.googleapis.com", 443)]
    assert outside == []  # refused before any connection, to 10.0.0.1 or elsewhere
    assert FCM not in caplog.text and "dQw4w9WgXcQ" not in caplog.text


@pytest.mark.parametrize("addresses", [["169.254.169.254"], ["142.250.66.10", "fd00:ec2::254"], ["::ffff:10.0.0.1"],
                                       ["127.0.0.1"], []])
def test_any_non_public_address_among_the_answers_refuses_the_send(sender_config, outside, vapid, addresses):
    push, _ = sender(sender_config, {"updates.push.services.mozilla.com": addresses})
    result = send(push, Browser("https://updates.push.services.mozilla.com/wpush/v2/gAAAA", vapid[1]).subscription())
    assert (result.status, result.outcome) == (0, "rejected") and outside == []


def test_a_push_host_that_does_not_resolve_is_retried_later(sender_config, outside, vapid):
    push, resolver = sender(sender_config, {})
    result = send(push, Browser(FCM, vapid[1]).subscription())
    assert (result.status, result.outcome) == (0, "retry")
    assert resolver.lookups == [("fcm.googleapis.com", 443)] and outside == []


@pytest.mark.parametrize("endpoint", ["https://169.254.169.254/latest/meta-data/", "https://10.0.0.1/push",
                                      "https://metadata.google.internal/computeMetadata/v1/"])
def test_a_stored_endpoint_the_rule_refuses_is_never_resolved_or_sent_to(sender_config, outside, vapid, endpoint):
    push, resolver = sender(sender_config, {"metadata.google.internal": ["169.254.169.254"]})
    result = send(push, Browser(endpoint, vapid[1]).subscription())
    assert (result.status, result.outcome) == (0, "gone")
    assert resolver.lookups == [] and outside == []


def test_the_connection_goes_to_the_address_that_was_checked(sender_config, vapid, outside):
    with FakePushService(host="localhost") as fake:
        push, resolver = sender(sender_config, {"localhost": ["127.0.0.1"]})
        result = send(push, fake.browser(vapid[1]).subscription())
        assert (result.status, result.outcome) == (201, "delivered")
        (message,) = fake.delivered
        assert message.claims["aud"] == fake.origin  # signed for the name, sent to the checked address
        assert resolver.lookups == [("localhost", int(fake.origin.rsplit(":", 1)[1]))]

        # Had the sender resolved the name again, it would have reached the service: it keeps to 127.0.0.2.
        push, _ = sender(sender_config, {"localhost": ["127.0.0.2"]})
        result = send(push, fake.browser(vapid[1]).subscription())
        assert (result.status, result.outcome) == (0, "retry")
        assert len(fake.requests) == 1
    assert outside == []


# -- through the dispatcher: what the citizen gets ---------------------------------------------------------


def pending_event(owner: str, endpoint: str, clock) -> models.Event:  # noqa: ANN001
    """A citizen with one browser subscribed at `endpoint` and one undelivered notice for them."""
    now = clock.current
    models.User(owner, phone=PHONE, created_at=now).save()
    models.PushSubscription(owner, endpoint_hash(endpoint), subscription=Browser(endpoint, None).subscription(),
                            lang="vi", created_at=now, updated_at=now).save()
    event = models.Event("HN-2611-7K3QF9", f"000002#{now:%Y%m%dT%H%M%S%fZ}#accept", user_id=owner, kind="accept",
                         actor={"user_id": "officer-1", "role": "officer"},
                         data={"action": "accept", "from": "submitted", "to": "received"}, created_at=now)
    event.save()
    return event


def deliver(config, table: dict[str, Sequence[str]], event: models.Event, clock) -> tuple[str, FakeSms]:  # noqa: ANN001
    sms = FakeSms()
    push, _ = sender(config, table)
    state = Dispatcher(config, push, sms).deliver_key(event.application_id, event.event_id,
                                                      clock.current + timedelta(seconds=1))
    return state, sms


def test_a_stored_metadata_endpoint_is_dropped_and_the_citizen_gets_the_sms(push_config, clock, outside):
    endpoint = "https://169.254.169.254/latest/meta-data/"
    event = pending_event("citizen-legacy", endpoint, clock)
    state, sms = deliver(push_config, {}, event, clock)
    assert state == "sms" and [phone for phone, _ in sms.sent] == [PHONE]
    assert stored("citizen-legacy") == [] and outside == []


def test_a_push_host_resolving_privately_at_send_time_falls_back_to_sms(push_config, clock, outside):
    event = pending_event("citizen-rebound", FCM, clock)
    state, sms = deliver(push_config, {"fcm.googleapis.com": ["10.0.0.1"]}, event, clock)
    assert state == "sms" and [phone for phone, _ in sms.sent] == [PHONE]
    assert stored("citizen-rebound") == [FCM]  # kept: the name may resolve properly again
    assert outside == []


def test_a_redirecting_push_service_gets_one_post_and_the_citizen_the_sms(push_config, clock, service, vapid):
    with FakePushService() as elsewhere:
        service.answer(307, location=f"{elsewhere.origin}/push/x")
        event = pending_event("citizen-redirected", service.browser(vapid[1]).endpoint, clock)
        state, sms = deliver(push_config, {}, event, clock)
        assert elsewhere.requests == []
    assert state == "sms" and len(sms.sent) == 1
    assert [r.status for r in service.received] == [307]

