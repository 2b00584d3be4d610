"""trackApplication: a public lookup by application code plus the last four digits of the applicant's phone.

It answers only the status and the due date, never personal data. Every try counts against two hourly
limits of the rate limiter (functions/core/ratelimit.py): one per client address (someone trying many
codes) and one per code (someone trying all 10,000 endings of one code from many addresses). A wrong code
and a wrong ending get the same 404, so the answer does not reveal which applications exist.
"""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any

from functions.core import models, ratelimit
from functions.core.applications import is_overdue
from functions.core.config import Config
from functions.core.domain import codes
from functions.core.domain.procedures import catalog
from functions.core.errors import NotFound
from functions.core.ratelimit import Hit, Rule

# Tries per hour on one code from all addresses together: enough for a family sharing a phone.
PER_CODE = Rule("track-code", "code_hourly", 10, ratelimit.HOURLY)


def _count_try(config: Config, client_ip: str, code: str, now: datetime) -> None:
    """Add one try to both hourly counters, or refuse with 429 `rate_limited` and write nothing."""
    per_address = Rule("track-ip", "ip_hourly", config.track_per_hour, ratelimit.HOURLY)
    ratelimit.for_config(config).spend([Hit(per_address, f"ip:{ratelimit.client_address(client_ip)}"),
                                        Hit(PER_CODE, f"code:{code}")], now)


def _phone_ending(app: models.Application) -> str:
    phone = (app.applicant or {}).get("phone") or ""
    return phone[-4:]


def track(args: dict[str, str], client_ip: str, now: datetime, config: Config) -> dict[str, Any]:
    """Status and due date of one application, for whoever knows its code and the phone's last digits."""
    # Both present and well formed (the API document's check); spaces around them are forgiven.
    raw_code, ending = args["code"].strip(), args["phone"].strip()
    code = codes.normalize(raw_code)
    _count_try(config, client_ip, code or raw_code.upper(), now)
    try:
        app = models.Application.get(code, consistent_read=True) if code else None
    except models.Application.DoesNotExist:
        app = None
    # Compare even when there is no application, so both misses take the same path.
    known = _phone_ending(app) if app else "----"
    if app is None or not hmac.compare_digest(known.encode(), ending.encode()):
        raise NotFound()
    procedure = catalog().get(app.procedure_id)
    return {
        "code": app.application_id,
        "procedure_name": procedure.name if procedure else None,
        "status": app.status,
        "due_date": app.due_date,
        "overdue": is_overdue(app, now),
    }
