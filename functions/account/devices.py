"""The "known device" cookie: proof that this browser signed in with a number before (README, "Limits").

verifyOtp sets it: `<issue day>.<HMAC of the number and the day>` under the server's "device" key. It holds no
personal data in clear, and nobody can make one for a number without signing in with that number. A
requestOtp that carries it for the same number counts against that number's known-device bucket instead of
the one strangers share, so a stranger who spends a number's codes does not lock its owner out.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import datetime, timedelta

from flask import Request, Response

from functions.core import keys
from functions.core.config import Config
from functions.core.domain.vntime import VIETNAM

COOKIE = "motcua_device"
# Browsers keep a cookie at most 400 days; a year of not signing in makes the device a stranger again.
LIFETIME = timedelta(days=365)
DAY_FORMAT = "%Y%m%d"


def _mac(config: Config, number: str, day: str) -> str:
    return hmac.new(keys.derive(config, "device"), f"{number}|{day}".encode(), hashlib.sha256).hexdigest()


def issue(config: Config, number: str, now: datetime) -> str:
    """The cookie value for a device that has just signed in with `number` (E.164)."""
    day = now.astimezone(VIETNAM).strftime(DAY_FORMAT)
    return f"{day}.{_mac(config, number, day)}"


def vouches(config: Config, value: str, number: str, now: datetime) -> bool:
    """Whether `value` is our cookie for `number`, issued within its lifetime."""
    day, _, mac = (value or "").partition(".")
    try:
        issued = datetime.strptime(day, DAY_FORMAT).replace(tzinfo=VIETNAM)
    except ValueError:
        return False
    if not issued - timedelta(days=1) <= now <= issued + LIFETIME:
        return False
    return hmac.compare_digest(mac.encode(), _mac(config, number, day).encode())


def cookie_name(config: Config) -> str:
    """`motcua_device`, with the `__Host-` prefix outside local runs."""
    return config.cookie_prefix + COOKIE


def from_request(config: Config, request: Request) -> str:
    """The device cookie a request carries ('' when none)."""
    return request.cookies.get(cookie_name(config), "")


def set_cookie(resp: Response, config: Config, value: str) -> None:
    """Keep the device cookie for its lifetime: HttpOnly, SameSite=Strict, Secure outside local runs."""
    resp.set_cookie(cookie_name(config), value, max_age=int(LIFETIME.total_seconds()), path="/",
                    secure=not config.is_local, httponly=True, samesite="Strict")
