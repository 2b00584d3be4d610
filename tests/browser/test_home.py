"""The home screen as a citizen sees it: Vietnamese first, readable on a small phone."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

pytestmark = pytest.mark.browser

CATALOG_PATH = "/api/submit/procedures"
I18N_DIR = Path(__file__).resolve().parents[2] / "pwa" / "i18n"


def translations(language: str) -> dict:
    return json.loads((I18N_DIR / f"{language}.json").read_text(encoding="utf-8"))


def catalog(page: Page, stack_url: str) -> list[dict]:
    response = page.request.get(f"{stack_url}{CATALOG_PATH}")
    assert response.ok
    return response.json()["procedures"]


def vnd_digits(amount: int) -> str:
    """Vietnamese digit grouping, e.g. 50000 -> 50.000."""
    return f"{amount:,}".replace(",", ".")


def test_static_page_reads_as_vietnamese_before_any_script_runs(browser: Browser, stack_url: str) -> None:
    context = browser.new_context(java_script_enabled=False, locale="vi-VN")
    try:
        page = context.new_page()
        page.goto(f"{stack_url}/")
        expect(page.locator("html")).to_have_attribute("lang", "vi")
        expect(page).to_have_title(re.compile("Một Cửa"))
        expect(page.locator(".app-title")).to_have_text("Một Cửa")
        expect(page.locator("#procedures")).to_contain_text("Đang tải")
    finally:
        context.close()


def test_procedure_list_shows_each_procedure_with_vietnamese_name_fee_and_days(home_page: Page, stack_url: str) -> None:
    procedures = catalog(home_page, stack_url)
    assert len(procedures) == 3
    expect(home_page.locator(".procedure-card__name")).to_have_text([p["name"]["vi"] for p in procedures])
    for procedure in procedures:
        card = home_page.locator(f'[data-procedure-id="{procedure["id"]}"]')
        fee = card.locator('[data-fact="fee"] dd')
        if procedure["fee_vnd"] == 0:
            expect(fee).to_have_text("Miễn phí")
        else:
            expect(fee).to_contain_text(vnd_digits(procedure["fee_vnd"]))
            expect(fee).to_contain_text("₫")
        days = card.locator('[data-fact="days"] dd')
        expect(days).to_have_text(f"{procedure['processing_days']} ngày làm việc")
        online = card.locator('[data-fact="days-online"]')
        if procedure["online_processing_days"] is None:
            expect(online).to_have_count(0)
        else:  # the shorter online period, beside the legal one
            expect(online.locator("dt")).to_have_text("Nếu nộp trực tuyến")
            expect(online.locator("dd")).to_have_text(f"{procedure['online_processing_days']} ngày làm việc")
    assert any(p["online_processing_days"] is not None for p in procedures)


def test_language_switch_shows_english_and_survives_a_reload(home_page: Page, stack_url: str) -> None:
    page = home_page
    procedures = catalog(page, stack_url)
    english = translations("en")
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".section-title")).to_have_text(english["home"]["title"])
    expect(page.locator(".procedure-card__name")).to_have_text([p["name"]["en"] for p in procedures])
    expect(page.get_by_role("button", name="English")).to_have_attribute("aria-pressed", "true")
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".app-tagline")).to_have_text(english["app"]["tagline"])
    expect(page.locator(".procedure-card__name")).to_have_text([p["name"]["en"] for p in procedures])
    page.get_by_role("button", name="Tiếng Việt").click()
    expect(page.locator(".section-title")).to_have_text("Thủ tục hành chính")


@pytest.mark.parametrize("language", ["Tiếng Việt", "English"])
def test_home_fits_320px_wide_with_48px_touch_targets(
    home_page: Page, language: str, assert_fits_small_screen: Callable[[Page], None]
) -> None:
    page = home_page
    page.set_viewport_size({"width": 320, "height": 640})
    page.get_by_role("button", name=language).click()
    expect(page.get_by_role("button", name=language)).to_have_attribute("aria-pressed", "true")
    assert_fits_small_screen(page)


@pytest.fixture
def no_worker_context(browser: Browser) -> Iterator[BrowserContext]:
    """A phone context without service workers, so nothing saved can hide an API failure."""
    ctx = browser.new_context(
        viewport={"width": 320, "height": 640}, is_mobile=True, has_touch=True, locale="vi-VN", service_workers="block"
    )
    yield ctx
    ctx.close()


def test_catalog_failure_shows_localized_error_and_retry_recovers(
    no_worker_context: BrowserContext, stack_url: str, assert_fits_small_screen: Callable[[Page], None]
) -> None:
    errors = translations("vi")["errors"]
    page = no_worker_context.new_page()
    unavailable = {"error": {"code": "dependency_unavailable", "message": "down", "details": {}}}
    page.route(f"**{CATALOG_PATH}", lambda route: route.fulfill(status=503, json=unavailable))
    page.goto(f"{stack_url}/")
    panel = page.get_by_role("alert")
    expect(panel).to_contain_text(errors["dependency_unavailable"])
    assert_fits_small_screen(page)

    page.unroute(f"**{CATALOG_PATH}")
    page.route(f"**{CATALOG_PATH}", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Thử lại").click()
    expect(panel).to_contain_text(errors["network"])

    page.unroute(f"**{CATALOG_PATH}")
    page.get_by_role("button", name="Thử lại").click()
    expect(page.locator(".procedure-card")).to_have_count(3)


def test_home_loads_without_script_errors_or_policy_violations(page: Page, stack_url: str) -> None:
    # The server's Content-Security-Policy reports inline code or styles as console errors.
    problems: list[str] = []
    page.on("console", lambda message: problems.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.goto(f"{stack_url}/")
    page.locator(".procedure-card").first.wait_for()
    page.get_by_role("button", name="English").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert problems == []
