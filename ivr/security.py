"""Every Twilio request is checked against X-Twilio-Signature before anything else happens."""
from __future__ import annotations

import functools
import logging

from flask import abort, current_app, request
from twilio.request_validator import RequestValidator

log = logging.getLogger(__name__)


def public_url() -> str:
    """The URL Twilio signed: PUBLIC_BASE_URL plus path and query when behind a proxy."""
    base = current_app.config["SETTINGS"].public_base_url
    if not base:
        return request.url
    query = request.query_string.decode("latin-1")
    return base.rstrip("/") + request.path + (f"?{query}" if query else "")


def twilio_signed(view):
    """Reject (403) any request whose Twilio signature is missing or wrong; nothing is processed."""

    @functools.wraps(view)
    def checked(*args, **kwargs):
        validator = RequestValidator(current_app.config["SETTINGS"].twilio_auth_token)
        signature = request.headers.get("X-Twilio-Signature", "")
        # Every parameter received is signed, including ones Twilio adds without notice.
        params = request.form.to_dict(flat=True) if request.form else {}
        if not signature or not validator.validate(public_url(), params, signature):
            log.warning("rejected unsigned or mis-signed request to %s", request.path)
            abort(403)
        return view(*args, **kwargs)

    return checked
