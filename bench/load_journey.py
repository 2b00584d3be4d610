"""The simulated citizen of bench/load.py: one locust user walking the mixed journey, again and again.

Each pass is a new citizen (a new phone number, no cookies): sign-in by the SMS code read from the
emulator, profile, catalog, two uploads through presigned POSTs, submission sent twice with one
Idempotency-Key, status polls, payment through the sandbox gateway (whose click sends the IPN), tracking.
Requests are named by operationId; the S3 upload and the sandbox's pages are named `s3:` and `sandbox:`.
"""

from __future__ import annotations

import itertools
import json
import random
import re
import secrets
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit

import gevent
import requests
from gevent.event import AsyncResult
from locust import FastHttpUser, constant, task
from locust.exception import RescheduleTask

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "tests" / "fixtures" / "document-page.png").read_bytes()
PROFILE = json.loads((ROOT / "tests" / "fixtures" / "profile.json").read_text(encoding="utf-8"))
PROCEDURE = "marital-status-certificate"
SUBMISSION = {"procedure_id": PROCEDURE, "commune_code": "13075",
              "answers": {"purpose": "property", "marital_status": "never_married", "fee_exemption": "none"},
              "delivery": {"method": "pickup"}}
WEBOTP = re.compile(r"@\S+ #(\d{6})\s*$")
TIMEOUT_S = 30.0


def phone_numbers() -> Iterator[str]:
    """Distinct Vietnamese mobile numbers from a random start (none ends in 99: moto opts those out)."""
    start = secrets.randbelow(10_000_000)
    for n in itertools.count():
        digits = f"{(start + n) % 10_000_000:07d}"
        if not digits.endswith("99"):
            yield f"+8491{digits}"


class SmsInbox:
    """Codes texted through the emulator's SNS. One poller reads the emulator's SMS outbox
    (`/_local/sms?after=N`, only the messages it has not seen) for all waiting users."""

    def __init__(self, aws_endpoint: str, interval: float = 0.5) -> None:
        self.url, self.interval, self.seen = f"{aws_endpoint}/_local/sms", interval, 0
        self.arrived: dict[str, str] = {}  # the latest code per number, read before anyone waited for it
        self.waiting: dict[str, AsyncResult] = {}
        self.reads: list[tuple[float, int]] = []  # (seconds, bytes) of each read
        self.waits: list[float] = []  # seconds from requestOtp's answer to the code
        self._http = requests.Session()
        self._http.trust_env = False
        self._poller: gevent.Greenlet | None = None

    def reset(self) -> None:
        """Forget the figures so far (after a warm-up)."""
        self.reads.clear()
        self.waits.clear()

    def code_for(self, phone: str) -> str | None:
        """The code sent to `phone`, once it arrives (None after TIMEOUT_S)."""
        started = time.perf_counter()
        if phone in self.arrived:
            self.waits.append(time.perf_counter() - started)
            return self.arrived.pop(phone)
        waiter = self.waiting.setdefault(phone, AsyncResult())
        if self._poller is None or self._poller.dead:
            self._poller = gevent.spawn(self._poll)
        try:
            code = waiter.get(timeout=TIMEOUT_S)
        except gevent.Timeout:
            return None
        finally:
            self.waiting.pop(phone, None)
        self.waits.append(time.perf_counter() - started)
        return code

    def _poll(self) -> None:
        while self.waiting:
            started = time.perf_counter()
            try:
                resp = self._http.get(self.url, params={"after": self.seen}, timeout=TIMEOUT_S)
                answer = resp.json()
                messages, self.seen = answer["messages"], answer["next"]
            except (requests.RequestException, ValueError, KeyError):
                gevent.sleep(self.interval)
                continue
            self.reads.append((time.perf_counter() - started, len(resp.content)))
            for message in messages:
                phone, found = message.get("phone_number"), WEBOTP.search(message.get("message", ""))
                waiter = self.waiting.get(phone)
                if waiter is not None and found and not waiter.ready():
                    waiter.set(found.group(1))
                elif found:
                    self.arrived[phone] = found.group(1)
            gevent.sleep(self.interval)


