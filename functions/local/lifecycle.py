"""Process plumbing for the local stack: children that die with their parent and stop at once.

The stack is one supervising process (`python -m functions.local`) with children: the AWS emulator
and the API workers. Their state lives in memory and is thrown away on exit, so a child needs no
orderly shutdown: SIGINT or SIGTERM ends it at once, in-flight requests included. That is what keeps
Ctrl-C under load within a few seconds.
"""

from __future__ import annotations

import contextlib
import ctypes
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from typing import Any

_PR_SET_PDEATHSIG = 1
BACKLOG = 1024  # socketserver's default of 5 drops connections under a burst of users
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)


def die_with_parent(parent: int | None = None) -> None:
    """Linux: receive SIGTERM when the parent dies, even by SIGKILL, so no orphan keeps a port."""
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM))
    if parent is not None and os.getppid() != parent:
        os._exit(0)  # the parent died before the line above took effect


def _exit_now(signum: int, frame: object) -> None:
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(Exception):
            stream.flush()
    os._exit(0)


def exit_on_stop_signals() -> None:
    """SIGINT and SIGTERM end this process at once, without waiting for its threads."""
    for sig in STOP_SIGNALS:
        signal.signal(sig, _exit_now)


def listen(host: str, port: int) -> socket.socket:
    """A listening TCP socket on host:port that children can inherit."""
    from werkzeug.serving import get_sockaddr, select_address_family

    family = select_address_family(host, port)
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(get_sockaddr(host, port, family))
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def http_server(app: Any, sock: socket.socket, threads: int) -> Any:
    """A waitress server for `app` on an already listening socket: HTTP/1.1 keep-alive, and `threads`
    threads running the app, however many connections are open."""
    from waitress.server import create_server

    logging.getLogger("waitress.queue").setLevel(logging.ERROR)  # "task queue depth" under load
    return create_server(app, sockets=[sock], threads=threads, backlog=BACKLOG, connection_limit=4000,
                         channel_timeout=60, ident="motcua-local")


class Children:
    """The supervisor's children by name; stops them all within a grace period, then kills."""

    def __init__(self) -> None:
        self.procs: dict[str, subprocess.Popen] = {}

    def spawn(self, name: str, args: list[str], pass_fds: tuple[int, ...] = (), stdin: int | None = None
              ) -> subprocess.Popen:
        """Start `python -m <args>` as the child `name`, sharing this console and environment."""
        proc = subprocess.Popen([sys.executable, "-m", *args], pass_fds=pass_fds, stdin=stdin)
        self.procs[name] = proc
        return proc

    def exited(self) -> tuple[str, int] | None:
        """The name and exit code of a child that has ended, if any."""
        for name, proc in self.procs.items():
            if proc.poll() is not None:
                return name, proc.returncode
        return None

    def stop(self, grace: float = 4.0) -> None:
        """SIGTERM to every child, then SIGKILL to any still running after `grace` seconds."""
        alive = [p for p in self.procs.values() if p.poll() is None]
        for proc in alive:
            with contextlib.suppress(ProcessLookupError):
                proc.terminate()
        deadline = time.monotonic() + grace
        while any(p.poll() is None for p in alive) and time.monotonic() < deadline:
            time.sleep(0.02)
        for proc in alive:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
