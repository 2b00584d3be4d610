"""Writes pwa/data/communes.json, the offline commune picker's data: `python -m functions.local.communes`.

tests/unit/test_divisions.py fails when the committed file differs from what this would write.
"""

from __future__ import annotations

import json
from pathlib import Path

from functions.core.domain import divisions

TARGET = Path(__file__).resolve().parents[2] / "pwa" / "data" / "communes.json"


def render() -> str:
    """The file's exact text: compact JSON, Vietnamese kept as UTF-8."""
    return json.dumps(divisions.compact_payload(), ensure_ascii=False, separators=(",", ":")) + "\n"


if __name__ == "__main__":
    TARGET.write_text(render(), encoding="utf-8")
    print(f"wrote {TARGET} ({TARGET.stat().st_size} bytes)")
