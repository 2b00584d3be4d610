"""Shared test setup. The environment is fixed before any app module is imported, because each
function module builds its Zappa `app` at import time from the environment."""

from __future__ import annotations

import os

os.environ.update({
    "MOTCUA_STAGE": "test",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_DEFAULT_REGION": "ap-southeast-1",
    "AWS_REGION": "ap-southeast-1",
    "MOTCUA_SESSION_SECRET": "test-secret-0123456789abcdefghijklmnopqrstuvwxyz",
})
for _key in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "MOTCUA_TABLE_PREFIX"):
    os.environ.pop(_key, None)

# moto is not thread-safe: every test that runs it with threads (the threaded server of the package
# and browser tests, concurrent IPNs, the notifier loop) needs its DynamoDB serialised. Installing it
# for the whole session costs nothing to single-threaded tests.
from functions.local import serialize  # noqa: E402

serialize.install()
