"""POST /sms/incoming: one <Message> reply per member text."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request

from careline.languages import DEFAULT_LANGUAGE
from ivr import twiml
from ivr.guard import answer_once, safe_reply
from ivr.security import twilio_signed

bp = Blueprint("sms", __name__, url_prefix="/sms")
log = logging.getLogger(__name__)


@bp.post("/incoming")
@twilio_signed
def incoming():
    """Answer a member's text, once per MessageSid."""
    assistant = current_app.extensions["assistant"]
    phone, body = request.form.get("From", ""), request.form.get("Body", "")
    key = f"sms:{request.form.get('MessageSid') or assistant.hash(phone + body)}"

    def turn():
        return twiml.sms(assistant.sms_turn(phone, body))

    return answer_once(key, turn, fallback=lambda: twiml.sms(safe_reply(DEFAULT_LANGUAGE, "sms")))


@bp.post("/status")
@twilio_signed
def status():
    """Delivery status callback for outbound texts (recorded by the outbox when it exists)."""
    log.info("sms status %s", request.form.get("MessageStatus", "unknown"))
    return ("", 204)
