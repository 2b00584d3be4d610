"""Reconciliation: orders still pending 15 minutes after they were made are asked about with the gateway's
`querydr` and settled, so a payment whose IPN never came is still recorded (and one never paid expires).

Zappa runs `reconcile` every 5 minutes (zappa_settings.json `events`); it reads the payments table's
`by_state` index, never a Scan.
"""

from __future__ import annotations

import logging
from datetime import datetime
from functools import lru_cache
from typing import Any

from functions.core import models
from functions.core.adapters import payments as payments_adapter
from functions.core.adapters.clock import SystemClock
from functions.core.adapters.payments import PaymentGateway
from functions.core.config import load
from functions.core.errors import DependencyUnavailable
from functions.pay.settle import ORDER_TTL, PENDING, settle_from_gateway

log = logging.getLogger("motcua.pay")
BATCH = 50


def reconcile_pending(gateway: PaymentGateway, now: datetime) -> dict[str, int]:
    """Settle every order pending for longer than an order lives; counts by the state each ended in."""
    counts: dict[str, int] = {}
    older = models.Payment.created_at <= now - ORDER_TTL
    for payment in models.Payment.by_state.query(PENDING, older, limit=BATCH):
        try:
            state = settle_from_gateway(gateway, models.Payment.get(payment.txn_ref, consistent_read=True), now).state
        except DependencyUnavailable:
            log.warning("querydr unavailable; order left pending for the next run")
            state = PENDING
        counts[state] = counts.get(state, 0) + 1
    return counts


@lru_cache(maxsize=1)
def _gateway() -> PaymentGateway:
    cfg = load()
    models.bind(cfg)
    return payments_adapter.for_config(cfg)


def reconcile(event: dict[str, Any], context: Any) -> dict[str, int]:
    """Zappa entry point for the 5-minute schedule."""
    return reconcile_pending(_gateway(), SystemClock().now())
