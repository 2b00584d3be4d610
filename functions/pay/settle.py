"""Recording the gateway's word on an order: one transaction for the order, the application's payment
state and the timeline event (which the status function's outbox turns into a notification).

Only an order that is still pending is settled, so a repeated or late callback never changes a recorded
outcome: a failure arriving after a success does not downgrade it, and ten identical IPNs record one.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import TransactWriteError

from functions.core import models
from functions.core.adapters.payments import GatewayResult, PaymentGateway
from functions.core.applications import event_id

PENDING = "pending"
ORDER_TTL = timedelta(minutes=15)
# querydr answers "01" while the customer is still on the gateway's pages, and for an order abandoned
# there; after its expiry (plus time for a bank's late answer) nobody can pay it any more.
STILL_OPEN = "01"
PENDING_GRACE = timedelta(minutes=5)


def _order_actions(payment: models.Payment, result: GatewayResult, now: datetime, source: str) -> list[Any]:
    p = models.Payment
    actions = [p.state.set("paid" if result.paid else "failed"), p.settled_at.set(now), p.settled_by.set(source),
               p.response_code.set(result.response_code)]
    if result.transaction_no:
        actions.append(p.transaction_no.set(result.transaction_no))
    if result.bank_code:
        actions.append(p.bank_code.set(result.bank_code))
    if result.paid:
        actions.append(p.paid_at.set(result.paid_at or now))
    return actions


def settle(payment: models.Payment, result: GatewayResult, now: datetime, source: str) -> bool:
    """Record paid or failed for a pending order; False when it was already settled (nothing written)."""
    app = models.Application.get(payment.application_id, consistent_read=True)
    a = models.Application
    kind = "payment_paid" if result.paid else "payment_failed"
    app_actions = [a.open_payment.remove()] + ([a.payment_state.set("paid")] if result.paid else [])
    event = models.Event(app.application_id, event_id(int(app.version) + 1, now, kind), user_id=app.owner_id,
                         kind=kind, actor={"role": "gateway", "gateway": payment.gateway},
                         data={"action": kind, "txn_ref": payment.txn_ref, "amount_vnd": int(payment.amount_vnd),
                               "transaction_no": result.transaction_no, "response_code": result.response_code},
                         created_at=now)
    try:
        with models.transaction() as tx:
            tx.update(payment, actions=_order_actions(payment, result, now, source),
                      condition=models.Payment.state == PENDING, add_version_condition=False)
            tx.update(app, actions=app_actions, add_version_condition=False)
            tx.save(event, condition=models.Event.event_id.does_not_exist())
    except TransactWriteError as exc:
        if not models.conditions_failed(exc):
            raise
        return False
    return True


def expire(payment: models.Payment, now: datetime) -> None:
    """Mark an open order that ran out, and free its application for a new one (unless it moved on)."""
    p, a = models.Payment, models.Application
    app = models.Application.get(payment.application_id, consistent_read=True)
    try:
        with models.transaction() as tx:
            tx.update(payment, actions=[p.state.set("expired"), p.settled_at.set(now), p.settled_by.set("expiry")],
                      condition=p.state == PENDING, add_version_condition=False)
            if app.open_payment == payment.txn_ref:
                tx.update(app, actions=[a.open_payment.remove()], add_version_condition=False)
    except TransactWriteError as exc:
        if not models.conditions_failed(exc):
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
