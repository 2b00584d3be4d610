"""VNPay 2.1.0 protocol rules, checked against values worked out by hand from the published specification.

Spec: https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html (payment URL, IPN, return URL) and
https://sandbox.vnpayment.vn/apis/docs/truy-van-hoan-tien/querydr&refund.html (querydr).
"""

from __future__ import annotations

import hashlib
import hmac
import json as jsonlib
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests

from functions.core import config as config_mod
from functions.core.adapters.payments import FakeGateway, GatewayResult, PaymentRequest, VnpayGateway
from functions.core.domain import vnpay
from functions.core.errors import DependencyUnavailable

SECRET = "TESTSECRET0123456789ABCDEFGHIJKL"
CREATED = datetime(2026, 11, 22, 3, 0, tzinfo=UTC)  # 10:00 in Vietnam (GMT+7)
PARAMS = {
    "vnp_Version": "2.1.0", "vnp_Command": "pay", "vnp_TmnCode": "MOTCUA01", "vnp_Amount": "300000",
    "vnp_CurrCode": "VND", "vnp_TxnRef": "HN26117K3QF9-1",
    "vnp_OrderInfo": "Le phi cap Giay xac nhan tinh trang hon nhan HN-2611-7K3QF9", "vnp_OrderType": "other",
    "vnp_Locale": "vn", "vnp_ReturnUrl": "https://motcua.example.vn/thanh-toan/ket-qua",
    "vnp_IpAddr": "203.0.113.7", "vnp_CreateDate": "20261122100000", "vnp_ExpireDate": "20261122101500",
}
# Worked out by hand from the rules: names sorted in byte order (CreateDate < CurrCode since 'r' < 'u';
# OrderInfo < OrderType; TmnCode < TxnRef), each value through quote_plus (space -> '+', ':' -> %3A,
# '/' -> %2F; letters, digits and '-', '.', '_' stay), joined by '&'.
SIGNED_STRING = (
    "vnp_Amount=300000&vnp_Command=pay&vnp_CreateDate=20261122100000&vnp_CurrCode=VND"
    "&vnp_ExpireDate=20261122101500&vnp_IpAddr=203.0.113.7&vnp_Locale=vn"
    "&vnp_OrderInfo=Le+phi+cap+Giay+xac+nhan+tinh+trang+hon+nhan+HN-2611-7K3QF9&vnp_OrderType=other"
    "&vnp_ReturnUrl=https%3A%2F%2Fmotcua.example.vn%2Fthanh-toan%2Fket-qua&vnp_TmnCode=MOTCUA01"
    "&vnp_TxnRef=HN26117K3QF9-1&vnp_Version=2.1.0"
)
# HMAC-SHA512 of SIGNED_STRING under SECRET, computed outside Python with
#   printf '%s' "$SIGNED_STRING" | openssl dgst -sha512 -hmac "$SECRET"
# and re-derived below with hashlib, so the vector does not depend on the code under test.
EXPECTED_HASH = ("fbbd97ee9aabec9619c3f0f62dda0042c2c73e192339cb475296f756072360459275f9c0c9bf119fb8dc0e3d9122"
                 "9b1b306ec81e82d7062a176d277b5bd1d2e3")
# querydr: vnp_RequestId|vnp_Version|vnp_Command|vnp_TmnCode|vnp_TxnRef|vnp_TransactionDate|vnp_CreateDate|
# vnp_IpAddr|vnp_OrderInfo, the spec's order; HMAC computed with openssl the same way.
QUERYDR_STRING = ("R1|2.1.0|querydr|MOTCUA01|HN26117K3QF9-1|20261122100000|20261122103000|203.0.113.7"
                  "|Truy van giao dich HN26117K3QF9-1")
QUERYDR_HASH = ("fb4a77af1c7226736af02327457a15ea1be2e03f9ee564cde30fee5b7e02b7bd4952d62d7b028b94b62f0261fea7"
                "28b06846931abe5bb1a9e461d9f5767ccc66")


