"""Statistics over the counter cells: the public figures (no cookie) and the officers' view with CSV export."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import boto3
import pytest
from submit_helpers import HOME_COMMUNE, OTHER_COMMUNE, as_user, client_of

from functions.account import users
from functions.core import models
from functions.core.domain.stats import cell_key, officer_cell, officer_scope, scope_key

PROVINCE = "33"  # Hưng Yên: HOME_COMMUNE's province
NEIGHBOUR = "11953"  # another commune of the same province
PERSONAL = ("+849", "user_id", "applicant", "phone", "full_name", "MARITAL")


def seed(commune: str, month: str, procedure: str = "marital-status-certificate", province: str = PROVINCE,
         **counts: int) -> None:
    """One counter cell, written as the application store writes it."""
    models.StatCell(scope_key(province), cell_key(month, commune, procedure), province_code=province,
                    commune_code=commune, procedure_id=procedure, month=month, **counts).save()


def seed_officer(commune: str, month: str, user_id: str, name: str | None = None, **counts: int) -> None:
    """One officer workload cell."""
    models.OfficerCell(officer_scope(commune), officer_cell(month, user_id), commune_code=commune, month=month,
                       user_id=user_id, officer_name=name, **counts).save()


@pytest.fixture
def public(status_app):  # noqa: ANN001, ANN201
    """An anonymous browser: no cookie at all."""
    return status_app.test_client()


@pytest.fixture
def admin(status_app, submit_config, clock):  # noqa: ANN001, ANN201
    """A signed-in admin on the status app."""
    return client_of(status_app, submit_config, users.upsert_staff("+84912000109", "admin", [], clock.current),
                     clock.current)


def test_anyone_reads_a_communes_figures_without_a_cookie_and_may_cache_them_a_minute(public):
    seed(HOME_COMMUNE, "2026-10", received_online=6, received_counter=2, decided=5, on_time=4, late=1,
         fee_bearing=6, paid_online=3, paid_counter=3, rating_5=4, rating_4=1, rating_2=1, decision_working_days=11)
    resp = public.get(f"/statistics?commune={HOME_COMMUNE}&month=2026-10")
    assert resp.status_code == 200
    assert resp.headers["Cache-Control"] == "public, max-age=60" and "Set-Cookie" not in resp.headers
    body = resp.json
    assert body["place"] == {"kind": "commune", "code": HOME_COMMUNE, "name": "Xã Kiến Xương",
                             "province_code": PROVINCE, "province_name": "Hưng Yên"}
    assert (body["received"], body["decided"], body["on_time"], body["late"]) == (8, 5, 4, 1)
    assert (body["fee_bearing"], body["paid_online"], body["paid_at_counter"]) == (6, 3, 3)
    assert body["ratings"] == {"1": 0, "2": 1, "3": 0, "4": 1, "5": 4}
    rates = body["rates"]
    assert rates["satisfied"]["value"] == 0.8333 and rates["satisfied"]["met"] is False
    assert rates["paid_online"]["value"] == 0.5 and rates["paid_online"]["met"] is True
    assert rates["fully_online"]["value"] == 0.75 and rates["on_time"]["value"] == 0.8
    assert rates["average_decision_days"]["value"] == 2.2
    assert rates["fee_procedures_online"]["value"] == 1.0
    assert [m["month"] for m in body["series"]] == ["2026-10"]
    assert ["33", "Hưng Yên"] in body["choices"]["provinces"] and len(body["choices"]["provinces"]) == 34
    assert [HOME_COMMUNE, "Xã Kiến Xương"] in body["choices"]["communes"]
    assert all(code.startswith("1") for code, _ in body["choices"]["communes"])


def test_nothing_personal_is_in_the_public_answer(public, filed):  # noqa: ARG001
    text = public.get(f"/statistics?commune={HOME_COMMUNE}").get_data(as_text=True)
    assert not any(marker in text for marker in PERSONAL)
    assert filed not in text


def test_a_province_sums_its_communes_over_the_months_and_nothing_else(public):
    seed(HOME_COMMUNE, "2026-10", received_online=2)
    seed(NEIGHBOUR, "2026-11", received_online=3, procedure="certified-copy")
    seed(HOME_COMMUNE, "2024-01", received_online=100)  # outside the last 12 months
    seed("00004", "2026-10", province="01", received_online=50)  # another province
    body = public.get(f"/statistics?province={PROVINCE}").json
    assert body["received"] == 5 and (body["from"], body["to"]) == ("2025-12", "2026-11")
    assert [m["received"] for m in body["series"]][-2:] == [2, 3] and len(body["series"]) == 12
    assert public.get(f"/statistics?commune={NEIGHBOUR}").json["received"] == 3


def test_small_cells_show_rates_as_under_five_and_counts_exactly(public):
    seed(HOME_COMMUNE, "2026-11", received_online=1, on_time=1, paid_counter=2, rating_1=1)
    body = public.get(f"/statistics?commune={HOME_COMMUNE}&month=2026-11").json
    assert (body["received"], body["on_time"], body["paid_at_counter"], body["ratings"]["1"]) == (1, 1, 2, 1)
    for name in ("satisfied", "paid_online", "fully_online", "on_time", "average_decision_days"):
        assert body["rates"][name]["value"] == "<5"
    assert body["series"][0]["on_time_rate"] == "<5"


def test_a_change_shows_at_once_and_repeated_reads_agree(public):
    path = f"/statistics?commune={HOME_COMMUNE}"
    first, again = public.get(path).json, public.get(path).json
    assert first == again and first["received"] == 0
    seed(HOME_COMMUNE, "2026-11", received_online=7)
    assert public.get(path).json["received"] == 7


@pytest.mark.parametrize(("query", "fields"), [
    ("commune=1234", {"commune": "bad_format"}),
    ("commune=99999", {"commune": "commune_unknown"}),
    ("province=3", {"province": "bad_format"}),
    ("province=99", {"province": "province_unknown"}),
    ("", {"commune": "required"}),
    (f"commune={HOME_COMMUNE}&province=01", {"commune": "commune_not_in_province"}),
    (f"commune={HOME_COMMUNE}&month=2026-13", {"month": "bad_format"}),
    (f"commune={HOME_COMMUNE}&month=2026-12", {"month": "in_future"}),
    (f"commune={HOME_COMMUNE}&from=2024-11&to=2026-11", {"from": "range_too_long"}),
    (f"commune={HOME_COMMUNE}&from=2026-05&to=2026-04", {"from": "range_reversed"}),
    (f"commune={HOME_COMMUNE}&month=2026-05&to=2026-06", {"month": "not_with_range"}),
])
def test_bad_input_is_400_with_field_codes(public, query, fields):
    resp = public.get(f"/statistics?{query}")
    assert resp.status_code == 400
    assert resp.json["error"]["code"] == "validation_failed" and resp.json["error"]["details"]["fields"] == fields


def test_a_missing_statistics_table_is_503(public, submit_config):
    boto3.client("dynamodb", region_name=submit_config.region).delete_table(
        TableName=submit_config.table_name("stats"))
    resp = public.get(f"/statistics?commune={HOME_COMMUNE}")
    assert resp.status_code == 503 and resp.json["error"]["code"] == "dependency_unavailable"
    assert resp.json["error"]["details"] == {"service": "dynamodb", "reason": "table_missing"}


def test_an_officer_sees_their_commune_with_open_and_overdue_work_and_each_officers_workload(
        officer, filed, clock):  # noqa: ARG001
    seed(HOME_COMMUNE, "2026-10", received_online=5, decided=5, on_time=5)
    seed(NEIGHBOUR, "2026-10", received_online=40)  # not this officer's commune
    seed_officer(HOME_COMMUNE, "2026-10", "u-a", "Nguyễn Văn A", steps=3, step_days_0=1, step_days_4_5=2)
    seed_officer(HOME_COMMUNE, "2026-10", "u-b", None, steps=1, step_days_1=1)
    seed_officer(NEIGHBOUR, "2026-10", "u-c", "Other", steps=9, step_days_0=9)
    body = officer.get("/officer/statistics?month=2026-10").json
    assert body["place"]["code"] == HOME_COMMUNE and body["received"] == 5
    assert body["communes"] == [{"code": HOME_COMMUNE, "name": "Xã Kiến Xương", "province_code": PROVINCE,
                                 "province_name": "Hưng Yên", "open": 1, "overdue": 0}]
    assert body["officers"] == [
        {"user_id": "u-a", "name": "Nguyễn Văn A", "steps": 3, "median_step_days": "4-5",
         "step_days": {"0": 1, "1": 0, "2": 0, "3": 0, "4-5": 2, "6-10": 0, "11+": 0}},
        {"user_id": "u-b", "name": None, "steps": 1, "median_step_days": "1",
         "step_days": {"0": 0, "1": 1, "2": 0, "3": 0, "4-5": 0, "6-10": 0, "11+": 0}},
    ]
    clock.advance(days=10)  # past the due date (2026-11-27)
    again = officer.get(f"/officer/statistics?commune={HOME_COMMUNE}&month=2026-10").json
    assert again["communes"][0]["overdue"] == 1 and again["communes"][0]["open"] == 1


def test_an_officer_asking_for_another_commune_or_province_gets_404(officer, far_officer):
    for who, query in ((officer, f"commune={OTHER_COMMUNE}"), (officer, "province=01"),
                       (far_officer, f"commune={HOME_COMMUNE}")):
        resp = who.get(f"/officer/statistics?{query}")
        assert resp.status_code == 404 and resp.json["error"]["code"] == "not_found"
    assert officer.get(f"/officer/statistics?province={PROVINCE}").json["place"]["code"] == HOME_COMMUNE


def test_a_citizen_is_refused_and_a_stranger_must_sign_in(citizen, status_app, public):
    resp = as_user(status_app, citizen).get("/officer/statistics")
    assert resp.status_code == 403 and resp.json["error"]["code"] == "forbidden"
    assert public.get("/officer/statistics").status_code == 401


def test_an_admin_reads_any_province_with_its_active_communes(admin):
    seed(HOME_COMMUNE, "2026-11", received_online=2)
    seed(NEIGHBOUR, "2026-11", received_counter=3)
    body = admin.get(f"/officer/statistics?province={PROVINCE}").json
    assert body["received"] == 5 and [c["code"] for c in body["communes"]] == [NEIGHBOUR, HOME_COMMUNE]
    resp = admin.get("/officer/statistics")
    assert resp.status_code == 400 and resp.json["error"]["details"]["fields"] == {"commune": "required"}


def test_officer_bad_input_is_400_with_field_codes(officer):
    resp = officer.get(f"/officer/statistics?commune={HOME_COMMUNE}&from=2020-01&to=2026-11")
    assert resp.status_code == 400 and resp.json["error"]["details"]["fields"] == {"from": "range_too_long"}
    resp = officer.get("/officer/statistics?format=pdf")
    assert resp.status_code == 400 and resp.json["error"]["details"]["fields"] == {"format": "not_allowed"}


def test_the_csv_export_has_a_header_row_and_vietnamese_names(officer):
    seed(HOME_COMMUNE, "2026-10", received_online=5, paid_online=2)
    seed(HOME_COMMUNE, "2026-09", received_counter=1, procedure="certified-copy")
    resp = officer.get("/officer/statistics?format=csv")
    assert resp.status_code == 200 and resp.headers["Content-Type"] == "text/csv; charset=utf-8"
    assert resp.headers["Content-Disposition"] == 'attachment; filename="thong-ke-2025-12-2026-11.csv"'
    text = resp.data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert [(r["month"], r["commune_name"], r["procedure_id"]) for r in rows] == [
        ("2026-09", "Xã Kiến Xương", "certified-copy"), ("2026-10", "Xã Kiến Xương", "marital-status-certificate")]
    assert rows[1]["received_online"] == "5" and rows[1]["paid_online"] == "2" and rows[0]["rating_5"] == "0"


def test_the_clock_month_is_vietnam_time(public, clock):
    clock.current = datetime.fromisoformat("2026-11-30T18:00:00+00:00")  # already 1 December in Vietnam
    assert public.get(f"/statistics?commune={HOME_COMMUNE}&month=2026-12").status_code == 200


def test_the_officer_view_answers_the_same_twice_and_503_without_its_table(officer, submit_config):
    seed(HOME_COMMUNE, "2026-11", received_online=3)
    first, again = officer.get("/officer/statistics").json, officer.get("/officer/statistics").json
    assert first == again and first["received"] == 3
    boto3.client("dynamodb", region_name=submit_config.region).delete_table(
        TableName=submit_config.table_name("stats"))
    resp = officer.get("/officer/statistics?format=csv")
    assert resp.status_code == 503 and resp.json["error"]["code"] == "dependency_unavailable"
