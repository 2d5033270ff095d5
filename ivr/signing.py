"""Sign requests exactly as Twilio does (for `make talk`, `make bench` and the tests)."""
from __future__ import annotations

from twilio.request_validator import RequestValidator


def twilio_signature(auth_token: str, url: str, params: dict[str, str]) -> str:
    return RequestValidator(auth_token).compute_signature(url, params)
