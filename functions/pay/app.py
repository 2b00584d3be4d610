"""The pay function: payment orders, gateway return, IPN callback and reconciliation."""

from __future__ import annotations

from flask import Flask

from functions.core import models
from functions.core.config import Config
from functions.core.http import create_base_app
from functions.pay import service


def create_app(config: Config | None = None) -> Flask:
    """Build the pay app (Zappa uses the module-level `app`)."""
    app = create_base_app(__name__, "pay", config, health=service.health)
    models.bind(app.config["MOTCUA"])
    return app


app = create_app()
