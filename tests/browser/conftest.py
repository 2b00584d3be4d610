"""Fixtures for the browser tests: the local stack, headless Debian Chromium, a phone-sized context,
the SMS inbox of the stack's AWS emulator, and signing in through the app's own screens."""

from __future__ import annotations

import json
import random
import re
import shutil
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import requests
from PIL import Image
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from functions.local.chromium import CHROMIUM, CHROMIUM_ARGS

# For the camera issues to come: a fake 640x480 camera that needs no permission prompt.
CAMERA_ARGS = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
PHONE = {
    "viewport": {"width": 360, "height": 640},
    "is_mobile": True,
    "has_touch": True,
    "locale": "vi-VN",
}
# Generous: the machine has two cores and a stack running beside the browser.
TIMEOUT_MS = 30_000
expect.set_options(timeout=TIMEOUT_MS)


# The last line of every code SMS is the WebOTP form "@host #123456".
WEBOTP_CODE = re.compile(r"#(\d{6})\s*$")
SMS_WAIT_S = 10
# The sandbox calls the IPN at once; on a busy machine its retries may take a few seconds more.
PAYMENT_WAIT_S = 20
LAYOUT_JS = """() => {
  const targets = [...document.querySelectorAll('button, a, [role="button"], input, select')]
    .filter((node) => node.getClientRects().length > 0)
    .map((node) => {
      const box = node.getBoundingClientRect();
      return { text: node.textContent.trim(), width: box.width, height: box.height };
    });
  return {
    scrollWidth: document.documentElement.scrollWidth,
    viewportWidth: window.innerWidth,
    fontSize: parseFloat(getComputedStyle(document.body).fontSize),
    targets,
  };
}"""
MIN_TARGET_PX = 48
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
# The fake camera's frame size; the page sits on a grey table in it, as a photographed paper would.
CAMERA_FRAME = (640, 480)
# A citizen's profile that passes the server's checks: 001 (Hà Nội), 1 (a woman born in the 1900s), 98.
PROFILE_BODY = {
    "full_name": "Nguyễn Thị Lan",
    "date_of_birth": "1998-04-12",
    "citizen_id": "001198001234",
    "permanent_residence": {"province_code": "33", "commune_code": "13075"},
    "current_address": {"province_code": "33", "commune_code": "13075", "street": "Thôn Đông, số 12"},
}
# Same-origin calls from inside the page, with the app's CSRF cookie, as the app itself makes them.
API_JS = """async ([method, path, body, headers]) => {
  const cookie = document.cookie.split(';').map((part) => part.trim()).find((part) => part.startsWith('motcua_csrf='));
  const init = { method, headers: { Accept: 'application/json', ...(headers || {}) }, credentials: 'same-origin' };
  if (cookie) init.headers['X-CSRF-Token'] = decodeURIComponent(cookie.split('=')[1]);
  if (body !== null) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  return { status: response.status, body: await response.json().catch(() => null) };
}"""


@pytest.fixture(scope="session")
def emulator_url() -> str:
    """Base URL of the stack's AWS emulator (moto), on a port chosen here so tests can read its state."""
    from functions.local import free_port

    return f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="session")
def stack_url(emulator_url: str) -> Iterator[str]:
    """Base URL of the whole local stack (emulated AWS + dev server serving pwa/)."""
    from functions.local import running_stack

    # Every test signs in from 127.0.0.1: the per-address code limit is raised for the suite as it would be
    # for a dormitory behind one address (test_account_limits proves the limit itself).
    with running_stack(extra_env={"AWS_ENDPOINT_URL": emulator_url, "MOTCUA_OTP_IP_HOURLY": "500"}) as base_url:
        yield base_url.rstrip("/")


@dataclass(frozen=True)
class Phone:
    """A phone number as a person types it (`local`) and as the server stores it (`e164`)."""

    local: str
    e164: str


@pytest.fixture
def new_phone() -> Phone:
    """A number no other test uses: the per-number limits (60 s between codes, 5 a day) stay out of the way."""
    # Moto treats numbers ending in 99 as opted out of SMS.
    digits = f"{random.randrange(10_000_000):07d}"
    while digits.endswith("99"):
        digits = f"{random.randrange(10_000_000):07d}"
    return Phone(local=f"090{digits[0]} {digits[1:4]} {digits[4:]}", e164=f"+8490{digits}")


@pytest.fixture(scope="session")
def demo_officer_phone() -> Phone:
    """The demo officer the local stack seeds for commune 13075, Xã Kiến Xương (Hưng Yên)."""
    return Phone(local="0912 000 001", e164="+84912000001")


@pytest.fixture
def other_context(browser: Browser) -> Iterator[BrowserContext]:
    """A second phone: its own cookies and storage, as another device would have."""
    yield from phone_context(browser)


