"""Operator contract: GET /healthz and POST /api/understand (Bearer OPERATOR_TOKEN)."""
from __future__ import annotations

import hmac

import requests
from flask import Blueprint, current_app, jsonify, request

from ivr.rasa_client import RasaUnavailable

bp = Blueprint("api", __name__)


@bp.get("/healthz")
def healthz():
    """200 when the webhook, Rasa, the action server and the database answer; 503 naming what does not."""
    assistant = current_app.extensions["assistant"]
    settings = current_app.config["SETTINGS"]
    checks = {"webhook": True, "rasa": assistant.rasa.healthy(), "action_server": _action_server_up(settings.action_server_url), "database": assistant.store.ping()}
    down = [name for name, ok in checks.items() if not ok]
    body = {name: ("ok" if ok else "down") for name, ok in checks.items()}
    body["status"] = "ok" if not down else "degraded"
    if down:
        body["down"] = down
    return jsonify(body), (200 if not down else 503)


def _action_server_up(url: str) -> bool:
    try:
        return requests.get(f"{url.rstrip('/')}/health", timeout=2).status_code == 200
    except requests.RequestException:
        return False


def _authorised() -> bool:
    expected = f"Bearer {current_app.config['SETTINGS'].operator_token}"
    return hmac.compare_digest(request.headers.get("Authorization", ""), expected)


@bp.post("/api/understand")
def understand():
    """Language, topic, intent and confidence for a text, through the same steps as a real message."""
    if not _authorised():
        return jsonify(error="missing or wrong operator token"), 401
    payload = request.get_json(silent=True) or {}
    text, channel = payload.get("text"), payload.get("channel", "sms")
    if not isinstance(text, str) or not text.strip():
        return jsonify(error="'text' must be a non-empty string"), 422
    if channel not in ("sms", "voice"):
        return jsonify(error="'channel' must be 'sms' or 'voice'"), 422
    try:
        return jsonify(current_app.extensions["assistant"].understand(text, channel))
    except RasaUnavailable:
        return jsonify(error="the language model is not answering; try again shortly"), 503
