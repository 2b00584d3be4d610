"""Fixtures for the browser tests: the local stack, headless Debian Chromium, a phone-sized context."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
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


@pytest.fixture(scope="session")
def stack_url() -> Iterator[str]:
    """Base URL of the whole local stack (emulated AWS + dev server serving pwa/)."""
    from functions.local import running_stack

    with running_stack() as base_url:
        yield base_url.rstrip("/")


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


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh phone-sized context: empty caches, no service worker, Vietnamese locale."""
    ctx = browser.new_context(**PHONE)
    ctx.set_default_timeout(TIMEOUT_MS)
    yield ctx
    ctx.close()


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
