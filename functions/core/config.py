"""The one place that reads the environment.

Every setting has an embedded default that makes `make run` work on a fresh clone;
production overrides them through Lambda environment variables (see README, "Settings").
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from urllib.parse import urlsplit

from functions.core.domain.push_endpoint import DEFAULT_HOSTS as DEFAULT_PUSH_HOSTS
from functions.core.domain.push_endpoint import host_entry

FUNCTIONS = ("account", "submit", "status", "pay")
STAGES = ("local", "test", "dev", "prod")


@dataclass(frozen=True)
class Config:
    """Immutable settings for one process; build it with `load()`."""

    stage: str = "local"
    region: str = "ap-southeast-1"
    aws_endpoint_url: str | None = None
    table_prefix: str = "motcua-local-"
    documents_bucket: str = ""
    max_body_bytes: int = 64 * 1024
    app_origin: str = "http://localhost:8000"
    http_host: str = "127.0.0.1"
    http_port: int = 8000
    workers: int = 2
    log_level: str = "INFO"
    session_secret: str = ""
    vapid_private_key: str = ""
    vapid_public_key: str = ""
    phone_countries: tuple[str, ...] = ("VN",)
    sms_sender_id: str = "MOTCUA"
    trusted_proxies: int = 0
    upload_expires_seconds: int = 600
    photo_max_edge: int = 2000
    photo_target_bytes: int = 300_000
    image_max_pixels: int = 50_000_000
    track_per_hour: int = 30
    otp_ip_hourly: int = 20
    otp_number_daily: int = 5
    otp_number_ceiling: int = 20
    otp_device_daily: int = 5
    payment_query_interval_s: int = 30
    payment_queries_per_hour: int = 20
    vapid_subject: str = "mailto:hotro@motcua.gov.vn"
    push_ttl_seconds: int = 86_400
    push_hosts: tuple[str, ...] = DEFAULT_PUSH_HOSTS
    # None: allowed in the local and test stages only (see `allows_loopback_push`).
    push_allow_loopback: bool | None = None
    vnpay_payment_url: str = ""
    vnpay_api_url: str = ""
    vnpay_tmn_code: str = "MOTCUA01"
    vnpay_hash_secret: str = ""
    postage_vnd: tuple[tuple[str, int], ...] = (("default", 25_000),)
    # Working days a commune has to answer a complaint ("default", or a commune code); core/domain/complaints.py.
    feedback_answer_days: tuple[tuple[str, int], ...] = (("default", 10),)
    feedback_daily: int = 5

    @property
    def is_local(self) -> bool:
        """True for runs on a developer machine or in tests (no TLS, emulated AWS)."""
        return self.stage in ("local", "test")

    @property
    def allows_loopback_push(self) -> bool:
        """Whether push endpoints on loopback (the push fake of local runs and tests) are accepted."""
        return self.is_local if self.push_allow_loopback is None else self.push_allow_loopback

    @property
    def cookie_prefix(self) -> str:
        """`__Host-` outside local runs: the browser then insists on Secure, Path=/ and no Domain."""
        return "" if self.is_local else "__Host-"

    @property
    def upload_origin(self) -> str:
        """The origin browsers POST uploads to (the bucket), which the page's CSP must allow."""
        if self.aws_endpoint_url:
            parts = urlsplit(self.aws_endpoint_url)
            return f"{parts.scheme}://{parts.netloc}"
        return f"https://{self.documents_bucket}.s3.{self.region}.amazonaws.com"

    @property
    def vnpay_pay_url(self) -> str:
        """Where citizens are sent to pay: VNPAY_PAYMENT_URL, else the local sandbox gateway."""
        return self.vnpay_payment_url or f"{self.app_origin}/sandbox/vnpay/paymentv2/vpcpay.html"

    @property
    def vnpay_query_url(self) -> str:
        """The gateway's querydr API: VNPAY_API_URL, else the local sandbox gateway's."""
        return self.vnpay_api_url or f"{self.app_origin}/sandbox/vnpay/merchant_webapi/api/transaction"

    def postage_for(self, province_code: str | None) -> int:
        """Postage in VND for a delivery address in this province (the table's `default` otherwise)."""
        table = dict(self.postage_vnd)
        return table.get(province_code or "", table.get("default", 0))

    def table_name(self, short: str) -> str:
        """Physical DynamoDB table name for a logical table, e.g. `users`."""
        return f"{self.table_prefix}{short}"

    def with_overrides(self, **changes: object) -> Config:
        """A copy with some settings replaced (used by tests and the local stack)."""
        return replace(self, **changes)