def _config() -> config_mod.Config:
    return config_mod.load({"MOTCUA_STAGE": "test", "VNPAY_HASH_SECRET": SECRET, "VNPAY_TMN_CODE": "MOTCUA01",
                            "VNPAY_PAYMENT_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
                            "VNPAY_API_URL": "https://gateway.test/merchant_webapi/api/transaction"})


def _callback(**changes: str) -> dict[str, str]:
    fields = {"vnp_Amount": "300000", "vnp_BankCode": "NCB", "vnp_BankTranNo": "VNP14422574", "vnp_CardType": "ATM",
              "vnp_OrderInfo": PARAMS["vnp_OrderInfo"], "vnp_PayDate": "20261122100512", "vnp_ResponseCode": "00",
              "vnp_TmnCode": "MOTCUA01", "vnp_TransactionNo": "14422574", "vnp_TransactionStatus": "00",
              "vnp_TxnRef": "HN26117K3QF9-1"} | changes
    return dict(parse_qsl(vnpay.signed_query(fields, SECRET)))


# --- signatures ---------------------------------------------------------------------------------------------

def test_the_signed_string_is_the_sorted_quote_plus_encoded_parameters() -> None:
    assert vnpay.hash_data(PARAMS) == SIGNED_STRING


def test_the_signature_is_hmac_sha512_of_that_string_under_the_secret() -> None:
    assert hmac.new(SECRET.encode(), SIGNED_STRING.encode(), hashlib.sha512).hexdigest() == EXPECTED_HASH
    assert vnpay.secure_hash(PARAMS, SECRET) == EXPECTED_HASH


def test_the_query_sent_is_the_signed_string_then_its_hash() -> None:
    assert vnpay.signed_query(PARAMS, SECRET) == f"{SIGNED_STRING}&vnp_SecureHash={EXPECTED_HASH}"


def test_the_encoding_matches_the_example_url_published_in_the_spec() -> None:
    # The example payment URL on pay.html / huong-dan-tich-hop: its query before vnp_SecureHash.
    published = ("vnp_Amount=1806000&vnp_Command=pay&vnp_CreateDate=20210801153333&vnp_CurrCode=VND"
                 "&vnp_IpAddr=127.0.0.1&vnp_Locale=vn&vnp_OrderInfo=Thanh+toan+don+hang+%3A5&vnp_OrderType=other"
                 "&vnp_ReturnUrl=https%3A%2F%2Fdomainmerchant.vn%2FReturnUrl&vnp_TmnCode=DEMOV210&vnp_TxnRef=5"
                 "&vnp_Version=2.1.0")
    assert vnpay.hash_data(dict(parse_qsl(published))) == published


def test_the_payment_url_carries_exactly_the_hand_worked_parameters_and_hash() -> None:
    request = PaymentRequest(
        txn_ref="HN26117K3QF9-1", amount_vnd=3_000,
        order_info="Lệ phí cấp Giấy xác nhận tình trạng hôn nhân HN-2611-7K3QF9", locale="vn",
        client_ip="203.0.113.7", created_at=CREATED, expires_at=CREATED + timedelta(minutes=15),
        return_url="https://motcua.example.vn/thanh-toan/ket-qua")
    url = VnpayGateway(_config()).payment_url(request)
    assert url == f"https://sandbox.vnpayment.vn/paymentv2/vpcpay.html?{SIGNED_STRING}&vnp_SecureHash={EXPECTED_HASH}"


def test_verify_accepts_genuine_parameters_in_either_hex_case() -> None:
    params = dict(parse_qsl(vnpay.signed_query(PARAMS, SECRET)))
    assert vnpay.verify(params, SECRET)
    assert vnpay.verify(params | {"vnp_SecureHash": params["vnp_SecureHash"].upper()}, SECRET)


def test_verify_leaves_out_the_hash_type_and_parameters_that_are_not_vnp() -> None:
    params = dict(parse_qsl(vnpay.signed_query(PARAMS, SECRET)))
    assert vnpay.verify(params | {"vnp_SecureHashType": "HmacSHA512", "utm_source": "x"}, SECRET)


