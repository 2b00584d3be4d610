"""The procedure catalog is data: every file is valid and loads into the domain."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from functions.core.domain.procedures import CATALOG_DIR, catalog

SCHEMA = json.loads((CATALOG_DIR.parent / "procedure.schema.json").read_text())
FILES = sorted(CATALOG_DIR.glob("*.json"))


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_procedure_file_matches_the_schema(path):
    jsonschema.validate(json.loads(path.read_text()), SCHEMA)


def test_the_three_launch_procedures_are_shipped():
    assert set(catalog()) == {"marital-status-certificate", "birth-certificate-extract", "certified-copy"}


def test_fees_and_times_cite_their_source():
    for path in FILES:
        raw = json.loads(path.read_text())
        assert raw["fee"]["source"].strip() and raw["processing"]["source"].strip()


def test_a_file_whose_id_differs_from_its_name_is_refused(tmp_path: Path):
    raw = json.loads(FILES[0].read_text())
    (tmp_path / "other-name.json").write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="must match the file name"):
        catalog.__wrapped__(tmp_path)