@pytest.fixture(scope="session")
def sms_codes(emulator_url: str, stack_url: str) -> Callable[[str], list[str]]:
    """`sms_codes("+8490...")`: every code texted to that number so far, oldest first (from SNS in moto)."""

    def codes(phone: str) -> list[str]:
        with urllib.request.urlopen(f"{emulator_url}/_local/sms", timeout=10) as resp:  # noqa: S310
            messages = json.load(resp)["messages"]
        found = (WEBOTP_CODE.search(m["message"]) for m in messages if m["phone_number"] == phone)
        return [match.group(1) for match in found if match]

    return codes


@pytest.fixture(scope="session")
def latest_code(sms_codes: Callable[[str], list[str]]) -> Callable[..., str]:
    """`latest_code(phone, count=1)`: the newest code once at least `count` have arrived for the number."""

    def latest(phone: str, count: int = 1) -> str:
        deadline = time.monotonic() + SMS_WAIT_S
        received = sms_codes(phone)
        while len(received) < count:
            if time.monotonic() > deadline:
                raise AssertionError(f"no SMS code #{count} for {phone} (got {len(received)})")
            time.sleep(0.2)
            received = sms_codes(phone)
        return received[-1]

    return latest


@pytest.fixture
def request_code(stack_url: str) -> Callable[[Page, Phone], None]:
    """Sign-in step 1 through the app: type the number as people do, and wait for the code screen."""

    def request(page: Page, phone: Phone) -> None:
        page.goto(f"{stack_url}/sign-in")
        page.get_by_label("Số điện thoại").fill(phone.local)
        page.get_by_role("button", name="Gửi mã qua SMS").click()
        expect(page).to_have_url(f"{stack_url}/sign-in/code")

    return request


@pytest.fixture
def sign_in(request_code: Callable[[Page, Phone], None], latest_code: Callable[..., str]) -> Callable[..., None]:
    """Sign in through the app's screens with the code texted to the number (its `count`-th code)."""

    def signed_in(page: Page, phone: Phone, count: int = 1) -> None:
        request_code(page, phone)
        page.get_by_label("Mã xác thực").fill(latest_code(phone.e164, count))
        page.get_by_role("button", name="Xác nhận").click()
        expect(page.get_by_role("link", name="Tài khoản")).to_be_visible()

    return signed_in


@pytest.fixture(scope="session")
def assert_fits_small_screen() -> Callable[[Page], None]:
    """Checks the page: no sideways scrolling, base text of 16 px or more, touch targets of 48 px or more."""

    def check(page: Page) -> None:
        layout = page.evaluate(LAYOUT_JS)
        assert layout["scrollWidth"] <= layout["viewportWidth"], "page scrolls sideways"
        assert layout["fontSize"] >= 16
        assert layout["targets"], "no touch targets found"
        for target in layout["targets"]:
            assert target["height"] >= MIN_TARGET_PX and target["width"] >= MIN_TARGET_PX, target

    return check


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    """One Playwright driver for the session."""
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    """Headless Debian Chromium."""
    if not shutil.which(CHROMIUM):
        pytest.fail(f"{CHROMIUM} is missing: apt-get install -y chromium")
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
    yield launched
    launched.close()


def phone_context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized context: empty caches, no service worker, Vietnamese locale."""
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized context: empty caches, no service worker, Vietnamese locale."""
    yield from phone_context(browser)


@pytest.fixture
def page(context: BrowserContext) -> Page:
    """A page in the phone context."""
    return context.new_page()


@pytest.fixture
def profile_context(playwright_driver: Playwright, tmp_path: Path) -> Iterator[BrowserContext]:
    """A phone context on an on-disk profile: Chromium never offers install in incognito-like contexts."""
    ctx = playwright_driver.chromium.launch_persistent_context(
        tmp_path / "profile", executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True, **PHONE
    )
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


@pytest.fixture
def home_page(page: Page, stack_url: str) -> Page:
    """The home screen on a first visit, once the procedure cards are shown."""
    page.goto(f"{stack_url}/")
    page.locator(".procedure-card").first.wait_for()
    return page


@pytest.fixture
def controlled_page(home_page: Page) -> Page:
    """The home screen after a visit and a reload, so the service worker controls it."""
    page = home_page
    # ready resolves once install (precache + saved catalog) has finished and the worker is active.
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    page.locator(".procedure-card").first.wait_for()
    return page


@pytest.fixture(scope="session")
def document_page() -> Path:
    """A small document-like PNG (dark Vietnamese text on white) to upload as a page."""
    return FIXTURES / "document-page.png"


