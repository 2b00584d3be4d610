"""The gateway's two callbacks.

`vnpayIpn` (server to server) is the only proof of payment. Its checks run in the order VNPay's
specification gives, and each refusal answers before anything is written:
  97 bad checksum (nothing at all is recorded) -> 01 unknown order -> 04 amount differs ->
  02 order already confirmed -> 00 recorded (success or failure, with the application and its timeline).
`vnpayReturn` is where the citizen's browser lands: it checks the signature and says what happened, but
never changes an order; only the IPN or reconciliation does.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from botocore.exceptions import BotoCoreError
from pynamodb.exceptions import PynamoDBException

from functions.core import models
from functions.core.adapters.payments import PaymentGateway
from functions.core.errors import ValidationFailed
from functions.pay.settle import PENDING, settle

log = logging.getLogger("motcua.pay")
TXN_REF_MAX = 100


def reply(code: str, message: str) -> dict[str, str]:
    """The body VNPay expects from an IPN, exactly."""
    return {"RspCode": code, "Message": message}


def _order(txn_ref: str) -> models.Payment | None:
    if not txn_ref or len(txn_ref) > TXN_REF_MAX:
        return None
    try:
        return models.Payment.get(txn_ref, consistent_read=True)
    except models.Payment.DoesNotExist:
        return None


def ipn(gateway: PaymentGateway, params: dict[str, str], now: datetime) -> dict[str, str]:
    """Handle one IPN call; always a reply VNPay understands (99 when our database fails: it retries)."""
    result = gateway.verify_callback(params)
    if result is None:
        return reply("97", "Invalid Checksum")
    try:
        payment = _order(result.txn_ref)
        if payment is None:
            return reply("01", "Order not found")
        if int(payment.amount_vnd) != result.amount_vnd:
            return reply("04", "Invalid amount")
        if payment.state != PENDING or not settle(payment, result, now, "ipn"):
            return reply("02", "Order already confirmed")
    except (PynamoDBException, BotoCoreError) as exc:
        log.error("IPN not recorded, the gateway will retry: %s", type(exc).__name__)
        return reply("99", "Unknown error")
    return reply("00", "Confirm Success")


def returned(gateway: PaymentGateway, params: dict[str, str]) -> dict[str, Any]:
    """What the return page shows: paid, cancelled, failed, or checking (the IPN has not arrived yet)."""
    result = gateway.verify_callback(params)
    if result is None:
        raise ValidationFailed(details={"fields": {"vnp_SecureHash": "bad_signature"}})
    payment = _order(result.txn_ref)
    if payment is None or int(payment.amount_vnd) != result.amount_vnd:
        raise ValidationFailed(details={"fields": {"vnp_TxnRef": "unknown"}})
    if payment.state == "paid":
        outcome = "paid"
    elif result.cancelled:
        outcome = "cancelled"
    elif not result.paid:
        outcome = "failed"
    else:
        outcome = "checking"  # the gateway says paid; our record waits for its IPN (or reconciliation)
    return {"outcome": outcome, "code": payment.application_id, "txn_ref": payment.txn_ref,
            "amount_vnd": int(payment.amount_vnd), "order_state": payment.state,
            "response_code": result.response_code}
