"""The officer console against the real local stack: the queue, the document viewer, every officer action,
a stale tab's conflict, and the layouts on a desktop and on a phone.

Citizens' applications are made through the stack's HTTP API (sign-in by SMS code, profile, a page
uploaded by presigned POST, submission) in commune 18001, whose demo officer no other test signs in, so
the SMS limits and the queue stay this module's own. To show overdue ones first without a clock, the tests
move due dates in the stack's emulated DynamoDB table.
"""

from __future__ import annotations

import random
import re
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import boto3
import pytest
import requests
from playwright.sync_api import Browser, BrowserContext, Page, Route, expect
from pynamodb.attributes import UTCDateTimeAttribute

pytestmark = pytest.mark.browser

# The second demo officer (functions/local/seed.py) and the commune they serve.
OFFICER_PHONE = "+84912000002"
COMMUNE = "18001"
MARITAL = "marital-status-certificate"
ANSWERS = {"purpose": "property", "marital_status": "never_married", "fee_exemption": "none"}
# Passes the server's profile checks: 001 (Hà Nội), 1 (a woman born in the 1900s), 98 (1998).
PROFILE = {
    "full_name": "Trần Thị Mai",
    "date_of_birth": "1998-04-12",
    "citizen_id": "001198001234",
    "permanent_residence": {"province_code": "40", "commune_code": COMMUNE},
    "current_address": {"province_code": "79", "commune_code": "25747", "street": "Phòng 12, dãy trọ số 3"},
}
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
DESKTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "vi-VN"}
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
TIMEOUT_MS = 30_000
VIETNAM = timezone(timedelta(hours=7))
REGION = "ap-southeast-1"
APPLICATIONS_TABLE = "motcua-local-applications"
USERS_TABLE = "motcua-local-users"
OFFICER_ID = "officer-hung-nguyen"
OTHER_COMMUNE = "13075"
CONFLICT = "Một cán bộ khác vừa thay đổi hồ sơ này"
TRANSFORM_JS = "(node) => getComputedStyle(node).transform"


@dataclass
class Account:
    """A signed-in API client (cookies + the Origin and CSRF headers the PWA's browser sends)."""

    base: str
    session: requests.Session = field(default_factory=requests.Session)

    def call(self, method: str, path: str, body: object = None, headers: dict | None = None) -> requests.Response:
        sent = {"Origin": self.base, "X-CSRF-Token": self.session.cookies.get("motcua_csrf", ""), **(headers or {})}
        return self.session.request(method, f"{self.base}{path}", json=body, headers=sent, timeout=20)

    def cookies(self) -> list[dict]:
        """The session's cookies for a browser context."""
        return [{"name": c.name, "value": c.value, "url": self.base, "httpOnly": c.name == "motcua_session"}
                for c in self.session.cookies]


def sign_in(base: str, phone: str, latest_code: Callable[..., str], sms_codes: Callable[[str], list[str]]) -> Account:
    """Sign in through the API with the texted code, waiting out the one-code-a-minute limit if needed."""
    account = Account(base)
    sent_before = len(sms_codes(phone))
    for _ in range(3):
        asked = account.call("POST", "/api/account/otp", {"phone": phone})
        if asked.status_code == 202:
            break
        assert asked.status_code == 429, asked.text
        time.sleep(min(int(asked.json()["error"]["details"].get("retry_after", 60)), 65) + 1)
    code = latest_code(phone, sent_before + 1)
    verified = account.call("POST", "/api/account/otp/verify", {"phone": phone, "code": code})
    assert verified.status_code == 200, verified.text
    return account


