"""`make run` stops as a whole, even under load: Ctrl-C (SIGINT to the terminal's process group) or
`kill` (SIGTERM to the supervisor) leaves no process of the stack behind. How fast it stops is measured
by bench/stack_stop.py, not here."""

from __future__ import annotations

import http.client
import os
import signal
import threading
import time
import urllib.request
from collections.abc import Callable
from pathlib import Path

import pytest

from functions.local import stack_process

GENEROUS_S = 30.0
IN_FLIGHT = 20


def process_tree(pid: int) -> dict[int, str]:
    """`pid` and its live descendants, with their command lines."""
    found, todo = {}, [pid]
    while todo:
        current = todo.pop()
        try:
            cmd = Path(f"/proc/{current}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except OSError:
            continue
        found[current] = cmd
        todo.extend(int(child) for child in children)
    return found


def alive(pid: int, cmd: str) -> bool:
    """Whether the process `pid` running `cmd` still runs (a zombie waiting for its parent has stopped;
    the command guards against the pid having been reused)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text()
        now = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return False
    return "\nState:\tZ" not in status and now == cmd


class Load:
    """IN_FLIGHT threads sending requests back to back until told to stop."""

    def __init__(self, base: str) -> None:
        self.base, self.stop, self.answered = base, threading.Event(), 0
        self.threads = [threading.Thread(target=self._run, daemon=True) for _ in range(IN_FLIGHT)]

    def _run(self) -> None:
        paths = ("/api/submit/procedures", "/api/account/profile", "/api/openapi.json", "/api/status/health")
        while not self.stop.is_set():
            for path in paths:
                try:
                    with urllib.request.urlopen(self.base + path, timeout=GENEROUS_S) as resp:  # noqa: S310
                        resp.read()
                except (OSError, http.client.HTTPException):
                    pass  # a stopping stack drops connections, even mid-answer (IncompleteRead): expected here
                self.answered += 1

    def __enter__(self) -> Load:
        for thread in self.threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop.set()
        for thread in self.threads:
            thread.join(GENEROUS_S)


def ctrl_c(pid: int) -> None:
    """What a terminal's Ctrl-C does: SIGINT to the whole foreground process group."""
    os.killpg(pid, signal.SIGINT)


def kill(pid: int) -> None:
    """What `kill PID` does: SIGTERM to that one process."""
    os.kill(pid, signal.SIGTERM)


def wait_for(condition: Callable[[], bool]) -> bool:
    """Poll `condition` for up to GENEROUS_S seconds; its last answer."""
    deadline = time.monotonic() + GENEROUS_S
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.mark.parametrize("stop", [ctrl_c, kill], ids=["ctrl_c", "sigterm"])
def test_the_whole_stack_exits_under_load(stop: Callable[[int], None]) -> None:
    with stack_process(extra_env={"MOTCUA_WORKERS": "2"}) as (proc, base):
        tree = process_tree(proc.pid)
        roles = sorted(cmd.split("-m ", 1)[-1].split()[0] for cmd in tree.values())
        assert roles == ["functions.local", "functions.local.aws", "functions.local.gateway",
                         "functions.local.worker", "functions.local.worker"]
        with Load(base) as load:
            assert wait_for(lambda: load.answered >= IN_FLIGHT)  # every thread is sending by now
            stop(proc.pid)
            assert proc.wait(timeout=GENEROUS_S) == 0
        wait_for(lambda: not any(alive(pid, cmd) for pid, cmd in tree.items()))
        assert [cmd for pid, cmd in tree.items() if alive(pid, cmd)] == []
