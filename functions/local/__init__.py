"""The embedded local stack: AWS emulator + template + seed + dev server (`make run`).

`python -m functions.local` runs it in the foreground: a supervisor with the emulator and the API
workers as child processes (functions/local/supervisor.py). `running_stack()` runs it in a
subprocess on free ports for browser tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

def main() -> None:
    """Run the whole stack in the foreground until Ctrl-C (functions/local/supervisor.py)."""
    from functions.local import supervisor

    sys.exit(supervisor.run())


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(url: str, proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"local stack exited with {proc.returncode}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(url, timeout=2) as resp:  # noqa: S310 (loopback only)
                if resp.status == 200:
                    return
        time.sleep(0.2)
    raise TimeoutError(f"local stack not ready after {timeout}s")


@contextlib.contextmanager
def stack_process(timeout: float = 90.0, extra_env: dict[str, str] | None = None
                  ) -> Iterator[tuple[subprocess.Popen, str]]:
    """Run `python -m functions.local` on free ports in a session of its own; yield the supervising
    process and the base URL once it answers; on exit stop it (SIGTERM, then SIGKILL to its group)."""
    port, aws_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="motcua-stack-") as state:
        env = {**os.environ, "MOTCUA_PORT": str(port), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
               "MOTCUA_APP_ORIGIN": f"http://127.0.0.1:{port}", "MOTCUA_STATE_DIR": state,
               "MOTCUA_STAGE": "local", **(extra_env or {})}
        log = open(Path(state) / "stack.log", "wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen([sys.executable, "-m", "functions.local"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(f"{base}/api/submit/health", proc, timeout)
            yield proc, base
        except (RuntimeError, TimeoutError):
            log.flush()
            sys.stderr.write((Path(state) / "stack.log").read_text(errors="replace"))
            raise
        finally:
            _stop(proc)
            log.close()


def _stop(proc: subprocess.Popen) -> None:
    """SIGTERM to the supervisor (which stops its children); SIGKILL to the whole group if it hangs."""
    if proc.poll() is None:
        proc.terminate()
        with contextlib.suppress(subprocess.TimeoutExpired):
            proc.wait(timeout=10)
    # Children die with the supervisor (PDEATHSIG); the group kill covers any that could not.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(proc.pid, signal.SIGKILL)
    proc.wait()


@contextlib.contextmanager
def running_stack(timeout: float = 90.0, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `python -m functions.local` on free ports; yield its base URL; stop it on exit."""
    with stack_process(timeout, extra_env) as (_, base):
        yield base
