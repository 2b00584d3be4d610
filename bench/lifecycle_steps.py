"""The lifecycle bench/lifecycle_requests.py counts: one citizen and one officer through the real apps.

Must be imported inside `mock_aws()`, after the counting hook is installed and the environment is set.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.test import Client, TestResponse

from functions.core import config as config_mod
from functions.core import models

ROOT = Path(__file__).resolve().parents[1]
PAGE = (ROOT / "tests" / "fixtures" / "document-page.png").read_bytes()
PROFILE = (ROOT / "tests" / "fixtures" / "profile.json").read_text(encoding="utf-8")
PROCEDURE, COMMUNE = "marital-status-certificate", "13075"
CITIZEN_PHONE, OFFICER_PHONE = "+84912345678", "+84912000101"
WEBOTP = re.compile(r"@\S+ #(\d{6})\s*$")


class Caller:
    """One browser: a cookie jar over every function, sending Origin and the CSRF header on writes."""

    def __init__(self, wsgi: Any, origin: str, counts: Any) -> None:  # noqa: ANN401
        self.client, self.origin, self.counts = Client(wsgi), origin, counts

    def call(self, label: str, method: str, path: str, body: Any = None, *, expect: int = 200,  # noqa: ANN401
             headers: dict[str, str] | None = None, **kw: Any) -> dict[str, Any]:
        """One request, its DynamoDB calls counted under `label`; its JSON answer."""
        sent = dict(headers or {})
        if method != "GET":
            csrf = self.client.get_cookie("motcua_csrf")
            sent.update({"Origin": self.origin, **({"X-CSRF-Token": csrf.value} if csrf else {})})
        with self.counts.operation(label):
            resp: TestResponse = self.client.open(path, method=method, json=body, headers=sent, **kw)
        if resp.status_code != expect:
            raise RuntimeError(f"{label}: {method} {path} answered {resp.status_code} {resp.get_data(as_text=True)}")
        return resp.get_json(silent=True) or {}


class Lifecycle:
    """Deploys the stack into moto, builds the four apps and walks one application from sign-up to done."""

    def __init__(self, counts: Any) -> None:  # noqa: ANN401
        from functions.local import emulator

        self.counts = counts
        cfg = config_mod.load()
        models.bind(cfg)
        outputs = emulator.deploy("motcua-bench", {"Stage": cfg.stage, "AppOrigin": cfg.app_origin}, cfg.region)
        self.cfg = cfg.with_overrides(documents_bucket=outputs["DocumentsBucketName"])
        self.wsgi = self._mounted()
        self.citizen = Caller(self.wsgi, self.cfg.app_origin, counts)
        self.stages: dict[str, list[str]] = {}

    def _mounted(self) -> DispatcherMiddleware:
        import importlib

        from flask import Flask

        mounts = {f"/api/{name}": importlib.import_module(f"functions.{name}.app").create_app(self.cfg)
                  for name in config_mod.FUNCTIONS}
        return DispatcherMiddleware(Flask("root"), mounts)

    def step(self, stage: str, label: str) -> str:
        """Record `label` under `stage` (for the report's grouping); returns it."""
        self.stages.setdefault(stage, []).append(label)
        return label

    def run(self) -> dict[str, list[str]]:
        """The whole lifecycle; returns the labels of each stage, in order."""
        phone = self.sign_up()
        code, documents = self.submit()
        self.pay(code)
        self.status_changes(code)
        self.reads(code, phone)
        self.deliveries(code)
        return self.stages

    def sign_up(self) -> str:
        """requestOtp, the SMS, verifyOtp, updateProfile."""
        import json

        from moto.core import DEFAULT_ACCOUNT_ID
        from moto.sns.models import sns_backends

        c = self.citizen
        c.call(self.step("sign-up", "requestOtp"), "POST", "/api/account/otp", {"phone": CITIZEN_PHONE}, expect=202)
        texts = [t for n, t in sns_backends[DEFAULT_ACCOUNT_ID][self.cfg.region].sms_messages.values()
                 if n == CITIZEN_PHONE]
        code = WEBOTP.search(texts[-1]).group(1)
        c.call(self.step("sign-up", "verifyOtp"), "POST", "/api/account/otp/verify",
               {"phone": CITIZEN_PHONE, "code": code})
        c.call(self.step("sign-up", "updateProfile"), "PUT", "/api/account/profile", json.loads(PROFILE))
        return CITIZEN_PHONE

    def upload(self, stage: str, page: str) -> str:
        """createUpload, the browser's POST to the bucket (moto), completeUpload; the document id."""
        created = self.citizen.call(self.step(stage, f"createUpload ({page})"), "POST", "/api/submit/uploads",
                                    {"procedure_id": PROCEDURE, "slot_id": "id_card", "content_type": "image/png",
                                     "size": len(PAGE)}, expect=201)
        form = created["upload"]
        sent = requests.post(form["url"], data=form["fields"], files={"file": ("page.png", PAGE, "image/png")},
                             timeout=10)
        if sent.status_code not in (200, 204):
            raise RuntimeError(f"presigned POST answered {sent.status_code}")
        self.citizen.call(self.step(stage, f"completeUpload ({page})"), "POST",
                          f"/api/submit/uploads/{created['document_id']}/complete", {})
        return created["document_id"]

    def submit(self) -> tuple[str, list[str]]:
        """Two pages, then submitApplication."""
        pages = [self.upload("submit", f"page {n}") for n in (1, 2)]
        body = {"procedure_id": PROCEDURE, "commune_code": COMMUNE, "documents": {"id_card": pages},
                "answers": {"purpose": "property", "marital_status": "never_married", "fee_exemption": "none"},
                "delivery": {"method": "pickup"}}
        done = self.citizen.call(self.step("submit", "submitApplication"), "POST", "/api/submit/applications", body,
                                 expect=201, headers={"Idempotency-Key": str(uuid.uuid4())})
        return done["application"]["code"], pages

    def pay(self, code: str) -> None:
        """createPayment, then the gateway's IPN for a successful payment, signed as VNPay signs it."""
        from functions.core.domain import vnpay

        order = self.citizen.call(self.step("pay", "createPayment"), "POST", f"/api/pay/applications/{code}/payment",
                                  {"lang": "vi"}, expect=201)
        asked = dict(parse_qsl(urlsplit(order["pay_url"]).query))
        params = {"vnp_TmnCode": asked["vnp_TmnCode"], "vnp_Amount": asked["vnp_Amount"], "vnp_BankCode": "NCB",
                  "vnp_BankTranNo": "VNP14226112", "vnp_CardType": "ATM", "vnp_OrderInfo": asked["vnp_OrderInfo"],
                  "vnp_PayDate": vnpay.vnp_time(datetime.now(UTC)), "vnp_ResponseCode": "00",
                  "vnp_TransactionNo": "14226112", "vnp_TransactionStatus": "00", "vnp_TxnRef": asked["vnp_TxnRef"]}
        query = vnpay.signed_query(params, self.cfg.vnpay_hash_secret)
        gateway = Caller(self.wsgi, self.cfg.app_origin, self.counts)
        answer = gateway.call(self.step("pay", "vnpayIpn"), "GET", f"/api/pay/vnpay/ipn?{query}")
        if answer.get("RspCode") != "00":
            raise RuntimeError(f"IPN answered {answer}")
        self.return_query = query

    def officer(self) -> Caller:
        """The home commune's officer, signed in (setup: not counted in any operation)."""
        from functions.account import users
        from functions.core import sessions

        now = datetime.now(UTC)
        token = sessions.open_session(users.upsert_staff(OFFICER_PHONE, "officer", [COMMUNE], now), now)
        caller = Caller(self.wsgi, self.cfg.app_origin, self.counts)
        caller.client.set_cookie("motcua_session", token)
        caller.client.set_cookie("motcua_csrf", sessions.csrf_token(self.cfg, token))
        return caller

    def status_changes(self, code: str) -> None:
        """Seven officer actions and the citizen's resubmission with a new page."""
        officer, path = self.officer(), f"/api/status/applications/{code}/actions"
        act = [("accept", {}), ("start_review", {}),
               ("request_supplement", {"reason": "Ảnh CCCD bị mờ", "slots": ["id_card"]})]
        for n, (action, extra) in enumerate(act, start=1):
            officer.call(self.step("status changes", f"{n}. officerTransition {action}"), "POST", path,
                         {"action": action, **extra})
        page = self.upload("status changes", "new page")
        self.citizen.call(self.step("status changes", "4. officerTransition resubmit (citizen)"), "POST", path,
                          {"action": "resubmit", "documents": {"id_card": [page]}})
        act = [("start_review", {}), ("approve", {}), ("mark_result_ready", {"result": "pickup"}), ("complete", {})]
        for n, (action, extra) in enumerate(act, start=5):
            officer.call(self.step("status changes", f"{n}. officerTransition {action}"), "POST", path,
                         {"action": action, **extra})

    def reads(self, code: str, phone: str) -> None:
        """What the citizen and the officer read around the lifecycle (not part of its total)."""
        c, stage = self.citizen, "reads"
        c.call(self.step(stage, "listProcedures"), "GET", "/api/submit/procedures")
        c.call(self.step(stage, "getProfile"), "GET", "/api/account/profile")
        c.call(self.step(stage, "getApplication"), "GET", f"/api/status/applications/{code}")
        c.call(self.step(stage, "listMyApplications"), "GET", "/api/submit/applications")
        c.call(self.step(stage, "getPayment"), "GET", f"/api/pay/applications/{code}/payment")
        c.call(self.step(stage, "vnpayReturn"), "GET", f"/api/pay/vnpay/return?{self.return_query}")
        c.call(self.step(stage, "trackApplication"), "GET", f"/api/status/track?code={code}&phone={phone[-4:]}")
        c.call(self.step(stage, "listInbox"), "GET", "/api/status/inbox")
        self.officer().call(self.step(stage, "officerQueue"), "GET", "/api/status/queue")

    def deliveries(self, code: str) -> None:
        """Each timeline event delivered by the status function's dispatcher, as its stream trigger does."""
        from functions.core.adapters.push import FakePushSender
        from functions.core.adapters.sms import FakeSms
        from functions.status.notify import Dispatcher

        dispatcher = Dispatcher(self.cfg, FakePushSender(), FakeSms())
        events = [(e.application_id, e.event_id) for e in models.Event.query(code)]
        with self.counts.operation(self.step(f"notifications ({len(events)} events, stream)", "deliver (all events)")):
            for application_id, event_id in events:
                dispatcher.deliver_key(application_id, event_id, datetime.now(UTC))
