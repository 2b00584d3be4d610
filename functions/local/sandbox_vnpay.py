"""The local sandbox gateway: VNPay 2.1.0's side of the protocol, for `make run` and tests, never in a Lambda.

It checks the merchant's signed payment URL, shows a page with Pay / Cancel / Fail, calls the merchant's IPN
URL server to server (retrying like the real gateway), redirects the browser to vnp_ReturnUrl with signed
parameters, and answers querydr. The rules are VNPay's published ones (see functions/core/domain/vnpay.py).
Test hooks: `app.config["SANDBOX_HOLD_IPN"] = True` (or `sandbox_hold_ipn=1` on the payment URL, which is
outside the signature) keeps the IPN back; `app.extensions["vnpay_sandbox"]` is the `SandboxGateway`.
"""

from __future__ import annotations

import itertools
import logging
import re
import secrets
import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import requests
from flask import Flask, Response, jsonify, redirect, render_template_string, request

from functions.core.adapters.clock import Clock, SystemClock
from functions.core.config import Config
from functions.core.domain import vnpay

log = logging.getLogger("motcua.sandbox.vnpay")

# The real gateway calls the IPN URL again, up to 10 times at intervals, until the merchant answers
# RspCode 00 or 02 (pay.html, "IPN URL"); locally the interval is seconds, and tests shorten it.
DEFAULTS = {"SANDBOX_IPN_ATTEMPTS": 10, "SANDBOX_IPN_INTERVAL": 2.0, "SANDBOX_IPN_TIMEOUT": 10.0,
            "SANDBOX_HOLD_IPN": False}
# The click's outcome: (vnp_ResponseCode, vnp_TransactionStatus), codes from the spec's code tables.
OUTCOMES = {"pay": ("00", "00"), "cancel": ("24", "02"), "fail": ("51", "02")}
# pay.html, "Danh sách tham số": each parameter's type and length, as a pattern.
PAY_RULES = {
    "vnp_Version": r"2\.1\.0", "vnp_Command": r"pay", "vnp_TmnCode": r"[A-Za-z0-9]{8}",
    "vnp_Amount": r"[1-9][0-9]{0,11}", "vnp_CurrCode": r"VND", "vnp_TxnRef": r"[A-Za-z0-9_-]{1,100}",
    "vnp_OrderInfo": r"[A-Za-z0-9 .,:_/-]{1,255}", "vnp_OrderType": r"[A-Za-z0-9_]{1,100}",
    "vnp_Locale": r"vn|en", "vnp_ReturnUrl": r"https?://[^\s]{3,247}", "vnp_IpAddr": r"[0-9A-Fa-f.:]{7,45}",
    "vnp_CreateDate": r"[0-9]{14}", "vnp_ExpireDate": r"[0-9]{14}",
}
OPTIONAL_RULES = {"vnp_BankCode": r"[A-Za-z0-9]{3,20}"}
ERRORS = {  # code: (Vietnamese, English)
    "01": ("Giao dịch đã tồn tại", "The transaction already exists"),
    "02": ("Merchant không hợp lệ", "Unknown merchant (vnp_TmnCode)"),
    "03": ("Dữ liệu gửi sang không đúng định dạng", "The parameters are not in the right format"),
    "11": ("Đã hết hạn chờ thanh toán", "The payment has expired"),
    "97": ("Chữ ký không hợp lệ", "Invalid signature"),
}
QUERY_MESSAGES = {"00": "QueryDR Success", "02": "Invalid TmnCode", "03": "Invalid data format",
                  "91": "Transaction not found", "94": "Duplicate request", "97": "Invalid checksum"}
CSS = ("body{font:16px/1.5 system-ui,sans-serif;margin:0;background:#f4f6f8;color:#1b1f24}"
       "main{max-width:30rem;margin:0 auto;padding:1rem}h1{font-size:1.25rem}[lang=en]{display:block;color:#57606a;"
       "font-size:.875rem}dd{margin:0 0 .75rem;font-weight:600}button{display:block;width:100%;min-height:48px;"
       "margin:.5rem 0;font-size:1rem;border-radius:.5rem;border:1px solid #8c959f;background:#fff}"
       ".pay{background:#005baa;color:#fff;border-color:#005baa}.error{color:#a40e26}")
