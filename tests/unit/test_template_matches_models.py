"""Every PynamoDB model has its table, keys, indexes and TTL in infra/template.yaml, and back."""

from __future__ import annotations

import pytest
from pynamodb.attributes import NumberAttribute, TTLAttribute

from functions.core import models
from functions.local.emulator import load_template

TEMPLATE = load_template()
TABLES = {
    res["Properties"]["TableName"]["Fn::Sub"].removeprefix("motcua-${Stage}-"): res["Properties"]
    for res in TEMPLATE["Resources"].values()
    if res["Type"] == "AWS::DynamoDB::Table"
}


def _dynamo_type(model, name: str) -> str:
    attr = model.get_attributes()[name]
    return "N" if isinstance(attr, NumberAttribute | TTLAttribute) else "S"


def _keys(schema: list[dict]) -> dict[str, str]:
    return {k["KeyType"]: k["AttributeName"] for k in schema}


def test_every_model_has_a_table_and_every_table_a_model():
    assert {m.short_name for m in models.ALL_MODELS} == set(TABLES)


@pytest.mark.parametrize("model", models.ALL_MODELS, ids=lambda m: m.__name__)
def test_table_keys_match_the_model(model):
    table = TABLES[model.short_name]
    expected = {"HASH": model._hash_keyname}
    if model._range_keyname:
        expected["RANGE"] = model._range_keyname
    assert _keys(table["KeySchema"]) == expected
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    for name in expected.values():
        assert types[name] == _dynamo_type(model, name)


@pytest.mark.parametrize("model", models.ALL_MODELS, ids=lambda m: m.__name__)
def test_indexes_match_the_model(model):
    table = TABLES[model.short_name]
    in_template = {g["IndexName"]: g for g in table.get("GlobalSecondaryIndexes", [])}
    in_model = {idx.Meta.index_name: idx for idx in model._indexes.values()}
    assert set(in_template) == set(in_model)
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    for name, index in in_model.items():
        schema = index._get_schema()
        assert _keys(in_template[name]["KeySchema"]) == _keys(schema["key_schema"]), name
        assert in_template[name]["Projection"] == schema["projection"], name
        for attr in schema["attribute_definitions"]:
            assert types[attr["AttributeName"]] == attr["AttributeType"], name


@pytest.mark.parametrize("model", models.ALL_MODELS, ids=lambda m: m.__name__)
def test_ttl_attribute_matches_the_model(model):
    ttl = [n for n, a in model.get_attributes().items() if isinstance(a, TTLAttribute)]
    spec = TABLES[model.short_name].get("TimeToLiveSpecification")
    if ttl:
        assert spec == {"AttributeName": ttl[0], "Enabled": True}
    else:
        assert spec is None
