"""Load figures: simulated citizens on the mixed journey against the local stack (locust, headless).

Each simulated citizen signs in with the code texted through the emulator's SMS, saves a profile, reads
the catalog, uploads two pages, submits (twice, with one Idempotency-Key), polls the status, pays in the
sandbox gateway (whose click sends the IPN) and tracks the application; then a new citizen starts
(bench/load_journey.py). Prints requests/s, p50/p95/p99 per operation, the errors grouped (there must be
none), then the invariants read from the emulator's DynamoDB (bench/load_checks.py) and the RSS of the
stack's processes. Figures only: nothing here asserts a time.

The citizens start within seconds of each other and, on a saturated stack, walk the journey in step:
one journey then takes longer than the run and the later steps are missing from the table (a warm-up
alone does not spread them). For figures with the citizens spread over the journey, ramp up slowly and
measure after the ramp: `--spawn-rate 2 --warmup 100`.

Without --url it starts the stack itself (`running_stack`, free ports), with the OTP and tracking limits
raised (all simulated citizens share 127.0.0.1), and stops it afterwards. With --url, the stack must run
with those limits raised and --aws-endpoint / --table-prefix must name its emulator and tables.

Usage: .venv/bin/python bench/load.py [--users 200] [--spawn-rate 20] [--minutes 2] [--warmup 0] [--think 1]
                                      [--workers N] [--url URL --aws-endpoint URL --table-prefix motcua-local-]
"""

from __future__ import annotations

import argparse
import contextlib
import os
import resource
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import gevent
import locust.env

# Importing locust monkey-patches the standard library for gevent; whatever imports ssl (boto3, requests,
# urllib.request) must come after it, or ssl recurses forever: hence this second block.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import load_checks  # noqa: E402
import load_journey  # noqa: E402

from functions.core import config as config_mod  # noqa: E402
from functions.local import free_port, running_stack  # noqa: E402

# All simulated citizens come from 127.0.0.1; these limits are per address (and per hour).
RAISED_LIMITS = {"MOTCUA_OTP_IP_HOURLY": "1000000", "MOTCUA_TRACK_PER_HOUR": "1000000"}
PERCENTILES = (0.5, 0.95, 0.99)


def parse_args() -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--users", type=int, default=200)
    parser.add_argument("--spawn-rate", type=float, default=20.0, help="users started per second")
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--warmup", type=float, default=0.0,
                        help="seconds of load before the measured minutes (figures reset after it)")
    parser.add_argument("--think", type=float, default=1.0, help="mean seconds a citizen reads between steps")
    parser.add_argument("--settle", type=float, default=120.0,
                        help="max seconds to wait, after the run, for pending events and late IPNs")
    parser.add_argument("--workers", type=int, help="API worker processes of the stack started here "
                        "(default: MOTCUA_WORKERS or the stack's own default)")
    parser.add_argument("--url", help="a running stack (default: start one)")
    parser.add_argument("--aws-endpoint", default=None, help="its emulator (default AWS_ENDPOINT_URL)")
    parser.add_argument("--table-prefix", default=None, help="its table prefix (default from the settings)")
    return parser.parse_args()


@contextlib.contextmanager
def stack(args: argparse.Namespace) -> Iterator[tuple[str, str, str]]:
    """(base URL, emulator URL, table prefix) of the stack under test; starts and stops our own."""
    if args.url:
        endpoint = args.aws_endpoint or config_mod.local_aws_endpoint()
        yield args.url.rstrip("/"), endpoint, args.table_prefix or config_mod.load().table_prefix
        return
    endpoint = f"http://127.0.0.1:{free_port()}"
    env = {**RAISED_LIMITS, "AWS_ENDPOINT_URL": endpoint, "MOTCUA_STAGE": "local",
           **({"MOTCUA_WORKERS": str(args.workers)} if args.workers else {})}
    prefix = config_mod.load({**os.environ, **env}).table_prefix
    print(f"Starting the local stack (emulator {endpoint})…", flush=True)
    with running_stack(timeout=240.0, extra_env=env) as base:
        yield base.rstrip("/"), endpoint, prefix


def run_load(env: locust.env.Environment, args: argparse.Namespace) -> tuple[float, list[str]]:
    """Ramp up, run `--warmup` seconds unmeasured (the citizens drift apart in their journeys), then measure
    `--minutes`, stop; returns the measured seconds and the errors of the warm-up."""
    runner = env.create_local_runner()
    started = time.monotonic()
    runner.start(args.users, spawn_rate=args.spawn_rate)
    warmup_errors: list[str] = []
    if args.warmup > 0:
        _progress(env, started, args.warmup, "warm-up")
        warmup_errors = [f"{e.occurrences:5d}  {e.method} {e.name}: {e.error} (warm-up)"
                         for e in env.stats.errors.values()]
        env.stats.reset_all()
        load_journey.Citizen.journeys.clear()
        load_journey.Citizen.inbox.reset()
        started = time.monotonic()
    _progress(env, started, args.minutes * 60, "measured")
    elapsed = time.monotonic() - started
    runner.quit()
    return elapsed, warmup_errors


