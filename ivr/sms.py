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
    """Delivery status callback for outbound texts: recorded on the outbox row it belongs to."""
    from careline.outbox import record_status

    outbox_id = request.args.get("outbox", "")
    status = request.form.get("MessageStatus", "unknown")
    recorded = record_status(current_app.config["SETTINGS"].database_url, int(outbox_id) if outbox_id.isdigit() else None, request.form.get("MessageSid"), status)
    log.info("sms status %s (%s)", status, "recorded" if recorded else "not matched")
    return ("", 204)
