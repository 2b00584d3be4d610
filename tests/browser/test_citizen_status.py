"""Following an application as its citizen, on a phone: the progress screen, the supplement loop with a
commune officer (who acts through the status API), a push notice shown by the service worker, the offer
to turn notices on after the first submission, the inbox, and the public lookup by code and phone.

Each test signs in a new citizen against the local stack. The demo officer of Xã Kiến Xương signs in once
for the module, through the account API, and acts through the status API as the officer console would.
"""

from __future__ import annotations

import base64
import io
import re
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from PIL import Image, ImageDraw
from playwright.sync_api import Browser, BrowserContext, Page, Request, expect

from tests.push_service import FakePushService

pytestmark = pytest.mark.browser

PROCEDURE = "marital-status-certificate"
STATUS = "/api/status/applications"
SUBSCRIPTIONS = "/api/status/push/subscriptions"
ID_CARD = "Căn cước / CCCD của người yêu cầu"
REASON = "Ảnh mặt sau bị mờ, không đọc được số căn cước."
NARROW = {"width": 320, "height": 640}
# The stack's outbox loop runs every second; three notices may wait for each other on a busy machine.
PUSH_WAIT_S = 20
# An officer may have to wait out the number's 60 s between codes if another test just signed them in.
OFFICER_SIGN_IN_S = 90
# A subscription as the browser would make it (the RFC 8291 example keys), for a push service that the
# test never reaches: headless Chromium cannot subscribe for real.
# The stack accepts only real push services, or in local runs the loopback fake: port 9 has no listener,
# so a notice sent there fails on loopback and never leaves the machine.
FAKE_ENDPOINT = "http://127.0.0.1:9/send/test-device"
PUSH_STUB_JS = """(() => {
  if (!('PushManager' in window) || !('Notification' in window)) return;
  let permission = 'default';
  let subscription = null;
  Object.defineProperty(Notification, 'permission', { configurable: true, get: () => permission });
  Notification.requestPermission = async () => {
    window.pushAsks = (window.pushAsks || 0) + 1;
    permission = window.pushAnswer || 'granted';
    return permission;
  };
  PushManager.prototype.getSubscription = async () => subscription;
  PushManager.prototype.subscribe = async (options) => {
    const key = new Uint8Array(options.applicationServerKey);
    window.subscribeOptions = { userVisibleOnly: options.userVisibleOnly, keyLength: key.length, firstByte: key[0] };
    const json = {
      endpoint: 'FAKE_ENDPOINT',
      expirationTime: null,
      keys: {
        p256dh: 'BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4',
        auth: 'BTBZMqHH6r4Tts7J_aSIgg',
      },
    };
    subscription = {
      endpoint: json.endpoint,
      options: { applicationServerKey: key.buffer, userVisibleOnly: true },
      toJSON: () => json,
      unsubscribe: async () => { subscription = null; return true; },
    };
    return subscription;
  };
})();""".replace("FAKE_ENDPOINT", FAKE_ENDPOINT)
NOTIFICATIONS_JS = """async () => {
  const registration = await navigator.serviceWorker.ready;
  return (await registration.getNotifications()).map((n) => ({
    title: n.title, body: n.body, tag: n.tag, lang: n.lang, icon: n.icon, data: n.data,
  }));
}"""
# One verified page through the app's own upload code (presigned POST with progress, then complete).
UPLOAD_JS = """async ([base64, procedureId, slotId]) => {
  const { uploadDocument } = await import('/js/upload.js');
  const bytes = Uint8Array.from(atob(base64), (char) => char.charCodeAt(0));
  const blob = new Blob([bytes], { type: 'image/jpeg' });
  return (await uploadDocument({ procedureId, slotId, blob, contentType: 'image/jpeg' })).document_id;
}"""
IMAGE_LOADED_JS = "(img) => img.complete && img.naturalWidth > 0"


def document_jpeg() -> str:
    """A document-like JPEG (lines of 'text' on white), base64 for the page."""
    image = Image.new("RGB", (900, 1200), "white")
    draw = ImageDraw.Draw(image)
    for y in range(80, 1100, 48):
        draw.rectangle((80, y, 780, y + 18), fill=(40, 40, 40))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return base64.b64encode(out.getvalue()).decode()


