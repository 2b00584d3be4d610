"""Typed errors. Each has a stable machine-readable `code`; `http.py` maps them to JSON once."""

from __future__ import annotations

from typing import Any


class AppError(Exception):
    """Base of every error a caller may see; never raised directly."""

    status: int = 400
    code: str = "bad_request"
    default_message: str = "The request is not valid."

    def __init__(self, message: str | None = None, details: dict[str, Any] | None = None) -> None:
        super().__init__(message or self.default_message)
        self.message = message or self.default_message
        self.details: dict[str, Any] = details or {}


class InvalidJson(AppError):
    """The body is not well-formed JSON (or not a JSON object)."""

    status, code, default_message = 400, "invalid_json", "The request body is not valid JSON."


class ValidationFailed(AppError):
    """One or more fields are wrong; `details.fields` maps field -> code."""

    status, code, default_message = 400, "validation_failed", "Some fields are not valid."


class Unauthorized(AppError):
    """No valid session."""

    status, code, default_message = 401, "unauthorized", "Please sign in."


class NotFound(AppError):
    """Missing, or not visible to this caller (we never reveal which)."""

    status, code, default_message = 404, "not_found", "Nothing was found at this address."


class MethodNotAllowed(AppError):
    """The path exists but not with this HTTP method."""

    status, code, default_message = 405, "method_not_allowed", "This method is not allowed here."


class Conflict(AppError):
    """A concurrent change won the race; reload and try again."""

    status, code, default_message = 409, "conflict", "Someone else changed this first. Reload and retry."


class PayloadTooLarge(AppError):
    """The body is over the configured limit."""

    status, code, default_message = 413, "payload_too_large", "The request body is too large."


class RateLimited(AppError):
    """Too many attempts; `details.retry_after` says how many seconds to wait."""

    status, code, default_message = 429, "rate_limited", "Too many attempts. Please wait."


class DependencyUnavailable(AppError):
    """A backing service (database, storage) did not answer."""

    status, code, default_message = 503, "dependency_unavailable", "A backing service is unavailable."
