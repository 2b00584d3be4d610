"""Use cases of the status function: status and timeline, officer actions, push subscriptions and notifications."""

from __future__ import annotations

from functions.core import models


def health() -> dict[str, str]:
    """Readiness of the tables this function writes."""
    return models.check_tables((models.Application, models.Event, models.PushSubscription, models.Complaint))
