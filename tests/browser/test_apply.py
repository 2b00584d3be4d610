"""Applying for a marital-status certificate on a phone: the form, the papers, where and how, the review,
the receipt; drafts that survive reloads and lost connections; an outbox that sends once.

Each test signs in a new citizen (their own phone number) against the local stack. Offline moments use
Playwright's `set_offline`, which the app sees as the phone losing its connection.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from playwright.sync_api import BrowserContext, Locator, Page, expect

pytestmark = pytest.mark.browser

PROCEDURE = "marital-status-certificate"
APPLICATIONS = "/api/submit/applications"
PURPOSE = "Bạn cần giấy này để làm gì?"
STATUS = "Tình trạng hôn nhân hiện nay"
SAVED = "Đã lưu trên điện thoại"
# A slow uplink (bytes/s): a 60 KB page takes seconds, so the test can cut the connection half way.
SLOW_UPLOAD = {"offline": False, "latency": 20, "downloadThroughput": 1_000_000, "uploadThroughput": 12_000}
CODE = re.compile(r"^[A-Z]{2}-\d{4}-[0-9A-Z]{6}$")
DRAFT_JS = """async (id) => (await import('/js/db.js')).getDraft(id)"""
# Counts the service worker's "send the outbox" requests to the page (Background Sync wake-ups).
WATCH_WAKE_UPS_JS = """() => {
  window.wakeUps = 0;
  navigator.serviceWorker.addEventListener('message', (event) => {
    if (event.data && event.data.type === 'FLUSH_OUTBOX') window.wakeUps += 1;
  });
}"""


def control_in(page: Page, name: str) -> Locator:
    """The field wrapper whose label or legend is `name` (for its error line)."""
    return page.locator("[data-field]").filter(has=page.get_by_text(name, exact=False)).first


def field_error(page: Page, path: str) -> Locator:
    """The error line of the field with the server's dotted `path`."""
    return page.locator(f'[data-field="{path}"] > .field__error')


def open_form(page: Page, stack_url: str) -> None:
    """From the home screen, the procedure's "apply" button, up to its first step."""
    page.goto(f"{stack_url}/")
    page.locator(f'[data-procedure-id="{PROCEDURE}"]').get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Bước 1/4")).to_be_visible()


def answer_for_a_loan(page: Page) -> None:
    """The shortest valid answers: a bank loan, never married."""
    page.get_by_label("Vay vốn ngân hàng").check()
    page.get_by_label("Chưa đăng ký kết hôn với ai").check()


def on_the_papers_step(context: BrowserContext, stack_url: str, citizen: Callable[[Page], object]) -> Page:
    """A signed-in citizen's new page, controlled by the service worker, on step 2 of a loan application."""
    page = context.new_page()
    citizen(page)
    open_form(page, stack_url)
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    answer_for_a_loan(page)
    next_step(page, 2)
    return page


def next_step(page: Page, step: int) -> None:
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", name=f"Bước {step}/4")).to_be_visible()


def slot(page: Page, slot_id: str) -> Locator:
    return page.locator(f'[data-slot="{slot_id}"]')


def upload_page(page: Page, slot_id: str, file: Path) -> None:
    """Pick a photo from the gallery for a slot, as people do with photos they already took."""
    slot(page, slot_id).get_by_label(re.compile("^Chọn ảnh có sẵn")).set_input_files(file)


def pages_uploaded(page: Page, slot_id: str, count: int) -> None:
    expect(slot(page, slot_id).locator(".page")).to_have_count(count)
    expect(slot(page, slot_id).locator('.page[data-upload="done"]')).to_have_count(count)


def my_applications(page: Page, api: Callable[..., dict]) -> list[dict]:
    answer = api(page, "GET", f"{APPLICATIONS}?limit=50")
    assert answer["status"] == 200, answer
    return answer["body"]["applications"]


def draft_id(page: Page) -> str:
    return page.locator(".apply").get_attribute("data-draft-id")


