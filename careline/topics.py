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
