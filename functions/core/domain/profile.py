"""The citizen's profile: server-side validation with one stable code per field. Pure."""

from __future__ import annotations

import re
import unicodedata
from datetime import date
from typing import Any

from functions.core.domain import divisions
from functions.core.errors import ValidationFailed

MIN_AGE, MAX_AGE = 14, 120  # a CCCD is issued from 14
# Province codes that open a CCCD number: the 63 pre-2025 provinces (Circular 07/2016/TT-BCA, annex).
# Numbers issued before the 2025 merger keep their prefix, so the old codes stay valid.
CCCD_PROVINCES = frozenset(
    "001 002 004 006 008 010 011 012 014 015 017 019 020 022 024 025 026 027 030 031 033 034 035 036 "
    "037 038 040 042 044 045 046 048 049 051 052 054 056 058 060 062 064 066 067 068 070 072 074 075 "
    "077 079 080 082 083 084 086 087 089 091 092 093 094 095 096".split()
)
FIELDS = ("full_name", "date_of_birth", "citizen_id", "permanent_residence", "current_address")
_NAME_PUNCTUATION = frozenset(" '-.")


def validate(raw: dict[str, Any], today: date) -> dict[str, Any]:
    """A clean profile, or ValidationFailed whose details.fields maps each bad field to a code."""
    errors: dict[str, str] = {f: "unknown_field" for f in raw if f not in FIELDS}
    clean: dict[str, Any] = {}
    for name, check in (("full_name", _full_name), ("date_of_birth", _birth_date),
                        ("permanent_residence", _place), ("current_address", _address)):
        value = _run(check, raw.get(name), today)
        if isinstance(value, _Bad):
            errors.update({f"{name}{sub}": code for sub, code in value.codes.items()})
        else:
            clean[name] = value
    citizen_id = _citizen_id(raw.get("citizen_id"), clean.get("date_of_birth"))
    if isinstance(citizen_id, _Bad):
        errors.update({f"citizen_id{sub}": code for sub, code in citizen_id.codes.items()})
    else:
        clean["citizen_id"] = citizen_id
    if errors:
        raise ValidationFailed(details={"fields": errors})
    clean["date_of_birth"] = clean["date_of_birth"].isoformat()
    return clean


class _Bad:
    """Field codes keyed by sub-path ("" for the field itself, ".commune_code" for a part)."""

    def __init__(self, codes: dict[str, str]) -> None:
        self.codes = codes


def _bad(code: str, sub: str = "") -> _Bad:
    return _Bad({sub: code})


def _run(check: Any, value: Any, today: date) -> Any:
    if value is None or value == "":
        return _bad("required")
    return check(value, today)


def _text(value: Any, low: int, high: int) -> str | _Bad:
    if not isinstance(value, str):
        return _bad("invalid_type")
    text = " ".join(unicodedata.normalize("NFC", value).split())
    if not text:
        return _bad("required")
    if any(unicodedata.category(ch).startswith("C") for ch in text):
        return _bad("invalid_characters")
    if len(text) < low:
        return _bad("too_short")
    if len(text) > high:
        return _bad("too_long")
    return text


def _full_name(value: Any, today: date) -> str | _Bad:
    text = _text(value, 2, 100)
    if isinstance(text, _Bad):
        return text
    if not all(ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch) == "Mn" for ch in text):
        return _bad("invalid_characters")
    return text


def _birth_date(value: Any, today: date) -> date | _Bad:
    if not isinstance(value, str):
        return _bad("invalid_type")
    if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", value):
        return _bad("invalid_date")
    try:
        born = date.fromisoformat(value)
    except ValueError:
        return _bad("invalid_date")
    if born > today:
        return _bad("in_future")
    age = today.year - born.year - ((today.month, today.day) < (born.month, born.day))
    if age < MIN_AGE:
        return _bad("too_young")
    if age > MAX_AGE:
        return _bad("too_old")
    return born


def _citizen_id(value: Any, born: date | None) -> str | _Bad:
    if value is None or value == "":
        return _bad("required")
    if not isinstance(value, str):
        return _bad("invalid_type")
    digits = value.replace(" ", "")
    if not re.fullmatch(r"[0-9]{12}", digits):
        return _bad("citizen_id_format")
    if digits[:3] not in CCCD_PROVINCES:
        return _bad("citizen_id_province")
    if born is not None and birth_year_from_citizen_id(digits) != born.year:
        return _bad("citizen_id_dob_mismatch")
    return digits


def birth_year_from_citizen_id(digits: str) -> int:
    """Digit 4 encodes century and sex (0/1: 1900s, 2/3: 2000s, …, 8/9: 1800s); digits 5-6 the year."""
    century = {0: 1900, 1: 1900, 2: 2000, 3: 2000, 4: 2100, 5: 2100, 6: 2200, 7: 2200, 8: 1800, 9: 1800}
    return century[int(digits[3])] + int(digits[4:6])


def _place(value: Any, today: date, *, extra: tuple[str, ...] = ()) -> dict[str, str] | _Bad:
    if not isinstance(value, dict):
        return _bad("invalid_type")
    codes = {f".{k}": "unknown_field" for k in value if k not in ("province_code", "commune_code", *extra)}
    province_code, commune_code = value.get("province_code"), value.get("commune_code")
    province = divisions.province(province_code) if province_code else None
    commune = divisions.commune(commune_code) if commune_code else None
    if not province_code:
        codes[".province_code"] = "required"
    elif province is None:
        codes[".province_code"] = "province_unknown"
    if not commune_code:
        codes[".commune_code"] = "required"
    elif commune is None:
        codes[".commune_code"] = "commune_unknown"
    elif province is not None and commune.province_code != province.code:
        codes[".commune_code"] = "commune_not_in_province"
    if codes:
        return _Bad(codes)
    return {"province_code": province.code, "commune_code": commune.code}


def _address(value: Any, today: date) -> dict[str, str] | _Bad:
    place = _place(value, today, extra=("street",))
    codes = dict(place.codes) if isinstance(place, _Bad) else {}
    street = _text(value.get("street") if isinstance(value, dict) else None, 3, 200)
    if isinstance(value, dict):
        if value.get("street") in (None, ""):
            codes[".street"] = "required"
        elif isinstance(street, _Bad):
            codes[".street"] = street.codes[""]
    if codes:
        return _Bad(codes)
    return {**place, "street": street}


def is_complete(profile: dict[str, Any] | None) -> bool:
    """True when every field is present (the stored profile was validated as a whole)."""
    return bool(profile) and all(profile.get(f) for f in FIELDS)


def check_address(value: Any, today: date) -> tuple[dict[str, str] | None, dict[str, str]]:
    """A postal address checked like the profile's current address: (clean, {".sub.path": code})."""
    result = _address(value, today)
    if isinstance(result, _Bad):
        return None, dict(result.codes)
    return result, {}