def test_draft_survives_a_reload_and_an_offline_reload_and_is_listed_on_drafts(
    page: Page, context: BrowserContext, stack_url: str, citizen: Callable[[Page], object]
) -> None:
    citizen(page)
    open_form(page, stack_url)
    page.get_by_role("radio", name="Mục đích khác", exact=True).check()
    other = page.get_by_label("Mục đích khác (ghi rõ)")
    other.fill("Làm hồ sơ xin việc")
    page.get_by_label("Những nơi đã thường trú trước đây").fill("Xã Tân Hòa, An Giang (2015-2020)")
    expect(page.get_by_text(SAVED)).to_be_visible()
    expect(page).to_have_url(re.compile(r"/apply\?draft=[0-9a-f-]{36}&step=1$"))
    page.wait_for_timeout(400)  # the last keystroke's save (debounced 300 ms)

    page.reload()
    expect(other).to_have_value("Làm hồ sơ xin việc")
    expect(page.get_by_role("radio", name="Mục đích khác", exact=True)).to_be_checked()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    # No connection at all: the shell, the form's code and the catalog come from the service worker,
    # the answers from IndexedDB.
    context.set_offline(True)
    page.reload()
    expect(other).to_have_value("Làm hồ sơ xin việc")
    expect(page.get_by_label("Những nơi đã thường trú trước đây")).to_have_value("Xã Tân Hòa, An Giang (2015-2020)")
    page.get_by_label("Chưa đăng ký kết hôn với ai").check()
    page.wait_for_timeout(400)

    page.goto(f"{stack_url}/drafts")
    card = page.locator(".app-card")
    expect(card).to_have_count(1)
    expect(card).to_contain_text("Cấp Giấy xác nhận tình trạng hôn nhân")
    expect(card).to_contain_text("Đang soạn")
    card.get_by_role("link", name="Tiếp tục").click()
    expect(page.get_by_label("Chưa đăng ký kết hôn với ai")).to_be_checked()
    expect(other).to_have_value("Làm hồ sơ xin việc")

    # Deleting asks twice, then the draft is gone for good.
    context.set_offline(False)
    page.goto(f"{stack_url}/drafts")
    card.get_by_role("button", name="Xóa").click()
    card.get_by_role("button", name="Xóa hẳn").click()
    expect(page.get_by_text("Không có hồ sơ nào đang soạn.")).to_be_visible()


def test_form_checks_the_schema_and_shows_the_servers_field_errors_next_to_the_fields(
    page: Page, stack_url: str, citizen: Callable[[Page], object], document_page: Path
) -> None:
    citizen(page)
    open_form(page, stack_url)
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_text("Vui lòng sửa các mục được đánh dấu bên dưới.")).to_be_visible()
    expect(control_in(page, PURPOSE).locator(".field__error")).to_have_text("Vui lòng điền mục này.")
    expect(control_in(page, STATUS).locator(".field__error")).to_have_text("Vui lòng điền mục này.")
    expect(page).to_have_url(re.compile(r"step=1|procedure="))

    # Choosing "to register a marriage" brings its own required questions (visible_when + if/then).
    spouse = page.get_by_label("Họ tên người dự định kết hôn")
    expect(spouse).to_be_hidden()
    page.get_by_label("Để đăng ký kết hôn").check()
    expect(spouse).to_be_visible()
    expect(control_in(page, PURPOSE).locator(".field__error")).to_be_hidden()
    spouse.fill("A")
    page.get_by_label("Năm sinh của người đó").fill("1850")
    page.get_by_label("Chưa đăng ký kết hôn với ai").check()
    page.get_by_role("button", name="Tiếp tục").click()
    expect(field_error(page, "answers.intended_spouse_name")).to_have_text("Quá ngắn.")
    expect(field_error(page, "answers.intended_spouse_birth_year")).to_have_text("Giá trị quá nhỏ.")
    expect(field_error(page, "answers.intended_spouse_nationality")).to_have_text("Vui lòng điền mục này.")
    expect(spouse).to_be_focused()

    spouse.fill("Trần Văn Minh")
    page.get_by_label("Năm sinh của người đó").fill("1996")
    page.get_by_label("Quốc tịch của người đó").fill("Việt Nam")
    page.get_by_label("Nơi dự định đăng ký kết hôn").fill("UBND xã Tân Hòa, tỉnh An Giang")
    next_step(page, 2)
    # The ID card needs at least one page: the documents step checks that too.
    page.get_by_role("button", name="Tiếp tục").click()
    expect(field_error(page, "documents.id_card")).to_have_text("Chưa đủ số trang cần có. Hãy chụp giấy tờ này.")
    upload_page(page, "id_card", document_page)
    pages_uploaded(page, "id_card", 1)
    next_step(page, 3)
    page.get_by_label("Nhận tại bộ phận một cửa").check()
    next_step(page, 4)

    # The server refuses: first for a missing profile (the draft is kept), then for a field.
    refusals = [
        (409, {"error": {"code": "profile_required", "message": "", "details": {}}}),
        (422, {"error": {"code": "validation_failed", "message": "", "details": {
            "fields": {"answers.marriage_place": "too_short"}}}}),
    ]
    page.route(f"**{APPLICATIONS}", lambda route: route.fulfill(status=refusals[0][0], json=refusals.pop(0)[1]))
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("alert")).to_contain_text("Vui lòng điền thông tin cá nhân trước khi nộp hồ sơ")
    expect(page.get_by_role("link", name="Điền thông tin cá nhân")).to_have_attribute("href", "/profile")
    expect(page.get_by_role("heading", name="Bước 4/4")).to_be_visible()

    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Bước 1/4")).to_be_visible()
    expect(page.get_by_text("Hồ sơ chưa được tiếp nhận")).to_be_visible()
    expect(field_error(page, "answers.marriage_place")).to_have_text("Quá ngắn.")
    expect(page.get_by_label("Nơi dự định đăng ký kết hôn")).to_have_value("UBND xã Tân Hòa, tỉnh An Giang")