class JourneyFailed(Exception):
    """A step answered something else than the journey needs (already recorded as a failure)."""


class Citizen(FastHttpUser):
    """One simulated citizen at a time; configured by bench/load.py through class attributes."""

    network_timeout = TIMEOUT_S
    connection_timeout = TIMEOUT_S
    wait_time = constant(0)  # the think time is between the journey's steps
    inbox: SmsInbox
    phones: Iterator[str]
    think: float = 1.0
    submissions: list[tuple[str, str, str]] = []  # (Idempotency-Key, first code, replayed code)
    journeys: list[float] = []  # seconds per completed journey

    @task
    def journey(self) -> None:
        """One citizen, from the first SMS to tracking the paid application."""
        self.client.cookiejar.clear()
        started = time.perf_counter()
        try:
            phone = self.sign_in()
            code = self.apply()
            self.pay(code)
            self.pause()
            self.api("trackApplication", "GET", f"/api/status/track?{urlencode({'code': code, 'phone': phone[-4:]})}")
            seen = self.api("getApplication", "GET", f"/api/status/applications/{code}")
            self.expect(seen.get("payment_state") == "paid", "getApplication", "not paid after the IPN")
        except JourneyFailed:
            raise RescheduleTask() from None
        self.journeys.append(time.perf_counter() - started)

    def pause(self) -> None:
        """The citizen reads the screen before the next step."""
        gevent.sleep(random.uniform(0.5, 1.5) * self.think)

    def sign_in(self) -> str:
        """requestOtp, the SMS, verifyOtp, then the profile (updateProfile) and the catalog."""
        phone = next(self.phones)
        self.api("requestOtp", "POST", "/api/account/otp", {"phone": phone}, expect=202)
        code = self.inbox.code_for(phone)
        self.expect(code is not None, "sms", f"no code within {TIMEOUT_S:.0f} s")
        self.pause()
        self.api("verifyOtp", "POST", "/api/account/otp/verify", {"phone": phone, "code": code})
        self.pause()
        self.api("updateProfile", "PUT", "/api/account/profile", PROFILE)
        self.api("listProcedures", "GET", "/api/submit/procedures")
        self.api("getProcedure", "GET", f"/api/submit/procedures/{PROCEDURE}")
        return phone

    def apply(self) -> str:
        """Two pages, then submitApplication twice with one key (the second must replay the first)."""
        pages = [self.upload() for _ in range(2)]
        body = {**SUBMISSION, "documents": {"id_card": pages}}
        key = str(uuid.uuid4())
        first = self.api("submitApplication", "POST", "/api/submit/applications", body, expect=201,
                         headers={"Idempotency-Key": key})
        again = self.api("submitApplication (retry)", "POST", "/api/submit/applications", body, expect=201,
                         headers={"Idempotency-Key": key})
        code, replayed = first["application"]["code"], again["application"]["code"]
        self.submissions.append((key, code, replayed))
        self.expect(code == replayed, "submitApplication (retry)", "the retry created another application")
        self.pause()
        self.api("getApplication", "GET", f"/api/status/applications/{code}")
        self.api("listMyApplications", "GET", "/api/submit/applications")
        return code

    def upload(self) -> str:
        """createUpload, the browser's POST to the bucket, completeUpload; returns the document id."""
        created = self.api("createUpload", "POST", "/api/submit/uploads",
                           {"procedure_id": PROCEDURE, "slot_id": "id_card", "content_type": "image/png",
                            "size": len(PAGE)}, expect=201)
        boundary = uuid.uuid4().hex
        fields = created["upload"]["fields"]
        with self.client.post(created["upload"]["url"], name="s3:PostObject", data=_multipart(fields, boundary),
                              headers={"Content-Type": f"multipart/form-data; boundary={boundary}"},
                              catch_response=True) as resp:
            self.check(resp, (200, 204), "s3:PostObject")
        self.api("completeUpload", "POST", f"/api/submit/uploads/{created['document_id']}/complete", {})
        return created["document_id"]

    def pay(self, code: str) -> None:
        """createPayment, the sandbox's page and its Pay button (which sends the IPN), the return page."""
        order = self.api("createPayment", "POST", f"/api/pay/applications/{code}/payment", {"lang": "vi"},
                         expect=201)
        txn_ref = dict(parse_qsl(urlsplit(order["pay_url"]).query))["vnp_TxnRef"]
        with self.client.get(order["pay_url"], name="sandbox:payPage", catch_response=True) as resp:
            self.check(resp, (200,), "sandbox:payPage")
        self.pause()
        with self.client.post("/sandbox/vnpay/paymentv2/complete", name="sandbox:pay (sends the IPN)",
                              data=urlencode({"txn_ref": txn_ref, "action": "pay"}), allow_redirects=False,
                              headers={"Content-Type": "application/x-www-form-urlencoded"},
                              catch_response=True) as resp:
            self.check(resp, (303,), "sandbox:pay (sends the IPN)")
            back = urlsplit(resp.headers["Location"]).query
        returned = self.api("vnpayReturn", "GET", f"/api/pay/vnpay/return?{back}")
        self.expect(returned.get("outcome") in ("paid", "checking"), "vnpayReturn", f"outcome {returned}")
        for _ in range(10):  # "checking": the IPN is on its way (the page polls getPayment)
            state = self.api("getPayment", "GET", f"/api/pay/applications/{code}/payment")
            if state.get("payment_state") == "paid":
                return
            gevent.sleep(1.0)
        self.expect(False, "getPayment", "still unpaid 10 s after the gateway's redirect")

    def api(self, op: str, method: str, path: str, body: Any = None, *, expect: int = 200,
            headers: dict[str, str] | None = None) -> dict[str, Any]:
        """One API call as the PWA makes it (Origin and the CSRF header on writes); its JSON answer."""
        sent = dict(headers or {})
        if method != "GET":
            sent["Origin"] = self.host
            csrf = next((c.value for c in self.client.cookiejar if c.name == "motcua_csrf"), None)
            if csrf:
                sent["X-CSRF-Token"] = csrf
        with self.client.request(method, path, name=op, json=body, headers=sent, catch_response=True) as resp:
            self.check(resp, (expect,), op)
            try:
                return resp.json()
            except ValueError:
                resp.failure("not JSON")
                raise JourneyFailed(op) from None

    def check(self, resp: Any, expected: tuple[int, ...], op: str) -> None:  # noqa: ANN401 (locust's response)
        """Mark a response with an unexpected status as failed, grouped by status and error code."""
        if resp.status_code in expected:
            resp.success()
            return
        reason = f"HTTP {resp.status_code}"
        if resp.status_code == 0:
            reason = f"no answer ({type(getattr(resp, 'error', None)).__name__})"
        else:
            try:
                error = resp.json()["error"]
                reason += f" {error['code']}"
                if resp.status_code == 429:  # which limit: the grouping then tells a raised one from another
                    reason += f" ({error.get('details', {}).get('limit')})"
            except (ValueError, KeyError, TypeError):
                pass
        resp.failure(reason)
        raise JourneyFailed(op)

    def expect(self, ok: bool, op: str, reason: str) -> None:
        """A journey rule that is not an HTTP status (replay, payment state): a failure of its own."""
        if not ok:
            self.environment.events.request.fire(request_type="CHECK", name=op, response_time=0,
                                                 response_length=0, exception=AssertionError(reason),
                                                 context={})
            raise JourneyFailed(op)


def _multipart(fields: dict[str, str], boundary: str) -> bytes:
    """A browser's form POST: the presigned fields first, the file last."""
    parts = [f'--{boundary}\r\nContent-Disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
             for k, v in fields.items()]
    parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="page.png"\r\n'
                 "Content-Type: image/png\r\n\r\n".encode() + PAGE + b"\r\n")
    return b"".join(parts) + f"--{boundary}--\r\n".encode()
