"""The payment gateway adapter: one interface, VNPay 2.1.0 behind it, and a fake that records calls.

The service only sees `PaymentGateway`, `PaymentRequest` and `GatewayResult`, so a second gateway (MoMo, say)
is one more class here. The protocol rules themselves live in `functions.core.domain.vnpay`.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from urllib.parse import quote

from functions.core.config import Config
from functions.core.domain import vnpay
from functions.core.errors import DependencyUnavailable

log = logging.getLogger("motcua.payments")
TIMEOUT_SECONDS = 15


@dataclass(frozen=True)
class PaymentRequest:
    """One order as the citizen's browser takes it to the gateway."""

    txn_ref: str
    amount_vnd: int
    order_info: str
    locale: str  # "vn" | "en"
    client_ip: str
    created_at: datetime
    expires_at: datetime
    return_url: str
    order_type: str = "other"


@dataclass(frozen=True)
class GatewayResult:
    """What the gateway says about one order, from a verified callback or a reconciliation query."""

    txn_ref: str
    amount_vnd: int
    response_code: str
    transaction_status: str | None
    transaction_no: str | None
    bank_code: str | None
    paid_at: datetime | None

    @property
    def paid(self) -> bool:
        """Paid: vnp_ResponseCode 00 and vnp_TransactionStatus 00 (or absent), as the spec's IPN sample checks."""
        return self.response_code == "00" and self.transaction_status in (None, "00")

    @property
    def cancelled(self) -> bool:
        """The citizen cancelled on the gateway's page (vnp_ResponseCode 24)."""
        return self.response_code == "24"

    @property
    def pending(self) -> bool:
        """querydr's vnp_TransactionStatus 01: the gateway has the order but it is not finished yet."""
        return self.transaction_status == "01"


class PaymentGateway(Protocol):
    """What the pay service needs from a payment gateway."""

    name: str

    def payment_url(self, request: PaymentRequest) -> str:
        """The signed URL the citizen's browser is sent to."""
        ...

    def verify_callback(self, params: Mapping[str, str]) -> GatewayResult | None:
        """The result a return/IPN callback carries, or None when unsigned, forged or malformed."""
        ...

    def query(self, txn_ref: str, created_at: datetime, client_ip: str, now: datetime) -> GatewayResult | None:
        """Ask the gateway (None: it does not know the order); DependencyUnavailable when it cannot answer."""
        ...


def _optional(params: Mapping[str, Any], key: str) -> str | None:
    value = params.get(key)
    return str(value) if value not in (None, "") else None


def _result(params: Mapping[str, Any], code_key: str) -> GatewayResult:
    """A GatewayResult from vnp_* fields; ValueError when the amount or the pay date is malformed."""
    pay_date = _optional(params, "vnp_PayDate")
    return GatewayResult(
        txn_ref=str(params["vnp_TxnRef"]), amount_vnd=vnpay.from_vnp_amount(str(params["vnp_Amount"])),
        response_code=str(params[code_key]), transaction_status=_optional(params, "vnp_TransactionStatus"),
        transaction_no=_optional(params, "vnp_TransactionNo"), bank_code=_optional(params, "vnp_BankCode"),
        paid_at=vnpay.parse_vnp_time(pay_date) if pay_date else None)


