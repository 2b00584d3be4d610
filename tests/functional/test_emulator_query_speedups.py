"""The emulator's DynamoDB patches (functions/local/speedups_dynamodb.py, speedups_expressions.py) change no
answer.

Each test plays one script of DynamoDB calls through boto3 twice, against stock moto and against moto
with the patch, and compares every answer (or error code and message) and the tables left behind.
"""

from __future__ import annotations

import pickle
from collections.abc import Callable
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from functions.local import speedups, speedups_dynamodb, speedups_expressions

REGION = "ap-southeast-1"
Script = Callable[["Recorder"], None]


class Recorder:
    """Calls the client and keeps every answer, or the error's code and message (or moto's exception)."""

    def __init__(self, client: Any) -> None:
        self.client, self.answers = client, []

    def __call__(self, operation: str, **params: Any) -> Any:
        try:
            answer = getattr(self.client, operation)(**params)
        except ClientError as exc:
            answer = {"error": exc.response["Error"].get("Code"), "message": exc.response["Error"].get("Message"),
                      "reasons": exc.response.get("CancellationReasons")}
        except Exception as exc:  # noqa: BLE001 (stock moto raises some errors unmapped: they must match too)
            answer = {"crash": type(exc).__name__, "message": str(exc)}
        answer.pop("ResponseMetadata", None)
        self.answers.append((operation, answer))
        return answer

    def query_pages(self, **params: Any) -> list[Any]:
        """Every page of a query, following LastEvaluatedKey."""
        pages = [self("query", **params)]
        while "LastEvaluatedKey" in pages[-1]:
            pages.append(self("query", **params, ExclusiveStartKey=pages[-1]["LastEvaluatedKey"]))
        return pages


def _tables(client: Any) -> None:
    """Events-like (hash + range, a GSI with a range key, a sparse one, one with a number hash key, one with
    no range key) and applications-like (hash only, a GSI on owner)."""
    s, n = "S", "N"
    client.create_table(
        TableName="events", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": t} for a, t in
                              (("app", s), ("eid", s), ("user", s), ("at", s), ("outbox", s), ("due", s),
                               ("rank", n))],
        KeySchema=[{"AttributeName": "app", "KeyType": "HASH"}, {"AttributeName": "eid", "KeyType": "RANGE"}],
        GlobalSecondaryIndexes=[
            _gsi("by_user", "user", "at", "ALL"), _gsi("by_outbox", "outbox", "due", "KEYS_ONLY"),
            _gsi("by_rank", "rank", None, "ALL"), _gsi("by_user_only", "user", None, "KEYS_ONLY")])
    client.create_table(
        TableName="apps", BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": a, "AttributeType": s} for a in ("id", "owner", "at")],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[_gsi("by_owner", "owner", "at", "ALL")])


def _gsi(name: str, hash_key: str, range_key: str | None, projection: str) -> dict[str, Any]:
    schema = [{"AttributeName": hash_key, "KeyType": "HASH"}]
    if range_key:
        schema.append({"AttributeName": range_key, "KeyType": "RANGE"})
    return {"IndexName": name, "KeySchema": schema, "Projection": {"ProjectionType": projection}}


def _event(app: int, k: int, **extra: Any) -> dict[str, Any]:
    item = {"app": {"S": f"a{app}"}, "eid": {"S": f"e{k:03d}"}, "user": {"S": f"u{app % 3}"},
            "at": {"S": f"2026-11-{1 + (app * 7 + k) % 28:02d}"}, "rank": {"N": str(k % 4)},
            "body": {"S": "x" * (k % 5)}}
    if k % 3 == 0:  # sparse: only some events are in the outbox
        item.update(outbox={"S": "pending"}, due={"S": f"2026-12-{1 + k % 9:02d}"})
    item.update(extra)
    return item


def _seed(r: Recorder) -> None:
    _tables(r.client)
    for app in range(6):
        r.client.put_item(TableName="apps", Item={"id": {"S": f"a{app}"}, "owner": {"S": f"u{app % 3}"},
                                                  "at": {"S": f"2026-11-{10 + app}"}, "v": {"N": "1"}})
        for k in range(9):
            r.client.put_item(TableName="events", Item=_event(app, k))
    r.client.put_item(TableName="events", Item={"app": {"S": "a9"}, "eid": {"S": "e000"}})  # in no index


def _queries(r: Recorder) -> None:
    """Every query shape the patch touches, on the table and each index, both directions, paged."""
    for forward in (True, False):
        for limit in (1, 2, 4, 100):
            common = {"ScanIndexForward": forward, "Limit": limit}
            r.query_pages(TableName="events", KeyConditionExpression="app = :a",
                          ExpressionAttributeValues={":a": {"S": "a1"}}, **common)
            r.query_pages(TableName="events", IndexName="by_user", KeyConditionExpression="#u = :u AND #t > :t",
                          ExpressionAttributeNames={"#u": "user", "#t": "at"},
                          ExpressionAttributeValues={":u": {"S": "u1"}, ":t": {"S": "2026-11-05"}}, **common)
            r.query_pages(TableName="events", IndexName="by_outbox",
                          KeyConditionExpression="outbox = :p AND due <= :d",
                          ExpressionAttributeValues={":p": {"S": "pending"}, ":d": {"S": "2026-12-05"}}, **common)
            r.query_pages(TableName="events", IndexName="by_rank", KeyConditionExpression="#r = :r",
                          ExpressionAttributeNames={"#r": "rank"}, ExpressionAttributeValues={":r": {"N": "1.0"}},
                          **common)
            r.query_pages(TableName="events", IndexName="by_user_only", KeyConditionExpression="#u = :u",
                          ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "u2"}},
                          **common)
            r.query_pages(TableName="apps", IndexName="by_owner", KeyConditionExpression="#o = :o",
                          ExpressionAttributeNames={"#o": "owner"}, ExpressionAttributeValues={":o": {"S": "u0"}},
                          **common)
    r("query", TableName="events", KeyConditionExpression="app = :a AND begins_with(eid, :e)",
      FilterExpression="size(body) > :n", ProjectionExpression="eid, body",
      ExpressionAttributeValues={":a": {"S": "a2"}, ":e": {"S": "e00"}, ":n": {"N": "1"}})
    r("query", TableName="events", IndexName="by_user", Select="COUNT", KeyConditionExpression="#u = :u",
      ExpressionAttributeNames={"#u": "user"}, ExpressionAttributeValues={":u": {"S": "u0"}})
    r("query", TableName="events", KeyConditionExpression="app = :a", ExpressionAttributeValues={":a": {"S": "none"}})
    r("query", TableName="apps", KeyConditionExpression="id = :a", ExpressionAttributeValues={":a": {"S": "a3"}})
    r("query", TableName="events", IndexName="by_nothing", KeyConditionExpression="app = :a",
      ExpressionAttributeValues={":a": {"S": "a1"}})


