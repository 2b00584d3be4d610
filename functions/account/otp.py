"""Phone-number login by SMS code, with its limits kept in DynamoDB (Lambda instances share nothing).

Items in the `otp` table (keys use keyed hashes, never the number or IP itself):
  code#<phone>                       the live code's HMAC, wrong attempts, expiry (5 min)
and the counters of functions/core/ratelimit.py, spent all or nothing before a code is made:
  cool#<phone>                       until the number may get another code (60 s)
  ip#<address>#<yyyymmddhh>          codes asked for from one client address this hour
  day#<phone|address>#<yyyymmdd>     codes sent to the number for one client address today (Vietnam time)
  ceiling#<phone>#<yyyymmdd>         codes sent to the number for all addresses together today
  device#<phone>#<yyyymmdd>          codes sent to the number for devices that signed in with it before
A request with a valid device cookie for the number (devices.py) spends only the cooldown and the device
bucket, so a stranger who knows a number cannot lock its owner out (README, "Limits").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any
from urllib.parse import urlparse

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.transactions import TransactWrite

from functions.account import devices
from functions.core import keys, models, ratelimit
from functions.core.adapters.identity import VerifiedIdentity
from functions.core.adapters.sms import SmsSender
from functions.core.config import Config
from functions.core.domain import otp, phone
from functions.core.errors import (
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpRateLimited,
    RateLimited,
)
from functions.core.ratelimit import Cooldown, Hit, Rule

C = models.OtpChallenge


class PhoneOtp:
    """The `IdentitySource` for "I control this phone number"."""

    provider = "phone_otp"

    def __init__(self, config: Config, sms: SmsSender, policy: otp.OtpPolicy | None = None) -> None:
        self.config, self.sms = config, sms
        self.policy = policy or otp.OtpPolicy(ip_hourly=config.otp_ip_hourly, number_daily=config.otp_number_daily)
        self.host = urlparse(config.app_origin).hostname or "localhost"
        self.limiter: ratelimit.Limiter = ratelimit.for_config(config)
        p = self.policy
        self.cooldown = Cooldown("cool", "number_cooldown", p.number_cooldown)
        self.ip_hourly = Rule("ip", "ip_hourly", p.ip_hourly, ratelimit.HOURLY)
        self.number_daily = Rule("day", "number_daily", p.number_daily, ratelimit.DAILY)
        self.ceiling = Rule("ceiling", "number_ceiling", config.otp_number_ceiling, ratelimit.DAILY)
        self.device_daily = Rule("device", "number_daily", config.otp_device_daily, ratelimit.DAILY)

    def normalize(self, raw: Any) -> str:
        """The claimed number in E.164, or a typed error."""
        return phone.normalize(raw, self.config.phone_countries)

    def start(self, claim: dict[str, Any], client_ip: str, now: datetime, device: str = "") -> dict[str, Any]:
        """Send a new code to the claimed number, within the limits; returns timings for the client.

        `device` is the request's device cookie: valid for this number, it spends the known-device bucket.
        """
        number = self.normalize(claim.get("phone"))
        known = devices.vouches(self.config, device, number, now)
        try:
            self.limiter.spend(self.hits(number, client_ip, known), now)
        except RateLimited as exc:
            raise OtpRateLimited(details=exc.details) from exc
        code = otp.new_code()
        digest = otp.code_digest(keys.derive(self.config, "otp"), number, code)
        C(self._key("code", number), code_hmac=digest, attempts=0, expires_at=now + self.policy.code_ttl).save()
        self.sms.send(number, otp.sms_text(code, self.host, self.policy.code_ttl))
        return {"phone": number, "expires_in": int(self.policy.code_ttl.total_seconds()),
                "resend_after": int(self.policy.number_cooldown.total_seconds())}

    def complete(self, claim: dict[str, Any], now: datetime) -> VerifiedIdentity:
        """Check a code; it works once, and not after 5 wrong tries or 5 minutes.

        The code is used up by the identity's `spend`, in the same transaction that signs in: of two
        concurrent right answers only one transaction lands, and the other is 410 `otp_expired`.
        """
        number = self.normalize(claim.get("phone"))
        code = claim["code"]  # six ASCII digits: the request was checked against the API document
        item = self._live_code(number, now)
        if not otp.codes_match(item.code_hmac or "", keys.derive(self.config, "otp"), number, code):
            self._count_wrong(item)
        limit = self.policy.max_attempts

        def spend(tx: TransactWrite) -> None:
            tx.delete(item, condition=(C.code_hmac == item.code_hmac) & (C.attempts < limit))

        return VerifiedIdentity(self.provider, number, "phone_verified", spend=spend)

    def _key(self, kind: str, value: str) -> str:
        return f"{kind}#{keys.lookup_id(self.config, value)}"

    def hits(self, number: str, client_ip: str, known_device: bool) -> list[Hit]:
        """What one code spends: a known device its own bucket; anyone else the address's and the ceiling."""
        if known_device:
            return [Hit(self.cooldown, number), Hit(self.device_daily, number)]
        address = ratelimit.client_address(client_ip)
        return [Hit(self.cooldown, number), Hit(self.ip_hourly, f"ip:{address}"),
                Hit(self.number_daily, f"{number}|{address}"), Hit(self.ceiling, number)]

    def _live_code(self, number: str, now: datetime) -> models.OtpChallenge:
        try:
            item = C.get(self._key("code", number), consistent_read=True)
        except DoesNotExist as exc:
            raise OtpExpired() from exc
        if item.expires_at <= now:
            raise OtpExpired()
        if item.attempts >= self.policy.max_attempts:
            raise OtpLocked()
        return item

    def _count_wrong(self, item: models.OtpChallenge) -> None:
        limit = self.policy.max_attempts
        try:  # atomic: parallel guesses cannot squeeze in more than `limit` tries
            item.update(actions=[C.attempts.add(1)],
                        condition=(C.code_hmac == item.code_hmac) & (C.attempts < limit))
        except UpdateError as exc:
            # Lost a race: either parallel guesses used up the tries, or the code was used or replaced.
            locked = exc.cause_response_code == "ConditionalCheckFailedException" and self._still_same(item)
            raise (OtpLocked() if locked else OtpExpired()) from exc
        left = limit - item.attempts
        if left <= 0:
            raise OtpLocked()
        raise OtpInvalid(details={"attempts_left": left})

    def _still_same(self, item: models.OtpChallenge) -> bool:
        try:
            return C.get(item.key, consistent_read=True).code_hmac == item.code_hmac
        except DoesNotExist:
            return False
