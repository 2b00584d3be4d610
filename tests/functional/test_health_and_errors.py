"""Every function answers health and maps every error to the one JSON shape."""

from __future__ import annotations

import pytest
from flask import Flask

from functions.core.config import FUNCTIONS
from functions.core.http import json_body


@pytest.mark.parametrize("function", FUNCTIONS)
def test_health_reports_ready_tables_and_names_the_function(client, function):
    resp = client(function).get("/health")
    assert resp.status_code == 200
    body = resp.get_json()
    assert body["status"] == "ok"
    assert body["function"] == function
    assert body["checks"] and set(body["checks"].values()) == {"ok"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_health_answers_503_with_error_code_when_tables_are_missing(make_app, aws_empty, function):
    resp = make_app(function).test_client().get("/health")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "dependency_unavailable"


@pytest.mark.parametrize("function", FUNCTIONS)
def test_api_responses_carry_security_headers_and_are_never_stored(client, function):
    resp = client(function).get("/health")
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] == "same-origin"
    assert "default-src 'none'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["Cache-Control"] == "no-store"
    assert "Strict-Transport-Security" not in resp.headers  # local/test runs have no TLS


def test_hsts_is_sent_outside_local_runs(make_app, stack, config):
    from functions.submit.app import create_app

    app = create_app(config.with_overrides(stage="prod"))
    resp = app.test_client().get("/procedures")
    assert resp.headers["Strict-Transport-Security"].startswith("max-age=")


@pytest.mark.parametrize("function", FUNCTIONS)
def test_unknown_path_answers_json_404(client, function):
    resp = client(function).get("/no/such/thing")
    assert resp.status_code == 404
    assert resp.is_json
    assert resp.get_json()["error"]["code"] == "not_found"
    assert set(resp.get_json()["error"]) == {"code", "message", "details"}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_wrong_method_answers_json_405_with_allow_header(client, function):
    resp = client(function).delete("/health")
    assert resp.status_code == 405
    assert resp.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in resp.headers["Allow"]


def _with_echo(app: Flask) -> Flask:
    """A JSON-reading route on a real function app, to drive the shared body parsing."""

    @app.post("/_echo")
    def echo():  # noqa: ANN202
        return {"got": json_body()}

    return app


@pytest.mark.parametrize("body", [b"{not json", b"", b"[1, 2]", b"\xff\xfe", b'"text"'])
def test_malformed_or_non_object_json_answers_400_invalid_json(make_app, stack, body):
    app = _with_echo(make_app("submit"))
    resp = app.test_client().post("/_echo", data=body, content_type="application/json")
    assert resp.status_code == 400
    assert resp.get_json()["error"]["code"] == "invalid_json"


def test_well_formed_json_object_reaches_the_route(make_app, stack):
    app = _with_echo(make_app("submit"))
    resp = app.test_client().post("/_echo", json={"tên": "Nguyễn Văn A"})
    assert resp.status_code == 200
    assert resp.get_json() == {"got": {"tên": "Nguyễn Văn A"}}


def test_body_over_the_configured_limit_answers_413(make_app, stack, config):
    app = _with_echo(make_app("submit"))
    big = b'{"x": "' + b"a" * (config.max_body_bytes + 10) + b'"}'
    resp = app.test_client().post("/_echo", data=big, content_type="application/json")
    assert resp.status_code == 413
    assert resp.get_json()["error"]["code"] == "payload_too_large"


def test_unexpected_exception_answers_500_without_leaking_its_text(make_app, stack, caplog):
    app = make_app("submit")

    @app.get("/_boom")
    def boom():  # noqa: ANN202
        raise RuntimeError("secret 0912345678")

    resp = app.test_client().get("/_boom")
    assert resp.status_code == 500
    assert resp.get_json()["error"]["code"] == "internal_error"
    assert "0912345678" not in resp.get_data(as_text=True)
    assert "0912345678" not in caplog.text


def test_health_answers_503_not_500_when_dynamodb_is_unreachable(config):
    from functions.pay.app import create_app

    app = create_app(config.with_overrides(aws_endpoint_url="http://127.0.0.1:9"))
    resp = app.test_client().get("/health")
    assert resp.status_code == 503
    assert resp.get_json()["error"]["code"] == "dependency_unavailable"
