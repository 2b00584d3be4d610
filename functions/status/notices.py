"""Notice texts: what a citizen reads in a push notification, the in-app inbox and the fallback SMS.

The texts live in notices.json, one entry per event kind (per result kind for `mark_result_ready`),
Vietnamese first. Procedure names stay the official Vietnamese ones (the English catalog name keeps them
too). Pure: no storage, no clock.
"""

from __future__ import annotations

import json
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

TEXTS = Path(__file__).with_name("notices.json")
LANGS = ("vi", "en")
# A push shows a few lines: quote at most this much of an officer's reason (the app shows all of it).
REASON_MAX = 200
# One SMS segment in the GSM 7-bit alphabet: diacritics would force UCS-2 and 70 characters a segment.
SMS_MAX = 160
# The submission itself and the citizen's own steps are in the inbox but never pushed.
UNPUSHED_ROLES = frozenset({"citizen"})


@dataclass(frozen=True)
class Notice:
    """One rendered notice: title and body in every language, the SMS text and the push urgency."""

    key: str
    urgency: str
    title: dict[str, str]
    body: dict[str, str]
    sms: str


@lru_cache(maxsize=1)
def catalog() -> dict[str, dict[str, Any]]:
    """The texts per notice key."""
    return json.loads(TEXTS.read_text(encoding="utf-8"))


def notice_key(kind: str, data: dict[str, Any] | None) -> str | None:
    """The catalog entry for an event, or None when there is no text for it."""
    key = f"{kind}.{(data or {}).get('result')}" if kind == "mark_result_ready" else kind
    return key if key in catalog() else None


def is_pushed(kind: str, actor: dict[str, Any] | None) -> bool:
    """Whether an event is worth interrupting the citizen for: someone else changed their application."""
    role = (actor or {}).get("role")
    return kind != "submitted" and role not in UNPUSHED_ROLES


class _Values(dict):
    """Placeholder values; a missing one renders empty rather than failing a notice."""

    def __missing__(self, key: str) -> str:
        return ""


def _clip(text: str, limit: int, ellipsis: str = "…") -> str:
    return text if len(text) <= limit else text[: limit - len(ellipsis)].rstrip() + ellipsis


def unaccented(text: str) -> str:
    """Vietnamese without diacritics, in plain ASCII ("Hồ sơ đã được duyệt" -> "Ho so da duoc duyet")."""
    text = text.replace("đ", "d").replace("Đ", "D")
    decomposed = unicodedata.normalize("NFD", text)
    plain = "".join(ch for ch in decomposed if unicodedata.category(ch) != "Mn")
    return plain.encode("ascii", "ignore").decode()


def render(kind: str, data: dict[str, Any] | None, code: str, procedure: dict[str, str] | None) -> Notice | None:
    """The notice for an event on application `code` of the procedure named `procedure` ({vi, en})."""
    key = notice_key(kind, data)
    if key is None:
        return None
    entry, data = catalog()[key], data or {}
    reason = _clip(str(data.get("reason") or ""), REASON_MAX)
    new_date = str(data.get("new_due_date") or "")  # an apology's new date, YYYY-MM-DD, read as dd/mm/yyyy
    common = {"code": code, "reason": reason, "tracking_number": str(data.get("tracking_number") or ""),
              "new_date": "/".join(reversed(new_date.split("-"))) if new_date else ""}

    def values(lang: str) -> _Values:
        return _Values(common, procedure=(procedure or {}).get(lang) or (procedure or {}).get("vi") or code)

    title = {lang: entry["title"][lang].format_map(values(lang)) for lang in LANGS}
    body = {lang: entry["body"][lang].format_map(values(lang)) for lang in LANGS}
    sms = _clip(unaccented(entry["sms"].format_map(values("vi"))), SMS_MAX, "...")
    return Notice(key, entry["urgency"], title, body, sms)


def procedure_name(procedure_id: str | None) -> dict[str, str] | None:
    """The procedure's official name ({vi, en}) from the catalog."""
    from functions.core.domain.procedures import catalog as procedures

    procedure = procedures().get(procedure_id) if procedure_id else None
    return procedure.name if procedure else None


def event_status(data: dict[str, Any] | None, current: str | None) -> str | None:
    """The status an event led to; `current` (the application's status now) when the event does not say."""
    data = data or {}
    return data.get("to") or data.get("status") or current


def application_url(code: str) -> str:
    """The PWA page of one application, or of one complaint (`PA-` codes), which tapping a notice opens."""
    return f"/feedback?code={code}" if code.startswith("PA-") else f"/application?code={code}"


def push_payload(notice: Notice, code: str, kind: str, status: str | None, lang: str) -> bytes:
    """The JSON the service worker receives, in the subscription's language."""
    lang = lang if lang in LANGS else "vi"
    message = {"application_id": code, "kind": kind, "status": status, "title": notice.title[lang],
               "body": notice.body[lang], "lang": lang, "url": application_url(code), "tag": code}
    return json.dumps(message, ensure_ascii=False, separators=(",", ":")).encode()
