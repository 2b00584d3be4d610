"""Sign-in by SMS code through the account app, with moto's SNS and DynamoDB."""

from __future__ import annotations

import pytest
from account_helpers import WEBOTP, latest_code, sign_in

from functions.core import models

PHONE = "+84912345678"


def otp_items() -> list[models.OtpChallenge]:
    return list(models.OtpChallenge.scan())


@pytest.mark.parametrize("written", ["0912 345 678", "0912.345.678", "+84 912 345 678", "84912345678"])
def test_every_common_way_of_writing_the_number_sends_one_sms_to_the_e164_number(account_app, sms_inbox, written):
    resp = account_app.test_client().post("/otp", json={"phone": written})
    assert resp.status_code == 202
    assert resp.json == {"phone": PHONE, "expires_in": 300, "resend_after": 60}
    texts = sms_inbox(PHONE)
    assert len(texts) == 1
    assert texts[0].startswith("Ma xac thuc Mot Cua")
    assert WEBOTP.search(texts[0]).group("host") == "localhost"


def test_the_code_is_stored_only_as_a_keyed_hash_and_the_number_never_in_keys(account_app, sms_inbox):
    account_app.test_client().post("/otp", json={"phone": PHONE})
    code = latest_code(sms_inbox, PHONE)
    dump = repr([item.attribute_values for item in otp_items()])
    assert code not in dump
    assert "912345678" not in dump


@pytest.mark.parametrize(("body", "status", "code"), [
    ({"phone": "0243 825 1234"}, 400, "phone_invalid"),  # a Hà Nội landline
    ({"phone": "1900 1234"}, 400, "phone_invalid"),
    ({"phone": "0912"}, 400, "phone_invalid"),
    ({"phone": "not a number"}, 400, "phone_invalid"),
    ({"phone": "0" * 40}, 400, "validation_failed"),  # longer than the document's 32 characters
    ({"phone": "+1 650 253 0000"}, 400, "phone_country_not_supported"),
    ({"phone": 912345678}, 400, "validation_failed"),
    ({}, 400, "validation_failed"),
    ([], 400, "invalid_json"),
])
def test_bad_numbers_get_a_stable_code_and_nothing_is_sent_or_stored(account_app, sms_inbox, body, status, code):
    resp = account_app.test_client().post("/otp", json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (status, code)
    assert otp_items() == []
    assert sms_inbox(PHONE) == []


def test_another_country_is_accepted_once_it_is_on_the_allow_list(config, stack, clock, sms_inbox):
    from functions.account.app import create_app

    app = create_app(config.with_overrides(phone_countries=("VN", "US")), clock=clock)
    assert app.test_client().post("/otp", json={"phone": "+1 650 253 0000"}).status_code == 202
    assert len(sms_inbox("+16502530000")) == 1


def test_the_right_code_signs_in_a_new_citizen(account_app, sms_inbox):
    resp = sign_in(account_app.test_client(), sms_inbox)
    assert resp.status_code == 200
    assert resp.json["phone"] == PHONE
    assert resp.json["role"] == "citizen"
    assert resp.json["profile"] is None and resp.json["profile_complete"] is False
    assert models.User.get(resp.json["user_id"]).phone == PHONE


def test_signing_in_again_finds_the_same_account(account_app, sms_inbox, clock):
    first = sign_in(account_app.test_client(), sms_inbox).json["user_id"]
    clock.advance(seconds=61)
    second = sign_in(account_app.test_client(), sms_inbox).json["user_id"]
    assert first == second
    assert len(list(models.User.scan())) == 1


def test_wrong_codes_count_down_then_lock_the_code_even_for_the_right_answer(account_app, sms_inbox):
    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    right = latest_code(sms_inbox, PHONE)
    wrong = "000000" if right != "000000" else "111111"
    answers = [client.post("/otp/verify", json={"phone": PHONE, "code": wrong}).json["error"] for _ in range(5)]
    assert [a["details"].get("attempts_left") for a in answers[:4]] == [4, 3, 2, 1]
    assert [a["code"] for a in answers] == ["otp_invalid"] * 4 + ["otp_locked"]
    resp = client.post("/otp/verify", json={"phone": PHONE, "code": right})
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "otp_locked")
    assert client.get_cookie("motcua_session") is None


def test_a_code_works_once(account_app, sms_inbox):
    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    body = {"phone": PHONE, "code": latest_code(sms_inbox, PHONE)}
    assert client.post("/otp/verify", json=body).status_code == 200
    again = account_app.test_client().post("/otp/verify", json=body)
    assert (again.status_code, again.json["error"]["code"]) == (400, "otp_expired")


