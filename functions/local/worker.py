"""One API worker of the local stack: the dev server's WSGI app on a listening socket it inherits.

`python -m functions.local.worker LISTEN_FD READY_FD PARENT_PID [--sandbox-port N] [--notifier]`, then
one JSON line on stdin: the environment the supervisor settled after starting it. The supervisor binds
the socket once and starts MOTCUA_WORKERS of these; the kernel hands each connection to one of them.
Each worker is a fresh interpreter (not a fork), so no botocore client or lock is ever shared between
processes. Exactly one worker runs the local notifier, so each outbox event is swept by one loop.
"""

from __future__ import annotations

import argparse
import importlib
import json
import logging
import os
import sys
from typing import Any

from functions.core.config import FUNCTIONS
from functions.local import lifecycle, speedups

# Public reads that fill the app's lazy caches (catalog, API document, request schemas, the S3 client).
WARM_PATHS = ("/api/openapi.json", "/api/submit/procedures", *(f"/api/{name}/health" for name in FUNCTIONS))


def warm(app: Any) -> None:
    """Build what the first requests would otherwise build, before this worker says it is ready.

    Lazy clients and caches are built without a lock: a burst of first requests built one per thread
    (12 DynamoDB and 20 SNS clients for 20 concurrent sign-ins, ~140 ms of CPU and ~10 MB each on
    fresh botocore sessions), which stalled the first seconds of a load run. The SNS client is only
    built by sending a message, so it is not warmed here.
    """
    from werkzeug.test import Client

    from functions.core import models
    from functions.core.domain import divisions

    for model in models.ALL_MODELS:
        model._get_connection().connection.client  # noqa: B018 (builds and caches the client)
    divisions.provinces()  # the administrative units, for profile checks (~0.7 s)
    client = Client(app)
    for path in WARM_PATHS:
        client.get(path, headers={"Accept-Encoding": "gzip"})


def serve(listen_fd: int, ready_fd: int, with_notifier: bool, sandbox_port: int | None) -> None:
    """Build the app, tell the supervisor it is ready, and serve until a stop signal."""
    from werkzeug.serving import make_server

    from functions.core import config as config_mod
    from functions.local import devserver, notifier

    lifecycle.exit_on_stop_signals()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    speedups.share_botocore_session()
    for name in FUNCTIONS:  # the imports are most of a worker's start: done while the emulator starts
        importlib.import_module(f"functions.{name}.app")
    # The rest of the environment (secrets, the bucket's name), once the supervisor has settled it.
    os.environ.update(json.loads(sys.stdin.readline() or "{}"))
    cfg = config_mod.load()
    app = devserver.create_wsgi(cfg, ("127.0.0.1", sandbox_port) if sandbox_port else None)
    warm(app)
    server = make_server(cfg.http_host, cfg.http_port, app, threaded=True, fd=listen_fd)
    os.close(listen_fd)  # make_server works on its own duplicate
    # Every worker waits on the same socket: a worker that loses the race for a connection gets
    # EAGAIN (which socketserver ignores) instead of blocking in accept() until the next one.
    server.socket.setblocking(False)
    if with_notifier:
        notifier.start(cfg)
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    server.serve_forever()


def main() -> None:
    """Entry point for the supervisor's `python -m functions.local.worker ...`."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("listen_fd", type=int)
    parser.add_argument("ready_fd", type=int)
    parser.add_argument("parent", type=int)
    parser.add_argument("--notifier", action="store_true")
    parser.add_argument("--sandbox-port", type=int)
    args = parser.parse_args()
    lifecycle.die_with_parent(args.parent)
    serve(args.listen_fd, args.ready_fd, args.notifier, args.sandbox_port)


if __name__ == "__main__":
    main()
