"""The procedure catalog: one JSON file per procedure in functions/core/procedures/."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

CATALOG_DIR = Path(__file__).resolve().parent.parent / "procedures"


@dataclass(frozen=True)
class Procedure:
    """One administrative procedure ("thủ tục hành chính") as published to citizens."""

    id: str
    code: str | None
    name: dict[str, str]
    authority: str
    fee_vnd: int
    processing_days: int
    postal_delivery: bool
    result_kinds: tuple[str, ...]

    def summary(self) -> dict[str, Any]:
        """The public JSON shape used by listProcedures/getProcedure."""
        return {
            "id": self.id,
            "code": self.code,
            "name": dict(self.name),
            "authority": self.authority,
            "fee_vnd": self.fee_vnd,
            "processing_days": self.processing_days,
            "postal_delivery": self.postal_delivery,
            "result_kinds": list(self.result_kinds),
        }


def parse(raw: dict[str, Any]) -> Procedure:
    """Build a Procedure from one catalog file's data."""
    return Procedure(
        id=raw["id"],
        code=raw.get("code"),
        name=raw["name"],
        authority=raw["authority"],
        fee_vnd=int(raw["fee"]["vnd"]),
        processing_days=int(raw["processing"]["working_days"]),
        postal_delivery=bool(raw["postal_delivery"]),
        result_kinds=tuple(raw["result_kinds"]),
    )


@lru_cache(maxsize=1)
def catalog(directory: Path = CATALOG_DIR) -> dict[str, Procedure]:
    """Every procedure by id, loaded once per process, in a stable order."""
    raws = [json.loads(path.read_text(encoding="utf-8")) | {"_file": path.stem}
            for path in directory.glob("*.json")]
    found = {}
    for raw in sorted(raws, key=lambda r: (r.get("order", 999), r["id"])):
        if raw["id"] != raw["_file"]:
            raise ValueError(f"{raw['_file']}.json: id {raw['id']!r} must match the file name")
        found[raw["id"]] = parse(raw)
    return found
