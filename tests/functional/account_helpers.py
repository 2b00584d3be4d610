"""Shared steps for the account tests: ask for a code, read it from moto's SNS, sign in."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from flask.testing import FlaskClient

WEBOTP = re.compile(r"\n@(?P<host>[^ ]+) #(?P<code>\d{6})$")
PROFILE = json.loads((Path(__file__).parents[1] / "fixtures" / "profile.json").read_text(encoding="utf-8"))


def latest_code(inbox: Callable[[str], list[str]], phone: str) -> str:
    """The code in the newest SMS to `phone`, read from its WebOTP line."""
    return WEBOTP.search(inbox(phone)[-1]).group("code")


def csrf(client: FlaskClient) -> dict[str, str]:
    """The header a same-origin page sends: the readable CSRF cookie's value."""
    cookie = client.get_cookie("motcua_csrf")
    return {"X-CSRF-Token": cookie.value} if cookie else {}


def sign_in(client: FlaskClient, inbox: Callable[[str], list[str]], phone: str = "+84912345678",
            ip: str = "203.0.113.7"):  # noqa: ANN201 (a test response)
    """Ask for a code and verify it; returns the verify response."""
    sent = client.post("/otp", json={"phone": phone}, environ_base={"REMOTE_ADDR": ip})
    assert sent.status_code == 202, sent.json
    return client.post("/otp/verify", json={"phone": phone, "code": latest_code(inbox, phone)})
