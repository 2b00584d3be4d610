"""The account function: phone sign-up/sign-in by SMS code, sessions and profile."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from functions.account import cli, devices, service
from functions.account.otp import PhoneOtp
from functions.core import auth, models
from functions.core.adapters import sms as sms_adapter
from functions.core.adapters.clock import Clock
from functions.core.adapters.sms import SmsSender
from functions.core.config import Config
from functions.core.http import app_config, create_base_app, json_body


def create_app(config: Config | None = None, *, clock: Clock | None = None, sms: SmsSender | None = None
               ) -> Flask:
    """Build the account app (Zappa uses the module-level `app`); tests pass a clock and an SMS fake."""
    app = create_base_app(__name__, "account", config, health=service.health, clock=clock)
    cfg = app_config(app)
    models.bind(cfg)
    accounts = service.AccountService(PhoneOtp(cfg, sms or sms_adapter.for_config(cfg)))

    @app.post("/otp")
    def request_otp() -> tuple[Response, int]:
        device = devices.from_request(cfg, request)
        return jsonify(accounts.request_otp(json_body(), request.remote_addr or "", auth.now(), device)), 202

    @app.post("/otp/verify")
    def verify_otp() -> Response:
        signed_in = accounts.verify_otp(json_body(), auth.now())
        resp = jsonify(signed_in.me)
        auth.set_session_cookies(resp, cfg, signed_in.token, signed_in.expires)
        devices.set_cookie(resp, cfg, signed_in.device)
        return resp

    @app.post("/logout")
    def logout() -> Response:
        accounts.logout(auth.session_token(cfg), auth.current_principal(cfg), json_body(), auth.now())
        resp = Response(status=204)
        auth.clear_session_cookies(resp, cfg)
        return resp

    @app.get("/profile")
    @auth.login_required()
    def get_profile(principal) -> Response:  # noqa: ANN001
        return jsonify(accounts.profile(principal))

    @app.put("/profile")
    @auth.login_required()
    def update_profile(principal) -> Response:  # noqa: ANN001
        return jsonify(accounts.update_profile(principal, json_body(), auth.now()))

    cli.register(app)
    return app


app = create_app()
