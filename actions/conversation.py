"""Conversation repair: low-confidence turns and "repeat that"."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import say


def consecutive_fallbacks(events: list[dict]) -> int:
    """How many of the member's latest messages in a row were not understood."""
    count = 0
    for event in reversed(events):
        if event.get("event") != "user":
            continue
        if (event.get("parse_data") or {}).get("intent", {}).get("name") != "nlu_fallback":
            break
        count += 1
    return count


class ActionFallback(Action):
    """Ask the member to rephrase once; the second time, offer member services."""

    def name(self) -> str:
        return "action_fallback"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if consecutive_fallbacks(tracker.events) >= 2:
            say(dispatcher, "fallback_agent", transfer="member_services")
        else:
            say(dispatcher, "rephrase")
        return []


class ActionRepeat(Action):
    """Send again everything the assistant said in its previous turn."""

    def name(self) -> str:
        return "action_repeat"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        previous: list[dict] = []
        seen_user = 0
        for event in reversed(tracker.events):
            if event.get("event") == "user":
                seen_user += 1
                if seen_user == 2:
                    break
            elif event.get("event") == "bot" and seen_user == 1:
                custom = (event.get("data") or {}).get("custom")
                if custom:
                    previous.insert(0, custom)
        if not previous:
            say(dispatcher, "main_menu", menu="main")
        for custom in previous:
            dispatcher.utter_message(json_message=custom)
        return []