@pytest.mark.parametrize("tamper", [
    {"vnp_Amount": "30000000"},  # the amount a forger would like
    {"vnp_ResponseCode": "00", "vnp_Amount": "300"},
    {"vnp_TxnRef": "HN26117K3QF9-2"},
    {"vnp_Extra": "1"},
])
def test_verify_refuses_tampered_parameters(tamper: dict[str, str]) -> None:
    assert not vnpay.verify(_callback() | tamper, SECRET)


def test_verify_refuses_a_missing_or_malformed_hash_and_another_secret() -> None:
    params = _callback()
    assert not vnpay.verify({k: v for k, v in params.items() if k != "vnp_SecureHash"}, SECRET)
    assert not vnpay.verify(params | {"vnp_SecureHash": params["vnp_SecureHash"][:64]}, SECRET)
    assert not vnpay.verify(params | {"vnp_SecureHash": ""}, SECRET)
    assert not vnpay.verify(params, "ANOTHERSECRET")
    assert not vnpay.verify(params, "")


def test_an_empty_value_verifies_whether_the_gateway_signed_it_or_dropped_it() -> None:
    fields = dict(PARAMS, vnp_BankCode="")
    kept = fields | {"vnp_SecureHash": vnpay.secure_hash(fields, SECRET)}  # PHP/Python samples: "vnp_BankCode="
    dropped = fields | {"vnp_SecureHash": vnpay.secure_hash(PARAMS, SECRET)}  # Java sample: left out
    assert vnpay.verify(kept, SECRET) and vnpay.verify(dropped, SECRET)


def test_signed_query_refuses_parameters_it_would_not_sign() -> None:
    with pytest.raises(ValueError):
        vnpay.signed_query(PARAMS | {"return": "x"}, SECRET)
    with pytest.raises(ValueError):
        vnpay.signed_query(PARAMS | {"vnp_SecureHash": "x"}, SECRET)


# --- amounts, dates, order info -----------------------------------------------------------------------------

def test_amounts_are_multiplied_by_100_once_each_way() -> None:
    assert vnpay.to_vnp_amount(3_000) == "300000"
    assert vnpay.to_vnp_amount(28_000) == "2800000"
    assert vnpay.from_vnp_amount("300000") == 3_000
    assert vnpay.from_vnp_amount(vnpay.to_vnp_amount(3_000)) == 3_000


@pytest.mark.parametrize("raw", ["3000.00", "-300000", "300050", "", "abc", " 300000", "1e5", "+300000",
                                 "1000000000000"])
def test_a_gateway_amount_that_is_not_whole_vnd_times_100_is_refused(raw: str) -> None:
    with pytest.raises(ValueError):
        vnpay.from_vnp_amount(raw)


@pytest.mark.parametrize("vnd", [0, -3000, 1.5, True, "3000", 10**11])
def test_only_positive_whole_vnd_amounts_are_sent(vnd: Any) -> None:
    with pytest.raises(ValueError):
        vnpay.to_vnp_amount(vnd)


def test_dates_are_written_in_gmt_plus_7() -> None:
    assert vnpay.vnp_time(CREATED) == "20261122100000"
    assert vnpay.vnp_time(datetime(2026, 12, 31, 17, 30, tzinfo=UTC)) == "20270101003000"
    assert vnpay.parse_vnp_time("20270101003000") == datetime(2026, 12, 31, 17, 30, tzinfo=UTC)
    with pytest.raises(ValueError):
        vnpay.vnp_time(datetime(2026, 11, 22, 10, 0))
    with pytest.raises(ValueError):
        vnpay.parse_vnp_time("2026-11-22 10:00")


def test_order_info_loses_its_diacritics_and_special_characters() -> None:
    assert (vnpay.order_info("Lệ phí cấp Giấy xác nhận tình trạng hôn nhân HN-2611-7K3QF9")
            == "Le phi cap Giay xac nhan tinh trang hon nhan HN-2611-7K3QF9")
    assert vnpay.order_info("Đăng ký khai sinh — Đồng Tháp") == "Dang ky khai sinh Dong Thap"
    assert vnpay.order_info("Phí <b>#1</b> & 'x'\n\"y\"") == "Phi b 1 /b x y"
    assert len(vnpay.order_info("Ư" * 400)) == 255
    with pytest.raises(ValueError):
        vnpay.order_info("###")


