"""Every member-facing sentence exists in every language, with the same placeholders."""
from __future__ import annotations

import re

import pytest

from careline import catalog
from careline.languages import languages
from careline.seed import benefit_texts

REFERENCE = catalog.catalog("en")
OTHERS = [code for code in languages() if code != "en"]


@pytest.mark.parametrize("code", OTHERS)
def test_catalog_has_every_key_with_the_same_placeholders(code):
    entries = catalog.catalog(code)
    assert entries, f"no catalog for {code}"
    missing = sorted(set(REFERENCE) - set(entries))
    assert not missing, f"{code} lacks {missing}"
    extra = sorted(set(entries) - set(REFERENCE))
    assert not extra, f"{code} has keys English does not: {extra}"
    for key, english in REFERENCE.items():
        theirs = catalog.variants(entries[key])
        for channel, text in catalog.variants(english).items():
            assert channel in theirs, f"{code}.{key} lacks its {channel} text"
            assert catalog.placeholders(theirs[channel]) == catalog.placeholders(text), f"{code}.{key}.{channel} placeholders differ"
            assert theirs[channel].strip(), f"{code}.{key}.{channel} is empty"


@pytest.mark.parametrize("code", list(languages()))
def test_benefit_texts_cover_every_benefit(code):
    english = benefit_texts("en")
    theirs = benefit_texts(code)
    assert set(theirs) == set(english)
    for benefit, fields in theirs.items():
        assert set(fields) == {"name", "covered", "limits", "how_to_use"}, benefit


def test_rendering_fills_placeholders_and_isolates_numbers_in_rtl():
    assert "1-888-555-0100" in catalog.text("agent", "en", "sms", member_services="1-888-555-0100")
    arabic = catalog.text("agent", "ar", "sms", member_services="1-888-555-0100")
    assert "\u20661-888-555-0100\u2069" in arabic and arabic.startswith("\u200f")


def test_voice_and_sms_variants_differ_where_written():
    assert "press" in catalog.text("welcome", "en", "voice")
    assert "press" not in catalog.text("welcome", "en", "sms")


def test_spoken_text_carries_no_invisible_marks():
    spoken = catalog.text("language_menu_line", "ar", "voice", digit="1 1")
    assert "\u2066" not in spoken and "\u200f" not in spoken and "1 1" in spoken


# Plain language (about a 6th-grade reading level): short sentences in every language. Menus that list
# numbered choices are lists, not sentences, and are left out.
LISTS = {"welcome", "main_menu", "language_choose", "language_menu", "classes_by_phone"}
SENTENCE_END = re.compile(r"(?<=[.!?;:。！？；：։។៕؟؛])\s*|\n")


def sentence_length(code: str, sentence: str) -> int:
    """Words in a sentence; Vietnamese writes each syllable apart (syllables x 2/3); for Chinese,
    characters / 2; for Khmer (no spaces), characters / 4."""
    sentence = re.sub(r"\{[^}]*\}", "X", sentence)
    if code == "zh":
        return len(re.sub(r"\s", "", sentence)) // 2
    if code == "km":
        return len(re.sub(r"\s", "", sentence)) // 4
    if code == "vi":
        return len(sentence.split()) * 2 // 3
    return len(sentence.split())


def member_texts(code: str):
    for key, entry in catalog.catalog(code).items():
        if key not in LISTS:
            for channel, text in catalog.variants(entry).items():
                yield f"{key}.{channel}", text
    for benefit, fields in benefit_texts(code).items():
        for field, text in fields.items():
            yield f"benefit {benefit}.{field}", text or ""


@pytest.mark.parametrize("code", list(languages()))
def test_sentences_are_short(code):
    long = [(where, sentence) for where, text in member_texts(code) for sentence in SENTENCE_END.split(text)
            if sentence_length(code, sentence) > 25]
    assert not long, f"{code}: sentences of more than 25 words: {long}"


def syllables(word: str) -> int:
    word = re.sub(r"[^a-z]", "", word.lower())
    if len(word) <= 3:
        return 1 if word else 0
    word = re.sub(r"(?:[^laeiouy]es|ed|[^laeiouy]e)$", "", word)
    return max(1, len(re.findall(r"[aeiouy]{1,2}", re.sub(r"^y", "", word))))


def test_english_reads_at_about_sixth_grade():
    """Flesch-Kincaid grade of everything a member reads or hears in English."""
    words = sentences = syllable_count = 0
    for _, text in member_texts("en"):
        text = re.sub(r"\{[^}]*\}", "X", text)
        found = re.findall(r"[A-Za-z']+", text)
        if found:
            words += len(found)
            sentences += max(1, len([s for s in SENTENCE_END.split(text) if s.strip()]))
            syllable_count += sum(syllables(w) for w in found)
    grade = 0.39 * words / sentences + 11.8 * syllable_count / words - 15.59
    assert grade <= 6.5, f"Flesch-Kincaid grade {grade:.1f}"


@pytest.mark.parametrize("code", list(languages()))
def test_class_texts_cover_every_topic(code):
    from careline.seed import class_texts

    english, theirs = class_texts("en"), class_texts(code)
    assert set(theirs) == set(english), f"{code}: topics differ from English"
    for topic, fields in theirs.items():
        assert set(fields) == {"title", "description"} and all(v.strip() for v in fields.values()), (code, topic)
        for sentence in SENTENCE_END.split(fields["description"]):
            assert sentence_length(code, sentence) <= 25, (code, topic, sentence)