def submit_by_api(page: Page, api: Callable[..., dict], delivery: dict | None = None) -> dict:
    """A signed-in citizen's application with one ID-card page, sent as the app's outbox sends it
    (picked up at the commune unless another `delivery` is given)."""
    page_id = page.evaluate(UPLOAD_JS, [document_jpeg(), PROCEDURE, "id_card"])
    body = {
        "procedure_id": PROCEDURE,
        "commune_code": "13075",
        "answers": {"purpose": "property", "marital_status": "never_married", "fee_exemption": "none"},
        "documents": {"id_card": [page_id]},
        "delivery": delivery or {"method": "pickup"},
    }
    sent = api(page, "POST", "/api/submit/applications", body, {"Idempotency-Key": str(uuid.uuid4())})
    assert sent["status"] == 201, sent
    return sent["body"]["application"]


def next_step(page: Page, step: int) -> None:
    """"Tiếp tục", then the next step's heading."""
    page.get_by_role("button", name="Tiếp tục").click()
    expect(page.get_by_role("heading", name=f"Bước {step}/4")).to_be_visible()


def submit_in_the_app(page: Page, stack_url: str, document_page) -> str:
    """Apply for the certificate through the four steps up to the receipt; returns the code."""
    page.goto(f"{stack_url}/")
    page.locator(f'[data-procedure-id="{PROCEDURE}"]').get_by_role("link", name="Nộp hồ sơ trực tuyến").click()
    expect(page.get_by_role("heading", name="Bước 1/4")).to_be_visible()
    page.get_by_label("Vay vốn ngân hàng").check()
    page.get_by_label("Chưa đăng ký kết hôn với ai").check()
    next_step(page, 2)
    papers = page.locator('[data-slot="id_card"]')
    papers.get_by_label(re.compile("^Chọn ảnh có sẵn")).set_input_files(document_page)
    expect(papers.locator('.page[data-upload="done"]')).to_have_count(1)
    next_step(page, 3)
    page.get_by_label("Nhận tại bộ phận một cửa").check()
    next_step(page, 4)
    page.get_by_role("button", name="Nộp hồ sơ").click()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    return page.locator(".receipt__code").inner_text()


@pytest.fixture(scope="module")
def officer(
    browser: Browser,
    stack_url: str,
    demo_officer_phone,
    sms_codes: Callable[[str], list[str]],
    latest_code: Callable[..., str],
    api: Callable[..., dict],
) -> Iterator[Page]:
    """The demo officer of commune 13075, signed in through the account API, on a page of the app's origin."""
    ctx = browser.new_context()
    page = ctx.new_page()
    page.goto(f"{stack_url}/")
    phone = demo_officer_phone.e164
    before = len(sms_codes(phone))
    deadline = time.monotonic() + OFFICER_SIGN_IN_S
    while True:
        sent = api(page, "POST", "/api/account/otp", {"phone": phone})
        if sent["status"] == 202:
            break
        assert sent["status"] == 429 and time.monotonic() < deadline, sent
        time.sleep(min(65, sent["body"]["error"]["details"].get("retry_after", 5)))
    verified = api(page, "POST", "/api/account/otp/verify", {"phone": phone, "code": latest_code(phone, before + 1)})
    assert verified["status"] == 200 and verified["body"]["role"] == "officer", verified
    yield page
    ctx.close()


@pytest.fixture
def officer_acts(officer: Page, api: Callable[..., dict]) -> Callable[..., dict]:
    """`officer_acts(code, action, **details)`: the officer takes one step at the version they read."""

    def act(code: str, action: str, **details: object) -> dict:
        current = api(officer, "GET", f"{STATUS}/{code}")
        assert current["status"] == 200, current
        done = api(officer, "POST", f"{STATUS}/{code}/actions",
                   {"action": action, "version": current["body"]["version"], **details})
        assert done["status"] == 200, done
        return done["body"]

    return act


@pytest.fixture
def push_service() -> Iterator[FakePushService]:
    """A Web Push service on loopback that checks VAPID and decrypts what the stack sends."""
    with FakePushService() as service:
        yield service


def application_screen(page: Page, stack_url: str, code: str) -> None:
    """Open the progress screen of `code` and wait for it."""
    page.goto(f"{stack_url}/application?code={code}")
    expect(page.get_by_role("heading", name="Tiến độ hồ sơ")).to_be_visible()
    expect(page.locator(".case__code")).to_contain_text(code)


