"""The local stack under load: throughput, latency, memory per process, and how fast Ctrl-C stops it.

Starts `python -m functions.local` on free ports (as `running_stack` does), signs in `--users` citizens
through the emulator's SMS, then runs a closed mixed loop for `--seconds`: each user reads the catalog,
reads their profile, writes it, lists their applications and reads their inbox, with `--think`
seconds between requests. Prints requests/s, p50/p95/p99, errors (anything but 2xx, or no answer within
30 s), the resident memory of every process of the stack, then sends SIGINT while the load is still
running and prints how long the whole process tree took to exit (budget: 5 s).

Usage: .venv/bin/python bench/stack_stop.py [--users 200] [--seconds 60] [--think 1.0] [--signal INT]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 30.0
STOP_BUDGET_S = 5.0
PROFILE = {
    "full_name": "Nguyễn Thị Lan", "date_of_birth": "1998-04-12", "citizen_id": "001198001234",
    "permanent_residence": {"province_code": "33", "commune_code": "13075"},
    "current_address": {"province_code": "33", "commune_code": "13075", "street": "Thôn Đông, số 12"},
}


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_stack(state: str, extra: dict[str, str]) -> tuple[subprocess.Popen, str, str, float]:
    """The stack in a subprocess of its own group: (process, base URL, emulator URL, seconds to ready)."""
    port, aws = free_port(), free_port()
    base, emulator = f"http://127.0.0.1:{port}", f"http://127.0.0.1:{aws}"
    env = {**os.environ, "MOTCUA_PORT": str(port), "AWS_ENDPOINT_URL": emulator, "MOTCUA_APP_ORIGIN": base,
           "MOTCUA_STATE_DIR": state, "MOTCUA_STAGE": "local", "MOTCUA_OTP_IP_HOURLY": "1000000", **extra}
    began = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-m", "functions.local"], cwd=ROOT, env=env,
                            stdout=open(Path(state) / "stack.log", "wb"),  # noqa: SIM115
                            stderr=subprocess.STDOUT, start_new_session=True)
    while time.monotonic() - began < 300:
        if proc.poll() is not None:
            sys.exit(f"stack exited with {proc.returncode}: see {state}/stack.log")
        try:
            with urllib.request.urlopen(f"{base}/api/submit/health", timeout=2):  # noqa: S310 (loopback)
                return proc, base, emulator, time.monotonic() - began
        except OSError:
            time.sleep(0.2)
    sys.exit("stack not ready after 300 s")


class User:
    """One signed-in citizen: their cookies, and the CSRF token writes carry."""

    def __init__(self, base: str, phone: str) -> None:
        self.base, self.phone, self.cookies = base, phone, SimpleCookie()

    def call(self, method: str, path: str, body: dict | None = None) -> int:
        """One request; returns the HTTP status (0 when no answer came within the timeout)."""
        headers = {"Accept": "application/json", "Accept-Encoding": "gzip", "Origin": self.base}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={m.value}" for k, m in self.cookies.items())
            if "motcua_csrf" in self.cookies:
                headers["X-CSRF-Token"] = self.cookies["motcua_csrf"].value
        data = None if body is None else json.dumps(body).encode()
        if data is not None:
            headers["Content-Type"] = "application/json"
        req = urllib.request.Request(self.base + path, data=data, headers=headers, method=method)
        try:
            with urllib.request.urlopen(req, timeout=TIMEOUT_S) as resp:  # noqa: S310 (loopback only)
                resp.read()
                for value in resp.headers.get_all("Set-Cookie") or []:
                    self.cookies.load(value)
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code
        except (OSError, http.client.HTTPException):
            return 0


def sign_in(base: str, emulator: str, count: int) -> list[User]:
    """`count` new citizens, each through a real SMS code read from the emulator's SNS."""
    users = [User(base, f"+8490{random.randrange(10**7):07d}") for _ in range(count)]
    users = [u for u in {u.phone: u for u in users}.values() if not u.phone.endswith("99")]
    with ThreadPoolExecutor(20) as pool:
        sent = list(pool.map(lambda u: u.call("POST", "/api/account/otp", {"phone": u.phone}), users))
        if any(status != 202 for status in sent):
            print(f"requestOtp answers: {sorted(Counter(sent).items())}")
        with urllib.request.urlopen(f"{emulator}/_local/sms", timeout=120) as resp:  # noqa: S310
            messages = json.load(resp)["messages"]
        codes = {m["phone_number"]: m["message"].rsplit("#", 1)[-1].strip() for m in messages}
        answers = list(pool.map(lambda u: u.call("POST", "/api/account/otp/verify",
                                            {"phone": u.phone, "code": codes.get(u.phone, "")}), users))
        verified = [u for u, status in zip(users, answers, strict=True) if status == 200]
    if len(verified) < len(users):
        print(f"verifyOtp answers: {sorted(Counter(answers).items())}")
    return verified


JOURNEY = (("GET", "/api/submit/procedures", None), ("GET", "/api/account/profile", None),
           ("PUT", "/api/account/profile", PROFILE), ("GET", "/api/submit/applications", None),
           ("GET", "/api/status/inbox", None))


