"""Operator contract: /healthz and /api/understand."""
from __future__ import annotations

from tests.conftest import OPERATOR_TOKEN

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


def test_understand_needs_the_operator_token(client):
    assert client.post("/api/understand", json={"text": "dental", "channel": "sms"}).status_code == 401
    assert client.post("/api/understand", json={"text": "dental"}, headers={"Authorization": "Bearer wrong"}).status_code == 401


def test_understand_returns_language_topic_intent_confidence(client, rasa):
    rasa.parse_result = {"intent": {"name": "benefit_dental", "confidence": 0.91}}
    body = client.post("/api/understand", json={"text": "¿cubre el plan el dentista?", "channel": "sms"}, headers=AUTH).get_json()
    assert body["language"] == "es" and body["topic"] == "benefits" and body["intent"] == "benefit_dental"
    assert body["confidence"] == 0.91
    assert rasa.sent == []  # no conversation touched


def test_understand_runs_the_safety_screen(client, rasa):
    rasa.parse_result = {"intent": {"name": "nurse_request", "confidence": 0.5}}
    body = client.post("/api/understand", json={"text": "我想自杀", "channel": "voice"}, headers=AUTH).get_json()
    assert body["topic"] == "crisis" and body["language"] == "zh"


def test_understand_rejects_bad_input(client):
    assert client.post("/api/understand", json={"text": ""}, headers=AUTH).status_code == 422
    assert client.post("/api/understand", json={"text": "hi", "channel": "fax"}, headers=AUTH).status_code == 422


def test_understand_when_rasa_is_down(client, rasa):
    rasa.down = True
    assert client.post("/api/understand", json={"text": "dental"}, headers=AUTH).status_code == 503


def test_healthz_names_what_is_down(client, rasa):
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.get_json()
    assert body["database"] == "ok" and body["rasa"] == "ok" and "action_server" in body["down"]