def test_application_screen_and_the_supplement_loop_with_a_push_notice_in_between(
    camera_context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    officer_acts: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
    push_service: FakePushService,
    service_worker_session: Callable[..., tuple],
    pay_fee: Callable[..., None],
) -> None:
    page = camera_context.new_page()
    problems: list[str] = []
    page.on("pageerror", lambda error: problems.append(str(error)))
    citizen(page)
    camera_context.grant_permissions(["notifications"], origin=stack_url)
    app = submit_by_api(page, api)
    code = app["code"]
    # The phone's push subscription points at a push service on loopback, which the stack's own dispatcher
    # (the outbox loop of `make run`) must reach with a VAPID-signed, aes128gcm-encrypted message.
    phone_browser = push_service.browser()
    subscribed = api(page, "POST", SUBSCRIPTIONS, {"subscription": phone_browser.subscription(), "lang": "vi"})
    assert subscribed["status"] == 201, subscribed

    # Status in words, the due date in Vietnam's time, who handles it, the fee, the papers, the history.
    application_screen(page, stack_url, code)
    expect(page.locator(".case__state-name")).to_have_text("Đã nộp, chờ tiếp nhận")
    expect(page.locator(".case__due")).to_contain_text("tháng")
    expect(page.locator(".case__due-time")).to_contain_text("giờ Việt Nam")
    expect(page.locator(".case__facts")).to_contain_text("Xã Kiến Xương")
    expect(page.locator("[data-payment]")).to_contain_text("Chưa nộp" if app["fee_vnd"] else "Không phải nộp")
    expect(page.locator(".timeline__item")).to_have_count(1)
    expect(page.locator(".timeline__item")).to_contain_text("Bạn đã nộp hồ sơ")
    expect(page.get_by_role("button", name="Rút hồ sơ")).to_be_visible()
    thumb = page.locator(".case__thumb img").first
    page.wait_for_function(IMAGE_LOADED_JS, arg=thumb.element_handle())  # the presigned link, through the CSP
    page.set_viewport_size(NARROW)
    assert_fits_small_screen(page)

    # The commune asks for the ID card again, and says why.
    officer_acts(code, "accept")
    officer_acts(code, "start_review")
    officer_acts(code, "request_supplement", slots=["id_card"], reason=REASON)

    # The stack's dispatcher pushes each of the officer's steps; the supplement request is urgent.
    arrived = push_service.wait_for(3, timeout=PUSH_WAIT_S)
    sent = [r for r in arrived if r.endpoint == phone_browser.endpoint]
    asking = [r for r in sent if r.message["kind"] == "request_supplement"]
    assert [r.message["kind"] for r in sent] == ["accept", "start_review", "request_supplement"], sent
    (message,) = asking
    assert (message.urgency, message.ttl) == ("high", 86_400) and message.topic == sent[0].topic
    assert message.claims["sub"].startswith("mailto:")
    notice = message.message
    assert notice["application_id"] == code and notice["status"] == "supplement_requested"
    assert notice["lang"] == "vi" and REASON in notice["body"]
    # What the push service got is handed to the service worker through DevTools (headless Chromium has no
    # push service of its own); the worker shows it.
    cdp, registration = service_worker_session(camera_context, page)
    cdp.send("ServiceWorker.deliverPushMessage",
             {"origin": stack_url, "registrationId": registration, "data": message.plaintext.decode()})
    deadline = time.monotonic() + 10
    shown = page.evaluate(NOTIFICATIONS_JS)
    while not shown and time.monotonic() < deadline:
        page.wait_for_timeout(200)
        shown = page.evaluate(NOTIFICATIONS_JS)
    assert len(shown) == 1, shown
    assert shown[0]["title"] == notice["title"] and shown[0]["body"] == notice["body"]
    assert shown[0]["tag"] == code and shown[0]["lang"] == "vi"
    assert shown[0]["data"] == {"url": f"/application?code={code}"}
    assert shown[0]["icon"].endswith("/icons/icon-192.png")

    # The citizen sees exactly which paper and why, before anything else.
    page.reload()
    expect(page.locator(".case__state-name")).to_have_text("Cần bổ sung giấy tờ")
    panel = page.locator(".supplement")
    expect(panel.get_by_role("heading", name="Xã đề nghị bổ sung giấy tờ")).to_be_visible()
    expect(panel.locator(".supplement__papers li")).to_have_count(1)
    expect(panel.locator(".supplement__papers")).to_contain_text(ID_CARD)
    expect(panel.locator(".supplement__reason-text")).to_have_text(REASON)
    expect(page.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)
    assert_fits_small_screen(page)

    # Nothing new yet: the app says what is missing instead of sending.
    resubmit = panel.get_by_role("button", name="Nộp bổ sung")
    resubmit.click()
    expect(panel.get_by_role("alert").last).to_contain_text("Hãy chụp lại")

    # The same capture as in the apply flow: the in-page camera, compressed on the phone, uploaded.
    card = panel.locator('.retake[data-slot="id_card"]')
    card.get_by_role("button", name="Chụp ảnh").click()
    card.get_by_role("button", name="Chụp", exact=True).click()
    expect(card.locator('.page[data-upload="done"]')).to_have_count(1)
    expect(card.locator(".page__size")).to_have_text(re.compile(r"\d+ KB → \d+ KB"))
    resubmit.click()

    expect(page.locator(".case__state-name")).to_have_text("Đã nộp bổ sung, chờ xử lý")
    expect(page.locator(".case__notice")).to_have_text("Đã nộp bổ sung. Xã sẽ xem xét lại hồ sơ của bạn.")
    expect(page.locator(".supplement")).to_have_count(0)
    request = page.locator('.timeline__item[data-kind="request_supplement"]')
    expect(request).to_contain_text("Xã đề nghị bổ sung giấy tờ")
    expect(request).to_contain_text(f"Lý do: {REASON}")
    expect(request).to_contain_text(ID_CARD)
    expect(page.locator(".timeline__item").last).to_contain_text("Bạn đã nộp bổ sung")
    now = api(page, "GET", f"{STATUS}/{code}")["body"]
    assert now["status"] == "resubmitted"
    assert len(now["documents"]["id_card"]) == 1
    assert now["documents"]["id_card"][0]["document_id"] != app["documents"]["id_card"][0]

    # The officer approves; the citizen pays the fee (the result waits for it); the result goes by post,
    # then the application is done.
    officer_acts(code, "start_review")
    officer_acts(code, "approve")
    if app["fee_vnd"]:
        pay_fee(lambda method, path, body: api(page, method, path, body), code)
    officer_acts(code, "mark_result_ready", result="post", tracking_number="EB123456789VN")
    page.reload()
    expect(page.locator(".case__state-name")).to_have_text("Đã có kết quả")
    expect(page.locator(".case__result")).to_contain_text("Mã bưu gửi: EB123456789VN")
    officer_acts(code, "complete")
    page.reload()
    expect(page.locator(".case__state-name")).to_have_text("Đã hoàn thành")
    # Nine steps, and the gateway's payment record when there was a fee.
    expect(page.locator(".timeline__item")).to_have_count(10 if app["fee_vnd"] else 9)
    assert_fits_small_screen(page)
    assert problems == []


