"""Pure parts of the nurse actions: reading the previous offer and the member's words from the tracker."""
from __future__ import annotations

from rasa_sdk import Tracker

from actions.nurse import last_offer, nurse_reason


def tracker(events):
    return Tracker("s", {}, {"text": "si"}, events, False, None, {}, "action_listen")


def user(text, intent):
    return {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}


OFFER = {"event": "bot", "data": {"custom": {"key": "nurse_callback_offer", "offer": "nurse_callback"}}}


def test_offer_of_the_previous_turn_is_found_even_after_featurization_events():
    events = [user("quiero una enfermera", "nurse_request"), {"event": "action", "name": "action_nurse"}, OFFER,
              {"event": "action", "name": "action_listen"}, user("si", "affirm"), {"event": "user_featurization"}]
    assert last_offer(tracker(events)) == "nurse_callback"
    assert nurse_reason(tracker(events)) == "quiero una enfermera"


def test_an_older_offer_does_not_count():
    events = [OFFER, user("what about dental", "benefit_dental"), {"event": "bot", "data": {"custom": {"key": "benefit_detail"}}},
              user("yes", "affirm")]
    assert last_offer(tracker(events)) is None
