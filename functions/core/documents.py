"""Looking up uploaded pages by id: one guard for ids that cannot be ours, one batch read for many."""

from __future__ import annotations

from typing import Any

from functions.core import models, reads
from functions.core.domain import complaints
from functions.core.domain.procedures import Slot, catalog

# Ids are 32 hex characters (uploads.py); anything far off is refused before DynamoDB sees it.
ID_LENGTH = range(8, 65)


def plausible_id(value: Any) -> bool:
    """Whether `value` could be a document id at all (a bad key would be a 5xx from DynamoDB)."""
    return isinstance(value, str) and len(value) in ID_LENGTH


def upload_slot(purpose: str, slot_id: str) -> Slot | None:
    """The slot an upload is for: a procedure's from the catalog, or a complaint's photo (None: unknown)."""
    if purpose == complaints.PHOTO_PURPOSE:
        return Slot(slot_id, complaints.PHOTO_SLOT) if slot_id == complaints.PHOTO_SLOT["id"] else None
    procedure = catalog().get(purpose)
    return procedure.slots.get(slot_id) if procedure else None


def page_facts(doc: models.Document) -> dict[str, Any]:
    """What screens show of a claimed page, kept on its application so a read needs no documents lookup.
    A verified page never changes, and claimed pages are never deleted."""
    return {"content_type": doc.content_type, "width": doc.width, "height": doc.height,
            "object_key": doc.object_key}


def find_documents(ids: list[str]) -> dict[str, models.Document]:
    """The stored documents among `ids`, by id, in one consistent batch read; implausible ids are skipped."""
    held, wanted = reads.take_held(models.Document, sorted({i for i in ids if plausible_id(i)}))
    found = {i: doc for i, doc in held.items() if doc is not None}
    if wanted:  # those not read with the session (batch_get splits large batches)
        found.update((doc.document_id, doc) for doc in models.Document.batch_get(wanted, consistent_read=True))
    return found


def page_code(doc: models.Document | None, owner_id: str, procedure_id: str, slot_id: str) -> str | None:
    """Why this page cannot be put in this slot, or None. Another user's page looks like a missing one."""
    if doc is None or doc.owner_id != owner_id:
        return "document_not_found"
    if doc.state != "verified":
        return "document_not_verified"
    if doc.procedure_id != procedure_id or doc.slot != slot_id:
        return "wrong_slot"
    if doc.application_id is not None:
        return "document_in_use"
    return None


def slot_codes(slot: Slot, ids: list[str], found: dict[str, models.Document], owner_id: str, procedure_id: str,
               seen: set[str], *, required: bool) -> dict[str, str]:
    """Field codes for the pages given for one slot: their count, then each page (`seen` spots repeats)."""
    codes: dict[str, str] = {}
    key = f"documents.{slot.id}"
    if required and not ids:
        codes[key] = "required"
    elif required and len(ids) < slot.min_pages:
        codes[key] = "too_few_pages"
    elif len(ids) > slot.max_pages:
        codes[key] = "too_many_pages"
    for index, document_id in enumerate(ids):
        code = "duplicate" if document_id in seen else page_code(found.get(document_id), owner_id, procedure_id,
                                                                  slot.id)
        seen.add(document_id)
        if code:
            codes[f"{key}.{index}"] = code
    return codes


def size_code(size: Any) -> str | None:
    """The field code for an upload's declared size in bytes, or None when it is a positive integer."""
    if isinstance(size, bool) or not isinstance(size, int):
        return "required" if size is None else "invalid_type"
    return "too_small" if size < 1 else None
