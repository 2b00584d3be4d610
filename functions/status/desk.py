"""The application desk: reading an application (owner or its commune's officers), moving it along the
lifecycle, and the officers' queue. Everyone else gets 404, so nothing reveals what exists."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core import models, store
from functions.core.adapters.storage import Storage
from functions.core.applications import (
    application_view,
    is_overdue,
    payment_receipt,
    visible_application,
)
from functions.core.documents import find_documents, page_facts, slot_codes
from functions.core.domain import stats
from functions.core.domain.lifecycle import PAID_STATES, Actor, Facts, allowed_actions, apology_owed, transition
from functions.core.domain.procedures import Procedure, catalog
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import Conflict, NotFound, ValidationFailed
from functions.core.paging import decode_cursor, encode_cursor
from functions.core.sessions import Principal
from functions.core.store.rules import entry as timeline_entry
from functions.status.results import Results

# Links to identity papers live at most five minutes.
LINK_SECONDS = 300
QUEUE_PAGE = 25
QUEUE_KEY = {"application_id", "commune_status", "due_at"}


def acting_role(principal: Principal, app: models.Application) -> str:
    """The role the caller acts in on this application: its owner is a citizen here, whatever else."""
    return "citizen" if app.owner_id == principal.user_id else principal.role


@dataclass
class Effects:
    """What a transition changes besides the status: attributes to set or remove, pages to claim."""

    sets: dict[str, Any] = field(default_factory=dict)
    removes: tuple[str, ...] = ()
    claims: list[str] = field(default_factory=list)
    result_doc: models.Document | None = None


class Desk:
    """getApplication, officerTransition, createResultUpload and officerQueue over one storage."""

    def __init__(self, storage: Storage, upload_expires_seconds: int = 600) -> None:
        self.storage = storage
        self.results = Results(storage, upload_expires_seconds)

    def get(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """Details, short-lived document links, the timeline, the due date and what the caller may do."""
        app = visible_application(principal, raw_code)
        return self.view(app, acting_role(principal, app), now)

    def act(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Apply one lifecycle action; a lost race or a stale `version` is 409 conflict, never an overwrite."""
        action, seen = body["action"], body.get("version")  # their shape: the API document's check
        app = visible_application(principal, raw_code)
        if seen is not None and seen != app.version:
            raise Conflict(details={"version": int(app.version)})
        role = acting_role(principal, app)
        procedure = catalog()[app.procedure_id]
        details = {k: v for k, v in body.items() if k not in ("action", "version")}
        may_name = tuple((app.supplement or {}).get("slots", [])) if action == "resubmit" else tuple(procedure.slots)
        done = transition(app.status, action, Actor(principal.user_id, role), now, details, slots=may_name,
                          facts=facts_of(app, now))
        record = done.record()
        effects = self._effects(app, procedure, record, now)
        record["actor"] = {**record["actor"], **_actor_name(principal, role)}
        officer = store.Officer(principal.user_id, principal.name) if role == "officer" else None
        self._commit(app, done.target, record, effects, officer, now)
        return self.view(app, role, now)

    def result_upload(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime
                      ) -> dict[str, Any]:
        """A presigned POST for the electronic result PDF of an approved application (its officers only)."""
        app = visible_application(principal, raw_code)
        if acting_role(principal, app) != "officer":
            raise NotFound()
        return self.results.create_upload(app, principal, body, now)

    def _effects(self, app: models.Application, procedure: Procedure, record: dict[str, Any], now: datetime
                 ) -> Effects:
        action = record["action"]
        if action == "request_supplement":
            at = now.astimezone(VIETNAM).isoformat()
            return Effects(sets={"supplement": {"slots": record["slots"], "reason": record["reason"], "at": at}})
        if action == "resubmit":
            pages = record["documents"]
            facts = _check_pages(app, procedure, pages)
            sets = {"documents": {**(app.documents or {}), **pages}}
            if app.pages is not None:  # not on applications stored before items kept page facts
                sets["pages"] = {**app.pages, **facts}
            return Effects(sets=sets, removes=("supplement",), claims=[i for ids in pages.values() for i in ids])
        if action == "mark_result_ready":
            kept = {k: record[k] for k in ("result", "tracking_number", "document_id") if k in record}
            doc = self.results.checked(app, record["document_id"]) if "document_id" in record else None
            return Effects(sets={"result": kept}, result_doc=doc)
        return Effects()

    @staticmethod
    def _commit(app: models.Application, target: str, record: dict[str, Any], effects: Effects,
                officer: store.Officer | None, now: datetime) -> None:
        """Through the store: the new status and its effects, the timeline event (the outbox), page claims,
        and the statistics it moves; a lost race is 409."""
        with_items: list[store.Item] = [store.ClaimPages(tuple(effects.claims), app.owner_id, app.application_id)]
        if effects.result_doc is not None:
            with_items.append(store.ClaimResult(effects.result_doc, app.application_id, now))
        counts = stats.transitioned(record["action"], app.created_at, now, app.due_at, apologised=bool(app.apology))
        change = store.Change(record["action"], actor=record["actor"], data=record,
                              sets={"status": target, "commune_status": f"{app.commune_code}#{target}",
                                    **effects.sets},
                              removes=effects.removes, counts=counts, officer=officer, with_items=with_items)
        try:
            store.apply(app, change, now)
        except store.Refused as exc:
            raise Conflict() from exc

    def queue(self, principal: Principal, args: dict[str, str], now: datetime) -> dict[str, Any]:
        """One commune's applications in one status, earliest due first (overdue on top), from the GSI."""
        commune = args.get("commune") or (min(principal.communes) if len(principal.communes) == 1 else None)
        status = args.get("status", "submitted")  # one of the states: the API document says so
        if commune not in principal.communes:  # required when the officer has several communes
            raise ValidationFailed(details={"fields": {"commune": "required" if commune is None else "not_allowed"}})
        partition = {"commune_status": f"{commune}#{status}"}
        start = decode_cursor(args["cursor"], QUEUE_KEY, partition) if args.get("cursor") else None
        page = models.Application.by_commune_status.query(f"{commune}#{status}", limit=QUEUE_PAGE,
                                                          last_evaluated_key=start)
        items = [{**application_view(app), "overdue": is_overdue(app, now),
                  "due_at": app.due_at.astimezone(VIETNAM).isoformat(),
                  "applicant_name": (app.applicant or {}).get("full_name")} for app in page]
        last = page.last_evaluated_key
        return {"applications": items, "next_cursor": encode_cursor(last) if last else None}

    def view(self, app: models.Application, role: str, now: datetime) -> dict[str, Any]:
        """The application as `role` sees it now: the answer of every read and every step."""
        pages = app.documents or {}
        found = app.pages if app.pages is not None else {
            i: page_facts(doc) for i, doc in find_documents([i for ids in pages.values() for i in ids]).items()}
        procedure = catalog().get(app.procedure_id)
        facts = facts_of(app, now)
        return {
            **application_view(app),
            "answers": app.answers,
            "applicant": app.applicant,
            "documents": {slot: [self._document(i, found.get(i)) for i in ids] for slot, ids in pages.items()},
            "procedure_slots": _slot_facts(procedure),
            "due_at": app.due_at.astimezone(VIETNAM).isoformat(),
            "overdue": is_overdue(app, now),
            "supplement": app.supplement,
            "payment": payment_receipt(app),
            "result": self.results.link(app, LINK_SECONDS),
            "timeline": _timeline(app, show_people=role != "citizen"),
            "actions": allowed_actions(app.status, role, facts),
            "apology_required": role == "officer" and facts.apology_owed,
            "apology": app.apology,
            "rating": app.rating,
            "version": int(app.version),
        }

    def _document(self, document_id: str, facts: dict[str, Any] | None) -> dict[str, Any]:
        if facts is None:
            return {"document_id": document_id, "missing": True}
        return {"document_id": document_id, "content_type": facts["content_type"], "width": facts["width"],
                "height": facts["height"], "url": self.storage.presigned_get(facts["object_key"], LINK_SECONDS),
                "expires_in": LINK_SECONDS}



