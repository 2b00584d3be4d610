"""The one OpenAPI document and the Flask routes agree, both ways."""

from __future__ import annotations

import re

from functions.core import openapi
from functions.core.config import FUNCTIONS, load
from functions.local.devserver import create_root_app


def _routes(app, prefix: str) -> set[tuple[str, str]]:
    found = set()
    for rule in app.url_map.iter_rules():
        path = prefix + re.sub(r"<(?:[^:>]+:)?([^>]+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            found.add((method, path))
    return found


def _all_routes(make_app) -> set[tuple[str, str]]:
    routes = set()
    for fn in FUNCTIONS:
        routes |= _routes(make_app(fn), f"/api/{fn}")
    root = {r for r in _routes(create_root_app(load()), "") if r[1].startswith("/api/openapi")}
    return routes | root


def test_every_route_is_documented_and_every_operation_has_a_route(make_app):
    documented = set(openapi.operations())
    routes = _all_routes(make_app)
    assert routes - documented == set(), "routes missing from functions/core/openapi.json"
    assert documented - routes == set(), "documented operations without a route"


def test_operation_ids_are_unique_and_stable_identifiers():
    ids = list(openapi.operations().values())
    assert len(ids) == len(set(ids))
    assert all(re.fullmatch(r"[a-z][A-Za-z0-9]+", i) for i in ids)


def test_document_is_openapi_3_1_and_every_error_uses_the_error_shape():
    doc = openapi.document()
    assert doc["openapi"].startswith("3.1")
    error = doc["components"]["schemas"]["Error"]["properties"]["error"]
    assert error["required"] == ["code", "message", "details"]
