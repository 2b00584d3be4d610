"""The feedback loop's screens on a 360 px phone: the officer's apology for a late application (the form,
then the new date) and the citizen's "Hẹn lại" letter; the citizen's rating of a settled application.

The demo officer of Xã Kiến Xương signs in through the account API on a second phone. An application is
made late by moving its due moment into the past in the stack's emulated table (no clock to move).
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import boto3
import pytest
from playwright.sync_api import Browser, Page, expect
from pynamodb.attributes import UTCDateTimeAttribute

from tests.browser.test_citizen_status import submit_by_api

pytestmark = pytest.mark.browser

STATUS = "/api/status/applications"
REGION = "ap-southeast-1"
APPLICATIONS_TABLE = "motcua-local-applications"
REASON = "Cán bộ phụ trách nghỉ ốm, chưa xác minh kịp."
# The officer's number allows one code a minute; another module may have just signed them in.
OFFICER_SIGN_IN_S = 90
PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True, "locale": "vi-VN"}
TIMEOUT_MS = 30_000


@pytest.fixture(scope="module")
def officer_page(browser: Browser, stack_url: str, demo_officer_phone, sms_codes: Callable[[str], list[str]],
                 latest_code: Callable[..., str], api: Callable[..., dict]) -> Iterator[Page]:
    """The demo officer of commune 13075 on a second phone, signed in once through the account API."""
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    page = ctx.new_page()
    page.goto(f"{stack_url}/")
    phone = demo_officer_phone.e164
    before = len(sms_codes(phone))
    deadline = time.monotonic() + OFFICER_SIGN_IN_S
    sent = api(page, "POST", "/api/account/otp", {"phone": phone})
    while sent["status"] != 202:
        assert sent["status"] == 429 and time.monotonic() < deadline, sent
        time.sleep(min(65, sent["body"]["error"]["details"].get("retry_after", 5)))
        sent = api(page, "POST", "/api/account/otp", {"phone": phone})
    verified = api(page, "POST", "/api/account/otp/verify", {"phone": phone, "code": latest_code(phone, before + 1)})
    assert verified["status"] == 200 and verified["body"]["role"] == "officer", verified
    yield page
    ctx.close()


def make_late(emulator_url: str, code: str) -> None:
    """Move the application's due moment to yesterday in the emulated table."""
    table = boto3.client("dynamodb", endpoint_url=emulator_url, region_name=REGION,
                         aws_access_key_id="local", aws_secret_access_key="local")
    due_at = datetime.now(UTC) - timedelta(days=1)
    table.update_item(
        TableName=APPLICATIONS_TABLE,
        Key={"application_id": {"S": code}},
        UpdateExpression="SET due_at = :at, due_date = :day",
        ExpressionAttributeValues={":at": {"S": UTCDateTimeAttribute().serialize(due_at)},
                                   ":day": {"S": due_at.date().isoformat()}},
    )