def test_whole_journey_with_the_camera_a_broken_upload_and_one_application_in_the_end(
    camera_context: BrowserContext,
    stack_url: str,
    new_phone,
    request_code: Callable[..., None],
    latest_code: Callable[..., str],
    document_page: Path,
    api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    page = camera_context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))

    # Signed out: applying leads through signing in and the profile, then back to the form.
    open_home_and_tap_apply(page, stack_url)
    expect(page).to_have_url(f"{stack_url}/sign-in")
    request_code(page, new_phone)
    page.get_by_label("Mã xác thực").fill(latest_code(new_phone.e164))
    page.get_by_role("button", name="Xác nhận").click()
    expect(page).to_have_url(f"{stack_url}/profile")
    fill_profile(page)
    page.get_by_role("button", name="Lưu thông tin").click()
    expect(page.get_by_role("heading", name="Bước 1/4")).to_be_visible()
    expect(page.get_by_text("Đã lưu thông tin của bạn.")).to_be_visible()

    answer_for_a_loan(page)
    assert_fits_small_screen(page)
    next_step(page, 2)

    # The ID card's front through the in-page camera (Chromium's fake camera films the document page).
    card = slot(page, "id_card")
    card.get_by_role("button", name="Chụp ảnh").click()
    card.get_by_role("button", name="Chụp", exact=True).click()
    expect(card.locator(".page")).to_have_count(1)
    expect(card.locator(".page__size").first).to_have_text(re.compile(r"\d+ KB → \d+ KB"))
    expect(card.locator('.page[data-upload="done"]')).to_have_count(1)
    expect(card.locator(".page__thumb").first).to_be_visible()

    # The back from the gallery, on a slow link cut half way through: the bar stops, then finishes.
    cdp = camera_context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", SLOW_UPLOAD)
    upload_page(page, "id_card", document_page)
    back = card.locator(".page").nth(1)
    progress = back.locator("progress")
    page.wait_for_function(
        "(bar) => bar && bar.value > 0 && bar.value < bar.max && bar.max > 1000", arg=progress.element_handle()
    )
    # Offline for the page (navigator.onLine) and for the throttled request already on its way.
    camera_context.set_offline(True)
    cdp.send("Network.emulateNetworkConditions", {**SLOW_UPLOAD, "offline": True})
    expect(back.locator(".page__status")).to_contain_text("Chưa có mạng")
    expect(progress).to_have_js_property("value", 0)
    cdp.send("Network.emulateNetworkConditions", {**SLOW_UPLOAD, "uploadThroughput": -1, "latency": 0})
    camera_context.set_offline(False)
    pages_uploaded(page, "id_card", 2)
    assert_fits_small_screen(page)
    next_step(page, 3)

    # The home commune (from the profile) handles it by default; the result is collected at the counter.
    handling = page.get_by_role("group", name="Xã/phường giải quyết hồ sơ")
    expect(handling.get_by_role("combobox", name="Xã/phường")).to_have_value("Xã Kiến Xương")
    page.get_by_label("Nhận tại bộ phận một cửa").check()
    next_step(page, 4)
    expect(page.locator(".fee-box__amount")).to_have_text(re.compile(r"3\.000\s*₫"))
    expect(page.locator(".review")).to_contain_text("2 trang")
    assert_fits_small_screen(page)
    page.get_by_role("button", name="Nộp hồ sơ").click()

    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    code = page.locator(".receipt__code").inner_text()
    assert CODE.match(code), code
    expect(page.get_by_role("img", name=f"Mã QR của hồ sơ {code}")).to_be_visible()
    expect(page.locator(".receipt__due")).to_contain_text("tháng")
    expect(page.locator(".receipt")).to_contain_text("Xã Kiến Xương")
    expect(page.locator(".receipt")).to_contain_text("3.000")
    assert_fits_small_screen(page)

    # Exactly one application, and sending the same draft again (as a retry would) changes nothing.
    applications = my_applications(page, api)
    assert [app["code"] for app in applications] == [code]
    draft = page.evaluate(DRAFT_JS, page.url.split("draft=")[1])
    body = page.evaluate("async (draft) => (await import('/js/outbox.js')).submissionBody(draft)", draft)
    again = api(page, "POST", APPLICATIONS, body, {"Idempotency-Key": draft["idempotencyKey"]})
    assert again["status"] == 201 and again["body"]["application"]["code"] == code
    assert [app["code"] for app in my_applications(page, api)] == [code]

    page.get_by_role("link", name="Xem hồ sơ của tôi").click()
    expect(page.locator(f'[data-code="{code}"]')).to_contain_text("Đã nộp, chờ tiếp nhận")
    assert problems == []


