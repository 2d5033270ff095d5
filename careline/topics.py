"""The fixed topic list of the operator API, and which Rasa intent belongs to which topic."""
from __future__ import annotations

TOPICS = (
    "benefits", "plan_info", "ride_book", "ride_status", "ride_cancel", "nurse", "emergency",
    "crisis", "class", "agent", "language", "greeting", "other",
)

BENEFIT_INTENTS = {
    "benefit_dental": "dental",
    "benefit_vision": "vision",
    "benefit_transportation": "transportation",
    "benefit_behavioral_health": "behavioral_health",
    "benefit_nurse_line": "nurse_line",
    "benefit_health_education": "health_education",
    "benefit_care_coordination": "care_coordination",
    "benefit_interpreter": "interpreter",
    "benefit_member_services": "member_services",
}

INTENT_TOPICS = {
    **{intent: "benefits" for intent in BENEFIT_INTENTS},
    "benefit_overview": "benefits",
    "plan_about": "plan_info",
    "plan_enrollment": "plan_info",
    "plan_opt_out": "plan_info",
    "plan_continuity_of_care": "plan_info",
    "plan_notices": "plan_info",
    "ride_book": "ride_book",
    "ride_status": "ride_status",
    "ride_cancel": "ride_cancel",
    "ride_change": "ride_book",
    "ride_list": "ride_status",
    "class_cancel": "class",
    "nurse_request": "nurse",
    "emergency": "emergency",
    "crisis": "crisis",
    "class_find": "class",
    "agent_request": "agent",
    "language_change": "language",
    "greet": "greeting",
    "goodbye": "greeting",
    "thanks": "greeting",
}


def topic_of(intent: str | None) -> str:
    """The operator-facing topic of a Rasa intent ('other' for anything without one)."""
    return INTENT_TOPICS.get(intent or "", "other")


# A message in the middle of the ride or class form with one of these intents is a change of topic
# (or, for cancel and goodbye, the end of the form), unless the dialogue can read it as an answer
# ("I will text when I'm done" is no request for help, "no, Tuesday at 11" is no "cancel"):
# the topic is answered, then the form asks its question again (bot/rules/forms.yml, generated from
# this list by scripts/form_rules.py; actions/forms.py decides).
_COMMON_SWITCHES = (
    "cancel", "goodbye", "help", "repeat", "agent_request", "language_change", "benefit_overview", "benefit_dental", "benefit_vision",
    "benefit_behavioral_health", "benefit_nurse_line", "benefit_health_education", "benefit_care_coordination",
    "benefit_interpreter", "benefit_member_services", "plan_about", "plan_enrollment", "plan_opt_out",
    "plan_continuity_of_care", "plan_notices", "member_pcp", "nurse_request",
)
FORM_SWITCH_INTENTS = {
    "ride": _COMMON_SWITCHES,
    "class": _COMMON_SWITCHES + ("benefit_transportation",),
}
