"""Text normalisation shared by language identification, the safety screen and the NLU tokenizer."""
from __future__ import annotations

import unicodedata

import regex

# Letters that Farsi and Arabic keyboards produce interchangeably.
_ARABIC_VARIANTS = str.maketrans({"ي": "ی", "ى": "ی", "ك": "ک"})
_ARABIC_TO_ARABIC = str.maketrans({"ی": "ي", "ک": "ك"})
_TASHKEEL = regex.compile(r"[\u064B-\u065F\u0670\u06D6-\u06ED]")
_CONTROL = regex.compile(r"[\p{Cc}\p{Cf}&&[^\n\t\u200c\u200d]]", flags=regex.V1)
_SPACES = regex.compile(r"\s+")

_HAN = regex.compile(r"\p{Han}+")
_KHMER_RUN = regex.compile(r"[\u1780-\u17FF\u19E0-\u19FF]+")
# A Khmer orthographic syllable: a base (consonant or independent vowel), then any subscript
# consonants (COENG + consonant) and dependent signs. Khmer is written without spaces between words,
# and no word segmenter ships offline, so syllables are the tokens.
_KHMER_SYLLABLE = regex.compile(
    r"[\u1780-\u17B3](?:\u17D2[\u1780-\u17B3]|[\u17B6-\u17D1\u17D3\u17DD])*(?:[\u1780-\u17A2][\u17CB-\u17CE\u17D0])?|[\u17D4-\u17DC\u17E0-\u17E9\u17F0-\u17F9]+"
)


def clean(text: str | None, limit: int = 1600) -> str:
    """Return the text as a member meant it: NFC, no control characters, one space, at most `limit` chars."""
    if not text:
        return ""
    text = unicodedata.normalize("NFC", str(text))[: limit * 2]
    text = _CONTROL.sub(" ", text)
    return _SPACES.sub(" ", text).strip()[:limit]


def ascii_digits(text: str) -> str:
    """Turn every decimal digit (Persian ۱۰, Arabic ١٠, Khmer ១០, full-width １０) into 0-9."""
    out = []
    for ch in text:
        if ch.isdigit() and not ("0" <= ch <= "9"):
            try:
                out.append(str(unicodedata.decimal(ch)))
                continue
            except (TypeError, ValueError):
                pass
        out.append(ch)
    return "".join(out)


def fold(text: str, language: str | None = None) -> str:
    """Lower-case matching form: NFC, ASCII digits, Arabic-script letter variants unified."""
    text = ascii_digits(clean(text)).casefold()
    text = _TASHKEEL.sub("", text)
    if language == "ar":
        return text.translate(_ARABIC_TO_ARABIC)
    if language == "fa":
        return text.translate(_ARABIC_VARIANTS)
    return text


def strip_accents(text: str) -> str:
    """'español' -> 'espanol'; leaves scripts without combining accents as they are."""
    decomposed = unicodedata.normalize("NFD", text)
    kept = "".join(ch for ch in decomposed if not (unicodedata.category(ch) == "Mn" and ord(ch) < 0x0370))
    return unicodedata.normalize("NFC", kept)


def segment(text: str, han_cutter=None) -> list[str]:
    """Split text into word-like tokens for the NLU pipeline.

    Spaces and punctuation split everywhere; runs of Han characters are cut by `han_cutter`
    (jieba in the Rasa component) or per character; runs of Khmer into orthographic syllables.
    """
    tokens: list[str] = []
    for chunk in regex.findall(r"[\p{L}\p{M}\p{N}_'@#&.-]+", text):
        chunk = chunk.strip(".-'")
        if not chunk:
            continue
        pos = 0
        for match in regex.finditer(r"\p{Han}+|[\u1780-\u17FF\u19E0-\u19FF]+", chunk):
            if match.start() > pos:
                tokens.append(chunk[pos : match.start()])
            run = match.group()
            if _HAN.fullmatch(run):
                tokens.extend(t for t in (han_cutter(run) if han_cutter else list(run)) if t.strip())
            else:
                tokens.extend(_KHMER_SYLLABLE.findall(run) or [run])
            pos = match.end()
        if pos < len(chunk):
            tokens.append(chunk[pos:])
    return [t for t in tokens if t]
