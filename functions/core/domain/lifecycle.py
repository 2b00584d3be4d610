"""The application lifecycle: a table of transitions and one function that applies it. Pure.

    submitted --accept--> received --start_review--> in_review --approve--> approved
    in_review --request_supplement--> supplement_requested --resubmit--> resubmitted --start_review--> in_review
    in_review --reject--> rejected
    approved --mark_result_ready--> result_ready --complete--> completed
    submitted | received --withdraw--> withdrawn   (the citizen, before review starts)

Two facts beyond the status gate the officer's steps (`Facts`): an application past its due date and
still undecided owes the citizen an apology with a new date first (`apology_required`); and a fee-bearing
application is released (`mark_result_ready`, `complete`) only once paid, online or, with the
assisted-filing work, at the counter (`payment_required`).

Every transition records who did it (user and role), when, and why. Storage, optimistic locking and
notifications live elsewhere; this module only decides.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from functions.core.errors import ApologyRequired, Forbidden, InvalidTransition, PaymentRequired, ValidationFailed

STATES = ("submitted", "received", "in_review", "supplement_requested", "resubmitted", "approved", "rejected",
          "result_ready", "completed", "withdrawn")
FINAL = frozenset({"rejected", "completed", "withdrawn"})
OFFICER, CITIZEN = "officer", "citizen"
ROLES = ("citizen", "officer", "admin")
RESULT_KINDS = ("electronic", "post", "pickup")
REASON_MAX = 1000


@dataclass(frozen=True)
class Rule:
    """One action: the states it leaves, the state it reaches, and who may take it."""

    sources: frozenset[str]
    target: str
    role: str


TABLE: dict[str, Rule] = {
    "accept": Rule(frozenset({"submitted"}), "received", OFFICER),
    "start_review": Rule(frozenset({"received", "resubmitted"}), "in_review", OFFICER),
    "request_supplement": Rule(frozenset({"in_review"}), "supplement_requested", OFFICER),
    "resubmit": Rule(frozenset({"supplement_requested"}), "resubmitted", CITIZEN),
    "approve": Rule(frozenset({"in_review"}), "approved", OFFICER),
    "reject": Rule(frozenset({"in_review"}), "rejected", OFFICER),
    "mark_result_ready": Rule(frozenset({"approved"}), "result_ready", OFFICER),
    "complete": Rule(frozenset({"result_ready"}), "completed", OFFICER),
    "withdraw": Rule(frozenset({"submitted", "received"}), "withdrawn", CITIZEN),
}
ACTIONS = tuple(TABLE)
# Decided, or out of the commune's hands: no apology is owed once here.
SETTLED = frozenset({"approved", "rejected", "result_ready", "completed", "withdrawn"})
RELEASE = frozenset({"mark_result_ready", "complete"})
# Payment states that let a result go: paid (online, or at the counter), or nothing to pay.
PAID_STATES = frozenset({"paid", "not_required"})


@dataclass(frozen=True)
class Facts:
    """What an officer's step depends on besides the status."""

    paid: bool = True
    apology_owed: bool = False


def apology_owed(status: str, due_at: datetime, now: datetime) -> bool:
    """Past its due moment and still undecided: the citizen is owed an apology with a new date."""
    return status not in SETTLED and now > due_at


@dataclass(frozen=True)
class Actor:
    """Who acts: the user and the role they act in."""

    user_id: str
    role: str


@dataclass(frozen=True)
class Transition:
    """A decided change: the new state and the timeline record that explains it."""

    source: str
    target: str
    action: str
    actor: Actor
    at: datetime
    details: dict[str, Any] = field(default_factory=dict)

    def record(self) -> dict[str, Any]:
        """The timeline entry: what happened, who did it, when, and why."""
        return {"action": self.action, "from": self.source, "to": self.target, "at": self.at.isoformat(),
                "actor": {"user_id": self.actor.user_id, "role": self.actor.role}, **self.details}


def allowed_actions(state: str, role: str, facts: Facts | None = None) -> list[str]:
    """The actions `role` may take on an application in `state` (for buttons and menus)."""
    facts = facts or Facts()
    if role == OFFICER and facts.apology_owed:
        return []  # the apology first (its own operation)
    return [name for name, rule in TABLE.items() if state in rule.sources and rule.role == role
            and (facts.paid or name not in RELEASE)]


