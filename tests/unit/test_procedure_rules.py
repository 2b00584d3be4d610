"""Forms, slots and fees are data: the rules that read them, on the shipped procedures."""

from __future__ import annotations

import copy

import pytest

from functions.core.domain.answers import validate
from functions.core.domain.conditions import matches
from functions.core.domain.procedures import catalog, parse

MARITAL, BIRTH, COPY = "marital-status-certificate", "birth-certificate-extract", "certified-copy"


def proc(pid: str):
    return catalog()[pid]


def test_conditions_match_equal_and_listed_values_but_never_a_missing_answer():
    assert matches({"field": "a", "equals": "x"}, {"a": "x"})
    assert not matches({"field": "a", "equals": "x"}, {"a": "y"})
    assert matches({"field": "a", "in": ["x", "y"]}, {"a": "y"})
    assert not matches({"field": "a", "in": ["x"]}, {})
    assert not matches({"field": "a", "equals": 1}, {"a": True})  # JSON true is not 1


@pytest.mark.parametrize(("status", "required"), [
    ("never_married", {"id_card"}),
    ("divorced", {"id_card", "divorce_decision"}),
    ("widowed", {"id_card", "death_certificate"}),
])
def test_marital_status_decides_which_papers_are_required(status, required):
    answers = {"purpose": "loan", "marital_status": status}
    assert {s.id for s in proc(MARITAL).slots.values() if s.required_for(answers)} == required


def test_fee_exemption_makes_the_marital_certificate_free_and_needs_a_proof():
    exempt = {"purpose": "loan", "marital_status": "never_married", "fee_exemption": "poor_household"}
    assert proc(MARITAL).fee_vnd(exempt, {}) == 0
    assert proc(MARITAL).slots["fee_exemption_proof"].required_for(exempt)
    assert proc(MARITAL).fee_vnd({**exempt, "fee_exemption": "none"}, {}) == 3000


@pytest.mark.parametrize(("copies", "pages", "fee"), [
    (1, 1, 2000), (1, 2, 4000), (1, 3, 5000), (2, 5, 14000),
    (1, 300, 200000),  # capped per copy
    (3, 300, 600000),
])
def test_certified_copy_fee_is_per_page_with_a_cap_per_copy(copies, pages, fee):
    assert proc(COPY).fee_vnd({"copies": copies}, {"originals": pages}) == fee


def test_birth_extract_fee_is_per_copy():
    assert proc(BIRTH).fee_vnd({"copies": 3}, {}) == 24000


def test_valid_answers_have_no_errors():
    assert validate(proc(MARITAL).form_schema, {"purpose": "loan", "marital_status": "never_married"}) == {}


def test_each_bad_answer_is_named_with_a_stable_code():
    errors = validate(proc(MARITAL).form_schema, {
        "purpose": "marriage", "marital_status": "complicated", "spouse_name": 5, "extra": "x",
        "intended_spouse_birth_year": 1800,
    })
    assert errors == {
        "answers.extra": "unknown_field",
        "answers.intended_spouse_birth_year": "too_small",
        "answers.intended_spouse_name": "required",
        "answers.intended_spouse_nationality": "required",
        "answers.marital_status": "not_allowed",
        "answers.marriage_place": "required",
        "answers.spouse_name": "invalid_type",
    }


def test_dates_are_checked_for_real():
    answers = {"relationship": "self", "subject_name": "Lê Văn An", "subject_birth_date": "2001-02-30", "copies": 1}
    assert validate(proc(BIRTH).form_schema, answers) == {"answers.subject_birth_date": "bad_format"}


def test_answers_that_are_not_an_object_are_refused():
    assert validate(proc(BIRTH).form_schema, ["x"]) == {"answers": "invalid_type"}


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda r: r["form"]["ui"]["order"].pop(), "ui.order"),
    (lambda r: r["form"]["ui"]["fields"].pop("purpose"), "no ui.fields entry"),
    (lambda r: r["slots"][1].update(required={"field": "nope", "equals": "x"}), "unknown field nope"),
    (lambda r: r["slots"].append(copy.deepcopy(r["slots"][0])), "slot ids must be unique"),
    (lambda r: r["form"]["ui"]["fields"]["purpose"]["options"].pop("loan"), "options must match"),
    (lambda r: r["fee"].update(copies_field="purpose"), "must be an integer field"),
])
def test_a_procedure_file_that_contradicts_itself_is_refused(break_it, message):
    raw = copy.deepcopy(proc(MARITAL).raw)
    break_it(raw)
    with pytest.raises(ValueError, match=message):
        parse(raw)


def test_the_public_shape_has_everything_the_form_needs():
    summary = proc(MARITAL).summary()
    assert summary["form"]["schema"]["type"] == "object"
    assert [s["id"] for s in summary["slots"]][0] == "id_card"
    assert summary["fee_vnd"] == 3000 and summary["result_kinds"] == ["post", "pickup", "electronic"]