@pytest.fixture(scope="session")
def fake_camera_video(document_page: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The document page on a grey table as one 640x480 Y4M frame, for Chromium's fake camera."""
    frame = Image.new("RGB", CAMERA_FRAME, (96, 96, 96))
    page = Image.open(document_page).convert("RGB")
    page.thumbnail((CAMERA_FRAME[0] - 40, CAMERA_FRAME[1] - 20))
    frame.paste(page, ((CAMERA_FRAME[0] - page.width) // 2, (CAMERA_FRAME[1] - page.height) // 2))
    luma, blue, red = frame.convert("YCbCr").split()
    half = (CAMERA_FRAME[0] // 2, CAMERA_FRAME[1] // 2)
    path = tmp_path_factory.mktemp("camera") / "document-page.y4m"
    header = f"YUV4MPEG2 W{CAMERA_FRAME[0]} H{CAMERA_FRAME[1]} F30:1 Ip A1:1 C420jpeg\n".encode()
    chroma = blue.resize(half, Image.Resampling.BOX).tobytes() + red.resize(half, Image.Resampling.BOX).tobytes()
    path.write_bytes(header + b"FRAME\n" + luma.tobytes() + chroma)
    return path


@pytest.fixture
def camera_context(playwright_driver: Playwright, fake_camera_video: Path) -> Iterator[BrowserContext]:
    """A phone whose camera (allowed, no prompt) films the document page."""
    args = [*CHROMIUM_ARGS, *CAMERA_ARGS, f"--use-file-for-fake-video-capture={fake_camera_video}"]
    launched = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=args, headless=True)
    ctx = launched.new_context(**PHONE, permissions=["camera"])
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()
    launched.close()


@pytest.fixture(scope="session")
def api() -> Callable[..., dict]:
    """`api(page, "GET", "/api/...", body=None, headers=None)`: a same-origin call from the page -> {status, body}."""

    def call(page: Page, method: str, path: str, body: object = None, headers: dict | None = None) -> dict:
        return page.evaluate(API_JS, [method, path, body, headers])

    return call


@pytest.fixture
def citizen(sign_in: Callable[..., None], new_phone: Phone, api: Callable[..., dict]) -> Callable[[Page], Phone]:
    """`citizen(page)`: a new citizen signed in on `page` with a complete profile (saved through the API)."""

    def signed_in_with_profile(page: Page) -> Phone:
        sign_in(page, new_phone)
        saved = api(page, "PUT", "/api/account/profile", PROFILE_BODY)
        assert saved["status"] == 200 and saved["body"]["profile_complete"], saved
        return new_phone

    return signed_in_with_profile


@pytest.fixture
def service_worker_session() -> Callable[[BrowserContext, Page], tuple[object, str]]:
    """`service_worker_session(context, page)`: a DevTools session on `page` with ServiceWorker events on,
    and the app's registration id (for deliverPushMessage and dispatchSyncEvent)."""

    def open_session(context: BrowserContext, page: Page) -> tuple[object, str]:
        cdp = context.new_cdp_session(page)
        registrations: list[str] = []
        cdp.on(
            "ServiceWorker.workerRegistrationUpdated",
            lambda event: registrations.extend(r["registrationId"] for r in event["registrations"]
                                               if not r["isDeleted"]),
        )
        cdp.send("ServiceWorker.enable")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        deadline = time.monotonic() + 10
        while not registrations and time.monotonic() < deadline:
            page.wait_for_timeout(100)
        assert registrations, "no service worker registration reported"
        return cdp, registrations[-1]

    return open_session


@pytest.fixture(scope="session")
def pay_fee(stack_url: str) -> Callable[[Callable[..., dict], str], None]:
    """`pay_fee(call, code)`: the applicant pays application `code` through the local sandbox gateway, as a
    phone would (createPayment, the gateway's page, "Thanh toán"), and the gateway's IPN marks it paid.
    `call(method, path, body)` is the applicant's API call -> {status, body}."""

    def pay(call: Callable[..., dict], code: str) -> None:
        order = call("POST", f"/api/pay/applications/{code}/payment", {"lang": "vi"})
        assert order["status"] == 201, order
        gateway = requests.Session()
        gateway.trust_env = False  # loopback only: no proxy from the environment
        opened = gateway.get(order["body"]["pay_url"], timeout=20)
        assert opened.status_code == 200, opened.text
        txn_ref = order["body"]["order"]["txn_ref"]
        clicked = gateway.post(f"{stack_url}/sandbox/vnpay/paymentv2/complete",
                               data={"action": "pay", "txn_ref": txn_ref}, allow_redirects=False, timeout=20)
        assert clicked.status_code == 303, clicked.text
        deadline = time.monotonic() + PAYMENT_WAIT_S
        state = call("GET", f"/api/status/applications/{code}", None)["body"]["payment_state"]
        while state != "paid":
            assert time.monotonic() < deadline, f"{code} not paid after the sandbox's IPN ({state})"
            time.sleep(0.2)
            state = call("GET", f"/api/status/applications/{code}", None)["body"]["payment_state"]

    return pay
