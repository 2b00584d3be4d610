"""A new service worker version waits for the user's consent before it takes over.

Chromium fetches a worker's script outside Playwright's request routing, so the new version is
served by a small proxy in front of the local stack that can rewrite /sw.js on demand.
"""

from __future__ import annotations

import re
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from playwright.sync_api import Page, expect

pytestmark = pytest.mark.browser

VERSION_LINE = re.compile(r"const VERSION = '([^']+)';")
# Hop-by-hop or recomputed headers are not copied through the proxy.
SKIPPED_HEADERS = {"connection", "keep-alive", "transfer-encoding", "content-length", "host"}
# Dropped when rewriting /sw.js so the answer is a full, plain body rather than a 304 or gzip.
REWRITE_DROPPED_HEADERS = {"accept-encoding", "if-none-match", "if-modified-since"}
REGISTRATION_JS = """async () => {
  const registration = await navigator.serviceWorker.getRegistration();
  return { waiting: Boolean(registration.waiting), caches: await caches.keys() };
}"""


class SwProxy:
    """Forwards every GET to the stack; after `publish_new_version()`, /sw.js has a bumped VERSION."""

    def __init__(self, upstream: str) -> None:
        self.upstream = upstream
        self.new_version = False
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def publish_new_version(self) -> None:
        self.new_version = True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's naming)
                status, headers, body = proxy.forward(self.path, dict(self.headers.items()))
                self.send_response(status)
                for name, value in headers:
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        return Handler

    def forward(self, path: str, headers: dict[str, str]) -> tuple[int, list[tuple[str, str]], bytes]:
        rewrite = self.new_version and path.split("?")[0] == "/sw.js"
        sent = {k: v for k, v in headers.items() if k.lower() not in SKIPPED_HEADERS}
        if rewrite:
            sent = {k: v for k, v in sent.items() if k.lower() not in REWRITE_DROPPED_HEADERS}
        try:
            with urllib.request.urlopen(urllib.request.Request(self.upstream + path, headers=sent)) as resp:
                status, received, body = resp.status, resp.headers.items(), resp.read()
        except urllib.error.HTTPError as error:
            status, received, body = error.code, error.headers.items(), error.read()
        kept = [(k, v) for k, v in received if k.lower() not in SKIPPED_HEADERS]
        if rewrite:
            body = VERSION_LINE.sub(lambda m: f"const VERSION = '{m.group(1)}-next';", body.decode()).encode()
            kept = [(k, v) for k, v in kept if k.lower() not in {"etag", "last-modified"}]
        return status, kept, body

    def __enter__(self) -> SwProxy:
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def proxy(stack_url: str) -> Iterator[SwProxy]:
    with SwProxy(stack_url) as running:
        yield running


def current_shell_cache(page: Page) -> str:
    names = [name for name in page.evaluate("caches.keys()") if name.startswith("motcua-shell-")]
    assert len(names) == 1, names
    return names[0]


def test_new_version_waits_until_the_user_accepts_the_update_banner(page: Page, proxy: SwProxy) -> None:
    page.goto(f"{proxy.url}/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    old_cache = current_shell_cache(page)
    page.evaluate("fetch('/data/communes.json').then((r) => r.ok)")
    update_button = page.get_by_role("button", name="Cập nhật")
    expect(update_button).to_be_hidden()

    proxy.publish_new_version()
    page.evaluate("navigator.serviceWorker.getRegistration().then((r) => r.update())")
    expect(update_button).to_be_visible()
    expect(page.get_by_text("Có phiên bản mới")).to_be_visible()
    # Installed but not in charge: the old version's cache still serves this page.
    state = page.evaluate(REGISTRATION_JS)
    assert state["waiting"] is True
    assert old_cache in state["caches"]

    with page.expect_navigation():
        update_button.click()
    page.locator(".procedure-card").first.wait_for()
    page.wait_for_function("navigator.serviceWorker.controller !== null")
    state = page.evaluate(REGISTRATION_JS)
    assert state["waiting"] is False
    assert old_cache not in state["caches"]
    assert current_shell_cache(page) == f"{old_cache}-next"
    # Reference data is versioned on its own: a shell update keeps it.
    assert "motcua-data-v1" in state["caches"]
    expect(update_button).to_be_hidden()
