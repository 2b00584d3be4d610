"""One-time SMS codes: the policy, the limit windows and the message. Pure: time is passed in."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from functions.core.domain.vntime import VIETNAM


@dataclass(frozen=True)
class OtpPolicy:
    """How long codes live and how often they may be sent (issue 3)."""

    code_ttl: timedelta = timedelta(minutes=5)
    max_attempts: int = 5
    number_cooldown: timedelta = timedelta(seconds=60)
    number_daily: int = 5
    ip_hourly: int = 20


@dataclass(frozen=True)
class Window:
    """A fixed counting window: its id goes into the counter's key; it ends at `end`."""

    id: str
    end: datetime


def new_code() -> str:
    """Six random digits from the OS's cryptographic source."""
    return f"{secrets.randbelow(1_000_000):06d}"


def code_digest(key: bytes, phone: str, code: str) -> str:
    """What is stored instead of the code: HMAC-SHA256 under the server key, bound to the number."""
    return hmac.new(key, f"{phone}:{code}".encode(), hashlib.sha256).hexdigest()


def codes_match(stored: str, key: bytes, phone: str, code: str) -> bool:
    """Constant-time comparison of a guess against the stored digest."""
    return hmac.compare_digest(stored, code_digest(key, phone, code))


def is_code_format(code: object) -> bool:
    """Exactly six ASCII digits."""
    return isinstance(code, str) and len(code) == 6 and code.isascii() and code.isdigit()


def day_window(now: datetime) -> Window:
    """The calendar day in Vietnam time: daily limits reset at local midnight."""
    local = now.astimezone(VIETNAM)
    start = local.replace(hour=0, minute=0, second=0, microsecond=0)
    return Window(start.strftime("%Y%m%d"), start + timedelta(days=1))


def hour_window(now: datetime) -> Window:
    """The clock hour (UTC and Vietnam hours start together)."""
    start = now.astimezone(VIETNAM).replace(minute=0, second=0, microsecond=0)
    return Window(start.strftime("%Y%m%d%H"), start + timedelta(hours=1))


def seconds_until(moment: datetime, now: datetime) -> int:
    """Whole seconds to wait, rounded up and never below 1, so a client never retries too early."""
    delta = (moment - now).total_seconds()
    return max(1, int(delta) + (0 if delta == int(delta) else 1))


def sms_text(code: str, host: str, ttl: timedelta) -> str:
    """The Vietnamese message; the last line is the WebOTP format Chrome on Android reads.

    Written without diacritics, as Vietnamese banks do: diacritics force UCS-2, which cuts a segment
    from 160 to 70 characters and doubles the cost, and some cheap phones show them garbled.
    """
    minutes = int(ttl.total_seconds() // 60)
    return (
        f"Ma xac thuc Mot Cua cua ban la {code}. Ma co hieu luc {minutes} phut. "
        "Khong chia se ma nay voi bat ky ai.\n"
        f"@{host} #{code}"
    )
