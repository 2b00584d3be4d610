"""How heavy is a first visit to the statistics page "/thong-ke"? Prints compressed bytes on the wire.

As bench/pwa_weight.py does (whose Traffic it reuses): a fresh Chromium context (empty HTTP cache, no
service worker) opens /thong-ke on the local stack, waits for the report and for the network to go quiet.
Bodies are split into the page's own (its code, styles, texts and its API answer: /js/statistics/,
/css/statistics.css, /i18n/statistics/, /api/status/statistics) and the app shell every screen shares
(index, app code, main texts, service worker and its precache, the procedure catalog the shell loads).

Run: .venv/bin/python bench/stats_page_weight.py
"""

from __future__ import annotations

import sys
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from pwa_weight import Traffic, first_visit  # noqa: E402

from functions.local import running_stack  # noqa: E402

BUDGET_BYTES = 20 * 1024
OWN = ("/js/statistics/", "/css/statistics.css", "/i18n/statistics/", "/api/status/statistics")


def report(traffic: Traffic) -> None:
    own = [(size, url) for size, _, url in traffic.items if urlsplit(url).path.startswith(OWN)]
    shell = [(size, url) for size, _, url in traffic.items if not urlsplit(url).path.startswith(OWN)]
    own_bytes, shell_bytes = sum(s for s, _ in own), sum(s for s, _ in shell)
    print("First visit to /thong-ke (fresh context, gzip as served by the local stack; response bodies)")
    print(f"  the page's own   {len(own):>3} responses  {own_bytes:>7,} B")
    for size, url in sorted(own, reverse=True):
        print(f"      {size:>7,} B  {urlsplit(url).path}")
    print(f"  the shared shell {len(shell):>3} responses  {shell_bytes:>7,} B (page and service worker), largest:")
    for size, url in sorted(shell, reverse=True)[:6]:
        print(f"      {size:>7,} B  {urlsplit(url).path}")
    print(f"  total            {len(own) + len(shell):>3} responses  {own_bytes + shell_bytes:>7,} B")
    verdict = "MET" if own_bytes <= BUDGET_BYTES else "NOT MET"
    print(f"Budget {BUDGET_BYTES:,} B for the page and its data: {own_bytes:,} B -> {verdict}")


def measure(base_url: str) -> None:
    traffic, _ = first_visit(f"{base_url}/thong-ke?province=33", ".stat-target")
    report(traffic)


def main() -> int:
    with running_stack() as base_url:
        measure(base_url)
    return 0  # a figure, not a gate


if __name__ == "__main__":
    sys.exit(main())
