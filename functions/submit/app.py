"""The submit function: procedure catalog, uploads of document pages, submission and my applications."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from functions.core import auth, models, reads
from functions.core.adapters import storage as storage_adapter
from functions.core.adapters.clock import Clock
from functions.core.adapters.storage import Storage
from functions.core.config import Config
from functions.core.config import load as load_config
from functions.core.http import create_base_app, json_body
from functions.submit import service
from functions.submit.applications import Applications
from functions.submit.uploads import Uploads


def create_app(config: Config | None = None, *, clock: Clock | None = None, storage: Storage | None = None
               ) -> Flask:
    """Build the submit app (Zappa uses the module-level `app`); tests may pass a clock and a storage."""
    cfg = config or load_config()
    store = storage or storage_adapter.for_config(cfg)
    # Ready means the tables and the documents bucket answer (HeadBucket).
    app = create_base_app(__name__, "submit", cfg, health=lambda: {**service.health(), "bucket": store.check()},
                          clock=clock)
    models.bind(cfg)
    uploads = Uploads(cfg, store)
    applications = Applications()

    @app.get("/procedures")
    def list_procedures() -> Response:
        resp = jsonify(service.list_procedures(cfg))
        # Public, personal-data-free catalog: let the browser and CDN reuse it briefly.
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.get("/procedures/<procedure_id>")
    def get_procedure(procedure_id: str) -> Response:
        resp = jsonify(service.get_procedure(procedure_id))
        resp.headers["Cache-Control"] = "public, max-age=300"
        return resp

    @app.post("/uploads")
    @auth.login_required()
    def create_upload(principal) -> tuple[Response, int]:  # noqa: ANN001
        return jsonify(uploads.create(principal, json_body(), auth.now())), 201

    @app.post("/uploads/<document_id>/complete")
    @auth.login_required(reads=reads.document)
    def complete_upload(principal, document_id: str) -> Response:  # noqa: ANN001
        return jsonify(uploads.complete(principal, document_id, auth.now()))

    @app.post("/applications")
    @auth.login_required(reads=reads.submission)
    def submit_application(principal) -> tuple[Response, int]:  # noqa: ANN001
        key = request.headers.get("Idempotency-Key")
        return jsonify(applications.submit(principal, json_body(), key, auth.now())), 201

    @app.get("/applications")
    @auth.login_required()
    def list_my_applications(principal) -> Response:  # noqa: ANN001
        return jsonify(applications.list_mine(principal, request.args.to_dict()))

    return app


app = create_app()
