"""One request check: every documented operation's parameters and JSON body are checked against
openapi.json at the route, before any service runs; a refusal is 400 validation_failed with field paths."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from submit_helpers import MARITAL, as_user

from functions.core import models, openapi

ROOT = Path(__file__).resolve().parents[2]


def _refs(node: object) -> set[str]:
    """Every component schema name a part of the document refers to, directly."""
    if isinstance(node, dict):
        found = {node["$ref"].rsplit("/", 1)[-1]} if isinstance(node.get("$ref"), str) else set()
        return found.union(*(_refs(v) for v in node.values()))
    if isinstance(node, list):
        return set().union(*(_refs(v) for v in node))
    return set()


def test_every_component_schema_is_used_by_an_operation():
    doc = openapi.document()
    schemas = doc["components"]["schemas"]
    used, todo = set(), _refs(doc["paths"]) | _refs(doc["components"]["responses"])
    while todo:
        name = todo.pop()
        used.add(name)
        todo |= _refs(schemas[name]) - used
    assert set(schemas) - used == set(), "component schemas no operation uses"


def test_every_documented_body_and_parameter_is_checked_by_a_valid_schema():
    from jsonschema import Draft202012Validator

    checked = 0
    for (method, path), operation_id in openapi.operations().items():
        op = openapi.operation(method, path)
        assert op is not None and op.operation_id == operation_id
        item = openapi.document()["paths"][path][method.lower()]
        if "requestBody" in item:
            assert op.body is not None, f"{operation_id}: its body would go unchecked"
            checked += 1
        pointers = [op.body] if op.body else []
        for pointer in pointers + [p.pointer for p in op.params]:
            Draft202012Validator.check_schema(openapi.validator(pointer).schema)
            openapi.validator(pointer).is_valid(None)  # resolves every $ref it reaches
    assert checked == 18  # 14, and the complaint bodies: create, answer, its result upload, reopen


@pytest.mark.parametrize(("function", "path", "body", "fields"), [
    ("account", "/otp", {"phone": 912345678}, {"phone": "invalid_type"}),
    ("account", "/otp/verify", {"phone": "", "code": "12 456"}, {"phone": "required", "code": "bad_format"}),
    ("submit", "/uploads", {"procedure_id": MARITAL, "slot_id": "Id Card", "content_type": "image/jpeg", "size": 0},
     {"slot_id": "bad_format", "size": "too_small"}),
    ("status", "/push/subscriptions", {"subscription": {"endpoint": "ftp://x", "keys": {"auth": 1}}},
     {"subscription.endpoint": "bad_format", "subscription.keys.auth": "invalid_type",
      "subscription.keys.p256dh": "required"}),
])
def test_a_body_that_breaks_the_document_is_refused_with_its_field_paths(make_app, stack, citizen, config,
                                                                          function, path, body, fields):
    client = as_user(make_app(function), citizen)
    resp = client.post(path, json=body, headers={"Origin": config.app_origin})
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "validation_failed")
    assert {k: v for k, v in resp.json["error"]["details"]["fields"].items() if k in fields} == fields


def test_a_nested_path_names_the_page_and_the_missing_field(submit_app, citizen, config):
    body = {"procedure_id": MARITAL, "commune_code": "13075", "answers": {},
            "documents": {"id_card": ["a" * 32, 7], "Bad Slot": []},
            "delivery": {"method": "post", "address": {"province_code": "1", "street": "12 Lê Lợi"}}}
    key = "0b6f1c1e-3c59-4d1e-9a57-5b3f2a8d9e10"
    resp = citizen.post("/applications", json=body, headers={"Idempotency-Key": key, "Origin": config.app_origin})
    assert resp.json["error"]["details"]["fields"] == {
        "delivery.address.commune_code": "required", "delivery.address.province_code": "bad_format",
        "documents.Bad Slot": "unknown_field", "documents.id_card.1": "invalid_type"}


def test_pay_refuses_a_bad_order_request_before_reading_the_application(make_app, stack, citizen, config):
    pay = as_user(make_app("pay"), citizen)
    resp = pay.post("/applications/HN-2611-7K3QF9/payment", json={"lang": "fr", "amount_vnd": 1},
                    headers={"Origin": config.app_origin})
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (
        400, {"amount_vnd": "unknown_field", "lang": "not_allowed"})
    assert list(models.Payment.scan()) == []


def test_an_optional_body_may_be_left_empty(make_app, stack, citizen, config):
    pay = as_user(make_app("pay"), citizen)
    resp = pay.client.post("/applications/HN-2611-7K3QF9/payment", data=b"",
                           headers={"X-CSRF-Token": citizen.csrf, "Origin": config.app_origin})
    assert (resp.status_code, resp.json["error"]["code"]) == (404, "not_found"), "the body was read as {}"


def test_a_required_body_that_is_not_json_stays_invalid_json(submit_app, citizen, config):
    for data in (b"", b"[1]", b"{nope"):
        resp = citizen.post("/uploads", data=data, content_type="application/json",
                            headers={"Origin": config.app_origin})
        assert (resp.status_code, resp.json["error"]["code"]) == (400, "invalid_json")


@pytest.mark.parametrize(("query", "fields"), [
    ("limit=ten", {"limit": "invalid_type"}),
    ("limit=0", {"limit": "too_small"}),
    ("limit=51&cursor=a%2Fb", {"cursor": "bad_format", "limit": "too_large"}),
])
def test_query_parameters_are_read_as_their_documented_types(citizen, query, fields):
    resp = citizen.get(f"/applications?{query}")
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, fields)


def test_a_path_parameter_is_checked_too(client):
    resp = client("submit").get("/procedures/Certified_Copy")
    assert (resp.status_code, resp.json["error"]["details"]["fields"]) == (400, {"procedure_id": "bad_format"})
    assert client("submit").get("/procedures/does-not-exist").status_code == 404


def test_an_anonymous_caller_hears_401_before_anything_about_its_input(client, config):
    resp = client("submit").post("/uploads", json={"size": "big"}, headers={"Origin": config.app_origin})
    assert (resp.status_code, resp.json["error"]["code"]) == (401, "unauthorized")


def test_the_gateway_always_gets_an_rsp_code_even_without_parameters(client):
    resp = client("pay").get("/vnpay/ipn")
    assert (resp.status_code, resp.json) == (200, {"RspCode": "97", "Message": "Invalid Checksum"})


def test_a_cold_start_and_a_plain_get_do_not_import_jsonschema():
    probe = (
        "import sys\n"
        "from functions.submit.app import create_app\n"
        "app = create_app()\n"
        "app.test_client().get('/procedures')\n"
        "print('jsonschema' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True,
                         env={"PATH": "/usr/bin:/bin", "AWS_ACCESS_KEY_ID": "x", "AWS_SECRET_ACCESS_KEY": "x",
                              "AWS_DEFAULT_REGION": "ap-southeast-1", "MOTCUA_STAGE": "test"})
    assert out.stdout.strip().splitlines()[-1] == "False"


@pytest.mark.parametrize(("schema", "instance", "fields"), [
    ({"type": "object", "required": ["a", "b"]}, {"a": 1}, {"b": "required"}),
    ({"type": "object", "properties": {"a": {"type": "string", "minLength": 2, "pattern": "\\S"}}},
     {"a": " "}, {"a": "required"}),
    ({"type": "object", "properties": {"a": {"type": "string", "minLength": 2, "pattern": "^x"}}},
     {"a": "y"}, {"a": "too_short"}),
    ({"type": "object", "properties": {"d": {"type": "string", "format": "date"}}}, {"d": "2026-02-30"},
     {"d": "invalid_date"}),
    ({"type": "object", "additionalProperties": False, "properties": {"a": {}}}, {"a": 1, "z": 2},
     {"z": "unknown_field"}),
    ({"type": "object", "properties": {"m": {"enum": ["post", "pickup"]}, "n": {"enum": ["post"]}}},
     {"m": 7, "n": "drone"}, {"m": "invalid_type", "n": "not_allowed"}),
    ({"type": "array", "items": {"type": "object", "required": ["slot"]}}, [{"slot": "x"}, {}],
     {"1.slot": "required"}),
])
def test_each_broken_rule_becomes_a_field_path_and_a_stable_code(schema, instance, fields):
    from jsonschema import Draft202012Validator, FormatChecker

    validator = Draft202012Validator(schema, format_checker=FormatChecker(openapi.FORMATS))
    assert openapi.field_codes(validator.iter_errors(instance)) == fields


def _documented(function: str, rule: str, method: str, resp) -> None:  # noqa: ANN001
    """The answer's status is documented for the operation and its body validates against that response."""
    path = openapi.route_path(function, rule)
    responses = openapi.document()["paths"][path][method.lower()]["responses"]
    assert str(resp.status_code) in responses, (path, resp.status_code, resp.json)
    if "$ref" in responses[str(resp.status_code)]:
        pointer = "/components/schemas/Error"
    elif "content" in responses[str(resp.status_code)]:
        pointer = (f"/paths/{path.replace('/', '~1')}/{method.lower()}/responses/{resp.status_code}"
                   "/content/application~1json/schema")
    else:
        return
    assert openapi.field_codes(openapi.validator(pointer).iter_errors(resp.json)) == {}, (path, resp.json)


