"""A fake Web Push service on loopback, and fake browsers that subscribe to it.

The service does what a real one does with a message: it checks the VAPID `Authorization` header (the
JWT signature with the `k` key, `aud` = this origin, `exp` in the future, a `sub`; and `k` equal to the
applicationServerKey the browser subscribed with), reads TTL, Urgency and Topic, refuses a message without
`Content-Type: application/octet-stream` (400, as web-push-testing does), and decrypts the aes128gcm body
with the browser's private key and auth secret (http_ece). Tests then read what arrived. It can be told to
answer 201, 404, 410, 429, 500, 403, or a redirect (302/307 with a Location), for the next calls; every
request of any method is counted in `requests`. Used by the functional and the browser tests
(`from tests.push_service import FakePushService`).
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from py_vapid import jwt


def b64url(data: bytes) -> str:
    """Unpadded base64url, as browsers write keys."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@dataclass
class Browser:
    """One browser's push subscription: its P-256 key pair and 16-byte auth secret."""

    endpoint: str
    application_server_key: str | None
    key: ec.EllipticCurvePrivateKey = field(default_factory=lambda: ec.generate_private_key(ec.SECP256R1()))
    auth: bytes = field(default_factory=lambda: os.urandom(16))
    gone: bool = False

    @property
    def p256dh(self) -> str:
        """The public key, uncompressed X9.62, base64url."""
        raw = self.key.public_key().public_bytes(serialization.Encoding.X962,
                                                 serialization.PublicFormat.UncompressedPoint)
        return b64url(raw)

    def subscription(self) -> dict[str, Any]:
        """What `PushSubscription.toJSON()` gives in a browser."""
        return {"endpoint": self.endpoint, "expirationTime": None,
                "keys": {"p256dh": self.p256dh, "auth": b64url(self.auth)}}


@dataclass
class Received:
    """One POST the service answered: its headers, the checked VAPID claims and the decrypted text."""

    endpoint: str
    status: int
    ttl: int | None
    urgency: str | None
    topic: str | None
    claims: dict[str, Any] | None
    vapid_key: str | None
    content_encoding: str | None
    plaintext: bytes | None
    content_type: str | None = None
    problem: str | None = None

    @property
    def message(self) -> dict[str, Any]:
        """The decrypted payload as JSON."""
        assert self.plaintext is not None, self.problem
        return json.loads(self.plaintext)


class FakePushService:
    """A threading HTTP server on 127.0.0.1 that plays a push service. Use as a context manager.

    `host` is the name its endpoints (and so the VAPID `aud`) use: "127.0.0.1", or "localhost" for tests
    where the sender resolves the name itself."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        self.browsers: dict[str, Browser] = {}
        self.received: list[Received] = []
        self.requests: list[tuple[str, str]] = []  # (method, path) of every request, answered or not
        self.listeners: list[Callable[[Received], None]] = []
        self._script: list[tuple[int, dict[str, str]]] = []
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(self))
        self._server.daemon_threads = True
        self.origin = f"http://{host}:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> FakePushService:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._server.shutdown()
        self._server.server_close()

    def browser(self, application_server_key: str | None = None) -> Browser:
        """A new browser subscribed here; with a key, messages signed by another VAPID key get 403."""
        push_id = secrets.token_urlsafe(12)
        browser = Browser(f"{self.origin}/push/{push_id}", application_server_key)
        self.browsers[push_id] = browser
        return browser

    def answer(self, status: int, times: int = 1, retry_after: int | None = None, location: str | None = None
               ) -> None:
        """Answer `status` to the next `times` messages (whatever they are), then behave normally."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        if location is not None:
            headers["Location"] = location
        with self._lock:
            self._script.extend([(status, headers)] * times)

    @property
    def delivered(self) -> list[Received]:
        """Messages accepted with 201, oldest first."""
        with self._lock:
            return [r for r in self.received if r.status == 201]

    def wait_for(self, count: int, timeout: float = 10.0) -> list[Received]:
        """Block until `count` messages were delivered (for tests where another thread sends)."""
        deadline = time.monotonic() + timeout
        while len(self.delivered) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self.delivered

    def handle(self, path: str, headers: dict[str, str], body: bytes) -> tuple[int, dict[str, str]]:
        """Decide the answer to one POST and record it."""
        push_id = path.removeprefix("/push/")
        browser = self.browsers.get(push_id)
        claims, key, problem = self._vapid(headers.get("authorization", ""))
        plaintext = None
        with self._lock:
            status, extra = self._script.pop(0) if self._script else (None, {})
        if status is None:
            status, plaintext, problem = self._judge(browser, key, problem, headers, body)
        record = Received(f"{self.origin}{path}", status, _int(headers.get("ttl")), headers.get("urgency"),
                          headers.get("topic"), claims, key, headers.get("content-encoding"), plaintext,
                          problem=problem, content_type=headers.get("content-type"))
        with self._lock:
            self.received.append(record)
        for listener in list(self.listeners):
            listener(record)
        return status, extra

    def _judge(self, browser: Browser | None, key: str | None, problem: str | None, headers: dict[str, str],
               body: bytes) -> tuple[int, bytes | None, str | None]:
        if browser is None:
            return 404, None, "unknown subscription"
        if browser.gone:
            return 410, None, "unsubscribed"
        if problem:
            return 403, None, problem
        if browser.application_server_key and key != browser.application_server_key:
            return 403, None, "signed with another key than the browser subscribed with"
        if headers.get("content-encoding") != "aes128gcm":
            return 415, None, "not aes128gcm"
        if headers.get("content-type") != "application/octet-stream":
            return 400, None, "no Content-Type: application/octet-stream"
        try:
            plaintext = http_ece.decrypt(body, private_key=browser.key, auth_secret=browser.auth,
                                         version="aes128gcm")
        except Exception as exc:  # noqa: BLE001 (any failure to decrypt is the sender's fault: 400)
            return 400, None, f"cannot decrypt: {type(exc).__name__}"
        return 201, plaintext, None

    def _vapid(self, authorization: str) -> tuple[dict[str, Any] | None, str | None, str | None]:
        """(claims, k, problem) from `vapid t=<jwt>,k=<key>`."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            return None, None, "no vapid authorization"
        parts = dict(p.strip().split("=", 1) for p in params.split(",") if "=" in p)
        token, key = parts.get("t"), parts.get("k")
        if not token or not key:
            return None, key, "vapid header without t or k"
        try:
            claims = jwt.decode(token, key)
        except InvalidSignature:
            return None, key, "bad vapid signature"
        if claims.get("aud") != self.origin:
            return claims, key, "wrong aud"
        if not isinstance(claims.get("exp"), int) or claims["exp"] <= time.time():
            return claims, key, "expired"
        if not claims.get("sub"):
            return claims, key, "no sub"
        return claims, key, None


def _int(value: str | None) -> int | None:
    return int(value) if value is not None and value.isdigit() else None


def _handler(service: FakePushService) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 (http.server's naming)
            service.requests.append(("POST", self.path))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            headers = {k.lower(): v for k, v in self.headers.items()}
            status, extra = service.handle(self.path, headers, body)
            self.send_response(status)
            for name, value in extra.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def _other(self) -> None:
            service.requests.append((self.command, self.path))
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()

        do_GET = do_PUT = do_HEAD = do_DELETE = do_PATCH = _other  # noqa: N815

        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            return

    return Handler
