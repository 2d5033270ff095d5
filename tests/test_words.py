"""Every language reads days, times and ride details: a table of phrases per language
(tests/cases/words/<lang>.yml) with the day, time and fields each must give.

Today in every table is Friday 27 November 2026.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from careline.languages import languages
from careline.rides.extract import answer, read
from careline.when import read_when

TODAY = dt.date(2026, 11, 27)
CASES = Path(__file__).parent / "cases" / "words"


def table(code: str) -> dict:
    path = CASES / f"{code}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {"when": [], "ride": [], "answers": [], "classes": []}


def cases(section: str):
    for code in languages():
        for case in table(code).get(section) or []:
            yield pytest.param(code, case, id=f"{code}:{case['text'][:40]}")


def _time(value):
    return None if value is None else dt.time.fromisoformat(str(value))


@pytest.mark.parametrize("code", languages())
def test_every_language_has_a_full_table(code):
    data = table(code)
    assert len(data["when"]) >= 15, "at least 15 day/time phrases"
    assert len(data["ride"]) >= 8, "at least 8 ride phrases"
    assert {c.get("answer") for c in data["answers"]} >= {"yes", "no"}
    assert any(c.get("problem") == "impossible_date" for c in data["when"])
    assert any(c.get("weekdays") for c in data["when"]), "a standing-order phrase naming several weekdays"
    assert len(data["classes"]) >= 6, "at least 6 class phrases"


@pytest.mark.parametrize("code, case", cases("when"))
def test_day_and_time(code, case):
    got = read_when(case["text"], code, TODAY, keypad=case.get("keypad"))
    assert got.problem == case.get("problem")
    assert got.date == case.get("date"), f"{case['text']!r}: date {got.date} != {case.get('date')}"
    assert got.time == _time(case.get("time")), f"{case['text']!r}: time {got.time} != {case.get('time')}"
    if "weekdays" in case:
        assert got.weekdays == case["weekdays"]


FIELDS = ("date", "time", "address", "home", "destination_kind", "not_allowed", "mobility", "companion", "car_seat", "return_mode", "return_time", "recurring", "until", "discharge", "notes")


@pytest.mark.parametrize("code, case", cases("ride"))
def test_ride_fields(code, case):
    said = read(case["text"], code, TODAY)
    for name in FIELDS:
        if name not in case:
            continue
        expected = case[name]
        if name in ("time", "return_time"):
            expected = _time(expected)
        assert getattr(said, name) == expected, f"{case['text']!r}: {name} = {getattr(said, name)!r}, expected {expected!r}"


@pytest.mark.parametrize("code, case", cases("answers"))
def test_yes_and_no(code, case):
    assert answer(case["text"], code) == case.get("answer")


CLASS_FIELDS = ("topic", "format", "near_me", "weekdays", "daypart", "this_week", "weekend", "language", "date")


@pytest.mark.parametrize("code, case", cases("classes"))
def test_class_wishes(code, case):
    from careline.classes.extract import read_wish

    wish = read_wish(case["text"], code, TODAY)
    for name in CLASS_FIELDS:
        if name in case:
            expected = tuple(case[name]) if name == "weekdays" else case[name]
            assert getattr(wish, name) == expected, f"{case['text']!r}: {name} = {getattr(wish, name)!r}, expected {expected!r}"


# The word each language's texts tell the member to send back for a will-call ride home
# (catalog "ride_return_will_call"), and a few other ways of answering with the same meaning.
READY_WORDS = {
    "en": ["READY", "ready!"], "es": ["LISTO", "ya estoy lista"], "zh": ["准备好了", "準備好了"],
    "ko": ["준비됐어요", "준비 됐습니다"], "vi": ["XONG RỒI", "xong roi"], "tl": ["HANDA NA AKO"],
    "ru": ["ГОТОВО", "готова"], "hy": ["ՊԱՏՐԱՍՏ"], "fa": ["آماده", "آماده‌ام"], "km": ["រួចហើយ"], "ar": ["جاهز"],
}


@pytest.mark.parametrize("code", languages())
def test_the_ready_word_we_advertise_is_understood(code):
    from careline import catalog
    from careline.rides.extract import reply_word

    advertised = READY_WORDS[code][0]
    assert advertised in catalog.text("ride_return_will_call", code, "sms")
    for word in READY_WORDS[code] + ["READY"]:
        assert reply_word(word, code) == "ready", word
    # A booking message is not an answer to a reminder.
    assert reply_word("I need a ride to my doctor on Tuesday at 10 and back home at 2", code) is None