PAGE = """<!doctype html><html lang="vi"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1"><title>VNPAY Sandbox</title>
<link rel="stylesheet" href="{{ base }}/sandbox.css"></head><body><main>
<h1>Cổng thanh toán thử nghiệm<span lang="en">Sandbox payment gateway</span></h1>
{% if error %}<p class="error">Có lỗi xảy ra trong quá trình xử lý<span lang="en">Something went wrong</span></p>
<p>Mã lỗi<span lang="en">Error code</span> <strong id="error-code">{{ error }}</strong></p>
<p>{{ texts[0] }}<span lang="en">{{ texts[1] }}</span></p>
{% else %}<dl><dt>Số tiền<span lang="en">Amount</span></dt><dd id="amount">{{ amount }} VND</dd>
<dt>Nội dung thanh toán<span lang="en">Order information</span></dt><dd id="order-info">{{ p.vnp_OrderInfo }}</dd>
<dt>Mã giao dịch<span lang="en">Transaction reference</span></dt><dd>{{ p.vnp_TxnRef }}</dd></dl>
<form method="post" action="{{ base }}/paymentv2/complete">
<input type="hidden" name="txn_ref" value="{{ p.vnp_TxnRef }}">
<button class="pay" name="action" value="pay">Thanh toán<span lang="en">Pay</span></button>
<button name="action" value="cancel">Hủy giao dịch<span lang="en">Cancel</span></button>
<button name="action" value="fail">Giao dịch thất bại<span lang="en">Fail</span></button></form>{% endif %}
</main></body></html>"""


@dataclass
class SandboxOrder:
    """One order as the gateway holds it: the merchant's parameters and, after the click, the outcome."""

    params: dict[str, str]
    hold_ipn: bool = False
    result: dict[str, str] | None = None
    query: str = ""  # the signed outcome, as sent to the IPN and return URLs


