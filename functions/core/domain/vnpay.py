"""VNPay's merchant protocol, version 2.1.0: signatures, amounts, dates and the querydr messages. Pure: no I/O.

The reference is VNPay's published specification:
  - payment URL and its parameters: https://sandbox.vnpayment.vn/apis/docs/thanh-toan-pay/pay.html
    (also https://sandbox.vnpayment.vn/apis/docs/huong-dan-tich-hop/ and, for 2.1.0 with HMAC-SHA512 and no
    vnp_SecureHashType, https://sandbox.vnpayment.vn/apis/docs/chuyen-doi-thuat-toan/changeTypeHash.html);
  - querydr: https://sandbox.vnpayment.vn/apis/docs/truy-van-hoan-tien/querydr&refund.html
The string that is signed is built the way VNPay's own Python and PHP samples build it: the vnp_* parameters
sorted by name, each `key=quote_plus(value)`, joined by `&`; the published example URL on those pages is
exactly that string followed by `&vnp_SecureHash=...`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta, timezone
from typing import Any
from urllib.parse import quote_plus

VERSION = "2.1.0"
HASH_KEYS = ("vnp_SecureHash", "vnp_SecureHashType")
# The spec's dates are "yyyyMMddHHmmss (Time zone GMT+7)"; Vietnam has no daylight saving time.
GMT7 = timezone(timedelta(hours=7), "GMT+7")
_TIME_FORMAT = "%Y%m%d%H%M%S"
ORDER_INFO_MAX = 255  # vnp_OrderInfo is Alphanumeric[1,255]
AMOUNT_MAX_DIGITS = 12  # vnp_Amount is Numeric[1,12]
# vnp_OrderInfo must be "Tiếng Việt không dấu và không bao gồm các ký tự đặc biệt": we keep ASCII letters,
# digits, spaces and the few marks the spec's own example uses ("Thanh toan don hang :5") or codes need.
_ORDER_INFO_REFUSED = re.compile(r"[^A-Za-z0-9 .,:_/-]+")
_HEX512 = re.compile(r"[0-9a-fA-F]{128}")

# querydr: the fields hashed, in the spec's order, joined by "|" (querydr&refund.html, "vnp_SecureHash").
QUERYDR_REQUEST_FIELDS = ("vnp_RequestId", "vnp_Version", "vnp_Command", "vnp_TmnCode", "vnp_TxnRef",
                          "vnp_TransactionDate", "vnp_CreateDate", "vnp_IpAddr", "vnp_OrderInfo")
QUERYDR_RESPONSE_FIELDS = ("vnp_ResponseId", "vnp_Command", "vnp_ResponseCode", "vnp_Message", "vnp_TmnCode",
                           "vnp_TxnRef", "vnp_Amount", "vnp_BankCode", "vnp_PayDate", "vnp_TransactionNo",
                           "vnp_TransactionType", "vnp_TransactionStatus", "vnp_OrderInfo", "vnp_PromotionCode",
                           "vnp_PromotionAmount")


def _hmac512(secret: str, data: str) -> str:
    return hmac.new(secret.encode("utf-8"), data.encode("utf-8"), hashlib.sha512).hexdigest()


def hash_data(params: Mapping[str, Any]) -> str:
    """The exact string that is signed: vnp_* parameters but the hash ones, sorted, `key=quote_plus(value)`."""
    keys = sorted(k for k in params if k.startswith("vnp_") and k not in HASH_KEYS)
    return "&".join(f"{key}={quote_plus(str(params[key]))}" for key in keys)


def secure_hash(params: Mapping[str, Any], secret: str) -> str:
    """vnp_SecureHash: HMAC-SHA512 (lower-case hex) of `hash_data(params)` under the hash secret."""
    return _hmac512(secret, hash_data(params))


def signed_query(params: Mapping[str, Any], secret: str) -> str:
    """The query string to send: the signed string plus `&vnp_SecureHash=`; empty values are left out."""
    if any(not key.startswith("vnp_") or key in HASH_KEYS for key in params):
        raise ValueError("only unsigned vnp_* parameters can be signed")
    # VNPay's PHP/Python samples sign "key=" for an empty value while its Java sample drops it: sending
    # none keeps every implementation of the gateway computing the same string.
    present = {key: str(value) for key, value in params.items() if value is not None and str(value) != ""}
    return f"{hash_data(present)}&vnp_SecureHash={secure_hash(present, secret)}"


def _same_hex(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.lower().encode("ascii"), expected.lower().encode("ascii"))


def verify(params: Mapping[str, Any], secret: str) -> bool:
    """True when vnp_SecureHash signs the other vnp_* parameters (constant-time, case-insensitive hex)."""
    given = params.get("vnp_SecureHash")
    if not secret or not isinstance(given, str) or not _HEX512.fullmatch(given):
        return False
    candidates = [secure_hash(params, secret)]
    signed = {k: v for k, v in params.items() if k.startswith("vnp_") and k not in HASH_KEYS}
    if any(str(v) == "" for v in signed.values()):
        # The gateway's Java sample drops empty values before hashing, its PHP/Python samples keep them.
        candidates.append(secure_hash({k: v for k, v in signed.items() if str(v) != ""}, secret))
    matches = [_same_hex(given, candidate) for candidate in candidates]  # every candidate, no short cut
    return any(matches)


def to_vnp_amount(vnd: int) -> str:
    """vnp_Amount for a whole-VND amount: the spec sends 10,000 VND as 1000000 (× 100)."""
    if isinstance(vnd, bool) or not isinstance(vnd, int) or vnd <= 0:
        raise ValueError(f"a payment is a positive whole number of VND, got {vnd!r}")
    raw = str(vnd * 100)
    if len(raw) > AMOUNT_MAX_DIGITS:
        raise ValueError(f"vnp_Amount has at most {AMOUNT_MAX_DIGITS} digits, got {raw}")
    return raw


def from_vnp_amount(raw: str) -> int:
    """Whole VND from a gateway's vnp_Amount (÷ 100); refuses signs, decimals and non-multiples of 100."""
    if not isinstance(raw, str) or not re.fullmatch(rf"[0-9]{{1,{AMOUNT_MAX_DIGITS}}}", raw):
        raise ValueError(f"vnp_Amount must be 1..{AMOUNT_MAX_DIGITS} digits, got {raw!r}")
    value = int(raw)
    if value % 100:
        raise ValueError(f"vnp_Amount must be VND × 100, got {raw}")
    return value // 100


