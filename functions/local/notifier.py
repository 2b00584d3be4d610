"""The local stand-in for the events stream and the sweep schedule: the same dispatcher in a thread.

Without Lambda there is no stream trigger, so a new event is delivered by the next sweep (every
second). Push goes to whatever endpoint a browser subscribed with; SMS goes to moto's SNS through the
SMS adapter, which also prints it on the console.
"""

from __future__ import annotations

import logging
import threading

from functions.core.adapters import push as push_adapter
from functions.core.adapters import sms as sms_adapter
from functions.core.adapters.clock import SystemClock
from functions.core.config import Config
from functions.status.notify import Dispatcher

log = logging.getLogger("motcua.notifier")
INTERVAL_SECONDS = 1.0


class Notifier:
    """A daemon thread running `Dispatcher.dispatch_pending` every INTERVAL_SECONDS until `stop()`."""

    def __init__(self, dispatcher: Dispatcher, interval: float = INTERVAL_SECONDS) -> None:
        self.dispatcher, self.interval = dispatcher, interval
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="motcua-notifier", daemon=True)

    def start(self) -> Notifier:
        """Start the loop; returns self."""
        self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Ask the loop to end and wait for the sweep in progress."""
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _run(self) -> None:
        clock = SystemClock()
        while not self._stop.wait(self.interval):
            try:
                self.dispatcher.dispatch_pending(clock.now())
            except Exception as exc:  # noqa: BLE001 (the loop must outlive one bad sweep; the type is logged)
                log.warning("local notifier sweep failed: %s", type(exc).__name__)


def start(config: Config) -> Notifier | None:
    """Start the local dispatcher loop, or None (with a warning) when no VAPID key is configured."""
    try:
        push = push_adapter.for_config(config)
    except ValueError:
        log.warning("local notifier not started: no VAPID key")
        return None
    return Notifier(Dispatcher(config, push, sms_adapter.for_config(config))).start()
