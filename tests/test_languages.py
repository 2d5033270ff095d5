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


@pytest.mark.parametrize("text, expected", [
    # "کال" (Cal MediConnect) and "امسال" hold the letters of the Arabic article: no evidence of Arabic.
    ("امسال کال مدی کانکت چه خدماتی داره", "fa"),
    # Farsi typed on an Arabic keyboard (ي, ك): its words still say Farsi.
    ("كلاس ورزش براي من ميخوام", "fa"), ("ميشه يه ماشين بفرستيد", "fa"),
    # Arabic, including Iraqi with چ: more Arabic-only letters than Farsi ones, no Farsi words.
    ("عندي موعد مع الدكتور بكرة", "ar"), ("باچر عندي موعد وياكم", "ar"), ("ممنون كتير", "ar"),
])
def test_farsi_and_arabic_are_told_apart(text, expected):
    assert identify(text)[0] == expected


@pytest.mark.parametrize("text, expected", [
    # Latin letters, as caregivers and younger relatives text: Arabizi by its digits, the rest by words.
    ("ana 3ayez a7gez maw3ed", "ar"), ("la2 shukran", "ar"),
    ("barev dzez, uzum em grancvel", "hy"), ("zdravstvuyte, mne nuzhen vrach zavtra", "ru"),
    ("salam, baraye farda mashin mikham", "fa"), ("pwede po ba akong magpa schedule ng ride", "tl"),
    # Times, ordinals and English loanwords are no evidence of another language.
    ("pick me up at 3pm on 3rd street", "en"), ("necesito un ride para el doctor", "es"),
])
def test_romanised_texts(text, expected):
    assert identify(text)[0] == expected


def test_loanwords_alone_say_nothing():
    assert identify("ride")[0] is None and identify("appointment")[0] is None


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
