"""Outbound Twilio REST through one small gateway.

The real `twilio.rest.Client` when TWILIO_ACCOUNT_SID is set; otherwise a local transport that records
what would have been sent (outbound_log), so development, tests and `make talk` work offline.
"""
from __future__ import annotations

import datetime as dt
import json
import logging
import uuid
from typing import Protocol

from sqlalchemy import select

from careline.db import session_scope
from careline.models import OutboundRecord

log = logging.getLogger(__name__)


class Gateway(Protocol):
    def call(self, to: str, url: str, status_callback: str, timeout: int = 30) -> str: ...

    def redirect(self, call_sid: str, url: str) -> None: ...

    def send_sms(self, to: str, body: str, status_callback: str | None = None, key: str | None = None) -> str: ...

    def find_sms(self, to: str, key: str, body: str) -> str | None: ...


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

    def send_sms(self, to: str, body: str, status_callback: str | None = None, key: str | None = None) -> str:
        return self._record("sms", to, {"body": body, "status_callback": status_callback, "key": key})

    def find_sms(self, to: str, key: str, body: str) -> str | None:
        """The SID of a text already recorded for this outbox key, if one was."""
        with session_scope(self.database_url) as session:
            for record in session.scalars(select(OutboundRecord).where(OutboundRecord.kind == "sms", OutboundRecord.to == to)):
                detail = json.loads(record.detail or "{}")
                if detail.get("key") == key:
                    return detail.get("sid")
        return None


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

    def send_sms(self, to: str, body: str, status_callback: str | None = None, key: str | None = None) -> str:
        options = {"status_callback": status_callback} if status_callback else {}
        return self.client.messages.create(to=to, from_=self.from_number, body=body, **options).sid

    def find_sms(self, to: str, key: str, body: str) -> str | None:
        """A text with this body already sent to `to` in the last day (Twilio keeps no client keys)."""
        since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(days=1)
        for message in self.client.messages.list(to=to, from_=self.from_number, date_sent_after=since, limit=50):
            if (message.body or "").strip() == body.strip():
                return message.sid
        return None


def gateway_for(settings) -> Gateway:
    if settings.twilio_account_sid:
        return TwilioTransport(settings.twilio_account_sid, settings.twilio_auth_token, settings.plan_number)
    return LocalTransport(settings.database_url, settings.plan_number)
