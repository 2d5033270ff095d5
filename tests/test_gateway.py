"""The real Twilio REST client behind the gateway, with an in-process fake HTTP client."""
from __future__ import annotations

import json

from twilio.http import HttpClient
from twilio.http.response import Response
from twilio.rest import Client

from careline.gateway import LocalTransport, TwilioTransport


class FakeHttp(HttpClient):
    def __init__(self):
        import logging

        super().__init__(logging.getLogger("fake-twilio-http"), is_async=False)
        self.requests = []

    def request(self, method, url, params=None, data=None, headers=None, auth=None, timeout=None, allow_redirects=False):
        self.requests.append((method, url, dict(data or {})))
        sid = ("SM" if "Messages" in url else "CA") + "f" * 32
        return Response(201 if method == "POST" and url.endswith(".json") and "/Calls/" not in url else 200, json.dumps({"sid": sid, "status": "queued"}))


def transport():
    http = FakeHttp()
    client = Client("AC" + "0" * 32, "token", http_client=http)
    return TwilioTransport("AC" + "0" * 32, "token", "+18885550100", client=client), http


def test_calls_the_nurse_with_whisper_status_callback_and_30_second_ring():
    gateway, http = transport()
    assert gateway.call("+18885550111", "https://x.example/voice/nurse/whisper?handoff=7", "https://x.example/voice/nurse/status?handoff=7", timeout=30) == "CA" + "f" * 32
    method, url, data = http.requests[0]
    assert method == "POST" and url.endswith("/Calls.json")
    assert data["To"] == "+18885550111" and data["From"] == "+18885550100" and data["Timeout"] == 30
    assert data["Url"].endswith("whisper?handoff=7") and data["StatusCallback"].endswith("status?handoff=7")


def test_redirects_a_live_call_and_sends_a_text():
    gateway, http = transport()
    gateway.redirect("CA" + "1" * 32, "https://x.example/voice/nurse/missed?handoff=7")
    assert http.requests[0][1].endswith("/Calls/CA" + "1" * 32 + ".json") and http.requests[0][2]["Url"].endswith("missed?handoff=7")
    assert gateway.send_sms("+12135550101", "hello").startswith("SM")
    assert http.requests[1][2]["Body"] == "hello"


def test_local_transport_records_instead_of_sending(database):
    from sqlalchemy import select

    from careline.db import session_scope
    from careline.models import OutboundRecord

    local = LocalTransport(database.database_url, "+18885550100")
    sid = local.send_sms("+12135550101", "hello")
    with session_scope(database.database_url) as session:
        row = session.scalars(select(OutboundRecord)).one()
        assert (row.kind, row.to, json.loads(row.detail)["sid"]) == ("sms", "+12135550101", sid)
