"""Outbound Twilio REST through one small gateway.

The real `twilio.rest.Client` when TWILIO_ACCOUNT_SID is set; otherwise a local transport that records
what would have been sent (outbound_log), so development, tests and `make talk` work offline.
"""
from __future__ import annotations

import json
import logging
import uuid
from typing import Protocol

from careline.db import session_scope
from careline.models import OutboundRecord

log = logging.getLogger(__name__)


class Gateway(Protocol):
    def call(self, to: str, url: str, status_callback: str, timeout: int = 30) -> str: ...

    def redirect(self, call_sid: str, url: str) -> None: ...

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str: ...


class LocalTransport:
    """Records every request instead of sending it; returns made-up SIDs."""

    def __init__(self, database_url: str, from_number: str):
        self.database_url, self.from_number = database_url, from_number

    def _record(self, kind: str, to: str, detail: dict) -> str:
        sid = ("CA" if kind != "sms" else "SM") + uuid.uuid4().hex
        with session_scope(self.database_url) as session:
            session.add(OutboundRecord(kind=kind, to=to, detail=json.dumps({**detail, "sid": sid})))
        return sid

    def call(self, to: str, url: str, status_callback: str, timeout: int = 30) -> str:
        return self._record("call", to, {"url": url, "status_callback": status_callback, "timeout": timeout})

    def redirect(self, call_sid: str, url: str) -> None:
        self._record("redirect", call_sid, {"url": url})

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        return self._record("sms", to, {"body": body, "status_callback": status_callback})


class TwilioTransport:
    """The real REST client (calls, call updates, messages)."""

    def __init__(self, account_sid: str, auth_token: str, from_number: str, client=None):
        from twilio.rest import Client

        self.client = client or Client(account_sid, auth_token)
        self.from_number = from_number

    def call(self, to: str, url: str, status_callback: str, timeout: int = 30) -> str:
        # Twilio posts the status callback when the call ends (its default event), which is the one we
        # need: no-answer, busy, failed or completed.
        call = self.client.calls.create(to=to, from_=self.from_number, url=url, method="POST", timeout=timeout,
                                        status_callback=status_callback, status_callback_method="POST")
        return call.sid

    def redirect(self, call_sid: str, url: str) -> None:
        self.client.calls(call_sid).update(url=url, method="POST")

    def send_sms(self, to: str, body: str, status_callback: str | None = None) -> str:
        options = {"status_callback": status_callback} if status_callback else {}
        return self.client.messages.create(to=to, from_=self.from_number, body=body, **options).sid


def gateway_for(settings) -> Gateway:
    if settings.twilio_account_sid:
        return TwilioTransport(settings.twilio_account_sid, settings.twilio_auth_token, settings.plan_number)
    return LocalTransport(settings.database_url, settings.plan_number)
