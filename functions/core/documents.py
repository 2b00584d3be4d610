"""Looking up uploaded pages by id: one guard for ids that cannot be ours, one batch read for many."""

from __future__ import annotations

from typing import Any

from functions.core import models

# Ids are 32 hex characters (uploads.py); anything far off is refused before DynamoDB sees it.
ID_LENGTH = range(8, 65)


def plausible_id(value: Any) -> bool:
    """Whether `value` could be a document id at all (a bad key would be a 5xx from DynamoDB)."""
    return isinstance(value, str) and len(value) in ID_LENGTH


def find_documents(ids: list[str]) -> dict[str, models.Document]:
    """The stored documents among `ids`, by id, in one consistent batch read; implausible ids are skipped."""
    wanted = sorted({i for i in ids if plausible_id(i)})
    if not wanted:
        return {}
    return {doc.document_id: doc for doc in models.Document.batch_get(wanted, consistent_read=True)}
