"""Signing up and in with a phone number and an SMS code, the profile, the officer view, signing out.

Codes are read from the SMS messages the stack sends to its AWS emulator. The server allows one code
a minute per number, so the two tests that need a second code for the same number wait for it.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

pytestmark = pytest.mark.browser

COOLDOWN_S = 60
NUMBER_IN_TEXT = re.compile(r"(\d+) giây")
DAILY_LIMIT = {
    "error": {
        "code": "otp_rate_limited",
        "message": "daily limit",
        "details": {"retry_after": 3 * 3600 + 12 * 60, "limit": "number_daily"},
    }
}
PROFILE = {
    "Họ và tên": "Nguyễn Thị Lan",
    "Ngày sinh": "1998-04-12",
    # 001: Hà Nội; 1: a woman born in the 1900s; 98: 1998.
    "Số căn cước (CCCD)": "001198001234",
}
STREET = "Phòng 12, dãy trọ số 3, đường Nguyễn Văn Linh"


def wait_out_cooldown(page: Page, code_sent_at: float) -> None:
    """Wait until the server allows another code for the same number (one a minute)."""
    left = COOLDOWN_S + 1 - (time.monotonic() - code_sent_at)
    if left > 0:
        page.wait_for_timeout(left * 1000)


def seconds_shown(text: str) -> int:
    return int(NUMBER_IN_TEXT.search(text).group(1))


def pick(group: Locator, field: str, typed: str, option: str) -> None:
    """Type into one of a place's search boxes and tap the suggestion."""
    group.get_by_role("combobox", name=field).fill(typed)
    group.get_by_role("button", name=re.compile(f"^{option}")).first.click()


