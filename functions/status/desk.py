"""The application desk: reading an application (owner or its commune's officers), moving it along the
lifecycle, and the officers' queue. Everyone else gets 404, so nothing reveals what exists."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from functions.core import models
from functions.core.adapters.storage import Storage
from functions.core.applications import application_view, event_id, is_overdue
from functions.core.documents import find_documents
from functions.core.domain import codes
from functions.core.domain.lifecycle import STATES, Actor, allowed_actions, transition
from functions.core.domain.procedures import catalog
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import Conflict, NotFound, ValidationFailed
from functions.core.paging import decode_cursor, encode_cursor
from functions.core.sessions import Principal

# Links to identity papers live at most five minutes.
LINK_SECONDS = 300
QUEUE_PAGE = 25
QUEUE_KEY = {"application_id", "commune_status", "due_at"}


def visible_application(principal: Principal, raw_code: str) -> models.Application:
    """The application if the caller owns it or is an officer of its commune; NotFound otherwise."""
    code = codes.normalize(raw_code)
    if code is None:
        raise NotFound()
    try:
        app = models.Application.get(code, consistent_read=True)
    except models.Application.DoesNotExist:
        raise NotFound() from None
    if app.owner_id == principal.user_id:
        return app
    if principal.role == "officer" and app.commune_code in principal.communes:
        return app
    raise NotFound()


def acting_role(principal: Principal, app: models.Application) -> str:
    """The role the caller acts in on this application: its owner is a citizen here, whatever else."""
    return "citizen" if app.owner_id == principal.user_id else principal.role


class Desk:
    """getApplication, actOnApplication and listQueue over one storage (for document links)."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    def get(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """Details, short-lived document links, the timeline, the due date and what the caller may do."""
        app = visible_application(principal, raw_code)
        return self._view(app, acting_role(principal, app), now)

    def act(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Apply one lifecycle action; a lost race or a stale `version` is 409 conflict, never an overwrite."""
        action, seen = body.get("action"), body.get("version")
        fields = {}
        if not isinstance(action, str):
            fields["action"] = "required" if action is None else "invalid_type"
        if seen is not None and (isinstance(seen, bool) or not isinstance(seen, int)):
            fields["version"] = "invalid_type"
        if fields:
            raise ValidationFailed(details={"fields": fields})
        app = visible_application(principal, raw_code)
        if seen is not None and seen != app.version:
            raise Conflict(details={"version": int(app.version)})
        role = acting_role(principal, app)
        details = {k: v for k, v in body.items() if k not in ("action", "version")}
        done = transition(app.status, action, Actor(principal.user_id, role), now, details,
                          slots=tuple(catalog()[app.procedure_id].slots))
        record = done.record()
        event = models.Event(app.application_id, event_id(int(app.version) + 1, now, done.action),
                             user_id=app.owner_id, kind=done.action, actor=record["actor"], data=record,
                             created_at=now)
        try:
            with models.transaction() as tx:
                tx.update(app, actions=[models.Application.status.set(done.target),
                                        models.Application.commune_status.set(f"{app.commune_code}#{done.target}")])
                tx.save(event, condition=models.Event.event_id.does_not_exist())
        except TransactWriteError as exc:
            if not models.conditions_failed(exc):
                raise  # the service failed, not the race: 503 through the one error mapping
            raise Conflict() from exc
        # The transaction bumped the version in memory; the new status is ours to set.
        app.status, app.commune_status = done.target, f"{app.commune_code}#{done.target}"
        return self._view(app, role, now)

    def queue(self, principal: Principal, args: dict[str, str], now: datetime) -> dict[str, Any]:
        """One commune's applications in one status, earliest due first (overdue on top), from the GSI."""
        commune = args.get("commune") or (min(principal.communes) if len(principal.communes) == 1 else None)
        status = args.get("status", "submitted")
        fields = {}
        if commune not in principal.communes:
            fields["commune"] = "required" if commune is None else "not_allowed"
        if status not in STATES:
            fields["status"] = "not_allowed"
        if fields:
            raise ValidationFailed(details={"fields": fields})
        partition = {"commune_status": f"{commune}#{status}"}
        start = decode_cursor(args["cursor"], QUEUE_KEY, partition) if args.get("cursor") else None
        page = models.Application.by_commune_status.query(f"{commune}#{status}", limit=QUEUE_PAGE,
                                                          last_evaluated_key=start)
        items = [{**application_view(app), "overdue": is_overdue(app, now),
                  "applicant_name": (app.applicant or {}).get("full_name")} for app in page]
        last = page.last_evaluated_key
        return {"applications": items, "next_cursor": encode_cursor(last) if last else None}

    def _view(self, app: models.Application, role: str, now: datetime) -> dict[str, Any]:
        pages = app.documents or {}
        found = find_documents([i for ids in pages.values() for i in ids])
        return {
            **application_view(app),
            "answers": app.answers,
            "applicant": app.applicant,
            "documents": {slot: [self._document(i, found.get(i)) for i in ids] for slot, ids in pages.items()},
            "due_at": app.due_at.astimezone(VIETNAM).isoformat(),
            "overdue": is_overdue(app, now),
            "timeline": self._timeline(app.application_id, show_people=role != "citizen"),
            "actions": allowed_actions(app.status, role),
            "version": int(app.version),
        }

    def _document(self, document_id: str, doc: models.Document | None) -> dict[str, Any]:
        if doc is None:
            return {"document_id": document_id, "missing": True}
        return {"document_id": document_id, "content_type": doc.content_type, "width": doc.width,
                "height": doc.height, "url": self.storage.presigned_get(doc.object_key, LINK_SECONDS),
                "expires_in": LINK_SECONDS}

    @staticmethod
    def _timeline(code: str, *, show_people: bool) -> list[dict[str, Any]]:
        entries = []
        for event in models.Event.query(code):
            actor = dict(event.actor or {})
            if not show_people:
                actor.pop("user_id", None)  # a citizen sees "the commune officer", not staff ids
            entries.append({"kind": event.kind, "at": event.created_at.astimezone(VIETNAM).isoformat(),
                            "actor": actor, "data": {k: v for k, v in (event.data or {}).items() if k != "actor"}})
        return entries

