"""Everything a submission must satisfy before anything is written, reported per field at once.

The request's shape (types, required fields, known keys) was checked against the API document; what is
checked here needs the catalog, the administrative divisions or the stored pages."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from functions.core import models
from functions.core.documents import find_documents, page_facts, slot_codes
from functions.core.domain import divisions
from functions.core.domain import profile as profile_rules
from functions.core.domain.answers import validate as validate_answers
from functions.core.domain.procedures import Procedure, catalog
from functions.core.errors import ValidationFailed
from functions.core.sessions import Principal


@dataclass(frozen=True)
class Checked:
    """A submission that passed every check, in the shape that is stored."""

    procedure: Procedure
    commune_code: str
    answers: dict[str, Any]
    documents: dict[str, list[str]]
    delivery: dict[str, Any]
    # What screens show of each page (documents.page_facts), kept on the application.
    pages: dict[str, dict[str, Any]] = field(default_factory=dict)

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
    procedure = catalog().get(body["procedure_id"])
    if procedure is None:
        raise ValidationFailed(details={"fields": {"procedure_id": "unknown"}})
    answers = body["answers"]
    fields = validate_answers(procedure.form_schema, answers)
    fields.update(_commune_codes(procedure, body["commune_code"]))
    documents, doc_codes, found = _documents(principal, procedure, answers, body["documents"])
    fields.update(doc_codes)
    delivery, delivery_codes = _delivery(procedure, body["delivery"], today)
    fields.update(delivery_codes)
    if fields:
        raise ValidationFailed(details={"fields": dict(sorted(fields.items()))})
    pages = {i: page_facts(found[i]) for ids in documents.values() for i in ids}
    return Checked(procedure, body["commune_code"], answers, documents, delivery, pages)


def _commune_codes(procedure: Procedure, code: str) -> dict[str, str]:
    # A province-level procedure names the province in the same field.
    known = divisions.province(code) if procedure.raw["authority"] == "province" else divisions.commune(code)
    return {} if known is not None else {"commune_code": "commune_unknown"}


def _documents(principal: Principal, procedure: Procedure, answers: dict[str, Any], raw: dict[str, list[str]]
               ) -> tuple[dict[str, list[str]], dict[str, str], dict[str, models.Document]]:
    codes = {f"documents.{k}": "unknown_slot" for k in raw if k not in procedure.slots}
    chosen: dict[str, list[str]] = {}
    seen: set[str] = set()
    found = find_documents([i for ids in raw.values() for i in ids])
    for slot_id, slot in procedure.slots.items():
        ids = raw.get(slot_id, [])
        codes.update(slot_codes(slot, ids, found, principal.user_id, procedure.id, seen,
                                required=slot.required_for(answers)))
        if ids:
            chosen[slot_id] = list(ids)
    return chosen, codes, found


def _delivery(procedure: Procedure, raw: dict[str, Any], today: date) -> tuple[dict[str, Any], dict[str, str]]:
    """A method the procedure offers; by post, an address that exists (an address only comes by post)."""
    method = raw["method"]
    if method not in procedure.result_kinds:
        return {}, {"delivery.method": "not_offered"}
    if method != "post":
        return {"method": method}, {}
    address, address_codes = profile_rules.check_address(raw["address"], today)
    return {"method": "post", "address": address}, {f"delivery.address{path}": code
                                                     for path, code in address_codes.items()}
