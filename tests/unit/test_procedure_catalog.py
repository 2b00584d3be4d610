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


def _marital() -> dict:
    return json.loads((CATALOG_DIR / "marital-status-certificate.json").read_text())


def test_a_shorter_online_period_sets_online_due_dates_and_the_catalog_shows_both(tmp_path: Path):
    raw = _marital()
    (tmp_path / "marital-status-certificate.json").write_text(json.dumps(raw))
    procedure = catalog.__wrapped__(tmp_path)["marital-status-certificate"]
    assert (procedure.processing_days, procedure.online_processing_days) == (3, 2)
    assert (procedure.processing_days_for("online"), procedure.processing_days_for("counter")) == (2, 3)
    assert procedure.summary()["processing_days"] == 3 and procedure.summary()["online_processing_days"] == 2


def test_without_an_online_period_every_channel_has_the_legal_one(tmp_path: Path):
    raw = _marital()
    del raw["processing"]["online_working_days"], raw["processing"]["online_source"]
    (tmp_path / "marital-status-certificate.json").write_text(json.dumps(raw))
    procedure = catalog.__wrapped__(tmp_path)["marital-status-certificate"]
    assert procedure.processing_days_for("online") == 3 and procedure.summary()["online_processing_days"] is None


def test_an_online_period_needs_its_source_and_may_not_be_longer(tmp_path: Path):
    raw = _marital()
    del raw["processing"]["online_source"]
    with pytest.raises(jsonschema.ValidationError, match="online_source"):
        jsonschema.validate(raw, SCHEMA)
    raw = _marital()
    raw["processing"]["online_working_days"] = 4
    (tmp_path / "marital-status-certificate.json").write_text(json.dumps(raw))
    with pytest.raises(ValueError, match="online_working_days must not be longer"):
        catalog.__wrapped__(tmp_path)
