"""The public procedure catalog served by the submit function."""

from __future__ import annotations


def test_list_procedures_returns_the_catalog_with_the_marital_status_certificate_first(client):
    resp = client("submit").get("/procedures")
    assert resp.status_code == 200
    procs = resp.get_json()["procedures"]
    assert [p["id"] for p in procs] == ["marital-status-certificate", "birth-certificate-extract",
                                        "certified-copy"]
    first = procs[0]
    assert first["name"]["vi"] == "Cấp Giấy xác nhận tình trạng hôn nhân"
    assert first["authority"] == "commune"
    assert isinstance(first["fee_vnd"], int) and first["processing_days"] == 3


def test_catalog_is_public_and_briefly_cacheable(client):
    resp = client("submit").get("/procedures")
    assert resp.headers["Cache-Control"] == "public, max-age=300"


def test_get_procedure_returns_one(client):
    resp = client("submit").get("/procedures/certified-copy")
    assert resp.status_code == 200
    assert resp.get_json()["name"]["vi"] == "Chứng thực bản sao từ bản chính"


def test_unknown_procedure_answers_404_not_found(client):
    resp = client("submit").get("/procedures/does-not-exist")
    assert resp.status_code == 404
    assert resp.get_json()["error"]["code"] == "not_found"


def test_repeated_calls_answer_the_same(client):
    c = client("submit")
    assert c.get("/procedures").get_json() == c.get("/procedures").get_json()
