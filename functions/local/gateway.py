"""The local sandbox payment gateway in a process of its own, so that every API worker sees one gateway.

The sandbox keeps its orders in memory, as the real gateway keeps them on its side: the pay page, the
click that follows it and querydr must reach the same copy. With several API workers behind one socket
they would not, so the supervisor runs the sandbox once, here, on a private loopback port, and each
worker forwards `/sandbox/vnpay/...` to it (functions/local/devserver.py), keeping the app's one origin.

`python -m functions.local.gateway LISTEN_FD READY_FD PARENT_PID`
"""

from __future__ import annotations

import logging
import os
import sys

from functions.local import lifecycle

MOUNT = "/sandbox/vnpay"


def serve(listen_fd: int, ready_fd: int) -> None:
    """Serve the sandbox at MOUNT on the inherited socket until a stop signal."""
    from werkzeug.middleware.dispatcher import DispatcherMiddleware
    from werkzeug.serving import make_server

    from functions.core import config as config_mod
    from functions.local.sandbox_vnpay import create_sandbox_app

    lifecycle.exit_on_stop_signals()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    cfg = config_mod.load()
    # Mounted at the same path as in the app, so the pages' links (built from the script root) hold.
    sandbox = create_sandbox_app(cfg, f"{cfg.app_origin}/api/pay/vnpay/ipn")
    app = DispatcherMiddleware(_not_found, {MOUNT: sandbox})
    # Werkzeug's server: a thread per request, so an IPN call never waits for a free pool thread.
    server = make_server("127.0.0.1", 0, app, threaded=True, fd=listen_fd)
    os.close(listen_fd)
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    server.serve_forever()


def _not_found(environ: dict, start_response: object) -> list[bytes]:
    start_response("404 Not Found", [("Content-Type", "text/plain")])  # type: ignore[operator]
    return [b"not found"]


if __name__ == "__main__":
    listen, ready, parent = (int(arg) for arg in sys.argv[1:4])
    lifecycle.die_with_parent(parent)
    serve(listen, ready)
