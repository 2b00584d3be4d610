"""Use cases of the account function: phone sign-up/sign-in by SMS code, sessions and profile."""

from __future__ import annotations

from functions.core import models


def health() -> dict[str, str]:
    """Readiness of the tables this function writes."""
    return models.check_tables((models.User, models.OtpChallenge, models.Session))
