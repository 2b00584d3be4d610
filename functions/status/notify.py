"""The notification dispatcher: delivers outbox events as Web Push, or as one SMS when push cannot reach.

It only ever reads Events from the table, so nothing is sent for a change that did not commit. In AWS it
runs from the events table's stream (`on_stream`, each new event at once) and from a schedule
(`sweep`, retries and anything the stream missed); locally functions/local/notifier.py runs the sweep
every second. The delivery states and their conditional writes are in outbox.py.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import time
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from pynamodb.exceptions import DoesNotExist

from functions.core import models
from functions.core.adapters import push as push_adapter
from functions.core.adapters import sms as sms_adapter
from functions.core.adapters.clock import SystemClock
from functions.core.adapters.push import PushResult, PushSender
from functions.core.adapters.sms import SmsSender
from functions.core.config import Config, load
from functions.core.errors import SmsUnavailable
from functions.status import notices, outbox

log = logging.getLogger("motcua.notify")

SWEEP_BATCH = 25
# A sweep stops taking new events after this long, well inside the Lambda timeout; the rest wait a minute.
SWEEP_BUDGET_SECONDS = 20.0
RETRYABLE = frozenset({push_adapter.RETRY, push_adapter.VAPID})


def topic_for(code: str) -> str:
    """The push Topic of one application: a newer notice replaces an older one still queued.

    A hash rather than the code itself: the Topic travels in clear to the browser vendor's push service.
    """
    return base64.urlsafe_b64encode(hashlib.sha256(code.encode()).digest()).decode()[:32]


class Dispatcher:
    """Delivers pending events through a push sender and an SMS sender."""

    def __init__(self, config: Config, push: PushSender, sms: SmsSender) -> None:
        self.config, self.push, self.sms = config, push, sms

    def dispatch_pending(self, now: datetime) -> int:
        """One sweep: attempt every due event in the outbox; returns how many were looked at."""
        started, count = time.monotonic(), 0
        for application_id, event_id in outbox.due(now, SWEEP_BATCH):
            if time.monotonic() - started > SWEEP_BUDGET_SECONDS:
                break
            self.deliver_key(application_id, event_id, now)
            count += 1
        return count

    def deliver_key(self, application_id: str, event_id: str, now: datetime) -> str | None:
        """Deliver the stored event with these keys; None when there is no such event."""
        event = outbox.load(application_id, event_id)
        return None if event is None else self.deliver(event, now)

    def deliver(self, event: models.Event, now: datetime) -> str:
        """Take one delivery step for an event; returns the state this dispatcher left it in ("pending"
        also when another dispatcher holds it or finished it meanwhile)."""
        if event.outbox != outbox.PENDING:
            return event.delivery
        if not notices.is_pushed(event.kind, event.actor):
            outbox.finish(event, outbox.NONE, now)
            return outbox.NONE
        app = _application(event.application_id)
        notice = notices.render(event.kind, event.data, event.application_id,
                                notices.procedure_name(app.procedure_id if app else None))
        if notice is None:
            outbox.finish(event, outbox.NONE, now, "no_text")
            return outbox.NONE
        if event.attempts >= outbox.MAX_ATTEMPTS:
            if outbox.give_up(event, now):
                log.warning("outbox %s/%s failed: %s", event.application_id, event.event_id, event.last_error)
            return event.delivery
        if not outbox.claim(event, now):
            return event.delivery  # not due, or another dispatcher has this attempt
        results = self._push_all(event, notice, notices.event_status(event.data, app.status if app else None))
        return self._conclude(event, notice, results, now)

    def _conclude(self, event: models.Event, notice: notices.Notice, results: list[PushResult],
                  now: datetime) -> str:
        """Settle an attempt from what the push services said."""
        outcomes = {r.outcome for r in results}
        if push_adapter.DELIVERED in outcomes:
            outbox.finish(event, outbox.SENT, now)
            return outbox.SENT
        if outcomes & RETRYABLE and event.attempts < outbox.MAX_ATTEMPTS:
            # Wait as long as the service asks, but no longer than the backoff cap: the notice must not go stale.
            waits = [min(r.retry_after, int(outbox.BACKOFF_CAP.total_seconds())) for r in results if r.retry_after]
            later = now + timedelta(seconds=max(waits)) if waits else None
            outbox.postpone(event, _error(results), later)
            return outbox.PENDING
        return self._by_sms(event, notice, now)

    def _push_all(self, event: models.Event, notice: notices.Notice, status: str | None) -> list[PushResult]:
        """Send the notice to every browser of the application's owner, pruning dead subscriptions."""
        results = []
        for sub in models.PushSubscription.query(event.user_id):
            payload = notices.push_payload(notice, event.application_id, event.kind, status, sub.lang)
            result = self.push.send(sub.subscription, payload, ttl=self.config.push_ttl_seconds,
                                    urgency=notice.urgency, topic=topic_for(event.application_id))
            if result.outcome == push_adapter.GONE:
                _prune(sub)
            elif result.outcome == push_adapter.VAPID:
                log.error("push service refused our VAPID signature (%s): check the VAPID key pair and "
                          "subject; subscription kept", result.status)
            results.append(result)
        return results

    def _by_sms(self, event: models.Event, notice: notices.Notice, now: datetime) -> str:
        """The fallback: one SMS to the owner's phone, at most once per event."""
        phone = _phone(event.user_id)
        if phone is None:
            outbox.finish(event, outbox.FAILED, now, "no_phone")
            return outbox.FAILED
        if not outbox.reserve_sms(event, now):
            return event.delivery  # already sent, or another dispatcher is sending it
        try:
            self.sms.send(phone, notice.sms)
        except SmsUnavailable:
            outbox.release_sms(event)
            outbox.postpone(event, "sms_unavailable")
            return outbox.PENDING
        outbox.finish(event, outbox.SMS, now)
        return outbox.SMS


