"""The service worker: control, offline shell, and what it refuses to cache."""

from __future__ import annotations

import pytest
from playwright.sync_api import BrowserContext, Page, expect

pytestmark = pytest.mark.browser

CATALOG_PATH = "/api/submit/procedures"
CACHED_URLS_JS = """async () => {
  const urls = [];
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    for (const request of await cache.keys()) urls.push([name, new URL(request.url).pathname]);
  }
  return urls;
}"""


def card_names(page: Page) -> list[str]:
    return page.locator(".procedure-card__name").all_inner_texts()


def test_page_is_controlled_by_the_service_worker_after_a_reload(home_page: Page, stack_url: str) -> None:
    page = home_page
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    script_url = page.evaluate("navigator.serviceWorker.controller && navigator.serviceWorker.controller.scriptURL")
    assert script_url == f"{stack_url}/sw.js"


def test_offline_reload_shows_vietnamese_shell_and_saved_procedures(
    controlled_page: Page, context: BrowserContext
) -> None:
    page = controlled_page
    names_online = card_names(page)
    context.set_offline(True)
    page.reload()
    expect(page.locator("html")).to_have_attribute("lang", "vi")
    expect(page.locator(".app-title")).to_have_text("Một Cửa")
    expect(page.locator(".section-title")).to_have_text("Thủ tục hành chính")
    expect(page.locator(".procedure-card__name")).to_have_text(names_online)
    expect(page.locator("#offline-banner")).to_be_visible()


def test_offline_start_url_opens_the_saved_shell(
    controlled_page: Page, context: BrowserContext, stack_url: str
) -> None:
    # The installed app opens start_url, which the first visit never loaded.
    page = controlled_page
    names_online = card_names(page)
    context.set_offline(True)
    page.goto(f"{stack_url}/?source=pwa")
    expect(page.locator(".app-title")).to_have_text("Một Cửa")
    expect(page.locator(".procedure-card__name")).to_have_text(names_online)


def test_api_responses_are_not_cached_except_the_procedure_catalog(controlled_page: Page) -> None:
    page = controlled_page
    # Other API answers pass through the worker; none of them may be stored.
    statuses = page.evaluate(
        """async () => Promise.all(['/api/openapi.json', '/api/submit/procedures/no-such-procedure',
            '/api/submit/procedures'].map(async (path) => (await fetch(path)).status))"""
    )
    assert statuses[0] == 200 and statuses[1] == 404 and statuses[2] == 200
    page.wait_for_timeout(500)  # let an (incorrect) asynchronous cache.put land before looking
    cached = page.evaluate(CACHED_URLS_JS)
    api_paths = {path for _, path in cached if path.startswith("/api/")}
    assert api_paths == {CATALOG_PATH}


def test_commune_data_loads_only_when_asked_and_then_works_offline(
    controlled_page: Page, context: BrowserContext
) -> None:
    page = controlled_page
    count_js = "fetch('/data/communes.json').then((r) => r.json()).then((data) => data.communes.length)"
    # Not part of the shell: a first visit does not pay for the 27 KB the profile screen needs.
    assert not [path for _, path in page.evaluate(CACHED_URLS_JS) if path.startswith("/data/")]
    assert page.evaluate(count_js) > 3000
    assert ["motcua-data-v1", "/data/communes.json"] in page.evaluate(CACHED_URLS_JS)
    context.set_offline(True)
    assert page.evaluate(count_js) > 3000
