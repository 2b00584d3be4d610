"""HTTP plumbing shared by every function: the app factory base, JSON parsing,
security headers and the one place that maps errors to the JSON error shape."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from flask import Flask, Response, g, jsonify, request
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from functions.core import auth, errors, openapi
from functions.core.adapters.clock import Clock
from functions.core.config import Config, load

log = logging.getLogger("motcua")

# Werkzeug's own HTTP errors become our typed errors so every body has the same shape.
_HTTP_TO_APP: dict[int, type[errors.AppError]] = {
    400: errors.AppError,
    404: errors.NotFound,
    405: errors.MethodNotAllowed,
    413: errors.PayloadTooLarge,
}

# The PWA's policy: no inline script, no eval; connect/form targets widen per feature via config.
_PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob: {upload_origin}; "
    "connect-src 'self' {upload_origin}; font-src 'self'; manifest-src 'self'; worker-src 'self'; "
    "media-src 'self' blob:; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)
# JSON never needs to load anything.
_API_CSP = "default-src 'none'; frame-ancestors 'none'"


def security_headers(config: Config, *, api: bool) -> dict[str, str]:
    """Headers every response carries (DESIGN §4); `api` responses are also never stored."""
    headers = {
        "Content-Security-Policy": _API_CSP if api else _PAGE_CSP.format(upload_origin=config.upload_origin),
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "same-origin",
        "X-Frame-Options": "DENY",
    }
    if not config.is_local:
        headers["Strict-Transport-Security"] = "max-age=63072000; includeSubDomains"
    if api:
        headers["Cache-Control"] = "no-store"
    return headers


def error_body(err: errors.AppError) -> dict[str, Any]:
    """The one JSON error shape: {"error": {"code", "message", "details"}}."""
    return {"error": {"code": err.code, "message": err.message, "details": err.details}}


def error_response(err: errors.AppError) -> Response:
    """A Flask response for a typed error, with Retry-After when the error carries one."""
    resp = jsonify(error_body(err))
    resp.status_code = err.status
    retry_after = err.details.get("retry_after")
    if retry_after is not None:
        resp.headers["Retry-After"] = str(retry_after)
    if err.status == 405 and "allowed" in err.details:
        resp.headers["Allow"] = ", ".join(err.details["allowed"])
    return resp


def _from_http_exception(exc: HTTPException) -> errors.AppError:
    cls = _HTTP_TO_APP.get(exc.code or 500)
    if cls is None:
        cls = type("HttpError", (errors.AppError,), {"status": exc.code or 500, "code": "http_error"})
    if cls is errors.MethodNotAllowed:
        return cls(details={"allowed": sorted(getattr(exc, "valid_methods", None) or [])})
    return cls()


def _is_dependency_failure(exc: Exception) -> bool:
    """Database or AWS client failures that no service handled: the backend is down, not the request bad."""
    from botocore.exceptions import BotoCoreError
    from pynamodb.exceptions import PynamoDBException

    return isinstance(exc, PynamoDBException | BotoCoreError)


def _dependency_details(exc: Exception) -> dict[str, Any]:
    """Which backend failed (DynamoDB through PynamoDB), and whether its table is missing."""
    from pynamodb.exceptions import PynamoDBException, TableDoesNotExist

    if not isinstance(exc, PynamoDBException):
        return {}
    missing = isinstance(exc, TableDoesNotExist) or exc.cause_response_code == "ResourceNotFoundException"
    return {"service": "dynamodb", **({"reason": "table_missing"} if missing else {})}


def _register_error_mapping(app: Flask) -> None:
    @app.errorhandler(errors.AppError)
    def _app_error(err: errors.AppError) -> Response:
        return error_response(err)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        return error_response(_from_http_exception(exc))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception) -> Response:
        if _is_dependency_failure(exc):
            log.warning("dependency failure %s on %s %s", type(exc).__name__, request.method, request.url_rule)
            return error_response(errors.DependencyUnavailable(details=_dependency_details(exc)))
        # Log the type and route only: exception text may echo personal data.
        log.error("unhandled %s on %s %s", type(exc).__name__, request.method, request.url_rule)
        err = errors.AppError("Something went wrong on our side.")
        err.status, err.code = 500, "internal_error"
        return error_response(err)


def json_body() -> dict[str, Any]:
    """The request body, already checked against the operation's schema (an optional body left empty is
    `{}`); InvalidJson when it is not a JSON object. The size limit is enforced by Flask."""
    checked = g.get("motcua_body")
    return checked if checked is not None else _parsed_body()


def _parsed_body() -> dict[str, Any]:
    data = request.get_json(force=True, silent=True, cache=True)
    if not isinstance(data, dict):
        raw = request.get_data(cache=True)
        raise errors.InvalidJson(details={"reason": "empty" if not raw else "not_an_object"})
    return data


def _install_request_check(app: Flask, config: Config, function: str) -> None:
    """Check every documented request against openapi.json before its route runs (DESIGN §6)."""

    @app.before_request
    def _check_request() -> None:
        rule, method = request.url_rule, "GET" if request.method == "HEAD" else request.method
        op = openapi.operation(method, openapi.route_path(function, rule.rule)) if rule is not None else None
        if op is None:
            return
        if op.login and auth.current_principal(config) is None:
            return  # the route answers 401 before anything is said about the input
        body = None
        if op.body is not None:
            body = _parsed_body() if op.body_required or request.get_data(cache=True) else {}
        openapi.check_request(op, request.view_args or {}, request.args, body)
        g.motcua_body = body


def create_base_app(
    import_name: str,
    function: str,
    config: Config | None = None,
    health: Callable[[], dict[str, Any]] | None = None,
    clock: Clock | None = None,
) -> Flask:
    """A Flask app with config, error mapping, security headers and `GET /health` wired in."""
    cfg = config or load()
    app = Flask(import_name, static_folder=None)
    app.config["MOTCUA"] = cfg
    app.config["MAX_CONTENT_LENGTH"] = cfg.max_body_bytes
    app.json.ensure_ascii = False  # Vietnamese text stays readable in responses.
    logging.getLogger("motcua").setLevel(cfg.log_level)
    _register_error_mapping(app)
    if cfg.trusted_proxies:
        # Only behind proxies we run: otherwise X-Forwarded-For is whatever the caller typed.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=cfg.trusted_proxies)  # type: ignore[method-assign]
    auth.install(app, cfg, clock)
    _install_request_check(app, cfg, function)

    @app.after_request
    def _headers(resp: Response) -> Response:
        for key, value in security_headers(cfg, api=True).items():
            resp.headers.setdefault(key, value)
        return resp

    @app.get("/health")
    def health_route() -> Response:
        checks = health() if health else {}
        return jsonify({"status": "ok", "function": function, "stage": cfg.stage, "checks": checks})

    health_route.operation_id = f"{function}Health"  # type: ignore[attr-defined]
    return app


def app_config(app: Flask) -> Config:
    """The Config an app was built with."""
    return app.config["MOTCUA"]
