"""zappa_settings.json: a base stage plus one stage per function and environment."""

from __future__ import annotations

import importlib
import json
from pathlib import Path

import pytest

from functions.core.config import FUNCTIONS

SETTINGS = json.loads((Path(__file__).resolve().parents[2] / "zappa_settings.json").read_text())


def resolved(stage: str) -> dict:
    """Zappa's shallow `extends` merge."""
    conf = SETTINGS[stage]
    parent = conf.get("extends")
    return {**(resolved(parent) if parent else {}), **conf}


@pytest.mark.parametrize("env", ["dev", "prod"])
@pytest.mark.parametrize("function", FUNCTIONS)
def test_each_function_has_a_stage_pointing_at_its_own_app(env, function):
    conf = resolved(f"{env}_{function}")
    module, attr = conf["app_function"].rsplit(".", 1)
    assert module == f"functions.{function}.app"
    assert hasattr(importlib.import_module(module), attr)
    assert conf["base_path"] == f"api/{function}"
    assert conf["environment_variables"] == {"MOTCUA_STAGE": env}
    assert conf["runtime"] == "python3.11" and conf["aws_region"] == "ap-southeast-1"
    assert conf["manage_roles"] is False  # roles come from infra/template.yaml
    assert conf["use_precompiled_packages"] is False


def test_zip_excludes_dev_only_material_and_the_aws_sdk():
    exclude = set(SETTINGS["base"]["exclude"])
    assert {"tests", "pwa", "infra", "bench", ".venv", "boto3", "botocore", "local"} <= exclude


def test_no_glob_that_crashes_zappa():
    for conf in SETTINGS.values():
        assert "**/__pycache__/**" not in conf.get("exclude_glob", [])


def test_keep_warm_only_where_a_citizen_waits_in_prod():
    warm = {fn: resolved(f"prod_{fn}")["keep_warm"] for fn in FUNCTIONS}
    assert warm == {"account": True, "submit": False, "status": True, "pay": False}
    assert not any(resolved(f"dev_{fn}")["keep_warm"] for fn in FUNCTIONS)


@pytest.mark.parametrize("function", FUNCTIONS)
def test_prod_zips_are_trimmed_like_dev_zips(function):
    # The package tests and the size budget measure the dev zips; prod must ship the same files.
    assert resolved(f"prod_{function}")["exclude_glob"] == resolved(f"dev_{function}")["exclude_glob"]


@pytest.mark.parametrize("env", ["dev", "prod"])
def test_status_runs_the_dispatcher_from_the_events_stream_and_a_sweep_schedule(env):
    events = resolved(f"{env}_status")["events"]
    stream = [e for e in events if "event_source" in e]
    schedule = [e for e in events if "expression" in e]
    assert [e["function"] for e in stream] == ["functions.status.notify.on_stream"]
    source = stream[0]["event_source"]
    assert f":table/motcua-{env}-events/stream/" in source["arn"]
    assert (source["starting_position"], source["batch_size"], source["enabled"]) == ("LATEST", 10, True)
    assert schedule == [{"function": "functions.status.notify.sweep", "expression": "rate(1 minute)"}]
    for entry in events:
        module, attr = entry["function"].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attr))
    assert not any("events" in resolved(f"{env}_{fn}") for fn in FUNCTIONS if fn not in ("status", "pay"))


def test_payments_pending_too_long_are_reconciled_every_five_minutes():
    for env in ("dev", "prod"):
        (job,) = resolved(f"{env}_pay")["events"]
        assert (job["function"], job["expression"]) == ("functions.pay.reconcile.reconcile", "rate(5 minutes)")
        module, attr = job["function"].rsplit(".", 1)
        assert callable(getattr(importlib.import_module(module), attr))


def test_only_the_status_zip_keeps_the_aiohttp_stand_in_pywebpush_imports():
    # pywebpush imports aiohttp at module level; the Lambda venv holds a small stand-in
    # (infra/lambda/aiohttp_stub.py) instead of aiohttp and its dependencies, and only status ships it.
    for fn in FUNCTIONS:
        for env in ("dev", "prod"):
            kept = "aiohttp" not in resolved(f"{env}_{fn}")["exclude"]
            assert kept == (fn == "status"), (env, fn)
    base = set(SETTINGS["base"]["exclude"])
    assert base - set(resolved("dev_status")["exclude"]) == {"aiohttp"}
