"""Everything a submission must satisfy before anything is written, reported per field at once."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from functions.core.documents import find_documents, slot_codes
from functions.core.domain import divisions
from functions.core.domain import profile as profile_rules
from functions.core.domain.answers import validate as validate_answers
from functions.core.domain.procedures import Procedure, catalog
from functions.core.errors import ValidationFailed
from functions.core.sessions import Principal

FIELDS = ("procedure_id", "commune_code", "answers", "documents", "delivery")


@dataclass(frozen=True)
class Checked:
    """A submission that passed every check, in the shape that is stored."""

    procedure: Procedure
    commune_code: str
    answers: dict[str, Any]
    documents: dict[str, list[str]]
    delivery: dict[str, Any]

    @property
    def page_counts(self) -> dict[str, int]:
        """Pages per slot (some fees are per page)."""
        return {slot: len(ids) for slot, ids in self.documents.items()}

    @property
    def document_slots(self) -> list[tuple[str, str, int]]:
        """(slot, document id, position) of every page."""
        return [(slot, doc, i) for slot, ids in self.documents.items() for i, doc in enumerate(ids)]

    @property
    def document_ids(self) -> list[str]:
        """Every page's document id."""
        return [doc for _, doc, _ in self.document_slots]


def check_submission(principal: Principal, body: dict[str, Any], today: date) -> Checked:
    """The checked submission, or ValidationFailed naming every bad field."""
    fields: dict[str, str] = {k: "unknown_field" for k in body if k not in FIELDS}
    raw_id = body.get("procedure_id")
    procedure = catalog().get(raw_id) if isinstance(raw_id, str) else None
    if procedure is None:
        fields["procedure_id"] = "required" if raw_id is None else "unknown"
        raise ValidationFailed(details={"fields": fields})
    answers = body.get("answers")
    fields.update(validate_answers(procedure.form_schema, answers))
    answers = answers if isinstance(answers, dict) else {}
    fields.update(_commune_codes(procedure, body.get("commune_code")))
    documents, doc_codes = _documents(principal, procedure, answers, body.get("documents"))
    fields.update(doc_codes)
    delivery, delivery_codes = _delivery(procedure, body.get("delivery"), today)
    fields.update(delivery_codes)
    if fields:
        raise ValidationFailed(details={"fields": dict(sorted(fields.items()))})
    return Checked(procedure, body["commune_code"], answers, documents, delivery)


def _commune_codes(procedure: Procedure, code: Any) -> dict[str, str]:
    if code is None:
        return {"commune_code": "required"}
    if not isinstance(code, str):
        return {"commune_code": "invalid_type"}
    # A province-level procedure names the province in the same field.
    known = divisions.province(code) if procedure.raw["authority"] == "province" else divisions.commune(code)
    return {} if known is not None else {"commune_code": "commune_unknown"}


def _documents(principal: Principal, procedure: Procedure, answers: dict[str, Any], raw: Any
               ) -> tuple[dict[str, list[str]], dict[str, str]]:
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        return {}, {"documents": "invalid_type"}
    codes = {f"documents.{k}": "unknown_slot" for k in raw if k not in procedure.slots}
    chosen: dict[str, list[str]] = {}
    seen: set[str] = set()
    found = find_documents([i for ids in raw.values() if isinstance(ids, list) for i in ids])
    for slot_id, slot in procedure.slots.items():
        ids = raw.get(slot_id, [])
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            codes[f"documents.{slot_id}"] = "invalid_type"
            continue
        codes.update(slot_codes(slot, ids, found, principal.user_id, procedure.id, seen,
                                required=slot.required_for(answers)))
        if ids:
            chosen[slot_id] = list(ids)
    return chosen, codes


def _delivery(procedure: Procedure, raw: Any, today: date) -> tuple[dict[str, Any], dict[str, str]]:
    if not isinstance(raw, dict):
        return {}, {"delivery": "required" if raw is None else "invalid_type"}
    method = raw.get("method")
    codes = {f"delivery.{k}": "unknown_field" for k in raw if k not in ("method", "address")}
    if method not in procedure.result_kinds:
        codes["delivery.method"] = "required" if method is None else "not_offered"
        return {}, codes
    if method != "post":
        if "address" in raw:
            codes["delivery.address"] = "unknown_field"
        return {"method": method}, codes
    address, address_codes = profile_rules.check_address(raw.get("address"), today)
    codes.update({f"delivery.address{path}": code for path, code in address_codes.items()})
    return {"method": "post", "address": address}, codes
