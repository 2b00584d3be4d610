"""Every function answers health and maps every error to the one JSON shape."""

from __future__ import annotations

import importlib

import boto3
import pytest
import requests
from flask import Flask
from submit_helpers import browser_upload, create_upload, delete_bucket, jpeg, signed_in_client

from functions.core import models
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


# -- a missing documents bucket or table is a 503 naming the service, never "upload again" --


def _s3_unavailable(resp) -> None:  # noqa: ANN001 (a test response)
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable"), resp.json
    assert resp.json["error"]["details"]["service"] == "s3"


@pytest.mark.parametrize("function", ["submit", "status"])
def test_health_checks_the_documents_bucket(submit_config, function):
    app = importlib.import_module(f"functions.{function}.app").create_app(submit_config)
    client = app.test_client()
    ready = client.get("/health")
    assert ready.status_code == 200 and ready.json["checks"]["bucket"] == "ok"
    delete_bucket(submit_config, submit_config.documents_bucket)
    gone = client.get("/health")
    _s3_unavailable(gone)
    assert gone.json["error"]["details"]["reason"] == "bucket_missing"


@pytest.mark.parametrize("function", ["submit", "status"])
def test_health_answers_503_when_no_bucket_is_configured(config, stack, function):
    app = importlib.import_module(f"functions.{function}.app").create_app(config.with_overrides(documents_bucket=""))
    resp = app.test_client().get("/health")
    _s3_unavailable(resp)
    assert resp.json["error"]["details"]["reason"] == "not_configured"


def test_create_upload_without_the_bucket_is_503_and_registers_no_page(citizen, submit_config):
    delete_bucket(submit_config, submit_config.documents_bucket)
    resp = create_upload(citizen)
    _s3_unavailable(resp)
    assert list(models.Document.scan()) == []


def test_complete_upload_without_the_bucket_is_503_not_upload_incomplete_and_changes_nothing(
        citizen, submit_config):
    created = create_upload(citizen)
    assert browser_upload(created.json["upload"], jpeg()) == 204
    delete_bucket(submit_config, submit_config.documents_bucket)
    document_id = created.json["document_id"]
    for _ in range(2):  # the PWA's retry gets the same answer
        _s3_unavailable(citizen.post(f"/uploads/{document_id}/complete", json={}))
    doc = models.Document.get(document_id, consistent_read=True)
    assert (doc.state, doc.rejection) == ("pending", None)
    assert doc.object_key == f"incoming/{citizen.user_id}/{document_id}"


@pytest.fixture
def served_config(config):  # noqa: ANN001, ANN201
    """The stack in moto's HTTP server, as `make run` has it: there a HEAD answer has no body, so S3 says a
    bare 404 for a missing bucket exactly as for a missing key (in-process moto says NoSuchBucket)."""
    from moto.server import ThreadedMotoServer

    from functions.local import emulator, free_port

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    try:
        outputs = emulator.deploy("motcua-test", {"Stage": config.stage, "AppOrigin": config.app_origin},
                                  config.region, endpoint)
        served = config.with_overrides(aws_endpoint_url=endpoint, documents_bucket=outputs["DocumentsBucketName"])
        models.bind(served)
        yield served
    finally:
        requests.post(f"{endpoint}/moto-api/reset", timeout=10)
        server.stop()


def test_complete_upload_against_the_served_emulator_tells_a_missing_bucket_from_a_missing_file(
        served_config, clock):
    from functions.submit.app import create_app

    citizen = signed_in_client(create_app(served_config, clock=clock), served_config, clock.current, "+84912345678")
    created = create_upload(citizen)
    document_id = created.json["document_id"]
    early = citizen.post(f"/uploads/{document_id}/complete", json={})
    assert (early.status_code, early.json["error"]["code"]) == (409, "upload_incomplete")  # the file, not the bucket
    assert browser_upload(created.json["upload"], jpeg()) == 204
    s3 = boto3.client("s3", region_name=served_config.region, endpoint_url=served_config.aws_endpoint_url)
    delete_bucket(served_config, served_config.documents_bucket, s3)
    gone = citizen.post(f"/uploads/{document_id}/complete", json={})
    _s3_unavailable(gone)
    assert gone.json["error"]["details"]["reason"] == "bucket_missing"
    assert models.Document.get(document_id, consistent_read=True).state == "pending"


def test_a_deleted_table_is_503_naming_dynamodb_on_a_read(citizen, submit_config):
    boto3.client("dynamodb", region_name=submit_config.region).delete_table(
        TableName=models.Application.Meta.table_name)
    resp = citizen.get("/applications")
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert resp.json["error"]["details"] == {"service": "dynamodb", "reason": "table_missing"}


def test_health_names_the_missing_table_and_dynamodb(make_app, submit_config):
    boto3.client("dynamodb", region_name=submit_config.region).delete_table(
        TableName=models.Event.Meta.table_name)
    resp = make_app("status").test_client().get("/health")
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert resp.json["error"]["details"] == {"service": "dynamodb", "table": models.Event.short_name,
                                             "reason": "table_missing"}
