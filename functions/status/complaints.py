"""Complaints ("phản ánh, kiến nghị"): filing, the citizen's list, the officer queue, the answer, accepting or
reopening it, and the escalation sweep. The rules are in core/domain/complaints.py.

Every change goes through the complaint store (core/store/complaints.py): the change, its timeline event
(the outbox pushes it to the citizen, SMS as fallback) and the `complaints_*` counters in one transaction.
The owner, the officers and supervisors of the complaint's commune and the admin see it; anyone else gets
404. Complaint texts are personal data: nothing here logs them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from functions.core import idempotency, models, ratelimit
from functions.core.applications import visible_application
from functions.core.config import Config
from functions.core.documents import find_documents
from functions.core.domain import complaints as rules
from functions.core.domain import divisions
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed
from functions.core.ratelimit import Hit, Rule
from functions.core.sessions import Principal
from functions.core.store import ClaimPages, ClaimResult, Officer, OneOf, Refused
from functions.core.store import complaints as complaint_store
from functions.core.store.change import Change
from functions.status import results
from functions.status.desk import LINK_SECONDS, Desk

log = logging.getLogger("motcua.complaints")
K = models.Complaint
GENERAL = "general"  # the statistics cell's procedure of a complaint filed to a commune generally
WAITING = "waiting"
STAFF = frozenset({"officer", "supervisor", "admin"})
SWEEP_BATCH = 25
LIST_PAGE = 20


@dataclass(frozen=True)
class _ResultSubject:
    """What the result gate needs of its subject: the code its files are kept under, and a state that takes them."""

    application_id: str
    procedure_id: str
    status: str = "approved"


def store() -> complaint_store.DynamoComplaints | complaint_store.MemoryComplaints:
    """The complaint store in use (tests may swap `complaint_store.COMPLAINTS`)."""
    return complaint_store.COMPLAINTS


def visible(principal: Principal, raw_code: str) -> models.Complaint:
    """The complaint if the caller filed it, is staff of its commune, or is the admin; NotFound otherwise."""
    code = rules.normalize_code(raw_code)
    complaint = store().get(code) if code else None
    if complaint is None:
        raise NotFound()
    if complaint.owner_id == principal.user_id or principal.role == "admin":
        return complaint
    if principal.role in STAFF and complaint.commune_code in principal.communes:
        return complaint
    raise NotFound()


def _own(principal: Principal, raw_code: str) -> models.Complaint:
    complaint = visible(principal, raw_code)
    if complaint.owner_id != principal.user_id:
        raise NotFound()  # only the citizen who filed it accepts or reopens it
    return complaint


def _record(principal: Principal, body: dict[str, Any], raw_key: str | None) -> tuple[str, str] | None:
    """The idempotency record's key and the request's hash, when the caller sent a key (400 unless a UUID)."""
    if raw_key is None:
        return None
    key = idempotency.record_key("feedback", principal.user_id, idempotency.key_from(raw_key))
    return key, idempotency.request_hash(body)


def _actor(principal: Principal, role: str) -> dict[str, Any]:
    return {"user_id": principal.user_id, "role": role, **({"name": principal.name} if principal.name else {})}


def _commit(complaint: models.Complaint, change: Change, now: datetime) -> None:
    try:
        store().apply(complaint, change, now)
    except Refused as exc:
        raise Conflict() from exc


class Complaints:
    """The complaint use cases over one desk (document links, the result gate, timelines) and one config."""

    def __init__(self, desk: Desk, config: Config, limiter: ratelimit.Limiter | None = None) -> None:
        self.desk, self.config = desk, config
        self.limiter = limiter or ratelimit.for_config(config)
        self.daily = Rule("feedback", "feedback_daily", config.feedback_daily, ratelimit.DAILY)

    def create(self, principal: Principal, body: dict[str, Any], raw_key: str | None, now: datetime
               ) -> dict[str, Any]:
        """createFeedback: file a complaint about one's application or to a commune; answers the receipt.
        With an Idempotency-Key, a retry gets the complaint the first call filed (and spends no limit)."""
        kept = rules.checked_filing(body)
        record = _record(principal, body, raw_key)
        if record and (earlier := idempotency.replay(*record)) is not None:
            return self.get(principal, earlier["code"], now)
        commune, application_id, procedure = self._subject(principal, body)
        self._check_photos(principal, kept["photos"])
        self.limiter.spend([Hit(self.daily, principal.user_id)], now)
        day, due_at = rules.due(now, answer_days(self.config, commune))
        complaint = K(rules.new_code(now), owner_id=principal.user_id, commune_code=commune,
                      application_id=application_id, procedure_id=procedure, category=kept["category"],
                      text=kept["text"], photos=kept["photos"] or None, state="open", level="commune",
                      queue=rules.queue_key(commune, "commune"), waiting=WAITING, due_date=day.isoformat(),
                      due_at=due_at, first_due_at=due_at, created_at=now)
        photos = tuple(kept["photos"])
        claims: list[Any] = [ClaimPages(photos, principal.user_id, complaint.complaint_id)] if photos else []
        if record:
            claims.append(idempotency.saved(*record, 201, {"code": complaint.complaint_id}, now))
        data = {"action": "file", "level": "commune", "due_date": day.isoformat(), "category": kept["category"],
                "application_code": application_id}
        try:
            store().create(complaint, Change("feedback_filed", actor=_actor(principal, "citizen"), data=data,
                                             counts=rules.received_counts(), with_items=claims), now)
        except Refused as exc:  # a concurrent retry with the same key filed it first
            if record and (earlier := idempotency.replay(*record)) is not None:
                return self.get(principal, earlier["code"], now)
            raise Conflict() from exc
        return self.view(complaint, principal, now)

    @staticmethod
    def _subject(principal: Principal, body: dict[str, Any]) -> tuple[str, str | None, str]:
        """The commune, application and statistics procedure a new complaint is about."""
        if body.get("application_code") is not None:
            app = visible_application(principal, str(body["application_code"]))
            if app.owner_id != principal.user_id:
                raise NotFound()  # a citizen complains about their own applications only
            return app.commune_code, app.application_id, app.procedure_id
        commune = str(body["commune_code"])
        if divisions.commune(commune) is None:
            raise ValidationFailed(details={"fields": {"commune_code": "commune_unknown"}})
        return commune, None, GENERAL

    @staticmethod
    def _check_photos(principal: Principal, photos: list[str]) -> None:
        """Each photo is the caller's own verified, unused image from the upload gate."""
        found, fields = find_documents(photos), {}
        for index, document_id in enumerate(photos):
            doc = found.get(document_id)
            if doc is None or doc.owner_id != principal.user_id:
                fields[f"photos.{index}"] = "document_not_found"
            elif doc.state != "verified":
                fields[f"photos.{index}"] = "document_not_verified"
            elif doc.application_id is not None:
                fields[f"photos.{index}"] = "document_in_use"
            elif doc.procedure_id != rules.PHOTO_PURPOSE:  # a procedure's page, not a complaint photo
                fields[f"photos.{index}"] = "wrong_slot"
        if fields:
            raise ValidationFailed(details={"fields": fields})

    def get(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """getFeedback: the complaint, its answer and its timeline, to whoever may see it."""
        return self.view(visible(principal, raw_code), principal, now)

    def mine(self, principal: Principal, now: datetime) -> dict[str, Any]:
        """listMyFeedback: the caller's complaints, newest first, each with its timeline."""
        page = K.by_owner.query(principal.user_id, scan_index_forward=False, limit=LIST_PAGE)
        return {"complaints": [self.view(complaint, principal, now) for complaint in page]}

    def queue(self, principal: Principal, now: datetime) -> dict[str, Any]:
        """officerFeedbackQueue: complaints waiting at the caller's level in their communes, overdue first."""
        level = {"officer": "commune", "supervisor": "supervisor"}.get(principal.role, "admin")
        keys = {rules.queue_key(commune, level) for commune in principal.communes} if level != "admin" else {"admin"}
        waiting = [complaint for key in sorted(keys) for complaint in K.by_queue.query(key, limit=100)]
        waiting.sort(key=lambda complaint: complaint.due_at)
        return {"level": level, "complaints": [self.summary(complaint, now) for complaint in waiting]}

    def result_upload(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime
                      ) -> dict[str, Any]:
        """createFeedbackResultUpload: a presigned POST for the answer's PDF, through the result gate."""
        complaint = self._answerable(principal, raw_code)
        return self.desk.results.create_upload(_subject_of(complaint), principal, body, now)  # type: ignore[arg-type]

    def _answerable(self, principal: Principal, raw_code: str) -> models.Complaint:
        complaint = visible(principal, raw_code)
        if complaint.owner_id == principal.user_id and principal.role not in STAFF:
            raise NotFound()
        rules.transition(complaint.state, "answer")
        if not rules.may_answer(principal.role, complaint.level):
            raise InvalidTransition(details={"action": "answer", "status": complaint.state, "level": complaint.level})
        return complaint

    def answer(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """answerFeedback: the staff's answer, with an optional checked result PDF; pushed to the citizen."""
        complaint = self._answerable(principal, raw_code)
        text = rules.checked_text(body, "text", rules.TEXT_MAX)
        claims, result = [], None
        if body.get("result_document_id") is not None:
            doc = self.desk.results.checked(_subject_of(complaint), str(body["result_document_id"]))  # type: ignore[arg-type]
            claims, result = [ClaimResult(doc, complaint.complaint_id, now)], doc.document_id
        answer = {"text": text, "result_document_id": result, "role": principal.role, "level": complaint.level,
                  "at": now.astimezone(VIETNAM).isoformat()}
        change = Change("feedback_answered", actor=_actor(principal, principal.role),
                        data={"action": "answer", "level": complaint.level, "text": text, "result": bool(result)},
                        sets={"state": "answered", "answer": answer, "answers": int(complaint.answers) + 1},
                        removes=("queue", "waiting"), expect={"state": OneOf(tuple(rules.AWAITING))},
                        counts=rules.answer_counts(int(complaint.answers) == 0, now, complaint.first_due_at),
                        officer=Officer(principal.user_id, principal.name), with_items=claims)
        _commit(complaint, change, now)
        return self.view(complaint, principal, now)

    def accept(self, principal: Principal, raw_code: str, now: datetime) -> dict[str, Any]:
        """acceptFeedbackAnswer: the citizen accepts the answer; the complaint is closed."""
        complaint = _own(principal, raw_code)
        target = rules.transition(complaint.state, "accept")
        _commit(complaint, Change("feedback_accepted", actor=_actor(principal, "citizen"), data={"action": "accept"},
                                  sets={"state": target}), now)
        return self.view(complaint, principal, now)

    def reopen(self, principal: Principal, raw_code: str, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """reopenFeedback: once, with a reason; it waits again at its level with a new due date."""
        complaint = _own(principal, raw_code)
        reason = rules.checked_text(body, "reason", rules.REASON_MAX)
        target = rules.transition(complaint.state, "reopen", int(complaint.reopens))
        day, due_at = rules.due(now, answer_days(self.config, complaint.commune_code))
        sets = {"state": target, "reopens": int(complaint.reopens) + 1, "reopen_reason": reason,
                "queue": rules.queue_key(complaint.commune_code, complaint.level), "due_date": day.isoformat(),
                "due_at": due_at, **({"waiting": WAITING} if rules.next_level(complaint.level) else {})}
        _commit(complaint, Change("feedback_reopened", actor=_actor(principal, "citizen"), sets=sets,
                                  data={"action": "reopen", "reason": reason, "due_date": day.isoformat()}), now)
        return self.view(complaint, principal, now)

    def summary(self, complaint: models.Complaint, now: datetime) -> dict[str, Any]:
        """What a list or queue shows of one complaint."""
        commune = divisions.commune(complaint.commune_code)
        return {"code": complaint.complaint_id, "state": complaint.state, "level": complaint.level,
                "commune_code": complaint.commune_code, "commune_name": commune.name if commune else None,
                "application_code": complaint.application_id, "category": complaint.category,
                "text": complaint.text, "due_date": complaint.due_date,
                "due_at": complaint.due_at.astimezone(VIETNAM).isoformat(),
                "overdue": complaint.state in rules.AWAITING and now > complaint.due_at,
                "filed_at": complaint.created_at.astimezone(VIETNAM).isoformat()}

    def view(self, complaint: models.Complaint, principal: Principal, now: datetime) -> dict[str, Any]:
        """The complaint as the caller sees it: photos and the answer's PDF as short links, and the timeline."""
        owner = complaint.owner_id == principal.user_id
        found = find_documents(list(complaint.photos or []))
        answer = dict(complaint.answer) if complaint.answer else None
        if answer and answer.get("result_document_id"):
            key = results.object_key(_subject_of(complaint), answer["result_document_id"])  # type: ignore[arg-type]
            answer.update(url=self.desk.storage.presigned_get(key, LINK_SECONDS), expires_in=LINK_SECONDS)
        return {**self.summary(complaint, now),
                "photos": [self._photo(i, found.get(i)) for i in complaint.photos or []],
                "answer": answer, "reopens": int(complaint.reopens), "reopen_reason": complaint.reopen_reason,
                "actions": _actions(complaint, principal, owner), "version": int(complaint.version),
                "timeline": _timeline(complaint.complaint_id, show_people=not owner)}

    def _photo(self, document_id: str, doc: models.Document | None) -> dict[str, Any]:
        """One photo as a short-lived link (or `missing` when its record is gone)."""
        if doc is None:
            return {"document_id": document_id, "missing": True}
        return {"document_id": document_id, "content_type": doc.content_type, "width": doc.width,
                "height": doc.height, "url": self.desk.storage.presigned_get(doc.object_key, LINK_SECONDS),
                "expires_in": LINK_SECONDS}


def _timeline(code: str, *, show_people: bool) -> list[dict[str, Any]]:
    """Every step on the complaint, oldest first; the citizen sees the staff's role and name, not their ids."""
    entries = []
    for event in models.Event.query(code, consistent_read=True):
        actor = {k: v for k, v in (event.actor or {}).items() if show_people or k != "user_id"}
        entries.append({"kind": event.kind, "at": event.created_at.astimezone(VIETNAM).isoformat(),
                        "actor": actor, "data": dict(event.data or {})})
    return entries


def escalate_due(config: Config, now: datetime) -> int:
    """The escalation sweep (run by notify.sweep on its schedule, and by the local notifier): each unanswered
    complaint past its due date moves up one level with a new due date; returns how many moved."""
    moved = 0
    for key in K.by_waiting.query(WAITING, K.due_at < now, limit=SWEEP_BATCH):
        complaint = store().get(key.complaint_id)
        target = complaint and rules.escalation(complaint.state, complaint.level, complaint.due_at, now)
        if not target:
            continue
        day, due_at = rules.due(now, answer_days(config, complaint.commune_code))
        sets = {"level": target, "queue": rules.queue_key(complaint.commune_code, target),
                "due_date": day.isoformat(), "due_at": due_at}
        change = Change("feedback_escalated", actor={"role": "system"}, sets=sets,
                        removes=() if rules.next_level(target) else ("waiting",),  # the admin is the last level
                        data={"action": "escalate", "from_level": complaint.level, "level": target,
                              "new_due_date": day.isoformat()})
        try:
            store().apply(complaint, change, now)
        except Refused:
            continue  # answered, or escalated by another sweep, since it was read
        moved += 1
    if moved:
        log.info("escalated %d complaint(s)", moved)  # counts only: complaint texts are personal data
    return moved


def answer_days(config: Config, commune_code: str) -> int:
    """The commune's answer period in working days (MOTCUA_FEEDBACK_ANSWER_DAYS)."""
    return rules.answer_days(dict(config.feedback_answer_days), commune_code)


def _subject_of(complaint: models.Complaint) -> _ResultSubject:
    return _ResultSubject(complaint.complaint_id, complaint.procedure_id)


def _actions(complaint: models.Complaint, principal: Principal, owner: bool) -> list[str]:
    """What the caller may do now."""
    if owner:
        if complaint.state != "answered":
            return []
        return ["accept", "reopen"] if int(complaint.reopens) < rules.REOPENS_MAX else ["accept"]
    waiting = complaint.state in rules.AWAITING
    return ["answer"] if waiting and rules.may_answer(principal.role, complaint.level) else []
