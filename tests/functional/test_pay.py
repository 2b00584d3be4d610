"""The pay function: orders computed on the server, VNPay's IPN checks in the spec's order (97, 01, 04, 02,
00), the return page that never changes anything, and reconciliation through querydr."""

from __future__ import annotations

import threading
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from pay_helpers import FEE, POSTAGE, SECRET, callback, ipn
from submit_helpers import as_user, submission, submit, uploaded_page

from functions.core import models
from functions.core.adapters.payments import FakeGateway, GatewayResult
from functions.core.domain import vnpay
from functions.pay.reconcile import reconcile_pending


@pytest.fixture
def order(mine, filed) -> dict:  # noqa: ANN001
    resp = mine.post(f"/applications/{filed}/payment", json={"lang": "vi"})
    assert resp.status_code == 201, resp.json
    return resp.json


def recorded(code: str) -> tuple[str, str, list[str]]:
    app = models.Application.get(code, consistent_read=True)
    payments = [p.state for p in models.Payment.by_application.query(code)]
    kinds = [e.kind for e in models.Event.query(code) if e.kind.startswith("payment")]
    return app.payment_state, ",".join(payments), kinds


def test_an_order_is_computed_on_the_server_and_signed_for_the_gateway(order, filed, pay_config):
    assert order["order"]["amount_vnd"] == FEE and order["order"]["breakdown"]["postage_vnd"] == 0
    assert order["order"]["state"] == "pending" and order["order"]["open"] is True
    query = {k: v[0] for k, v in parse_qs(urlsplit(order["pay_url"]).query).items()}
    assert urlsplit(order["pay_url"]).path == "/sandbox/vnpay/paymentv2/vpcpay.html"
    assert query["vnp_Amount"] == "300000" and query["vnp_TxnRef"] == order["order"]["txn_ref"]
    assert query["vnp_Version"] == "2.1.0" and query["vnp_Command"] == "pay" and query["vnp_CurrCode"] == "VND"
    assert query["vnp_ReturnUrl"].endswith("/payment/result") and query["vnp_Locale"] == "vn"
    assert vnpay.verify(query, SECRET)
    created, expires = query["vnp_CreateDate"], query["vnp_ExpireDate"]
    assert vnpay.parse_vnp_time(expires) - vnpay.parse_vnp_time(created) == timedelta(minutes=15)


def test_asking_again_returns_the_open_order_not_a_second_one(mine, order, filed):
    again = mine.post(f"/applications/{filed}/payment", json={"lang": "en"})
    assert again.status_code == 201 and again.json["order"]["txn_ref"] == order["order"]["txn_ref"]
    assert "vnp_Locale=en" in again.json["pay_url"]
    assert len(list(models.Payment.by_application.query(filed))) == 1


def test_postage_is_added_when_the_result_goes_by_post(pay_app, citizen):
    post = {"method": "post", "address": {"province_code": "33", "commune_code": "13075", "street": "Thôn Đông 12"}}
    code = submit(citizen, submission([uploaded_page(citizen)], delivery=post)).json["application"]["code"]
    made = as_user(pay_app, citizen).post(f"/applications/{code}/payment", json={})
    assert made.json["order"]["breakdown"] == {"fee_vnd": FEE, "postage_vnd": POSTAGE, "amount_vnd": FEE + POSTAGE}


def test_nothing_to_pay_for_an_exempt_application(pay_app, citizen):
    body = submission([uploaded_page(citizen)])
    body["answers"]["fee_exemption"] = "poor_household"
    body["documents"]["fee_exemption_proof"] = [uploaded_page(citizen, slot="fee_exemption_proof")]
    code = submit(citizen, body).json["application"]["code"]
    resp = as_user(pay_app, citizen).post(f"/applications/{code}/payment", json={})
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "payment_not_required")


def test_only_the_applicant_pays_and_only_they_and_the_communes_officers_see_it(
        pay_app, filed, order, other_citizen, officer, far_officer):
    stranger = as_user(pay_app, other_citizen)
    assert stranger.post(f"/applications/{filed}/payment", json={}).status_code == 404
    assert stranger.get(f"/applications/{filed}/payment").status_code == 404
    desk = as_user(pay_app, officer)
    assert desk.post(f"/applications/{filed}/payment", json={}).status_code == 404
    assert desk.get(f"/applications/{filed}/payment").json["order"]["txn_ref"] == order["order"]["txn_ref"]
    assert as_user(pay_app, far_officer).get(f"/applications/{filed}/payment").status_code == 404


@pytest.mark.parametrize(("body", "field"), [({"lang": "fr"}, "lang"), ({"lang": ["vi"]}, "lang"),
                                              ({"amount_vnd": 1}, "amount_vnd")])
