"""The real googletrans-py code, driven through httpx.MockTransport with canned Google responses."""
from __future__ import annotations

import json

import httpx

from careline.translation import CircuitBreaker, MachineTranslator


def google_reply(translated: str, source: str) -> str:
    parsed = [[None, None, source], [[[None, None, None, True, None, [[translated, None]]]]], source]
    data = [["wrb.fr", "MkEWBc", json.dumps(parsed), None, None, None, "generic"]]
    return ")]}'\n\n123\n" + json.dumps(data) + "\n"


def test_translates_through_googletrans_and_caches(database):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(request.url.path)
        return httpx.Response(200, text=google_reply("I have had a fever for two days", "km"))

    translator = MachineTranslator(database.database_url, transport=httpx.MockTransport(handler))
    first = translator.translate("ខ្ញុំក្តៅខ្លួនពីរថ្ងៃហើយ", target="en")
    assert first.text == "I have had a fever for two days" and first.source == "km" and first.machine
    assert "batchexecute" in calls[0]
    again = translator.translate("ខ្ញុំក្តៅខ្លួនពីរថ្ងៃហើយ", target="en")
    assert again.text == first.text and len(calls) == 1  # second answer from the DB cache


def test_unreachable_google_returns_none_and_opens_the_breaker(database):
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append(1)
        raise httpx.ConnectError("no route to host", request=request)

    now = [0.0]
    breaker = CircuitBreaker(threshold=2, cooldown=30, clock=lambda: now[0])
    translator = MachineTranslator(database.database_url, breaker=breaker, transport=httpx.MockTransport(handler))
    assert translator.translate("uno", target="en") is None
    assert translator.translate("dos", target="en") is None
    assert translator.translate("tres", target="en") is None
    assert len(calls) == 2  # the third call never left: breaker open
    now[0] = 31
    assert translator.translate("cuatro", target="en") is None
    assert len(calls) == 3  # half-open after the cooldown


def test_google_error_status_is_no_translation(database):
    translator = MachineTranslator(database.database_url, transport=httpx.MockTransport(lambda r: httpx.Response(429, text="slow down")))
    assert translator.translate("hola", target="en") is None
