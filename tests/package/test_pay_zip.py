"""The packaged pay function: VNPay's IPN through Zappa's handler in the built zip, against the emulator."""

from __future__ import annotations

import uuid
from datetime import timedelta

from test_lambda_zip import body, event, invoke

from functions.core import config as config_mod
from functions.core import models
from functions.core.domain import vnpay

SECRET = "PKGSECRET0123456789ABCDEFGHIJKLMN"


def ipn_event(params: dict[str, str]) -> dict:
    ev = event("GET", "/api/pay/vnpay/ipn")
    ev["queryStringParameters"] = params
    ev["multiValueQueryStringParameters"] = {k: [v] for k, v in params.items()}
    return ev


def test_ipn_through_the_packaged_pay_handler(unzipped, lambda_runtime, package_env):
    from functions.core.adapters.clock import SystemClock

    env = {**package_env, "VNPAY_HASH_SECRET": SECRET, "VNPAY_TMN_CODE": "MOTCUA01"}
    models.bind(config_mod.load({**env, "MOTCUA_STAGE": "dev"}))
    now = SystemClock().now()
    code, ref = f"HN-2611-{uuid.uuid4().hex[:6].upper()}", uuid.uuid4().hex[:12].upper()
    models.Application(code, owner_id="citizen-pkg", procedure_id="marital-status-certificate",
                       commune_code="13075", status="submitted", commune_status="13075#submitted", fee_vnd=3000,
                       payment_state="unpaid", open_payment=ref, created_at=now, due_at=now + timedelta(days=5)).save()
    models.Payment(ref, application_id=code, amount_vnd=3000, owner_id="citizen-pkg", created_at=now,
                   expires_at=now + timedelta(minutes=15)).save()
    params = {"vnp_TmnCode": "MOTCUA01", "vnp_Amount": "300000", "vnp_ResponseCode": "00",
              "vnp_TransactionStatus": "00", "vnp_TransactionNo": "14999999", "vnp_TxnRef": ref,
              "vnp_BankCode": "NCB", "vnp_PayDate": "20261122103000", "vnp_OrderInfo": "Le phi"}
    signed = {**params, "vnp_SecureHash": vnpay.secure_hash(params, SECRET)}
    forged = {**params, "vnp_SecureHash": vnpay.secure_hash(params, "NOT-THE-SECRET-000000000000000000")}

    refused, first, again = invoke(unzipped("pay"), lambda_runtime, env, ipn_event(forged), ipn_event(signed),
                                   ipn_event(signed))
    assert body(refused) == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert body(first) == {"RspCode": "00", "Message": "Confirm Success"}, first["response"]["body"]
    assert body(again)["RspCode"] == "02"
    assert models.Application.get(code).payment_state == "paid"
    assert models.Payment.get(ref).transaction_no == "14999999"