class Load:
    """Closed-loop users running JOURNEY until stopped; records (latency, status) per request."""

    def __init__(self, users: list[User], think: float) -> None:
        self.users, self.think = users, think
        self.samples: list[tuple[float, int]] = []
        self.running = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(u,), daemon=True) for u in users]

    def _run(self, user: User) -> None:
        time.sleep(random.uniform(0, self.think))
        while self.running.is_set():
            for method, path, body in JOURNEY:
                began = time.monotonic()
                status = user.call(method, path, body)
                if self.running.is_set():
                    self.samples.append((time.monotonic() - began, status))
                time.sleep(random.uniform(0.5, 1.5) * self.think)

    def start(self) -> None:
        """Let every user loop."""
        self.running.set()
        for thread in self.threads:
            thread.start()

    def window(self, seconds: float) -> list[tuple[float, int]]:
        """The samples recorded during the next `seconds`."""
        first = len(self.samples)
        time.sleep(seconds)
        return self.samples[first:]


def report(samples: list[tuple[float, int]], seconds: float) -> None:
    """Requests/s, latency percentiles and errors of one measuring window."""
    latencies = sorted(s for s, _ in samples)
    errors = [status for _, status in samples if not 200 <= status < 300]
    cuts = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    print(f"requests: {len(samples)} in {seconds:.0f} s = {len(samples) / seconds:.1f}/s; "
          f"p50 {cuts[49] * 1000:.0f} ms, p95 {cuts[94] * 1000:.0f} ms, p99 {cuts[98] * 1000:.0f} ms; "
          f"errors: {len(errors)} {sorted(set(errors))}")


def tree(pid: int) -> list[int]:
    """`pid` and all its descendants that are alive."""
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        try:
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found.append(current)
        todo.extend(int(c) for c in children)
    return found


def cpu_seconds(pids: list[int]) -> dict[int, float]:
    """User + system CPU time so far of each process."""
    ticks = os.sysconf("SC_CLK_TCK")
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / ticks
    return found


def process_report(pids: list[int], cpu: dict[int, float], seconds: float) -> None:
    """Resident memory, CPU share during the window and command line of each process."""
    for pid in pids:
        try:
            status = Path(f"/proc/{pid}/status").read_text()
            cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()[:60]
        except OSError:
            continue
        rss = next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS"))
        print(f"  pid {pid:>7}  RSS {int(rss) / 1024:7.1f} MiB  CPU {cpu.get(pid, 0) / seconds:5.0%}  {cmd}")


def stop_time(proc: subprocess.Popen, sig: signal.Signals) -> float:
    """Seconds from `sig` to the stack's parent exiting with no process of its tree left."""
    pids = tree(proc.pid)
    began = time.monotonic()
    proc.send_signal(sig)
    proc.wait(timeout=60)
    while any(Path(f"/proc/{pid}").exists() and "zombie" not in _state(pid) for pid in pids):
        time.sleep(0.01)
    return time.monotonic() - began


def _state(pid: int) -> str:
    try:
        return next(line for line in Path(f"/proc/{pid}/status").read_text().splitlines()
                    if line.startswith("State"))
    except (OSError, StopIteration):
        return "zombie"


def main() -> None:
    """Start, sign in, load, report, stop under load."""
    args = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    args.add_argument("--users", type=int, default=200)
    args.add_argument("--seconds", type=float, default=60.0)
    args.add_argument("--warmup", type=float, default=10.0)
    args.add_argument("--think", type=float, default=1.0)
    args.add_argument("--signal", choices=("INT", "TERM"), default="INT")
    opts = args.parse_args()
    with tempfile.TemporaryDirectory(prefix="motcua-bench-") as state:
        proc, base, emulator, ready = start_stack(state, {})
        print(f"ready in {ready:.1f} s; processes: {len(tree(proc.pid))}")
        began = time.monotonic()
        users = sign_in(base, emulator, opts.users)
        print(f"{len(users)} users signed in in {time.monotonic() - began:.1f} s")
        load = Load(users, opts.think)
        load.start()
        load.window(opts.warmup)
        pids = tree(proc.pid)
        before, mine = cpu_seconds(pids), time.process_time()
        samples = load.window(opts.seconds)
        used = {pid: spent - before.get(pid, 0.0) for pid, spent in cpu_seconds(pids).items()}
        report(samples, opts.seconds)
        print(f"the stack used {sum(used.values()):.1f} CPU-s: {len(samples) / sum(used.values()):.1f} requests "
              f"per CPU-second (this load generator: {time.process_time() - mine:.1f} CPU-s; "
              f"machine load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print("processes (memory after the load, share of one core during it):")
        process_report(pids, used, opts.seconds)
        took = stop_time(proc, getattr(signal, f"SIG{opts.signal}"))
        load.running.clear()
        print(f"SIG{opts.signal} under load: the stack's process tree was gone after {took:.2f} s "
              f"(budget {STOP_BUDGET_S:.0f} s)")


if __name__ == "__main__":
    main()
