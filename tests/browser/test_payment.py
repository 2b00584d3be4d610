"""Paying an application's fee online, on a phone: the fee panel on the application, the local sandbox
gateway's page (VNPay 2.1.0), the return page, and the receipt. Also a cancelled payment, a return whose
confirmation has not arrived yet ("Đang kiểm tra…", then "Kiểm tra lại"), and a tampered return URL.

Each test signs in a new citizen against the local stack and submits a marital-status certificate
application through the API, with a fee (fee_exemption "none": 3.000 ₫) and the result sent by post
(the stack's default postage: 25.000 ₫).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, Request, expect

from tests.browser.conftest import PHONE, TIMEOUT_MS
from tests.browser.test_citizen_status import application_screen, submit_by_api

pytestmark = pytest.mark.browser

FEE, POSTAGE = 3_000, 25_000
NARROW = {"width": 320, "height": 640}
SANDBOX_PAY = "**/sandbox/vnpay/paymentv2/vpcpay.html?*"
HOLD_IPN = "&sandbox_hold_ipn=1"
SANDBOX_PAGE = re.compile(r"/sandbox/vnpay/paymentv2/vpcpay\.html\?")
# The address the gateway sends the browser back to, with its signed parameters.
RETURN_PREFIX = "/payment/result?"
POST_ADDRESS = {"province_code": "33", "commune_code": "13075", "street": "Thôn Đông, số 12"}


@pytest.fixture
def routed_page(browser: Browser) -> Iterator[Page]:
    """A phone page without the service worker, whose fetches of navigations the test could not route."""
    ctx = browser.new_context(**PHONE, service_workers="block")
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx.new_page()
    ctx.close()


def submit_with_fee(page: Page, api: Callable[..., dict]) -> str:
    """A signed-in citizen's application that has a fee and a result sent by post; returns its code."""
    application = submit_by_api(page, api, {"method": "post", "address": POST_ADDRESS})
    assert application["fee_vnd"] == FEE and application["payment_state"] == "unpaid", application
    return application["code"]


def return_urls(page: Page) -> list[str]:
    """Every navigation to the return page (with the gateway's parameters) that `page` makes from now on."""
    seen: list[str] = []

    def record(request: Request) -> None:
        if request.is_navigation_request() and RETURN_PREFIX in request.url and "vnp_" in request.url:
            seen.append(request.url)

    page.on("request", record)
    return seen


def pay_in_sandbox(page: Page, button: str) -> None:
    """From the application screen: "Thanh toán lệ phí", then a button on the sandbox gateway's page."""
    page.get_by_role("button", name="Thanh toán lệ phí").click()
    page.wait_for_url(SANDBOX_PAY)
    expect(page.locator("#amount")).to_have_text(f"{FEE + POSTAGE:,} VND".replace(",", "."))
    page.locator(f'button[value="{button}"]').click()
    page.wait_for_url("**/payment/result*")


def expect_fee_panel(page: Page, button: str = "Thanh toán lệ phí") -> None:
    """The unpaid fee panel: the total and its parts, and the pay button."""
    panel = page.locator(".pay")
    expect(panel).to_have_attribute("data-payment-state", "unpaid")
    expect(panel.locator(".pay__amount")).to_have_attribute("data-amount", str(FEE + POSTAGE))
    expect(panel.locator('[data-fact="fee"] dd')).to_contain_text("3.000")
    expect(panel.locator('[data-fact="postage"] dd')).to_contain_text("25.000")
    expect(page.get_by_role("button", name=button)).to_be_visible()


