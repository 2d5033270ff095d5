"""Rides through Rasa: the ride_form hands every answer to careline.rides.dialogue.

Identification comes first (identify_form); the form then asks until the booking, change or
cancellation is done. A topic switch in the middle is answered and the form asks again
(bot/rules/forms.yml); "cancel" stops it with nothing booked.
"""
from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from sqlalchemy import select

from actions.common import language_of, metadata, say, settings
from actions.forms import AskDialogueForm, DialogueForm, DialogueFormDone, ValidateDialogueForm, member_ref, send
from careline.db import session_scope
from careline.formats import format_when
from careline.models import AuditEntry, Member, Ride
from careline.rides import dialogue, service
from careline.rides import rules as R
from careline.turns import msg

log = logging.getLogger(__name__)
RIDE_INTENTS = {"ride_book": "book", "ride_cancel": "cancel", "ride_change": "change", "ride_status": "status", "ride_list": "list"}


def load_context(tracker: Tracker, member_id: int, now: dt.datetime | None = None) -> dialogue.Context:
    now = now or R.local_now()
    with session_scope(settings().database_url) as session:
        member = session.get(Member, member_id)
        rides = service.open_rides(session, member_id, now)
        recent: dict[str, str] = {}
        for ride in session.scalars(select(Ride).where(Ride.member_id == member_id).order_by(Ride.created_at.desc()).limit(20)):
            recent.setdefault(ride.destination_kind, ride.destination_address)
        caller = metadata(tracker).get("caller")
        booked_by = "member" if not caller or caller == member.phone_hash else "caregiver"
        views = [dialogue.RideView(r.code, r.pickup_local, r.appointment_local, r.destination_kind, r.status, r.driver_eta_minutes) for r in rides]
        return dialogue.Context(
            database_url=settings().database_url, language=language_of(tracker), channel=metadata(tracker).get("channel", "sms"), now=now,
            member_id=member_id, home_address=member.address or "", mobility=member.mobility or "ambulatory", recent=recent, rides=views,
            booked_by=booked_by,
        )


def audit(member_id: int, tracker: Tracker, action: str, detail: str) -> None:
    with session_scope(settings().database_url) as session:
        session.add(AuditEntry(actor=f"assistant:{metadata(tracker).get('channel', 'unknown')}", member_id=member_id, action=action, detail=detail))


def begin(dispatcher: CollectingDispatcher, tracker: Tracker, state: dict) -> list:
    """The member is identified: answer status/list at once, or start the ride form."""
    member_id = member_ref(tracker)
    ctx = load_context(tracker, member_id)
    task = state["task"]
    if task in ("status", "list"):
        audit(member_id, tracker, "viewed", f"rides ({task})")
        send(dispatcher, status_messages(ctx) if task == "status" else list_messages(ctx))
        say(dispatcher, "anything_else")
        return [SlotSet("ride_state", None)]
    if task in ("cancel", "change"):
        turn = dialogue.opening(state, ctx)
        if turn.done:
            send(dispatcher, turn.messages)
            return [SlotSet("ride_state", None)]
        state = turn.state
    return [SlotSet("ride_state", state), FollowupAction("ride_form")]


def status_messages(ctx: dialogue.Context) -> list[dict]:
    if not ctx.rides:
        return [msg("ride_status_none")]
    ride = ctx.rides[0]
    if ride.status == "en_route":
        return [msg("ride_status_en_route", code=ride.code, minutes=ride.eta or 15)]
    if ride.status == "arrived":
        return [msg("ride_status_arrived", code=ride.code)]
    key = "ride_status_pending_pcs" if ride.status == "pending_pcs" else "ride_status_scheduled"
    return [msg(key, code=ride.code, when=format_when(ride.pickup, ctx.language))]


def list_messages(ctx: dialogue.Context) -> list[dict]:
    if not ctx.rides:
        return [msg("ride_status_none")]
    items = [{"name": f"{ride.code} {format_when(ride.pickup, ctx.language)}"} for ride in ctx.rides[:5]]
    return [{**msg("ride_upcoming"), "list": {"param": "ride_list", "item_key": "ride_list_item", "items": items}}]


class ActionRideStart(Action):
    """Any ride request: read what the first message already says, identify, then begin."""

    def name(self) -> str:
        return "action_ride_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        task = RIDE_INTENTS.get(intent, "book")
        state = dialogue.start(task, tracker.latest_message.get("text") or "", language_of(tracker), R.local_now().date())
        if not member_ref(tracker):
            return [SlotSet("ride_state", state), FollowupAction("identify_form")]
        return begin(dispatcher, tracker, state)


class RideForm(DialogueForm):
    form = "ride"
    dialogue = dialogue

    def context(self, tracker: Tracker, member_id: int) -> dialogue.Context:
        return load_context(tracker, member_id)


class ValidateRideForm(RideForm, ValidateDialogueForm):
    pass


class ActionAskRideAnswer(RideForm, AskDialogueForm):
    pass


class ActionRideDone(RideForm, DialogueFormDone):
    pass
