"""The Web Push adapter: pywebpush with our VAPID key in AWS and locally, plus a fake that records sends.

A push service answers with an HTTP status; `PushResult.outcome` says what it means for us:
  delivered  2xx                      the service took the message
  gone       404, 410                 the subscription is dead: delete it
  vapid      403 (or claims we could not sign)   our VAPID key or claims were refused: keep it, log it
  retry      429, 5xx, no answer      try again later, after `retry_after` seconds when the service said so
  rejected   any other status         the message itself was refused (e.g. 413): do not repeat it
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import Any, Protocol

from functions.core.config import Config

log = logging.getLogger("motcua.push")

# Seconds to wait for a push service; a dispatcher's claim on an event must outlast a few of these.
TIMEOUT_SECONDS = 10
DELIVERED, GONE, VAPID, RETRY, REJECTED = "delivered", "gone", "vapid", "retry", "rejected"


@dataclass(frozen=True)
class PushResult:
    """What one push service said about one message (`status` 0: no HTTP answer at all)."""

    status: int
    outcome: str
    retry_after: int | None = None


def classify(status: int) -> str:
    """The outcome of an HTTP status from a push service."""
    if 200 <= status < 300:
        return DELIVERED
    if status in (404, 410):
        return GONE
    if status == 403:
        return VAPID
    if status == 429 or status >= 500 or status == 0:
        return RETRY
    return REJECTED


def result_of(status: int, retry_after: int | None = None) -> PushResult:
    """A PushResult for an HTTP status."""
    return PushResult(status, classify(status), retry_after)


class PushSender(Protocol):
    """Sends one encrypted message to one browser's push subscription."""

    def send(self, subscription: dict[str, Any], payload: bytes, *, ttl: int, urgency: str, topic: str
             ) -> PushResult:
        """Send, and say what the push service answered (never raises for a service's answer)."""
        ...


def _seconds(raw: str | None) -> int | None:
    """Retry-After as seconds: either a number or an HTTP date."""
    if not raw:
        return None
    if raw.strip().isdigit():
        return int(raw.strip())
    try:
        from datetime import UTC, datetime

        return max(0, int((parsedate_to_datetime(raw) - datetime.now(UTC)).total_seconds()))
    except (TypeError, ValueError):
        return None


class WebPushSender:
    """pywebpush with the configured VAPID key; the claims dict is made afresh for every send, because
    pywebpush writes `aud` and `exp` into the one it is given."""

    def __init__(self, config: Config) -> None:
        if not config.vapid_private_key:
            raise ValueError("MOTCUA_VAPID_PRIVATE_KEY is not set")
        from py_vapid import Vapid

        self._vapid = Vapid.from_string(config.vapid_private_key)
        self._subject = config.vapid_subject

    def send(self, subscription: dict[str, Any], payload: bytes, *, ttl: int, urgency: str, topic: str
             ) -> PushResult:
        """Encrypt (aes128gcm), sign (VAPID) and POST; map the answer to a PushResult."""
        import requests
        from py_vapid import VapidException
        from pywebpush import WebPushException, webpush

        try:
            resp = webpush(subscription, payload, vapid_private_key=self._vapid,
                           vapid_claims={"sub": self._subject}, ttl=ttl, timeout=TIMEOUT_SECONDS,
                           headers={"Urgency": urgency, "Topic": topic})
        except WebPushException as exc:
            if exc.response is None:  # refused before sending, e.g. keys missing from the subscription
                log.warning("push not sent: the subscription cannot be used")
                return PushResult(0, REJECTED)
            return result_of(int(exc.status_code or 0), _seconds(exc.retry_after))
        except VapidException:
            log.error("push not sent: VAPID claims refused (check MOTCUA_VAPID_SUBJECT)")
            return PushResult(0, VAPID)
        except requests.RequestException as exc:
            # The type only: the message would name the endpoint.
            log.warning("push service unreachable: %s", type(exc).__name__)
            return PushResult(0, RETRY)
        return result_of(resp.status_code)


@dataclass
class FakePushSender:
    """Records every send; answers 201 unless told otherwise with `answer(status, ...)`."""

    sent: list[dict[str, Any]] = field(default_factory=list)
    answers: list[int] = field(default_factory=list)

    def answer(self, *statuses: int) -> None:
        """Answer these statuses to the next sends, in order (then 201 again)."""
        self.answers.extend(statuses)

    def send(self, subscription: dict[str, Any], payload: bytes, *, ttl: int, urgency: str, topic: str
             ) -> PushResult:
        """Record the call and answer the next scripted status."""
        status = self.answers.pop(0) if self.answers else 201
        self.sent.append({"subscription": subscription, "payload": payload, "ttl": ttl, "urgency": urgency,
                          "topic": topic, "status": status})
        return result_of(status)


def for_config(config: Config) -> PushSender:
    """The adapter a deployed or local function uses."""
    return WebPushSender(config)
