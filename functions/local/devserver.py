"""The local dev server: every function mounted at /api/<function>/ and the PWA at /, one origin."""

from __future__ import annotations

import gzip
import hashlib
import http.client
import mimetypes
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, request
from werkzeug.middleware.dispatcher import DispatcherMiddleware
from werkzeug.security import safe_join
from werkzeug.wrappers import Request

from functions.core import errors, openapi
from functions.core.config import FUNCTIONS, Config
from functions.core.http import create_base_app, error_response, security_headers

PWA_DIR = Path(__file__).resolve().parents[2] / "pwa"
_COMPRESSIBLE = ("text/", "application/javascript", "application/json", "application/manifest+json",
                 "image/svg+xml")
mimetypes.add_type("application/manifest+json", ".webmanifest")
mimetypes.add_type("text/javascript", ".js")


@lru_cache(maxsize=256)
def _read(path: str, mtime: float) -> tuple[bytes, bytes, str]:
    """File bytes, their gzip form and an ETag; keyed on mtime so edits show up at once."""
    raw = Path(path).read_bytes()
    return raw, gzip.compress(raw, compresslevel=9, mtime=0), hashlib.sha256(raw).hexdigest()[:20]


def _static(rel: str, config: Config) -> Response:
    path = safe_join(str(PWA_DIR), rel)
    if path is None or not Path(path).is_file():
        # Deep links without an extension are app routes: hand them the shell.
        if "." in rel.rsplit("/", 1)[-1]:
            raise errors.NotFound()
        path = str(PWA_DIR / "index.html")
    raw, packed, etag = _read(path, Path(path).stat().st_mtime)
    mime = mimetypes.guess_type(path)[0] or "application/octet-stream"
    use_gzip = mime.startswith(_COMPRESSIBLE) and "gzip" in request.headers.get("Accept-Encoding", "")
    resp = Response(packed if use_gzip else raw, mimetype=mime)
    if use_gzip:
        resp.headers["Content-Encoding"] = "gzip"
    resp.headers["Vary"] = "Accept-Encoding"
    resp.set_etag(etag + ("-gz" if use_gzip else ""))
    # The service worker owns caching; the browser must always revalidate (sw.js above all).
    resp.headers["Cache-Control"] = "no-cache"
    for key, value in security_headers(config, api=False).items():
        resp.headers.setdefault(key, value)
    return resp.make_conditional(request)


def create_root_app(config: Config) -> Flask:
    """Serves the PWA, the OpenAPI document, and JSON 404s for unknown /api/ paths."""
    app = create_base_app(__name__, "root", config)
    app.url_map.strict_slashes = False

    @app.get("/api/openapi.json")
    def get_openapi() -> Response:
        resp = Response(openapi.document_bytes(), mimetype="application/json")
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.route("/api/", defaults={"rest": ""}, methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    @app.route("/api/<path:rest>", methods=["GET", "POST", "PUT", "PATCH", "DELETE"])
    def api_unknown(rest: str) -> Response:
        return error_response(errors.NotFound(details={"path": request.path}))

    @app.get("/", defaults={"rel": "index.html"})
    @app.get("/<path:rel>")
    def pwa(rel: str) -> Response:
        return _static(rel, config)

    get_openapi.operation_id = "getOpenApi"  # type: ignore[attr-defined]
    return app


class GzipApi:
    """Compresses JSON answers of 1 KB or more, as the CDN in front of the API does in production
    (CloudFront `Compress: true`); the catalog with its forms shrinks from ~12 KB to ~3 KB."""

    MIN_BYTES = 1024

    def __init__(self, app: Any) -> None:
        self.app = app

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Pass through, compressing /api/ JSON for clients that accept gzip."""
        wants = "gzip" in environ.get("HTTP_ACCEPT_ENCODING", "")
        if not wants or not environ.get("PATH_INFO", "").startswith("/api/"):
            return self.app(environ, start_response)
        resp = Response.from_app(self.app, environ, buffered=True)
        body = resp.get_data()
        compressible = resp.mimetype == "application/json" and "Content-Encoding" not in resp.headers
        if compressible and len(body) >= self.MIN_BYTES:
            resp.set_data(gzip.compress(body, compresslevel=6, mtime=0))
            resp.headers["Content-Encoding"] = "gzip"
            resp.vary.add("Accept-Encoding")
        return resp(environ, start_response)


def wants_sandbox(config: Config) -> bool:
    """Whether the local sandbox gateway stands in for VNPay (local stages with no gateway configured)."""
    return config.is_local and not config.vnpay_payment_url


class SandboxProxy:
    """Forwards /sandbox/vnpay/... to the one sandbox gateway process (functions/local/gateway.py)."""

    HOP_BY_HOP = frozenset({"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
                            "trailers", "transfer-encoding", "upgrade"})
    SERVER_OWN = frozenset({"server", "date"})  # the front server sets its own

    def __init__(self, address: tuple[str, int]) -> None:
        self.address = address

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        """Send the request on as it came (path, query, headers, body); answer with the gateway's reply."""
        request = Request(environ)
        # The mount point too: the gateway serves at the same path (its pages link from its script root).
        path = quote((request.script_root + request.path).encode())
        if environ.get("QUERY_STRING"):
            path += "?" + environ["QUERY_STRING"]
        headers = {k: v for k, v in request.headers.items() if k.lower() not in self.HOP_BY_HOP}
        conn = http.client.HTTPConnection(*self.address, timeout=30)
        try:
            conn.request(request.method, path, body=request.get_data(), headers=headers)
            reply = conn.getresponse()
            body = reply.read()
        except OSError:
            return Response("sandbox gateway unreachable", 502, mimetype="text/plain")(environ, start_response)
        finally:
            conn.close()
        kept = [(k, v) for k, v in reply.getheaders() if k.lower() not in self.HOP_BY_HOP | self.SERVER_OWN]
        return Response(body, reply.status, headers=kept)(environ, start_response)


def create_wsgi(config: Config, sandbox: tuple[str, int] | None = None) -> GzipApi:
    """One WSGI app: the root plus each function's own Flask app at its /api/ prefix; the sandbox gateway
    runs in this process, or, given its address, in its own (the local stack's several workers)."""
    import importlib

    mounts: dict[str, Any] = {}
    for name in FUNCTIONS:
        module = importlib.import_module(f"functions.{name}.app")
        mounts[f"/api/{name}"] = module.create_app(config)
    if wants_sandbox(config):
        # The gateway's side of VNPay's protocol, for the local stack only (never in a Lambda stage):
        # it calls the pay function's IPN server to server, as VNPay does.
        from functions.local.sandbox_vnpay import create_sandbox_app

        mounts["/sandbox/vnpay"] = (SandboxProxy(sandbox) if sandbox else
                                    create_sandbox_app(config, f"{config.app_origin}/api/pay/vnpay/ipn"))
    return GzipApi(DispatcherMiddleware(create_root_app(config), mounts))
