"""`make run`'s supervising process: the emulator, the sandbox gateway and the API workers as children.

1. Bind the app's port once (so a busy port fails at once, before anything starts).
2. Start the AWS emulator (functions/local/aws.py) and the API workers (functions/local/worker.py,
   MOTCUA_WORKERS of them, on the inherited socket; the first also runs the local notifier). The
   workers import the app meanwhile.
3. Make the local secrets, start the sandbox payment gateway once (functions/local/gateway.py) on a
   private port the workers forward /sandbox/vnpay/ to, deploy the template into the emulator and seed
   it, over HTTP like any client; then tell the workers the settled environment and wait for them.
4. Watch: Ctrl-C or SIGTERM stops every child within a few seconds, under load too; a child that dies
   on its own stops the stack with exit code 1 rather than leaving it half up.
"""

from __future__ import annotations

import json
import os
import select
import signal
import socket
import subprocess
import sys
import threading
import time
from urllib.parse import urlparse

from functions.core.config import Config
from functions.local.lifecycle import STOP_SIGNALS, Children, listen

STACK_NAME = "motcua-local"
READY_TIMEOUT_S = 180.0

# moto accepts any credentials; real ones must never be needed (or used) locally.
_EMULATOR_ENV = {
    "AWS_ACCESS_KEY_ID": "local",
    "AWS_SECRET_ACCESS_KEY": "local",
    "AWS_SESSION_TOKEN": "local",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
}


def prepare_environment() -> None:
    """Defaults for a local run; anything already set in the environment wins."""
    from functions.core import config as config_mod
    from functions.local.seed import local_secrets

    for key, value in _EMULATOR_ENV.items():
        os.environ.setdefault(key, value)
    os.environ.setdefault("AWS_ENDPOINT_URL", config_mod.local_aws_endpoint())
    for key, value in local_secrets(config_mod.state_dir()).items():
        os.environ.setdefault(key, value)


def _spawn(children: Children, name: str, args: list[str], pass_fds: tuple[int, ...] = (),
           stdin: int | None = None) -> int:
    """Start a child that writes one byte to its ready pipe when it serves; returns the pipe's read end.
    Its arguments: the module, then the inherited descriptors, the ready pipe, this pid, then `args[1:]`."""
    read_end, write_end = os.pipe()
    children.spawn(name, [*args[:1], *[str(fd) for fd in pass_fds], str(write_end), str(os.getpid()),
                          *args[1:]], pass_fds=(*pass_fds, write_end), stdin=stdin)
    os.close(write_end)
    return read_end


def wait_ready(children: Children, pipes: dict[int, str], timeout: float = READY_TIMEOUT_S) -> None:
    """Block until every child in `pipes` (read end -> name) has said it is ready."""
    deadline = time.monotonic() + timeout
    waiting = dict(pipes)
    while waiting:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError(f"not ready after {timeout:.0f} s: {', '.join(waiting.values())}")
        readable, _, _ = select.select(list(waiting), [], [], min(left, 1.0))
        for fd in readable:
            name = waiting.pop(fd)
            ok = os.read(fd, 1) == b"1"
            os.close(fd)
            if not ok:
                code = children.procs[name].wait()
                if code == 0:  # a child exits 0 only on a stop signal: Ctrl-C while starting
                    raise KeyboardInterrupt
                raise RuntimeError(f"{name} exited with code {code} while starting")


def start(children: Children) -> None:
    """Start every child, deploy and seed, let the workers build their apps; print the banner."""
    from functions.core import config as config_mod

    cfg = config_mod.load()
    sock = listen(cfg.http_host, cfg.http_port)
    endpoint = urlparse(cfg.aws_endpoint_url or config_mod.local_aws_endpoint())
    pending = {_spawn(children, "emulator", ["functions.local.aws", endpoint.hostname or "127.0.0.1",
                                             str(endpoint.port or 4566)]): "emulator"}
    gateway = listen("127.0.0.1", 0) if _wants_sandbox(cfg) else None
    # The workers import the app while the emulator starts; they build it once told the rest of the
    # environment (secrets, the bucket's name), which the lines below settle.
    spawned = dict(os.environ)
    workers = _spawn_workers(children, sock, cfg.workers, gateway)
    prepare_environment()
    if gateway is not None:
        pending[_spawn(children, "sandbox gateway", ["functions.local.gateway"], (gateway.fileno(),))] = \
            "sandbox gateway"
        gateway.close()
    officers = _deploy_and_seed(children, pending, cfg, endpoint.geturl())
    settled = {k: v for k, v in os.environ.items() if spawned.get(k) != v}
    for name in workers.values():
        children.procs[name].stdin.write(json.dumps(settled).encode() + b"\n")  # type: ignore[union-attr]
        children.procs[name].stdin.close()  # type: ignore[union-attr]
    wait_ready(children, workers)
    sock.close()  # the workers hold their own copies
    _banner(config_mod.load(), endpoint.geturl(), officers)


