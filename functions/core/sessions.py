"""Server-side sessions: random 256-bit tokens, stored only as SHA-256, expiring and revocable."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from pynamodb.transactions import TransactWrite

from functions.core import keys, models
from functions.core.config import Config

LIFETIME = timedelta(days=30)
# Renew at most once a day: a write on every request would cost more than it protects.
RENEW_AFTER = timedelta(days=1)
SEPARATOR = "."


@dataclass(frozen=True)
class Principal:
    """Who is calling: the user behind a live session."""

    user_id: str
    phone: str
    role: str
    communes: frozenset[str]
    # The account as read with the session (one consistent read): its profile, without another request.
    user: models.User = field(compare=False, repr=False)

    @property
    def name(self) -> str | None:
        """The full name on the profile, if given (staff sign their steps with it)."""
        return (self.user.profile or {}).get("full_name")


@dataclass(frozen=True)
class Resolved:
    """A live session's principal, and the new expiry when this request renewed it."""

    principal: Principal
    renewed_until: datetime | None
    # The other items asked for with the session (`reads`), by (model, key); None where absent.
    read: dict[tuple[type, str], Any] = field(default_factory=dict)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def csrf_token(config: Config, token: str) -> str:
    """The CSRF token bound to one session token (signed double-submit)."""
    return hmac.new(keys.derive(config, "csrf"), token.encode(), hashlib.sha256).hexdigest()


def open_session(user: models.User, now: datetime, tx: TransactWrite | None = None) -> str:
    """Create a session for `user`; returns the token, which only the cookie ever holds.

    The token is `<user id>.<256 random bits>`: the user id lets `resolve` read the session and its user
    in one request. Only the SHA-256 of the whole token is stored, and the session must name that user.
    With `tx`, the session is written in that transaction (the sign-in's), else at once.
    """
    token = f"{user.user_id}{SEPARATOR}{secrets.token_urlsafe(32)}"
    session = models.Session(_hash(token), user_id=user.user_id, role=user.role, created_at=now,
                             expires_at=now + LIFETIME)
    if tx is None:
        session.save()
    else:
        tx.save(session)
    return token


def principal_of(user: models.User) -> Principal:
    """The principal for a stored user."""
    return Principal(user.user_id, user.phone, user.role, frozenset(user.communes or ()), user)


def user_id_named(token: str) -> str:
    """The user id a token names ('' for none): a hint for what to read with it, never proof."""
    user_id, separator, _ = (token or "").partition(SEPARATOR)
    return user_id if separator and len(token) <= 128 else ""


def resolve(token: str, now: datetime, also: Sequence[tuple[type, str]] = ()) -> Resolved | None:
    """The principal behind a live session token, renewing it when due; None when not live.

    `also` names other items to read in the same request (see `reads`); they come back in `read`.
    """
    if not token or len(token) > 128:
        return None
    user_id, separator, _ = token.partition(SEPARATOR)
    if separator and not user_id:
        return None
    if separator:
        session, user, *found = models.get_across((models.Session, _hash(token)), (models.User, user_id), *also)
    else:  # a token opened before tokens carried the user id: two reads
        session, *found = models.get_across((models.Session, _hash(token)), *also)
        user, = models.get_across((models.User, session.user_id)) if session else (None,)
    if session is None or user is None or session.user_id != user.user_id:
        return None
    # DynamoDB deletes expired items late (up to days), so the expiry is checked here too.
    if session.expires_at <= now or _revoked(user, session):
        return None
    renewed = None
    if session.expires_at - now < LIFETIME - RENEW_AFTER:
        renewed = now + LIFETIME
        session.update(actions=[models.Session.expires_at.set(renewed)])
    return Resolved(principal_of(user), renewed, dict(zip(also, found, strict=True)))


def _revoked(user: models.User, session: models.Session) -> bool:
    revoked_at = user.sessions_revoked_at
    return revoked_at is not None and session.created_at <= revoked_at


def revoke(token: str) -> None:
    """End one session (idempotent)."""
    if token and len(token) <= 128:
        models.Session(_hash(token)).delete()


def revoke_all(user_id: str, now: datetime) -> int:
    """End every session of a user; returns how many were deleted.

    The watermark on the user makes this complete even for a session the index has not seen yet.
    """
    models.User(user_id).update(actions=[models.User.sessions_revoked_at.set(now)])
    deleted = 0
    for item in models.Session.by_user.query(user_id):
        models.Session(item.session_hash).delete()
        deleted += 1
    return deleted
