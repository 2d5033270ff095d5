"""Member identification: caller ID or member ID, plus date of birth; three failures end the attempt."""
from __future__ import annotations

import logging
from typing import Any

from rasa_sdk import Action, FormValidationAction, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict
from sqlalchemy import select

from actions.common import language_of, metadata, phone_numbers, say, settings
from careline.db import session_scope
from careline.identity import MAX_FAILURES, parse_dob, parse_member_number
from careline.models import AuditEntry, Member

log = logging.getLogger(__name__)
MEMBER_SPECIFIC_INTENTS = ("member_pcp",)


def caller_member(session, phone_hash: str | None) -> Member | None:
    """The member calling or texting from a number on file: their own, or a listed caregiver's."""
    if not phone_hash:
        return None
    member = session.scalars(select(Member).where(Member.phone_hash == phone_hash)).first()
    if member is None:
        from careline.models import Caregiver

        cared_for = session.scalars(select(Caregiver.member_id).where(Caregiver.phone_hash == phone_hash)).all()
        if len(cared_for) == 1:
            member = session.get(Member, cared_for[0])
    return member


class ValidateIdentifyForm(FormValidationAction):
    """Ask only for what is needed: a caller whose number is on file gives just the date of birth."""

    def name(self) -> str:
        return "validate_identify_form"

    async def required_slots(self, domain_slots, dispatcher, tracker, domain) -> list[str]:
        if tracker.get_slot("member_verified") or (tracker.get_slot("identity_failures") or 0) >= MAX_FAILURES:
            return []
        with session_scope(settings().database_url) as session:
            known_caller = caller_member(session, metadata(tracker).get("caller")) is not None
        return ["dob"] if known_caller else ["member_id", "dob"]

    def _failed(self, dispatcher, tracker, key: str) -> dict[str, Any]:
        failures = (tracker.get_slot("identity_failures") or 0) + 1
        if failures < MAX_FAILURES:
            say(dispatcher, key)
        return {"identity_failures": failures, "member_id": None, "dob": None}

    def validate_member_id(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        number = parse_member_number(str(slot_value or ""))
        if number is None:
            return self._failed(dispatcher, tracker, "identify_bad_member_id")
        return {"member_id": number}

    def validate_dob(self, slot_value: Any, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        dob = parse_dob(str(slot_value or ""), language_of(tracker))
        if dob is None:
            return self._failed(dispatcher, tracker, "identify_bad_dob")
        with session_scope(settings().database_url) as session:
            number = tracker.get_slot("member_id")
            if number:
                member = session.scalars(select(Member).where(Member.member_number == number)).first()
            else:
                member = caller_member(session, metadata(tracker).get("caller"))
            if member is None or member.dob != dob:
                log.info("identification failed (attempt %s)", (tracker.get_slot("identity_failures") or 0) + 1)
                return self._failed(dispatcher, tracker, "identify_no_match")
            session.add(AuditEntry(actor=f"assistant:{metadata(tracker).get('channel', 'unknown')}", member_id=member.id, action="identified", detail="member ID or caller ID plus date of birth"))
            language = language_of(tracker)
            if member.language != language:
                member.language = language
            member_ref = float(member.id)
        say(dispatcher, "identify_ok")
        return {"member_verified": True, "member_ref": member_ref, "member_id": None, "dob": None, "identity_failures": 0}


class ActionAfterIdentify(Action):
    """Finish what the member asked for once identification ends, or send them to a person."""

    def name(self) -> str:
        return "action_after_identify"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        if not tracker.get_slot("member_verified"):
            say(dispatcher, "identify_failed", transfer="member_services")
            return [SlotSet("ride_state", None), SlotSet("class_state", None)]
        if tracker.get_slot("ride_state"):
            from actions.rides import begin

            return begin(dispatcher, tracker, dict(tracker.get_slot("ride_state")))
        if tracker.get_slot("class_state"):
            from actions.classes import begin_class

            return begin_class(dispatcher, tracker, dict(tracker.get_slot("class_state")))
        wanted = next(
            (e["parse_data"]["intent"]["name"] for e in reversed(tracker.events) if e.get("event") == "user" and (e.get("parse_data") or {}).get("intent", {}).get("name") in MEMBER_SPECIFIC_INTENTS),
            "member_pcp",
        )
        if wanted == "member_pcp":
            return await ActionMemberPcp().run(dispatcher, tracker, domain)
        return []


class ActionMemberPcp(Action):
    """Tell an identified member who their primary care doctor is."""

    def name(self) -> str:
        return "action_member_pcp"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        member_ref = tracker.get_slot("member_ref")
        if not tracker.get_slot("member_verified") or member_ref is None:
            say(dispatcher, "identify_failed", transfer="member_services")
            return []
        from careline.config import display_phone

        with session_scope(settings().database_url) as session:
            member = session.get(Member, int(member_ref))
            session.add(AuditEntry(actor=f"assistant:{metadata(tracker).get('channel', 'unknown')}", member_id=int(member_ref), action="viewed", detail="primary care doctor"))
            pcp_name, pcp_phone = (member.pcp_name, member.pcp_phone) if member else (None, None)
        if not pcp_name:
            say(dispatcher, "member_no_pcp", params=phone_numbers())
        else:
            say(dispatcher, "member_pcp", params={"pcp_name": pcp_name, "pcp_phone": display_phone(pcp_phone or "")})
        say(dispatcher, "anything_else")
        return [SlotSet("member_verified", True)]
