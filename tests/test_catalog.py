"""Every member-facing sentence exists in every language, with the same placeholders."""
from __future__ import annotations

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
