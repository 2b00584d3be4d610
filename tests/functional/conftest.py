"""Functional fixtures: moto in-process, with infra/template.yaml deployed into it."""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from moto import mock_aws

from functions.core import config as config_mod
from functions.core import models
from functions.local import emulator


class SameOriginClient(FlaskClient):
    """A test client that sends the app's `Origin` on every request, as a browser does on same-origin writes.

    Tests of the CSRF gate remove it: `client.environ_base.pop("HTTP_ORIGIN")`.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        settings = self.application.config.get("MOTCUA")
        if settings is not None:
            self.environ_base["HTTP_ORIGIN"] = settings.app_origin


@pytest.fixture(autouse=True)
def same_origin_clients(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every Flask test client in these tests is a SameOriginClient, however its app was built."""
    monkeypatch.setattr(Flask, "test_client_class", SameOriginClient)


@pytest.fixture
def config() -> config_mod.Config:
    """Settings for a test run (stage `test`)."""
    return config_mod.load()


@pytest.fixture
def aws_empty(config: config_mod.Config) -> Iterator[None]:
    """An emulated AWS account with nothing deployed."""
    with mock_aws():
        models.bind(config)
        yield


@pytest.fixture
def stack(aws_empty: None, config: config_mod.Config) -> dict[str, str]:
    """The CloudFormation template deployed into moto; returns the stack outputs."""
    return emulator.deploy("motcua-test", {"Stage": config.stage, "AppOrigin": config.app_origin},
                           config.region)


@pytest.fixture
def make_app(config: config_mod.Config) -> Callable[[str], Flask]:
    """Build one function's app from its own factory."""

    def build(function: str) -> Flask:
        module = importlib.import_module(f"functions.{function}.app")
        app = module.create_app(config)
        app.testing = True
        return app

    return build


@pytest.fixture
def client(submit_config: config_mod.Config) -> Callable[[str], FlaskClient]:
    """A test client for one function, with the stack deployed and its documents bucket configured."""

    def build(function: str) -> FlaskClient:
        app = importlib.import_module(f"functions.{function}.app").create_app(submit_config)
        app.testing = True
        return app.test_client()

    return build


@pytest.fixture
def clock():
    """A clock that moves only when the test says so (starts 2026-11-22 10:00 in Vietnam)."""
    from functions.core.adapters.clock import FakeClock

    return FakeClock()


@pytest.fixture
def account_app(config: config_mod.Config, stack: dict[str, str], clock) -> Flask:  # noqa: ANN001
    """The account app on the fake clock, sending SMS through moto's SNS."""
    from functions.account.app import create_app

    app = create_app(config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def sms_inbox(stack: dict[str, str], config: config_mod.Config) -> Callable[[str], list[str]]:
    """Every SMS text moto's SNS received for a number, oldest first."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.sns.models import sns_backends

    def inbox(phone: str) -> list[str]:
        messages = sns_backends[DEFAULT_ACCOUNT_ID][config.region].sms_messages.values()
        return [text for number, text in messages if number == phone]

    return inbox


@pytest.fixture
def submit_config(config: config_mod.Config, stack: dict[str, str]) -> config_mod.Config:
    """Settings pointing at the deployed stack's documents bucket."""
    return config.with_overrides(documents_bucket=stack["DocumentsBucketName"])


@pytest.fixture
def submit_app(submit_config: config_mod.Config, clock) -> Flask:  # noqa: ANN001
    """The submit app on the fake clock, storing into moto's S3."""
    from functions.submit.app import create_app

    app = create_app(submit_config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def citizen(submit_app: Flask, submit_config: config_mod.Config, clock):  # noqa: ANN001, ANN201
    """A signed-in citizen with a complete profile: a test client of the submit app."""
    from submit_helpers import signed_in_client

    return signed_in_client(submit_app, submit_config, clock.current, "+84912345678")


@pytest.fixture
def other_citizen(submit_app: Flask, submit_config: config_mod.Config, clock):  # noqa: ANN001, ANN201
    """A second citizen, to prove nobody reaches another's papers."""
    from submit_helpers import signed_in_client

    return signed_in_client(submit_app, submit_config, clock.current, "+84987654321")


@pytest.fixture
def status_app(submit_config: config_mod.Config, clock) -> Flask:  # noqa: ANN001
    """The status app on the fake clock, over the same stack as the submit app."""
    from functions.status.app import create_app

    app = create_app(submit_config, clock=clock)
    app.testing = True
    return app


@pytest.fixture
def filed(citizen) -> str:  # noqa: ANN001
    """The citizen's submitted marital-status application; returns its code."""
    from submit_helpers import submission, submit, uploaded_page

    return submit(citizen, submission([uploaded_page(citizen)])).json["application"]["code"]


@pytest.fixture
def officer(submit_app, submit_config, clock, status_app):  # noqa: ANN001, ANN201
    """An officer of the citizen's home commune, on the status app."""
    from submit_helpers import HOME_COMMUNE, as_user, staff_client

    return as_user(status_app, staff_client(submit_app, submit_config, clock.current, "+84912000101",
                                            [HOME_COMMUNE]))


@pytest.fixture
def far_officer(submit_app, submit_config, clock, status_app):  # noqa: ANN001, ANN201
    """An officer of another commune, who must not see the citizen's application."""
    from submit_helpers import OTHER_COMMUNE, as_user, staff_client

    return as_user(status_app, staff_client(submit_app, submit_config, clock.current, "+84912000102",
                                            [OTHER_COMMUNE]))


@pytest.fixture(scope="module")
def vapid() -> tuple[str, str]:
    """A VAPID key pair (private raw, public X9.62), both base64url, as the local stack makes them."""
    from functions.local.seed import _new_vapid_pair

    return _new_vapid_pair()


@pytest.fixture
def push_config(submit_config: config_mod.Config, vapid: tuple[str, str]) -> config_mod.Config:
    """Settings with a VAPID key pair, for subscribing and sending."""
    return submit_config.with_overrides(vapid_private_key=vapid[0], vapid_public_key=vapid[1])


@pytest.fixture
def pay_config(submit_config: config_mod.Config) -> config_mod.Config:
    """The pay function's settings: the test merchant (a module may override it)."""
    from pay_helpers import SECRET, TMN

    return submit_config.with_overrides(vnpay_hash_secret=SECRET, vnpay_tmn_code=TMN)


@pytest.fixture
def pay_gateway() -> object | None:
    """The pay app's gateway adapter: None builds the one the settings name; a module may override it."""
    return None


@pytest.fixture
def pay_app(pay_config: config_mod.Config, clock, pay_gateway) -> Flask:  # noqa: ANN001
    """The pay app on the fake clock, with the module's settings (`pay_config`) and gateway."""
    from functions.pay.app import create_app

    extra = {} if pay_gateway is None else {"gateway": pay_gateway}
    app = create_app(pay_config, clock=clock, **extra)
    app.testing = True
    return app


@pytest.fixture
def mine(pay_app: Flask, citizen):  # noqa: ANN001, ANN201
    """The signed-in citizen, on the pay app."""
    from submit_helpers import as_user

    return as_user(pay_app, citizen)