def test_every_answer_along_an_applications_life_matches_the_document(submit_app, status_app, citizen, officer,
                                                                      filed, submit_config, clock):
    from functions.core.adapters.payments import FakeGateway, GatewayResult
    from functions.pay.app import create_app as create_pay_app

    origin = {"Origin": submit_config.app_origin}
    gateway = FakeGateway()
    mine, pay = as_user(status_app, citizen), as_user(create_pay_app(submit_config, clock=clock, gateway=gateway),
                                                      citizen)

    def act(who, action: str, **details):  # noqa: ANN001, ANN003, ANN202
        resp = who.post(f"/applications/{filed}/actions", json={"action": action, **details}, headers=origin)
        _documented("status", "/applications/<code>/actions", "POST", resp)
        assert resp.status_code == 200, resp.json
        return resp

    for action in ("accept", "start_review"):
        act(officer, action)
    act(officer, "request_supplement", reason="Ảnh CCCD bị mờ", slots=["id_card"])
    _documented("status", "/applications/<code>", "GET", mine.get(f"/applications/{filed}"))
    act(mine, "resubmit", documents={"id_card": [_page(citizen, submit_config)]})
    act(officer, "start_review")
    act(officer, "approve")
    upload = officer.post(f"/applications/{filed}/result-upload", json={"size": 1000}, headers=origin)
    _documented("status", "/applications/<code>/result-upload", "POST", upload)
    order = pay.post(f"/applications/{filed}/payment", json={}, headers=origin)
    _documented("pay", "/applications/<code>/payment", "POST", order)
    txn = order.json["order"]
    params = gateway.callback_params(GatewayResult(txn["txn_ref"], txn["amount_vnd"], "00", "00", "1422", "NCB",
                                                   clock.current))
    paid = pay.client.get("/vnpay/ipn", query_string=params)
    _documented("pay", "/vnpay/ipn", "GET", paid)
    _documented("pay", "/vnpay/return", "GET", pay.client.get("/vnpay/return", query_string=params))
    for check in ("/applications/<code>/payment", "/applications/<code>/payment/check"):
        method = "GET" if check.endswith("payment") else "POST"
        resp = pay.get(check.replace("<code>", filed)) if method == "GET" else pay.post(
            check.replace("<code>", filed), json={}, headers=origin)
        _documented("pay", check, method, resp)
    act(officer, "mark_result_ready", result="post", tracking_number="EE123456789VN")  # paid: it may go
    act(officer, "complete")
    rated = mine.put(f"/applications/{filed}/rating", json={"level": 5, "reasons": ["easy"]}, headers=origin)
    _documented("status", "/applications/<code>/rating", "PUT", rated)
    assert rated.status_code == 200
    for who, rule in ((mine, "/applications/<code>"), (officer, "/applications/<code>"), (officer, "/queue"),
                      (mine, "/inbox")):
        _documented("status", rule, "GET", who.get(rule.replace("<code>", filed) + "?status=completed"))
    _documented("submit", "/applications", "GET", citizen.get("/applications"))
    phone_ending = PROFILE_PHONE[-4:]
    _documented("status", "/track", "GET", status_app.test_client().get(f"/track?code={filed}&phone={phone_ending}"))


PROFILE_PHONE = "+84912345678"


def _page(citizen, config) -> str:  # noqa: ANN001
    from submit_helpers import uploaded_page

    class _WithOrigin:
        def post(self, path, json=None, headers=None):  # noqa: ANN001, ANN202
            return citizen.post(path, json=json, headers={"Origin": config.app_origin, **(headers or {})})

    return uploaded_page(_WithOrigin())
