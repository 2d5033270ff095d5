"""Deterministic emergency and crisis screen: runs on every turn before NLU, in every language.

Patterns are data (careline/safety_data/<lang>.yml). The screen checks the member's language first
and then every other language, because a frightened member may write in a language other than the
one the conversation is in. It never needs Rasa, the action server or the database.
"""
from __future__ import annotations

import functools
from dataclasses import dataclass

import regex
import yaml

from careline import PACKAGE_DIR
from careline.languages import languages
from careline.text import fold

EMERGENCY = "emergency"
CRISIS = "crisis"


@dataclass(frozen=True)
class Rules:
    emergency: tuple[regex.Pattern, ...]
    crisis: tuple[regex.Pattern, ...]
    near_misses: tuple[regex.Pattern, ...]


def _compile(patterns) -> tuple[regex.Pattern, ...]:
    return tuple(regex.compile(p, flags=regex.IGNORECASE | regex.V0) for p in patterns or ())


@functools.lru_cache(maxsize=None)
def rules(language: str) -> Rules:
    path = PACKAGE_DIR / "safety_data" / f"{language}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return Rules(_compile(data.get("emergency")), _compile(data.get("crisis")), _compile(data.get("near_misses")))


def screen_language(text: str, language: str, written_in: str | None = None) -> str | None:
    """The category the text falls in under one language's rules, or None.

    Near-misses of the language the member writes in are removed too, so that English patterns do
    not trip on Taglish such as "rehab pagkatapos ma stroke ako last year".
    """
    folded = fold(text, language)
    language_rules = rules(language)
    near_misses = language_rules.near_misses + (rules(written_in).near_misses if written_in and written_in != language else ())
    for near_miss in near_misses:
        folded = near_miss.sub(" ", folded)
    # Crisis first: "I took pills because I want to die" needs 988 and a nurse, not only 911.
    if any(p.search(folded) for p in language_rules.crisis):
        return CRISIS
    if any(p.search(folded) for p in language_rules.emergency):
        return EMERGENCY
    return None


def screen(text: str, language: str | None = None) -> str | None:
    """Emergency, crisis or None for a member's message, checking `language` first, then all others."""
    if not text:
        return None
    order = [language] if language else []
    order += [code for code in languages() if code != language]
    found = None
    for code in order:
        category = screen_language(text, code, written_in=language)
        if category == CRISIS:
            return CRISIS
        found = found or category
    return found
