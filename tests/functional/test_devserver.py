"""The local dev server: one origin for the PWA, the OpenAPI document and every function."""

from __future__ import annotations

import gzip

import pytest
from werkzeug.test import Client

from functions.core.config import FUNCTIONS
from functions.local.devserver import create_wsgi


@pytest.fixture
def web(submit_config) -> Client:
    return Client(create_wsgi(submit_config))


@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_answers_under_its_api_prefix(web, function):
    resp = web.get(f"/api/{function}/health")
    assert resp.status_code == 200
    assert resp.json["function"] == function


def test_openapi_document_is_served_at_api_openapi_json(web):
    resp = web.get("/api/openapi.json")
    assert resp.status_code == 200
    assert resp.json["openapi"].startswith("3.1")


@pytest.mark.parametrize("path", ["/api/", "/api/nothing", "/api/accounts/health", "/api/submit/x/y"])
def test_unknown_api_paths_answer_the_json_404_shape_not_html(web, path):
    resp = web.get(path)
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


def test_unknown_api_path_with_a_post_body_is_still_a_json_404(web, config):
    resp = web.post("/api/nothing", data=b"{broken", content_type="application/json",
                    headers={"Origin": config.app_origin})
    assert resp.status_code == 404
    assert resp.json["error"]["code"] == "not_found"


def test_shell_is_served_with_a_strict_csp_and_gzip(web):
    resp = web.get("/", headers={"Accept-Encoding": "gzip"})
    assert resp.status_code == 200
    assert resp.headers["Content-Encoding"] == "gzip"
    html = gzip.decompress(resp.data).decode()
    assert '<html lang="vi"' in html
    csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_service_worker_is_always_revalidated(web):
    resp = web.get("/sw.js")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "no-cache"
    assert resp.mimetype == "text/javascript"


def test_unchanged_static_file_answers_304_on_revalidation(web):
    first = web.get("/manifest.webmanifest")
    again = web.get("/manifest.webmanifest", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304


def test_missing_static_file_is_404_and_path_traversal_is_refused(web):
    assert web.get("/js/nothing-here.js").status_code == 404
    assert web.get("/../requirements.txt").status_code in (404, 400)
    assert b"flask==" not in web.get("/..%2frequirements.txt").data


def test_large_api_json_is_gzipped_like_the_cdn_does_and_small_answers_are_not(web):
    import json

    big = web.get("/api/submit/procedures", headers={"Accept-Encoding": "gzip"})
    assert big.headers["Content-Encoding"] == "gzip" and "Accept-Encoding" in big.headers["Vary"]
    assert json.loads(gzip.decompress(big.get_data()))["procedures"]
    plain = web.get("/api/submit/procedures")
    assert "Content-Encoding" not in plain.headers and plain.json["procedures"]
    small = web.get("/api/submit/health", headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in small.headers and small.json["function"] == "submit"
