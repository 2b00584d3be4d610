"""The local emulator's JSON shortcut for DynamoDB item answers (functions/local/speedups.py) changes no
answer: every item operation, over every attribute type, reads the same through boto3 with and without it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from decimal import Decimal
from typing import Any

import boto3
import pytest
from moto import mock_aws

from functions.local import speedups

ITEM = {
    "pk": {"S": "a#1"}, "sk": {"N": "7"}, "text": {"S": "Giấy xác nhận tình trạng hôn nhân"},
    "n": {"N": "-12.50"}, "b": {"B": b"\x00\xffbytes"}, "ss": {"SS": ["x", "y"]}, "ns": {"NS": ["1", "2.5"]},
    "bs": {"BS": [b"\x01", b"\x02\x03"]}, "yes": {"BOOL": True}, "none": {"NULL": True},
    "list": {"L": [{"S": "one"}, {"N": "2"}, {"M": {"k": {"B": b"\x09"}}}]},
    "map": {"M": {"deep": {"L": [{"BOOL": False}]}, "empty": {"M": {}}}},
}


def _table(client: Any) -> str:
    client.create_table(TableName="t", BillingMode="PAY_PER_REQUEST",
                        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"},
                                              {"AttributeName": "sk", "AttributeType": "N"}],
                        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"},
                                   {"AttributeName": "sk", "KeyType": "RANGE"}])
    client.put_item(TableName="t", Item=ITEM)
    client.put_item(TableName="t", Item={"pk": {"S": "a#1"}, "sk": {"N": "8"}, "b": {"B": b"2"}})
    return "t"


KEY = {"pk": {"S": "a#1"}, "sk": {"N": "7"}}
CALLS: dict[str, Callable[[Any], Any]] = {
    "get_item": lambda c: c.get_item(TableName="t", Key=KEY, ConsistentRead=True),
    "get_item_missing": lambda c: c.get_item(TableName="t", Key={"pk": {"S": "none"}, "sk": {"N": "1"}}),
    "get_item_projection": lambda c: c.get_item(TableName="t", Key=KEY, ProjectionExpression="b, #m.deep",
                                                ExpressionAttributeNames={"#m": "map"}),
    "batch_get_item": lambda c: c.batch_get_item(RequestItems={"t": {"Keys": [KEY, {"pk": {"S": "a#1"},
                                                                                     "sk": {"N": "8"}}]}}),
    "query": lambda c: c.query(TableName="t", KeyConditionExpression="pk = :p", Limit=1,
                               ExpressionAttributeValues={":p": {"S": "a#1"}}, ReturnConsumedCapacity="TOTAL"),
    "query_count": lambda c: c.query(TableName="t", KeyConditionExpression="pk = :p", Select="COUNT",
                                     ExpressionAttributeValues={":p": {"S": "a#1"}}),
    "scan": lambda c: c.scan(TableName="t", Limit=1, ReturnConsumedCapacity="TOTAL"),
    "scan_filtered": lambda c: c.scan(TableName="t", FilterExpression="attribute_exists(b)",
                                      ProjectionExpression="pk, b, #m", ExpressionAttributeNames={"#m": "map"}),
    "put_item_old": lambda c: c.put_item(TableName="t", Item=ITEM, ReturnValues="ALL_OLD"),
    "update_item_new": lambda c: c.update_item(
        TableName="t", Key=KEY, UpdateExpression="ADD n :one SET b = :b", ReturnValues="ALL_NEW",
        ExpressionAttributeValues={":one": {"N": "1"}, ":b": {"B": b"\x10"}}),
    "update_item_none": lambda c: c.update_item(TableName="t", Key=KEY, UpdateExpression="SET yes = :f",
                                                ExpressionAttributeValues={":f": {"BOOL": False}}),
    "transact_write_items": lambda c: c.transact_write_items(TransactItems=[
        {"Update": {"TableName": "t", "Key": KEY, "UpdateExpression": "SET #t = :t",
                    "ExpressionAttributeNames": {"#t": "text"}, "ExpressionAttributeValues": {":t": {"S": "mới"}}}}]),
    "transact_get_items": lambda c: c.transact_get_items(
        TransactItems=[{"Get": {"TableName": "t", "Key": KEY}}]),
    "batch_write_item": lambda c: c.batch_write_item(RequestItems={"t": [{"PutRequest": {"Item": ITEM}}]}),
    "delete_item_old": lambda c: c.delete_item(TableName="t", Key=KEY, ReturnValues="ALL_OLD"),
    "describe_table": lambda c: c.describe_table(TableName="t")["Table"]["KeySchema"],  # not an item answer
}


@pytest.fixture
def client() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("dynamodb", region_name="ap-southeast-1")


def _answer(client: Any, name: str) -> Any:
    answer = CALLS[name](client)
    if isinstance(answer, dict):
        answer.pop("ResponseMetadata", None)
    return answer


@pytest.mark.parametrize("name", sorted(CALLS))
def test_every_item_answer_reads_the_same_with_the_shortcut(client: Any, name: str) -> None:
    _table(client)
    shaped = _answer(client, name)
    client.delete_table(TableName="t")
    _table(client)
    undo = speedups.dynamodb_items_as_json()
    try:
        fast = _answer(client, name)
    finally:
        undo()
    assert fast == shaped
    assert fast not in ({}, None) or name in ("get_item_missing", "update_item_none", "transact_write_items")


def test_binary_values_come_back_as_the_bytes_stored(client: Any) -> None:
    _table(client)
    undo = speedups.dynamodb_items_as_json()
    try:
        item = client.get_item(TableName="t", Key=KEY)["Item"]
    finally:
        undo()
    assert item["b"] == {"B": b"\x00\xffbytes"}
    assert item["bs"] == {"BS": [b"\x01", b"\x02\x03"]}
    assert item["list"]["L"][2] == {"M": {"k": {"B": b"\x09"}}}
    assert item["n"] == {"N": "-12.50"} and Decimal(item["n"]["N"]) == Decimal("-12.5")


def test_the_emulators_sms_outbox_lists_sent_texts_after_an_index(client):
    from werkzeug.test import Client
    from werkzeug.wrappers import Response

    from functions.local.aws import SMS_PATH, sms_outbox

    sns = boto3.client("sns", region_name="ap-southeast-1")
    for n in range(3):
        sns.publish(PhoneNumber=f"+8491000000{n}", Message=f"Ma {n}")
    app = Client(sms_outbox(lambda environ, start: Response("moto")(environ, start)))
    everything = app.get(SMS_PATH).json
    assert everything["next"] == 3
    assert everything["messages"][0] == {"phone_number": "+84910000000", "message": "Ma 0"}
    assert app.get(f"{SMS_PATH}?after=2").json == {"messages": [{"phone_number": "+84910000002", "message": "Ma 2"}],
                                                    "next": 3}
    assert app.get(f"{SMS_PATH}?after=x").json["next"] == 3
    assert app.get("/moto-api/").get_data(as_text=True) == "moto"  # every other path is the emulator's