def test_push_is_offered_after_the_first_submission_never_on_first_load_and_a_refusal_is_final(
    context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    document_page,
) -> None:
    context.add_init_script(PUSH_STUB_JS)
    page = context.new_page()
    page.goto(f"{stack_url}/")
    page.locator(".procedure-card").first.wait_for()
    page.wait_for_timeout(500)
    expect(page.locator(".push-ask")).to_have_count(0)
    citizen(page)
    page.goto(f"{stack_url}/")
    page.locator(".procedure-card").first.wait_for()
    page.wait_for_timeout(500)
    expect(page.locator(".push-ask")).to_have_count(0)
    assert page.evaluate("window.pushAsks || 0") == 0

    # After the submission, the receipt explains why, and asks only when tapped.
    submit_in_the_app(page, stack_url, document_page)
    ask = page.locator(".push-ask")
    expect(ask).to_contain_text("Nhận thông báo khi xã xử lý hồ sơ")
    assert page.evaluate("window.pushAsks || 0") == 0

    def subscription_sent(request: Request) -> bool:
        return request.method == "POST" and request.url.endswith(SUBSCRIPTIONS)

    with page.expect_request(subscription_sent) as sent:
        ask.get_by_role("button", name="Bật thông báo").click()
    assert sent.value.post_data_json["lang"] == "vi"
    assert sent.value.post_data_json["subscription"]["endpoint"] == FAKE_ENDPOINT
    assert sent.value.response().status == 201
    expect(ask).to_contain_text("Đã bật thông báo")
    assert page.evaluate("window.pushAsks") == 1
    assert page.evaluate("window.subscribeOptions") == {"userVisibleOnly": True, "keyLength": 65, "firstByte": 4}

    # Notices follow the language: a switch sends the subscription again with the new one.
    with page.expect_request(subscription_sent) as again:
        page.get_by_role("button", name="English").click()
    assert again.value.post_data_json["lang"] == "en"
    assert again.value.response().status == 201
    page.get_by_role("button", name="Tiếng Việt").click()

    # A refusal on this device is final: the receipt never asks again.
    page.evaluate("localStorage.removeItem('motcua.push')")
    page.reload()
    expect(ask).to_contain_text("Nhận thông báo khi xã xử lý hồ sơ")
    page.evaluate("window.pushAnswer = 'denied'")
    ask.get_by_role("button", name="Bật thông báo").click()
    expect(ask).to_contain_text("Bạn sẽ không nhận thông báo trên điện thoại này")
    page.reload()
    expect(page.get_by_role("heading", name="Đã nộp hồ sơ")).to_be_visible()
    page.wait_for_timeout(500)
    expect(page.locator(".push-ask")).to_have_count(0)
    assert page.evaluate("window.pushAsks || 0") == 0


