"""Use cases of the submit function: the procedure catalog, uploads and submission."""

from __future__ import annotations

from typing import Any

from functions.core import models
from functions.core.config import Config
from functions.core.domain import complaints
from functions.core.domain.procedures import catalog
from functions.core.errors import NotFound

TABLES = (models.Application, models.Document, models.Event, models.IdempotencyRecord)


def health() -> dict[str, str]:
    """Readiness of the tables this function writes."""
    return models.check_tables(TABLES)


def list_procedures(config: Config) -> dict[str, Any]:
    """Every procedure a citizen can apply for, in catalog order, how the phone should shrink photos, and
    the upload gate's purpose and slot for a complaint's photos."""
    return {
        "procedures": [proc.summary() for proc in catalog().values()],
        "photo": {"max_edge": config.photo_max_edge, "target_bytes": config.photo_target_bytes},
        "complaint_photo": {"procedure_id": complaints.PHOTO_PURPOSE, "slot": complaints.PHOTO_SLOT},
    }


def get_procedure(procedure_id: str) -> dict[str, Any]:
    """One procedure, or NotFound."""
    proc = catalog().get(procedure_id)
    if proc is None:
        raise NotFound(details={"procedure_id": procedure_id})
    return proc.summary()
