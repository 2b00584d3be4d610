"""Keys derived from the one server secret (MOTCUA_SESSION_SECRET), one per purpose."""

from __future__ import annotations

import hashlib
import hmac

from functions.core.config import Config


def derive(config: Config, purpose: str) -> bytes:
    """A 256-bit key for one purpose ("otp", "csrf", "lookup"); fails loudly when unconfigured."""
    if len(config.session_secret) < 32:
        raise RuntimeError("MOTCUA_SESSION_SECRET must be set to at least 32 characters")
    return hmac.new(config.session_secret.encode(), f"motcua:{purpose}".encode(), hashlib.sha256).digest()


def lookup_id(config: Config, value: str) -> str:
    """A keyed hash of a phone number or IP for use in table keys, so keys carry no personal data."""
    return hmac.new(derive(config, "lookup"), value.encode(), hashlib.sha256).hexdigest()[:40]
