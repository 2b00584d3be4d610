"""The built Lambda zips themselves, invoked through Zappa's handler with API Gateway events."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from functions.core.config import FUNCTIONS

pytestmark = pytest.mark.package
ROOT = Path(__file__).resolve().parents[2]
EVENT = json.loads((ROOT / "tests" / "fixtures" / "apigw_v1_get.json").read_text())
# The dev zips' MOTCUA_APP_ORIGIN (the default): writes carry it, as the PWA's browser sends it.
APP_ORIGIN = "http://localhost:8000"


def event(method: str, path: str, payload: dict | None = None) -> dict:
    """An API Gateway (REST, v1 proxy) event for one request."""
    ev = copy.deepcopy(EVENT)
    if payload is not None:
        ev["body"] = json.dumps(payload)
        ev["headers"] = {**(ev.get("headers") or {}), "Content-Type": "application/json"}
    if method not in ("GET", "HEAD"):
        ev["headers"] = {**(ev.get("headers") or {}), "Origin": APP_ORIGIN}
    ev["httpMethod"] = ev["requestContext"]["httpMethod"] = method
    ev["path"] = path
    ev["pathParameters"] = {"proxy": path.lstrip("/")}
    ev["requestContext"]["path"] = "/dev" + path
    return ev


def invoke(unzipped: Path, runtime: Path, env: dict[str, str], *events: dict) -> list[dict]:
    """Call lambda_handler in a fresh interpreter that sees only the package and boto3."""
    proc = subprocess.run(
        [sys.executable, "-I", "-S", str(Path(__file__).with_name("invoke.py")), str(unzipped), str(runtime)],
        input="".join(json.dumps(e) + "\n" for e in events), capture_output=True, text=True, env=env,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    return [json.loads(line) for line in proc.stdout.splitlines() if line.startswith("{")]


def body(result: dict) -> dict:
    return json.loads(result["response"]["body"])


@pytest.mark.parametrize("function", FUNCTIONS)
def test_zip_carries_only_runtime_code(lambda_zip, function):
    names = zipfile.ZipFile(lambda_zip(function)).namelist()
    tops = {n.split("/")[0] for n in names}
    assert {"handler.py", "zappa_settings.py", "functions", "flask", "pynamodb"} <= tops
    assert not tops & {"boto3", "botocore", "tests", "pwa", "infra", "bench", "moto", "pytest", "playwright"}
    assert not [n for n in names if n.startswith("functions/local/")]
    assert "functions/core/openapi.json" in names


@pytest.mark.parametrize("function", FUNCTIONS)
def test_health_through_the_packaged_handler(unzipped, lambda_runtime, package_env, function):
    (result,) = invoke(unzipped(function), lambda_runtime, package_env, event("GET", f"/api/{function}/health"))
    assert result["response"]["statusCode"] == 200
    payload = body(result)
    assert payload["function"] == function and payload["stage"] == "dev"
    assert set(payload["checks"].values()) == {"ok"}
    assert result["response"]["headers"]["Cache-Control"] == "no-store"
    assert "moto" not in result["modules"] and "pytest" not in result["modules"]


def test_catalog_and_errors_through_the_packaged_submit_handler(unzipped, lambda_runtime, package_env):
    listed, one, missing, wrong_method = invoke(
        unzipped("submit"), lambda_runtime, package_env,
        event("GET", "/api/submit/procedures"),
        event("GET", "/api/submit/procedures/marital-status-certificate"),
        event("GET", "/api/submit/no-such-route"),
        event("DELETE", "/api/submit/procedures"),
    )
    assert [p["id"] for p in body(listed)["procedures"]][0] == "marital-status-certificate"
    assert body(one)["name"]["vi"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert missing["response"]["statusCode"] == 404 and body(missing)["error"]["code"] == "not_found"
    assert wrong_method["response"]["statusCode"] == 405
    assert body(wrong_method)["error"]["code"] == "method_not_allowed"


def test_sign_in_by_sms_code_through_the_packaged_account_handler(unzipped, lambda_runtime, package_env):
    """requestOtp publishes to (emulated) SNS from inside the zip; the code then opens a session."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    phone = "+84912340001"
    (sent,) = invoke(unzipped("account"), lambda_runtime, package_env,
                     event("POST", "/api/account/otp", {"phone": "0912 340 001"}))
    assert sent["response"]["statusCode"] == 202, sent["response"]["body"]
    assert body(sent)["phone"] == phone
    texts = [text for number, text in sns_backends[DEFAULT_ACCOUNT_ID]["ap-southeast-1"].sms_messages.values()
             if number == phone]
    code = texts[-1].rsplit("#", 1)[1]
    (verified,) = invoke(unzipped("account"), lambda_runtime, package_env,
                         event("POST", "/api/account/otp/verify", {"phone": phone, "code": code}))
    assert verified["response"]["statusCode"] == 200, verified["response"]["body"]
    assert body(verified)["role"] == "citizen"
    cookies = json.dumps(verified["response"].get("multiValueHeaders") or verified["response"]["headers"])
    assert "__Host-motcua_session=" in cookies and "HttpOnly" in cookies and "Secure" in cookies