def _progress(env: locust.env.Environment, started: float, seconds: float, phase: str) -> None:
    while (left := seconds - (time.monotonic() - started)) > 0:
        gevent.sleep(min(10.0, left))
        total = env.stats.total
        print(f"  {phase} {time.monotonic() - started:5.0f} s  {env.runner.user_count:4d} users  "
              f"{total.num_requests:6d} requests  {total.num_failures} failed  {total.current_rps:6.1f} req/s now",
              flush=True)


def report(env: locust.env.Environment, elapsed: float) -> int:
    """Print throughput, latency per operation and the errors grouped; returns the error count."""
    entries = sorted(env.stats.entries.values(), key=lambda e: (e.name.startswith(("s3:", "sandbox:")), e.name))
    api = sum(e.num_requests for e in entries if not e.name.startswith(("s3:", "sandbox:")) and e.method != "CHECK")
    total = sum(e.num_requests for e in entries if e.method != "CHECK")
    journeys = load_journey.Citizen.journeys
    print(f"\nThroughput over {elapsed:.0f} s: {total / elapsed:.1f} requests/s "
          f"({api / elapsed:.1f} API requests/s), {len(journeys)} complete journeys "
          f"({len(journeys) / elapsed * 60:.0f}/min, median {_median(journeys):.1f} s each)")
    print(f"{'operation':<32}{'count':>7}{'fail':>6}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'max ms':>9}")
    for e in entries:
        if e.method == "CHECK":
            continue
        p50, p95, p99 = (e.get_response_time_percentile(p) for p in PERCENTILES)
        print(f"{e.name:<32}{e.num_requests:>7}{e.num_failures:>6}{p50:>9.0f}{p95:>9.0f}{p99:>9.0f}"
              f"{e.max_response_time or 0:>9.0f}")
    inbox = load_journey.Citizen.inbox
    if inbox.reads:
        print(f"SMS: {len(inbox.waits)} codes, median wait {_median(inbox.waits):.2f} s; {len(inbox.reads)} reads "
              f"of the emulator's SMS outbox, median {_median([r[0] for r in inbox.reads]):.2f} s, last "
              f"{inbox.reads[-1][1]:,} B")
    errors = sum(err.occurrences for err in env.stats.errors.values())
    exceptions = sum(exc["count"] for exc in env.runner.exceptions.values()) if env.runner else 0
    print(f"\nErrors: {errors + exceptions}")
    for err in sorted(env.stats.errors.values(), key=lambda x: -x.occurrences):
        print(f"  {err.occurrences:5d}  {err.method} {err.name}: {err.error}")
    for exc in (env.runner.exceptions.values() if env.runner else ()):
        print(f"  {exc['count']:5d}  exception: {exc['msg']}\n{exc['traceback']}")
    return errors + exceptions


def _median(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2] if ordered else 0.0


def print_usage(elapsed: float) -> None:
    """Memory and CPU of each process of the stack this bench started, and of this load generator."""
    rows = load_checks.process_usage(os.getpid())
    if rows:
        print("\nStack processes at the end (RSS; CPU seconds since start, stack start-up included):")
        for pid, command, rss, cpu in rows:
            print(f"  {pid:>7}  {rss:7.0f} MiB  {cpu:7.1f} s  {command}")
        print(f"  total    {sum(r[2] for r in rows):7.0f} MiB  {sum(r[3] for r in rows):7.1f} s")
    own = resource.getrusage(resource.RUSAGE_SELF)
    print(f"Load generator (this process): {own.ru_utime + own.ru_stime:.1f} CPU seconds "
          f"({(own.ru_utime + own.ru_stime) / elapsed:.0%} of one core over the run), on the same machine")


def main() -> int:
    """Run the load, print the figures and the invariants; exit 1 on errors or violated invariants."""
    args = parse_args()
    with stack(args) as (base, endpoint, prefix):
        citizen = load_journey.Citizen
        citizen.inbox, citizen.phones, citizen.think = (load_journey.SmsInbox(endpoint),
                                                        load_journey.phone_numbers(), args.think)
        env = locust.env.Environment(user_classes=[citizen], host=base)
        print(f"Load: {args.users} users (+{args.spawn_rate:g}/s), {args.warmup:g} s warm-up, {args.minutes:g} min "
              f"measured, think {args.think:g} s, "
              f"against {base} (load average before: {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs)", flush=True)
        elapsed, warmup_errors = run_load(env, args)
        failures = report(env, elapsed) + len(warmup_errors)
        print("\n".join(f"  {line}" for line in warmup_errors))
        print(f"Load average at the end: {os.getloadavg()[0]:.1f} (this bench, the stack and anything else running)")
        print("\nInvariants (read from the emulator's DynamoDB):")
        problems = load_checks.check(load_checks.Tables(endpoint, prefix), citizen.submissions, args.settle)
        for problem in problems[:50]:
            print(f"  VIOLATED: {problem}")
        print(f"Invariants: {'all hold' if not problems else f'{len(problems)} violations'}")
        if not args.url:
            print_usage(elapsed)
    return 1 if failures or problems else 0


if __name__ == "__main__":
    sys.exit(main())
