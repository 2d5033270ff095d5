"""The three actions every dialogue form needs (ride_form, class_form), written once.

A form has one requested slot (`<name>_answer`) that takes any answer, and one slot with the
dialogue's state (`<name>_state`). The validation hands the answer to the dialogue's step(); the ask
action says the dialogue's next question; the done action clears both slots.
"""
from __future__ import annotations

from abc import ABC, abstractmethod
from types import ModuleType
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecutionRejected, SlotSet
from rasa_sdk.executor import CollectingDispatcher

from careline.topics import FORM_SWITCH_INTENTS


def member_ref(tracker: Tracker) -> int | None:
    ref = tracker.get_slot("member_ref")
    return int(ref) if ref is not None and tracker.get_slot("member_verified") else None


def send(dispatcher: CollectingDispatcher, messages: list[dict]) -> None:
    for message in messages:
        dispatcher.utter_message(json_message=message)


class DialogueForm(ABC):
    """Subclasses name the form, its dialogue module (step(), ask(), understands()) and context().

    Abstract until they give context(), so the action server registers only the concrete form actions.
    """

    form: str  # "ride" or "class"
    dialogue: ModuleType  # careline.rides.dialogue or careline.classes.dialogue

    @property
    def state_slot(self) -> str:
        return f"{self.form}_state"

    @property
    def answer_slot(self) -> str:
        return f"{self.form}_answer"

    @abstractmethod
    def context(self, tracker: Tracker, member_id: int):
        raise NotImplementedError

    def step(self, state: dict, text: str, ctx):
        return self.dialogue.step(state, text, ctx)

    def ask(self, state: dict, ctx) -> list[dict]:
        return self.dialogue.ask(state, ctx)

    def understands(self, state: dict, text: str, ctx) -> bool:
        return self.dialogue.understands(state, text, ctx)


class ValidateDialogueForm(DialogueForm, Action):
    """Every answer in the form goes to the dialogue, whatever the NLU made of it."""

    def name(self) -> str:
        return f"validate_{self.form}_form"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        state = tracker.get_slot(self.state_slot)
        member_id = member_ref(tracker)
        if not state or not member_id:
            return [SlotSet(self.answer_slot, "done"), SlotSet(self.state_slot, None)]
        if tracker.get_slot("requested_slot") != self.answer_slot or tracker.get_slot(self.answer_slot) is None:
            return []  # no new answer: the form starts, or comes back after a change of topic, and asks
        text = tracker.latest_message.get("text") or ""
        ctx = self.context(tracker, member_id)
        intent = (tracker.latest_message.get("intent") or {}).get("name")
        if intent in FORM_SWITCH_INTENTS[self.form] and not self.understands(state, text, ctx):
            # A change of topic: the rules answer it, then the form asks its question again. The answer
            # slot is emptied, so that coming back does not read the same message a second time.
            return [SlotSet(self.answer_slot, None), ActionExecutionRejected(f"{self.form}_form")]
        turn = self.step(dict(state), text, ctx)
        send(dispatcher, turn.messages)
        if turn.done:
            return [SlotSet(self.answer_slot, "done"), SlotSet(self.state_slot, None)]
        return [SlotSet(self.answer_slot, None), SlotSet(self.state_slot, turn.state)]


class AskDialogueForm(DialogueForm, Action):
    """The form's question: whatever the dialogue still needs."""

    def name(self) -> str:
        return f"action_ask_{self.form}_answer"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        state = tracker.get_slot(self.state_slot)
        member_id = member_ref(tracker)
        if not state or not member_id:
            return []
        state = dict(state)
        send(dispatcher, self.ask(state, self.context(tracker, member_id)))
        return [SlotSet(self.state_slot, state)]


class DialogueFormDone(DialogueForm, Action):
    def name(self) -> str:
        return f"action_{self.form}_done"

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]) -> list:
        return [SlotSet(self.answer_slot, None), SlotSet(self.state_slot, None)]
