"""submitApplication and listMyApplications.

A submission is checked completely (form schema, slots, document ownership and state, commune,
delivery), then written in one transaction: the application, its first timeline event (also the
outbox record the status function dispatches), the idempotency record, and each document claimed for
this application. A retry with the same `Idempotency-Key` returns the first answer; the same key with
another body is refused.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core import idempotency, models, store
from functions.core.applications import application_view
from functions.core.documents import find_documents
from functions.core.domain import codes, stats
from functions.core.domain import profile as profile_rules
from functions.core.domain.deadlines import due_date, due_moment
from functions.core.domain.procedures import Procedure
from functions.core.domain.vntime import local_date
from functions.core.errors import ProfileRequired, ValidationFailed
from functions.core.paging import decode_cursor, encode_cursor
from functions.core.sessions import Principal
from functions.submit.checks import Checked, check_submission

CODE_ATTEMPTS = 3
PAGE_DEFAULT, PAGE_MAX = 20, 50
OWNER_KEY = {"application_id", "owner_id", "created_at"}


class Applications:
    """The submission use cases."""

    def submit(self, principal: Principal, body: dict[str, Any], raw_key: str | None, now: datetime
               ) -> dict[str, Any]:
        """Create the application once per key; a retry gets the first answer back."""
        key = idempotency.key_from(raw_key)
        record_key = idempotency.record_key("submit", principal.user_id, key)
        request_hash = idempotency.request_hash(body)
        replay = idempotency.replay(record_key, request_hash)
        if replay is not None:
            return replay
        user = principal.user  # read consistently with the session
        if not profile_rules.is_complete(user.profile):
            raise ProfileRequired()
        try:
            checked = check_submission(principal, body, local_date(now))
        except ValidationFailed as err:
            in_use = "document_in_use" in err.details.get("fields", {}).values()
            earlier = self._earlier(principal, _page_ids(body), key) if in_use else None
            if earlier is not None:
                return earlier
            raise
        for _ in range(CODE_ATTEMPTS):
            app = self._new_application(principal, user, checked, key, now)
            response = {"application": application_view(app)}
            try:
                self._write(app, checked, idempotency.saved(record_key, request_hash, 201, response, now), now)
                return response
            except store.Refused:
                outcome = self._after_refusal(record_key, request_hash, principal, checked, key)
                if outcome is not None:
                    return outcome
        raise RuntimeError("no free application code after several attempts")

    def list_mine(self, principal: Principal, args: dict[str, str]) -> dict[str, Any]:
        """The caller's applications, newest first, one page at a time (owner index, no Scan)."""
        limit = _limit(args.get("limit"))
        mine = {"owner_id": principal.user_id}
        start = decode_cursor(args["cursor"], OWNER_KEY, mine) if args.get("cursor") else None
        page = models.Application.by_owner.query(principal.user_id, scan_index_forward=False, limit=limit,
                                                 last_evaluated_key=start)
        items = [application_view(app) for app in page]
        last = page.last_evaluated_key
        return {"applications": items, "next_cursor": encode_cursor(last) if last else None}

    @staticmethod
    def _new_application(principal: Principal, user: models.User, checked: Checked, key: str, now: datetime
                         ) -> models.Application:
        procedure: Procedure = checked.procedure
        due = due_date(now, procedure.processing_days_for("online"))
        fee = procedure.fee_vnd(checked.answers, checked.page_counts)
        return models.Application(
            codes.new_code(procedure.code_prefix, now), owner_id=principal.user_id, procedure_id=procedure.id,
            commune_code=checked.commune_code, status="submitted",
            commune_status=f"{checked.commune_code}#submitted", answers=checked.answers,
            documents=checked.documents, pages=checked.pages, delivery=checked.delivery,
            applicant={"phone": user.phone, **(user.profile or {})}, fee_vnd=fee,
            payment_state="unpaid" if fee else "not_required", created_at=now, due_date=due.isoformat(),
            due_at=due_moment(due), idempotency_key=key, channel="online",
        )

    @staticmethod
    def _write(app: models.Application, checked: Checked, record: store.SaveRecord, now: datetime) -> None:
        """Through the store: the application, its first event, the idempotency record, the pages claimed,
        and "received" in the statistics."""
        change = store.Change("submitted", actor={"user_id": app.owner_id, "role": "citizen"},
                              data={"status": "submitted", "due_date": app.due_date},
                              counts=stats.received(app.channel, int(app.fee_vnd)),
                              with_items=[record, store.ClaimPages(tuple(checked.document_ids), app.owner_id,
                                                                   app.application_id)])
        store.create(app, change, now)

    def _after_refusal(self, record_key: str, request_hash: str, principal: Principal, checked: Checked,
                       key: str) -> dict[str, Any] | None:
        """Why the transaction was refused: a concurrent retry, a page taken meanwhile, or a code clash
        (None: try another code)."""
        replay = idempotency.replay(record_key, request_hash)
        if replay is not None:
            return replay
        earlier = self._earlier(principal, checked.document_ids, key)
        if earlier is not None:
            return earlier
        found = find_documents(checked.document_ids)
        taken = {}
        for slot_id, document_id, index in checked.document_slots:
            doc = found.get(document_id)
            if doc is None:
                taken[f"documents.{slot_id}.{index}"] = "document_not_found"
            elif doc.application_id is not None:
                taken[f"documents.{slot_id}.{index}"] = "document_in_use"
            elif doc.state != "verified":
                taken[f"documents.{slot_id}.{index}"] = "document_not_verified"
        if taken:
            raise ValidationFailed(details={"fields": taken})
        return None

    @staticmethod
    def _earlier(principal: Principal, document_ids: list[str], key: str) -> dict[str, Any] | None:
        """Our own earlier submission with this key, found through a page it claimed (its idempotency
        record may have expired, or a concurrent retry may have won the race). All pages of an
        application are claimed together, so the first one tells."""
        doc = next(iter(find_documents(document_ids[:1]).values()), None)
        if doc is None or doc.application_id is None:
            return None
        try:
            app = models.Application.get(doc.application_id, consistent_read=True)
        except models.Application.DoesNotExist:
            return None
        if app.owner_id != principal.user_id or app.idempotency_key != key:
            return None
        return {"application": application_view(app)}


def _page_ids(body: dict[str, Any]) -> list[str]:
    """Every page id in a request body, in order."""
    return [i for ids in body["documents"].values() for i in ids]


def _limit(raw: str | None) -> int:
    """The page size asked for (1 to PAGE_MAX: the API document's check), or the default."""
    return PAGE_DEFAULT if raw is None else int(raw)

