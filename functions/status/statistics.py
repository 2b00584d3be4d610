"""Statistics ("Thống kê") read from the counter cells: public figures, and the officers' view with their
communes' open and overdue work and each officer's workload. Reads only: the application store writes.

Cost: a province's cells over any months are one Query (paginated), whatever the number of applications.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from datetime import datetime
from typing import Any

from functions.core import models
from functions.core.domain import divisions
from functions.core.domain import stats_report as report
from functions.core.domain.lifecycle import FINAL, STATES
from functions.core.domain.procedures import catalog
from functions.core.domain.stats import COUNTERS, STEP_DAY_BUCKETS, month_of, officer_scope, scope_key
from functions.core.errors import NotFound, ValidationFailed
from functions.core.sessions import Principal

OPEN_STATES = tuple(s for s in STATES if s not in FINAL)
_CELL_FIELDS = ("province_code", "commune_code", "procedure_id", "month", *COUNTERS)
_STEP_FIELDS = tuple(f"step_days_{name}" for name, _, _ in STEP_DAY_BUCKETS)


def public(args: dict[str, str], now: datetime) -> dict[str, Any]:
    """getPublicStatistics: one commune or one province over a range of months; nothing personal."""
    span = report.month_range(args, month_of(now))
    place = _place(args)
    communes = {place["code"]} if place["kind"] == "commune" else None
    body = _body(place, span, read_cells(place["province_code"], span, communes))
    return {**body, "choices": choices(place["province_code"])}


def choices(province: str) -> dict[str, list[list[str]]]:
    """The public page's place picker: every province, and the communes of the one on show (~1 KB gzipped,
    where the full commune list would be ~27 KB)."""
    return {"provinces": [[p.code, p.name] for p in divisions.provinces()],
            "communes": [[c.code, c.name] for c in divisions.communes() if c.province_code == province]}


def for_officer(principal: Principal, args: dict[str, str], now: datetime
                ) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """getOfficerStatistics: the public figures for the caller's communes, their open and overdue work, and
    each officer's workload; also the cells themselves (for the CSV)."""
    span = report.month_range(args, month_of(now))
    place, communes = _officer_place(principal, args)
    if communes is None:  # an admin's province: every cell of it, no filter
        cells = read_cells(place["code"], span)
        shown = sorted({c["commune_code"] for c in cells})
    else:
        provinces = {(divisions.commune(c) or _NOWHERE).province_code for c in communes}
        cells = [cell for province in sorted(provinces) for cell in read_cells(province, span, communes)]
        shown = sorted(communes)
    body = _body(place, span, cells)
    body["communes"] = [{**_commune_facts(code), **open_work(code, now)} for code in shown]
    body["officers"] = workload(shown, span)
    return body, cells


def as_csv(cells: list[dict[str, Any]]) -> str:
    """The counter cells as CSV: one row per month x commune x procedure, a header first, with a BOM."""
    out = io.StringIO()
    out.write("\ufeff")  # Excel reads the Vietnamese names as UTF-8 only with it
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["month", "commune_code", "commune_name", "procedure_id", *COUNTERS])
    for cell in sorted(cells, key=lambda c: (c["month"], c["commune_code"], c["procedure_id"])):
        writer.writerow([cell["month"], cell["commune_code"], _commune_facts(cell["commune_code"])["name"],
                         cell["procedure_id"], *(cell[k] for k in COUNTERS)])
    return out.getvalue()


def read_cells(province: str, span: report.MonthRange, communes: set[str] | None = None) -> list[dict[str, Any]]:
    """The cells of a province (only `communes`, when given) over the months: one paginated Query."""
    cell = models.StatCell.cell
    condition = cell.between(f"{span.first}#", f"{span.last}#~")  # "~" sorts after every commune code
    only = models.StatCell.commune_code.is_in(*sorted(communes)) if communes else None
    return [{name: _plain(getattr(item, name)) for name in _CELL_FIELDS}
            for item in models.StatCell.query(scope_key(province), condition, filter_condition=only)]


def open_work(commune: str, now: datetime) -> dict[str, int]:
    """Open and overdue applications of one commune: COUNT Queries on the commune + status index."""
    index = models.Application.by_commune_status
    open_count = overdue = 0
    for state in OPEN_STATES:
        key = f"{commune}#{state}"
        open_count += index.count(key)
        overdue += index.count(key, models.Application.due_at < now)
    return {"open": open_count, "overdue": overdue}


