"""Payment orders: createPayment, getPayment and "check again", over one gateway adapter.

The amount is computed here only: the procedure's fee, plus the postage when the result goes by post.
An application has at most one open order. It is held by `Application.open_payment`, set in the same
transaction that stores the order, so two phones pressing "Pay" at once cannot open two.

"Check again" asks the gateway about an order at most once every MOTCUA_PAYMENT_QUERY_INTERVAL_S (the first
caller wins a conditional write of `Payment.last_queried_at`; the others answer the order as stored), and
each user at most MOTCUA_PAYMENT_QUERIES_PER_HOUR times an hour, through the one rate limiter.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from functions.core import models, ratelimit, store
from functions.core.adapters.payments import PaymentGateway, PaymentRequest
from functions.core.applications import visible_application
from functions.core.config import Config
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import Conflict, NotFound, PaymentNotRequired
from functions.core.ratelimit import Hit, Rule
from functions.core.sessions import Principal
from functions.pay.settle import ORDER_TTL, PENDING, settle_from_gateway

LOCALES = {"vi": "vn", "en": "en"}
# Nobody pays for an application that was withdrawn or turned down.
CLOSED = frozenset({"withdrawn", "rejected"})


def amount_for(app: models.Application, config: Config) -> dict[str, int]:
    """What the citizen pays, in whole VND: the fee, plus postage for a result sent by post."""
    delivery = app.delivery or {}
    postage = 0
    if delivery.get("method") == "post":
        postage = config.postage_for((delivery.get("address") or {}).get("province_code"))
    fee = int(app.fee_vnd)
    return {"fee_vnd": fee, "postage_vnd": postage, "amount_vnd": fee + postage}


def payment_view(payment: models.Payment | None, app: models.Application, now: datetime) -> dict[str, Any]:
    """The payment state as the owner and the commune's officers see it, with the receipt once paid."""
    view: dict[str, Any] = {"code": app.application_id, "payment_state": app.payment_state}
    if payment is None:
        return {**view, "order": None}
    order = {"txn_ref": payment.txn_ref, "state": payment.state, "amount_vnd": int(payment.amount_vnd),
             "breakdown": payment.breakdown, "gateway": payment.gateway,
             "created_at": payment.created_at.astimezone(VIETNAM).isoformat(),
             "expires_at": payment.expires_at.astimezone(VIETNAM).isoformat() if payment.expires_at else None,
             "open": payment.state == PENDING and payment.expires_at is not None and now < payment.expires_at}
    if payment.state == "paid":
        order["receipt"] = {"amount_vnd": int(payment.amount_vnd), "transaction_no": payment.transaction_no,
                            "bank_code": payment.bank_code,
                            "paid_at": payment.paid_at.astimezone(VIETNAM).isoformat() if payment.paid_at else None}
    return {**view, "order": order}


def latest_payment(app: models.Application) -> models.Payment | None:
    """The application's newest order (the by_application index, newest first)."""
    for payment in models.Payment.by_application.query(app.application_id, scan_index_forward=False, limit=1):
        return models.Payment.get(payment.txn_ref, consistent_read=True)
    return None