def test_offline_submission_waits_on_the_phone_and_is_sent_once_when_the_app_opens_again(
    context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    document_page: Path,
    api: Callable[..., dict],
) -> None:
    page = on_the_papers_step(context, stack_url, citizen)

    # The connection drops: the photo is kept on the phone and waits.
    context.set_offline(True)
    upload_page(page, "id_card", document_page)
    expect(slot(page, "id_card").locator(".page__status")).to_contain_text("Chưa có mạng")
    next_step(page, 3)
    page.get_by_label("Nhận bản điện tử").check()
    next_step(page, 4)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_text("Đang chờ gửi")).to_be_visible()
    expect(page.get_by_text("sẽ tự gửi khi có mạng")).to_be_visible()
    queued = draft_id(page)

    page.get_by_role("link", name="Hồ sơ của tôi").click()
    page.get_by_role("link", name="Đang soạn", exact=True).click()
    expect(page.locator(f'[data-draft-id="{queued}"]')).to_contain_text("Đang chờ gửi")

    # The app is closed while offline; the connection returns; the next start sends the draft, once.
    page.close()
    context.set_offline(False)
    again = context.new_page()
    again.goto(f"{stack_url}/drafts")
    expect(again.get_by_text("Không có hồ sơ nào đang soạn.")).to_be_visible()
    applications = my_applications(again, api)
    assert len(applications) == 1
    assert applications[0]["delivery"] == {"method": "electronic"}
    assert len(applications[0]["documents"]["id_card"]) == 1

    # Its receipt is on the phone too.
    again.goto(f"{stack_url}/receipt?draft={queued}")
    expect(again.locator(".receipt__code")).to_have_text(applications[0]["code"])
    # A second start finds nothing left to send: still one application.
    again.reload()
    again.wait_for_timeout(1000)
    assert len(my_applications(again, api)) == 1


def open_home_and_tap_apply(page: Page, stack_url: str) -> None:
    page.goto(f"{stack_url}/")
    page.locator(f'[data-procedure-id="{PROCEDURE}"]').get_by_role("link", name="Nộp hồ sơ trực tuyến").click()