def _with_query(url: str, query: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{query}"


class SandboxGateway:
    """The gateway's state and behaviour; thread-safe (the browser, the IPN retries and querydr share it)."""

    def __init__(self, config: Config, ipn_url: str, clock: Clock, settings: Mapping[str, Any]) -> None:
        self.config, self.ipn_url, self.clock, self.settings = config, ipn_url, clock, settings
        self.lock = threading.Lock()
        self.orders: dict[str, SandboxOrder] = {}
        self.ipn_calls: list[dict[str, Any]] = []  # txn_ref, attempt, status, rsp_code: never the parameters
        self._request_ids: set[str] = set()
        self._threads: list[threading.Thread] = []
        self._numbers = itertools.count(14_000_000 + secrets.randbelow(1_000_000))
        self._http = requests.Session()
        self._http.trust_env = False  # local addresses only: no proxy from the environment

    def check_pay(self, params: Mapping[str, str]) -> str | None:
        """The error code for a payment URL (02 terminal, 97 signature, 03 format, 11 expired), or None."""
        if params.get("vnp_TmnCode") != self.config.vnpay_tmn_code:
            return "02"  # the terminal is looked up first: its secret is what the signature is checked with
        if not vnpay.verify(params, self.config.vnpay_hash_secret):
            return "97"
        rules = PAY_RULES | OPTIONAL_RULES
        if any(key not in rules for key in params if key.startswith("vnp_") and key not in vnpay.HASH_KEYS):
            return "03"
        if any(not re.fullmatch(rule, params.get(key, "")) for key, rule in PAY_RULES.items()):
            return "03"
        if any(key in params and not re.fullmatch(rule, params[key]) for key, rule in OPTIONAL_RULES.items()):
            return "03"
        try:
            vnpay.from_vnp_amount(params["vnp_Amount"])
            created, expires = (vnpay.parse_vnp_time(params[k]) for k in ("vnp_CreateDate", "vnp_ExpireDate"))
        except ValueError:
            return "03"
        if expires <= created:
            return "03"
        return "11" if self.clock.now() > expires else None

    def open(self, params: Mapping[str, str], hold_ipn: bool) -> str | None:
        """Store a checked order (the same URL again is fine); an error code when the reference is taken."""
        signed = {k: v for k, v in params.items() if k.startswith("vnp_") and k not in vnpay.HASH_KEYS}
        with self.lock:
            known = self.orders.get(signed["vnp_TxnRef"])
            if known and (known.params != signed or known.result is not None):
                return "01"
            self.orders.setdefault(signed["vnp_TxnRef"], SandboxOrder(signed, hold_ipn))
        return None

    def complete(self, txn_ref: str, action: str) -> SandboxOrder | None:
        """Record the click's outcome once (a second click keeps the first); None for an unknown order."""
        with self.lock:
            order = self.orders.get(txn_ref)
            if order is None or order.result is not None:
                return order
            expired = self.clock.now() > vnpay.parse_vnp_time(order.params["vnp_ExpireDate"])
            order.result = self._outcome(order.params, "expired" if expired else action)
            order.query = vnpay.signed_query(order.result, self.config.vnpay_hash_secret)
        self.deliver(txn_ref)
        return order

    def _outcome(self, p: Mapping[str, str], action: str) -> dict[str, str]:
        code, status = OUTCOMES.get(action, ("11", "02"))
        number = str(next(self._numbers)) if action != "cancel" else "0"
        result = {"vnp_Amount": p["vnp_Amount"], "vnp_BankCode": "VNPAY" if action == "cancel" else "NCB",
                  "vnp_CardType": "ATM", "vnp_OrderInfo": p["vnp_OrderInfo"], "vnp_PayDate": vnpay.vnp_time(
                      self.clock.now()), "vnp_ResponseCode": code, "vnp_TmnCode": p["vnp_TmnCode"],
                  "vnp_TransactionNo": number, "vnp_TransactionStatus": status, "vnp_TxnRef": p["vnp_TxnRef"]}
        if action == "pay":
            result["vnp_BankTranNo"] = f"VNP{number}"
        return result

    def deliver(self, txn_ref: str) -> None:
        """Call the IPN URL now, then retry in a background thread until RspCode 00/02 (unless held back)."""
        order = self.orders[txn_ref]
        if order.hold_ipn or self.settings.get("SANDBOX_HOLD_IPN") or order.result is None:
            return
        if self._call_ipn(txn_ref, order.query, 1):
            return
        thread = threading.Thread(target=self._retry, args=(txn_ref, order.query), daemon=True,
                                  name=f"sandbox-ipn-{txn_ref}")
        with self.lock:
            self._threads.append(thread)
        thread.start()

    def release_ipn(self, txn_ref: str) -> None:
        """Send an IPN that was held back (a late IPN, after reconciliation has run)."""
        with self.lock:
            self.orders[txn_ref].hold_ipn = False
        self.deliver(txn_ref)

    def _retry(self, txn_ref: str, query: str) -> None:
        for attempt in range(2, int(self.settings["SANDBOX_IPN_ATTEMPTS"]) + 1):
            time.sleep(float(self.settings["SANDBOX_IPN_INTERVAL"]))
            if self._call_ipn(txn_ref, query, attempt):
                return
        log.warning("sandbox gateway gave up the IPN for %s", txn_ref)

    def _call_ipn(self, txn_ref: str, query: str, attempt: int) -> bool:
        status, code = 0, None
        try:
            resp = self._http.get(_with_query(self.ipn_url, query), timeout=float(self.settings["SANDBOX_IPN_TIMEOUT"]))
            status = resp.status_code
            body = resp.json()
            code = body.get("RspCode") if isinstance(body, dict) else None
        except (requests.RequestException, ValueError) as exc:
            log.info("sandbox IPN attempt %d for %s: %s", attempt, txn_ref, type(exc).__name__)
        with self.lock:
            self.ipn_calls.append({"txn_ref": txn_ref, "attempt": attempt, "status": status, "rsp_code": code})
        return code in ("00", "02")

    def wait_idle(self, timeout: float = 10.0) -> None:
        """Wait for the IPN retries under way (tests)."""
        deadline = time.monotonic() + timeout
        with self.lock:
            threads = list(self._threads)
        for thread in threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def querydr(self, body: Any) -> dict[str, str]:
        """The signed querydr answer (querydr&refund.html): 00 with the status, 91 unknown, 97 bad checksum."""
        if not isinstance(body, dict) or not all(isinstance(body.get(k), str) and body[k] for k in
                                                 (*vnpay.QUERYDR_REQUEST_FIELDS, "vnp_SecureHash")):
            return self._answer("03", body if isinstance(body, dict) else {})
        if body["vnp_TmnCode"] != self.config.vnpay_tmn_code:
            return self._answer("02", body)
        if body["vnp_Command"] != "querydr" or body["vnp_Version"] != vnpay.VERSION:
            return self._answer("03", body)
        if not vnpay.querydr_request_ok(body, self.config.vnpay_hash_secret):
            return self._answer("97", body)
        with self.lock:
            duplicate = body["vnp_RequestId"] in self._request_ids
            self._request_ids.add(body["vnp_RequestId"])
            order = self.orders.get(body["vnp_TxnRef"])
            found = order and order.params["vnp_CreateDate"] == body["vnp_TransactionDate"]
            return self._answer("94" if duplicate else "00" if found else "91", body, order if found else None)

    def _answer(self, code: str, body: Mapping[str, Any], order: SandboxOrder | None = None) -> dict[str, str]:
        txn_ref = body.get("vnp_TxnRef")
        fields: dict[str, Any] = {
            "vnp_ResponseId": uuid.uuid4().hex, "vnp_Command": "querydr", "vnp_ResponseCode": code,
            "vnp_Message": QUERY_MESSAGES[code], "vnp_TmnCode": self.config.vnpay_tmn_code,
            "vnp_TxnRef": txn_ref if isinstance(txn_ref, str) else ""}
        if code == "00" and order is not None:
            done = order.result or {}
            fields |= {"vnp_Amount": order.params["vnp_Amount"], "vnp_OrderInfo": order.params["vnp_OrderInfo"],
                       "vnp_TransactionType": "01", "vnp_TransactionStatus": done.get("vnp_TransactionStatus", "01"),
                       **{k: done[k] for k in ("vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo") if k in done}}
        return vnpay.querydr_response(fields, self.config.vnpay_hash_secret)


def _html(html: str, status: int, form_action: str = "'self'") -> Response:
    resp = Response(html, status=status, mimetype="text/html")
    resp.headers["Content-Security-Policy"] = (
        f"default-src 'self'; base-uri 'none'; frame-ancestors 'none'; form-action {form_action}")
    return resp


def _error_page(code: str) -> Response:
    texts = ERRORS.get(code, ERRORS["03"])
    return _html(render_template_string(PAGE, base=request.script_root, error=code, texts=texts), 400)


def _pay_page(order: SandboxOrder) -> Response:
    amount = f"{vnpay.from_vnp_amount(order.params['vnp_Amount']):,}".replace(",", ".")
    html = render_template_string(PAGE, base=request.script_root, error=None, p=order.params, amount=amount)
    # Chromium applies form-action to the redirect that follows the form too: allow the return URL's origin.
    origin = re.match(r"https?://[^/?#]+", order.params["vnp_ReturnUrl"])
    return _html(html, 200, f"'self' {origin.group(0) if origin else ''}".strip())


def _security_headers(resp: Response) -> Response:
    resp.headers.setdefault("Content-Security-Policy", "default-src 'self'; frame-ancestors 'none'")
    resp.headers.setdefault("X-Content-Type-Options", "nosniff")
    resp.headers.setdefault("Referrer-Policy", "same-origin")
    resp.headers["Cache-Control"] = "no-store"
    return resp


def create_sandbox_app(config: Config, ipn_url: str, *, clock: Clock | None = None) -> Flask:
    """The sandbox gateway as a Flask app, to be mounted at /sandbox/vnpay."""
    app = Flask(__name__, static_folder=None)
    app.config.update(DEFAULTS)
    gateway = SandboxGateway(config, ipn_url, clock or SystemClock(), app.config)
    app.extensions["vnpay_sandbox"] = gateway

    @app.get("/paymentv2/vpcpay.html")
    def pay_page() -> Response:
        params = request.args.to_dict()
        code = gateway.check_pay(params) or gateway.open(params, request.args.get("sandbox_hold_ipn") == "1")
        if code:
            log.info("sandbox refused a payment URL: code %s", code)
            return _error_page(code)
        return _pay_page(gateway.orders[params["vnp_TxnRef"]])

    @app.post("/paymentv2/complete")
    def complete() -> Response:
        action = request.form.get("action", "")
        order = gateway.complete(request.form.get("txn_ref", ""), action) if action in OUTCOMES else None
        if order is None or order.result is None:
            return _error_page("03")
        return redirect(_with_query(order.params["vnp_ReturnUrl"], order.query), 303)  # type: ignore[return-value]

    @app.post("/merchant_webapi/api/transaction")
    def transaction() -> Response:
        return jsonify(gateway.querydr(request.get_json(silent=True)))

    @app.get("/sandbox.css")
    def css() -> Response:
        return Response(CSS, mimetype="text/css")

    app.after_request(_security_headers)
    return app
