"""getVapidKey, subscribePush, unsubscribePush and listInbox: a browser's push subscription and the
in-app inbox of past notices."""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from datetime import datetime
from typing import Any

from functions.core import models
from functions.core.config import Config
from functions.core.domain import push_endpoint
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import DependencyUnavailable, ValidationFailed
from functions.core.paging import decode_cursor, encode_cursor
from functions.core.sessions import Principal
from functions.status import notices

INBOX_PAGE = 20
INBOX_KEY = {"application_id", "event_id", "user_id", "created_at"}
ENDPOINT_MAX = 2048
# A user keeps at most this many browsers; subscribing another drops the least recently renewed.
MAX_SUBSCRIPTIONS = 10
_B64URL = re.compile(r"[A-Za-z0-9_-]+={0,2}")
P = models.PushSubscription


def vapid_key(config: Config) -> dict[str, str]:
    """The VAPID public key the browser passes to pushManager.subscribe (applicationServerKey)."""
    if not config.vapid_public_key:
        raise DependencyUnavailable(details={"service": "push"})
    return {"public_key": config.vapid_public_key}


def endpoint_hash(endpoint: str) -> str:
    """The row key of a subscription: endpoints are long and are never logged or shown."""
    return hashlib.sha256(endpoint.encode()).hexdigest()


def subscribe(principal: Principal, body: dict[str, Any], now: datetime, config: Config) -> dict[str, bool]:
    """Store (or renew) the caller's subscription for this browser, in the language given."""
    subscription, lang = _checked(body, config)
    key = endpoint_hash(subscription["endpoint"])
    for holder in P.by_endpoint.query(key):
        if holder.user_id != principal.user_id:  # the browser changed hands: stop the old user's notices
            P(holder.user_id, key).delete()
    P(principal.user_id, key).update(actions=[
        P.subscription.set(subscription), P.lang.set(lang), P.updated_at.set(now),
        P.created_at.set(P.created_at | now),
    ])
    _trim(principal.user_id)
    return {"ok": True}


def unsubscribe(principal: Principal, body: dict[str, Any]) -> dict[str, bool]:
    """Forget the caller's subscription for this endpoint (nothing happens to anyone else's)."""
    endpoint = body["endpoint"]  # a non-empty string: the request was checked against the API document
    if len(endpoint) <= ENDPOINT_MAX:
        P(principal.user_id, endpoint_hash(endpoint)).delete()
    return {"ok": True}


def inbox(principal: Principal, args: dict[str, str]) -> dict[str, Any]:
    """The caller's notices, newest first, a page at a time."""
    start = None
    if args.get("cursor"):
        start = decode_cursor(args["cursor"], INBOX_KEY, {"user_id": principal.user_id})
    page = models.Event.by_user.query(principal.user_id, scan_index_forward=False, limit=INBOX_PAGE,
                                      last_evaluated_key=start)
    events = list(page)
    apps = _applications({e.application_id for e in events})
    entries = [_entry(e, apps.get(e.application_id)) for e in events]
    last = page.last_evaluated_key
    return {"notifications": [e for e in entries if e is not None],
            "next_cursor": encode_cursor(last) if last else None}


def _entry(event: models.Event, app: models.Application | None) -> dict[str, Any] | None:
    notice = notices.render(event.kind, event.data, event.application_id,
                            notices.procedure_name(app.procedure_id if app else None))
    if notice is None:
        return None
    status = notices.event_status(event.data, app.status if app else None)
    return {"application_id": event.application_id, "kind": event.kind, "status": status,
            "at": event.created_at.astimezone(VIETNAM).isoformat(), "title": notice.title, "body": notice.body,
            "url": notices.application_url(event.application_id)}


def _applications(codes: set[str]) -> dict[str, models.Application]:
    return {app.application_id: app for app in models.Application.batch_get(sorted(codes))} if codes else {}


def _trim(user_id: str) -> None:
    """Keep the newest MAX_SUBSCRIPTIONS browsers of a user."""
    rows = sorted(P.query(user_id), key=lambda r: r.updated_at or r.created_at, reverse=True)
    for stale in rows[MAX_SUBSCRIPTIONS:]:
        stale.delete()


def _b64url(value: Any, size: int) -> bytes | None:  # noqa: ANN401
    """The bytes of a base64url string of exactly `size` bytes, or None."""
    if not isinstance(value, str) or not _B64URL.fullmatch(value):
        return None
    try:
        raw = base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))
    except (binascii.Error, ValueError):
        return None
    return raw if len(raw) == size else None


def _p256_point(value: Any) -> bool:  # noqa: ANN401
    """Whether `value` is an uncompressed P-256 public key (65 bytes, on the curve), base64url."""
    from cryptography.hazmat.primitives.asymmetric import ec

    raw = _b64url(value, 65)
    if raw is None or raw[0] != 4:
        return False
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), raw)
    except ValueError:
        return False
    return True


def _checked(body: dict[str, Any], config: Config) -> tuple[dict[str, Any], str]:
    """The subscription as stored ({endpoint, keys}) and the language, or ValidationFailed.

    Its shape (types, lengths, base64url keys) was checked against the API document; what is left is the
    endpoint's scheme and host for this stage and whether p256dh is a point on the curve."""
    raw, lang = body["subscription"], body.get("lang", "vi")
    fields: dict[str, str] = {}
    keys = raw["keys"]
    if not _p256_point(keys["p256dh"]):
        fields["subscription.keys.p256dh"] = "bad_format"
    if fields:
        raise ValidationFailed(details={"fields": fields})
    # Only real push services (and, in local runs, the loopback fake): PushEndpointNotAllowed otherwise.
    push_endpoint.check(raw["endpoint"], config.push_hosts, config.allows_loopback_push)
    return {"endpoint": raw["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}, lang
