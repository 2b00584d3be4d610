"""Sessions and CSRF for every function: who is calling, and did the request come from our app.

CSRF defence (README, "Sessions and CSRF"):
  1. The session cookie is SameSite=Lax and HttpOnly, so other sites' forms and scripts do not carry it.
  2. Every POST/PUT/PATCH/DELETE must carry `Origin` equal to the app's origin, and `Sec-Fetch-Site`, when
     sent, must be `same-origin`. Browsers send both on every same-origin write; a request without `Origin`
     is not one our app made. Gateway callbacks (the IPN) are server-to-server GETs, so this gate never sees them.
  3. When a session cookie is present, such a request must also carry `X-CSRF-Token` equal to the
     readable CSRF cookie, which is an HMAC of the session token (a signed double-submit cookie).
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from datetime import datetime
from functools import wraps
from typing import Any

from flask import Flask, Response, current_app, g, request

from functions.core import reads, sessions
from functions.core.adapters.clock import Clock, SystemClock
from functions.core.config import Config
from functions.core.errors import CsrfFailed, Forbidden, Unauthorized

SESSION_COOKIE, CSRF_COOKIE, CSRF_HEADER = "motcua_session", "motcua_csrf", "X-CSRF-Token"
_UNSAFE = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def install(app: Flask, config: Config, clock: Clock | None = None) -> None:
    """Wire the clock, the CSRF gate and session renewal into an app."""
    app.extensions["motcua.clock"] = clock or SystemClock()
    app.before_request(lambda: check_csrf(config))

    @app.after_request
    def _renew(resp: Response) -> Response:
        renewed = g.get("motcua_renewed")
        if renewed is not None:
            set_session_cookies(resp, config, session_token(config), renewed)
        return resp


def now() -> datetime:
    """The current time from the app's clock adapter."""
    return current_app.extensions["motcua.clock"].now()


def session_token(config: Config) -> str:
    """The session token from the request's cookie ('' when none)."""
    return request.cookies.get(config.cookie_prefix + SESSION_COOKIE, "")


def check_csrf(config: Config) -> None:
    """Refuse a state-changing request that another site could have made."""
    if request.method not in _UNSAFE:
        return
    fetch_site = request.headers.get("Sec-Fetch-Site")
    # `none` is a user-typed navigation and `same-site` a sibling subdomain: neither is the app's own fetch.
    if fetch_site is not None and fetch_site != "same-origin":
        raise CsrfFailed(details={"reason": "cross_site"})
    origin = request.headers.get("Origin")
    if origin is None:
        raise CsrfFailed(details={"reason": "origin_missing"})
    if origin != config.app_origin:  # "null" (sandboxed frames, privacy redirects) included
        raise CsrfFailed(details={"reason": "origin"})
    token = session_token(config)
    if token:
        sent = request.headers.get(CSRF_HEADER, "")
        if not hmac.compare_digest(sent.encode(), sessions.csrf_token(config, token).encode()):
            raise CsrfFailed(details={"reason": "token"})


def current_principal(config: Config) -> sessions.Principal | None:
    """The signed-in caller, resolved once per request (None when signed out or expired)."""
    if "motcua_principal" not in g:
        token = session_token(config)
        also = reads.wanted(request.view_args or {}, sessions.user_id_named(token)) if token else []
        resolved = sessions.resolve(token, now(), also)
        g.motcua_principal = resolved.principal if resolved else None
        g.motcua_renewed = resolved.renewed_until if resolved else None
        if resolved:
            reads.keep(resolved.read)
    return g.motcua_principal


def login_required(*roles: str, reads: reads.Wants | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Route decorator: 401 without a live session; 403 when `roles` are given and not held.

    `reads` names the items the route will read (functions.core.reads), fetched with the session.
    """

    def decorate(view: Callable[..., Any]) -> Callable[..., Any]:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            principal = current_principal(current_app.config["MOTCUA"])
            if principal is None:
                raise Unauthorized()
            if roles and principal.role not in roles:
                raise Forbidden()
            return view(principal, *args, **kwargs)

        wrapper.motcua_reads = reads  # type: ignore[attr-defined]
        return wrapper

    return decorate


def set_session_cookies(resp: Response, config: Config, token: str, expires: datetime) -> None:
    """The HttpOnly session cookie and its readable CSRF twin, both until `expires`."""
    max_age = max(0, int((expires - now()).total_seconds()))
    common = {"max_age": max_age, "path": "/", "secure": not config.is_local}
    resp.set_cookie(config.cookie_prefix + SESSION_COOKIE, token, httponly=True, samesite="Lax", **common)
    resp.set_cookie(config.cookie_prefix + CSRF_COOKIE, sessions.csrf_token(config, token), httponly=False,
                    samesite="Strict", **common)


def clear_session_cookies(resp: Response, config: Config) -> None:
    """Tell the browser to forget both cookies."""
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        resp.delete_cookie(config.cookie_prefix + name, path="/", secure=not config.is_local,
                           httponly=name == SESSION_COOKIE, samesite="Lax" if name == SESSION_COOKIE else "Strict")
