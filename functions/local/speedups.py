"""Two library costs the local stack's long-lived processes need not pay, each a small patch.

Neither changes behaviour: both cache work that is repeated with the same result.
"""

from __future__ import annotations

import functools
import threading
from typing import Any


def share_botocore_session() -> None:
    """Let every AWS client of this process (PynamoDB's and boto3's) be built from one botocore session.

    PynamoDB 6 gives each connection a botocore session of its own (one per model, and per thread), and a
    new session loads and parses the service's model and endpoint files again: 150 ms of CPU and ~10 MB per
    client instead of 8 ms on a warm session; 11 clients per worker cost 1.7 s of its start. botocore does
    not promise that one session builds clients safely from two threads at once, so builds take a lock.
    """
    import boto3
    import botocore.session
    from pynamodb.connection import base

    session = botocore.session.get_session()
    build, lock = session.create_client, threading.Lock()

    def create_client(*args: Any, **kwargs: Any) -> Any:
        with lock:
            return build(*args, **kwargs)

    session.create_client = create_client  # type: ignore[method-assign]
    base.get_session = lambda: session
    boto3.setup_default_session(botocore_session=session)


def cache_moto_lookups() -> None:
    """Two lookups moto 5.2.5 repeats for every request, with answers that never change while it runs:
    the list of its service packages (~200 isdir calls, under its dispatcher's global lock) and the
    method names of the responding class (inspect.getmembers). Each is computed once instead."""
    from moto import backends
    from moto.core import responses

    modules = tuple(backends.list_of_moto_modules())
    backends.list_of_moto_modules = lambda: modules
    responses.method_names_from_class = functools.lru_cache(maxsize=None)(responses.method_names_from_class)