class VnpayGateway:
    """VNPay 2.1.0: payment URL, return/IPN verification and querydr, with the settings from config."""

    name = "vnpay"

    def __init__(self, config: Config, session: Any = None) -> None:
        if session is None:
            import requests

            session = requests
        self._config, self._session = config, session

    def payment_url(self, request: PaymentRequest) -> str:
        """The gateway's payment URL with the spec's parameters, signed (pay.html, "Tạo URL Thanh toán")."""
        self._require_secret()
        if request.locale not in ("vn", "en"):
            raise ValueError(f"vnp_Locale is vn or en, got {request.locale!r}")
        params = {
            "vnp_Version": vnpay.VERSION, "vnp_Command": "pay", "vnp_TmnCode": self._config.vnpay_tmn_code,
            "vnp_Amount": vnpay.to_vnp_amount(request.amount_vnd), "vnp_CurrCode": "VND",
            "vnp_TxnRef": request.txn_ref, "vnp_OrderInfo": vnpay.order_info(request.order_info),
            "vnp_OrderType": request.order_type, "vnp_Locale": request.locale,
            "vnp_ReturnUrl": request.return_url, "vnp_IpAddr": request.client_ip,
            "vnp_CreateDate": vnpay.vnp_time(request.created_at), "vnp_ExpireDate": vnpay.vnp_time(request.expires_at),
        }
        return f"{self._config.vnpay_pay_url}?{vnpay.signed_query(params, self._config.vnpay_hash_secret)}"

    def _require_secret(self) -> None:
        # Without the hash secret nothing can be signed or trusted: fail at use (503), not at import time,
        # so the function's other routes and its health check keep working while the setting is fixed.
        if not self._config.vnpay_hash_secret:
            log.warning("VNPAY_HASH_SECRET is not set")
            raise DependencyUnavailable(details={"service": "vnpay", "reason": "not_configured"})

    def verify_callback(self, params: Mapping[str, str]) -> GatewayResult | None:
        """The result of a return URL or IPN call, or None unless it is signed by our secret for our terminal."""
        if not vnpay.verify(params, self._config.vnpay_hash_secret):
            return None
        if params.get("vnp_TmnCode") != self._config.vnpay_tmn_code:
            return None
        try:
            return _result(params, "vnp_ResponseCode")
        except (KeyError, ValueError):
            return None

    def query(self, txn_ref: str, created_at: datetime, client_ip: str, now: datetime) -> GatewayResult | None:
        """querydr (querydr&refund.html): the order's status at the gateway, or None for code 91 (unknown)."""
        self._require_secret()
        body = vnpay.querydr_body(
            request_id=uuid.uuid4().hex, tmn_code=self._config.vnpay_tmn_code, txn_ref=txn_ref,
            order_info_text=f"Truy van giao dich {txn_ref}", transaction_date=created_at, create_date=now,
            ip_addr=client_ip, secret=self._config.vnpay_hash_secret)
        answer = self._post(body)
        return self._read_answer(answer, txn_ref)

    def _post(self, body: dict[str, str]) -> dict[str, Any]:
        import requests

        try:
            resp = self._session.post(self._config.vnpay_query_url, json=body, timeout=TIMEOUT_SECONDS)
            resp.raise_for_status()
            answer = resp.json()
        except (requests.RequestException, ValueError) as exc:
            log.warning("vnpay querydr failed: %s", type(exc).__name__)
            raise DependencyUnavailable(details={"service": "vnpay", "operation": "querydr"}) from exc
        if not isinstance(answer, dict):
            raise DependencyUnavailable(details={"service": "vnpay", "operation": "querydr"})
        return answer

    def _read_answer(self, answer: dict[str, Any], txn_ref: str) -> GatewayResult | None:
        code = str(answer.get("vnp_ResponseCode", ""))
        signed = vnpay.querydr_response_ok(answer, self._config.vnpay_hash_secret)
        # Error answers may come unsigned; a signed one must verify, and "00" must always be signed.
        if (code == "00" or "vnp_SecureHash" in answer) and not signed:
            log.warning("vnpay querydr answer has a bad checksum")
            raise DependencyUnavailable(details={"service": "vnpay", "reason": "checksum"})
        if code == "91":
            return None
        ours = answer.get("vnp_TxnRef") == txn_ref and answer.get("vnp_TmnCode") == self._config.vnpay_tmn_code
        if code != "00" or not ours:
            log.warning("vnpay querydr refused: code %s", code or "-")
            raise DependencyUnavailable(details={"service": "vnpay", "code": code})
        try:
            return _result(answer, "vnp_ResponseCode")
        except (KeyError, ValueError) as exc:
            raise DependencyUnavailable(details={"service": "vnpay", "reason": "malformed"}) from exc


@dataclass
class FakeGateway:
    """Records calls and returns scripted results: `query_results[txn_ref]`, `unreachable=True` for an outage.

    `callback_params(result)` issues callback parameters that `verify_callback` accepts back unchanged only.
    """

    name: str = "fake"
    base_url: str = "https://gateway.invalid/pay"
    query_results: dict[str, GatewayResult | None] = field(default_factory=dict)
    unreachable: bool = False
    requests: list[PaymentRequest] = field(default_factory=list)
    calls: list[tuple[str, str]] = field(default_factory=list)
    _issued: dict[str, tuple[dict[str, str], GatewayResult]] = field(default_factory=dict)

    def payment_url(self, request: PaymentRequest) -> str:
        """Record the request; a URL naming its txn_ref."""
        self.requests.append(request)
        self.calls.append(("payment_url", request.txn_ref))
        return f"{self.base_url}?txn_ref={quote(request.txn_ref)}"

    def callback_params(self, result: GatewayResult) -> dict[str, str]:
        """Parameters of a genuine callback carrying this result."""
        token = f"fake-{len(self._issued) + 1}"
        params = {"txn_ref": result.txn_ref, "amount": str(result.amount_vnd), "code": result.response_code,
                  "token": token}
        self._issued[token] = (dict(params), result)
        return params

    def verify_callback(self, params: Mapping[str, str]) -> GatewayResult | None:
        """The issued result when the parameters are exactly as issued, else None."""
        self.calls.append(("verify_callback", str(params.get("txn_ref", ""))))
        issued = self._issued.get(str(params.get("token", "")))
        return issued[1] if issued and dict(params) == issued[0] else None

    def query(self, txn_ref: str, created_at: datetime, client_ip: str, now: datetime) -> GatewayResult | None:
        """The scripted result (None when none is scripted), or DependencyUnavailable when unreachable."""
        self.calls.append(("query", txn_ref))
        if self.unreachable:
            raise DependencyUnavailable(details={"service": self.name})
        return self.query_results.get(txn_ref)


def for_config(config: Config) -> PaymentGateway:
    """The gateway a deployed or local function uses (VNPay, or the local sandbox that speaks its protocol)."""
    return VnpayGateway(config)
