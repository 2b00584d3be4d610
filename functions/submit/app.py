"""The submit function: procedure catalog, uploads, drafts and submission."""

from __future__ import annotations

from flask import Flask, Response, jsonify

from functions.core import models
from functions.core.config import Config
from functions.core.http import create_base_app
from functions.submit import service


def create_app(config: Config | None = None) -> Flask:
    """Build the submit app (Zappa uses the module-level `app`)."""
    app = create_base_app(__name__, "submit", config, health=service.health)
    models.bind(app.config["MOTCUA"])

    @app.get("/procedures")
    def list_procedures() -> Response:
        resp = jsonify({"procedures": service.list_procedures()})
        # Public, personal-data-free catalog: let the browser and CDN reuse it briefly.
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.get("/procedures/<procedure_id>")
    def get_procedure(procedure_id: str) -> Response:
        resp = jsonify(service.get_procedure(procedure_id))
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    return app


app = create_app()