def fill_profile(page: Page) -> None:
    """The profile as a new citizen fills it: home commune Kiến Xương (Hưng Yên), living in Hà Nội."""
    page.get_by_label("Họ và tên").fill("Nguyễn Thị Lan")
    page.get_by_label("Ngày sinh").fill("1998-04-12")
    page.get_by_label("Số căn cước (CCCD)").fill("001198001234")
    home = page.get_by_role("group", name="Nơi thường trú")
    home.get_by_role("combobox", name="Xã/phường").fill("kien xuong")
    home.get_by_role("button", name=re.compile("^Xã Kiến Xương")).first.click()
    current = page.get_by_role("group", name="Nơi ở hiện tại")
    current.get_by_role("combobox", name="Tỉnh/thành phố").fill("ha noi")
    current.get_by_role("button", name=re.compile("^Thành phố Hà Nội")).first.click()
    current.get_by_role("combobox", name="Xã/phường").fill("ba dinh")
    current.get_by_role("button", name=re.compile("^Phường Ba Đình")).first.click()
    current.get_by_label("Số nhà, đường, thôn/xóm").fill("Phòng 12, dãy trọ số 3")


def test_background_sync_wakes_the_open_app_to_send_what_waits_in_the_outbox(
    context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    document_page: Path,
    api: Callable[..., dict],
    service_worker_session: Callable[..., tuple],
) -> None:
    page = on_the_papers_step(context, stack_url, citizen)
    upload_page(page, "id_card", document_page)
    pages_uploaded(page, "id_card", 1)
    next_step(page, 3)
    page.get_by_label("Nhận tại bộ phận một cửa").check()
    next_step(page, 4)

    # Offline at "submit", then back on a link where the API cannot be reached: the app's own retries
    # fail and back off, so only the worker's sync event can send it in the next seconds.
    context.set_offline(True)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_text("Đang chờ gửi")).to_be_visible()
    page.route(f"**{APPLICATIONS}", lambda route: route.abort("internetdisconnected"))
    page.evaluate(WATCH_WAKE_UPS_JS)
    context.set_offline(False)
    page.wait_for_timeout(1500)  # the `online` event's attempt fails against the dead route
    expect(page.get_by_text("Đang chờ gửi")).to_be_visible()
    assert my_applications(page, api) == []
    page.unroute(f"**{APPLICATIONS}")

    # Chromium fires the registered sync by itself once the connection is back (and retries a failed one
    # minutes later); dispatching it through DevTools makes the test independent of that timing.
    cdp, registration = service_worker_session(context, page)
    cdp.send(
        "ServiceWorker.dispatchSyncEvent",
        {"origin": stack_url, "registrationId": registration, "tag": "motcua-outbox", "lastChance": False},
    )
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible(timeout=15_000)
    assert page.evaluate("window.wakeUps") >= 1  # it was the worker that asked
    assert len(my_applications(page, api)) == 1


def test_signing_out_deletes_this_users_drafts_and_photos_from_the_phone(
    context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    document_page: Path,
) -> None:
    page = on_the_papers_step(context, stack_url, citizen)
    upload_page(page, "id_card", document_page)
    pages_uploaded(page, "id_card", 1)
    user_id = page.evaluate("async () => (await import('/js/session.js')).currentUserId()")
    list_drafts = "async (id) => (await import('/js/db.js')).listDrafts(id)"
    assert len(page.evaluate(list_drafts, user_id)) == 1

    page.goto(f"{stack_url}/profile")
    expect(page.get_by_text("Đăng xuất cũng xóa các hồ sơ chưa gửi")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất", exact=True).click()
    expect(page).to_have_url(f"{stack_url}/")
    assert page.evaluate(list_drafts, user_id) == []
    blobs = page.evaluate("""() => new Promise((resolve) => {
      const open = indexedDB.open('motcua');
      open.onsuccess = () => {
        const names = [...open.result.objectStoreNames];
        const tx = open.result.transaction(names, 'readonly');
        const counts = {};
        names.forEach((name) => {
          tx.objectStore(name).count().onsuccess = (e) => { counts[name] = e.target.result; };
        });
        tx.oncomplete = () => resolve(counts);
      };
    })""")
    assert sum(blobs.values()) == 0, blobs
