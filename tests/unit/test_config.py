"""config.py: defaults that run locally, overrides from the environment, clear errors."""

from __future__ import annotations

import pytest

from functions.core.config import load


def test_defaults_run_locally_without_any_environment():
    cfg = load({})
    assert cfg.stage == "local" and cfg.is_local
    assert cfg.region == "ap-southeast-1"
    assert cfg.table_name("users") == "motcua-local-users"
    assert cfg.aws_endpoint_url is None


def test_environment_overrides_every_setting():
    cfg = load({"MOTCUA_STAGE": "prod", "AWS_REGION": "us-east-1", "AWS_ENDPOINT_URL": "http://x:1",
                "MOTCUA_TABLE_PREFIX": "p-", "MOTCUA_MAX_BODY_BYTES": "10", "MOTCUA_PORT": "9000",
                "MOTCUA_APP_ORIGIN": "https://motcua.example", "MOTCUA_DOCUMENTS_BUCKET": "b"})
    assert not cfg.is_local
    assert (cfg.region, cfg.aws_endpoint_url, cfg.table_name("otp")) == ("us-east-1", "http://x:1", "p-otp")
    assert (cfg.max_body_bytes, cfg.http_port, cfg.app_origin) == (10, 9000, "https://motcua.example")
    assert cfg.documents_bucket == "b"


def test_unknown_stage_is_refused():
    with pytest.raises(ValueError, match="MOTCUA_STAGE"):
        load({"MOTCUA_STAGE": "staging"})


def test_non_numeric_setting_is_refused_with_its_name():
    with pytest.raises(ValueError, match="MOTCUA_PORT"):
        load({"MOTCUA_PORT": "eighty"})


def test_status_and_sign_in_limits_and_push_settings_come_from_the_environment():
    assert (load({}).track_per_hour, load({}).otp_ip_hourly, load({}).push_ttl_seconds) == (30, 20, 86_400)
    cfg = load({"MOTCUA_TRACK_PER_HOUR": "5", "MOTCUA_OTP_IP_HOURLY": "300", "MOTCUA_PUSH_TTL_SECONDS": "600",
                "MOTCUA_VAPID_SUBJECT": "mailto:ops@example.vn"})
    assert (cfg.track_per_hour, cfg.otp_ip_hourly, cfg.push_ttl_seconds) == (5, 300, 600)
    assert cfg.vapid_subject == "mailto:ops@example.vn"
