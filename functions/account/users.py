"""Accounts: found by verified phone number; citizens by default, officers and admins by command."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.transactions import TransactWrite

from functions.core import models
from functions.core.adapters.identity import VerifiedIdentity
from functions.core.domain import divisions
from functions.core.domain import profile as profile_rules
from functions.core.domain.vntime import local_date
from functions.core.errors import ValidationFailed

ROLES = ("citizen", "officer", "supervisor", "admin")


def find_by_phone(phone: str) -> models.User | None:
    """The account for an E.164 number, if any."""
    for key in models.User.by_phone.query(phone, limit=1):
        try:
            return models.User.get(key.user_id, consistent_read=True)
        except DoesNotExist:
            return None  # the index ran ahead of a deletion
    return None


def sign_in(identity: VerifiedIdentity, now: datetime, tx: TransactWrite | None = None) -> models.User:
    """The account for a verified identity, created on first sign-in, with the sign-in recorded in `tx`
    (the sign-in's transaction; without one, written at once)."""
    if tx is None:
        with models.transaction() as own:
            return sign_in(identity, now, own)
    user = find_by_phone(identity.phone)
    record = {"provider": identity.provider, "assurance": identity.assurance}
    if user is None:
        user = models.User(f"u_{uuid.uuid4().hex}", phone=identity.phone, role="citizen", created_at=now,
                           identity=record, last_sign_in_at=now)
        tx.save(user, condition=models.User.user_id.does_not_exist())
        return user
    tx.update(user, actions=[models.User.last_sign_in_at.set(now), models.User.identity.set(record)])
    user.last_sign_in_at, user.identity = now, record
    return user


def upsert_staff(phone: str, role: str, communes: list[str], now: datetime, user_id: str | None = None
                 ) -> models.User:
    """Make the account for `phone` an officer or supervisor (of `communes`) or an admin, creating it if needed."""
    if role not in ("officer", "supervisor", "admin"):
        raise ValidationFailed(details={"fields": {"role": "invalid"}})
    unknown = [code for code in communes if divisions.commune(code) is None]
    if unknown or (role in ("officer", "supervisor") and not communes):
        raise ValidationFailed(details={"fields": {"communes": "commune_unknown" if unknown else "required"}})
    user = find_by_phone(phone)
    if user is None:
        user = models.User(user_id or f"u_{uuid.uuid4().hex}", phone=phone, created_at=now)
    user.role = role
    user.communes = set(communes) or None
    user.save()
    return user


def update_profile(user_id: str, raw: dict[str, Any], now: datetime) -> models.User:
    """Validate the whole profile and store it; returns the updated account."""
    clean = profile_rules.validate(raw, local_date(now))
    user = models.User(user_id)
    # One write; PynamoDB refreshes the instance from the item DynamoDB returns.
    user.update(actions=[models.User.profile.set(clean)], condition=models.User.user_id.exists())
    return user


def me(user: models.User) -> dict[str, Any]:
    """What the owner sees about their own account."""
    return {
        "user_id": user.user_id,
        "phone": user.phone,
        "role": user.role,
        "communes": [_commune(code) for code in sorted(user.communes or ())],
        "profile": user.profile,
        "profile_complete": profile_rules.is_complete(user.profile),
    }


def _commune(code: str) -> dict[str, str]:
    commune = divisions.commune(code)
    province = divisions.province(commune.province_code) if commune else None
    return {"code": code, "name": commune.name if commune else code,
            "province_code": province.code if province else "", "province_name": province.name if province else ""}