def _int(env: Mapping[str, str], key: str, default: int) -> int:
    raw = env.get(key)
    if raw is None or raw == "":
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"setting {key} must be an integer, got {raw!r}") from exc


def _countries(raw: str) -> tuple[str, ...]:
    codes = tuple(code.strip().upper() for code in raw.split(",") if code.strip())
    if not codes or any(not re.fullmatch(r"[A-Z]{2}", code) for code in codes):
        raise ValueError(f"MOTCUA_PHONE_COUNTRIES must be ISO 3166 codes like VN,LA, got {raw!r}")
    return codes


def _postage(raw: str) -> tuple[tuple[str, int], ...]:
    try:
        table = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"MOTCUA_POSTAGE_VND must be JSON like {{\"default\": 25000}}, got {raw!r}") from exc
    if (not isinstance(table, dict) or "default" not in table
            or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in table.values())):
        raise ValueError(f"MOTCUA_POSTAGE_VND needs a \"default\" and whole VND amounts, got {raw!r}")
    return tuple(sorted((str(k), int(v)) for k, v in table.items()))


def _answer_days(raw: str) -> tuple[tuple[str, int], ...]:
    name, example = "MOTCUA_FEEDBACK_ANSWER_DAYS", '{"default": 10, "13075": 7}'
    try:
        periods = json.loads(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be JSON like {example}, got {raw!r}") from exc
    valid = isinstance(periods, dict) and all(
        type(days) is int and 1 <= days <= 60 for days in periods.values())
    if not valid:
        raise ValueError(f"{name} must map \"default\" or commune codes to 1-60 working days, got {raw!r}")
    return tuple(sorted((str(key), days) for key, days in periods.items()))


def _push_hosts(raw: str) -> tuple[str, ...]:
    try:
        hosts = tuple(host_entry(entry) for entry in raw.split(",") if entry.strip())
    except ValueError as exc:
        raise ValueError(f"MOTCUA_PUSH_HOSTS must be host names like fcm.googleapis.com,.notify.windows.com: "
                         f"{exc}") from exc
    if not hosts:
        raise ValueError("MOTCUA_PUSH_HOSTS must name at least one push service host")
    return hosts


def _loopback_push(raw: str | None, stage: str) -> bool | None:
    if raw is None or raw == "":
        return None
    if raw.lower() not in ("true", "false", "1", "0"):
        raise ValueError(f"MOTCUA_PUSH_ALLOW_LOOPBACK must be true or false, got {raw!r}")
    allowed = raw.lower() in ("true", "1")
    if allowed and stage == "prod":
        raise ValueError("MOTCUA_PUSH_ALLOW_LOOPBACK must not be true in the prod stage")
    return allowed


def load(environ: Mapping[str, str] | None = None) -> Config:
    """Build the configuration from environment variables (or a given mapping)."""
    env = os.environ if environ is None else environ
    stage = env.get("MOTCUA_STAGE", "local")
    if stage not in STAGES:
        raise ValueError(f"MOTCUA_STAGE must be one of {STAGES}, got {stage!r}")
    return Config(
        stage=stage,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-1",
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        table_prefix=env.get("MOTCUA_TABLE_PREFIX") or f"motcua-{stage}-",
        documents_bucket=env.get("MOTCUA_DOCUMENTS_BUCKET", ""),
        max_body_bytes=_int(env, "MOTCUA_MAX_BODY_BYTES", 64 * 1024),
        app_origin=env.get("MOTCUA_APP_ORIGIN", "http://localhost:8000"),
        http_host=env.get("MOTCUA_HOST", "127.0.0.1"),
        http_port=_int(env, "MOTCUA_PORT", 8000),
        workers=max(1, _int(env, "MOTCUA_WORKERS", 2)),
        log_level=env.get("MOTCUA_LOG_LEVEL", "INFO"),
        session_secret=env.get("MOTCUA_SESSION_SECRET", ""),
        vapid_private_key=env.get("MOTCUA_VAPID_PRIVATE_KEY", ""),
        vapid_public_key=env.get("MOTCUA_VAPID_PUBLIC_KEY", ""),
        phone_countries=_countries(env.get("MOTCUA_PHONE_COUNTRIES", "VN")),
        sms_sender_id=env.get("MOTCUA_SMS_SENDER_ID", "MOTCUA"),
        trusted_proxies=_int(env, "MOTCUA_TRUSTED_PROXIES", 0),
        upload_expires_seconds=_int(env, "MOTCUA_UPLOAD_EXPIRES_SECONDS", 600),
        photo_max_edge=_int(env, "MOTCUA_PHOTO_MAX_EDGE", 2000),
        photo_target_bytes=_int(env, "MOTCUA_PHOTO_TARGET_BYTES", 300_000),
        image_max_pixels=_int(env, "MOTCUA_IMAGE_MAX_PIXELS", 50_000_000),
        track_per_hour=_int(env, "MOTCUA_TRACK_PER_HOUR", 30),
        otp_ip_hourly=_int(env, "MOTCUA_OTP_IP_HOURLY", 20),
        otp_number_daily=_int(env, "MOTCUA_OTP_NUMBER_DAILY", 5),
        otp_number_ceiling=_int(env, "MOTCUA_OTP_NUMBER_CEILING", 20),
        otp_device_daily=_int(env, "MOTCUA_OTP_DEVICE_DAILY", 5),
        payment_query_interval_s=_int(env, "MOTCUA_PAYMENT_QUERY_INTERVAL_S", 30),
        payment_queries_per_hour=_int(env, "MOTCUA_PAYMENT_QUERIES_PER_HOUR", 20),
        vapid_subject=env.get("MOTCUA_VAPID_SUBJECT", "mailto:hotro@motcua.gov.vn"),
        push_ttl_seconds=_int(env, "MOTCUA_PUSH_TTL_SECONDS", 86_400),
        push_hosts=_push_hosts(env.get("MOTCUA_PUSH_HOSTS") or ",".join(DEFAULT_PUSH_HOSTS)),
        push_allow_loopback=_loopback_push(env.get("MOTCUA_PUSH_ALLOW_LOOPBACK"), stage),
        vnpay_payment_url=env.get("VNPAY_PAYMENT_URL", ""),
        vnpay_api_url=env.get("VNPAY_API_URL", ""),
        vnpay_tmn_code=env.get("VNPAY_TMN_CODE", "MOTCUA01"),
        vnpay_hash_secret=env.get("VNPAY_HASH_SECRET", ""),
        postage_vnd=_postage(env.get("MOTCUA_POSTAGE_VND", '{"default": 25000}')),
        feedback_answer_days=_answer_days(env.get("MOTCUA_FEEDBACK_ANSWER_DAYS") or '{"default": 10}'),
        feedback_daily=_int(env, "MOTCUA_FEEDBACK_DAILY", 5),
    )


def local_aws_endpoint(environ: Mapping[str, str] | None = None) -> str:
    """The emulator endpoint the local stack listens on (default http://localhost:4566)."""
    env = os.environ if environ is None else environ
    return env.get("AWS_ENDPOINT_URL") or "http://localhost:4566"


def state_dir(environ: Mapping[str, str] | None = None) -> str:
    """Where the local stack keeps generated secrets (default .local/ in the project)."""
    env = os.environ if environ is None else environ
    return env.get("MOTCUA_STATE_DIR") or ".local"
