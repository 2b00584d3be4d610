"""The PWA's procedure rules (pwa/js/procedure-rules.js) against the server's: the same answers and pages
must give the same fee, the same required papers and the same field errors, on the phone and on the server.

The JavaScript runs in Chromium (the module the app itself loads); the Python side is the server's domain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page

from functions.core.domain.answers import validate
from functions.core.domain.procedures import catalog

pytestmark = pytest.mark.browser

RULES_JS = """async ([procedure, answers, pages]) => {
  const rules = await import('/js/procedure-rules.js');
  const clean = rules.cleanAnswers(procedure, answers);
  const slots = Object.fromEntries(procedure.slots.map((slot) => [slot.id, rules.slotRequirement(slot, answers)]));
  const errors = rules.validateAnswers(procedure, clean);
  return { clean, errors, fee: rules.computeFee(procedure, clean, pages), slots };
}"""
# (procedure, answers, pages per slot): ordinary cases, edge cases of each rule, and mistakes people make.
CASES: list[tuple[str, dict[str, Any], dict[str, int]]] = [
    ("marital-status-certificate", {}, {}),
    ("marital-status-certificate", {"purpose": "loan", "marital_status": "never_married", "fee_exemption": "none"}, {}),
    ("marital-status-certificate", {"purpose": "marriage", "marital_status": "divorced"}, {"id_card": 2}),
    ("marital-status-certificate", {
        "purpose": "marriage", "marital_status": "widowed", "intended_spouse_name": "A",
        "intended_spouse_birth_year": 1850, "intended_spouse_nationality": "Việt Nam", "marriage_place": "UB",
    }, {}),
    ("marital-status-certificate", {"purpose": "other", "purpose_other": "xy", "marital_status": "married"}, {}),
    ("marital-status-certificate", {"purpose": "property", "marital_status": "married", "spouse_name": "Trần Văn Minh",
                                    "fee_exemption": "poor_household"}, {}),
    ("marital-status-certificate", {"purpose": "loan", "marital_status": "single"}, {}),
    ("certified-copy", {"copies": 3}, {"originals": 1}),
    ("certified-copy", {"copies": 2}, {"originals": 5}),
    ("certified-copy", {"copies": 1}, {"originals": 400}),
    ("certified-copy", {}, {}),
    ("certified-copy", {"copies": 0, "document_title": "B"}, {"originals": 2}),
    ("birth-certificate-extract", {"relationship": "authorized", "copies": 4}, {}),
    ("birth-certificate-extract", {"relationship": "self", "subject_name": "Lan", "subject_birth_date": "2026-02-30",
                                   "copies": 11}, {}),
]


@pytest.fixture(scope="module")
def app_page(browser: Browser, stack_url: str) -> Iterator[Page]:
    """One page of the app for every case: the rules module is pure, nothing carries over."""
    context = browser.new_context()
    page = context.new_page()
    page.goto(f"{stack_url}/")
    yield page
    context.close()


@pytest.mark.parametrize(("procedure_id", "answers", "pages"), CASES)
def test_phone_and_server_agree_on_fee_papers_and_field_errors(
    app_page: Page, procedure_id: str, answers: dict[str, Any], pages: dict[str, int]
) -> None:
    server = catalog()[procedure_id]
    phone = app_page.evaluate(RULES_JS, [server.summary(), answers, pages])
    assert phone["fee"] == server.fee_vnd(phone["clean"], pages)
    for slot_id, slot in server.slots.items():
        shown_as = phone["slots"][slot_id]
        assert (shown_as == "required") == slot.required_for(answers), slot_id
    assert phone["errors"] == validate(server.form_schema, phone["clean"])
