"""Never a 500, never silence: one effect per delivery, and a safe answer when anything fails."""
from __future__ import annotations

import logging
from typing import Callable

from flask import current_app

from careline import catalog
from careline.config import display_phone
from ivr.replies import Reply
from ivr.twiml import xml_response

log = logging.getLogger(__name__)


def safe_reply(language: str, channel: str) -> Reply:
    """The message for any failure on our side: sorry, call Member Services (24/7), or 911."""
    number = display_phone(current_app.config["SETTINGS"].member_services_number)
    return Reply(texts=[catalog.text("error_safe", language, channel, member_services=number)], language=language,
                 transfer="member_services" if channel == "voice" else None)


def answer_once(key: str, turn: Callable, fallback: Callable):
    """Run `turn` once per Twilio delivery key; a repeated delivery gets the same TwiML back."""
    store = current_app.extensions["assistant"].store
    try:
        earlier = store.claim(key)
    except Exception:  # noqa: BLE001 - a locked or absent database must still answer the member
        log.exception("delivery store unavailable")
        return xml_response(fallback())
    if earlier:
        return current_app.response_class(earlier, mimetype="text/xml")
    if earlier == "":
        return xml_response(fallback())
    try:
        body = str(turn())
    except Exception as exc:  # noqa: BLE001 - any failure becomes the safe message
        log.error("turn failed: %s", type(exc).__name__, exc_info=not _expected(exc))
        body = str(fallback())
    try:
        store.remember(key, body)
    except Exception:  # noqa: BLE001
        log.exception("could not store the reply for %s", key.split(":")[0])
    return current_app.response_class(body, mimetype="text/xml")


def _expected(exc: Exception) -> bool:
    from ivr.rasa_client import RasaUnavailable

    return isinstance(exc, RasaUnavailable)