def workload(communes: list[str], span: report.MonthRange) -> list[dict[str, Any]]:
    """Each officer's steps and the median working days a step took, from the officer cells."""
    sums: dict[str, dict[str, Any]] = defaultdict(lambda: {"steps": 0, **dict.fromkeys(_STEP_FIELDS, 0)})
    cell = models.OfficerCell.cell
    for commune in communes:
        for item in models.OfficerCell.query(officer_scope(commune), cell.between(f"{span.first}#", f"{span.last}#~")):
            row = sums[item.user_id]
            row["name"] = item.officer_name or row.get("name")
            for name in ("steps", *_STEP_FIELDS):
                row[name] += int(getattr(item, name) or 0)
    return [{"user_id": uid, "name": row.get("name"), "steps": row["steps"],
             "median_step_days": report.median_bucket(row),
             "step_days": {report.bucket_label(n): row[f"step_days_{n}"] for n, _, _ in STEP_DAY_BUCKETS}}
            for uid, row in sorted(sums.items(), key=lambda kv: (-kv[1]["steps"], kv[0]))]


def _body(place: dict[str, Any], span: report.MonthRange, cells: list[dict[str, Any]]) -> dict[str, Any]:
    sums = report.total(cells)
    return {
        "place": place, "from": span.first, "to": span.last,
        **report.figures(sums),
        "rates": report.rates(sums, report.fee_procedures_online(catalog().values())),
        "suppressed_below": report.SUPPRESS_BELOW,
        "series": report.series(cells, span.months),
        "processing": report.processing_times(catalog().values()),
    }


def _place(args: dict[str, str]) -> dict[str, Any]:
    """The commune or province asked for (exactly one), as public facts; ValidationFailed otherwise."""
    commune_code, province_code = args.get("commune"), args.get("province")
    if commune_code is None and province_code is None:
        raise ValidationFailed(details={"fields": {"commune": "required"}})
    if commune_code is not None:
        commune = divisions.commune(commune_code)
        if commune is None:
            raise ValidationFailed(details={"fields": {"commune": "commune_unknown"}})
        if province_code is not None and province_code != commune.province_code:
            raise ValidationFailed(details={"fields": {"commune": "commune_not_in_province"}})
        return {"kind": "commune", **_commune_facts(commune.code)}
    province = divisions.province(province_code)  # type: ignore[arg-type]
    if province is None:
        raise ValidationFailed(details={"fields": {"province": "province_unknown"}})
    return {"kind": "province", "code": province.code, "name": province.name, "province_code": province.code,
            "province_name": province.name}


def _officer_place(principal: Principal, args: dict[str, str]) -> tuple[dict[str, Any], set[str] | None]:
    """What an officer (their communes; another's is 404) or an admin (any) asked for, and its communes
    (None: a whole province)."""
    if principal.role == "admin":
        place = _place(args)
        return place, ({place["code"]} if place["kind"] == "commune" else None)
    mine = set(principal.communes)
    if args.get("commune") is not None or args.get("province") is not None:
        place = _place(args)
        if place["kind"] == "commune":
            mine = {place["code"]} & mine
        else:
            mine = {c for c in mine if (divisions.commune(c) or _NOWHERE).province_code == place["code"]}
    if not mine:
        raise NotFound()
    if len(mine) == 1:
        return {"kind": "commune", **_commune_facts(next(iter(mine)))}, mine
    return {"kind": "communes", "code": None, "name": None, "province_code": None, "province_name": None}, mine


class _Nowhere:
    province_code = ""


_NOWHERE = _Nowhere()


def _commune_facts(code: str) -> dict[str, Any]:
    """A commune's public facts: code, name and province."""
    commune = divisions.commune(code)
    province = divisions.province(commune.province_code) if commune else None
    return {"code": code, "name": commune.name if commune else None,
            "province_code": commune.province_code if commune else None,
            "province_name": province.name if province else None}


def _plain(value: Any) -> Any:  # noqa: ANN401
    """A counter as an int (PynamoDB numbers may come back as floats), text unchanged."""
    if isinstance(value, float):
        return int(value)
    return 0 if value is None else value