@dataclass
class Desk:
    """The module's citizen and officer, and the stack's emulated table."""

    base: str
    citizen: Account
    officer: Account
    page_file: Path
    table: object

    def upload_page(self, slot: str = "id_card") -> str:
        """createUpload, the browser-style POST to the bucket, completeUpload; returns the page's id."""
        data = self.page_file.read_bytes()
        created = self.citizen.call("POST", "/api/submit/uploads", {
            "procedure_id": MARITAL, "slot_id": slot, "content_type": "image/png", "size": len(data)})
        assert created.status_code == 201, created.text
        ticket = created.json()
        posted = requests.post(ticket["upload"]["url"], data=ticket["upload"]["fields"],
                               files={"file": ("page.png", data, "image/png")}, timeout=20)
        assert posted.status_code in (200, 201, 204), posted.text
        done = self.citizen.call("POST", f"/api/submit/uploads/{ticket['document_id']}/complete", {})
        assert done.status_code == 200, done.text
        return ticket["document_id"]

    def file_application(self) -> str:
        """A submitted marital-status application in the officer's commune; returns its code."""
        body = {"procedure_id": MARITAL, "commune_code": COMMUNE, "answers": dict(ANSWERS),
                "documents": {"id_card": [self.upload_page()]}, "delivery": {"method": "pickup"}}
        sent = self.citizen.call("POST", "/api/submit/applications", body, {"Idempotency-Key": str(uuid.uuid4())})
        assert sent.status_code == 201, sent.text
        return sent.json()["application"]["code"]

    def citizen_call(self, method: str, path: str, body: object = None) -> dict:
        """The citizen's API call as {status, body}, the shape `pay_fee` takes."""
        got = self.citizen.call(method, path, body)
        return {"status": got.status_code, "body": got.json()}

    def application(self, code: str, who: Account | None = None) -> dict:
        got = (who or self.officer).call("GET", f"/api/status/applications/{code}")
        assert got.status_code == 200, got.text
        return got.json()

    def act(self, code: str, action: str, who: Account | None = None, **details: object) -> dict:
        """One lifecycle action through the API, with the version just read."""
        who = who or self.officer
        version = self.application(code, who)["version"]
        body = {"action": action, "version": version, **details}
        done = who.call("POST", f"/api/status/applications/{code}/actions", body)
        assert done.status_code == 200, done.text
        return done.json()

    def resubmitted(self) -> str:
        """An application that went back to the citizen for its ID card and came back with a new page."""
        code = self.file_application()
        self.act(code, "accept")
        self.act(code, "start_review")
        self.act(code, "request_supplement", slots=["id_card"], reason="Ảnh bị lóa, vui lòng chụp lại.")
        self.act(code, "resubmit", self.citizen, documents={"id_card": [self.upload_page()]})
        return code

    def set_due(self, code: str, day: datetime) -> None:
        """Move the due date (the end of that office day in Vietnam) in the emulated table."""
        due_at = datetime.combine(day.date(), datetime.min.time().replace(hour=17), tzinfo=VIETNAM)
        self.table.update_item(
            TableName=APPLICATIONS_TABLE,
            Key={"application_id": {"S": code}},
            UpdateExpression="SET due_at = :at, due_date = :day",
            ExpressionAttributeValues={
                ":at": {"S": UTCDateTimeAttribute().serialize(due_at.astimezone(UTC))},
                ":day": {"S": day.date().isoformat()},
            },
        )

    def set_communes(self, communes: list[str]) -> None:
        """Assign the officer these communes in the emulated table (read again on every request)."""
        self.table.update_item(TableName=USERS_TABLE, Key={"user_id": {"S": OFFICER_ID}},
                               UpdateExpression="SET communes = :c", ExpressionAttributeValues={":c": {"SS": communes}})


@pytest.fixture(scope="module")
def desk(stack_url: str, emulator_url: str, latest_code, sms_codes, document_page: Path) -> Desk:
    """One citizen with a complete profile and the commune's officer, both signed in through the API."""
    digits = f"{random.randrange(10_000_000):07d}"
    while digits.endswith("99"):  # moto treats numbers ending in 99 as opted out of SMS
        digits = f"{random.randrange(10_000_000):07d}"
    citizen = sign_in(stack_url, f"+8497{digits}", latest_code, sms_codes)
    saved = citizen.call("PUT", "/api/account/profile", PROFILE)
    assert saved.status_code == 200 and saved.json()["profile_complete"], saved.text
    officer = sign_in(stack_url, OFFICER_PHONE, latest_code, sms_codes)
    table = boto3.client("dynamodb", endpoint_url=emulator_url, region_name=REGION,
                         aws_access_key_id="local", aws_secret_access_key="local")
    return Desk(stack_url, citizen, officer, document_page, table)


def officer_context(browser: Browser, desk: Desk, options: dict) -> Iterator[BrowserContext]:
    ctx = browser.new_context(**options)
    ctx.set_default_timeout(TIMEOUT_MS)
    ctx.add_cookies(desk.officer.cookies())
    yield ctx
    ctx.close()


