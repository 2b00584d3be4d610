"""A stand-in for aiohttp inside the Lambda zips only (the Makefile puts it in `.venv-lambda`).

pywebpush imports aiohttp at module level for its asynchronous API, which Một Cửa never calls: the
dispatcher uses the synchronous `pywebpush.webpush` over requests. The real aiohttp and its dependencies
(multidict, yarl, frozenlist, propcache, aiosignal, aiohappyeyeballs) add about 3 MB to the status zip.
This module offers the names pywebpush evaluates when it is imported; using any of them fails loudly.
"""

from __future__ import annotations

from types import SimpleNamespace


class _NotShipped:
    """Any use of aiohttp in the Lambda zip is a bug: say so instead of failing obscurely."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        raise RuntimeError("aiohttp is not shipped in the Lambda zip; use the synchronous pywebpush.webpush")


class ClientSession(_NotShipped):
    """Placeholder for aiohttp.ClientSession."""


class ClientResponse(_NotShipped):
    """Placeholder for aiohttp.ClientResponse."""


class ClientTimeout(_NotShipped):
    """Placeholder for aiohttp.ClientTimeout."""


client = SimpleNamespace(ClientSession=ClientSession, ClientResponse=ClientResponse)
