"""The AWS emulator in a process of its own: moto's server, with DynamoDB serialised.

`python -m functions.local.aws READY_FD PARENT_PID HOST PORT` serves moto on HOST:PORT until SIGINT
or SIGTERM, and writes one byte to READY_FD once it listens (functions/local/supervisor.py). The API
workers reach it over HTTP only, so they never share moto's in-process state, and its CPU time (one
core at most, the DynamoDB lock serialises it anyway) no longer competes with theirs for one GIL.

It is served by waitress rather than moto's own Werkzeug server: Werkzeug closes the connection after
every response, so each DynamoDB call cost a new TCP connection and a new thread on both sides.
"""

from __future__ import annotations

import json
import logging
import os
import sys
import warnings
from typing import Any

from functions.local import lifecycle

# DynamoDB runs one call at a time anyway (serialize.py); a few threads let S3 and SNS overlap with it.
THREADS = 8
# The SMS the emulator's SNS has sent, for local tools and tests: `GET /_local/sms?after=N` answers
# {"messages": [{"phone_number", "message"}, ...], "next": M} with the messages after the first N. moto's
# own `/moto-api/data.json` serialises the whole emulator state (megabytes after a load run) to say as much.
SMS_PATH = "/_local/sms"


def sms_outbox(app: Any) -> Any:
    """WSGI middleware: answer SMS_PATH from SNS's sent messages (every account and region), else `app`."""
    from urllib.parse import parse_qs

    from moto.sns.models import sns_backends

    def serve(environ: dict[str, Any], start_response: Any) -> Any:
        if environ.get("PATH_INFO") != SMS_PATH:
            return app(environ, start_response)
        after = parse_qs(environ.get("QUERY_STRING", "")).get("after", ["0"])[0]
        sent = [{"phone_number": phone, "message": text} for account in list(sns_backends.values())
                for backend in list(account.values()) for phone, text in list(backend.sms_messages.values())]
        start = int(after) if after.isdigit() else 0
        body = json.dumps({"messages": sent[start:], "next": len(sent)}).encode()
        start_response("200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))])
        return [body]

    return serve


def serve(host: str, port: int, ready_fd: int) -> None:
    """Serve moto on host:port with every DynamoDB call serialised; never returns."""
    from functions.local import serialize, speedups

    lifecycle.exit_on_stop_signals()
    serialize.install()  # before the first request: moto is not thread-safe
    speedups.install_emulator()
    from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

    # moto says which template resources it skips; functions/local/emulator.py applies them itself.
    logging.getLogger("moto").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", message=".*not supported by moto's CloudFormation.*")
    sock = lifecycle.listen(host, port)
    server = lifecycle.http_server(sms_outbox(DomainDispatcherApplication(create_backend_app)), sock, THREADS)
    os.write(ready_fd, b"1")
    os.close(ready_fd)
    server.run()


if __name__ == "__main__":
    ready, parent, host, port = sys.argv[1:5]
    lifecycle.die_with_parent(int(parent))
    serve(host, int(port), int(ready))