def _wants_sandbox(cfg: Config) -> bool:
    from functions.local.devserver import wants_sandbox

    return wants_sandbox(cfg)


def _spawn_workers(children: Children, sock: socket.socket, count: int, gateway: socket.socket | None
                   ) -> dict[int, str]:
    """Start the API workers on `sock`; the first also runs the notifier. Ready pipe -> name."""
    extra = ["--sandbox-port", str(gateway.getsockname()[1])] if gateway is not None else []
    workers = {}
    for n in range(count):
        args = ["functions.local.worker", *extra, *(["--notifier"] if n == 0 else [])]
        workers[_spawn(children, f"worker {n + 1}", args, (sock.fileno(),), stdin=subprocess.PIPE)] = \
            f"worker {n + 1}"
    return workers


def _deploy_and_seed(children: Children, pending: dict[int, str], cfg: Config, endpoint: str
                     ) -> list[dict[str, str]]:
    """Once the emulator serves: deploy the template, note the bucket, seed the demo officers."""
    from functions.core import config as config_mod
    from functions.core import models
    from functions.local import emulator, seed, speedups

    speedups.share_botocore_session()
    wait_ready(children, pending)
    outputs = emulator.deploy(STACK_NAME, {"Stage": cfg.stage, "AppOrigin": cfg.app_origin}, cfg.region, endpoint)
    os.environ.setdefault("MOTCUA_DOCUMENTS_BUCKET", outputs["DocumentsBucketName"])
    models.bind(config_mod.load())
    return seed.seed_officers()


def _banner(cfg, endpoint: str, officers: list[dict[str, str]]) -> None:  # noqa: ANN001
    lines = [
        "",
        "Một Cửa local stack is ready",
        f"  App:          http://localhost:{cfg.http_port}/  (listening on {cfg.http_host}, "
        f"{cfg.workers} worker{'s' if cfg.workers > 1 else ''})",
        f"  API document: http://localhost:{cfg.http_port}/api/openapi.json",
        f"  AWS emulator: {endpoint}  (stack {STACK_NAME}, tables {cfg.table_prefix}*)",
        "  Demo officers (sign in with the SMS code printed on this console):",
        *[f"    {o['phone']}  {o['commune_name']}  commune {o['commune']}" for o in officers],
        "  Press Ctrl-C to stop.",
        "",
    ]
    print("\n".join(lines), flush=True)


def watch(children: Children) -> int:
    """Wait until a child ends: 0 if it ended on a stop signal (Ctrl-C reaches the whole group), else 1."""
    while (ended := children.exited()) is None:
        time.sleep(0.2)
    _STOPPING.set()  # the Ctrl-C that stopped the child may reach this process a moment later
    name, code = ended
    if code != 0:
        print(f"{name} exited with code {code}; stopping the stack", file=sys.stderr, flush=True)
        return 1
    print("\nStopping…", flush=True)
    return 0


_STOPPING = threading.Event()


def _interrupt(signum: int, frame: object) -> None:
    if not _STOPPING.is_set():  # once: a second signal must not cut the stopping short
        _STOPPING.set()
        raise KeyboardInterrupt


def run() -> int:
    """Run the stack until Ctrl-C, SIGTERM or a child's death; returns the exit code."""
    children = Children()
    # Ctrl-C and `kill` both stop the stack, even when started from a script that ignores SIGINT.
    for sig in STOP_SIGNALS:
        signal.signal(sig, _interrupt)
    try:
        start(children)
        return watch(children)
    except KeyboardInterrupt:
        print("\nStopping…", flush=True)
        return 0
    except (OSError, RuntimeError, TimeoutError) as exc:
        print(f"The local stack could not start: {exc}", file=sys.stderr, flush=True)
        return 1
    finally:
        _STOPPING.set()
        children.stop()
