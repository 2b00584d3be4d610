"""The items a request will read, fetched in the same BatchGetItem as its session (one request, not several).

Every signed-in request reads its session and account first (`sessions.resolve`). A route may also name
the items it is about to read, from its path and body, with `auth.login_required(reads=...)`: the
application in `/applications/<code>`, the document in `/uploads/<id>/complete`, a submission's pages and
idempotency record. They come back with the session, consistently read, and wait in the request's
context. The code that needs one asks `take()`, which hands the waiting item over once, or reads it from
the table as before. So:
- the names are hints only: a wrong or implausible name reads nothing (implausible ones are not even sent,
  since a malformed key would make DynamoDB refuse the whole batch);
- an item is handed over at most once, so a second read in the same request, after a write, always goes
  to the table and never sees a stale copy;
- nothing is authorised here: the code that takes an item checks who may see it, as it did.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from flask import g, has_request_context, request

from functions.core import models
from functions.core.domain import codes

Key = tuple[type[models._Base], str]
# A route's hints: its path arguments and the user id its session token names -> the items to read.
Wants = Callable[[dict[str, Any], str], list[Key]]
# A BatchGetItem holds at most 100 keys; the session and account take two.
MOST = 50


def application(view_args: dict[str, Any], _user_id: str) -> list[Key]:
    """The application named in the path."""
    code = codes.normalize(view_args.get("code") or "")
    return [(models.Application, code)] if code else []


def document(view_args: dict[str, Any], _user_id: str) -> list[Key]:
    """The document named in the path."""
    from functions.core.documents import plausible_id

    document_id = view_args.get("document_id")
    return [(models.Document, document_id)] if plausible_id(document_id) else []


def application_and_pages(view_args: dict[str, Any], user_id: str) -> list[Key]:
    """The application in the path and the pages the body names (a resubmission's)."""
    return application(view_args, user_id) + _pages()


def submission(_view_args: dict[str, Any], user_id: str) -> list[Key]:
    """A submission's idempotency record and the pages its body names."""
    from functions.core import idempotency
    from functions.core.errors import IdempotencyKeyRequired

    try:
        key = idempotency.key_from(request.headers.get("Idempotency-Key"))
    except IdempotencyKeyRequired:  # a hint only: the route answers the bad key
        return _pages()
    return [(models.IdempotencyRecord, idempotency.record_key("submit", user_id, key))] + _pages()


def _pages() -> list[Key]:
    from functions.core.documents import plausible_id

    body = request.get_json(force=True, silent=True, cache=True)
    pages = body.get("documents") if isinstance(body, dict) else None
    if not isinstance(pages, dict):
        return []
    ids = [i for ids in pages.values() if isinstance(ids, list) for i in ids if plausible_id(i)]
    return [(models.Document, i) for i in dict.fromkeys(ids)]


def wanted(view_args: dict[str, Any], user_id: str) -> list[Key]:
    """What the matched route will read, as its `reads` hint says (none when it gives none)."""
    from flask import current_app

    view = current_app.view_functions.get(request.endpoint or "")
    hint: Wants | None = getattr(view, "motcua_reads", None)
    return list(dict.fromkeys(hint(view_args, user_id)))[:MOST] if hint and user_id else []


def keep(found: dict[Key, Any]) -> None:
    """Hold the items read with the session for this request (None where an item does not exist)."""
    g.motcua_reads = dict(found)


def take(model: type[models._Base], key: str) -> Any:  # noqa: ANN401
    """The item, handed over once from the request's batch, else read consistently now (None if absent)."""
    held = g.get("motcua_reads") if has_request_context() else None
    if held is not None and (model, key) in held:
        return held.pop((model, key))
    return models.get_across((model, key))[0]


def take_held(model: type[models._Base], keys: Iterable[str]) -> tuple[dict[str, Any], list[str]]:
    """The items among `keys` the request's batch holds, handed over once (None where absent), and the keys
    it does not hold, for the caller to read."""
    held = g.get("motcua_reads") if has_request_context() else None
    found: dict[str, Any] = {}
    missing = []
    for key in dict.fromkeys(keys):
        if held is not None and (model, key) in held:
            found[key] = held.pop((model, key))
        else:
            missing.append(key)
    return found, missing