def vnp_time(moment: datetime) -> str:
    """An aware moment as the spec's `yyyyMMddHHmmss` in GMT+7 (vnp_CreateDate, vnp_ExpireDate, ...)."""
    if moment.tzinfo is None:
        raise ValueError("vnp_time needs an aware datetime")
    return moment.astimezone(GMT7).strftime(_TIME_FORMAT)


def parse_vnp_time(raw: str) -> datetime:
    """The aware UTC moment of a `yyyyMMddHHmmss` GMT+7 value (e.g. vnp_PayDate)."""
    if not isinstance(raw, str) or not re.fullmatch(r"[0-9]{14}", raw):
        raise ValueError(f"expected yyyyMMddHHmmss, got {raw!r}")
    return datetime.strptime(raw, _TIME_FORMAT).replace(tzinfo=GMT7).astimezone(UTC)


def order_info(text: str) -> str:
    """vnp_OrderInfo: Vietnamese without diacritics (đ → d), no special characters, at most 255 long."""
    text = text.replace("đ", "d").replace("Đ", "D")
    bare = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    cleaned = " ".join(_ORDER_INFO_REFUSED.sub(" ", bare).split())
    cleaned = cleaned[:ORDER_INFO_MAX].rstrip()
    if not cleaned:
        raise ValueError("vnp_OrderInfo would be empty")
    return cleaned


def _text(value: Any) -> str:
    return "" if value is None else str(value)


def pipe_hash(body: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> str:
    """HMAC-SHA512 of the named fields' values joined by "|" (a missing field counts as empty)."""
    return _hmac512(secret, "|".join(_text(body.get(field)) for field in fields))


def querydr_body(*, request_id: str, tmn_code: str, txn_ref: str, order_info_text: str, transaction_date: datetime,
                 create_date: datetime, ip_addr: str, secret: str) -> dict[str, str]:
    """The signed JSON body of a querydr request (transaction_date: when the payment URL was made)."""
    body = {
        "vnp_RequestId": request_id, "vnp_Version": VERSION, "vnp_Command": "querydr", "vnp_TmnCode": tmn_code,
        "vnp_TxnRef": txn_ref, "vnp_OrderInfo": order_info(order_info_text),
        "vnp_TransactionDate": vnp_time(transaction_date), "vnp_CreateDate": vnp_time(create_date),
        "vnp_IpAddr": ip_addr,
    }
    body["vnp_SecureHash"] = pipe_hash(body, QUERYDR_REQUEST_FIELDS, secret)
    return body


def _pipe_ok(body: Mapping[str, Any], fields: tuple[str, ...], secret: str) -> bool:
    given = body.get("vnp_SecureHash")
    if not secret or not isinstance(given, str) or not _HEX512.fullmatch(given):
        return False
    return _same_hex(given, pipe_hash(body, fields, secret))


def querydr_request_ok(body: Mapping[str, Any], secret: str) -> bool:
    """The gateway's check of a querydr request's checksum (pipe-joined, the spec's order)."""
    return _pipe_ok(body, QUERYDR_REQUEST_FIELDS, secret)


def querydr_response(fields: Mapping[str, Any], secret: str) -> dict[str, str]:
    """A gateway's signed querydr answer made of these fields (the sandbox's side of the protocol)."""
    body = {key: _text(value) for key, value in fields.items()}
    body["vnp_SecureHash"] = pipe_hash(body, QUERYDR_RESPONSE_FIELDS, secret)
    return body


def querydr_response_ok(body: Mapping[str, Any], secret: str) -> bool:
    """True when a querydr answer's vnp_SecureHash signs its fields (pipe-joined, the spec's order)."""
    return _pipe_ok(body, QUERYDR_RESPONSE_FIELDS, secret)
