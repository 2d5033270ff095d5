"""What every action needs: the member's language and channel, settings, and a short DB session."""
from __future__ import annotations

import functools
from typing import Any

from rasa_sdk import Tracker

from careline.config import Settings, contact_numbers
from careline.languages import DEFAULT_LANGUAGE, supported


@functools.lru_cache(maxsize=1)
def settings() -> Settings:
    return Settings.from_env()


def metadata(tracker: Tracker) -> dict[str, Any]:
    """The webhook sends language, channel and the caller's pseudonym with every message."""
    return (tracker.latest_message or {}).get("metadata") or {}


def language_of(tracker: Tracker) -> str:
    code = metadata(tracker).get("language")
    return code if supported(code) else DEFAULT_LANGUAGE


def phone_numbers() -> dict[str, str]:
    """Placeholders every text may use."""
    return contact_numbers(settings())


def say(dispatcher, key: str, **fields: Any) -> None:
    """Send one catalog message by key; the webhook renders it in the member's language."""
    dispatcher.utter_message(json_message={"key": key, **fields})
