"""All PynamoDB models. Table names, host and region are bound from Config by `bind()`.

Keys and indexes here must match `infra/template.yaml`; tests/unit/test_template_matches_models.py
fails when they drift.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pynamodb.attributes import (
    JSONAttribute,
    ListAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
    VersionAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, KeysOnlyProjection
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from functions.core.config import Config


class _Base(Model):
    class Meta:
        abstract = True
        table_name = ""
        region = "ap-southeast-1"


class UserByPhone(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_phone"
        projection = KeysOnlyProjection()

    phone = UnicodeAttribute(hash_key=True)


class User(_Base):
    """A person: citizen, officer or admin, found by the verified phone number."""

    short_name = "users"
    user_id = UnicodeAttribute(hash_key=True)
    phone = UnicodeAttribute()
    role = UnicodeAttribute(default="citizen")
    communes = UnicodeSetAttribute(null=True)
    profile = JSONAttribute(null=True)
    identity = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    last_sign_in_at = UTCDateTimeAttribute(null=True)
    sessions_revoked_at = UTCDateTimeAttribute(null=True)
    by_phone = UserByPhone()


class OtpChallenge(_Base):
    """SMS codes (stored as HMAC only) and rate-limit counters; both expire by TTL."""

    short_name = "otp"
    key = UnicodeAttribute(hash_key=True)
    code_hmac = UnicodeAttribute(null=True)
    attempts = NumberAttribute(default=0)
    count = NumberAttribute(default=0)
    # Also the TTL: DynamoDB deletes late, so code compares it with the clock before trusting an item.
    expires_at = TTLAttribute()


class SessionByUser(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_user"
        projection = KeysOnlyProjection()

    user_id = UnicodeAttribute(hash_key=True)


class Session(_Base):
    """A server-side session, keyed by the SHA-256 of the cookie value."""

    short_name = "sessions"
    session_hash = UnicodeAttribute(hash_key=True)
    user_id = UnicodeAttribute()
    role = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    expires_at = TTLAttribute()
    by_user = SessionByUser()


class ApplicationByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ApplicationByMonth(GlobalSecondaryIndex):
    """Applications by the month (Vietnam time) they were received: how the statistics recount finds them."""

    class Meta:
        index_name = "by_month"
        projection = KeysOnlyProjection()

    created_month = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ApplicationByCommuneStatus(GlobalSecondaryIndex):
    """The officer queue: one commune's applications in one status, by due date."""

    class Meta:
        index_name = "by_commune_status"
        projection = AllProjection()

    commune_status = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class Application(_Base):
    """One application ("hồ sơ") for one procedure at one commune."""

    short_name = "applications"
    application_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    procedure_id = UnicodeAttribute()
    commune_code = UnicodeAttribute()
    status = UnicodeAttribute()
    commune_status = UnicodeAttribute()
    answers = JSONAttribute(null=True)
    # Document ids per slot, the delivery choice, and the applicant's profile as it was when applying.
    documents = JSONAttribute(null=True)
    # Each page's facts for the screens ({document id: {content_type, width, height, object_key}}), set when
    # it is claimed. Absent on applications stored before it existed: their screens read the documents.
    pages = JSONAttribute(null=True)
    delivery = JSONAttribute(null=True)
    applicant = JSONAttribute(null=True)
    fee_vnd = NumberAttribute(default=0)
    # The submission's Idempotency-Key: a retry after its record expired still finds this application.
    idempotency_key = UnicodeAttribute(null=True)
    payment_state = UnicodeAttribute(default="none")
    # The paid order's receipt, written with "paid" (core/applications.py payment_receipt reads it).
    payment_receipt = JSONAttribute(null=True)
    # The payment order that may still be paid: at most one per application (createPayment's guard).
    open_payment = UnicodeAttribute(null=True)
    # The open supplement request ({slots, reason, at}) and the result once ready ({result, ...}).
    supplement = JSONAttribute(null=True)
    result = JSONAttribute(null=True)
    # The latest apology for lateness ({reason, working_days, new_due_date, previous_due_date, at}).
    apology = JSONAttribute(null=True)
    # The citizen's rating once settled ({level, reasons, other, rated_at, first_rated_at}).
    rating = JSONAttribute(null=True)
    # The timeline as the screens show it: one JSON entry per event, appended by the application store in
    # the same transaction as the event, so a read needs no Query of the events table. Absent on
    # applications stored before it existed; their screens query the events (tens of entries, ~300 bytes
    # each, far below DynamoDB's 400 KB item limit).
    timeline = ListAttribute(of=UnicodeAttribute, null=True)
    created_at = UTCDateTimeAttribute()
    # `YYYY-MM` (Vietnam time) of `created_at`, set by the application store: the key of `by_month`.
    created_month = UnicodeAttribute(null=True)
    # How it was received: "online" (the citizen), "assisted" or "counter" (core/domain/stats.py CHANNELS).
    channel = UnicodeAttribute(default="online")
    # When its status last changed (the application store sets it): an officer step's duration starts here.
    status_at = UTCDateTimeAttribute(null=True)
    due_date = UnicodeAttribute(null=True)
    due_at = UTCDateTimeAttribute()
    version = VersionAttribute()
    by_owner = ApplicationByOwner()
    by_commune_status = ApplicationByCommuneStatus()
    by_month = ApplicationByMonth()


