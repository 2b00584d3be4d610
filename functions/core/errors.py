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


class PaymentNotRequired(AppError):
    """Nothing to pay: the fee is 0, or the application is already paid."""

    status, code, default_message = 409, "payment_not_required", "There is nothing to pay for this application."


class Forbidden(AppError):
    """Signed in, but this role may not do this."""

    status, code, default_message = 403, "forbidden", "You are not allowed to do this."


class CsrfFailed(AppError):
    """A state-changing request without the session's CSRF token, or from another site."""

    status, code, default_message = 403, "csrf_failed", "The request did not come from the app. Reload the page."


class PhoneInvalid(AppError):
    """Not a valid mobile number (landlines and service numbers included)."""

    status, code, default_message = 400, "phone_invalid", "This is not a valid mobile phone number."


class PhoneCountryNotSupported(AppError):
    """A valid number from a country outside the allow-list."""

    status, code, default_message = 400, "phone_country_not_supported", "Numbers from this country are not accepted."


class OtpRateLimited(RateLimited):
    """Too many codes sent; `details.retry_after` (seconds) and `details.limit` say which and how long."""

    code, default_message = "otp_rate_limited", "Too many codes were sent. Please wait before asking again."


class OtpInvalid(AppError):
    """Wrong code; `details.attempts_left` says how many tries this code has left."""

    status, code, default_message = 400, "otp_invalid", "The code is not correct."


class OtpExpired(AppError):
    """No live code for this number: it expired, was used, or was never sent."""

    status, code, default_message = 400, "otp_expired", "This code has expired. Ask for a new one."


class OtpLocked(AppError):
    """Too many wrong tries: the code is dead and a new one must be requested."""

    status, code, default_message = 400, "otp_locked", "Too many wrong tries. Ask for a new code."


class SmsUnavailable(DependencyUnavailable):
    """The SMS provider did not accept the message."""

    code, default_message = "sms_unavailable", "The text message could not be sent. Please try again."


class UploadTooLarge(AppError):
    """The file (or its decoded picture) is over the slot's limit; `details.limit` says which."""

    status, code, default_message = 413, "upload_too_large", "The file is too large."


class UploadTypeNotAllowed(AppError):
    """The bytes are not a kind this slot accepts (the declared type is never trusted)."""

    status, code, default_message = 415, "upload_type_not_allowed", "This kind of file is not accepted here."


class UploadCorrupt(AppError):
    """The bytes claim a known kind but do not decode."""

    status, code, default_message = 422, "upload_corrupt", "The file is damaged and cannot be read."


class UploadIncomplete(AppError):
    """completeUpload before the file reached storage: upload it, then call again."""

    status, code, default_message = 409, "upload_incomplete", "The file has not arrived yet. Upload it again."


class IdempotencyKeyRequired(AppError):
    """A retryable write without its `Idempotency-Key` header (a UUID)."""

    status, code, default_message = 400, "idempotency_key_required", "The Idempotency-Key header (a UUID) is required."


class IdempotencyKeyReused(AppError):
    """The same `Idempotency-Key` came with a different body."""

    status, code, default_message = 409, "idempotency_key_reused", "This key was already used for another request."


class ProfileRequired(AppError):
    """Applying needs the applicant's profile (name, ID number, addresses) first."""

    status, code, default_message = 409, "profile_required", "Please fill in your profile before applying."


class InvalidCursor(AppError):
    """A page cursor that this server did not give to this user."""

    status, code, default_message = 400, "invalid_cursor", "This page link is not valid. Start from the first page."


class ApologyRequired(AppError):
    """The application is past its due date undecided: the officer must apologise with a new date first."""

    status, code = 409, "apology_required"
    default_message = "This application is late. Send the citizen an apology with a new date first."


class PaymentRequired(AppError):
    """A fee-bearing application cannot be released before its fee is paid."""

    status, code = 409, "payment_required"
    default_message = "The fee is not paid yet, so the result cannot be released."


class RatingClosed(AppError):
    """A rating may be changed for 7 days only."""

    status, code = 409, "rating_closed"
    default_message = "This rating can no longer be changed."


class InvalidTransition(AppError):
    """The application's status does not allow this action (e.g. approving before review)."""

    status, code = 409, "invalid_transition"
    default_message = "This step is not possible in the application's current state."


class PushEndpointNotAllowed(AppError):
    """A push subscription whose endpoint is not a known push service; `details.reason` says which rule."""

    status, code = 400, "push_endpoint_not_allowed"
    default_message = "This browser's push service is not supported."


class ReopenUsed(AppError):
    """A complaint may be reopened once; the second reopen is refused."""

    status, code = 409, "reopen_used"
    default_message = "This complaint was already reopened once."
