"""The local sandbox gateway speaks VNPay 2.1.0's side of the protocol to a merchant on a real loopback server."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from datetime import timedelta
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.serving import make_server
from werkzeug.test import Client
from werkzeug.wrappers import Request, Response

from functions.core import config as config_mod
from functions.core.adapters.clock import FakeClock
from functions.core.adapters.payments import PaymentRequest, VnpayGateway
from functions.core.domain import vnpay
from functions.local.sandbox_vnpay import create_sandbox_app

SECRET = "SANDBOXSECRET0123456789ABCDEFGHI"
RETURN_URL = "http://localhost:8000/thanh-toan/ket-qua"


class Merchant:
    """A tiny merchant on a loopback port: records each IPN call and answers from a script (then 00)."""

    def __init__(self) -> None:
        self.calls: list[dict[str, str]] = []
        self.script: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self.server = make_server("127.0.0.1", 0, self._app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self._thread = threading.Thread(target=self.server.serve_forever, args=(0.02,), daemon=True)

    @Request.application
    def _app(self, request: Request) -> Response:
        with self._lock:
            self.calls.append(request.args.to_dict())
            status, body = self.script.pop(0) if self.script else (200, '{"RspCode": "00", "Message": "OK"}')
        return Response(body, status=status, mimetype="application/json")


def _serve(app: Any) -> tuple[str, Any]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=server.serve_forever, args=(0.02,), daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}", server


@pytest.fixture
def merchant() -> Iterator[Merchant]:
    """The merchant's IPN endpoint, running for one test."""
    shop = Merchant()
    shop._thread.start()
    yield shop
    shop.server.shutdown()


@pytest.fixture
def cfg() -> config_mod.Config:
    """Settings shared by the merchant and the sandbox, as VNPay and a merchant share the hash secret."""
    return config_mod.load({"MOTCUA_STAGE": "test", "VNPAY_HASH_SECRET": SECRET, "VNPAY_TMN_CODE": "MOTCUA01"})


@pytest.fixture
def sandbox(cfg: config_mod.Config, merchant: Merchant, clock: FakeClock) -> Flask:
    """The sandbox app calling the merchant's IPN URL, with short retry intervals."""
    app = create_sandbox_app(cfg, f"{merchant.url}/api/pay/vnpay/ipn", clock=clock)
    app.config.update(SANDBOX_IPN_INTERVAL=0.01, SANDBOX_IPN_TIMEOUT=2.0)
    return app


def _request(clock: FakeClock, txn_ref: str = "HN26117K3QF9-1", amount: int = 3_000) -> PaymentRequest:
    return PaymentRequest(txn_ref=txn_ref, amount_vnd=amount, order_info="Lệ phí cấp Giấy xác nhận HN-2611-7K3QF9",
                          locale="vn", client_ip="127.0.0.1", created_at=clock.now(),
                          expires_at=clock.now() + timedelta(minutes=15), return_url=RETURN_URL)


def _pay_path(cfg: config_mod.Config, request: PaymentRequest) -> str:
    url = urlsplit(VnpayGateway(cfg).payment_url(request))
    return f"/paymentv2/vpcpay.html?{url.query}"


def _signed_path(params: dict[str, str]) -> str:
    return f"/paymentv2/vpcpay.html?{vnpay.signed_query(params, SECRET)}"


def _open_and_click(client: FlaskClient, cfg: config_mod.Config, clock: FakeClock, action: str,
                    txn_ref: str = "HN26117K3QF9-1") -> Any:
    assert client.get(_pay_path(cfg, _request(clock, txn_ref))).status_code == 200
    return client.post("/paymentv2/complete", data={"txn_ref": txn_ref, "action": action})


