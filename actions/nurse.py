"""The nurse line: a warm transfer on a call, a callback offer by text."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.common import metadata, say


def nurse_reason(tracker: Tracker) -> str:
    """The member's own words when they asked for a nurse (the latest such message)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user" and (event.get("parse_data") or {}).get("intent", {}).get("name") == "nurse_request":
            return (event.get("text") or "")[:500]
    return (tracker.latest_message.get("text") or "")[:500]


def handoff_context(tracker: Tracker) -> dict[str, Any]:
    member_ref = tracker.get_slot("member_ref")
    return {
        "reason": nurse_reason(tracker),
        "verified": bool(tracker.get_slot("member_verified")),
        "member_ref": int(member_ref) if member_ref is not None and tracker.get_slot("member_verified") else None,
    }


def last_offer(tracker: Tracker) -> str | None:
    """What the assistant offered in its previous turn, if anything (e.g. a nurse callback)."""
    users_seen = 0
    for event in reversed(tracker.events or []):
        if event.get("event") == "user":
            users_seen += 1
            if users_seen == 2:
                return None
        elif event.get("event") == "bot" and users_seen == 1:
            offer = ((event.get("data") or {}).get("custom") or {}).get("offer")
            if offer:
                return offer
    return None


class ActionNurse(Action):
    """Voice: connect the caller to a nurse now (warm transfer). SMS: offer a callback within 30 minutes."""

    def name(self) -> str:
        return "action_nurse"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if metadata(tracker).get("channel") == "voice":
            say(dispatcher, "nurse_hold", transfer="nurse_warm", handoff={"kind": "warm_transfer", **handoff_context(tracker)})
        else:
            say(dispatcher, "nurse_callback_offer", offer="nurse_callback")
        return []


class ActionYesNo(Action):
    """A yes or no: the answer to the previous offer when there was one, else 'anything else?'."""

    def name(self) -> str:
        return "action_yes_no"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if last_offer(tracker) == "nurse_callback":
            if intent == "affirm":
                say(dispatcher, "nurse_callback_queued", handoff={"kind": "callback", **handoff_context(tracker)})
            else:
                say(dispatcher, "nurse_callback_declined")
            return []
        offer = last_offer(tracker) or ""
        if offer.startswith("class:") and intent == "affirm":
            from actions.classes import start_class

            return start_class(dispatcher, tracker, "find", "", topic=offer.split(":", 1)[1] or None)
        say(dispatcher, "anything_else")
        return []
