"""Phone-number login by SMS code, with its limits kept in DynamoDB (Lambda instances share nothing).

Items in the `otp` table (keys use keyed hashes, never the number or IP itself):
  code#<phone>            the live code's HMAC, wrong attempts, expiry (5 min)
  cool#<phone>            exists until the number may get another code (60 s)
  day#<phone>#<yyyymmdd>  codes sent to the number today (Vietnam time)
  ip#<ip>#<yyyymmddhh>    codes requested from one client IP this hour
A send updates all four in one transaction, so a refusal writes nothing.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlparse

from pynamodb.exceptions import DeleteError, DoesNotExist, TransactWriteError, UpdateError

from functions.core import keys, models
from functions.core.adapters.identity import VerifiedIdentity
from functions.core.adapters.sms import SmsSender
from functions.core.config import Config
from functions.core.domain import otp, phone
from functions.core.errors import (
    DependencyUnavailable,
    OtpExpired,
    OtpInvalid,
    OtpLocked,
    OtpRateLimited,
    ValidationFailed,
)

C = models.OtpChallenge
# PynamoDB sends a transaction's puts before its updates, whatever order they were added in, and
# DynamoDB reports cancellation reasons in the order sent: cooldown, code, ip counter, day counter.
REASON_ORDER = ("number_cooldown", "code", "ip_hourly", "number_daily")


class PhoneOtp:
    """The `IdentitySource` for "I control this phone number"."""

    provider = "phone_otp"

    def __init__(self, config: Config, sms: SmsSender, policy: otp.OtpPolicy | None = None) -> None:
        self.config, self.sms = config, sms
        self.policy = policy or otp.OtpPolicy(ip_hourly=config.otp_ip_hourly)
        self.host = urlparse(config.app_origin).hostname or "localhost"

    def normalize(self, raw: Any) -> str:
        """The claimed number in E.164, or a typed error."""
        return phone.normalize(raw, self.config.phone_countries)

    def start(self, claim: dict[str, Any], client_ip: str, now: datetime) -> dict[str, Any]:
        """Send a new code to the claimed number, within the limits; returns timings for the client."""
        number = self.normalize(claim.get("phone"))
        code = otp.new_code()
        self._reserve(number, client_ip, code, now)
        self.sms.send(number, otp.sms_text(code, self.host, self.policy.code_ttl))
        return {"phone": number, "expires_in": int(self.policy.code_ttl.total_seconds()),
                "resend_after": int(self.policy.number_cooldown.total_seconds())}

    def complete(self, claim: dict[str, Any], now: datetime) -> VerifiedIdentity:
        """Check a code; it works once, and not after 5 wrong tries or 5 minutes."""
        number = self.normalize(claim.get("phone"))
        code = claim.get("code")
        if not otp.is_code_format(code):
            raise ValidationFailed(details={"fields": {"code": "format"}})
        item = self._live_code(number, now)
        if not otp.codes_match(item.code_hmac or "", keys.derive(self.config, "otp"), number, code):
            self._count_wrong(item)
        try:  # consume it: of two concurrent right answers, only one wins
            item.delete(condition=(C.code_hmac == item.code_hmac) & (C.attempts < self.policy.max_attempts))
        except DeleteError as exc:
            raise OtpExpired() from exc
        return VerifiedIdentity(self.provider, number, "phone_verified")

    def _key(self, kind: str, value: str, window: str = "") -> str:
        return f"{kind}#{keys.lookup_id(self.config, value)}" + (f"#{window}" if window else "")

    def _reserve(self, number: str, client_ip: str, code: str, now: datetime) -> None:
        p, day, hour = self.policy, otp.day_window(now), otp.hour_window(now)
        cooldown_key = self._key("cool", number)
        with_slack = timedelta(hours=1)
        try:
            with models.transaction() as tx:  # commits on leaving the block
                tx.update(C(self._key("ip", f"ip:{client_ip}", hour.id)),
                          actions=[C.count.add(1), C.expires_at.set(hour.end + with_slack)],
                          condition=C.key.does_not_exist() | (C.count < p.ip_hourly))
                tx.save(C(cooldown_key, expires_at=now + p.number_cooldown),
                        condition=C.key.does_not_exist() | (C.expires_at <= now))
                tx.update(C(self._key("day", number, day.id)),
                          actions=[C.count.add(1), C.expires_at.set(day.end + with_slack)],
                          condition=C.key.does_not_exist() | (C.count < p.number_daily))
                digest = otp.code_digest(keys.derive(self.config, "otp"), number, code)
                tx.save(C(self._key("code", number), code_hmac=digest, attempts=0, expires_at=now + p.code_ttl))
        except TransactWriteError as exc:
            raise self._refusal(exc, cooldown_key, {"ip_hourly": hour.end, "number_daily": day.end},
                                now) from exc

    def _refusal(self, exc: TransactWriteError, cooldown_key: str, ends: dict[str, datetime],
                 now: datetime) -> OtpRateLimited | DependencyUnavailable:
        failed = [name for name, reason in zip(REASON_ORDER, exc.cancellation_reasons or [], strict=False)
                  if name != "code" and reason is not None and reason.code == "ConditionalCheckFailed"]
        if not failed:
            return DependencyUnavailable(details={"table": C.short_name})
        waits = {}
        for name in failed:
            until = ends.get(name) or self._cooldown_end(cooldown_key, now)
            waits[name] = otp.seconds_until(until, now)
        limit = max(waits, key=waits.get)  # the longest wait is the one that matters
        return OtpRateLimited(details={"retry_after": waits[limit], "limit": limit})

    def _cooldown_end(self, key: str, now: datetime) -> datetime:
        try:
            return C.get(key, consistent_read=True).expires_at
        except DoesNotExist:
            return now

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