def _timeline(app: models.Application, *, show_people: bool) -> list[dict[str, Any]]:
    """The timeline kept on the item (the events table's, for applications stored before items kept it)."""
    if app.timeline is not None:
        kept = [json.loads(text) for text in app.timeline]
    else:
        events = models.Event.query(app.application_id, consistent_read=True)
        kept = [json.loads(timeline_entry(e)) for e in events]
    entries = []
    for event in kept:
        actor = dict(event["actor"])
        if not show_people:
            actor.pop("user_id", None)  # a citizen sees the officer's name, not staff ids
        at = datetime.fromisoformat(event["at"]).astimezone(VIETNAM).isoformat()
        entries.append({"kind": event["kind"], "at": at, "actor": actor,
                        "data": {k: v for k, v in event["data"].items() if k != "actor"}})
    return entries


def facts_of(app: models.Application, now: datetime) -> Facts:
    """What an officer's step depends on besides the status: the fee settled, an apology owed."""
    return Facts(paid=app.payment_state in PAID_STATES, apology_owed=apology_owed(app.status, app.due_at, now))


def _check_pages(app: models.Application, procedure: Procedure, pages: dict[str, list[str]]
                 ) -> dict[str, dict[str, Any]]:
    """The new pages of a resubmission: the owner's, verified, unused, of the right slot, in page limits.
    Returns their facts, for the application to keep."""
    found = find_documents([i for ids in pages.values() for i in ids])
    fields: dict[str, str] = {}
    seen: set[str] = set()
    for slot_id, ids in pages.items():
        fields.update(slot_codes(procedure.slots[slot_id], ids, found, app.owner_id, procedure.id, seen,
                                 required=True))
    if fields:
        raise ValidationFailed(details={"fields": fields})
    return {i: page_facts(found[i]) for ids in pages.values() for i in ids}


def _actor_name(principal: Principal, role: str) -> dict[str, str]:
    """Staff sign their steps with their name, which the citizen sees ("who is handling it")."""
    name = principal.name if role != "citizen" else None
    return {"name": name} if name else {}


def _slot_facts(procedure: Procedure | None) -> dict[str, Any]:
    """What a screen needs to show and retake each paper: its label, help, page limits and file kinds."""
    if procedure is None:
        return {}
    keep = ("label", "help", "min_pages", "max_pages", "accept", "max_bytes")
    return {sid: {k: slot.raw[k] for k in keep if k in slot.raw} for sid, slot in procedure.slots.items()}