class DocumentByOwner(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Document(_Base):
    """One uploaded page; the object lives in the private bucket under the owner's prefix."""

    short_name = "documents"
    document_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    application_id = UnicodeAttribute(null=True)
    procedure_id = UnicodeAttribute(null=True)
    slot = UnicodeAttribute()
    object_key = UnicodeAttribute()
    content_type = UnicodeAttribute(null=True)
    size = NumberAttribute(default=0)
    max_bytes = NumberAttribute(default=0)
    width = NumberAttribute(null=True)
    height = NumberAttribute(null=True)
    # pending -> verified (clean copy stored) or rejected (`rejection` keeps the error to repeat it).
    state = UnicodeAttribute(default="pending")
    rejection = JSONAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    verified_at = UTCDateTimeAttribute(null=True)
    by_owner = DocumentByOwner()


class PaymentByApplication(GlobalSecondaryIndex):
    class Meta:
        index_name = "by_application"
        projection = AllProjection()

    application_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class PaymentByState(GlobalSecondaryIndex):
    """Reconciliation: pending orders, oldest first."""

    class Meta:
        index_name = "by_state"
        projection = AllProjection()

    state = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class Payment(_Base):
    """A payment order; amounts are integer VND."""

    short_name = "payments"
    txn_ref = UnicodeAttribute(hash_key=True)
    application_id = UnicodeAttribute()
    amount_vnd = NumberAttribute()
    # pending -> paid | failed (the gateway said so) | expired (it ran out and the gateway never took it).
    state = UnicodeAttribute(default="pending")
    gateway = UnicodeAttribute(default="vnpay")
    owner_id = UnicodeAttribute(null=True)
    # What the amount is made of ({fee_vnd, postage_vnd}), for the receipt.
    breakdown = JSONAttribute(null=True)
    client_ip = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute(null=True)
    settled_at = UTCDateTimeAttribute(null=True)
    # The gateway's own record: its transaction number, bank, response code and time of payment.
    transaction_no = UnicodeAttribute(null=True)
    bank_code = UnicodeAttribute(null=True)
    response_code = UnicodeAttribute(null=True)
    paid_at = UTCDateTimeAttribute(null=True)
    settled_by = UnicodeAttribute(null=True)
    # When "check again" last asked the gateway: set by a conditional write, so one caller per interval asks.
    last_queried_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    by_application = PaymentByApplication()
    by_state = PaymentByState()


class PushSubscriptionByEndpoint(GlobalSecondaryIndex):
    """Who holds a browser's endpoint: when another user subscribes on the same browser (a shared
    phone), the previous holder's row is deleted so their notices stop showing there."""

    class Meta:
        index_name = "by_endpoint"
        projection = KeysOnlyProjection()

    endpoint_hash = UnicodeAttribute(hash_key=True)


class PushSubscription(_Base):
    """A Web Push subscription of one browser of one user, keyed by the SHA-256 of its endpoint."""

    short_name = "push_subscriptions"
    user_id = UnicodeAttribute(hash_key=True)
    endpoint_hash = UnicodeAttribute(range_key=True)
    # {endpoint, keys: {p256dh, auth}} exactly as the browser's PushSubscription.toJSON() gave it.
    subscription = JSONAttribute()
    # The language the notices on this browser are written in ("vi" or "en").
    lang = UnicodeAttribute(default="vi")
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    by_endpoint = PushSubscriptionByEndpoint()


class EventByUser(GlobalSecondaryIndex):
    """The in-app inbox: a user's notifications, newest last."""

    class Meta:
        index_name = "by_user"
        projection = AllProjection()

    user_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class EventByOutbox(GlobalSecondaryIndex):
    """The outbox: only events still waiting for delivery carry `outbox`, so this sparse index holds just
    those, due first; the retry sweep queries it instead of scanning the table."""

    class Meta:
        index_name = "by_outbox"
        projection = KeysOnlyProjection()

    outbox = UnicodeAttribute(hash_key=True)
    next_attempt_at = UTCDateTimeAttribute(range_key=True)


# A new event is due at once: any moment after this one.
OUTBOX_DUE_AT_ONCE = datetime(2000, 1, 1, tzinfo=UTC)


class Event(_Base):
    """Timeline entry and outbox record in one; the table's stream feeds the dispatcher.

    Every writer only creates it (in the same transaction as the change it records); the new item is
    `pending` in the outbox. functions/status/outbox.py then moves `delivery` to sent | sms | none |
    failed with conditional writes and removes `outbox` and `next_attempt_at` when it is done.
    """

    short_name = "events"
    application_id = UnicodeAttribute(hash_key=True)
    event_id = UnicodeAttribute(range_key=True)
    user_id = UnicodeAttribute()
    kind = UnicodeAttribute()
    actor = JSONAttribute(null=True)
    data = JSONAttribute(null=True)
    delivery = UnicodeAttribute(default="pending")
    # Set on new items only (never on items read back), so delivered events leave the sparse index.
    outbox = UnicodeAttribute(null=True, default_for_new="pending")
    next_attempt_at = UTCDateTimeAttribute(null=True, default_for_new=OUTBOX_DUE_AT_ONCE)
    # Delivery attempts claimed so far; doubles as the claim's fencing token.
    attempts = NumberAttribute(default=0)
    # When the one fallback SMS was reserved: set only if absent, so it is sent at most once.
    sms_at = UTCDateTimeAttribute(null=True)
    # When `delivery` reached its final state.
    settled_at = UTCDateTimeAttribute(null=True)
    # Why the last attempt did not deliver, e.g. "push_500" (never personal data).
    last_error = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    by_user = EventByUser()
    by_outbox = EventByOutbox()


class ComplaintByOwner(GlobalSecondaryIndex):
    """The citizen's complaints, newest last."""

    class Meta:
        index_name = "by_owner"
        projection = AllProjection()

    owner_id = UnicodeAttribute(hash_key=True)
    created_at = UTCDateTimeAttribute(range_key=True)


class ComplaintByQueue(GlobalSecondaryIndex):
    """The officer queue: complaints waiting for an answer at one level of one commune, by due date."""

    class Meta:
        index_name = "by_queue"
        projection = AllProjection()

    queue = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class ComplaintByWaiting(GlobalSecondaryIndex):
    """Every complaint still waiting for an answer, by due date: what the escalation sweep reads (sparse)."""

    class Meta:
        index_name = "by_waiting"
        projection = KeysOnlyProjection()

    waiting = UnicodeAttribute(hash_key=True)
    due_at = UTCDateTimeAttribute(range_key=True)


class Complaint(_Base):
    """One complaint ("phản ánh, kiến nghị"), about an application or to a commune (core/domain/complaints.py).

    Written only through the complaint store, like applications: each change with its timeline event (the
    events table, keyed by `complaint_id`) and its statistics counters, in one transaction. `queue` and
    `waiting` are set only while it waits for an answer, so the two indexes hold just those.
    """

    short_name = "complaints"
    complaint_id = UnicodeAttribute(hash_key=True)
    owner_id = UnicodeAttribute()
    commune_code = UnicodeAttribute()
    # The application it is about (None: filed generally to the commune), and that application's procedure
    # (the statistics cell; "general" otherwise).
    application_id = UnicodeAttribute(null=True)
    procedure_id = UnicodeAttribute()
    category = UnicodeAttribute(null=True)
    text = UnicodeAttribute()  # personal data: never logged, never in public statistics
    photos = JSONAttribute(null=True)
    state = UnicodeAttribute(default="open")
    level = UnicodeAttribute(default="commune")
    queue = UnicodeAttribute(null=True)
    waiting = UnicodeAttribute(null=True)
    due_date = UnicodeAttribute()
    due_at = UTCDateTimeAttribute()
    # The first due moment: a first answer by then counts as answered on time.
    first_due_at = UTCDateTimeAttribute()
    # The latest answer ({text, result, at, role}), how many answers, and the one reopen's reason.
    answer = JSONAttribute(null=True)
    answers = NumberAttribute(default=0)
    reopens = NumberAttribute(default=0)
    reopen_reason = UnicodeAttribute(null=True)
    created_at = UTCDateTimeAttribute()
    # When its state or level last changed (the store's officer workload bucket starts here).
    status_at = UTCDateTimeAttribute(null=True)
    version = VersionAttribute()
    by_owner = ComplaintByOwner()
    by_queue = ComplaintByQueue()
    by_waiting = ComplaintByWaiting()


class IdempotencyRecord(_Base):
    """The stored outcome of a retried write or a repeated gateway callback."""

    short_name = "idempotency"
    key = UnicodeAttribute(hash_key=True)
    status = NumberAttribute()
    # SHA-256 of the canonical request: the same key with another body is refused, not replayed.
    request_hash = UnicodeAttribute(null=True)
    body = JSONAttribute(null=True)
    expires_at = TTLAttribute()


class StatCell(_Base):
    """The statistics counters of one commune x procedure x month (Vietnam time).

    Keys: `scope` = "province#<code>", `cell` = "<YYYY-MM>#<commune>#<procedure_id>"
    (functions/core/domain/stats.py), so one Query reads a province over a range of months. Counters
    (names in `stats.COUNTERS`) only move by ADD, in the transaction of the change they count.
    """

    short_name = "stats"
    scope = UnicodeAttribute(hash_key=True)
    cell = UnicodeAttribute(range_key=True)
    province_code = UnicodeAttribute()
    commune_code = UnicodeAttribute()
    procedure_id = UnicodeAttribute()
    month = UnicodeAttribute()
    received_online = NumberAttribute(default=0)
    received_assisted = NumberAttribute(default=0)
    received_counter = NumberAttribute(default=0)
    decided = NumberAttribute(default=0)
    on_time = NumberAttribute(default=0)
    late = NumberAttribute(default=0)
    withdrawn = NumberAttribute(default=0)
    rejected = NumberAttribute(default=0)
    supplement_requests = NumberAttribute(default=0)
    fee_bearing = NumberAttribute(default=0)
    paid_online = NumberAttribute(default=0)
    paid_counter = NumberAttribute(default=0)
    decision_working_days = NumberAttribute(default=0)
    rating_1 = NumberAttribute(default=0)
    rating_2 = NumberAttribute(default=0)
    rating_3 = NumberAttribute(default=0)
    rating_4 = NumberAttribute(default=0)
    rating_5 = NumberAttribute(default=0)
    complaints_received = NumberAttribute(default=0)
    complaints_answered_on_time = NumberAttribute(default=0)


class OfficerCell(_Base):
    """One officer's workload in one commune and month, in the statistics table beside the StatCells.

    Keys: `scope` = "officer#<commune>", `cell` = "<YYYY-MM>#<user_id>". `steps` counts the officer's
    lifecycle steps; `step_days_*` is a histogram of the working days each step took since the
    application's previous change (buckets in `stats.STEP_DAY_BUCKETS`).
    """

    short_name = "stats"
    scope = UnicodeAttribute(hash_key=True)
    cell = UnicodeAttribute(range_key=True)
    commune_code = UnicodeAttribute()
    month = UnicodeAttribute()
    user_id = UnicodeAttribute()
    officer_name = UnicodeAttribute(null=True)
    steps = NumberAttribute(default=0)
    step_days_0 = NumberAttribute(default=0)
    step_days_1 = NumberAttribute(default=0)
    step_days_2 = NumberAttribute(default=0)
    step_days_3 = NumberAttribute(default=0)
    step_days_4_5 = NumberAttribute(default=0)
    step_days_6_10 = NumberAttribute(default=0)
    step_days_11_plus = NumberAttribute(default=0)


ALL_MODELS: tuple[type[_Base], ...] = (
    User,
    OtpChallenge,
    Session,
    Application,
    Document,
    Payment,
    PushSubscription,
    Event,
    IdempotencyRecord,
    StatCell,
    OfficerCell,
    Complaint,
)


_bound: dict[str, str | None] = {"region": "ap-southeast-1", "host": None}


def bind(config: Config) -> None:
    """Point every model at this config's tables, region and endpoint."""
    _bound.update(region=config.region, host=config.aws_endpoint_url)
    for model in ALL_MODELS:
        # Each model gets its own Meta: they all inherit _Base.Meta, so setting attributes on it
        # would point every model at the same table.
        model.Meta = type("Meta", (_Base.Meta,), {
            "abstract": False,
            "table_name": config.table_name(model.short_name),
            "region": config.region,
            "host": config.aws_endpoint_url,
        })
        model._connection = None  # the cached connection still holds the old host


def transaction() -> TransactWrite:
    """An all-or-nothing write across items, on the applications table's own connection.

    It has the bound endpoint (a bare Connection() would not) and an already built botocore client: a
    new Connection per transaction built a new client each time (130-150 ms, 30% of server time).
    """
    return TransactWrite(connection=Application._get_connection().connection)


# BatchGetItem may hand back part of a request as UnprocessedKeys (throttling); ask again this often.
BATCH_GET_ATTEMPTS = 5


def get_across(*wanted: tuple[type[_Base], str]) -> list[Any]:
    """Items by hash key from one or several tables in one strongly consistent BatchGetItem.

    `get_across((Session, h), (User, uid))` is one request where two GetItems were two. The answer is in
    the order asked, None where an item does not exist. Errors come out as PynamoDB's GetError, which the
    one error mapping turns into 503, as a failed GetItem does.
    """
    from pynamodb.connection.base import BOTOCORE_EXCEPTIONS
    from pynamodb.exceptions import GetError

    tables: dict[str, type[_Base]] = {}
    request: dict[str, Any] = {}
    for model, hash_key in wanted:
        attr = model._hash_key_attribute()
        tables[model.Meta.table_name] = model
        entry = request.setdefault(model.Meta.table_name, {"Keys": [], "ConsistentRead": True})
        key = {attr.attr_name: {attr.attr_type: attr.serialize(hash_key)}}
        if key not in entry["Keys"]:
            entry["Keys"].append(key)
    connection = Application._get_connection().connection
    found: dict[tuple[str, str], Any] = {}
    for _ in range(BATCH_GET_ATTEMPTS):
        try:
            answer = connection.dispatch("BatchGetItem", {"RequestItems": request})
        except BOTOCORE_EXCEPTIONS as exc:
            raise GetError(f"Failed to batch get items: {exc}", exc) from exc
        for table, items in answer.get("Responses", {}).items():
            for raw in items:
                item = tables[table].from_raw_data(raw)
                found[(table, getattr(item, tables[table]._hash_keyname))] = item
        request = answer.get("UnprocessedKeys") or {}
        if not request:
            return [found.get((model.Meta.table_name, hash_key)) for model, hash_key in wanted]
    raise GetError("Failed to batch get items: keys still unprocessed")


def conditions_failed(exc: Exception) -> bool:
    """Whether a refused transaction failed on a condition (a race or a duplicate), not on the service."""
    reasons = getattr(exc, "cancellation_reasons", None) or []
    return any(reason is not None and reason.code == "ConditionalCheckFailed" for reason in reasons)


def check_tables(models: tuple[type[_Base], ...]) -> dict[str, str]:
    """Readiness probe: 'ok' per table that answers; raises DependencyUnavailable otherwise."""
    from botocore.exceptions import BotoCoreError
    from pynamodb.exceptions import PynamoDBException

    from functions.core.errors import DependencyUnavailable

    result: dict[str, str] = {}
    for model in models:
        try:
            found = model.exists()
        except (PynamoDBException, BotoCoreError) as exc:  # unreachable endpoint -> 503, not 500
            raise DependencyUnavailable(details={"service": "dynamodb", "table": model.short_name}) from exc
        if not found:
            raise DependencyUnavailable(details={"service": "dynamodb", "table": model.short_name,
                                                 "reason": "table_missing"})
        result[model.short_name] = "ok"
    return result