@pytest.fixture
def desktop(browser: Browser, desk: Desk) -> Iterator[BrowserContext]:
    """The officer on a desktop screen."""
    yield from officer_context(browser, desk, DESKTOP)


@pytest.fixture
def phone(browser: Browser, desk: Desk) -> Iterator[BrowserContext]:
    """The officer on a phone."""
    yield from officer_context(browser, desk, PHONE)


@pytest.fixture
def officer_page(desktop: BrowserContext) -> Page:
    return desktop.new_page()


def open_application(page: Page, stack_url: str, code: str) -> None:
    page.goto(f"{stack_url}/officer/application?code={code}")
    expect(page.get_by_role("heading", name=code)).to_be_visible()


def status_badge(page: Page):  # noqa: ANN201
    return page.locator(".desk-head .desk-badge--status")


def action_button(page: Page, name: str):  # noqa: ANN201
    """A toggle or one-step action button of the actions panel (not a form's submit)."""
    return page.locator(".desk-actions > button").filter(has_text=re.compile(f"^{re.escape(name)}$"))


def queue_codes(page: Page) -> list[str]:
    return page.eval_on_selector_all(".queue-item", "nodes => nodes.map((node) => node.dataset.code)")


def test_queue_puts_overdue_first_then_earliest_due_and_filters_by_status(
    officer_page: Page, stack_url: str, desk: Desk
) -> None:
    later, overdue, sooner = (desk.file_application() for _ in range(3))
    today = datetime.now(VIETNAM)
    desk.set_due(later, today + timedelta(days=9))
    desk.set_due(overdue, today - timedelta(days=2))
    desk.set_due(sooner, today + timedelta(days=5))
    page = officer_page

    page.goto(f"{stack_url}/officer")
    expect(page.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()
    expect(page.get_by_role("button", name="Chờ tiếp nhận", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator(f'.queue-item[data-code="{later}"]')).to_be_visible()
    codes = queue_codes(page)
    assert codes[0] == overdue, codes
    assert [code for code in codes if code in (later, overdue, sooner)] == [overdue, sooner, later]

    first = page.locator(f'.queue-item[data-code="{overdue}"]')
    expect(first.locator(".desk-badge--overdue")).to_have_text("Quá hạn")
    expect(page.locator(f'.queue-item[data-code="{later}"] .desk-badge--overdue')).to_have_count(0)
    # The applicant, the procedure, and the due moment in Vietnam's time (the browser runs on UTC).
    expect(first).to_contain_text("Trần Thị Mai")
    expect(first).to_contain_text("Cấp Giấy xác nhận tình trạng hôn nhân")
    expect(first).to_contain_text("17:00")

    desk.act(sooner, "accept")
    page.get_by_role("button", name="Đã tiếp nhận", exact=True).click()
    expect(page).to_have_url(re.compile(r"status=received"))
    expect(page.locator(f'.queue-item[data-code="{sooner}"]')).to_be_visible()
    expect(page.locator(f'.queue-item[data-code="{overdue}"]')).to_have_count(0)
    page.get_by_role("button", name="Chờ tiếp nhận", exact=True).click()
    expect(page.locator(f'.queue-item[data-code="{overdue}"]')).to_be_visible()
    expect(page.locator(f'.queue-item[data-code="{sooner}"]')).to_have_count(0)

    # A row opens the application; "back" returns to the same tab.
    page.locator(f'.queue-item[data-code="{overdue}"]').click()
    expect(page).to_have_url(f"{stack_url}/officer/application?code={overdue}")
    expect(page.locator(".desk-head")).to_contain_text("Quá hạn")
    page.get_by_role("link", name="← Hàng đợi hồ sơ").click()
    expect(page.get_by_role("button", name="Chờ tiếp nhận", exact=True)).to_have_attribute("aria-pressed", "true")


def test_an_officer_of_two_communes_picks_the_commune_whose_queue_to_see(
    officer_page: Page, stack_url: str, desk: Desk
) -> None:
    code = desk.file_application()
    desk.set_communes([COMMUNE, OTHER_COMMUNE])
    try:
        page = officer_page
        page.goto(f"{stack_url}/officer")
        expect(page.locator(".commune-pick")).to_have_count(2)
        mine = page.get_by_role("button", name=re.compile("^Xã Hưng Nguyên"))
        other = page.get_by_role("button", name=re.compile("^Xã Kiến Xương"))
        expect(other).to_have_attribute("aria-pressed", "true")  # the first, by code
        expect(page.locator(".queue__commune")).to_have_text("Xã Kiến Xương · Chờ tiếp nhận")
        mine.click()
        expect(mine).to_have_attribute("aria-pressed", "true")
        expect(other).to_have_attribute("aria-pressed", "false")
        expect(page.locator(".queue__commune")).to_have_text("Xã Hưng Nguyên · Chờ tiếp nhận")
        expect(page.locator(f'.queue-item[data-code="{code}"]')).to_be_visible()
        expect(page).to_have_url(re.compile(f"commune={COMMUNE}"))
        page.reload()
        expect(page.locator(f'.queue-item[data-code="{code}"]')).to_be_visible()
    finally:
        desk.set_communes([COMMUNE])


def test_document_is_shown_large_and_zoom_and_rotate_change_how_it_is_drawn(
    officer_page: Page, stack_url: str, desk: Desk
) -> None:
    code = desk.file_application()
    page = officer_page
    open_application(page, stack_url, code)
    image = page.locator(".viewer__image")
    expect(image).to_have_attribute("data-loaded", "true")
    expect(page.locator(".viewer__position")).to_contain_text("Căn cước")
    fitted = image.bounding_box()
    assert fitted["height"] >= 400 and fitted["height"] > fitted["width"], fitted  # large, and the page is portrait
    drawn = image.evaluate(TRANSFORM_JS)

    page.get_by_role("button", name="Phóng to").click()
    zoomed = image.bounding_box()
    assert image.evaluate(TRANSFORM_JS) != drawn
    assert zoomed["height"] == pytest.approx(fitted["height"] * 1.25, rel=0.02)
    expect(page.locator(".viewer__zoom")).to_have_text("125%")

    turning = image.evaluate(TRANSFORM_JS)
    page.get_by_role("button", name="Xoay phải").click()
    turned = image.bounding_box()
    assert image.evaluate(TRANSFORM_JS) != turning
    assert turned["width"] > turned["height"], turned  # the portrait page now lies on its side

    # The keyboard does the same on the focused page: "-" zooms out, "l" turns back, "0" fits.
    page.locator(".viewer__stage").focus()
    page.keyboard.press("l")
    page.keyboard.press("0")
    expect(page.locator(".viewer__zoom")).to_have_text("100%")
    assert image.evaluate(TRANSFORM_JS) == drawn


def test_an_image_whose_link_failed_is_shown_again_from_a_fresh_link(
    officer_page: Page, stack_url: str, desk: Desk
) -> None:
    code = desk.file_application()
    page = officer_page
    refused: list[str] = []
    reads: list[str] = []

    def expired_once(route: Route) -> None:
        # The bucket answers an expired presigned link with 403; the first image link is treated so.
        if not refused:
            refused.append(route.request.url)
            route.fulfill(status=403, body="Request has expired")
        else:
            route.continue_()

    page.route(re.compile(r".*X-Amz-Signature=.*"), expired_once)
    page.on("request", lambda r: reads.append(r.url) if f"/api/status/applications/{code}" in r.url else None)
    open_application(page, stack_url, code)
    expect(page.locator(".viewer__image")).to_have_attribute("data-loaded", "true")
    assert len(refused) == 1
    assert len(reads) == 2, reads  # the screen fetched the application again for new links


def test_officer_accepts_starts_review_and_requests_a_supplement_of_one_paper_with_a_reason(
    officer_page: Page, stack_url: str, desk: Desk
) -> None:
    code = desk.file_application()
    page = officer_page
    open_application(page, stack_url, code)
    expect(status_badge(page)).to_have_text("Chờ tiếp nhận")

    action_button(page, "Tiếp nhận hồ sơ").click()
    expect(page.get_by_role("status").filter(has_text="Đã tiếp nhận hồ sơ.")).to_be_visible()
    expect(status_badge(page)).to_have_text("Đã tiếp nhận")
    action_button(page, "Bắt đầu thẩm định").click()
    expect(status_badge(page)).to_have_text("Đang thẩm định")

    action_button(page, "Yêu cầu bổ sung giấy tờ").click()
    form = page.locator('form[data-form="request_supplement"]')
    send = form.get_by_role("button", name="Gửi yêu cầu bổ sung")
    send.click()
    expect(form.locator('[data-field="slots"] .field__error')).to_have_text("Vui lòng chọn ít nhất một giấy tờ.")
    expect(form.locator('[data-field="reason"] .field__error')).to_have_text("Vui lòng ghi lý do.")
    form.get_by_role("checkbox", name=re.compile("^Căn cước")).check()
    form.get_by_label("Lý do và hướng dẫn cho người dân").fill("ab")
    send.click()
    expect(form.locator('[data-field="reason"] .field__error')).to_contain_text("ít nhất 3 ký tự")
    expect(form.locator('[data-field="slots"] .field__error')).to_be_hidden()
    form.get_by_label("Lý do và hướng dẫn cho người dân").fill("Mặt sau bị lóa, không đọc được số.")
    send.click()

    expect(status_badge(page)).to_have_text("Chờ bổ sung")
    notice = page.locator(".desk-notice")
    expect(notice.locator('[data-slot="id_card"]')).to_contain_text("Căn cước")
    expect(notice).to_contain_text("Mặt sau bị lóa, không đọc được số.")
    expect(page.locator('.timeline__item[data-kind="request_supplement"]')).to_contain_text("Mặt sau bị lóa")
    expect(page.get_by_text("Không có thao tác nào cho hồ sơ ở bước này.")).to_be_visible()
    saved = desk.application(code)
    assert saved["status"] == "supplement_requested"
    assert saved["supplement"]["slots"] == ["id_card"]


def test_resubmitted_application_is_approved_given_an_electronic_result_pdf_and_completed(
    officer_page: Page, stack_url: str, desk: Desk, pay_fee: Callable[..., None]
) -> None:
    code = desk.resubmitted()
    page = officer_page
    open_application(page, stack_url, code)
    expect(status_badge(page)).to_have_text("Đã nộp bổ sung")
    expect(page.locator('.timeline__item[data-kind="resubmit"]')).to_be_visible()

    action_button(page, "Bắt đầu thẩm định").click()
    expect(status_badge(page)).to_have_text("Đang thẩm định")
    action_button(page, "Duyệt hồ sơ").click()
    expect(status_badge(page)).to_have_text("Đã duyệt")
    # The fee is paid before the result can be released.
    pay_fee(desk.citizen_call, code)
    page.reload()

    action_button(page, "Báo có kết quả").click()
    form = page.locator('form[data-form="mark_result_ready"]')
    submit = form.get_by_role("button", name="Báo có kết quả")
    # A postal result needs a tracking number of 6 to 40 characters, said next to the field.
    form.get_by_role("radio", name=re.compile("^Gửi qua bưu điện")).check()
    form.get_by_role("textbox", name="Mã vận đơn").fill("EB1")
    submit.click()
    expect(form.locator('[data-field="tracking_number"] .field__error')).to_have_text(
        "Mã vận đơn phải có từ 6 đến 40 ký tự.")
    form.get_by_role("radio", name=re.compile("^Bản điện tử")).check()
    expect(form.get_by_role("textbox", name="Mã vận đơn")).to_be_hidden()
    submit.click()
    expect(form.locator('[data-field="document_id"] .field__error')).to_have_text("Vui lòng chọn tệp PDF kết quả.")
    form.get_by_label("Tệp kết quả (PDF)").set_input_files(
        {"name": "ket-qua.pdf", "mimeType": "application/pdf", "buffer": PDF})
    submit.click()

    expect(status_badge(page)).to_have_text("Có kết quả")
    link = page.get_by_role("link", name="Mở tệp kết quả (PDF)")
    expect(link).to_have_attribute("target", "_blank")
    download = page.request.get(link.get_attribute("href"))
    assert download.ok and download.body() == PDF
    assert desk.application(code)["result"]["result"] == "electronic"

    action_button(page, "Hoàn thành: đã trả kết quả").click()
    expect(status_badge(page)).to_have_text("Đã trả kết quả")
    expect(page.locator('.timeline__item[data-kind="complete"]')).to_be_visible()
    assert desk.application(code)["status"] == "completed"


def test_rejecting_asks_for_a_reason_and_a_confirmation_first(officer_page: Page, stack_url: str, desk: Desk) -> None:
    code = desk.file_application()
    desk.act(code, "accept")
    desk.act(code, "start_review")
    page = officer_page
    open_application(page, stack_url, code)

    action_button(page, "Từ chối hồ sơ").click()
    form = page.locator('form[data-form="reject"]')
    form.get_by_role("button", name="Từ chối hồ sơ").click()
    expect(form.locator('[data-field="reason"] .field__error')).to_have_text("Vui lòng ghi lý do.")
    form.get_by_label("Lý do từ chối").fill("Người yêu cầu không thường trú tại xã.")
    form.get_by_role("button", name="Từ chối hồ sơ").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"Từ chối hồ sơ {code}?")
    dialog.get_by_role("button", name="Quay lại").click()
    expect(dialog).to_be_hidden()
    assert desk.application(code)["status"] == "in_review"

    form.get_by_role("button", name="Từ chối hồ sơ").click()
    dialog.get_by_role("button", name="Xác nhận từ chối").click()
    expect(status_badge(page)).to_have_text("Đã từ chối")
    expect(page.locator('.timeline__item[data-kind="reject"]')).to_contain_text("không thường trú tại xã")


def test_a_second_tab_acting_on_a_stale_version_is_told_and_shown_the_new_state(
    desktop: BrowserContext, stack_url: str, desk: Desk
) -> None:
    code = desk.file_application()
    first, second = desktop.new_page(), desktop.new_page()
    open_application(first, stack_url, code)
    open_application(second, stack_url, code)

    action_button(first, "Tiếp nhận hồ sơ").click()
    expect(status_badge(first)).to_have_text("Đã tiếp nhận")
    action_button(second, "Tiếp nhận hồ sơ").click()
    expect(second.get_by_role("alert").filter(has_text=CONFLICT)).to_be_visible()
    expect(status_badge(second)).to_have_text("Đã tiếp nhận")
    expect(action_button(second, "Tiếp nhận hồ sơ")).to_have_count(0)
    expect(action_button(second, "Bắt đầu thẩm định")).to_be_visible()
    assert [e["kind"] for e in desk.application(code)["timeline"]].count("accept") == 1


def test_desktop_shows_the_papers_beside_the_details(officer_page: Page, stack_url: str, desk: Desk) -> None:
    code = desk.file_application()
    page = officer_page
    open_application(page, stack_url, code)
    expect(page.locator(".viewer__image")).to_have_attribute("data-loaded", "true")
    papers = page.locator(".desk-layout__documents").bounding_box()
    details = page.locator(".desk-layout__details").bounding_box()
    assert papers["width"] >= 600, papers
    assert details["x"] >= papers["x"] + papers["width"], (papers, details)
    assert abs(details["y"] - papers["y"]) < 5, (papers, details)
    assert page.evaluate("document.documentElement.scrollWidth") <= 1280


def test_phone_console_fits_with_48px_targets(
    phone: BrowserContext, stack_url: str, desk: Desk, assert_fits_small_screen: Callable[[Page], None]
) -> None:
    code = desk.file_application()
    desk.act(code, "accept")
    desk.act(code, "start_review")
    page = phone.new_page()
    page.goto(f"{stack_url}/officer?commune={COMMUNE}&status=in_review")
    expect(page.locator(f'.queue-item[data-code="{code}"]')).to_be_visible()
    assert_fits_small_screen(page)

    page.locator(f'.queue-item[data-code="{code}"]').click()
    expect(page.locator(".viewer__image")).to_have_attribute("data-loaded", "true")
    assert_fits_small_screen(page)
    stage = page.locator(".viewer__stage").bounding_box()
    assert stage["width"] >= 320, stage
    page.get_by_role("button", name="Phóng to").click()
    page.get_by_role("button", name="Phóng to").click()
    assert_fits_small_screen(page)  # a zoomed page scrolls inside the viewer, not the screen
    for toggle in ("Yêu cầu bổ sung giấy tờ", "Từ chối hồ sơ"):
        action_button(page, toggle).click()
        assert_fits_small_screen(page)
