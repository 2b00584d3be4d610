"""Account use cases: send a code, sign in with it, sign out, read and change the profile."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pynamodb.exceptions import TransactWriteError

from functions.account import devices, users
from functions.account.otp import PhoneOtp
from functions.core import models, sessions
from functions.core.errors import OtpExpired

TABLES = (models.User, models.OtpChallenge, models.Session)


def health() -> dict[str, str]:
    """Readiness: the account tables answer."""
    return models.check_tables(TABLES)


@dataclass(frozen=True)
class SignedIn:
    """A new session: the account as its owner sees it, the cookie's token and expiry, and the device cookie."""

    me: dict[str, Any]
    token: str
    expires: datetime
    device: str


class AccountService:
    """The account function's use cases over one identity source."""

    def __init__(self, identity: PhoneOtp) -> None:
        self.identity = identity

    def request_otp(self, body: dict[str, Any], client_ip: str, now: datetime, device: str = "") -> dict[str, Any]:
        """Send a sign-in code by SMS, within the limits (a device that signed in before has its own)."""
        return self.identity.start(body, client_ip, now, device)

    def verify_otp(self, body: dict[str, Any], now: datetime) -> SignedIn:
        """Check the code; on success find or create the account and open a session.

        Using up the code, the account's sign-in and the new session are one transaction: all or nothing.
        """
        identity = self.identity.complete(body, now)
        try:
            with models.transaction() as tx:
                if identity.spend is not None:
                    identity.spend(tx)
                user = users.sign_in(identity, now, tx)
                token = sessions.open_session(user, now, tx)
        except TransactWriteError as exc:
            if not models.conditions_failed(exc):
                raise  # the service failed: 503 through the one error mapping
            raise OtpExpired() from exc  # a concurrent sign-in used the code first
        device = devices.issue(self.identity.config, identity.phone, now)
        return SignedIn(users.me(user), token, now + sessions.LIFETIME, device)

    def logout(self, token: str, principal: sessions.Principal | None, body: dict[str, Any],
               now: datetime) -> None:
        """End this session, or every session of the user with `all_devices`."""
        if body.get("all_devices", False) and principal is not None:
            sessions.revoke_all(principal.user_id, now)
        sessions.revoke(token)

    def profile(self, principal: sessions.Principal) -> dict[str, Any]:
        """The caller's own account and profile."""
        return users.me(principal.user)  # read consistently with the session

    def update_profile(self, principal: sessions.Principal, body: dict[str, Any], now: datetime
                       ) -> dict[str, Any]:
        """Replace the caller's profile after validating every field."""
        return users.me(users.update_profile(principal.user_id, body, now))
