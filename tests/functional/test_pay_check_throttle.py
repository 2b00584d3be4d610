""""Check again" (checkPayment) asks the gateway about an order at most once every 30 s; other calls answer the
order as stored, and each user has an hourly budget of gateway queries (README, "Paying the fee")."""

from __future__ import annotations

import copy
import threading

import pytest
from submit_helpers import as_user

from functions.core import models
from functions.core.adapters.payments import FakeGateway, GatewayResult

FEE = 3000


@pytest.fixture
def gateway() -> FakeGateway:
    """The gateway fake; it records every querydr."""
    return FakeGateway()


@pytest.fixture
def pay_gateway(gateway: FakeGateway) -> FakeGateway:
    """The pay app talks to the recording fake."""
    return gateway


@pytest.fixture
def pay_config(submit_config):  # noqa: ANN001, ANN201
    return submit_config.with_overrides(payment_queries_per_hour=4)


@pytest.fixture
def txn_ref(mine, filed) -> str:  # noqa: ANN001
    """The citizen's open order."""
    resp = mine.post(f"/applications/{filed}/payment", json={"lang": "vi"})
    assert resp.status_code == 201, resp.json
    return resp.json["order"]["txn_ref"]


def queries(gateway: FakeGateway) -> int:
    return sum(1 for call, _ in gateway.calls if call == "query")


def paid(ref: str) -> GatewayResult:
    return GatewayResult(txn_ref=ref, amount_vnd=FEE, response_code="00", transaction_status="00",
                         transaction_no="99887766", bank_code="NCB", paid_at=None)


def check(who, code: str):  # noqa: ANN001, ANN201
    return who.post(f"/applications/{code}/payment/check", json={})


def test_two_checks_within_thirty_seconds_send_one_query_and_answer_the_stored_order(
        mine, filed, txn_ref, gateway, clock):
    first = check(mine, filed)
    assert (first.status_code, first.json["order"]["state"], queries(gateway)) == (200, "pending", 1)
    gateway.query_results[txn_ref] = paid(txn_ref)  # the gateway knows better now, but nobody asks yet
    clock.advance(seconds=29)
    second = check(mine, filed)
    assert second.status_code == 200 and queries(gateway) == 1
    assert second.json == first.json
    assert second.json == mine.get(f"/applications/{filed}/payment").json
    clock.advance(seconds=1)
    third = check(mine, filed)
    assert (third.status_code, third.json["payment_state"], queries(gateway)) == (200, "paid", 2)
    assert third.json["order"]["receipt"]["transaction_no"] == "99887766"
    clock.advance(seconds=60)
    assert check(mine, filed).json["payment_state"] == "paid" and queries(gateway) == 2  # settled: never again


def test_concurrent_checks_send_one_query(pay_app, citizen, filed, txn_ref, gateway):
    from functions.local import serialize

    serialize.install()  # moto is not thread-safe; the conditional write is what makes one caller win
    start, answers = threading.Barrier(6), []

    def press() -> None:
        who = as_user(pay_app, citizen)
        start.wait()
        answers.append(check(who, filed).status_code)

    threads = [threading.Thread(target=press) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert answers == [200] * 6
    assert queries(gateway) == 1


def test_a_check_that_read_the_order_before_another_asked_loses_the_conditional_write(
        mine, filed, txn_ref, gateway, monkeypatch):
    """The interleaving the threads above may or may not hit, made certain: both calls read the order
    before either claims it, so only the conditional write can stop the second query."""
    from functions.pay import orders

    before = models.Payment.get(txn_ref, consistent_read=True)
    monkeypatch.setattr(orders, "latest_payment", lambda app: copy.deepcopy(before))
    assert [check(mine, filed).status_code for _ in range(2)] == [200, 200]
    assert queries(gateway) == 1


def test_each_user_has_an_hourly_budget_of_gateway_queries(mine, filed, txn_ref, gateway, clock):
    for _ in range(4):  # from 10:00 in Vietnam, every 30 s
        assert check(mine, filed).status_code == 200
        clock.advance(seconds=30)
    refused = check(mine, filed)  # 10:02
    assert (refused.status_code, refused.json["error"]["code"]) == (429, "rate_limited")
    assert refused.json["error"]["details"] == {"limit": "payment_queries", "retry_after": 58 * 60}
    assert refused.headers["Retry-After"] == str(58 * 60)
    assert queries(gateway) == 4
    clock.advance(minutes=58)  # the next clock hour
    assert check(mine, filed).status_code == 200 and queries(gateway) == 5


def test_someone_else_gets_404_and_no_query(pay_app, other_citizen, filed, txn_ref, gateway):
    stranger = as_user(pay_app, other_citizen)
    for code in (filed, "HN-2611-ZZZZZZ"):
        resp = check(stranger, code)
        assert (resp.status_code, resp.json["error"]["code"]) == (404, "not_found")
    assert queries(gateway) == 0


def test_no_order_yet_answers_none_without_asking(mine, filed, gateway):
    resp = check(mine, filed)
    assert (resp.status_code, resp.json["order"], queries(gateway)) == (200, None, 0)


def test_a_gateway_outage_is_503_then_the_order_is_not_asked_about_again_for_thirty_seconds(
        mine, filed, txn_ref, gateway, clock):
    gateway.unreachable = True
    down = check(mine, filed)
    assert (down.status_code, down.json["error"]["code"]) == (503, "dependency_unavailable")
    clock.advance(seconds=10)
    stored = check(mine, filed)
    assert (stored.status_code, stored.json["order"]["state"], queries(gateway)) == (200, "pending", 1)
    clock.advance(seconds=20)
    assert check(mine, filed).status_code == 503 and queries(gateway) == 2
    gateway.unreachable = False
    gateway.query_results[txn_ref] = paid(txn_ref)
    clock.advance(seconds=30)
    assert check(mine, filed).json["payment_state"] == "paid"
