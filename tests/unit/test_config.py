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


def test_the_local_sandbox_gateway_is_the_default_and_env_vars_alone_select_a_real_one():
    local = load({"MOTCUA_APP_ORIGIN": "http://127.0.0.1:8123"})
    assert local.vnpay_pay_url == "http://127.0.0.1:8123/sandbox/vnpay/paymentv2/vpcpay.html"
    assert local.vnpay_query_url == "http://127.0.0.1:8123/sandbox/vnpay/merchant_webapi/api/transaction"
    real = load({"VNPAY_PAYMENT_URL": "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html",
                 "VNPAY_API_URL": "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction",
                 "VNPAY_TMN_CODE": "ABCD1234", "VNPAY_HASH_SECRET": "SECRET"})
    assert real.vnpay_pay_url == "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html"
    assert real.vnpay_query_url.endswith("/merchant_webapi/api/transaction")
    assert (real.vnpay_tmn_code, real.vnpay_hash_secret) == ("ABCD1234", "SECRET")


def test_postage_is_a_table_by_province_with_a_default():
    cfg = load({"MOTCUA_POSTAGE_VND": '{"default": 30000, "01": 20000}'})
    assert (cfg.postage_for("01"), cfg.postage_for("79"), cfg.postage_for(None)) == (20000, 30000, 30000)
    for bad in ("30000", '{"01": 20000}', '{"default": -1}', '{"default": 2.5}', "{"):
        with pytest.raises(ValueError, match="MOTCUA_POSTAGE_VND"):
            load({"MOTCUA_POSTAGE_VND": bad})
