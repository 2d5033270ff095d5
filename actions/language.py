"""Switching language at any turn ("in English please", "한국어로")."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say, settings
from careline.db import session_scope
from careline.languages import requested_language
from careline.models import Member


class ActionChangeLanguage(Action):
    """Name the new language for the webhook, and save it for next time if the member is identified."""

    def name(self) -> str:
        return "action_change_language"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        target = requested_language(tracker.latest_message.get("text") or "")
        if target is None:
            say(dispatcher, "language_choose", menu="language")
            return []
        member_ref = tracker.get_slot("member_ref")
        if tracker.get_slot("member_verified") and member_ref is not None:
            with session_scope(settings().database_url) as session:
                member = session.get(Member, int(member_ref))
                if member is not None:
                    member.language = target
        say(dispatcher, "language_changed", set_language=target)
        return []
