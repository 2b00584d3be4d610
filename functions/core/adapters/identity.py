"""Where identities come from. Today: a phone number proven by an SMS code. Later: a national e-ID.

A phone number proves control of a SIM, not who someone is: many SIMs in Vietnam are registered to
someone else. `assurance` records what was proven, so a later e-ID login (VNeID) can add a stronger
source without changing accounts or sessions.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class VerifiedIdentity:
    """The outcome of a successful login with one identity source."""

    provider: str  # "phone_otp"; a national e-ID source would say e.g. "vneid"
    phone: str  # E.164; the key accounts are found by
    assurance: str  # "phone_verified" is not proof of identity
    citizen_id: str | None = None  # only a source that proves identity may fill this
    # The write that uses up a one-time proof (an SMS code), for the sign-in's transaction; None: nothing to
    # use up. Its condition failing means another sign-in used the proof first.
    spend: Callable[[Any], None] | None = field(default=None, compare=False, repr=False)


class IdentitySource(Protocol):
    """A two-step login: `start` sends a challenge, `complete` checks the answer."""

    provider: str

    def start(self, claim: dict[str, Any], client_ip: str, now: datetime) -> dict[str, Any]:
        """Begin a login for the claimed identity; returns what the client needs next."""
        ...

    def complete(self, claim: dict[str, Any], now: datetime) -> VerifiedIdentity:
        """Finish it; raises a typed error when the answer is wrong."""
        ...
