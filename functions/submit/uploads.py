"""Uploads of document pages: a presigned POST to the private bucket, then the server's own check.

The browser uploads to `incoming/<user>/<document>` (a lifecycle rule deletes what is abandoned there).
completeUpload reads the object back, cleans it (cleaning.py) and stores the clean copy under
`documents/<user>/<document>.<ext>`; only then is the document `verified` and usable in an application.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from pynamodb.exceptions import UpdateError

from functions.core import models
from functions.core.adapters.storage import Storage
from functions.core.config import Config
from functions.core.documents import find_documents, plausible_id, upload_slot
from functions.core.domain import complaints
from functions.core.domain.procedures import Slot, catalog
from functions.core.errors import (
    AppError,
    NotFound,
    UploadCorrupt,
    UploadIncomplete,
    UploadTooLarge,
    UploadTypeNotAllowed,
    ValidationFailed,
)
from functions.core.sessions import Principal
from functions.submit.cleaning import CleanFile, clean

CONDITION_FAILED = "ConditionalCheckFailedException"

_REJECTIONS: dict[str, type[AppError]] = {
    cls.code: cls for cls in (UploadTooLarge, UploadTypeNotAllowed, UploadCorrupt)
}


def document_view(doc: models.Document) -> dict[str, Any]:
    """What the owner sees of one uploaded page."""
    return {
        "document_id": doc.document_id,
        "procedure_id": doc.procedure_id,
        "slot_id": doc.slot,
        "state": doc.state,
        "content_type": doc.content_type,
        "size": int(doc.size),
        "width": int(doc.width) if doc.width is not None else None,
        "height": int(doc.height) if doc.height is not None else None,
    }


def owned_document(document_id: Any, principal: Principal) -> models.Document:
    """The caller's own document, or NotFound (someone else's looks exactly like a missing one)."""
    doc = find_documents([document_id]).get(document_id) if plausible_id(document_id) else None
    if doc is None or doc.owner_id != principal.user_id:
        raise NotFound()
    return doc


class Uploads:
    """createUpload and completeUpload over one storage."""

    def __init__(self, config: Config, storage: Storage) -> None:
        self.config = config
        self.storage = storage

    def create(self, principal: Principal, body: dict[str, Any], now: datetime) -> dict[str, Any]:
        """Register a pending page and return the presigned POST that may upload it."""
        procedure_id, slot, content_type = self._checked_request(body)
        document_id = secrets.token_hex(16)
        key = f"incoming/{principal.user_id}/{document_id}"
        expires = self.config.upload_expires_seconds
        # Sign first: it checks the bucket, so a missing bucket leaves no pending document behind.
        upload = self.storage.presigned_post(key, content_type, slot.max_bytes, expires)
        models.Document(document_id, owner_id=principal.user_id, procedure_id=procedure_id, slot=slot.id,
                        object_key=key, content_type=content_type, max_bytes=slot.max_bytes, state="pending",
                        created_at=now).save(condition=models.Document.document_id.does_not_exist())
        return {
            "document_id": document_id,
            "upload": upload,
            "expires_at": (now + timedelta(seconds=expires)).isoformat(),
            "max_bytes": slot.max_bytes,
        }

    def complete(self, principal: Principal, document_id: str, now: datetime) -> dict[str, Any]:
        """Check the uploaded object for real; keep a clean copy or delete it with a clear code."""
        doc = owned_document(document_id, principal)
        if doc.state == "verified":
            return document_view(doc)
        if doc.state == "rejected":
            rejection = doc.rejection or {}
            raise _REJECTIONS.get(rejection.get("code"), UploadCorrupt)(details=rejection.get("details"))
        incoming = doc.object_key
        size = self.storage.size(incoming)
        if size is None:
            raise UploadIncomplete()
        try:
            if size > doc.max_bytes:
                raise UploadTooLarge(details={"limit": "bytes", "max_bytes": int(doc.max_bytes)})
            data = self.storage.read(incoming)
            if len(data) > doc.max_bytes:  # replaced between HEAD and GET
                raise UploadTooLarge(details={"limit": "bytes", "max_bytes": int(doc.max_bytes)})
            cleaned = clean(data, self._slot(doc).accept, max_pixels=self.config.image_max_pixels,
                            max_edge=self.config.photo_max_edge)
        except (UploadTooLarge, UploadTypeNotAllowed, UploadCorrupt) as err:
            self._reject(doc, err)
            raise
        stored = f"documents/{principal.user_id}/{doc.document_id}.{cleaned.extension}"
        self.storage.put(stored, cleaned.data, cleaned.content_type)
        try:
            self._mark_verified(doc, stored, cleaned, now)
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise
            # A concurrent call finished first: answer exactly as it did.
            return self.complete(principal, document_id, now)
        self.storage.delete(incoming)
        return document_view(doc)

    @staticmethod
    def _mark_verified(doc: models.Document, stored: str, cleaned: CleanFile, now: datetime) -> None:
        doc.update(actions=[
            models.Document.state.set("verified"),
            models.Document.object_key.set(stored),
            models.Document.content_type.set(cleaned.content_type),
            models.Document.size.set(len(cleaned.data)),
            models.Document.width.set(cleaned.width),
            models.Document.height.set(cleaned.height),
            models.Document.verified_at.set(now),
        ], condition=models.Document.state == "pending")

    def _reject(self, doc: models.Document, err: AppError) -> None:
        """Delete the bad object and remember why, so a repeated call gives the same answer."""
        self.storage.delete(doc.object_key)
        try:
            doc.update(actions=[models.Document.state.set("rejected"),
                                models.Document.rejection.set({"code": err.code, "details": err.details})],
                       condition=models.Document.state == "pending")
        except UpdateError as exc:
            if exc.cause_response_code != CONDITION_FAILED:
                raise

    @staticmethod
    def _slot(doc: models.Document) -> Slot:
        slot = upload_slot(doc.procedure_id, doc.slot)
        assert slot is not None, "a pending document names a slot that was known when it was created"
        return slot

    @staticmethod
    def _checked_request(body: dict[str, Any]) -> tuple[str, Slot, str]:
        """The slot (a catalog procedure's, or a complaint's photo), and a type and size that slot takes (the
        shape is the document's)."""
        purpose = body["procedure_id"]
        if purpose != complaints.PHOTO_PURPOSE and purpose not in catalog():
            raise ValidationFailed(details={"fields": {"procedure_id": "unknown"}})
        slot = upload_slot(purpose, body["slot_id"])
        if slot is None:
            raise ValidationFailed(details={"fields": {"slot_id": "unknown"}})
        if body["content_type"] not in slot.accept:
            raise ValidationFailed(details={"fields": {"content_type": "not_allowed"}})
        if body["size"] > slot.max_bytes:
            raise UploadTooLarge(details={"limit": "bytes", "max_bytes": slot.max_bytes})
        return purpose, slot, str(body["content_type"])
