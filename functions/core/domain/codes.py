"""Application codes: readable on the phone and over the phone, hard to guess.

`HN-2611-7K3QF9`: the procedure's prefix, the year and month of submission (Vietnam time), and six
random Crockford base32 characters (30 bits: about a billion per prefix and month).
"""

from __future__ import annotations

import re
import secrets
from datetime import datetime

from functions.core.domain.vntime import VIETNAM

# Crockford's alphabet: no I, L, O or U, so nothing is mistaken for 1, 0 or a rude word.
ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_LENGTH = 6
CODE = re.compile(rf"^[A-Z]{{2}}-\d{{4}}-[{ALPHABET}]{{{RANDOM_LENGTH}}}$")
# What people type by mistake, read the Crockford way.
_READ_AS = str.maketrans({"I": "1", "L": "1", "O": "0"})


def new_code(prefix: str, moment: datetime, token: str | None = None) -> str:
    """A fresh code for an application of the procedure with `prefix`, submitted at `moment`."""
    random_part = token or "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_LENGTH))
    return f"{prefix}-{moment.astimezone(VIETNAM):%y%m}-{random_part}"


def normalize(raw: str) -> str | None:
    """A typed code in canonical form (case, spaces, I/L/O mix-ups forgiven), or None if it cannot be one."""
    compact = re.sub(r"[\s\-_.]", "", raw or "").upper()
    if len(compact) != 6 + RANDOM_LENGTH:
        return None
    prefix, rest = compact[:2], compact[2:].translate(_READ_AS)
    candidate = f"{prefix}-{rest[:4]}-{rest[4:]}"
    return candidate if CODE.match(candidate) else None
