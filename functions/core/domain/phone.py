"""Phone numbers: every common way of writing a mobile number becomes one E.164 string."""

from __future__ import annotations

import phonenumbers
from phonenumbers import PhoneNumberType

from functions.core.errors import PhoneCountryNotSupported, PhoneInvalid

MAX_INPUT = 32
_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


def normalize(raw: object, countries: tuple[str, ...] = ("VN",)) -> str:
    """E.164 for a mobile number from an allowed country; typed errors otherwise.

    Numbers without a country code are read as Vietnamese ("0912 345 678", "84912345678"). The request's
    shape (a string of 1 to 32 characters) is checked against the API document before this runs.
    """
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_INPUT:
        raise PhoneInvalid()
    try:
        number = phonenumbers.parse(raw, "VN")
    except phonenumbers.NumberParseException as exc:
        raise PhoneInvalid() from exc
    if not phonenumbers.is_valid_number(number):
        raise PhoneInvalid()
    if phonenumbers.region_code_for_number(number) not in countries:
        raise PhoneCountryNotSupported(details={"allowed": list(countries)})
    if phonenumbers.number_type(number) not in _MOBILE:
        raise PhoneInvalid()  # landlines and 1900/1800 numbers cannot receive our SMS
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def last_digits(phone: str, count: int = 4) -> str:
    """The tail of a number, for showing "…5678" without the rest."""
    return phone[-count:]