def _querydr(client: FlaskClient, clock: FakeClock, txn_ref: str = "HN26117K3QF9-1", **changes: Any) -> dict:
    body = vnpay.querydr_body(request_id=changes.pop("request_id", "Q1"), tmn_code="MOTCUA01", txn_ref=txn_ref,
                              order_info_text="Truy van", transaction_date=changes.pop("created", clock.now()),
                              create_date=clock.now(), ip_addr="127.0.0.1", secret=SECRET) | changes
    answer = client.post("/merchant_webapi/api/transaction", json=body).get_json()
    assert vnpay.querydr_response_ok(answer, SECRET), "every querydr answer is signed"
    return answer


def test_a_good_order_shows_the_pay_page(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock) -> None:
    client = sandbox.test_client()
    resp = client.get(_pay_path(cfg, _request(clock)))
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200
    assert "3.000 VND" in html and "Le phi cap Giay xac nhan HN-2611-7K3QF9" in html
    assert [v in html for v in ('value="pay"', 'value="cancel"', 'value="fail"')] == [True, True, True]
    assert "<script" not in html and "<style" not in html and "style=" not in html
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "form-action 'self' http://localhost:8000" in csp
    assert client.get("/sandbox.css").mimetype == "text/css"


def test_the_page_links_stay_under_the_dev_server_mount(sandbox: Flask, cfg: config_mod.Config,
                                                        clock: FakeClock) -> None:
    mounted = Client(DispatcherMiddleware(Flask("root"), {"/sandbox/vnpay": sandbox}))
    html = mounted.get(f"/sandbox/vnpay{_pay_path(cfg, _request(clock))}").get_data(as_text=True)
    assert 'action="/sandbox/vnpay/paymentv2/complete"' in html and 'href="/sandbox/vnpay/sandbox.css"' in html


def test_a_bad_signature_is_refused_and_nothing_is_stored(sandbox: Flask, cfg: config_mod.Config,
                                                          clock: FakeClock) -> None:
    client = sandbox.test_client()
    forged = _pay_path(cfg, _request(clock)).replace("vnp_Amount=300000", "vnp_Amount=100")
    resp = client.get(forged)
    assert resp.status_code == 400 and 'id="error-code">97<' in resp.get_data(as_text=True)
    assert _querydr(client, clock)["vnp_ResponseCode"] == "91"


@pytest.mark.parametrize(("change", "code"), [
    ({"vnp_TmnCode": "OTHERTMN"}, "02"),
    ({"vnp_Locale": "fr"}, "03"),
    ({"vnp_Amount": "300050"}, "03"),
    ({"vnp_OrderInfo": "Lệ phí"}, "03"),
    ({"vnp_Version": "2.0.1"}, "03"),
    ({"vnp_Unknown": "1"}, "03"),
])
def test_a_signed_url_with_bad_parameters_is_refused(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                     change: dict[str, str], code: str) -> None:
    params = dict(parse_qsl(urlsplit(_pay_path(cfg, _request(clock))).query))
    params.pop("vnp_SecureHash")
    resp = sandbox.test_client().get(_signed_path(params | change))
    assert resp.status_code == 400 and f'id="error-code">{code}<' in resp.get_data(as_text=True)


def test_an_expired_order_is_refused(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock) -> None:
    path = _pay_path(cfg, _request(clock))
    clock.advance(minutes=16)
    assert 'id="error-code">11<' in sandbox.test_client().get(path).get_data(as_text=True)


