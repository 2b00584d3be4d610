"""The SMS adapter: SNS in AWS (moto's SNS locally), plus a fake that records messages."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Protocol

from functions.core.config import Config
from functions.core.errors import SmsUnavailable

log = logging.getLogger("motcua.sms")


class SmsSender(Protocol):
    """Sends one text message to one E.164 number."""

    def send(self, phone: str, text: str) -> None:
        """Send, or raise SmsUnavailable."""
        ...


class SnsSms:
    """SNS `Publish` to a phone number, as a transactional message under our sender ID."""

    def __init__(self, config: Config, client: Any = None) -> None:
        self._config = config
        self._client = client

    def _sns(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("sns", region_name=self._config.region,
                                        endpoint_url=self._config.aws_endpoint_url)
        return self._client

    def send(self, phone: str, text: str) -> None:
        """Publish the message; any SNS or network failure becomes SmsUnavailable."""
        from botocore.exceptions import BotoCoreError, ClientError

        attributes = {
            # Transactional: delivered ahead of marketing traffic, and allowed to opted-in numbers only.
            "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"},
            "AWS.SNS.SMS.SenderID": {"DataType": "String", "StringValue": self._config.sms_sender_id},
        }
        try:
            self._sns().publish(PhoneNumber=phone, Message=text, MessageAttributes=attributes)
        except (BotoCoreError, ClientError) as exc:
            # The error type only: the message text would contain the number.
            log.warning("sms publish failed: %s", type(exc).__name__)
            raise SmsUnavailable() from exc


class ConsoleEcho:
    """Local runs only: send through the wrapped adapter, then print the text for the developer."""

    def __init__(self, inner: SmsSender) -> None:
        self._inner = inner

    def send(self, phone: str, text: str) -> None:
        """Send, then print to the dev console."""
        self._inner.send(phone, text)
        print(f"[SMS to {phone}] {text}", flush=True)


@dataclass
class FakeSms:
    """Records messages instead of sending them; `fail=True` simulates an outage."""

    sent: list[tuple[str, str]] = field(default_factory=list)
    fail: bool = False

    def send(self, phone: str, text: str) -> None:
        """Record, or raise SmsUnavailable when failing."""
        if self.fail:
            raise SmsUnavailable()
        self.sent.append((phone, text))


def for_config(config: Config) -> SmsSender:
    """The adapter a deployed or local function uses."""
    sender: SmsSender = SnsSms(config)
    return ConsoleEcho(sender) if config.stage == "local" else sender
