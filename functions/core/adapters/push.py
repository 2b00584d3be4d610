"""The Web Push adapter: pywebpush with our VAPID key in AWS and locally, plus a fake that records sends.

A push service answers with an HTTP status; `PushResult.outcome` says what it means for us:
  delivered  2xx                      the service took the message
  gone       404, 410                 the subscription is dead: delete it
  vapid      403 (or claims we could not sign)   our VAPID key or claims were refused: keep it, log it
  retry      429, 5xx, no answer      try again later, after `retry_after` seconds when the service said so
  rejected   any other status         the message itself was refused (e.g. 413): do not repeat it;
             also a redirect (3xx, never followed) and an endpoint whose host resolves to a private address
  gone       an endpoint the rule in core/domain/push_endpoint.py refuses (a row stored before the rule)

Before every send the endpoint passes that rule again, its host is resolved, every address must be
globally routable, and the connection goes to the address that was checked (so a second, different DNS
answer cannot redirect it), with redirects off.
"""

from __future__ import annotations

import ipaddress
import logging
import socket
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any, Protocol
from urllib.parse import urlsplit, urlunsplit

from functions.core.config import Config
from functions.core.domain import push_endpoint
from functions.core.errors import PushEndpointNotAllowed

if TYPE_CHECKING:
    import requests

log = logging.getLogger("motcua.push")

# Seconds to wait for a push service; a dispatcher's claim on an event must outlast a few of these.
TIMEOUT_SECONDS = 10
DELIVERED, GONE, VAPID, RETRY, REJECTED = "delivered", "gone", "vapid", "retry", "rejected"
# What the reference web-push library sends; some push services refuse a message without it.
CONTENT_TYPE = "application/octet-stream"
# (host, port) -> every address the host resolves to; the real one asks the system, tests pass a fake.
Resolver = Callable[[str, int], Sequence[str]]


def system_resolver(host: str, port: int) -> list[str]:
    """Every address the system resolver gives for a host (TCP)."""
    return [str(info[4][0]) for info in socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)]


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

    def __init__(self, config: Config, resolve: Resolver = system_resolver) -> None:
        if not config.vapid_private_key:
            raise ValueError("MOTCUA_VAPID_PRIVATE_KEY is not set")
        from py_vapid import Vapid

        self._vapid = Vapid.from_string(config.vapid_private_key)
        self._subject = config.vapid_subject
        self._hosts, self._loopback = config.push_hosts, config.allows_loopback_push
        self._resolve = resolve

    def send(self, subscription: dict[str, Any], payload: bytes, *, ttl: int, urgency: str, topic: str
             ) -> PushResult:
        """Check the endpoint, encrypt (aes128gcm), sign (VAPID) and POST; map the answer to a PushResult."""
        checked = self._target(str(subscription.get("endpoint") or ""))
        if isinstance(checked, PushResult):
            return checked
        with pinned_session(*checked) as session:
            return self._post(subscription, payload, session, ttl=ttl, urgency=urgency, topic=topic)

    def _target(self, endpoint: str) -> tuple[push_endpoint.Target, str] | PushResult:
        """The endpoint's target and the checked address to connect to, or the result of not sending."""
        try:
            target = push_endpoint.check(endpoint, self._hosts, self._loopback)
        except PushEndpointNotAllowed as exc:
            # Such a row predates the rule (or the host list changed): it can never be sent to. Drop it.
            log.warning("push not sent: endpoint refused (%s); subscription dropped", exc.details["reason"])
            return PushResult(0, GONE)
        try:
            addresses = [target.host] if _is_address(target.host) else self._resolve(target.host, target.port)
        except OSError as exc:
            log.warning("push service host %s not resolved: %s", target.host, type(exc).__name__)
            return PushResult(0, RETRY)
        try:
            return target, push_endpoint.check_addresses(target, addresses)
        except PushEndpointNotAllowed:
            log.error("push not sent: %s resolves to an address that is not public", target.host)
            return PushResult(0, REJECTED)

    def _post(self, subscription: dict[str, Any], payload: bytes, session: requests.Session, *, ttl: int,
              urgency: str, topic: str) -> PushResult:
        import requests
        from py_vapid import VapidException
        from pywebpush import WebPushException, webpush

        try:
            resp = webpush(subscription, payload, vapid_private_key=self._vapid,
                           vapid_claims={"sub": self._subject}, ttl=ttl, timeout=TIMEOUT_SECONDS,
                           headers={"Urgency": urgency, "Topic": topic, "Content-Type": CONTENT_TYPE},
                           requests_session=session)
        except WebPushException as exc:
            if exc.response is None:  # refused before sending, e.g. keys missing from the subscription
                log.warning("push not sent: the subscription cannot be used")
                return PushResult(0, REJECTED)
            status = int(exc.status_code or 0)
            if 300 <= status < 400:
                log.warning("push service answered a redirect (%s): not followed", status)
            return result_of(status, _seconds(exc.retry_after))
        except VapidException:
            log.error("push not sent: VAPID claims refused (check MOTCUA_VAPID_SUBJECT)")
            return PushResult(0, VAPID)
        except requests.RequestException as exc:
            # The type only: the message would name the endpoint.
            log.warning("push service unreachable: %s", type(exc).__name__)
            return PushResult(0, RETRY)
        return result_of(resp.status_code)


def _is_address(host: str) -> bool:
    """Whether a host is an IP address already (only the loopback fake's may be): nothing to resolve."""
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def pinned_session(target: push_endpoint.Target, address: str) -> requests.Session:
    """A requests session that sends only to `target`, connects to the checked `address` (TLS still checks
    the host's name) and never follows a redirect."""
    import requests
    from requests.adapters import HTTPAdapter

    class PinnedAdapter(HTTPAdapter):
        def build_connection_pool_key_attributes(self, request: requests.PreparedRequest, verify: bool | str,
                                                 cert: Any = None) -> tuple[dict[str, Any], dict[str, Any]]:  # noqa: ANN401
            host_params, pool_kwargs = super().build_connection_pool_key_attributes(request, verify, cert)
            if host_params["scheme"] == "https":
                pool_kwargs["server_hostname"] = target.host  # SNI and certificate name: the host, not the IP
            return host_params, pool_kwargs

    class PinnedSession(requests.Session):
        def request(self, method: str | bytes, url: str | bytes, *args: Any, **kwargs: Any  # noqa: ANN401
                    ) -> requests.Response:
            kwargs["allow_redirects"] = False
            pinned, host = _pinned_url(str(url), target, address)
            kwargs["headers"] = {**dict(kwargs.get("headers") or {}), "Host": host}
            return super().request(method, pinned, *args, **kwargs)

    session = PinnedSession()
    for prefix in ("https://", "http://"):
        session.mount(prefix, PinnedAdapter())
    return session


def _pinned_url(url: str, target: push_endpoint.Target, address: str) -> tuple[str, str]:
    """`url` with its host replaced by `address`, and the Host header it needs; ValueError for another host."""
    import requests

    parts = urlsplit(url)
    default = 443 if target.scheme == "https" else 80
    if (parts.scheme, parts.hostname, parts.port or default) != (target.scheme, target.host, target.port):
        raise requests.exceptions.InvalidURL("a push session sends only to the endpoint it was made for")
    port = "" if target.port == default else f":{target.port}"
    host = f"[{target.host}]" if ":" in target.host else target.host
    ip = f"[{address}]" if ":" in address else address
    return urlunsplit((parts.scheme, ip + port, parts.path, parts.query, "")), host + port


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
