"""Recording the gateway's word on an order: one transaction for the order, the application's payment
state and the timeline event (which the status function's outbox turns into a notification).

Only an order that is still pending is settled, so a repeated or late callback never changes a recorded
outcome: a failure arriving after a success does not downgrade it, and ten identical IPNs record one.
"""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from functions.core import models, store
from functions.core.adapters.payments import GatewayResult, PaymentGateway
from functions.core.applications import stored_receipt
from functions.core.domain import stats

PENDING = "pending"
ORDER_TTL = timedelta(minutes=15)
# querydr answers "01" while the customer is still on the gateway's pages, and for an order abandoned
# there; after its expiry (plus time for a bank's late answer) nobody can pay it any more.
STILL_OPEN = "01"
PENDING_GRACE = timedelta(minutes=5)


def _order_sets(result: GatewayResult, now: datetime, source: str) -> dict[str, Any]:
    """What the gateway's word sets on the order."""
    sets: dict[str, Any] = {"state": "paid" if result.paid else "failed", "settled_at": now, "settled_by": source,
                            "response_code": result.response_code}
    if result.transaction_no:
        sets["transaction_no"] = result.transaction_no
    if result.bank_code:
        sets["bank_code"] = result.bank_code
    if result.paid:
        sets["paid_at"] = result.paid_at or now
    return sets


def settle(payment: models.Payment, result: GatewayResult, now: datetime, source: str) -> bool:
    """Record paid or failed for a pending order; False when it was already settled (nothing written)."""
    app = models.Application.get(payment.application_id, consistent_read=True)
    kind = "payment_paid" if result.paid else "payment_failed"
    sets = {"payment_state": "paid", "payment_receipt": stored_receipt(payment, result, now)} if result.paid else {}
    # Unlocked: a payment lands whatever step an officer takes meanwhile; the order's pending state guards it.
    change = store.Change(kind, actor={"role": "gateway", "gateway": payment.gateway},
                          data={"action": kind, "txn_ref": payment.txn_ref, "amount_vnd": int(payment.amount_vnd),
                                "transaction_no": result.transaction_no, "response_code": result.response_code},
                          sets=sets, removes=("open_payment",), locked=False,
                          counts=stats.paid("online") if result.paid else {},
                          with_items=[store.SettleOrder(payment, _order_sets(result, now, source))])
    try:
        store.apply(app, change, now)
    except store.Refused:
        return False
    return True


def expire(payment: models.Payment, now: datetime) -> None:
    """Mark an open order that ran out, and free its application for a new one (unless it moved on)."""
    ran_out = {"state": "expired", "settled_at": now, "settled_by": "expiry"}
    app = models.Application.get(payment.application_id, consistent_read=True)
    if app.open_payment == payment.txn_ref:
        with contextlib.suppress(store.Refused):  # settled meanwhile: its outcome stands
            store.apply(app, store.Change(None, removes=("open_payment",), locked=False,
                                          with_items=[store.SettleOrder(payment, ran_out)]), now)
        return
    # The application holds another order or none: only this order changes (not an application write).
    p = models.Payment
    try:
        payment.update(actions=[getattr(p, k).set(v) for k, v in ran_out.items()], condition=p.state == PENDING,
                       add_version_condition=False)
    except UpdateError as exc:
        if exc.cause_response_code != "ConditionalCheckFailedException":
            raise


def settle_from_gateway(gateway: PaymentGateway, payment: models.Payment, now: datetime) -> models.Payment:
    """Ask the gateway about one order and record its answer; returns the order as stored afterwards."""
    result = gateway.query(payment.txn_ref, payment.created_at, payment.client_ip or "127.0.0.1", now)
    ran_out = payment.expires_at is not None and now >= payment.expires_at + PENDING_GRACE
    if result is None or result.transaction_status is None or (result.pending and ran_out):
        if payment.expires_at is not None and now >= payment.expires_at:
            expire(payment, now)  # the gateway never saw it, or it was never completed: free the application
        return models.Payment.get(payment.txn_ref, consistent_read=True)
    if result.transaction_status != STILL_OPEN and result.amount_vnd == int(payment.amount_vnd):
        settle(payment, result, now, "query")
    return models.Payment.get(payment.txn_ref, consistent_read=True)
