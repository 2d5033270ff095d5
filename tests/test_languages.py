"""Offline language identification and switch requests."""
from __future__ import annotations

import pytest

from careline.languages import identify, languages, lexicon, requested_language


@pytest.mark.parametrize("text, expected", [
    ("hola", "es"), ("hola necesito un dentista", "es"), ("gracias", "es"),
    ("I need a ride to my doctor", "en"), ("hello", "en"),
    ("我想看牙医", "zh"), ("我想睇醫生", "zh"), ("치과 보험 돼요?", "ko"),
    ("tôi cần đi khám răng", "vi"), ("kailangan ko ng doktor po", "tl"),
    ("мне нужен врач", "ru"), ("ինձ բժիշկ է պետք", "hy"), ("من دکتر می‌خواهم", "fa"),
    ("ខ្ញុំចង់ជួបពេទ្យ", "km"), ("أحتاج إلى طبيب", "ar"),
])
def test_identify(text, expected):
    assert identify(text)[0] == expected


@pytest.mark.parametrize("text", ["1", "😀", "", "..."])
def test_texts_without_language_say_nothing(text):
    assert identify(text)[0] is None


@pytest.mark.parametrize("text, expected", [
    ("in English please", "en"), ("español por favor", "es"), ("한국어로", "ko"), ("Vietnamese please", "vi"),
    ("can you speak chinese", "zh"), ("farsi", "fa"), ("khmer please", "km"), ("русский", "ru"),
    # Chinese A-not-A questions ask for a language; a plain negation refuses one.
    ("有没有中文服务", "zh"), ("你们有没有讲韩语的", "ko"), ("会不会讲国语", "zh"), ("我不会说英文", "zh"),
    ("No hablo inglés", "es"), ("영어 못해요", "ko"),
])
def test_requested_language(text, expected):
    assert requested_language(text) == expected


@pytest.mark.parametrize("code", list(languages()))
def test_every_language_has_a_lexicon(code):
    entry = lexicon(code)
    assert len(entry.common_words) >= 20
    assert entry.language_names
