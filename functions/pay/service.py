"""Use cases of the pay function: payment orders, gateway return, IPN callback and reconciliation."""

from __future__ import annotations

from functions.core import models


def health() -> dict[str, str]:
    """Readiness of the tables this function writes."""
    return models.check_tables((models.Payment, models.Application))