class Orders:
    """createPayment, getPayment and checkPayment for one gateway."""

    def __init__(self, config: Config, gateway: PaymentGateway, limiter: ratelimit.Limiter | None = None) -> None:
        self.config, self.gateway = config, gateway
        self.limiter = limiter or ratelimit.for_config(config)
        self.queries = Rule("pay-query", "payment_queries", config.payment_queries_per_hour, ratelimit.HOURLY)

    def create(self, principal: Principal, raw_code: str, body: dict[str, Any], client_ip: str, now: datetime
               ) -> dict[str, Any]:
        """The open order of this application (a new one if none is open) and where to pay it."""
        lang = body.get("lang", "vi")  # vi or en: the request was checked against the API document
        app = visible_application(principal, raw_code)
        if app.owner_id != principal.user_id:
            raise NotFound()  # officers see payments; only the applicant pays
        if app.status in CLOSED:
            raise PaymentNotRequired(details={"status": app.status})
        current = self._current(app, now)
        if app.payment_state != "unpaid" or (current is not None and current.state == "paid"):
            raise PaymentNotRequired(details={"payment_state": app.payment_state})
        if current is None or current.state != PENDING:
            current = self._open(app, client_ip, now)
        return {**payment_view(current, app, now), "pay_url": self._url(current, app, lang)}

    def get(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """getPayment: the state and the receipt, for the owner and the commune's officers."""
        app = visible_application(principal, raw_code)
        return payment_view(latest_payment(app), app, now)

    def check(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """"Check again": ask the gateway about a pending order, unless someone did within the interval,
        and answer the order as stored afterwards."""
        app = visible_application(principal, raw_code)
        payment = latest_payment(app)
        if payment is not None and payment.state == PENDING and self._claim_query(principal, payment, now):
            payment = settle_from_gateway(self.gateway, payment, now)
            app = models.Application.get(app.application_id, consistent_read=True)
        return payment_view(payment, app, now)

    def _claim_query(self, principal: Principal, payment: models.Payment, now: datetime) -> bool:
        """Whether this call may ask the gateway: the order was not asked about within the interval (one
        concurrent caller wins the conditional write) and the caller's hourly budget allows it (else 429)."""
        since = now - timedelta(seconds=self.config.payment_query_interval_s)
        if payment.last_queried_at is not None and payment.last_queried_at > since:
            return False
        p = models.Payment
        free = p.last_queried_at.does_not_exist() | (p.last_queried_at <= since)
        try:
            payment.update(actions=[p.last_queried_at.set(now)], condition=(p.state == PENDING) & free,
                           add_version_condition=False)
        except UpdateError as exc:
            if exc.cause_response_code != "ConditionalCheckFailedException":
                raise
            payment.refresh(consistent_read=True)  # another call asked just now, or the order was settled
            return False
        # Only the winner spends: a double tap costs the caller one query, not two.
        self.limiter.spend([Hit(self.queries, principal.user_id)], now)
        return True

    def _current(self, app: models.Application, now: datetime) -> models.Payment | None:
        """The order that is still open, after settling an expired one with the gateway first (so an
        order paid at the last second is never followed by a second payment)."""
        payment = latest_payment(app)
        if payment is None or payment.state != PENDING or now < payment.expires_at:
            return payment
        payment = settle_from_gateway(self.gateway, payment, now)
        if payment.state == PENDING:  # the gateway still has the customer on its pages: do not open another
            raise Conflict(details={"reason": "payment_in_progress"})
        return payment

    def _open(self, app: models.Application, client_ip: str, now: datetime) -> models.Payment:
        parts = amount_for(app, self.config)
        payment = models.Payment(new_txn_ref(app, now), application_id=app.application_id,
                                 amount_vnd=parts["amount_vnd"], breakdown=parts, owner_id=app.owner_id,
                                 client_ip=client_ip or "127.0.0.1", created_at=now, expires_at=now + ORDER_TTL)
        # No other "Pay" opened an order meanwhile (the one read may have expired since), and still unpaid.
        change = store.Change(None, sets={"open_payment": payment.txn_ref}, locked=False,
                              expect={"open_payment": store.OneOf((None, app.open_payment)), "payment_state": "unpaid"},
                              with_items=[store.NewOrder(payment)])
        try:
            store.apply(app, change, now)
        except store.Refused as exc:
            raise Conflict() from exc  # another "Pay" opened an order first: the retry returns it
        return payment

    def _url(self, payment: models.Payment, app: models.Application, lang: str) -> str:
        request = PaymentRequest(
            txn_ref=payment.txn_ref, amount_vnd=int(payment.amount_vnd),
            order_info=f"Le phi ho so {app.application_id}", locale=LOCALES[lang],
            client_ip=payment.client_ip or "127.0.0.1", created_at=payment.created_at,
            expires_at=payment.expires_at, return_url=f"{self.config.app_origin}/payment/result")
        return self.gateway.payment_url(request)


def new_txn_ref(app: models.Application, now: datetime) -> str:
    """A unique order reference: the application code's random part, the time, and 4 random hex digits."""
    return f"{app.application_id.replace('-', '')}{now.astimezone(VIETNAM):%d%H%M%S}{secrets.token_hex(2)}".upper()
