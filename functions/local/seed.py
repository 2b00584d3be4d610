"""Seed data and generated secrets for the local stack."""

from __future__ import annotations

import base64
import json
import secrets
from datetime import UTC, datetime
from pathlib import Path

from functions.account import users

# Two real communes after the 2025 reform: a northern home commune and one in Nghệ An.
DEMO_OFFICERS = (
    {"user_id": "officer-kien-xuong", "phone": "+84912000001", "commune": "13075",
     "commune_name": "Xã Kiến Xương (Hưng Yên)"},
    {"user_id": "officer-hung-nguyen", "phone": "+84912000002", "commune": "18001",
     "commune_name": "Xã Hưng Nguyên (Nghệ An)"},
)


def seed_officers() -> list[dict[str, str]]:
    """Create (or refresh) one demo officer per demo commune."""
    now = datetime.now(UTC)
    for officer in DEMO_OFFICERS:
        users.upsert_staff(officer["phone"], "officer", [officer["commune"]], now, user_id=officer["user_id"])
    return list(DEMO_OFFICERS)


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _new_vapid_pair() -> tuple[str, str]:
    """A P-256 VAPID key pair: (private key as raw base64url, public key as X9.62 base64url)."""
    from cryptography.hazmat.primitives import serialization
    from py_vapid import Vapid

    vapid = Vapid()
    vapid.generate_keys()
    private = vapid.private_key.private_numbers().private_value.to_bytes(32, "big")
    public = vapid.public_key.public_bytes(serialization.Encoding.X962,
                                           serialization.PublicFormat.UncompressedPoint)
    return _b64url(private), _b64url(public)


def local_secrets(directory: str) -> dict[str, str]:
    """Secrets made on the first run and kept in `directory`, as environment variables; a secret added to
    the project later is made and saved the first time a run needs it."""
    path = Path(directory) / "secrets.json"
    values = json.loads(path.read_text()) if path.exists() else {}
    missing = {name: make() for name, make in _SECRETS.items() if name not in values}
    if "MOTCUA_VAPID_PRIVATE_KEY" not in values:
        private, public = _new_vapid_pair()
        missing.update(MOTCUA_VAPID_PRIVATE_KEY=private, MOTCUA_VAPID_PUBLIC_KEY=public)
    if missing:
        values.update(missing)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(values, indent=2))
        path.chmod(0o600)
    return values


_SECRETS = {
    "MOTCUA_SESSION_SECRET": lambda: secrets.token_urlsafe(32),
    # The local sandbox gateway and the pay function share it, as VNPay and a merchant do.
    "VNPAY_HASH_SECRET": lambda: secrets.token_hex(16).upper(),
}
