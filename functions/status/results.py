"""The electronic result ("bản điện tử"): an officer uploads the signed PDF, the server checks it, and the
citizen downloads it through a five-minute link.

The PDF goes straight to the private bucket by presigned POST under `results/<code>/`; marking the
result ready checks the stored bytes (a whole, passive PDF) before the application points at it.
"""

from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from typing import Any

from functions.core import models
from functions.core.adapters.storage import Storage
from functions.core.documents import plausible_id
from functions.core.domain.pdf import check_pdf
from functions.core.errors import InvalidTransition, UploadIncomplete, UploadTooLarge, ValidationFailed
from functions.core.sessions import Principal

SLOT = "result"
PDF = "application/pdf"
MAX_BYTES = 10 * 1024 * 1024
# Results are uploaded while the application is approved, just before it is marked ready.
UPLOAD_STATES = frozenset({"approved"})


def object_prefix(app: models.Application) -> str:
    """Where one application's result files live in the bucket."""
    return f"results/{app.application_id}/"


def object_key(app: models.Application, document_id: str) -> str:
    """The bucket key of one result PDF of this application."""
    return f"{object_prefix(app)}{document_id}.pdf"


class Results:
    """createResultUpload, the check before mark_result_ready, and the citizen's download link."""

    def __init__(self, storage: Storage, expires_seconds: int) -> None:
        self.storage = storage
        self.expires_seconds = expires_seconds

    def create_upload(self, app: models.Application, principal: Principal, body: dict[str, Any],
                      now: datetime) -> dict[str, Any]:
        """Register a pending result PDF and return the presigned POST that may upload it."""
        if app.status not in UPLOAD_STATES:
            raise InvalidTransition(details={"action": "mark_result_ready", "status": app.status})
        if body["size"] > MAX_BYTES:  # a positive integer: the request was checked against the API document
            raise UploadTooLarge(details={"limit": "bytes", "max_bytes": MAX_BYTES})
        document_id = secrets.token_hex(16)
        key = object_key(app, document_id)
        # Sign first: it checks the bucket, so a missing bucket leaves no pending document behind.
        upload = self.storage.presigned_post(key, PDF, MAX_BYTES, self.expires_seconds)
        models.Document(document_id, owner_id=principal.user_id, procedure_id=app.procedure_id, slot=SLOT,
                        object_key=key, content_type=PDF, max_bytes=MAX_BYTES, state="pending",
                        created_at=now).save(condition=models.Document.document_id.does_not_exist())
        return {"document_id": document_id, "max_bytes": MAX_BYTES, "upload": upload,
                "expires_at": (now + timedelta(seconds=self.expires_seconds)).isoformat()}

    def checked(self, app: models.Application, document_id: str) -> models.Document:
        """The uploaded result of this application, after its bytes passed the PDF gate."""
        doc = None
        if plausible_id(document_id):
            try:
                doc = models.Document.get(document_id, consistent_read=True)
            except models.Document.DoesNotExist:
                doc = None
        if (doc is None or doc.slot != SLOT or not doc.object_key.startswith(object_prefix(app))
                or doc.application_id is not None):
            raise ValidationFailed(details={"fields": {"document_id": "document_not_found"}})
        size = self.storage.size(doc.object_key)
        if size is None:
            raise UploadIncomplete()
        if size > MAX_BYTES:
            raise UploadTooLarge(details={"limit": "bytes", "max_bytes": MAX_BYTES})
        check_pdf(self.storage.read(doc.object_key))
        doc.size = size
        return doc

    def link(self, app: models.Application, link_seconds: int) -> dict[str, Any] | None:
        """What the result is, with a short-lived download link for an electronic copy."""
        if not app.result:
            return None
        result = dict(app.result)
        document_id = result.pop("document_id", None)
        if document_id:
            key = object_key(app, document_id)
            result.update(url=self.storage.presigned_get(key, link_seconds), expires_in=link_seconds)
        return result
