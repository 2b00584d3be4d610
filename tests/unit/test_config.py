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
