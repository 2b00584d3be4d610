"""Installability: the web app manifest, its icons, and Chromium's own verdict."""

from __future__ import annotations

import json

import pytest
from playwright.sync_api import BrowserContext, Page

pytestmark = pytest.mark.browser

ICON_SIZE_JS = """async (src) => {
  const bitmap = await createImageBitmap(await (await fetch(src)).blob());
  return [bitmap.width, bitmap.height];
}"""


def linked_manifest(page: Page) -> tuple[str, dict]:
    """The manifest URL the page links to, and its parsed JSON as the browser fetched it."""
    href = page.eval_on_selector('link[rel="manifest"]', "link => link.href")
    response = page.request.get(href)
    assert response.ok, f"manifest answered {response.status}"
    return href, json.loads(response.text())


def test_manifest_is_linked_and_describes_a_vietnamese_standalone_app(home_page: Page, stack_url: str) -> None:
    href, manifest = linked_manifest(home_page)
    assert href == f"{stack_url}/manifest.webmanifest"
    assert "Một Cửa" in manifest["name"]
    assert manifest["short_name"] == "Một Cửa"
    assert manifest["lang"] == "vi"
    assert manifest["display"] == "standalone"
    assert manifest["start_url"] == "/?source=pwa"
    assert manifest["scope"] == "/"
    assert manifest["id"]
    assert manifest["theme_color"].startswith("#") and manifest["background_color"].startswith("#")
    declared = {(icon["sizes"], icon.get("purpose", "any")) for icon in manifest["icons"]}
    assert {("192x192", "any"), ("512x512", "any"), ("512x512", "maskable")} <= declared


def test_every_icon_loads_with_its_declared_pixel_size(home_page: Page) -> None:
    _, manifest = linked_manifest(home_page)
    icons = [(icon["src"], icon["sizes"]) for icon in manifest["icons"]]
    touch_icon = home_page.eval_on_selector('link[rel="apple-touch-icon"]', "link => link.href")
    icons.append((touch_icon, "180x180"))
    for src, sizes in icons:
        width, height = home_page.evaluate(ICON_SIZE_JS, src)
        assert f"{width}x{height}" == sizes, src


def test_chromium_finds_no_installability_errors(profile_context: BrowserContext, stack_url: str) -> None:
    page = profile_context.pages[0] if profile_context.pages else profile_context.new_page()
    page.goto(f"{stack_url}/")
    page.locator(".procedure-card").first.wait_for()
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = profile_context.new_cdp_session(page)
    errors = cdp.send("Page.getInstallabilityErrors")["installabilityErrors"]
    assert errors == []
