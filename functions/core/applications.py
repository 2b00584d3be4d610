"""Who may see an application and how it looks to them; shared by the submit, status and pay functions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from functions.core import models, reads
from functions.core.domain import codes, divisions
from functions.core.domain.lifecycle import FINAL
from functions.core.domain.procedures import catalog
from functions.core.domain.vntime import VIETNAM
from functions.core.errors import NotFound
from functions.core.sessions import Principal


def application_view(app: models.Application) -> dict[str, Any]:
    """The application as its owner sees it (the receipt and the list)."""
    procedure = catalog().get(app.procedure_id)
    commune = divisions.commune(app.commune_code)
    return {
        "code": app.application_id,
        "procedure_id": app.procedure_id,
        "procedure_name": procedure.name if procedure else None,
        "commune_code": app.commune_code,
        "commune_name": commune.name if commune else None,
        "status": app.status,
        "submitted_at": app.created_at.astimezone(VIETNAM).isoformat(),
        "due_date": app.due_date,
        "fee_vnd": int(app.fee_vnd),
        "payment_state": app.payment_state,
        "delivery": app.delivery,
        "documents": app.documents,
    }


def is_overdue(app: models.Application, now: datetime) -> bool:
    """Past its due moment and still open."""
    return now > app.due_at and app.status not in FINAL


def event_id(version: int, at: datetime, kind: str) -> str:
    """A timeline entry's sort key: the application's version after the change comes first, so two
    steps in the same microsecond still sort in the order they happened."""
    return f"{version:06d}#{at:%Y%m%dT%H%M%S%fZ}#{kind}"


def visible_application(principal: Principal, raw_code: str) -> models.Application:
    """The application if the caller owns it or is an officer of its commune; NotFound otherwise."""
    code = codes.normalize(raw_code)
    if code is None:
        raise NotFound()
    app = reads.take(models.Application, code)
    if app is None:
        raise NotFound()
    if app.owner_id == principal.user_id:
        return app
    if principal.role == "officer" and app.commune_code in principal.communes:
        return app
    raise NotFound()


def stored_receipt(payment: models.Payment, result: Any, now: datetime) -> dict[str, Any]:
    """The receipt kept on the application when its order is paid (`result` is the gateway's answer)."""
    paid_at = result.paid_at or now
    return {"amount_vnd": int(payment.amount_vnd), "transaction_no": result.transaction_no,
            "bank_code": result.bank_code, "gateway": payment.gateway, "paid_at": paid_at.isoformat()}


def payment_receipt(app: models.Application) -> dict[str, Any] | None:
    """The receipt of a paid application: amount, time and the gateway's transaction number."""
    if app.payment_state != "paid":
        return None
    kept = app.payment_receipt or {}  # written in the same transaction as "paid" (pay/settle.py)
    if not kept:
        return None
    return {**kept, "paid_at": datetime.fromisoformat(kept["paid_at"]).astimezone(VIETNAM).isoformat()}
