"""The API document is the contract: schemathesis sends schema-valid requests to every operation, in process
(each function's Flask app at its /api/ prefix, over moto), anonymous and signed in, and checks that no
answer is a 5xx, every answer's status and body are documented, and no schema-valid request is refused for
a reason the schema could have said (a shape code in `validation_failed`: the document would be wrong).

Bounded: MAX_EXAMPLES per operation and persona, derandomized, no example database, no network."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import pytest
import schemathesis
from account_helpers import PROFILE
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from moto import mock_aws
from schemathesis import GenerationMode, checks
from submit_helpers import HOME_COMMUNE, submission, submit, uploaded_page
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from functions.account import users
from functions.core import config as config_mod
from functions.core import models, openapi, sessions
from functions.core.adapters.identity import VerifiedIdentity
from functions.core.adapters.payments import FakeGateway
from functions.local import emulator
from functions.local.devserver import create_root_app

MAX_EXAMPLES = 20
VAPID_PUBLIC = "B" + "A" * 86  # only served (getVapidKey), never used to sign here
PERSONAS = ("anonymous", "citizen", "officer")
# Codes the schema itself gives (openapi.FIELD_CODES): the domain must never need them for valid input...
SHAPE_CODES = frozenset({"required", "invalid_type", "unknown_field", "too_short", "too_long", "too_small",
                         "too_large", "not_allowed", "bad_format", "invalid_date", "not_valid"})
# ...except where the rule needs data the schema cannot see (field path prefix -> codes):
SEMANTIC = {
    "answers.": SHAPE_CODES,  # the procedure's own form schema, from the catalog
    "documents.": {"required"},  # a slot that the procedure (or the officer's request) needs for these answers
    "content_type": {"not_allowed"},  # the slot's accepted types, from the catalog
    "commune": {"required", "not_allowed"},  # the officer's own communes
    "subscription.endpoint": {"bad_format", "not_allowed"},  # this stage's schemes and push-service hosts
    "subscription.keys.p256dh": {"bad_format"},  # a point on the P-256 curve
}

schema = schemathesis.openapi.from_dict(openapi.document())
schema.config.generation.update(modes=[GenerationMode.POSITIVE, GenerationMode.NEGATIVE], max_examples=MAX_EXAMPLES,
                                deterministic=True, database="none")
SEEDED: dict[str, str] = {}


@dataclass
class World:
    """The apps over one moto account, and who calls them."""

    wsgi: Any
    config: config_mod.Config
    sessions: dict[str, tuple[Any, str]]  # persona -> (user, session token)


class _Browser:
    """A same-origin page's writes through the Flask test client (what submit_helpers expects)."""

    def __init__(self, app: Any, config: config_mod.Config, token: str) -> None:
        self.client = app.test_client()
        self.client.set_cookie("motcua_session", token)
        self.headers = {"Origin": config.app_origin, "X-CSRF-Token": sessions.csrf_token(config, token)}

    def post(self, path: str, json: Any = None, headers: dict[str, str] | None = None):  # noqa: ANN201
        """POST JSON with the Origin and CSRF headers."""
        return self.client.post(path, json=json, headers={**self.headers, **(headers or {})})


@pytest.fixture(scope="module")
def world() -> Iterator[World]:
    """Every function's app over one deployed stack, a citizen with a filed application and an officer."""
    base = config_mod.load()
    with mock_aws():
        models.bind(base)
        outputs = emulator.deploy("motcua-test", {"Stage": base.stage, "AppOrigin": base.app_origin}, base.region)
        cfg = base.with_overrides(documents_bucket=outputs["DocumentsBucketName"], vapid_public_key=VAPID_PUBLIC)
        apps = _apps(cfg)
        now = datetime.now(UTC)
        citizen = users.sign_in(VerifiedIdentity("phone_otp", "+84912345678", "phone_verified"), now)
        users.update_profile(citizen.user_id, PROFILE, now)
        officer = users.upsert_staff("+84912000101", "officer", [HOME_COMMUNE], now)
        people = {name: (user, sessions.open_session(user, now)) for name, user in
                  (("citizen", citizen), ("officer", officer))}
        browser = _Browser(apps["/api/submit"], cfg, people["citizen"][1])
        filed = submit(browser, submission([uploaded_page(browser)]))
        SEEDED.update(code=filed.json["application"]["code"], document_id=uploaded_page(browser))
        yield World(DispatcherMiddleware(create_root_app(cfg), apps), cfg, people)
        SEEDED.clear()


def _apps(cfg: config_mod.Config) -> dict[str, Any]:
    import importlib

    apps = {f"/api/{name}": importlib.import_module(f"functions.{name}.app").create_app(cfg)
            for name in ("account", "submit", "status")}
    from functions.pay.app import create_app as create_pay_app

    apps["/api/pay"] = create_pay_app(cfg, gateway=FakeGateway())  # never a gateway over the network
    return apps


@schema.hook
def flatmap_path_parameters(context: Any, path_parameters: dict[str, Any]) -> Any:  # noqa: ANN401
    """Now and then, the seeded application or page instead of a random one, to reach past the 404s."""
    known = {k: SEEDED[k] for k in path_parameters or {} if k in SEEDED}
    return st.sampled_from([path_parameters, {**path_parameters, **known}]) if known else st.just(path_parameters)


def no_shape_refusal(ctx: Any, response: Any, case: Any) -> bool | None:  # noqa: ANN401
    """A schema-valid request is never refused with a code the schema could have given."""
    if response.status_code != 400 or case.meta is None or case.meta.generation.mode != GenerationMode.POSITIVE:
        return None
    error = (response.json() or {}).get("error", {})
    if error.get("code") != "validation_failed":
        return None
    for path, code in error.get("details", {}).get("fields", {}).items():
        allowed = set().union(*(codes for prefix, codes in SEMANTIC.items() if path.startswith(prefix)))
        assert code not in SHAPE_CODES or code in allowed, f"{case.operation.label}: {path}={code} for a valid request"
    return None


CHECKS = [checks.not_a_server_error, checks.status_code_conformance, checks.content_type_conformance,
          checks.response_schema_conformance, no_shape_refusal]


def _call(world: World, case: Any, persona: str) -> Any:  # noqa: ANN401
    headers = {"Origin": world.config.app_origin}
    cookies = {}
    if persona != "anonymous":
        user, token = world.sessions[persona]
        if case.operation.definition.raw.get("operationId") == "logout":
            token = sessions.open_session(user, datetime.now(UTC))  # a throwaway session to end
        headers["X-CSRF-Token"] = sessions.csrf_token(world.config, token)
        cookies["motcua_session"] = token
    elif case.headers:
        case.headers.pop("X-CSRF-Token", None)
    case.headers = {**(case.headers or {}), **headers}
    return case.call(app=world.wsgi, cookies=cookies)


@pytest.mark.parametrize("persona", PERSONAS)
@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
          suppress_health_check=list(HealthCheck))
def test_every_operation_keeps_its_documented_contract(world, case, persona):
    response = _call(world, case, persona)
    case.validate_response(response, checks=CHECKS)
