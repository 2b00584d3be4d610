"""The pay function: payment orders, the gateway's return and IPN callbacks, and reconciliation."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from functions.core import auth, models, reads
from functions.core.adapters import payments as payments_adapter
from functions.core.adapters.clock import Clock
from functions.core.adapters.payments import PaymentGateway
from functions.core.config import Config
from functions.core.http import app_config, create_base_app, json_body
from functions.pay import callbacks, service
from functions.pay.orders import Orders


def create_app(config: Config | None = None, *, clock: Clock | None = None,
               gateway: PaymentGateway | None = None) -> Flask:
    """Build the pay app (Zappa uses the module-level `app`); tests may pass a clock and a gateway."""
    app = create_base_app(__name__, "pay", config, health=service.health, clock=clock)
    cfg = app_config(app)
    models.bind(cfg)
    gate = gateway or payments_adapter.for_config(cfg)
    orders = Orders(cfg, gate)

    @app.post("/applications/<code>/payment")
    @auth.login_required(reads=reads.application)
    def create_payment(principal, code: str) -> tuple[Response, int]:  # noqa: ANN001
        return jsonify(orders.create(principal, code, json_body(), request.remote_addr or "", auth.now())), 201

    @app.get("/applications/<code>/payment")
    @auth.login_required(reads=reads.application)
    def get_payment(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(orders.get(principal, code, auth.now()))

    @app.post("/applications/<code>/payment/check")
    @auth.login_required(reads=reads.application)
    def check_payment(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(orders.check(principal, code, auth.now()))

    @app.get("/vnpay/return")
    def vnpay_return() -> Response:
        return jsonify(callbacks.returned(gate, request.args.to_dict()))

    @app.get("/vnpay/ipn")
    def vnpay_ipn() -> Response:
        return jsonify(callbacks.ipn(gate, request.args.to_dict(), auth.now()))

    return app


app = create_app()
