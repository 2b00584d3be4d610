"""The outbox: each Event's delivery state, moved only by conditional writes.

Whoever records a change (the desk, the submission, a payment) writes its Event in the same transaction,
so only committed changes are ever in the outbox. A new Event is `pending`: it carries `outbox="pending"`
and `next_attempt_at`, which put it in the sparse `by_outbox` index; finishing removes both.

    pending --the citizen's own step, or no text for it--------------------------> none
    pending --claim: attempts n -> n+1, next_attempt_at = now + backoff(n+1)--> (one attempt)
        a browser's push service took it ---------------------------------------> sent
        429 / 5xx / 403 / unreachable, attempts left ---------> pending until next_attempt_at
        no working subscription, or retries used up: SMS reserved, then sent ----> sms
        SMS refused: reservation released ------------------> pending until next_attempt_at
    pending, due, all attempts used -----------------------------------------------> failed

The claim is a conditional write on `attempts`, so of two dispatchers racing on one event only one makes
each attempt; a dispatcher that dies mid-attempt leaves the event due again when its claim runs out
(at least once). The SMS is reserved with `sms_at` set only if absent, so it goes out at most once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from pynamodb.exceptions import DoesNotExist, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from functions.core import models

PENDING = "pending"
SENT, SMS, NONE, FAILED = "sent", "sms", "none", "failed"
CONDITION_FAILED = "ConditionalCheckFailedException"
# Attempt 1 is at once; later ones wait 1, 2, 4, 8, 16 minutes (capped at an hour). After the last one
# the SMS takes over, so a citizen whose push service is down hears within about half an hour.
MAX_ATTEMPTS = 6
BACKOFF_FIRST = timedelta(minutes=1)
BACKOFF_CAP = timedelta(hours=1)

E = models.Event


def backoff(attempt: int) -> timedelta:
    """How long attempt number `attempt` (1-based) holds the event before the next one may start."""
    return min(BACKOFF_FIRST * (2 ** max(0, attempt - 1)), BACKOFF_CAP)


def due(now: datetime, limit: int) -> list[tuple[str, str]]:
    """Keys of pending events whose next attempt is due, earliest first (a Query, never a Scan)."""
    page = E.by_outbox.query(PENDING, E.next_attempt_at <= now, limit=limit)
    return [(item.application_id, item.event_id) for item in page]


def load(application_id: str, event_id: str) -> models.Event | None:
    """The event as stored now (consistent read), or None."""
    try:
        return E.get(application_id, event_id, consistent_read=True)
    except DoesNotExist:
        return None


def _write(event: models.Event, actions: list[Action], condition: Condition) -> bool:
    """One conditional update; False when the condition did not hold (someone else got there first)."""
    try:
        event.update(actions=actions, condition=condition)
    except UpdateError as exc:
        if exc.cause_response_code == CONDITION_FAILED:
            return False
        raise
    return True


def _same_attempt(event: models.Event) -> Condition:
    seen = int(event.attempts or 0)
    same = E.attempts == seen
    return (same | E.attempts.does_not_exist()) if seen == 0 else same


def claim(event: models.Event, now: datetime) -> bool:
    """Take the next attempt of a due, pending event; holds it until `now + backoff(attempt)`."""
    attempt = int(event.attempts or 0) + 1
    condition = (E.outbox == PENDING) & (E.next_attempt_at <= now) & _same_attempt(event)
    return _write(event, [E.attempts.set(attempt), E.next_attempt_at.set(now + backoff(attempt))], condition)


def postpone(event: models.Event, error: str, not_before: datetime | None = None) -> bool:
    """Record why this attempt failed; keep the claim's next time unless the service asked for later."""
    actions = [E.last_error.set(error)]
    if not_before is not None and event.next_attempt_at is not None and not_before > event.next_attempt_at:
        actions.append(E.next_attempt_at.set(not_before))
    return _write(event, actions, (E.outbox == PENDING) & _same_attempt(event))


def finish(event: models.Event, delivery: str, now: datetime, error: str | None = None) -> bool:
    """Leave the outbox as sent, sms, none or failed; False when another dispatcher finished it first."""
    actions = [E.delivery.set(delivery), E.outbox.remove(), E.next_attempt_at.remove(),
               E.settled_at.set(now)]
    actions.append(E.last_error.set(error) if error else E.last_error.remove())
    return _write(event, actions, E.outbox == PENDING)


def give_up(event: models.Event, now: datetime) -> bool:
    """Mark a due event whose attempts are all used as failed (its last claim ran out)."""
    condition = (E.outbox == PENDING) & (E.next_attempt_at <= now) & _same_attempt(event)
    actions = [E.delivery.set(FAILED), E.outbox.remove(), E.next_attempt_at.remove(), E.settled_at.set(now),
               E.last_error.set(event.last_error or "gave_up")]
    return _write(event, actions, condition)


def reserve_sms(event: models.Event, now: datetime) -> bool:
    """Reserve the event's one SMS; False when it was already reserved (sent, or being sent)."""
    return _write(event, [E.sms_at.set(now)], (E.outbox == PENDING) & E.sms_at.does_not_exist())


def release_sms(event: models.Event) -> bool:
    """Give the reservation back after the provider refused the message (nothing was sent)."""
    return _write(event, [E.sms_at.remove()], E.sms_at == event.sms_at)
