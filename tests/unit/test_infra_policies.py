"""The template passes cfn-lint, keeps documents private and gives each function least privilege."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from functions.core.config import FUNCTIONS
from functions.local.emulator import TEMPLATE as TEMPLATE_PATH
from functions.local.emulator import load_template

TEMPLATE = load_template()
RES = TEMPLATE["Resources"]


def test_cfn_lint_passes():
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run([str(cfn_lint), str(TEMPLATE_PATH)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_template_has_a_stage_parameter_used_in_every_table_name():
    assert "Stage" in TEMPLATE["Parameters"]
    for res in RES.values():
        if res["Type"] == "AWS::DynamoDB::Table":
            assert "${Stage}" in res["Properties"]["TableName"]["Fn::Sub"]


def test_document_bucket_blocks_public_access_and_encrypts():
    bucket = RES["DocumentsBucket"]["Properties"]
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert "ServerSideEncryptionConfiguration" in bucket["BucketEncryption"]
    assert bucket["OwnershipControls"]["Rules"] == [{"ObjectOwnership": "BucketOwnerEnforced"}]


def _statements(function: str) -> list[dict]:
    role = RES[f"{function.capitalize()}Role"]["Properties"]
    return [s for p in role["Policies"] for s in p["PolicyDocument"]["Statement"]]


def _actions(function: str) -> set[str]:
    found = set()
    for stmt in _statements(function):
        acts = stmt["Action"]
        found |= set(acts if isinstance(acts, list) else [acts])
    return found


@pytest.mark.parametrize("function", FUNCTIONS)
def test_no_role_grants_wildcard_actions(function):
    assert not [a for a in _actions(function) if a.endswith("*")]


@pytest.mark.parametrize("function", FUNCTIONS)
def test_role_name_is_the_one_zappa_looks_up(function):
    name = RES[f"{function.capitalize()}Role"]["Properties"]["RoleName"]["Fn::Sub"]
    assert name == f"motcua-${{Stage}}-{function}-ZappaLambdaExecutionRole"


def test_only_submit_and_status_touch_documents_and_only_submit_deletes_them():
    s3 = {fn: {a for a in _actions(fn) if a.startswith("s3:")} for fn in FUNCTIONS}
    assert s3["account"] == set() and s3["pay"] == set()
    assert "s3:DeleteObject" in s3["submit"] and "s3:DeleteObject" not in s3["status"]


def test_sms_publishing_cannot_reach_topics():
    for fn in FUNCTIONS:
        for stmt in _statements(fn):
            if stmt["Action"] == "sns:Publish":
                assert stmt["NotResource"] == "arn:aws:sns:*:*:*"
    assert "sns:Publish" not in _actions("pay") | _actions("submit")


def test_account_role_reaches_only_identity_tables():
    tables = json.dumps([s["Resource"] for s in _statements("account") if s.get("Sid") == "Tables"])
    for other in ("Applications", "Documents", "Payments", "Events", "PushSubscriptions"):
        assert other not in tables


def test_the_documents_bucket_refuses_anything_but_tls():
    from functions.local.emulator import emulated_policy, load_template

    policy = load_template()["Resources"]["DocumentsBucketPolicy"]["Properties"]["PolicyDocument"]
    deny = [s for s in policy["Statement"] if s["Effect"] == "Deny"]
    assert any(s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}} and s["Action"] == "s3:*"
               for s in deny)
    # Only that statement is left out of the plain-HTTP emulator.
    assert len(emulated_policy(policy)["Statement"]) == len(policy["Statement"]) - 1


@pytest.mark.parametrize("function", ["submit", "status"])
def test_functions_that_use_the_bucket_may_head_it_for_health_and_honest_404s(function):
    # Without s3:ListBucket, HeadBucket is refused and HEAD of a missing key answers 403 instead of 404.
    granted = [s for s in _statements(function) if s["Action"] == "s3:ListBucket"]
    assert [s["Resource"] for s in granted] == [{"Fn::GetAtt": ["DocumentsBucket", "Arn"]}]
