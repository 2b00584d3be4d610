"""Administrative units after the 2025 reform, the PWA's copy of them, and CCCD rules."""

from __future__ import annotations

import json
from datetime import date

import pytest

from functions.core.domain import divisions
from functions.core.domain import profile as rules
from functions.core.errors import ValidationFailed
from functions.local import communes


def test_there_are_34_provinces_and_3321_communes():
    assert len(divisions.provinces()) == 34
    assert len(divisions.communes()) == 3321
    assert divisions.province("01").name == "Thành phố Hà Nội"
    assert divisions.commune("13075") == divisions.Commune("13075", "Xã Kiến Xương", "33")


def test_unknown_or_non_string_codes_are_none():
    assert divisions.province("99") is None
    assert divisions.commune(13075) is None


def test_the_pwa_commune_file_is_exactly_what_the_generator_writes():
    assert communes.TARGET.read_text(encoding="utf-8") == communes.render(), \
        "run: python -m functions.local.communes"
    data = json.loads(communes.TARGET.read_text(encoding="utf-8"))
    assert len(data["provinces"]) == 34 and len(data["communes"]) == 3321


def test_the_cccd_province_list_has_the_63_pre_reform_provinces():
    assert len(rules.CCCD_PROVINCES) == 63
    assert {"001", "079", "096"} <= rules.CCCD_PROVINCES


@pytest.mark.parametrize(("digits", "year"), [
    ("034198001234", 1998), ("034098001234", 1998), ("001203001234", 2003), ("001303001234", 2003),
    ("001899001234", 1899),
])
def test_the_birth_year_in_a_cccd_number(digits, year):
    assert rules.birth_year_from_citizen_id(digits) == year


def test_the_age_limits_use_the_exact_birthday():
    base = {
        "full_name": "Lê Văn Minh", "citizen_id": "001212001234",
        "permanent_residence": {"province_code": "01", "commune_code": "00004"},
        "current_address": {"province_code": "01", "commune_code": "00004", "street": "Số 1 Phố Huế"},
    }
    today = date(2026, 11, 22)
    assert rules.validate({**base, "date_of_birth": "2012-11-22"}, today)["date_of_birth"] == "2012-11-22"
    with pytest.raises(ValidationFailed) as err:
        rules.validate({**base, "date_of_birth": "2012-11-23"}, today)
    assert err.value.details["fields"] == {"date_of_birth": "too_young"}


def test_is_complete():
    assert not rules.is_complete(None)
    assert not rules.is_complete({"full_name": "A"})