def fill_profile(page: Page) -> None:
    for label, value in PROFILE.items():
        page.get_by_label(label).fill(value)
    home = page.get_by_role("group", name="Nơi thường trú")
    # Typed without diacritics; choosing the commune fills in its province.
    pick(home, "Xã/phường", "kien xuong", "Xã Kiến Xương")
    expect(home.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value("Hưng Yên")
    current = page.get_by_role("group", name="Nơi ở hiện tại")
    pick(current, "Tỉnh/thành phố", "ha noi", "Thành phố Hà Nội")
    pick(current, "Xã/phường", "ba dinh", "Phường Ba Đình")
    current.get_by_label("Số nhà, đường, thôn/xóm").fill(STREET)


def expect_saved_profile(page: Page) -> None:
    for label, value in PROFILE.items():
        expect(page.get_by_label(label)).to_have_value(value)
    home = page.get_by_role("group", name="Nơi thường trú")
    expect(home.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value("Hưng Yên")
    expect(home.get_by_role("combobox", name="Xã/phường")).to_have_value("Xã Kiến Xương")
    current = page.get_by_role("group", name="Nơi ở hiện tại")
    expect(current.get_by_role("combobox", name="Tỉnh/thành phố")).to_have_value("Thành phố Hà Nội")
    expect(current.get_by_role("combobox", name="Xã/phường")).to_have_value("Phường Ba Đình")
    expect(current.get_by_label("Số nhà, đường, thôn/xóm")).to_have_value(STREET)


def test_new_citizen_signs_up_fills_the_profile_and_finds_it_again_after_signing_back_in(
    page: Page,
    stack_url: str,
    new_phone,
    latest_code: Callable[..., str],
    sign_in: Callable[..., None],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    # The server's Content-Security-Policy reports inline code or styles as console errors.
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.set_viewport_size({"width": 320, "height": 640})
    page.goto(f"{stack_url}/")
    page.get_by_role("link", name="Đăng nhập").click()
    phone = page.get_by_label("Số điện thoại")
    expect(phone).to_have_attribute("type", "tel")
    expect(phone).to_have_attribute("autocomplete", "tel")
    assert_fits_small_screen(page)
    phone.fill(new_phone.local)  # local format with spaces, as people write it
    page.get_by_role("button", name="Gửi mã qua SMS").click()

    expect(page).to_have_url(f"{stack_url}/sign-in/code")
    code_sent_at = time.monotonic()
    expect(page.get_by_text(f"đến số {new_phone.local}")).to_be_visible()
    code = page.get_by_label("Mã xác thực")
    expect(code).to_have_attribute("autocomplete", "one-time-code")
    expect(code).to_have_attribute("inputmode", "numeric")
    assert_fits_small_screen(page)
    code.fill(latest_code(new_phone.e164))
    page.get_by_role("button", name="Xác nhận").click()

    # A new citizen has no profile yet: straight to it.
    expect(page).to_have_url(f"{stack_url}/profile")
    expect(page.get_by_role("heading", name="Thông tin cá nhân")).to_be_visible()
    expect(page.get_by_text("không phải là xác minh danh tính")).to_be_visible()
    fill_profile(page)
    page.get_by_role("group", name="Nơi thường trú").get_by_role("combobox", name="Tỉnh/thành phố").focus()
    expect(page.get_by_role("button", name="Hưng Yên")).to_be_visible()
    assert_fits_small_screen(page)  # with a list of suggestions open
    page.keyboard.press("Escape")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Đã lưu thông tin của bạn.")).to_be_visible()
    page.reload()
    expect_saved_profile(page)

    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page).to_have_url(f"{stack_url}/")
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()
    expect(page.get_by_role("link", name="Đăng nhập")).to_be_visible()
    page.goto(f"{stack_url}/profile")
    expect(page).to_have_url(f"{stack_url}/sign-in")

    wait_out_cooldown(page, code_sent_at)
    sign_in(page, new_phone, count=2)
    # The profile is complete now: home, with the account button leading to it.
    expect(page).to_have_url(f"{stack_url}/")
    page.get_by_role("link", name="Tài khoản").click()
    expect(page).to_have_url(f"{stack_url}/profile")
    expect_saved_profile(page)
    assert problems == []


def test_profile_errors_from_the_server_are_shown_next_to_their_fields(
    page: Page, stack_url: str, new_phone, sign_in: Callable[..., None]
) -> None:
    sign_in(page, new_phone)
    fill_profile(page)
    # An empty name breaks the API document: the request check answers it first, on its field.
    page.get_by_label("Họ và tên").fill("")
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_text("Vui lòng sửa các mục được đánh dấu bên trên.")).to_be_visible()
    name_field = page.locator('[data-field="full_name"]')
    expect(name_field.locator(".field__error")).to_have_text("Vui lòng điền mục này.")
    expect(page.get_by_label("Họ và tên")).to_be_focused()
    # 1999 does not match the birth year the CCCD number encodes (1998): a rule only the server knows.
    page.get_by_label("Họ và tên").fill("Nguyễn Văn An")
    page.get_by_label("Ngày sinh").fill("1999-04-12")
    page.get_by_role("button", name="Lưu thông tin").click()
    id_error = page.locator('[data-field="citizen_id"] .field__error')
    expect(id_error).to_contain_text("không khớp với năm sinh")
    expect(name_field.locator(".field__error")).to_be_hidden()
    page.get_by_role("button", name="English").click()
    expect(id_error).to_contain_text("does not match the year of birth")


def test_demo_officer_lands_on_the_officer_view_listing_the_assigned_commune(
    page: Page, stack_url: str, demo_officer_phone, sign_in: Callable[..., None]
) -> None:
    sign_in(page, demo_officer_phone)
    expect(page).to_have_url(f"{stack_url}/officer")
    expect(page.get_by_role("heading", name="Trang cán bộ")).to_be_visible()
    commune = page.locator('[data-commune="13075"]')
    expect(commune).to_contain_text("Xã Kiến Xương")
    expect(commune).to_contain_text("Hưng Yên")
    expect(page.locator(".commune-list__item")).to_have_count(1)
    expect(page.get_by_role("heading", name="Hàng đợi hồ sơ")).to_be_visible()
    expect(page.get_by_text("Chưa có hồ sơ nào cần xử lý.")).to_be_visible()
    page.goto(f"{stack_url}/")
    page.get_by_role("link", name="Tài khoản").click()
    expect(page).to_have_url(f"{stack_url}/officer")


def test_wrong_code_says_how_many_tries_are_left_and_the_fifth_asks_for_a_new_code(
    page: Page,
    new_phone,
    request_code: Callable[..., None],
    latest_code: Callable[..., str],
) -> None:
    request_code(page, new_phone)
    wrong = f"{(int(latest_code(new_phone.e164)) + 1) % 1_000_000:06d}"
    code = page.get_by_label("Mã xác thực")
    confirm = page.get_by_role("button", name="Xác nhận")
    error = page.locator('[data-field="code"] .field__error')

    code.fill("123")
    confirm.click()
    expect(error).to_have_text("Vui lòng nhập đủ 6 chữ số của mã.")

    for left in (4, 3, 2, 1):
        code.fill(wrong)
        confirm.click()
        expect(error).to_have_text(f"Mã chưa đúng. Bạn còn {left} lần thử.")
        expect(code).to_have_attribute("aria-invalid", "true")

    # The fifth wrong try kills the code: the app explains and points to a new one.
    code.fill(wrong)
    confirm.click()
    expect(page.get_by_role("alert")).to_have_text(re.compile("nhập sai mã quá 5 lần.*Gửi lại mã"))
    expect(code).to_have_value("")
    expect(page.get_by_role("button", name="Gửi lại mã")).to_be_visible()


def test_code_screen_counts_down_to_resend_and_a_refused_request_says_how_long_to_wait(
    page: Page, stack_url: str, new_phone, request_code: Callable[..., None]
) -> None:
    request_code(page, new_phone)
    resend = page.get_by_role("button", name="Gửi lại mã")
    countdown = page.get_by_text(re.compile(r"Bạn có thể yêu cầu mã mới sau \d+ giây"))
    expect(resend).to_be_disabled()
    first = seconds_shown(countdown.inner_text())
    assert 50 <= first <= COOLDOWN_S
    page.wait_for_timeout(2_100)
    assert seconds_shown(countdown.inner_text()) < first

    # A reload on the code screen keeps the number and the countdown.
    page.reload()
    expect(page.get_by_text(f"đến số {new_phone.local}")).to_be_visible()
    expect(resend).to_be_disabled()
    assert seconds_shown(countdown.inner_text()) < first

    # Asking again within the minute: the server refuses and the app says how long to wait.
    page.get_by_role("link", name="Đổi số điện thoại").click()
    expect(page.get_by_label("Số điện thoại")).to_have_value(new_phone.local)
    page.get_by_role("button", name="Gửi mã qua SMS").click()
    alert = page.get_by_role("alert")
    expect(alert).to_contain_text(re.compile(r"Mã vừa được gửi đến số này\. Vui lòng đợi \d+ giây"))
    expect(page).to_have_url(f"{stack_url}/sign-in")

    # Five codes a day per number: the wait is hours away, in hours and minutes, in either language.
    page.route("**/api/account/otp", lambda route: route.fulfill(status=429, json=DAILY_LIMIT))
    page.get_by_role("button", name="Gửi mã qua SMS").click()
    expect(alert).to_contain_text("Vui lòng đợi 3 giờ 12 phút")
    page.get_by_role("button", name="English").click()
    expect(alert).to_contain_text("Please wait 3 hours 12 minutes")


def test_signing_out_of_all_devices_signs_out_the_other_phone_on_its_next_request(
    page: Page,
    other_context: BrowserContext,
    stack_url: str,
    new_phone,
    sign_in: Callable[..., None],
) -> None:
    sign_in(page, new_phone)
    code_sent_at = time.monotonic()
    other = other_context.new_page()
    wait_out_cooldown(other, code_sent_at)
    sign_in(other, new_phone, count=2)
    expect(other).to_have_url(f"{stack_url}/profile")
    # The other phone has drawn its screen (its own requests done) before this one signs out everywhere.
    expect(other.get_by_label("Họ và tên")).to_be_visible()

    page.get_by_role("button", name="Đăng xuất khỏi mọi thiết bị").click()
    expect(page).to_have_url(f"{stack_url}/")
    expect(page.get_by_text("Bạn đã đăng xuất khỏi mọi thiết bị.")).to_be_visible()

    # The other phone still shows its screen; its next request finds the session gone.
    other.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    other.get_by_role("button", name="Lưu thông tin").click()
    expect(other).to_have_url(f"{stack_url}/sign-in")
    expect(other.get_by_text("Vui lòng đăng nhập để tiếp tục.")).to_be_visible()
    expect(other.get_by_role("link", name="Đăng nhập")).to_be_visible()
    other.reload()
    expect(other.get_by_role("link", name="Đăng nhập")).to_be_visible()
