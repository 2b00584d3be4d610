"""Pure rules: phone normalisation, code format and digests, limit windows and the SMS text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.core.domain import otp, phone
from functions.core.errors import AppError


@pytest.mark.parametrize("written", [
    "0912 345 678", "0912.345.678", "0912-345-678", "+84 912 345 678", "84912345678", "(+84) 912345678",
    "+84912345678",
])
def test_common_vietnamese_mobile_formats_normalise_to_e164(written):
    assert phone.normalize(written) == "+84912345678"


@pytest.mark.parametrize("written", ["0862 345 678", "0332 345 678", "0702 345 678", "0562 345 678"])
def test_every_mobile_network_prefix_is_accepted(written):
    assert phone.normalize(written).startswith("+84")


@pytest.mark.parametrize(("written", "code"), [
    ("0243 825 1234", "phone_invalid"),
    ("1900 1234", "phone_invalid"),
    ("0912", "phone_invalid"),
    ("abc", "phone_invalid"),
    ("+84 912 345 678 999 999 999 999 999 999", "phone_invalid"),
    ("+1 650 253 0000", "phone_country_not_supported"),
    ("+44 7911 123456", "phone_country_not_supported"),
    # A request's shape is checked against the API document first; here anything else is just not a number.
    ("", "phone_invalid"),
    ("   ", "phone_invalid"),
    (None, "phone_invalid"),
    (84912345678, "phone_invalid"),
])
def test_bad_numbers_raise_their_code(written, code):
    with pytest.raises(AppError) as err:
        phone.normalize(written)
    assert err.value.code == code


def test_the_allow_list_admits_other_countries():
    assert phone.normalize("+1 650 253 0000", ("VN", "US")) == "+16502530000"
    with pytest.raises(AppError):
        phone.normalize("+44 7911 123456", ("VN", "US"))


def test_codes_are_six_digits_and_not_predictable():
    codes = {otp.new_code() for _ in range(2000)}
    assert all(len(c) == 6 and c.isdigit() for c in codes)
    assert len(codes) > 1900


@pytest.mark.parametrize(("code", "ok"), [("012345", True), ("12345", False), ("1234567", False),
                                          ("12345a", False), ("١٢٣٤٥٦", False), (123456, False), (None, False)])
def test_code_format(code, ok):
    assert otp.is_code_format(code) is ok


def test_the_digest_depends_on_key_number_and_code_and_compares_exactly():
    digest = otp.code_digest(b"k" * 32, "+84912345678", "123456")
    assert "123456" not in digest
    assert otp.codes_match(digest, b"k" * 32, "+84912345678", "123456")
    assert not otp.codes_match(digest, b"k" * 32, "+84912345678", "123457")
    assert not otp.codes_match(digest, b"j" * 32, "+84912345678", "123456")
    assert not otp.codes_match(digest, b"k" * 32, "+84987654321", "123456")


def test_the_day_window_follows_vietnam_midnight_not_utc():
    late_evening_utc = datetime(2026, 11, 22, 17, 30, tzinfo=UTC)  # 00:30 on the 23rd in Vietnam
    window = otp.day_window(late_evening_utc)
    assert window.id == "20261123"
    assert window.end == datetime(2026, 11, 23, 17, 0, tzinfo=UTC)


def test_the_hour_window():
    window = otp.hour_window(datetime(2026, 11, 22, 3, 59, 59, tzinfo=UTC))
    assert window.id == "2026112210"
    assert window.end == datetime(2026, 11, 22, 4, 0, tzinfo=UTC)


@pytest.mark.parametrize(("seconds", "wait"), [(40, 40), (39.2, 40), (0.1, 1), (0, 1), (-5, 1)])
def test_waits_round_up_and_are_never_zero(seconds, wait):
    now = datetime(2026, 11, 22, tzinfo=UTC)
    assert otp.seconds_until(now + timedelta(seconds=seconds), now) == wait


def test_the_sms_is_vietnamese_fits_one_segment_and_ends_with_the_webotp_line():
    text = otp.sms_text("123456", "motcua.gov.vn", timedelta(minutes=5))
    assert text.startswith("Ma xac thuc Mot Cua")
    assert text.splitlines()[-1] == "@motcua.gov.vn #123456"
    assert text.isascii() and len(text) <= 160
