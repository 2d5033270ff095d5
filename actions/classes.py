"""Health education classes through Rasa: class_form hands every answer to careline.classes.dialogue."""
from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from actions.common import language_of, metadata, settings
from actions.forms import AskDialogueForm, DialogueForm, DialogueFormDone, ValidateDialogueForm, member_ref, send
from careline.classes import dialogue
from careline.db import session_scope
from careline.models import Member
from careline.rides.rules import local_now

CLASS_INTENTS = {"class_find": "find", "class_cancel": "cancel"}


def class_context(tracker: Tracker, member_id: int) -> dialogue.ClassContext:
    with session_scope(settings().database_url) as session:
        member = session.get(Member, member_id)
        zip_code = member.zip_code if member else None
    return dialogue.ClassContext(settings().database_url, language_of(tracker), metadata(tracker).get("channel", "sms"), local_now(), member_id, zip_code)


def begin_class(dispatcher: CollectingDispatcher, tracker: Tracker, state: dict) -> list:
    ctx = class_context(tracker, member_ref(tracker))
    turn = dialogue.opening(state, ctx)
    send(dispatcher, turn.messages)
    if turn.done:
        return [SlotSet("class_state", None)]
    return [SlotSet("class_state", turn.state), FollowupAction("class_form")]


def start_class(dispatcher: CollectingDispatcher, tracker: Tracker, task: str, text: str, topic: str | None = None) -> list:
    state = dialogue.start(task, text, language_of(tracker), local_now().date())
    if topic and not state["wish"].get("topic"):
        state["wish"]["topic"] = topic
    if not member_ref(tracker):
        return [SlotSet("class_state", state), FollowupAction("identify_form")]
    return begin_class(dispatcher, tracker, state)


class ActionClassStart(Action):
    def name(self) -> str:
        return "action_class_start"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        return start_class(dispatcher, tracker, CLASS_INTENTS.get(intent, "find"), tracker.latest_message.get("text") or "")


class ClassForm(DialogueForm):
    form = "class"
    dialogue = dialogue

    def context(self, tracker: Tracker, member_id: int) -> dialogue.ClassContext:
        return class_context(tracker, member_id)


class ValidateClassForm(ClassForm, ValidateDialogueForm):
    pass


class ActionAskClassAnswer(ClassForm, AskDialogueForm):
    pass


class ActionClassDone(ClassForm, DialogueFormDone):
    pass