def test_paying_in_the_sandbox_shows_paid_then_the_receipt_and_a_tampered_return_is_refused(
    page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    citizen(page)
    code = submit_with_fee(page, api)
    application_screen(page, stack_url, code)
    panel = page.locator(".pay")
    expect(panel.locator(".pay__amount")).to_have_attribute("data-amount", str(FEE))
    # Before the first order only the fee is known: the server adds the postage to the order.
    expect(panel).to_contain_text("Cước gửi kết quả qua bưu điện sẽ được cộng khi bạn bấm thanh toán.")
    page.set_viewport_size(NARROW)
    assert_fits_small_screen(page)

    returns = return_urls(page)
    pay_in_sandbox(page, "pay")
    result = page.locator(".pay-result")
    expect(result).to_have_attribute("data-outcome", re.compile("^(paid|checking)$"))
    # The gateway's parameters leave the address bar as soon as they are read.
    expect(page).to_have_url(f"{stack_url}/payment/result?code={code}")
    if result.get_attribute("data-outcome") == "checking":
        expect(page.get_by_text("Đang kiểm tra…")).to_be_visible()
        page.get_by_role("button", name="Kiểm tra lại").click()
    expect(page.get_by_text("Thanh toán thành công")).to_be_visible()
    expect(result).to_have_attribute("data-outcome", "paid")
    assert_fits_small_screen(page)

    payment = api(page, "GET", f"/api/pay/applications/{code}/payment")["body"]
    receipt = payment["order"]["receipt"]
    assert payment["payment_state"] == "paid" and receipt["amount_vnd"] == FEE + POSTAGE, payment
    assert receipt["transaction_no"], receipt

    page.get_by_role("link", name="Xem hồ sơ").click()
    expect(page).to_have_url(f"{stack_url}/application?code={code}")
    panel = page.locator(".pay")
    expect(panel).to_have_attribute("data-payment-state", "paid")
    expect(panel).to_contain_text("Đã nộp lệ phí")
    expect(panel.locator('[data-fact="amount"] dd')).to_contain_text("28.000")
    expect(panel.locator('[data-fact="transaction"] dd')).to_have_text(receipt["transaction_no"])
    expect(panel.locator('[data-fact="bank"] dd')).to_have_text(receipt["bank_code"])
    expect(panel.locator('[data-fact="time"] dd')).to_contain_text("(giờ Việt Nam)")
    expect(page.get_by_role("button", name="Thanh toán lệ phí")).to_have_count(0)
    expect(page.locator('.timeline__item[data-kind="payment_paid"]')).to_contain_text("Đã nộp lệ phí trực tuyến")
    assert_fits_small_screen(page)

    # The same genuine return, with the amount changed: refused, and never shown as paid.
    assert returns, "the gateway never sent the browser back"
    params = dict(parse_qsl(urlsplit(returns[0]).query))
    params["vnp_Amount"] = "100"
    page.goto(f"{stack_url}{RETURN_PREFIX}{urlencode(params)}")
    expect(page.get_by_text("Không xác nhận được kết quả thanh toán")).to_be_visible()
    expect(page.locator(".pay-result")).to_have_attribute("data-outcome", "bad")
    expect(page.get_by_text("Thanh toán thành công")).to_have_count(0)
    expect(page).to_have_url(f"{stack_url}/payment/result")
    expect(page.locator(".pay-result__actions a")).to_have_attribute("href", "/applications")


def test_a_return_before_the_confirmation_says_checking_and_check_again_finds_it_paid(
    routed_page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
) -> None:
    page = routed_page
    citizen(page)
    code = submit_with_fee(page, api)
    application_screen(page, stack_url, code)
    # The sandbox keeps its IPN back for this order (a test hook outside the signed parameters), as when
    # the gateway's call is late: only "check again" (the server's querydr) can settle it.
    page.route(SANDBOX_PAGE, lambda route: route.fulfill(response=route.fetch(url=f"{route.request.url}{HOLD_IPN}")))
    pay_in_sandbox(page, "pay")
    expect(page.locator(".pay-result")).to_have_attribute("data-outcome", "checking")
    expect(page.get_by_text("Đang kiểm tra…")).to_be_visible()
    assert api(page, "GET", f"/api/pay/applications/{code}/payment")["body"]["payment_state"] == "unpaid"

    page.get_by_role("button", name="Kiểm tra lại").click()
    expect(page.locator(".pay-result")).to_have_attribute("data-outcome", "paid")
    expect(page.get_by_text("Thanh toán thành công")).to_be_visible()
    expect(page.locator('.pay-result [data-fact="transaction"] dd')).not_to_be_empty()
    assert api(page, "GET", f"/api/pay/applications/{code}/payment")["body"]["payment_state"] == "paid"


def test_cancelling_in_the_sandbox_says_so_and_the_application_can_still_be_paid(
    page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
) -> None:
    citizen(page)
    code = submit_with_fee(page, api)
    application_screen(page, stack_url, code)
    pay_in_sandbox(page, "cancel")
    expect(page.locator(".pay-result")).to_have_attribute("data-outcome", "cancelled")
    expect(page.get_by_text("Bạn đã hủy thanh toán")).to_be_visible()
    expect(page).to_have_url(f"{stack_url}/payment/result?code={code}")

    page.get_by_role("link", name="Thanh toán lại").click()
    expect(page).to_have_url(f"{stack_url}/application?code={code}")
    expect_fee_panel(page)
    expect(page.locator(".case__facts")).to_contain_text("Chưa nộp")
    assert api(page, "GET", f"/api/status/applications/{code}")["body"]["payment_state"] == "unpaid"


def test_the_fee_panel_opens_one_order_and_shows_how_long_it_stays_open(
    page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
) -> None:
    citizen(page)
    code = submit_with_fee(page, api)
    # An order opened elsewhere (another tap, another phone): the panel shows its parts and expiry.
    opened = api(page, "POST", f"/api/pay/applications/{code}/payment", {"lang": "vi"})
    assert opened["status"] == 201, opened
    application_screen(page, stack_url, code)
    expect_fee_panel(page, "Tiếp tục thanh toán")
    panel = page.locator(".pay")
    expect(panel).to_have_attribute("data-order-state", "pending")
    expect(panel.locator(".pay__open")).to_contain_text("giờ Việt Nam")
    page.get_by_role("button", name="Tiếp tục thanh toán").click()
    page.wait_for_url(SANDBOX_PAY)
    # The same order, not a second one.
    assert f"vnp_TxnRef={opened['body']['order']['txn_ref']}" in page.url