def _writes(r: Recorder) -> None:
    """Writes that move items in and out of index partitions, and transactions that cancel."""
    key = {"app": {"S": "a1"}, "eid": {"S": "e003"}}
    r("update_item", TableName="events", Key=key, UpdateExpression="SET #u = :u, #t = :t REMOVE outbox",
      ExpressionAttributeNames={"#u": "user", "#t": "at"},
      ExpressionAttributeValues={":u": {"S": "u2"}, ":t": {"S": "2026-11-30"}})  # moves index, leaves sparse one
    r("update_item", TableName="events", Key={"app": {"S": "a9"}, "eid": {"S": "e000"}},
      UpdateExpression="SET outbox = :p, due = :d",
      ExpressionAttributeValues={":p": {"S": "pending"}, ":d": {"S": "2026-12-01"}})  # joins the sparse index
    r("delete_item", TableName="events", Key={"app": {"S": "a2"}, "eid": {"S": "e006"}})
    r("put_item", TableName="events", Item=_event(4, 0, user={"S": "u1"}))  # replaced, other user
    r("transact_write_items", TransactItems=[  # cancelled: the second condition fails
        {"Put": {"TableName": "events", "Item": _event(0, 50, user={"S": "u1"})}},
        {"Update": {"TableName": "apps", "Key": {"id": {"S": "a0"}}, "UpdateExpression": "SET #o = :o",
                    "ConditionExpression": "v = :v", "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":o": {"S": "u1"}, ":v": {"N": "7"}}}}])
    r("transact_write_items", TransactItems=[
        {"Put": {"TableName": "events", "Item": _event(0, 51, user={"S": "u1"}),
                 "ConditionExpression": "attribute_not_exists(eid)"}},
        {"Update": {"TableName": "apps", "Key": {"id": {"S": "a0"}}, "UpdateExpression": "SET #o = :o",
                    "ConditionExpression": "v = :v", "ExpressionAttributeNames": {"#o": "owner"},
                    "ExpressionAttributeValues": {":o": {"S": "u1"}, ":v": {"N": "1"}}}}])
    r("batch_write_item", RequestItems={"events": [{"DeleteRequest": {"Key": {"app": {"S": "a3"},
                                                                              "eid": {"S": "e000"}}}},
                                                   {"PutRequest": {"Item": _event(5, 60)}}]})
    r("delete_item", TableName="apps", Key={"id": {"S": "a3"}})


def _index_script(r: Recorder) -> None:
    _seed(r)
    _queries(r)
    _writes(r)
    _queries(r)
    for table in ("events", "apps"):
        r("scan", TableName=table)


def _play(script: Script, patch: Callable[[], Callable[[], None]] | None) -> list[Any]:
    with mock_aws():
        undo = patch() if patch else None
        try:
            recorder = Recorder(boto3.client("dynamodb", region_name=REGION))
            script(recorder)
            return recorder.answers
        finally:
            if undo:
                undo()


def _same_answers(script: Script, patch: Callable[[], Callable[[], None]]) -> list[Any]:
    stock = _play(script, None)
    patched = _play(script, patch)
    assert len(patched) == len(stock)
    for (operation, want), (_, got) in zip(stock, patched, strict=True):
        assert got == want, operation
    return stock


def test_queries_on_the_table_and_every_index_answer_the_same_without_the_table_walk() -> None:
    answers = _same_answers(_index_script, speedups_dynamodb.query_without_table_walk)
    found = [a for op, a in answers if op == "query" and a.get("Count")]
    assert len(found) > 100  # the script really reads items, through every index
    assert any(a.get("error") == "ResourceNotFoundException" for _, a in answers)  # the unknown index


def test_the_query_patch_reads_a_changed_index_key_at_once() -> None:
    def script(r: Recorder) -> None:
        _seed(r)
        by_user = {"TableName": "events", "IndexName": "by_user", "KeyConditionExpression": "#u = :u",
                   "ExpressionAttributeNames": {"#u": "user"}, "ExpressionAttributeValues": {":u": {"S": "u2"}}}
        r("query", **by_user)
        r("update_item", TableName="events", Key={"app": {"S": "a0"}, "eid": {"S": "e001"}},
          UpdateExpression="SET #u = :u", ExpressionAttributeNames={"#u": "user"},
          ExpressionAttributeValues={":u": {"S": "u2"}})
        r("query", **by_user)

    with mock_aws():
        undo = speedups_dynamodb.query_without_table_walk()
        try:
            r = Recorder(boto3.client("dynamodb", region_name=REGION))
            script(r)
        finally:
            undo()
    before, after = r.answers[-3][1], r.answers[-1][1]
    assert after["Count"] == before["Count"] + 1
    assert {"app": {"S": "a0"}, "eid": {"S": "e001"}}.items() <= next(
        i for i in after["Items"] if i["app"] == {"S": "a0"} and i["eid"] == {"S": "e001"}).items()


CONDITIONS = [
    ("attribute_exists(v)", {}, {}),
    ("attribute_not_exists(v)", {}, {}),
    ("v = :v", {}, {":v": {"N": "1"}}),
    ("v = :v", {}, {":v": {"N": "2"}}),  # same text, another value: must not reuse the first
    ("#s <> :s AND v < :v", {"#s": "status"}, {":s": {"S": "done"}, ":v": {"N": "5"}}),
    ("#s <> :s AND v < :v", {"#s": "status"}, {":s": {"S": "new"}, ":v": {"N": "5"}}),
    ("#s <> :s AND v < :v", {"#s": "state"}, {":s": {"S": "new"}, ":v": {"N": "5"}}),  # another name
    ("v BETWEEN :a AND :b", {}, {":a": {"N": "0"}, ":b": {"N": "3"}}),
    ("v BETWEEN :a AND :b", {}, {":a": {"NULL": True}, ":b": {"N": "3"}}),  # refused for its type (moto raises)
    ("#s IN (:a, :b) OR NOT contains(tags, :t)", {"#s": "status"},
     {":a": {"S": "new"}, ":b": {"S": "x"}, ":t": {"S": "red"}}),
    ("begins_with(#s, :p) AND size(tags) >= :n", {"#s": "status"}, {":p": {"S": "ne"}, ":n": {"N": "2"}}),
    ("m.deep.#k = :k", {"#k": "key"}, {":k": {"L": [{"S": "a"}, {"N": "1"}]}}),
    ("m.deep.#k = :k", {"#k": "key"}, {":k": {"L": [{"S": "b"}]}}),
    ("v = :missing", {}, {":v": {"N": "1"}}),  # unknown value name
    ("#nope = :v", {}, {":v": {"N": "1"}}),  # unknown attribute name
    ("v = = :v", {}, {":v": {"N": "1"}}),  # syntax
    ("v = :v", {"#unused": "x"}, {":v": {"N": "1"}}),  # unused name
]

UPDATES = [
    ("SET v = v + :one", {}, {":one": {"N": "1"}}),
    ("SET v = v + :one", {}, {":one": {"N": "10"}}),  # same text, another value
    ("SET #s = :s, tags = list_append(if_not_exists(tags, :empty), :t) ADD n :one",
     {"#s": "status"}, {":s": {"S": "done"}, ":empty": {"L": []}, ":t": {"L": [{"S": "z"}]}, ":one": {"N": "1"}}),
    ("SET #s = :s, tags = list_append(if_not_exists(tags, :empty), :t) ADD n :one",
     {"#s": "status"}, {":s": {"S": "again"}, ":empty": {"L": []}, ":t": {"L": [{"S": "y"}]}, ":one": {"N": "2"}}),
    ("REMOVE m.deep ADD n :one", {}, {":one": {"N": "3"}}),
    ("SET v = :v", {}, {":v": {"N": "1"}, ":unused": {"N": "2"}}),  # unused value
    ("SET = :v", {}, {":v": {"N": "1"}}),  # syntax
    ("SET #a = :v, #b = :v", {"#a": "x1", "#b": "x2"}, {":v": {"N": "1"}}),
    ("SET #a = :v, #b = :v", {"#a": "x1", "#b": "x1"}, {":v": {"N": "1"}}),  # same text, one path twice
    ("SET x5.y = :v, x5 = :v", {}, {":v": {"M": {"y": {"N": "1"}}}}),  # overlapping paths
    ("SET x3 = :v SET x4 = :v", {}, {":v": {"N": "1"}}),  # two SET clauses
    ("SET #s = :s", {}, {":s": {"S": "x"}}),  # unknown name
]


def _expression_script(r: Recorder) -> None:
    r.client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    item = {"pk": {"S": "k"}, "v": {"N": "1"}, "status": {"S": "new"}, "tags": {"L": [{"S": "red"}, {"S": "x"}]},
            "m": {"M": {"deep": {"M": {"key": {"L": [{"S": "a"}, {"N": "1"}]}}}}}}
    r("put_item", TableName="t", Item=item)
    for text, names, values in CONDITIONS:
        extra = {"ExpressionAttributeNames": names} if names else {}
        extra.update({"ExpressionAttributeValues": values} if values else {})
        r("put_item", TableName="t", Item=item, ConditionExpression=text, ReturnValues="ALL_OLD", **extra)
        r("delete_item", TableName="t", Key={"pk": {"S": "gone"}}, ConditionExpression=text, **extra)
        r("update_item", TableName="t", Key={"pk": {"S": "k"}}, UpdateExpression="ADD n :inc",
          ConditionExpression=text, ReturnValues="ALL_NEW", ReturnValuesOnConditionCheckFailure="ALL_OLD",
          ExpressionAttributeValues={**values, ":inc": {"N": "1"}}, **({"ExpressionAttributeNames": names}
                                                                        if names else {}))
        r("transact_write_items", TransactItems=[{"ConditionCheck": {"TableName": "t", "Key": {"pk": {"S": "k"}},
                                                                     "ConditionExpression": text, **extra}}])
        r("scan", TableName="t", FilterExpression=text, **extra)
    for text, names, values in UPDATES:
        extra = {"ExpressionAttributeNames": names} if names else {}
        r("update_item", TableName="t", Key={"pk": {"S": "k"}}, UpdateExpression=text, ReturnValues="ALL_NEW",
          ExpressionAttributeValues=values, **extra)
        r("transact_write_items", TransactItems=[{"Update": {"TableName": "t", "Key": {"pk": {"S": "new"}},
                                                             "UpdateExpression": text,
                                                             "ExpressionAttributeValues": values, **extra}}])
        r("get_item", TableName="t", Key={"pk": {"S": "k"}})
    r("scan", TableName="t")


def _expressions_and_validation() -> Callable[[], None]:
    undos = [speedups_expressions.cache_expressions(), speedups_expressions.faster_update_validation()]
    return lambda: [undo() for undo in reversed(undos)] and None


def test_conditions_and_updates_answer_the_same_with_parsed_expressions_cached() -> None:
    answers = _same_answers(_expression_script, speedups_expressions.cache_expressions)
    errors = {a.get("error") for _, a in answers}
    assert {"ConditionalCheckFailedException", "ValidationException", "TransactionCanceledException"} <= errors
    assert sum(1 for op, a in answers if op == "update_item" and "Attributes" in a) >= 10


def test_the_shared_update_trees_are_never_changed() -> None:
    undo = speedups_expressions.cache_expressions()
    try:
        with mock_aws():
            _expression_script(Recorder(boto3.client("dynamodb", region_name=REGION)))
            entries = list(speedups_expressions._UPDATES.values())
    finally:
        undo()
    assert len(entries) >= 5
    assert [pickle.dumps(e[0], protocol=pickle.HIGHEST_PROTOCOL) for e in entries] == [e[1] for e in entries]


def test_a_cached_condition_binds_each_calls_own_values() -> None:
    undo = speedups_expressions.cache_expressions()
    try:
        with mock_aws():
            r = Recorder(boto3.client("dynamodb", region_name=REGION))
            r.client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                                  AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                                  KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
            r("put_item", TableName="t", Item={"pk": {"S": "k"}, "v": {"N": "1"}})
            for version in ("1", "2", "1"):
                r("update_item", TableName="t", Key={"pk": {"S": "k"}}, UpdateExpression="SET w = :v",
                  ConditionExpression="v = :v", ExpressionAttributeValues={":v": {"N": version}},
                  ReturnValues="ALL_NEW")
    finally:
        undo()
    assert [a.get("error") or a["Attributes"]["w"]["N"] for _, a in r.answers[1:]] == [
        "1", "ConditionalCheckFailedException", "1"]


@pytest.mark.parametrize("name", ["query", "expressions", "validation", "items"])
def test_the_emulator_applies_each_patch(name: str) -> None:
    assert name in speedups.emulator_patches()


def _every_patch() -> Callable[[], None]:
    """The emulator's DynamoDB patches together, as functions/local/aws.py applies them."""
    undos = [speedups_dynamodb.query_without_table_walk(), speedups_expressions.cache_expressions(),
             speedups_expressions.faster_update_validation(), speedups_dynamodb.faster_item_build(),
             speedups.dynamodb_items_as_json()]

    def undo() -> None:
        for each in reversed(undos):
            each()

    return undo


@pytest.mark.parametrize("patch", [speedups_expressions.faster_update_validation, _expressions_and_validation,
                                   _every_patch], ids=["validation", "validation with cached trees", "all"])
def test_conditions_and_updates_answer_the_same_with_the_validator_patched(patch: Any) -> None:
    _same_answers(_expression_script, patch)


def test_every_patch_together_answers_the_same_queries_and_writes() -> None:
    _same_answers(_index_script, _every_patch)


def _size_script(r: Recorder) -> None:
    """Items around moto's size limit, by put, transaction and batch; then read back."""
    r.client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                          AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
                          KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}])
    for n, over in enumerate((-300, -1, 0, 1, 300)):  # bytes past 405,000 with every name and value counted
        item = {"pk": {"S": f"k{n}"}, "a": {"S": "x" * 200_000}, "n": {"N": "12.5"}, "l": {"L": [{"S": "é"}]},
                "b": {"S": "y" * (405_000 + over - 200_000 - 1 - 2 - 1 - 2 - 1 - 2 - 1 - len(f"k{n}") - 1)}}
        r("put_item", TableName="t", Item=item)
        r("transact_write_items", TransactItems=[{"Put": {"TableName": "t", "Item": {**item, "pk": {"S": f"t{n}"}}}}])
        r("batch_write_item", RequestItems={"t": [{"PutRequest": {"Item": {**item, "pk": {"S": f"b{n}"}}}}]})
    r("update_item", TableName="t", Key={"pk": {"S": "k0"}}, UpdateExpression="SET c = :c",
      ExpressionAttributeValues={":c": {"S": "z" * 400}})
    r("scan", TableName="t", ProjectionExpression="pk, n, l")


def test_items_are_built_the_same_around_the_size_limit() -> None:
    answers = _same_answers(_size_script, speedups_dynamodb.faster_item_build)
    puts = [a for op, a in answers if op == "put_item"]
    assert [a == {} for a in puts] == [True, True, False, False, False]  # 405,000 bytes is one too many
    assert {a.get("error") for a in puts[2:]} == {"ValidationException"}


@pytest.mark.parametrize("script", [_index_script, _expression_script], ids=["queries", "expressions"])
def test_every_answer_is_the_same_with_items_built_in_one_pass(script: Script) -> None:
    _same_answers(script, speedups_dynamodb.faster_item_build)