# --- querydr -------------------------------------------------------------------------------------------------

def test_the_querydr_request_is_signed_over_the_pipe_joined_fields_in_the_spec_order() -> None:
    assert hmac.new(SECRET.encode(), QUERYDR_STRING.encode(), hashlib.sha512).hexdigest() == QUERYDR_HASH
    body = vnpay.querydr_body(request_id="R1", tmn_code="MOTCUA01", txn_ref="HN26117K3QF9-1",
                              order_info_text="Truy vấn giao dịch HN26117K3QF9-1", transaction_date=CREATED,
                              create_date=CREATED + timedelta(minutes=30), ip_addr="203.0.113.7", secret=SECRET)
    assert body == {"vnp_RequestId": "R1", "vnp_Version": "2.1.0", "vnp_Command": "querydr",
                    "vnp_TmnCode": "MOTCUA01", "vnp_TxnRef": "HN26117K3QF9-1",
                    "vnp_OrderInfo": "Truy van giao dich HN26117K3QF9-1", "vnp_TransactionDate": "20261122100000",
                    "vnp_CreateDate": "20261122103000", "vnp_IpAddr": "203.0.113.7", "vnp_SecureHash": QUERYDR_HASH}
    assert vnpay.querydr_request_ok(body, SECRET)
    assert not vnpay.querydr_request_ok(body | {"vnp_TxnRef": "OTHER"}, SECRET)


def _querydr_answer(**changes: str) -> dict[str, str]:
    fields = {"vnp_ResponseId": "abc", "vnp_Command": "querydr", "vnp_ResponseCode": "00",
              "vnp_Message": "QueryDR Success", "vnp_TmnCode": "MOTCUA01", "vnp_TxnRef": "HN26117K3QF9-1",
              "vnp_Amount": "300000", "vnp_OrderInfo": "Le phi", "vnp_BankCode": "NCB",
              "vnp_PayDate": "20261122100512", "vnp_TransactionNo": "14422574", "vnp_TransactionType": "01",
              "vnp_TransactionStatus": "00"} | changes
    return vnpay.querydr_response(fields, SECRET)


def test_a_querydr_answer_is_checked_over_its_pipe_joined_fields() -> None:
    answer = _querydr_answer()
    # The fields in the spec's order; the absent promotion fields count as empty.
    data = ("abc|querydr|00|QueryDR Success|MOTCUA01|HN26117K3QF9-1|300000|NCB|20261122100512|14422574|01|00"
            "|Le phi||")
    assert answer["vnp_SecureHash"] == hmac.new(SECRET.encode(), data.encode(), hashlib.sha512).hexdigest()
    assert vnpay.querydr_response_ok(answer, SECRET)
    assert not vnpay.querydr_response_ok(answer | {"vnp_TransactionStatus": "01"}, SECRET)
    assert not vnpay.querydr_response_ok({k: v for k, v in answer.items() if k != "vnp_SecureHash"}, SECRET)
    assert not vnpay.querydr_response_ok(answer, "ANOTHERSECRET")


# --- the adapter -----------------------------------------------------------------------------------------------

def test_a_verified_callback_becomes_a_result_in_whole_vnd_and_utc() -> None:
    result = VnpayGateway(_config()).verify_callback(_callback())
    assert result == GatewayResult(txn_ref="HN26117K3QF9-1", amount_vnd=3_000, response_code="00",
                                   transaction_status="00", transaction_no="14422574", bank_code="NCB",
                                   paid_at=datetime(2026, 11, 22, 3, 5, 12, tzinfo=UTC))
    assert result.paid and not result.cancelled


def test_a_callback_forged_malformed_or_for_another_terminal_gives_nothing() -> None:
    gateway = VnpayGateway(_config())
    assert gateway.verify_callback(_callback() | {"vnp_Amount": "30000000"}) is None
    assert gateway.verify_callback(_callback(vnp_TmnCode="OTHERTMN")) is None
    assert gateway.verify_callback(_callback(vnp_Amount="300050")) is None
    assert gateway.verify_callback(_callback(vnp_PayDate="yesterday")) is None
    assert gateway.verify_callback({}) is None