def test_a_bad_order_request_is_a_400_and_the_client_never_sets_the_amount(mine, filed, body, field):
    resp = mine.post(f"/applications/{filed}/payment", json=body)
    assert resp.status_code == 400 and field in resp.json["error"]["details"]["fields"]
    assert list(models.Payment.by_application.query(filed)) == []


def test_a_forged_ipn_is_97_and_records_nothing_so_the_real_one_still_counts(pay_app, order, filed):
    ref = order["order"]["txn_ref"]
    forged = callback(ref, FEE, secret="SOMEONE-ELSES-SECRET-000000000000")
    assert ipn(pay_app, forged) == {"RspCode": "97", "Message": "Invalid Checksum"}
    assert ipn(pay_app, {k: v for k, v in callback(ref, FEE).items() if k != "vnp_SecureHash"})["RspCode"] == "97"
    assert recorded(filed) == ("unpaid", "pending", [])
    assert ipn(pay_app, callback(ref, FEE)) == {"RspCode": "00", "Message": "Confirm Success"}
    assert recorded(filed) == ("paid", "paid", ["payment_paid"])


def test_an_unknown_order_is_01_and_a_tampered_amount_is_04(pay_app, order, filed):
    assert ipn(pay_app, callback("NOSUCHORDER1", FEE))["RspCode"] == "01"
    assert ipn(pay_app, callback(order["order"]["txn_ref"], FEE // 100))["RspCode"] == "04"
    assert ipn(pay_app, callback(order["order"]["txn_ref"], FEE * 100))["RspCode"] == "04"
    assert recorded(filed) == ("unpaid", "pending", [])


def test_a_paid_ipn_records_the_receipt_and_a_repeat_or_a_late_failure_is_02(pay_app, mine, order, filed):
    ref = order["order"]["txn_ref"]
    assert ipn(pay_app, callback(ref, FEE))["RspCode"] == "00"
    assert ipn(pay_app, callback(ref, FEE))["RspCode"] == "02"
    assert ipn(pay_app, callback(ref, FEE, code="51", status="02"))["RspCode"] == "02"
    assert recorded(filed) == ("paid", "paid", ["payment_paid"])
    seen = mine.get(f"/applications/{filed}/payment").json
    assert seen["payment_state"] == "paid"
    assert seen["order"]["receipt"]["transaction_no"] == "14226112"
    assert seen["order"]["receipt"]["amount_vnd"] == FEE and seen["order"]["receipt"]["paid_at"]
    again = mine.post(f"/applications/{filed}/payment", json={})
    assert (again.status_code, again.json["error"]["code"]) == (409, "payment_not_required")


def test_a_failed_payment_is_recorded_and_a_new_order_may_follow(pay_app, mine, order, filed):
    ref = order["order"]["txn_ref"]
    assert ipn(pay_app, callback(ref, FEE, code="51", status="02"))["RspCode"] == "00"
    assert recorded(filed) == ("unpaid", "failed", ["payment_failed"])
    assert ipn(pay_app, callback(ref, FEE))["RspCode"] == "02"  # never upgraded afterwards either
    retry = mine.post(f"/applications/{filed}/payment", json={})
    assert retry.status_code == 201 and retry.json["order"]["txn_ref"] != ref


def test_ten_identical_ipns_at_once_record_one_payment(pay_app, order, filed):
    params = callback(order["order"]["txn_ref"], FEE)
    answers: list[str] = []
    start = threading.Barrier(10)

    def send() -> None:
        start.wait()
        answers.append(ipn(pay_app, params)["RspCode"])

    threads = [threading.Thread(target=send) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == ["00"] + ["02"] * 9
    assert recorded(filed) == ("paid", "paid", ["payment_paid"])


def test_the_return_page_says_what_happened_but_changes_nothing(pay_app, order, filed):
    ref, client = order["order"]["txn_ref"], pay_app.test_client()
    early = client.get("/vnpay/return", query_string=callback(ref, FEE)).json
    assert (early["outcome"], early["order_state"], early["code"]) == ("checking", "pending", filed)
    cancelled = client.get("/vnpay/return", query_string=callback(ref, FEE, code="24", status="02")).json
    assert cancelled["outcome"] == "cancelled"
    assert client.get("/vnpay/return", query_string=callback(ref, FEE, code="51", status="02")).json["outcome"] \
        == "failed"
    tampered = client.get("/vnpay/return", query_string=callback(ref, FEE, vnp_Amount="100"))
    assert (tampered.status_code, tampered.json["error"]["code"]) == (400, "validation_failed")
    assert recorded(filed) == ("unpaid", "pending", [])
    ipn(pay_app, callback(ref, FEE))
    assert client.get("/vnpay/return", query_string=callback(ref, FEE)).json["outcome"] == "paid"


def paid_result(ref: str, amount: int = FEE) -> GatewayResult:
    return GatewayResult(txn_ref=ref, amount_vnd=amount, response_code="00", transaction_status="00",
                         transaction_no="99887766", bank_code="NCB", paid_at=None)


def test_reconciliation_settles_an_order_whose_ipn_never_came(order, filed, clock):
    gateway = FakeGateway(query_results={order["order"]["txn_ref"]: paid_result(order["order"]["txn_ref"])})
    assert reconcile_pending(gateway, clock.current) == {}  # younger than 15 minutes: left alone
    clock.advance(minutes=16)
    assert reconcile_pending(gateway, clock.current) == {"paid": 1}
    assert recorded(filed) == ("paid", "paid", ["payment_paid"])
    assert models.Payment.get(order["order"]["txn_ref"]).settled_by == "query"


def test_reconciliation_expires_an_order_nobody_paid_and_frees_the_application(mine, order, filed, clock):
    ref = order["order"]["txn_ref"]
    abandoned = GatewayResult(txn_ref=ref, amount_vnd=FEE, response_code="00", transaction_status="01",
                              transaction_no=None, bank_code=None, paid_at=None)
    clock.advance(minutes=16)
    assert reconcile_pending(FakeGateway(query_results={ref: abandoned}), clock.current) == {"pending": 1}
    clock.advance(minutes=5)
    assert reconcile_pending(FakeGateway(query_results={ref: abandoned}), clock.current) == {"expired": 1}
    assert models.Application.get(filed).open_payment is None


def test_an_expired_order_is_replaced_and_its_late_ipn_changes_nothing(pay_config, clock, mine, order, filed,
                                                                        citizen):
    from functions.pay.app import create_app

    ref = order["order"]["txn_ref"]
    clock.advance(minutes=16)
    later = as_user(create_app(pay_config, clock=clock, gateway=FakeGateway()), citizen)
    fresh = later.post(f"/applications/{filed}/payment", json={})
    assert fresh.status_code == 201 and fresh.json["order"]["txn_ref"] != ref
    assert models.Payment.get(ref).state == "expired"
    app = create_app(pay_config, clock=clock)
    assert ipn(app, callback(ref, FEE))["RspCode"] == "02"
    assert models.Application.get(filed).payment_state == "unpaid"


def test_check_again_asks_the_gateway_at_once(pay_config, clock, citizen, order, filed):
    from functions.pay.app import create_app

    ref = order["order"]["txn_ref"]
    gateway = FakeGateway(query_results={ref: paid_result(ref)})
    checked = as_user(create_app(pay_config, clock=clock, gateway=gateway), citizen).post(
        f"/applications/{filed}/payment/check", json={})
    assert checked.status_code == 200 and checked.json["payment_state"] == "paid"
    assert ("query", ref) in gateway.calls


def test_an_unreachable_gateway_leaves_the_order_pending(order, filed, clock):
    clock.advance(minutes=16)
    assert reconcile_pending(FakeGateway(unreachable=True), clock.current) == {"pending": 1}
    assert recorded(filed) == ("unpaid", "pending", [])



def test_a_paid_application_shows_its_receipt_in_get_application(pay_app, order, filed, status_app, citizen):
    ref = order["order"]["txn_ref"]
    status = as_user(status_app, citizen)
    assert status.get(f"/applications/{filed}").json["payment"] is None
    ipn(pay_app, callback(ref, FEE))
    receipt = status.get(f"/applications/{filed}").json["payment"]
    assert (receipt["amount_vnd"], receipt["transaction_no"], receipt["bank_code"]) == (FEE, "14226112", "NCB")
    assert receipt["paid_at"].endswith("+07:00")


def test_nobody_pays_for_a_withdrawn_application(pay_app, mine, filed, status_app, citizen):
    as_user(status_app, citizen).post(f"/applications/{filed}/actions", json={"action": "withdraw"})
    resp = mine.post(f"/applications/{filed}/payment", json={})
    assert (resp.status_code, resp.json["error"]["code"]) == (409, "payment_not_required")
    assert list(models.Payment.by_application.query(filed)) == []


def test_a_recorded_payment_is_announced_through_the_status_outbox(pay_app, pay_config, order, filed, citizen,
                                                                    clock):
    from functions.core.adapters.push import FakePushSender
    from functions.core.adapters.sms import FakeSms
    from functions.status.notify import Dispatcher
    from functions.status.push_api import endpoint_hash

    endpoint = "https://push.example.invalid/send/phone-1"
    models.PushSubscription(citizen.user_id, endpoint_hash(endpoint), lang="vi", created_at=clock.current,
                            subscription={"endpoint": endpoint, "keys": {"p256dh": "x", "auth": "y"}}).save()
    ipn(pay_app, callback(order["order"]["txn_ref"], FEE))
    push, sms = FakePushSender(), FakeSms()
    Dispatcher(pay_config, push, sms).dispatch_pending(clock.current)
    (sent,) = [s for s in push.sent if b"payment_paid" in s["payload"]]
    assert sent["subscription"]["endpoint"] == endpoint and sms.sent == []