def test_of_two_right_answers_checked_before_either_signs_in_only_one_opens_a_session(account_app, sms_inbox,
                                                                                      monkeypatch):
    from functions.account.otp import PhoneOtp

    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    body = {"phone": PHONE, "code": latest_code(sms_inbox, PHONE)}
    real, checked = PhoneOtp.complete, []

    def both_checked_first(self, claim, now):  # noqa: ANN001, ANN202
        if not checked:  # both answers pass the check before either signs in
            checked.extend([real(self, claim, now), real(self, claim, now)])
        return checked.pop(0)

    monkeypatch.setattr(PhoneOtp, "complete", both_checked_first)
    first = client.post("/otp/verify", json=body)
    second = account_app.test_client().post("/otp/verify", json=body)
    assert first.status_code == 200
    assert (second.status_code, second.json["error"]["code"]) == (400, "otp_expired")
    assert len(list(models.Session.scan())) == 1 and len(list(models.User.scan())) == 1


def test_a_sign_in_the_database_fails_leaves_the_code_unused(account_app, sms_inbox):
    from submit_helpers import drop_table

    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    body = {"phone": PHONE, "code": latest_code(sms_inbox, PHONE)}
    drop_table(models.Session)
    resp = client.post("/otp/verify", json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "dependency_unavailable")
    assert [item.attempts for item in otp_items() if item.key.startswith("code#")] == [0]  # still there, unused
    assert list(models.User.scan()) == []  # no account made either: all or nothing


def test_a_code_expires_after_five_minutes(account_app, sms_inbox, clock):
    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    body = {"phone": PHONE, "code": latest_code(sms_inbox, PHONE)}
    clock.advance(minutes=5)
    resp = client.post("/otp/verify", json=body)
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "otp_expired")


def test_a_new_code_replaces_the_old_one(account_app, sms_inbox, clock):
    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    old = latest_code(sms_inbox, PHONE)
    clock.advance(seconds=60)
    client.post("/otp", json={"phone": PHONE})
    new = latest_code(sms_inbox, PHONE)
    if old != new:
        assert client.post("/otp/verify", json={"phone": PHONE, "code": old}).json["error"]["code"] == "otp_invalid"
    assert client.post("/otp/verify", json={"phone": PHONE, "code": new}).status_code == 200


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"phone": PHONE, "code": "12345"}, "validation_failed", "code"),
    ({"phone": PHONE, "code": 123456}, "validation_failed", "code"),
    ({"phone": PHONE, "code": "١٢٣٤٥٦"}, "validation_failed", "code"),  # Arabic-Indic digits are not ASCII
    ({"code": "123456"}, "validation_failed", "phone"),
    ({"phone": "0243 825 1234", "code": "123456"}, "phone_invalid", None),
])
def test_verify_rejects_malformed_input_without_touching_the_code(account_app, sms_inbox, body, code, field):
    client = account_app.test_client()
    client.post("/otp", json={"phone": PHONE})
    resp = client.post("/otp/verify", json=body)
    assert resp.json["error"]["code"] == code
    if field:
        assert field in resp.json["error"]["details"]["fields"]
    item = next(i for i in otp_items() if i.key.startswith("code#"))
    assert item.attempts == 0


def test_verify_without_any_code_requested_is_expired_not_an_error(account_app):
    resp = account_app.test_client().post("/otp/verify", json={"phone": PHONE, "code": "123456"})
    assert (resp.status_code, resp.json["error"]["code"]) == (400, "otp_expired")


def test_an_sms_outage_answers_503_sms_unavailable(config, stack, clock):
    from functions.account.app import create_app
    from functions.core.adapters.sms import FakeSms

    app = create_app(config, clock=clock, sms=FakeSms(fail=True))
    resp = app.test_client().post("/otp", json={"phone": PHONE})
    assert (resp.status_code, resp.json["error"]["code"]) == (503, "sms_unavailable")


def test_a_thousand_guesses_over_many_codes_never_open_a_session(account_app, sms_inbox, clock):
    """Each code allows 5 tries; even the right code as the 6th try is refused."""
    client = account_app.test_client()
    guesses = 0
    while guesses < 1000:
        sent = client.post("/otp", json={"phone": PHONE})
        if sent.status_code == 429:
            clock.advance(seconds=sent.json["error"]["details"]["retry_after"])
            continue
        right = latest_code(sms_inbox, PHONE)
        wrong = [f"{(int(right) + n) % 1_000_000:06d}" for n in range(1, 6)]
        for guess in [*wrong, right]:
            resp = client.post("/otp/verify", json={"phone": PHONE, "code": guess})
            assert resp.status_code == 400
            guesses += 1
        clock.advance(seconds=60)
    assert client.get_cookie("motcua_session") is None
    assert list(models.Session.scan()) == []
    assert list(models.User.scan()) == []
