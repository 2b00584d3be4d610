"""The procedure catalog: one JSON file per procedure in functions/core/procedures/.

Forms, document slots, fees and processing times are data; this module loads them, checks that each
file is consistent with itself, and answers the questions the submission needs (which slots are
required for these answers, what the fee is).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from functions.core.domain.conditions import matches

CATALOG_DIR = Path(__file__).resolve().parent.parent / "procedures"


@dataclass(frozen=True)
class Slot:
    """A document slot: which papers, how many pages, which file kinds, how large."""

    id: str
    raw: dict[str, Any]

    @property
    def min_pages(self) -> int:
        """Fewest pages accepted when the slot is required."""
        return int(self.raw["min_pages"])

    @property
    def max_pages(self) -> int:
        """Most pages accepted."""
        return int(self.raw["max_pages"])

    @property
    def accept(self) -> tuple[str, ...]:
        """Accepted content types, as sniffed from the bytes."""
        return tuple(self.raw["accept"])

    @property
    def max_bytes(self) -> int:
        """Largest upload accepted for one page."""
        return int(self.raw["max_bytes"])

    def required_for(self, answers: dict[str, Any]) -> bool:
        """Whether these answers make the slot required (e.g. a divorce decision only for the divorced)."""
        rule = self.raw["required"]
        return rule if isinstance(rule, bool) else matches(rule, answers)


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure ("thủ tục hành chính") as published to citizens."""

    id: str
    raw: dict[str, Any]

    @property
    def code_prefix(self) -> str:
        """The first part of this procedure's application codes."""
        return str(self.raw["code_prefix"])

    @property
    def name(self) -> dict[str, str]:
        """The name in vi and en."""
        return dict(self.raw["name"])

    @property
    def processing_days(self) -> int:
        """The legal processing time in working days."""
        return int(self.raw["processing"]["working_days"])

    @property
    def online_processing_days(self) -> int | None:
        """A shorter period the commune commits to for applications received online, if it declares one."""
        days = self.raw["processing"].get("online_working_days")
        return None if days is None else int(days)

    def processing_days_for(self, channel: str) -> int:
        """The period that sets an application's due date: the online one for an online application."""
        online = self.online_processing_days
        return online if channel == "online" and online is not None else self.processing_days

    @property
    def result_kinds(self) -> tuple[str, ...]:
        """How the result may reach the citizen: post, pickup, electronic."""
        kinds = tuple(self.raw["result_kinds"])
        return kinds if self.raw["postal_delivery"] else tuple(k for k in kinds if k != "post")

    @property
    def form_schema(self) -> dict[str, Any]:
        """The JSON Schema of the answers."""
        return self.raw["form"]["schema"]

    @property
    def slots(self) -> dict[str, Slot]:
        """Document slots by id, in display order."""
        return {raw["id"]: Slot(raw["id"], raw) for raw in self.raw["slots"]}

    def fee_vnd(self, answers: dict[str, Any], pages: dict[str, int]) -> int:
        """The fee for these answers and page counts (integer VND)."""
        fee = self.raw["fee"]
        for rule in fee["rules"]:
            if matches(rule["when"], answers):
                return int(rule["vnd"])
        per_copy = int(fee["vnd"])
        if fee["per_page"]:
            rule = fee["per_page"]
            count = pages.get(rule["slot"], 0)
            first = min(count, rule["first_pages"])
            per_copy = min(rule["cap_vnd"], first * per_copy + (count - first) * rule["next_vnd"])
        copies = answers.get(fee["copies_field"], 1) if fee["copies_field"] else 1
        return per_copy * max(1, int(copies))

    def summary(self) -> dict[str, Any]:
        """The public JSON shape used by listProcedures/getProcedure (the PWA renders the form from it)."""
        raw = self.raw
        return {
            "id": self.id,
            "code": raw["code"],
            "name": self.name,
            "authority": raw["authority"],
            "fee_vnd": int(raw["fee"]["vnd"]),
            "fee": {key: raw["fee"][key] for key in ("vnd", "copies_field", "per_page", "rules")},
            "processing_days": self.processing_days,
            "online_processing_days": self.online_processing_days,
            "postal_delivery": bool(raw["postal_delivery"]),
            "result_kinds": list(self.result_kinds),
            "form": raw["form"],
            "slots": raw["slots"],
        }


def _consistency_errors(raw: dict[str, Any]) -> list[str]:
    """What makes a (schema-valid) file contradict itself: UI, slots and fee must name real fields."""
    props = raw["form"]["schema"]["properties"]
    ui = raw["form"]["ui"]
    slot_ids = [slot["id"] for slot in raw["slots"]]
    conditions = [f["visible_when"] for f in ui["fields"].values() if "visible_when" in f]
    conditions += [s["required"] for s in raw["slots"] if isinstance(s["required"], dict)]
    conditions += [rule["when"] for rule in raw["fee"]["rules"]]
    errors = []
    if sorted(ui["order"]) != sorted(props):
        errors.append(f"ui.order must list every field exactly once: {sorted(props)}")
    errors += [f"ui.fields.{name} describes no field" for name in ui["fields"] if name not in props]
    errors += [f"field {name} has no ui.fields entry" for name in props if name not in ui["fields"]]
    errors += [f"condition on unknown field {c['field']}" for c in conditions if c["field"] not in props]
    errors += ["slot ids must be unique"] if len(set(slot_ids)) != len(slot_ids) else []
    errors += [f"slot {s['id']}: min_pages > max_pages" for s in raw["slots"] if s["min_pages"] > s["max_pages"]]
    for name, field in ui["fields"].items():
        enum = props.get(name, {}).get("enum")
        if "options" in field and sorted(field["options"]) != sorted(enum or []):
            errors.append(f"ui.fields.{name}.options must match the schema enum")
    copies, per_page = raw["fee"]["copies_field"], raw["fee"]["per_page"]
    if copies and props.get(copies, {}).get("type") != "integer":
        errors.append(f"fee.copies_field {copies} must be an integer field")
    if per_page and per_page["slot"] not in slot_ids:
        errors.append(f"fee.per_page.slot {per_page['slot']} is not a slot")
    online = raw["processing"].get("online_working_days")
    if online is not None and online > raw["processing"]["working_days"]:
        errors.append("processing.online_working_days must not be longer than working_days")
    return errors


def parse(raw: dict[str, Any]) -> Procedure:
    """Build a Procedure from one catalog file's data, refusing a file that contradicts itself."""
    errors = _consistency_errors(raw)
    if errors:
        raise ValueError(f"procedure {raw.get('id')}: " + "; ".join(errors))
    return Procedure(id=raw["id"], raw=raw)


@lru_cache(maxsize=1)
def catalog(directory: Path = CATALOG_DIR) -> dict[str, Procedure]:
    """Every procedure by id, loaded once per process, in a stable order."""
    raws = [json.loads(path.read_text(encoding="utf-8")) | {"_file": path.stem}
            for path in directory.glob("*.json")]
    found = {}
    for raw in sorted(raws, key=lambda r: (r.get("order", 999), r["id"])):
        file = raw.pop("_file")
        if raw["id"] != file:
            raise ValueError(f"{file}.json: id {raw['id']!r} must match the file name")
        found[raw["id"]] = parse(raw)
    return found
