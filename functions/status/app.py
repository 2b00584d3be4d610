"""The status function: status and timeline, officer actions, push subscriptions and notifications."""

from __future__ import annotations

from flask import Flask, Response, jsonify, request

from functions.core import auth, models, reads
from functions.core.adapters import storage as storage_adapter
from functions.core.adapters.clock import Clock
from functions.core.adapters.storage import Storage
from functions.core.config import Config
from functions.core.config import load as load_config
from functions.core.http import create_base_app, json_body
from functions.status import apology, push_api, rating, service, statistics, tracking
from functions.status.complaints import Complaints
from functions.status.desk import Desk


def create_app(config: Config | None = None, *, clock: Clock | None = None, storage: Storage | None = None
               ) -> Flask:
    """Build the status app (Zappa uses the module-level `app`); tests may pass a clock and a storage."""
    cfg = config or load_config()
    store = storage or storage_adapter.for_config(cfg)
    # Ready means the tables and the documents bucket answer (HeadBucket).
    app = create_base_app(__name__, "status", cfg, health=lambda: {**service.health(), "bucket": store.check()},
                          clock=clock)
    models.bind(cfg)
    desk = Desk(store, cfg.upload_expires_seconds)
    feedback = Complaints(desk, cfg)

    @app.get("/applications/<code>")
    @auth.login_required(reads=reads.application)
    def get_application(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(desk.get(principal, code, auth.now()))

    @app.post("/applications/<code>/actions")
    @auth.login_required(reads=reads.application_and_pages)
    def act_on_application(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(desk.act(principal, code, json_body(), auth.now()))

    @app.post("/applications/<code>/apology")
    @auth.login_required("officer", reads=reads.application)
    def issue_apology(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(apology.issue(desk, principal, code, json_body(), auth.now()))

    @app.put("/applications/<code>/rating")
    @auth.login_required(reads=reads.application)
    def rate_application(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(rating.rate(principal, code, json_body(), auth.now()))

    @app.post("/applications/<code>/result-upload")
    @auth.login_required("officer", reads=reads.application)
    def create_result_upload(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(desk.result_upload(principal, code, json_body(), auth.now())), 201

    @app.get("/queue")
    @auth.login_required("officer")
    def list_queue(principal) -> Response:  # noqa: ANN001
        return jsonify(desk.queue(principal, request.args.to_dict(), auth.now()))

    @app.get("/track")
    def track_application() -> Response:
        return jsonify(tracking.track(request.args.to_dict(), request.remote_addr or "", auth.now(), cfg))

    @app.get("/statistics")
    def get_public_statistics() -> Response:
        resp = jsonify(statistics.public(request.args.to_dict(), auth.now()))
        # Nothing personal: browsers and CDNs may keep it a minute; the server always reads the counters.
        resp.headers["Cache-Control"] = "public, max-age=60"
        return resp

    @app.get("/officer/statistics")
    @auth.login_required("officer", "admin")
    def get_officer_statistics(principal) -> Response:  # noqa: ANN001
        args = request.args.to_dict()
        body, cells = statistics.for_officer(principal, args, auth.now())
        if args.get("format") != "csv":
            return jsonify(body)
        name = f"thong-ke-{body['from']}-{body['to']}.csv"
        return Response(statistics.as_csv(cells), content_type="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})

    # -- complaints ("phản ánh, kiến nghị"): functions/status/complaints.py --

    @app.post("/feedback")
    @auth.login_required()
    def create_feedback(principal) -> tuple[Response, int]:  # noqa: ANN001
        return jsonify(feedback.create(principal, json_body(), request.headers.get("Idempotency-Key"), auth.now())), 201

    @app.get("/feedback")
    @auth.login_required()
    def list_my_feedback(principal) -> Response:  # noqa: ANN001
        return jsonify(feedback.mine(principal, auth.now()))

    @app.get("/feedback/<code>")
    @auth.login_required()
    def get_feedback(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(feedback.get(principal, code, auth.now()))

    @app.post("/feedback/<code>/answer")
    @auth.login_required("officer", "supervisor", "admin")
    def answer_feedback(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(feedback.answer(principal, code, json_body(), auth.now()))

    @app.post("/feedback/<code>/result-upload")
    @auth.login_required("officer", "supervisor", "admin")
    def create_feedback_result_upload(principal, code: str) -> tuple[Response, int]:  # noqa: ANN001
        return jsonify(feedback.result_upload(principal, code, json_body(), auth.now())), 201

    @app.post("/feedback/<code>/accept")
    @auth.login_required()
    def accept_feedback_answer(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(feedback.accept(principal, code, auth.now()))

    @app.post("/feedback/<code>/reopen")
    @auth.login_required()
    def reopen_feedback(principal, code: str) -> Response:  # noqa: ANN001
        return jsonify(feedback.reopen(principal, code, json_body(), auth.now()))

    @app.get("/officer/feedback")
    @auth.login_required("officer", "supervisor", "admin")
    def officer_feedback_queue(principal) -> Response:  # noqa: ANN001
        return jsonify(feedback.queue(principal, auth.now()))

    # -- push subscriptions, the VAPID key and the inbox (below this line) --

    @app.get("/push/key")
    def get_vapid_key() -> Response:
        return jsonify(push_api.vapid_key(cfg))

    @app.post("/push/subscriptions")
    @auth.login_required()
    def subscribe_push(principal) -> tuple[Response, int]:  # noqa: ANN001
        return jsonify(push_api.subscribe(principal, json_body(), auth.now(), cfg)), 201

    @app.post("/push/subscriptions/delete")
    @auth.login_required()
    def unsubscribe_push(principal) -> Response:  # noqa: ANN001
        return jsonify(push_api.unsubscribe(principal, json_body()))

    @app.get("/inbox")
    @auth.login_required()
    def list_inbox(principal) -> Response:  # noqa: ANN001
        return jsonify(push_api.inbox(principal, request.args.to_dict()))

    return app


app = create_app()
