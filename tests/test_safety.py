"""The deterministic emergency / crisis screen on the labelled set, in every language."""
from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from careline.languages import languages
from careline.safety import screen

DATA = Path(__file__).parent / "data" / "safety"


def labelled(code: str) -> list[dict]:
    return yaml.safe_load((DATA / f"{code}.yml").read_text(encoding="utf-8"))["phrases"]


def test_labelled_set_is_large_enough():
    total = sum(len(labelled(code)) for code in languages())
    assert total >= 300, total


@pytest.mark.parametrize("code", list(languages()))
def test_recall_is_total_and_near_misses_do_not_trip(code):
    missed, false_alarms = [], []
    for row in labelled(code):
        got = screen(row["text"], code)
        if row["expect"] != "none" and got is None:
            missed.append(row["text"])
        if row["expect"] == "none" and got is not None:
            false_alarms.append(row["text"])
    assert not missed, f"{code}: emergencies or crises missed: {missed}"
    assert not false_alarms, f"{code}: near-misses that tripped: {false_alarms}"


@pytest.mark.parametrize("text, expected", [
    ("I want to kill myself", "crisis"),
    ("i took pills because i want to die", "crisis"),
    ("my chest hurts", "emergency"),
    ("a ride to my chest x-ray", None),
    ("does the plan cover rehab after my stroke last year", None),
    ("I'm dying to try the zumba class", None),
])
def test_core_english_phrases(text, expected):
    assert screen(text, "en") == expected
