"""moto's DynamoDB shared between threads: stock moto loses a write, the serialised emulator does not.

The interleaving is forced, not hoped for: transaction A (which will be cancelled by its condition)
is held right after it snapshots the table; a second thread writes meanwhile; then A resumes, is
cancelled and rolls back. Stock moto puts back its stale copy of the whole table and erases the
second thread's write. With functions/local/serialize.py installed the second write waits for A and
survives, and a cancelled transaction rolls back only what it touched.
"""

from __future__ import annotations

import copy
import threading
from collections.abc import Callable, Iterator

import boto3
import pytest
from moto import mock_aws
from moto.dynamodb import models as moto_models

from functions.local import serialize

TABLE = "race"


@pytest.fixture
def ddb() -> Iterator[object]:
    """A client on a fresh in-process moto with one table, `pk` as its key, holding `a` = 0."""
    with mock_aws():
        client = boto3.client("dynamodb", region_name="ap-southeast-1")
        client.create_table(TableName=TABLE, BillingMode="PAY_PER_REQUEST",
                            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
                            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}])
        client.put_item(TableName=TABLE, Item={"pk": {"S": "a"}, "n": {"N": "0"}})
        yield client


class _HoldAfterSnapshot:
    """Stands in for moto's `copy` module: the holder thread stops right after its table backup."""

    def __init__(self) -> None:
        self.holder: int | None = None
        # Every copy waits until the holder is known, so the holder cannot pass before it is named.
        self.known, self.snapshotted, self.resume = threading.Event(), threading.Event(), threading.Event()

    def deepcopy(self, value: object, memo: dict | None = None) -> object:
        self.known.wait(10)
        result = copy.deepcopy(value, memo)
        if threading.get_ident() == self.holder:
            self.snapshotted.set()
            self.resume.wait(10)
        return result


def _cancelled_transaction(client: object) -> None:
    """A transaction that snapshots TABLE and is then cancelled by its condition."""
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[{"Put": {
            "TableName": TABLE, "Item": {"pk": {"S": "a"}, "n": {"N": "99"}},
            "ConditionExpression": "attribute_not_exists(pk)"}}])


def _winner(client: object, done: threading.Event) -> None:
    client.transact_write_items(TransactItems=[{"Put": {
        "TableName": TABLE, "Item": {"pk": {"S": "b"}, "paid": {"BOOL": True}},
        "ConditionExpression": "attribute_not_exists(pk)"}}])
    done.set()


def _held_loser(monkeypatch: pytest.MonkeyPatch, target: object, transaction: Callable[[], None]):  # noqa: ANN202
    """Start `transaction` in a thread and return (hold, thread) once it is held after its snapshot."""
    hold = _HoldAfterSnapshot()
    monkeypatch.setattr(target, "copy", hold)
    loser = threading.Thread(target=transaction)
    loser.start()
    hold.holder = loser.ident
    hold.known.set()
    assert hold.snapshotted.wait(10), "the transaction never took its snapshot"
    return hold, loser


def _start_winner(client: object) -> tuple[threading.Thread, threading.Event]:
    done = threading.Event()
    winner = threading.Thread(target=_winner, args=(client, done))
    winner.start()
    return winner, done


def test_stock_moto_loses_a_concurrent_write_when_a_transaction_is_cancelled(ddb, monkeypatch):
    with serialize.uninstalled():
        hold, loser = _held_loser(monkeypatch, moto_models, lambda: _cancelled_transaction(ddb))
        _, done = _start_winner(ddb)
        assert done.wait(10), "unlocked, the winner must finish while the loser is held"
        hold.resume.set()
        loser.join(10)
        assert "Item" not in ddb.get_item(TableName=TABLE, Key={"pk": {"S": "b"}}), \
            "stock moto restored its stale copy over the winner's write"


def test_the_serialised_emulator_keeps_the_concurrent_write(ddb, monkeypatch):
    assert serialize.installed()
    # The item-level snapshot uses serialize's `copy`. A condition that fails on the first item would
    # stop before any snapshot, so the held transaction writes one item and is cancelled by a second.
    hold, loser = _held_loser(monkeypatch, serialize, lambda: _write_then_cancel(ddb))
    winner, done = _start_winner(ddb)
    assert not done.wait(1.0), "the lock must keep the winner out while a transaction runs"
    hold.resume.set()
    loser.join(10)
    winner.join(10)
    assert done.is_set()
    assert ddb.get_item(TableName=TABLE, Key={"pk": {"S": "b"}})["Item"]["paid"] == {"BOOL": True}
    # The cancelled transaction left its own item as it was.
    assert ddb.get_item(TableName=TABLE, Key={"pk": {"S": "c"}}).get("Item") is None
    assert ddb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "0"}


def _write_then_cancel(client: object) -> None:
    with pytest.raises(client.exceptions.TransactionCanceledException):
        client.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "c"}, "n": {"N": "1"}}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "SET n = :v",
                        "ConditionExpression": "n = :old",
                        "ExpressionAttributeValues": {":v": {"N": "5"}, ":old": {"N": "7"}}}},
        ])


def test_a_cancelled_transaction_rolls_back_updates_deletes_and_stream_records(ddb):
    ddb.put_item(TableName=TABLE, Item={"pk": {"S": "d"}, "n": {"N": "4"}})
    with pytest.raises(ddb.exceptions.TransactionCanceledException) as caught:
        ddb.transact_write_items(TransactItems=[
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
                        "ExpressionAttributeValues": {":one": {"N": "1"}}}},
            {"Delete": {"TableName": TABLE, "Key": {"pk": {"S": "d"}}}},
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "e"}}}},
            {"ConditionCheck": {"TableName": TABLE, "Key": {"pk": {"S": "zz"}},
                                "ConditionExpression": "attribute_exists(pk)"}},
        ])
    reasons = [r["Code"] for r in caught.value.response["CancellationReasons"]]
    assert reasons == ["None", "None", "None", "ConditionalCheckFailed"]
    items = {i["pk"]["S"]: i for i in ddb.scan(TableName=TABLE)["Items"]}
    assert sorted(items) == ["a", "d"]
    assert items["a"]["n"] == {"N": "0"} and items["d"]["n"] == {"N": "4"}


def test_a_transaction_touching_one_item_twice_is_refused_and_changes_nothing(ddb):
    with pytest.raises(ddb.exceptions.ClientError) as caught:
        ddb.transact_write_items(TransactItems=[
            {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "f"}}}},
            {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "f"}}, "UpdateExpression": "SET n = :v",
                        "ExpressionAttributeValues": {":v": {"N": "1"}}}},
        ])
    assert caught.value.response["Error"]["Code"] == "ValidationException"
    assert "Item" not in ddb.get_item(TableName=TABLE, Key={"pk": {"S": "f"}})


def test_a_successful_transaction_applies_every_operation(ddb):
    ddb.transact_write_items(TransactItems=[
        {"Update": {"TableName": TABLE, "Key": {"pk": {"S": "a"}}, "UpdateExpression": "ADD n :one",
                    "ConditionExpression": "n = :z",
                    "ExpressionAttributeValues": {":one": {"N": "2"}, ":z": {"N": "0"}}}},
        {"Put": {"TableName": TABLE, "Item": {"pk": {"S": "g"}}}},
    ])
    assert ddb.get_item(TableName=TABLE, Key={"pk": {"S": "a"}})["Item"]["n"] == {"N": "2"}
    assert "Item" in ddb.get_item(TableName=TABLE, Key={"pk": {"S": "g"}})