def test_withdrawing_asks_first_and_a_stale_screen_reloads_instead_of_overwriting(
    page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    officer_acts: Callable[..., dict],
) -> None:
    citizen(page)
    code = submit_by_api(page, api)["code"]
    application_screen(page, stack_url, code)
    page.get_by_role("button", name="Rút hồ sơ").click()
    expect(page.get_by_text("Rút hồ sơ này?")).to_be_visible()
    page.get_by_role("button", name="Không rút").click()
    expect(page.get_by_text("Rút hồ sơ này?")).to_be_hidden()

    # Meanwhile the commune receives it: the screen's version is stale, so nothing is overwritten.
    officer_acts(code, "accept")
    page.get_by_role("button", name="Rút hồ sơ").click()
    page.get_by_role("button", name="Rút hẳn hồ sơ").click()
    expect(page.locator(".case__notice")).to_have_text("Hồ sơ vừa được cập nhật. Đây là thông tin mới nhất.")
    expect(page.locator(".case__state-name")).to_have_text("Đã tiếp nhận")

    page.get_by_role("button", name="Rút hồ sơ").click()
    page.get_by_label("Lý do rút hồ sơ (không bắt buộc)").fill("Tôi đã nộp trực tiếp tại xã.")
    page.get_by_role("button", name="Rút hẳn hồ sơ").click()
    expect(page.locator(".case__state-name")).to_have_text("Đã rút hồ sơ")
    expect(page.locator(".case__notice")).to_have_text("Bạn đã rút hồ sơ.")
    last = page.locator(".timeline__item").last
    expect(last).to_contain_text("Bạn đã rút hồ sơ")
    expect(last).to_contain_text("Lý do: Tôi đã nộp trực tiếp tại xã.")
    expect(page.get_by_role("button", name="Rút hồ sơ")).to_have_count(0)
    assert api(page, "GET", f"{STATUS}/{code}")["body"]["status"] == "withdrawn"


