"""Benefits lookup: what the plan covers, read from the database in the member's language."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common import language_of, metadata, phone_numbers, say, settings
from careline.db import session_scope
from careline.languages import DEFAULT_LANGUAGE
from careline.models import Benefit, BenefitText
from careline.topics import BENEFIT_INTENTS

INTENT_FOR_BENEFIT = {code: intent for intent, code in BENEFIT_INTENTS.items()}


def benefit_rows(session, language: str) -> list[BenefitText]:
    """Active benefits in plan order, in `language` where written, else in English."""
    rows = session.execute(
        select(BenefitText)
        .join(Benefit, Benefit.code == BenefitText.benefit_code)
        .where(Benefit.active.is_(True), BenefitText.language.in_({language, DEFAULT_LANGUAGE}))
        .order_by(Benefit.sort_order)
    ).scalars()
    chosen: dict[str, BenefitText] = {}
    for row in rows:
        if row.benefit_code not in chosen or row.language == language:
            chosen[row.benefit_code] = row
    return list(chosen.values())


class ActionBenefitInfo(Action):
    """Answer a benefit question (or list the benefits) from the benefit_texts table."""

    def name(self) -> str:
        return "action_benefit_info"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        language = language_of(tracker)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        wanted = BENEFIT_INTENTS.get(intent)
        numbers = phone_numbers()
        with session_scope(settings().database_url) as session:
            rows = benefit_rows(session, language)
        if wanted is None:
            items = [{"name": row.name, "intent": INTENT_FOR_BENEFIT.get(row.benefit_code)} for row in rows]
            say(dispatcher, "benefits_overview", list={"param": "benefit_list", "item_key": "benefit_menu_item", "items": items})
            return class_offer(dispatcher, tracker, language)
        row = next((r for r in rows if r.benefit_code == wanted), None)
        if row is None:
            say(dispatcher, "benefit_missing")
            return []
        params = {field: getattr(row, field).replace("{member_services}", numbers["member_services"]) for field in ("name", "covered", "limits", "how_to_use")}
        say(dispatcher, "benefit_detail", params=params, source_language=row.language)
        offered = class_offer(dispatcher, tracker, language)
        if offered:
            return offered
        say(dispatcher, "anything_else")
        return []


def class_offer(dispatcher: CollectingDispatcher, tracker: Tracker, language: str) -> list:
    """Once per conversation, after a benefit question that names a condition we teach a class on,
    offer that class; never in a conversation where the safety screen fired."""
    from careline.classes.extract import read_wish
    from careline.classes.service import offers
    from careline.rides.rules import local_now

    if tracker.get_slot("class_offered") or metadata(tracker).get("safety_hits"):
        return []
    topic = read_wish(tracker.latest_message.get("text") or "", language, local_now().date()).topic
    if not topic:
        return []
    with session_scope(settings().database_url) as session:
        found = offers(session, language, local_now(), topic=topic)
    if not found:
        return []
    own = next((o for o in found if o.language == language), found[0])
    say(dispatcher, "class_offer", params={"title": own.title}, offer=f"class:{topic}")
    return [SlotSet("class_offered", True)]