def transition(state: str, action: str, actor: Actor, at: datetime, details: dict[str, Any] | None = None,
               *, slots: tuple[str, ...] = (), facts: Facts | None = None) -> Transition:
    """Apply `action` to an application in `state`, or raise a typed error.

    The role is checked first (Forbidden: this role never takes this action), then the state
    (InvalidTransition), then the facts (ApologyRequired, PaymentRequired), then the action's details
    (ValidationFailed). `slots` are the slots the action
    may name: the procedure's for a supplement request, the requested ones for a resubmission (which
    must bring new pages for each of them and for nothing else).
    """
    rule = TABLE.get(action)
    if rule is None:
        raise InvalidTransition(details={"action": action, "status": state})
    if actor.role != rule.role:
        raise Forbidden(details={"action": action})
    if state not in rule.sources:
        raise InvalidTransition(details={"action": action, "status": state})
    facts = facts or Facts()
    if rule.role == OFFICER and facts.apology_owed:
        raise ApologyRequired(details={"action": action})
    if action in RELEASE and not facts.paid:
        raise PaymentRequired(details={"action": action})
    return Transition(state, rule.target, action, actor, at, _checked_details(action, details or {}, slots))


def _checked_details(action: str, raw: dict[str, Any], slots: tuple[str, ...]) -> dict[str, Any]:
    """What each action must say, as stored on the timeline; field codes like every other form."""
    fields: dict[str, str] = {}
    clean: dict[str, Any] = {}
    if action in ("request_supplement", "reject", "withdraw"):
        reason = raw.get("reason")
        required = action != "withdraw"
        if reason is None or (isinstance(reason, str) and not reason.strip()):  # blank: no reason given
            if required:
                fields["reason"] = "required"
        elif not isinstance(reason, str):
            fields["reason"] = "invalid_type"
        elif len(reason.strip()) < 3:
            fields["reason"] = "too_short"
        elif len(reason) > REASON_MAX:
            fields["reason"] = "too_long"
        else:
            clean["reason"] = reason.strip()
    if action == "request_supplement":
        chosen = raw.get("slots")
        if not isinstance(chosen, list) or not chosen:
            fields["slots"] = "required"
        elif any(s not in slots for s in chosen) or len(set(chosen)) != len(chosen):
            fields["slots"] = "unknown_slot"
        else:
            clean["slots"] = list(chosen)
    if action == "resubmit":
        clean.update(_new_pages(raw.get("documents"), slots, fields))
    if action == "mark_result_ready":
        clean.update(_result(raw, fields))
    if fields:
        raise ValidationFailed(details={"fields": fields})
    return clean


def _new_pages(documents: Any, requested: tuple[str, ...], fields: dict[str, str]) -> dict[str, Any]:
    """A resubmission's pages: a list of document ids for every requested slot, and no other slot."""
    if not isinstance(documents, dict) or not documents:
        fields["documents"] = "required" if not documents else "invalid_type"
        return {}
    before = len(fields)
    for slot in documents:
        if slot not in requested:
            fields[f"documents.{slot}"] = "not_requested"
    for slot in requested:
        ids = documents.get(slot)
        if not ids:
            fields[f"documents.{slot}"] = "required"
        elif not isinstance(ids, list) or not all(isinstance(i, str) and i for i in ids):
            fields[f"documents.{slot}"] = "invalid_type"
    if len(fields) > before:
        return {}
    return {"documents": {slot: list(documents[slot]) for slot in requested}}


def _result(raw: dict[str, Any], fields: dict[str, str]) -> dict[str, Any]:
    kind = raw.get("result")
    if kind not in RESULT_KINDS:
        fields["result"] = "required" if kind is None else "not_allowed"
        return {}
    if kind == "post":
        tracking = raw.get("tracking_number")
        if not isinstance(tracking, str) or not 6 <= len(tracking.strip()) <= 40:
            fields["tracking_number"] = "required" if not tracking else "bad_format"
            return {}
        return {"result": kind, "tracking_number": tracking.strip().upper()}
    if kind == "electronic":
        document_id = raw.get("document_id")
        if not isinstance(document_id, str) or not document_id:
            fields["document_id"] = "required"
            return {}
        return {"result": kind, "document_id": document_id}
    return {"result": kind}
