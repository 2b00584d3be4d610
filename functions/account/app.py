"""The account function: phone sign-up/sign-in by SMS code, sessions and profile."""

from __future__ import annotations

from flask import Flask

from functions.account import service
from functions.core import models
from functions.core.config import Config
from functions.core.http import create_base_app


def create_app(config: Config | None = None) -> Flask:
    """Build the account app (Zappa uses the module-level `app`)."""
    app = create_base_app(__name__, "account", config, health=service.health)
    models.bind(app.config["MOTCUA"])
    return app


app = create_app()
