"""The embedded local stack: AWS emulator + template + seed + dev server (`make run`).

`python -m functions.local` runs it in the foreground; `running_stack()` runs it in a subprocess on
free ports for browser tests and benchmarks.
"""

from __future__ import annotations

import contextlib
import logging
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
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
STACK_NAME = "motcua-local"

# moto accepts any credentials; real ones must never be needed (or used) locally.
_EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
}


def _prepare_environment() -> None:
    """Defaults for a local run; anything already set in the environment wins."""
    from functions.core import config as config_mod
    from functions.local.seed import local_secrets

    for key, value in _EMULATOR_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_ENDPOINT_URL", config_mod.local_aws_endpoint())
    for key, value in local_secrets(config_mod.state_dir()).items():
        os.environ.setdefault(key, value)


def start(verbose: bool = True):  # noqa: ANN201 (returns the werkzeug server)
    """Start the emulator, deploy the template, seed, and return a ready (not yet serving) server."""
    from moto.server import ThreadedMotoServer
    from werkzeug.serving import make_server

    from functions.core import config as config_mod
    from functions.core import models
    from functions.local import devserver, emulator, notifier, seed

    _prepare_environment()
    # The emulator and the dev server both log every request through "werkzeug"; keep the console
    # for the banner and the SMS messages a developer needs to read.
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    cfg = config_mod.load()
    endpoint = urlparse(cfg.aws_endpoint_url or config_mod.local_aws_endpoint())
    moto = ThreadedMotoServer(ip_address=endpoint.hostname or "127.0.0.1", port=endpoint.port or 4566,
                              verbose=False)
    moto.start()
    outputs = emulator.deploy(STACK_NAME, {"Stage": cfg.stage, "AppOrigin": cfg.app_origin}, cfg.region,
                              endpoint.geturl())
    os.environ.setdefault("MOTCUA_DOCUMENTS_BUCKET", outputs["DocumentsBucketName"])
    cfg = config_mod.load()
    models.bind(cfg)
    officers = seed.seed_officers()
    server = make_server(cfg.http_host, cfg.http_port, devserver.create_wsgi(cfg), threaded=True)
    server.notifier = notifier.start(cfg)  # type: ignore[attr-defined]
    if verbose:
        _banner(cfg, endpoint.geturl(), officers)
    server.moto = moto  # type: ignore[attr-defined]
    return server


def _banner(cfg, endpoint: str, officers: list[dict[str, str]]) -> None:  # noqa: ANN001
    lines = [
        "",
        "Một Cửa local stack is ready",
        f"  App:          http://localhost:{cfg.http_port}/  (listening on {cfg.http_host})",
        f"  API document: http://localhost:{cfg.http_port}/api/openapi.json",
        f"  AWS emulator: {endpoint}  (stack {STACK_NAME}, tables {cfg.table_prefix}*)",
        "  Demo officers (sign in with the SMS code printed on this console):",
        *[f"    {o['phone']}  {o['commune_name']}  commune {o['commune']}" for o in officers],
        "  Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> None:
    """Run the whole stack in the foreground until Ctrl-C."""
    server = start()
    # Ctrl-C and `kill` both stop the stack cleanly, even when started from a script that ignores SIGINT.
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, _interrupt)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
    finally:
        server.server_close()
        server.moto.stop()


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
def running_stack(timeout: float = 90.0, extra_env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `python -m functions.local` on free ports; yield its base URL; stop it on exit."""
    port, aws_port = free_port(), free_port()
    with tempfile.TemporaryDirectory(prefix="motcua-stack-") as state:
        env = {**os.environ, "MOTCUA_PORT": str(port), "AWS_ENDPOINT_URL": f"http://127.0.0.1:{aws_port}",
               "MOTCUA_APP_ORIGIN": f"http://127.0.0.1:{port}", "MOTCUA_STATE_DIR": state,
               "MOTCUA_STAGE": "local", **(extra_env or {})}
        log = open(Path(state) / "stack.log", "wb")  # noqa: SIM115 (closed below)
        proc = subprocess.Popen([sys.executable, "-m", "functions.local"], cwd=ROOT, env=env,
                                stdout=log, stderr=subprocess.STDOUT)
        base = f"http://127.0.0.1:{port}"
        try:
            _wait_ready(f"{base}/api/submit/health", proc, timeout)
            yield base
        except (RuntimeError, TimeoutError):
            log.flush()
            sys.stderr.write((Path(state) / "stack.log").read_text(errors="replace"))
            raise
        finally:
            proc.terminate()
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(timeout=10)
            if proc.poll() is None:
                proc.kill()
            log.close()