def test_result_states_follow_the_response_and_transaction_codes() -> None:
    def result(code: str, status: str | None) -> GatewayResult:
        return GatewayResult("T", 3_000, code, status, None, None, None)

    assert result("00", "00").paid and result("00", None).paid
    assert not result("00", "02").paid and not result("07", "00").paid
    assert result("24", "02").cancelled and not result("24", "02").paid
    assert result("00", "01").pending and not result("00", "01").paid


class _StubSession:
    """Answers a POST with a canned JSON body (or raises), recording what was sent."""

    def __init__(self, answer: Any = None, error: Exception | None = None, status: int = 200) -> None:
        self.answer, self.error, self.status, self.sent = answer, error, status, []

    def post(self, url: str, json: Any, timeout: float) -> Any:
        self.sent.append((url, json))
        if self.error:
            raise self.error
        resp = requests.Response()
        resp.status_code, resp._content = self.status, jsonlib.dumps(self.answer).encode()
        return resp


def test_query_sends_a_signed_querydr_and_reads_a_signed_answer() -> None:
    session = _StubSession(_querydr_answer())
    result = VnpayGateway(_config(), session).query("HN26117K3QF9-1", CREATED, "203.0.113.7",
                                                    CREATED + timedelta(minutes=20))
    url, body = session.sent[0]
    assert urlsplit(url).path == "/merchant_webapi/api/transaction"
    assert vnpay.querydr_request_ok(body, SECRET) and body["vnp_TransactionDate"] == "20261122100000"
    assert result is not None and result.paid and result.amount_vnd == 3_000


def test_query_gives_none_for_an_order_the_gateway_does_not_know() -> None:
    session = _StubSession(_querydr_answer(vnp_ResponseCode="91", vnp_Message="Transaction not found"))
    assert VnpayGateway(_config(), session).query("X", CREATED, "203.0.113.7", CREATED) is None


@pytest.mark.parametrize("session", [
    _StubSession(_querydr_answer() | {"vnp_TransactionStatus": "00", "vnp_Amount": "1"}),  # checksum now wrong
    _StubSession({k: v for k, v in _querydr_answer().items() if k != "vnp_SecureHash"}),
    _StubSession(_querydr_answer(vnp_TxnRef="SOMEONE-ELSE")),
    _StubSession(_querydr_answer(vnp_ResponseCode="99")),
    _StubSession(error=requests.ConnectionError("down")),
    _StubSession({"x": 1}, status=502),
    _StubSession(["not", "an", "object"]),
])
def test_query_raises_dependency_unavailable_when_the_gateway_cannot_be_trusted(session: _StubSession) -> None:
    with pytest.raises(DependencyUnavailable):
        VnpayGateway(_config(), session).query("HN26117K3QF9-1", CREATED, "203.0.113.7", CREATED)


def test_the_fake_gateway_accepts_only_the_callbacks_it_issued_unchanged() -> None:
    fake = FakeGateway(query_results={"T1": None})
    result = GatewayResult("T1", 3_000, "00", "00", "1", "NCB", CREATED)
    params = fake.callback_params(result)
    assert fake.verify_callback(params) == result
    assert fake.verify_callback(params | {"amount": "1"}) is None
    assert fake.query("T1", CREATED, "1.2.3.4", CREATED) is None
    fake.unreachable = True
    with pytest.raises(DependencyUnavailable):
        fake.query("T1", CREATED, "1.2.3.4", CREATED)
    assert [name for name, _ in fake.calls] == ["verify_callback", "verify_callback", "query", "query"]


def test_without_a_hash_secret_nothing_is_signed_or_trusted() -> None:
    gateway = VnpayGateway(_config().with_overrides(vnpay_hash_secret=""), _StubSession(_querydr_answer()))
    request = PaymentRequest("T1", 3_000, "Le phi", "vn", "203.0.113.7", CREATED, CREATED, "https://x.vn/r")
    with pytest.raises(DependencyUnavailable):
        gateway.payment_url(request)
    with pytest.raises(DependencyUnavailable):
        gateway.query("T1", CREATED, "203.0.113.7", CREATED)
    assert gateway.verify_callback(_callback()) is None
