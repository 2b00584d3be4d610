"""The profile API, roles and the staff CLI."""

from __future__ import annotations

import copy

import pytest
from account_helpers import PROFILE, csrf, sign_in

from functions.core import models
from functions.local.seed import seed_officers


@pytest.fixture
def citizen(account_app, sms_inbox):  # noqa: ANN001, ANN201
    client = account_app.test_client()
    assert sign_in(client, sms_inbox).status_code == 200
    return client


def test_the_profile_needs_a_session(account_app):
    client = account_app.test_client()
    assert client.get("/profile").json["error"]["code"] == "unauthorized"
    assert client.put("/profile", json=PROFILE).status_code == 401


def test_a_complete_profile_is_saved_and_read_back(citizen):
    resp = citizen.put("/profile", json=PROFILE, headers=csrf(citizen))
    assert resp.status_code == 200
    assert resp.json["profile"] == PROFILE and resp.json["profile_complete"] is True
    assert citizen.get("/profile").json["profile"] == PROFILE


def test_saving_the_same_profile_twice_gives_the_same_result(citizen):
    first = citizen.put("/profile", json=PROFILE, headers=csrf(citizen)).json
    assert citizen.put("/profile", json=PROFILE, headers=csrf(citizen)).json == first


def test_text_is_tidied_before_it_is_stored(citizen):
    messy = {**PROFILE, "full_name": "  Nguyễn   Thị  Lan ", "citizen_id": "034 198 001 234"}
    saved = citizen.put("/profile", json=messy, headers=csrf(citizen)).json["profile"]
    assert saved["full_name"] == "Nguyễn Thị Lan" and saved["citizen_id"] == "034198001234"


def _with(path: str, value: object) -> dict:
    body = copy.deepcopy(PROFILE)
    node = body
    *parents, leaf = path.split(".")
    for name in parents:
        node = node[name]
    if value is KeyError:
        del node[leaf]
    else:
        node[leaf] = value
    return body


@pytest.mark.parametrize(("path", "value", "code"), [
    ("full_name", KeyError, "required"),
    ("full_name", "   ", "required"),
    ("full_name", 42, "invalid_type"),
    ("full_name", "L", "too_short"),
    ("full_name", "A" * 101, "too_long"),
    ("full_name", "Lan <script>", "invalid_characters"),
    ("full_name", "Lan\u0000", "invalid_characters"),
    ("date_of_birth", "12/04/1998", "invalid_date"),
    ("date_of_birth", "1998-02-30", "invalid_date"),
    ("date_of_birth", "2030-01-01", "in_future"),
    ("date_of_birth", "2015-01-01", "too_young"),
    ("date_of_birth", "1890-01-01", "too_old"),
    ("citizen_id", "03419800123", "citizen_id_format"),
    ("citizen_id", "03419800123X", "citizen_id_format"),
    ("citizen_id", "099198001234", "citizen_id_province"),
    ("citizen_id", "034199001234", "citizen_id_dob_mismatch"),  # says born 1999, profile says 1998
    ("citizen_id", "034298001234", "citizen_id_dob_mismatch"),  # century digit 2 means 2098
    ("permanent_residence", "Hưng Yên", "invalid_type"),
    ("permanent_residence.province_code", "99", "province_unknown"),
    ("permanent_residence.commune_code", "99999", "commune_unknown"),
    ("permanent_residence.commune_code", "00004", "commune_not_in_province"),  # Ba Đình is in Hà Nội
    ("permanent_residence.commune_code", KeyError, "required"),
    ("current_address.street", KeyError, "required"),
    ("current_address.street", "x", "too_short"),
    ("current_address.street", "x" * 201, "too_long"),
    ("current_address.floor", "3", "unknown_field"),
    ("nickname", "Lan", "unknown_field"),
])
def test_each_bad_field_gets_its_own_code_and_nothing_is_saved(citizen, path, value, code):
    citizen.put("/profile", json=PROFILE, headers=csrf(citizen))
    resp = citizen.put("/profile", json=_with(path, value), headers=csrf(citizen))
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "validation_failed"
    assert resp.json["error"]["details"]["fields"] == {path: code}
    assert citizen.get("/profile").json["profile"] == PROFILE, "no partial write"


def test_a_profile_body_that_is_not_an_object_is_invalid_json(citizen):
    resp = citizen.put("/profile", data="[1]", content_type="application/json", headers=csrf(citizen))
    assert resp.json["error"]["code"] == "invalid_json"


def test_each_citizen_sees_and_changes_only_their_own_profile(account_app, sms_inbox, citizen, clock):
    citizen.put("/profile", json=PROFILE, headers=csrf(citizen))
    other = account_app.test_client()
    sign_in(other, sms_inbox, phone="+84987654321")
    mine = other.get("/profile").json
    assert mine["phone"] == "+84987654321" and mine["profile"] is None
    other.put("/profile", json={**PROFILE, "full_name": "Trần Văn Nam"}, headers=csrf(other))
    assert citizen.get("/profile").json["profile"]["full_name"] == "Nguyễn Thị Lan"


def test_a_seeded_officer_signs_in_with_the_same_code_flow_and_gets_the_role(account_app, sms_inbox):
    seed_officers()
    resp = sign_in(account_app.test_client(), sms_inbox, phone="+84912000001")
    assert resp.json["role"] == "officer"
    assert resp.json["communes"] == [
        {"code": "13075", "name": "Xã Kiến Xương", "province_code": "33", "province_name": "Hưng Yên"}
    ]


def test_create_officer_cli_makes_an_officer_who_can_sign_in(account_app, sms_inbox):
    runner = account_app.test_cli_runner()
    result = runner.invoke(args=["create-officer", "--phone", "0912 000 003", "--commune", "13075",
                                 "--commune", "18001"])
    assert result.exit_code == 0, result.output
    assert "Xã Kiến Xương" in result.output
    me = sign_in(account_app.test_client(), sms_inbox, phone="+84912000003").json
    assert me["role"] == "officer"
    assert [c["code"] for c in me["communes"]] == ["13075", "18001"]


def test_create_officer_promotes_an_existing_citizen_without_a_second_account(account_app, sms_inbox, citizen):
    result = account_app.test_cli_runner().invoke(args=["create-officer", "--phone", "+84912345678",
                                                        "--commune", "13075"])
    assert result.exit_code == 0, result.output
    assert [u.role for u in models.User.scan()] == ["officer"]
    assert citizen.get("/profile").json["role"] == "officer"


@pytest.mark.parametrize("args", [
    ["create-officer", "--phone", "0912000003", "--commune", "99999"],
    ["create-officer", "--phone", "0243 825 1234", "--commune", "13075"],
    ["create-officer", "--phone", "0912000003"],
])
def test_create_officer_refuses_bad_input_and_creates_nothing(account_app, args):
    result = account_app.test_cli_runner().invoke(args=args)
    assert result.exit_code != 0
    assert list(models.User.scan()) == []


def test_create_admin_cli(account_app, sms_inbox):
    result = account_app.test_cli_runner().invoke(args=["create-admin", "--phone", "0912000009"])
    assert result.exit_code == 0, result.output
    assert sign_in(account_app.test_client(), sms_inbox, phone="+84912000009").json["role"] == "admin"
