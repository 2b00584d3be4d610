"""How heavy is a first visit to the PWA? Prints bytes on the wire, request count and precache size.

A fresh Chromium context (empty HTTP cache, no service worker) opens `/` on the local stack and
waits until the service worker is activated and its precache is full. Every request that finished
is counted, the service worker's own precache fetches included: Playwright reports those on the
context with `request.service_worker` set, which the output shows as a check.

Run: .venv/bin/python bench/pwa_weight.py
"""

from __future__ import annotations

import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, Request, sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from functions.local import running_stack  # noqa: E402 (needs the path above)
from functions.local.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: E402

BUDGET_BYTES = 30 * 1024  # the shell's compressed weight on a first visit
TIMEOUT_MS = 60_000
PRECACHE_JS = """async () => {
  const sizes = {};
  for (const name of await caches.keys()) {
    const cache = await caches.open(name);
    let bytes = 0;
    const requests = await cache.keys();
    for (const request of requests) bytes += (await (await cache.match(request)).arrayBuffer()).byteLength;
    sizes[name] = { entries: requests.length, bytes };
  }
  return sizes;
}"""


@dataclass
class Traffic:
    """Finished requests split by who made them: the page or the service worker."""

    body: dict[str, int] = field(default_factory=lambda: {"page": 0, "worker": 0})
    headers: dict[str, int] = field(default_factory=lambda: {"page": 0, "worker": 0})
    count: dict[str, int] = field(default_factory=lambda: {"page": 0, "worker": 0})
    from_worker: int = 0
    items: list[tuple[int, str, str]] = field(default_factory=list)
    started: int = 0
    settled: int = 0

    def on_finished(self, request: Request) -> None:
        self.settled += 1
        who = "worker" if request.service_worker else "page"
        response = request.response()
        if who == "page" and response is not None and response.from_service_worker:
            # Answered by the worker: its own fetch (if any) is what crossed the wire, counted there.
            self.from_worker += 1
            return
        sizes = request.sizes()
        self.body[who] += max(sizes["responseBodySize"], 0)
        self.headers[who] += max(sizes["responseHeadersSize"], 0)
        self.count[who] += 1
        self.items.append((max(sizes["responseBodySize"], 0), who, request.url))

    def watch(self, context: BrowserContext) -> None:
        context.on("request", lambda _: setattr(self, "started", self.started + 1))
        context.on("requestfinished", self.on_finished)
        context.on("requestfailed", lambda _: setattr(self, "settled", self.settled + 1))

    def wait_quiet(self, quiet_s: float = 1.0, limit_s: float = 30.0) -> None:
        """Wait until no request has been in flight for `quiet_s` seconds."""
        deadline = time.monotonic() + limit_s
        last_change, last_seen = time.monotonic(), (-1, -1)
        while time.monotonic() < deadline:
            seen = (self.started, self.settled)
            if seen != last_seen:
                last_change, last_seen = time.monotonic(), seen
            elif self.started == self.settled and time.monotonic() - last_change >= quiet_s:
                return
            time.sleep(0.1)


def wait_for_precache(page: Page) -> None:
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.wait_for_function(
        "navigator.serviceWorker.getRegistration().then((r) => r && r.active && r.active.state === 'activated')",
        polling=200,
    )


def report(traffic: Traffic, precache: dict[str, dict[str, int]]) -> bool:
    body, headers = sum(traffic.body.values()), sum(traffic.headers.values())
    wire = body + headers
    print("First visit to / (fresh context, gzip as served by the local stack)")
    for who in ("page", "worker"):
        print(
            f"  {who:<7} {traffic.count[who]:>3} requests  {traffic.body[who]:>7,} B bodies"
            f"  {traffic.headers[who]:>7,} B headers"
        )
    print(
        f"  total   {sum(traffic.count.values()):>3} requests  {body:>7,} B bodies  {headers:>7,} B headers"
        f"  = {wire:,} B on the wire"
    )
    print(
        f"  service-worker requests captured: {traffic.count['worker']} (precache fetches are counted);"
        f" page requests answered by the worker, not counted again: {traffic.from_worker}"
    )
    print("Largest responses (compressed bodies)")
    for size, who, url in sorted(traffic.items, reverse=True)[:8]:
        print(f"  {size:>7,} B  {who:<6} {urlsplit(url).path}")
    print("Cache Storage after install (uncompressed bodies)")
    for name, cache in sorted(precache.items()):
        print(f"  {name:<22} {cache['entries']:>3} entries  {cache['bytes']:>7,} B")
    met = body <= BUDGET_BYTES
    print(
        f"Budget {BUDGET_BYTES:,} B compressed (response bodies): {body:,} B -> {'MET' if met else 'NOT MET'}"
        f" ({wire:,} B with headers)"
    )
    return met


def first_visit(url: str, ready: str, script: str | None = None) -> tuple[Traffic, Any]:
    """Open `url` in a fresh phone-sized context (empty HTTP cache, no service worker), wait for `ready`
    (a selector), the service worker's precache and a quiet network; returns the traffic and what
    `script`, evaluated in the page then, answered."""
    with sync_playwright() as driver:
        browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        try:
            context = browser.new_context(viewport={"width": 360, "height": 640}, is_mobile=True, locale="vi-VN")
            context.set_default_timeout(TIMEOUT_MS)
            traffic = Traffic()
            traffic.watch(context)
            page = context.new_page()
            page.goto(url)
            page.locator(ready).first.wait_for()
            wait_for_precache(page)
            traffic.wait_quiet()
            return traffic, page.evaluate(script) if script else None
        finally:
            browser.close()


def measure(base_url: str) -> bool:
    traffic, precache = first_visit(f"{base_url}/", ".procedure-card", PRECACHE_JS)
    return report(traffic, precache)


def main() -> int:
    with running_stack() as base_url:
        measure(base_url)
    # A figure, not a gate: `make bench` prints, it does not fail on a budget.
    return 0


if __name__ == "__main__":
    sys.exit(main())
