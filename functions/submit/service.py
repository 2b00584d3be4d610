"""Use cases of the submit function: the procedure catalog (uploads and submission come later)."""

from __future__ import annotations

from typing import Any

from functions.core import models
from functions.core.domain.procedures import catalog
from functions.core.errors import NotFound


def health() -> dict[str, str]:
    """Readiness of the tables this function writes."""
    return models.check_tables((models.Application, models.Document))


def list_procedures() -> list[dict[str, Any]]:
    """Every procedure a citizen can apply for, in catalog order."""
    return [proc.summary() for proc in catalog().values()]


def get_procedure(procedure_id: str) -> dict[str, Any]:
    """One procedure, or NotFound."""
    proc = catalog().get(procedure_id)
    if proc is None:
        raise NotFound(details={"procedure_id": procedure_id})
    return proc.summary()