def test_pay_sends_a_signed_ipn_then_redirects_to_the_return_url(sandbox: Flask, cfg: config_mod.Config,
                                                                 clock: FakeClock, merchant: Merchant) -> None:
    resp = _open_and_click(sandbox.test_client(), cfg, clock, "pay")
    assert resp.status_code == 303
    location = urlsplit(resp.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == RETURN_URL
    returned = dict(parse_qsl(location.query))
    assert len(merchant.calls) == 1 and merchant.calls[0] == returned
    assert vnpay.verify(returned, SECRET)
    assert returned["vnp_ResponseCode"] == "00" and returned["vnp_TransactionStatus"] == "00"
    assert returned["vnp_BankCode"] == "NCB" and returned["vnp_PayDate"] == vnpay.vnp_time(clock.now())
    assert returned["vnp_Amount"] == "300000" and returned["vnp_TransactionNo"].isdigit()
    result = VnpayGateway(cfg).verify_callback(returned)
    assert result is not None and result.paid and result.amount_vnd == 3_000


def test_a_second_click_neither_pays_nor_notifies_twice(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                        merchant: Merchant) -> None:
    client = sandbox.test_client()
    first = _open_and_click(client, cfg, clock, "pay")
    again = client.post("/paymentv2/complete", data={"txn_ref": "HN26117K3QF9-1", "action": "fail"})
    assert again.headers["Location"] == first.headers["Location"] and len(merchant.calls) == 1


@pytest.mark.parametrize("failures", [[(500, "oops")], [(200, '{"RspCode": "99", "Message": "x"}')],
                                      [(500, "oops"), (200, "not json"), (200, '{"RspCode": "97"}')]])
def test_a_merchant_that_does_not_confirm_gets_retries(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                       merchant: Merchant, failures: list) -> None:
    merchant.script = list(failures)
    resp = _open_and_click(sandbox.test_client(), cfg, clock, "pay")
    gateway = sandbox.extensions["vnpay_sandbox"]
    gateway.wait_idle()
    assert len(merchant.calls) == len(failures) + 1
    assert all(call == dict(parse_qsl(urlsplit(resp.headers["Location"]).query)) for call in merchant.calls)
    assert [c["attempt"] for c in gateway.ipn_calls] == list(range(1, len(failures) + 2))


def test_a_merchant_answering_02_is_not_called_again(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                     merchant: Merchant) -> None:
    merchant.script = [(200, '{"RspCode": "02", "Message": "Order already confirmed"}')]
    _open_and_click(sandbox.test_client(), cfg, clock, "pay")
    sandbox.extensions["vnpay_sandbox"].wait_idle()
    assert len(merchant.calls) == 1


def test_retries_stop_after_the_configured_attempts(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                    merchant: Merchant) -> None:
    sandbox.config["SANDBOX_IPN_ATTEMPTS"] = 3
    merchant.script = [(503, "busy")] * 5
    _open_and_click(sandbox.test_client(), cfg, clock, "pay")
    sandbox.extensions["vnpay_sandbox"].wait_idle()
    assert len(merchant.calls) == 3


@pytest.mark.parametrize(("action", "code", "status"), [("cancel", "24", "02"), ("fail", "51", "02")])
def test_cancel_and_fail_are_reported_with_their_codes(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                       merchant: Merchant, action: str, code: str,
                                                       status: str) -> None:
    resp = _open_and_click(sandbox.test_client(), cfg, clock, action)
    returned = dict(parse_qsl(urlsplit(resp.headers["Location"]).query))
    assert (returned["vnp_ResponseCode"], returned["vnp_TransactionStatus"]) == (code, status)
    assert merchant.calls == [returned]
    result = VnpayGateway(cfg).verify_callback(returned)
    assert result is not None and not result.paid and result.cancelled == (action == "cancel")


def test_querydr_reports_a_paid_order_signed(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                             merchant: Merchant) -> None:
    client = sandbox.test_client()
    created = clock.now()
    _open_and_click(client, cfg, clock, "pay")
    clock.advance(minutes=20)
    answer = _querydr(client, clock, created=created)
    assert answer["vnp_ResponseCode"] == "00" and answer["vnp_TransactionStatus"] == "00"
    assert answer["vnp_Amount"] == "300000" and answer["vnp_TransactionNo"] == merchant.calls[0]["vnp_TransactionNo"]


def test_querydr_reports_an_order_not_yet_finished_as_01(sandbox: Flask, cfg: config_mod.Config,
                                                         clock: FakeClock) -> None:
    client = sandbox.test_client()
    client.get(_pay_path(cfg, _request(clock)))
    answer = _querydr(client, clock)
    assert (answer["vnp_ResponseCode"], answer["vnp_TransactionStatus"]) == ("00", "01")


def test_querydr_answers_91_for_an_unknown_order_or_another_date(sandbox: Flask, cfg: config_mod.Config,
                                                                 clock: FakeClock) -> None:
    client = sandbox.test_client()
    assert _querydr(client, clock, "NEVER-SEEN")["vnp_ResponseCode"] == "91"
    client.get(_pay_path(cfg, _request(clock)))
    answer = _querydr(client, clock, created=clock.now() + timedelta(hours=7), request_id="Q2")
    assert answer["vnp_ResponseCode"] == "91"


def test_querydr_answers_97_for_a_bad_checksum_and_94_for_a_repeated_request(sandbox: Flask, cfg: config_mod.Config,
                                                                             clock: FakeClock) -> None:
    client = sandbox.test_client()
    client.get(_pay_path(cfg, _request(clock)))
    assert _querydr(client, clock, vnp_SecureHash="ab" * 64)["vnp_ResponseCode"] == "97"
    assert _querydr(client, clock, request_id="Q9")["vnp_ResponseCode"] == "00"
    assert _querydr(client, clock, request_id="Q9")["vnp_ResponseCode"] == "94"
    bad = client.post("/merchant_webapi/api/transaction", data="nope", content_type="application/json")
    assert bad.get_json()["vnp_ResponseCode"] == "03"


def test_a_held_back_ipn_is_not_sent_until_released(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                                    merchant: Merchant) -> None:
    sandbox.config["SANDBOX_HOLD_IPN"] = True
    client = sandbox.test_client()
    resp = _open_and_click(client, cfg, clock, "pay")
    assert resp.status_code == 303 and merchant.calls == []
    assert _querydr(client, clock)["vnp_TransactionStatus"] == "00"
    sandbox.config["SANDBOX_HOLD_IPN"] = False
    sandbox.extensions["vnpay_sandbox"].release_ipn("HN26117K3QF9-1")
    assert len(merchant.calls) == 1


def test_a_payment_url_can_ask_to_hold_its_ipn(sandbox: Flask, cfg: config_mod.Config, clock: FakeClock,
                                               merchant: Merchant) -> None:
    client = sandbox.test_client()
    assert client.get(_pay_path(cfg, _request(clock)) + "&sandbox_hold_ipn=1").status_code == 200
    client.post("/paymentv2/complete", data={"txn_ref": "HN26117K3QF9-1", "action": "pay"})
    assert merchant.calls == []


def test_the_vnpay_adapter_queries_the_sandbox_over_http(sandbox: Flask, cfg: config_mod.Config,
                                                         clock: FakeClock) -> None:
    base, server = _serve(sandbox)
    try:
        settings = cfg.with_overrides(vnpay_api_url=f"{base}/merchant_webapi/api/transaction")
        session = requests.Session()
        session.trust_env = False
        gateway = VnpayGateway(settings, session)
        created = clock.now()
        _open_and_click(sandbox.test_client(), cfg, clock, "pay")
        result = gateway.query("HN26117K3QF9-1", created, "127.0.0.1", clock.now())
        assert result is not None and result.paid and result.amount_vnd == 3_000 and result.transaction_no
        assert gateway.query("NEVER-SEEN", created, "127.0.0.1", clock.now()) is None
    finally:
        server.shutdown()


def test_ipn_records_never_hold_the_callback_parameters(sandbox: Flask, cfg: config_mod.Config,
                                                        clock: FakeClock) -> None:
    _open_and_click(sandbox.test_client(), cfg, clock, "pay")
    recorded = json.dumps(sandbox.extensions["vnpay_sandbox"].ipn_calls)
    assert "vnp_SecureHash" not in recorded and "300000" not in recorded
