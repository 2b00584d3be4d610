"""Paying in tests: the merchant settings, the gateway's signed callback, the IPN call, and paying an
application end to end (createPayment, then the gateway's IPN)."""

from __future__ import annotations

from typing import Any

from flask import Flask

from functions.core.domain import vnpay

SECRET = "PAYTESTSECRET0123456789ABCDEFGH"
TMN = "MOTCUA01"
FEE = 3000
POSTAGE = 25000


def callback(txn_ref: str, amount_vnd: int, code: str = "00", status: str = "00", secret: str = SECRET,
             **changes: str) -> dict[str, str]:
    """Parameters as VNPay signs them on the return URL and the IPN."""
    params = {"vnp_TmnCode": TMN, "vnp_Amount": vnpay.to_vnp_amount(amount_vnd), "vnp_BankCode": "NCB",
              "vnp_OrderInfo": "Le phi ho so", "vnp_PayDate": "20261122103000", "vnp_ResponseCode": code,
              "vnp_TransactionNo": "14226112", "vnp_TransactionStatus": status, "vnp_TxnRef": txn_ref,
              "vnp_CardType": "ATM"}
    params["vnp_SecureHash"] = vnpay.secure_hash(params, secret)
    params.update(changes)
    return params


def ipn(app: Flask, params: dict[str, str]) -> dict:
    """The gateway's server-to-server call; the answer's JSON."""
    resp = app.test_client().get("/vnpay/ipn", query_string=params)
    assert resp.status_code == 200
    return resp.json


def pay(pay_app: Flask, payer: Any, code: str) -> None:  # noqa: ANN401
    """The applicant (`payer`, a client of `pay_app`) pays application `code` through the gateway."""
    order = payer.post(f"/applications/{code}/payment", json={"lang": "vi"})
    assert order.status_code == 201, order.json
    ref, amount = order.json["order"]["txn_ref"], order.json["order"]["amount_vnd"]
    assert ipn(pay_app, callback(ref, amount))["RspCode"] == "00"
