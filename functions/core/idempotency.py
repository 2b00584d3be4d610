"""Idempotency records: a retried write gets the first answer back, as Powertools' idempotency handler does.

The caller names the operation and the caller's key (`Idempotency-Key`, a UUID). The first success stores
its answer, with a hash of the canonical request, in the same transaction as the write itself (`saved`
goes in the application store's `with_items`). A retry with the same key and body gets that answer back
(`replay`); the same key with another body is refused. Records expire after `TTL`.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from datetime import datetime, timedelta
from typing import Any

from functions.core import models, reads
from functions.core.errors import IdempotencyKeyRequired, IdempotencyKeyReused
from functions.core.store import SaveRecord

# A phone may stay offline for weeks with a queued submission; its key must still dedupe.
TTL = timedelta(days=30)


def key_from(raw: str | None) -> str:
    """The caller's key in canonical form; 400 `idempotency_key_required` unless it is a UUID."""
    try:
        return str(uuid.UUID(raw or ""))
    except ValueError:
        raise IdempotencyKeyRequired() from None


def record_key(operation: str, user_id: str, key: str) -> str:
    """Where one caller's key for one operation is recorded."""
    return f"{operation}:{user_id}:{key}"


def request_hash(body: dict[str, Any]) -> str:
    """SHA-256 of the request body in canonical JSON."""
    canonical = json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def replay(record_key: str, hashed: str) -> dict[str, Any] | None:
    """The stored answer for this key, None when there is none; 409 when the key came with another body."""
    record = reads.take(models.IdempotencyRecord, record_key)
    if record is None:
        return None
    if record.request_hash != hashed:
        raise IdempotencyKeyReused()
    return record.body


def saved(record_key: str, hashed: str, status: int, body: dict[str, Any], now: datetime) -> SaveRecord:
    """The record, for the application store to write with the change it answers (only the first wins)."""
    return SaveRecord(models.IdempotencyRecord(record_key, status=status, request_hash=hashed, body=body,
                                               expires_at=now + TTL))
