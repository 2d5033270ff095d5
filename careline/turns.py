"""What the ride and class dialogues hand back each turn: catalog messages, their state, whether done."""
from __future__ import annotations

from dataclasses import dataclass

MAX_MISUNDERSTOOD = 3


def msg(key: str, **params) -> dict:
    """One catalog message (rendered by the webhook in the member's language)."""
    return {"key": key, "params": {k: str(v) for k, v in params.items()}}


@dataclass
class Turn:
    messages: list[dict]
    state: dict
    done: bool = False


def misunderstood(state: dict, key: str, give_up_key: str) -> Turn:
    """Ask again; after MAX_MISUNDERSTOOD answers in a row that could not be read, hand over to a person."""
    state["misunderstood"] = state.get("misunderstood", 0) + 1
    if state["misunderstood"] >= MAX_MISUNDERSTOOD:
        return Turn([msg(give_up_key) | {"transfer": "member_services"}], state, done=True)
    return Turn([msg(key)], state)