def test_officer_sends_the_apology_of_a_late_application_and_the_citizen_sees_the_new_date(
    page: Page,
    officer_page: Page,
    stack_url: str,
    emulator_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    citizen(page)
    code = submit_by_api(page, api)["code"]
    make_late(emulator_url, code)

    officer = officer_page
    officer.goto(f"{stack_url}/officer/application?code={code}")
    panel = officer.locator(".desk-apology")
    expect(panel).to_contain_text("Hồ sơ đã quá hạn")
    expect(officer.get_by_text("Không có thao tác nào cho hồ sơ ở bước này.")).to_be_visible()
    form = officer.locator('form[data-form="apology"]')
    send = form.get_by_role("button", name="Gửi thư xin lỗi")
    form.get_by_label("Hẹn lại sau bao nhiêu ngày làm việc").fill("31")
    send.click()
    expect(form.locator('[data-field="reason"] .field__error')).to_have_text("Vui lòng ghi lý do.")
    expect(form.locator('[data-field="working_days"] .field__error')).to_have_text("Vui lòng nhập số ngày từ 1 đến 30.")
    assert_fits_small_screen(officer)
    form.get_by_label("Lý do chậm trả kết quả").fill(REASON)
    form.get_by_label("Hẹn lại sau bao nhiêu ngày làm việc").fill("5")
    send.click()

    given = officer.locator(".desk-apology-given")
    expect(given).to_contain_text(re.compile(r"Hẹn lại: \d{2}/\d{2}/\d{4}"))
    expect(given).to_contain_text(REASON)
    expect(officer.locator(".desk-apology")).to_have_count(0)
    expect(officer.locator('.desk-actions > button[data-action="accept"]')).to_be_visible()
    saved = api(officer, "GET", f"{STATUS}/{code}")["body"]
    assert saved["apology_required"] is False and saved["apology"]["working_days"] == 5, saved
    year, month, day = saved["apology"]["new_due_date"].split("-")
    new_date = f"{day}/{month}/{year}"
    expect(given).to_contain_text(new_date)
    assert_fits_small_screen(officer)

    page.goto(f"{stack_url}/application?code={code}")
    letter = page.locator(".case__apology")
    expect(letter.locator(".case__apology-date")).to_have_text(f"Hẹn lại: {new_date}")
    expect(letter).to_contain_text(REASON)
    expect(page.locator('.timeline__item[data-kind="apology"]')).to_contain_text("Xã gửi thư xin lỗi")
    assert_fits_small_screen(page)

    # Approved but unpaid: the result cannot be released yet, and the officer is told why.
    for step, badge in (("accept", "Đã tiếp nhận"), ("start_review", "Đang thẩm định"), ("approve", "Đã duyệt")):
        officer.locator(f'.desk-actions > button[data-action="{step}"]').click()
        expect(officer.locator(".desk-head .desk-badge--status")).to_have_text(badge)
    expect(officer.locator(".desk-payment-wait")).to_have_text(re.compile("^Chờ người dân nộp lệ phí"))
    expect(officer.locator('.desk-actions > button[data-action="mark_result_ready"]')).to_have_count(0)
    assert_fits_small_screen(officer)


def test_citizen_rates_a_withdrawn_application_and_sees_the_thanks_and_the_officer_sees_the_rating(
    page: Page,
    officer_page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    citizen(page)
    code = submit_by_api(page, api)["code"]
    version = api(page, "GET", f"{STATUS}/{code}")["body"]["version"]
    withdrawn = api(page, "POST", f"{STATUS}/{code}/actions", {"action": "withdraw", "version": version})
    assert withdrawn["status"] == 200, withdrawn

    page.goto(f"{stack_url}/application?code={code}")
    card = page.locator(".case-rate")
    expect(card).to_contain_text("Bạn có hài lòng với việc giải quyết hồ sơ này không?")
    expect(card.locator('input[type="radio"]')).to_have_count(5)
    send = card.get_by_role("button", name="Gửi đánh giá")
    send.click()
    expect(card.locator('[data-field="level"] .field__error')).to_have_text("Vui lòng chọn một mức.")
    card.get_by_label("Hài lòng", exact=True).check()
    card.get_by_label("Lý do khác", exact=True).check()
    send.click()
    expect(card.locator('[data-field="other"] .field__error')).to_have_text("Vui lòng ghi lý do khác.")
    card.get_by_label("Thủ tục dễ thực hiện").check()
    card.get_by_label("Lý do khác của bạn").fill("Cán bộ hướng dẫn qua điện thoại rất rõ.")
    assert_fits_small_screen(page)
    send.click()

    thanks = page.locator(".case-rate")
    expect(thanks.locator(".case-rate__title")).to_have_text("Cảm ơn bạn đã đánh giá")
    expect(thanks.locator(".case-rate__level")).to_have_text("Bạn đã chọn: Hài lòng")
    rating = api(page, "GET", f"{STATUS}/{code}")["body"]["rating"]
    assert rating["level"] == 4 and rating["reasons"] == ["easy", "other"], rating
    assert_fits_small_screen(page)

    # Within 7 days the citizen may change it.
    thanks.get_by_role("button", name="Đổi đánh giá").click()
    thanks.get_by_label("Rất hài lòng").check()
    thanks.get_by_role("button", name="Gửi đánh giá").click()
    expect(page.locator(".case-rate__level")).to_have_text("Bạn đã chọn: Rất hài lòng")
    assert api(page, "GET", f"{STATUS}/{code}")["body"]["rating"]["level"] == 5

    officer_page.goto(f"{stack_url}/officer/application?code={code}")
    seen = officer_page.locator(".desk-rating")
    expect(seen.locator("[data-level]")).to_have_text("Rất hài lòng")
    expect(seen).to_contain_text("Thủ tục dễ thực hiện, Lý do khác")
    expect(seen).to_contain_text("Cán bộ hướng dẫn qua điện thoại rất rõ.")