def _error(results: list[PushResult]) -> str:
    """What to record about a failed attempt: the statuses only."""
    return "push_" + "_".join(sorted({str(r.status) for r in results})) if results else "push_none"


def _prune(sub: models.PushSubscription) -> None:
    """Delete a subscription the push service called gone, unless the browser re-subscribed meanwhile."""
    from pynamodb.exceptions import DeleteError

    field = models.PushSubscription.updated_at
    try:
        sub.delete(condition=field.does_not_exist() if sub.updated_at is None else field == sub.updated_at)
    except DeleteError as exc:
        if exc.cause_response_code != outbox.CONDITION_FAILED:
            raise


def _application(code: str) -> models.Application | None:
    try:
        return models.Application.get(code)
    except DoesNotExist:
        return None


def _phone(user_id: str) -> str | None:
    try:
        return models.User.get(user_id).phone
    except DoesNotExist:
        return None


@lru_cache(maxsize=1)
def _dispatcher() -> Dispatcher:
    """The dispatcher of a deployed function, built once per Lambda container."""
    cfg = load()
    models.bind(cfg)
    return Dispatcher(cfg, push_adapter.for_config(cfg), sms_adapter.for_config(cfg))


def on_stream(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Zappa entry point for the events table's stream: deliver each newly inserted event."""
    from botocore.exceptions import BotoCoreError
    from pynamodb.exceptions import PynamoDBException

    dispatcher, now, seen = _dispatcher(), SystemClock().now(), 0
    for record in event.get("Records", []):
        keys = (record.get("dynamodb") or {}).get("Keys") or {}
        if record.get("eventName") != "INSERT" or "application_id" not in keys or "event_id" not in keys:
            continue
        seen += 1
        try:
            dispatcher.deliver_key(keys["application_id"]["S"], keys["event_id"]["S"], now)
        except (PynamoDBException, BotoCoreError) as exc:
            # The event stays pending in the outbox and the sweep retries it; failing the batch would
            # only hold up the stream shard.
            log.warning("outbox stream delivery deferred to the sweep: %s", type(exc).__name__)
    return {"records": seen}


def sweep(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Zappa entry point for the schedule: retry due events, deliver any the stream missed, and move
    complaints unanswered past their due date up one level (their events then go out like any other)."""
    from functions.status.complaints import escalate_due

    dispatcher, now = _dispatcher(), SystemClock().now()
    return {"attempted": dispatcher.dispatch_pending(now), "escalated": escalate_due(dispatcher.config, now)}
