"""The local stand-in for the events stream and the sweep schedule: the same dispatcher in a thread.

Without Lambda there is no stream trigger, so a new event is delivered by the next sweep (every
second). Push goes to whatever endpoint a browser subscribed with; SMS goes to moto's SNS through the
SMS adapter, which also prints it on the console. Every minute it also runs the complaint escalation sweep,
as notify.sweep does on its schedule in AWS.

In AWS each stream batch gets a Lambda of its own; here one sweep delivers its due events PARALLEL
applications at a time, each application's in order (the dispatcher claims each attempt, so two
deliveries of one event cannot both run), and a full batch is followed by the next sweep at once. One
event after the other, 200 users' events queued up behind the emulator: 157 of 400 were still pending
30 s after a load run.
"""

from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from functions.core.adapters import push as push_adapter
from functions.core.adapters import sms as sms_adapter
from functions.core.adapters.clock import SystemClock
from functions.core.config import Config
from functions.status import outbox
from functions.status.complaints import escalate_due
from functions.status.notify import SWEEP_BATCH, Dispatcher

log = logging.getLogger("motcua.notifier")
INTERVAL_SECONDS = 1.0
# Complaints past their due date move up a level this often (notify.sweep's schedule in AWS: every minute).
ESCALATE_SECONDS = 60.0
PARALLEL = 8


class Notifier:
    """A daemon thread sweeping the outbox every `interval` seconds until `stop()`."""

    def __init__(self, dispatcher: Dispatcher, interval: float = INTERVAL_SECONDS) -> None:
        self.dispatcher, self.interval = dispatcher, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motcua-notifier", daemon=True)
        self._pool = ThreadPoolExecutor(PARALLEL, thread_name_prefix="motcua-notifier-delivery")

    def start(self) -> Notifier:
        """Start the loop; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end and wait for the sweep in progress."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._pool.shutdown(wait=False, cancel_futures=True)

    def sweep(self, now: datetime) -> int:
        """Deliver the due events, PARALLEL applications at a time; returns how many were due.

        One application's events go one after the other, in timeline order, as a stream shard keeps
        them in AWS: a later notice must not arrive first and be replaced by an older one of its topic.
        """
        keys = outbox.due(now, SWEEP_BATCH)
        by_application: dict[str, list[tuple[str, str]]] = {}
        for key in keys:
            by_application.setdefault(key[0], []).append(key)
        list(self._pool.map(lambda group: self._deliver_in_order(group, now), by_application.values()))
        return len(keys)

    def _deliver_in_order(self, keys: list[tuple[str, str]], now: datetime) -> None:
        for key in sorted(keys):
            self._deliver(key, now)

    def _deliver(self, key: tuple[str, str], now: datetime) -> None:
        try:
            self.dispatcher.deliver_key(*key, now)
        except Exception as exc:  # noqa: BLE001 (one bad event must not stop the others; the type is logged)
            log.warning("local notifier delivery failed: %s", type(exc).__name__)

    def _run(self) -> None:
        clock, wait, escalated_at = SystemClock(), self.interval, 0.0
        while not self._stop.wait(wait):
            try:
                if time.monotonic() - escalated_at >= ESCALATE_SECONDS:
                    escalated_at = time.monotonic()
                    escalate_due(self.dispatcher.config, clock.now())
                wait = 0.0 if self.sweep(clock.now()) >= SWEEP_BATCH else self.interval
            except Exception as exc:  # noqa: BLE001 (the loop must outlive one bad sweep; the type is logged)
                log.warning("local notifier sweep failed: %s", type(exc).__name__)
                wait = self.interval


def start(config: Config) -> Notifier | None:
    """Start the local dispatcher loop, or None (with a warning) when no VAPID key is configured."""
    try:
        push = push_adapter.for_config(config)
    except ValueError:
        log.warning("local notifier not started: no VAPID key")
        return None
    return Notifier(Dispatcher(config, push, sms_adapter.for_config(config))).start()