def test_inbox_lists_the_notices_newest_first_and_each_opens_its_application(
    page: Page,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    officer_acts: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    citizen(page)
    page.goto(f"{stack_url}/inbox")
    expect(page.get_by_text("Chưa có thông báo nào.")).to_be_visible()

    code = submit_by_api(page, api)["code"]
    officer_acts(code, "accept")
    officer_acts(code, "start_review")
    page.get_by_role("link", name="Thông báo").click()
    items = page.locator(".inbox__item")
    expect(items.first).to_have_attribute("data-kind", "start_review")
    kinds = [items.nth(i).get_attribute("data-kind") for i in range(items.count())]
    assert kinds[:2] == ["start_review", "accept"], kinds
    for i in range(items.count()):
        expect(items.nth(i)).to_have_attribute("href", f"/application?code={code}")
    page.set_viewport_size(NARROW)
    assert_fits_small_screen(page)

    items.first.click()
    expect(page).to_have_url(f"{stack_url}/application?code={code}")
    expect(page.locator(".case__state-name")).to_have_text("Đang xử lý")


def test_inbox_pages_in_older_notices(page: Page, stack_url: str, citizen: Callable[[Page], object]) -> None:
    citizen(page)
    code = "HY-2611-AAAAA1"
    pages = {
        None: {"notifications": [notice(code, "accept", "2026-11-20T09:00:00+07:00")], "next_cursor": "p2"},
        "p2": {"notifications": [notice(code, "submitted", "2026-11-19T09:00:00+07:00")], "next_cursor": None},
    }

    def answer(route) -> None:  # noqa: ANN001
        cursor = re.search(r"cursor=([^&]+)", route.request.url)
        route.fulfill(json=pages[cursor.group(1) if cursor else None])

    page.route("**/api/status/inbox*", answer)
    page.goto(f"{stack_url}/inbox")
    expect(page.locator(".inbox__item")).to_have_count(1)
    expect(page.locator(".inbox__item")).to_contain_text("Hồ sơ đã được tiếp nhận")
    page.get_by_role("button", name="Xem thêm").click()
    expect(page.locator(".inbox__item")).to_have_count(2)
    expect(page.get_by_role("button", name="Xem thêm")).to_be_hidden()


def notice(code: str, kind: str, at: str) -> dict:
    """One inbox entry as listInbox answers it."""
    texts = {"accept": ("Hồ sơ đã được tiếp nhận", "Application received"),
             "submitted": ("Đã nộp hồ sơ", "Application submitted")}[kind]
    return {"application_id": code, "kind": kind, "status": "received", "at": at,
            "title": {"vi": texts[0], "en": texts[1]}, "body": {"vi": code, "en": code},
            "url": f"/application?code={code}"}


def test_public_lookup_needs_no_sign_in_refuses_a_wrong_phone_and_says_when_to_try_again(
    page: Page,
    other_context: BrowserContext,
    stack_url: str,
    citizen: Callable[[Page], object],
    api: Callable[..., dict],
    assert_fits_small_screen: Callable[[Page], None],
) -> None:
    phone = citizen(page)
    app = submit_by_api(page, api)
    ending = phone.e164[-4:]
    wrong = f"{(int(ending) + 1) % 10_000:04d}"

    visitor = other_context.new_page()
    visitor.set_viewport_size(NARROW)
    visitor.goto(f"{stack_url}/track")
    expect(visitor.get_by_role("heading", name="Tra cứu hồ sơ")).to_be_visible()
    expect(visitor.get_by_role("link", name="Đăng nhập")).to_be_visible()  # nobody is signed in here
    assert_fits_small_screen(visitor)
    visitor.get_by_label("Mã hồ sơ").fill(app["code"].lower())
    visitor.get_by_label("4 số cuối điện thoại").fill(wrong)
    visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.get_by_role("alert")).to_have_text(
        "Không tìm thấy hồ sơ khớp với mã và số điện thoại này. Vui lòng kiểm tra lại.")

    visitor.get_by_label("4 số cuối điện thoại").fill(ending)
    visitor.get_by_role("button", name="Tra cứu").click()
    found = visitor.locator(".track__result")
    expect(found).to_contain_text(app["code"])
    expect(found.locator(".track__state")).to_have_text("Đã nộp, chờ tiếp nhận")
    expect(found.locator("[data-due-date]")).to_contain_text("tháng")
    expect(found).not_to_contain_text("Nguyễn Thị Lan")
    assert_fits_small_screen(visitor)

    # Guessing is limited: the app says how long to wait.
    for _ in range(12):
        tried = api(visitor, "GET", f"/api/status/track?code={app['code']}&phone={wrong}")
        if tried["status"] == 429:
            break
    assert tried["status"] == 429, tried
    visitor.get_by_role("button", name="Tra cứu").click()
    expect(visitor.get_by_role("alert")).to_have_text(
        re.compile(r"^Bạn đã tra cứu quá nhiều lần\. Vui lòng thử lại sau \d+ phút\.$"))
    expect(visitor.locator(".track__result")).to_have_count(0)
