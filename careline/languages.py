"""The supported languages and offline identification of the language of a text."""
from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path

import regex
import yaml

from careline import PACKAGE_DIR
from careline.text import fold, strip_accents

DEFAULT_LANGUAGE = "en"


@dataclass(frozen=True)
class Language:
    code: str
    english_name: str
    digit: str
    speech: str
    voice: str | None
    say_language: str | None
    interpreter_language: str

    @property
    def has_voice(self) -> bool:
        return bool(self.voice)


@dataclass(frozen=True)
class Lexicon:
    """A language's word lists, folded (and also without accents) once at load time."""

    common_words: frozenset[str]
    language_names: tuple[str, ...]
    stop_words: frozenset[str]
    start_words: frozenset[str]
    help_words: frozenset[str]
    months: dict[str, int]
    negations: tuple[str, ...] = ()
    # Words only this language writes among those sharing its script (Farsi's among Arabic-script texts).
    distinctive_words: frozenset[str] = frozenset()


@functools.lru_cache(maxsize=1)
def languages() -> dict[str, Language]:
    """All supported languages by ISO 639-1 code, in menu order."""
    data = yaml.safe_load((PACKAGE_DIR / "languages.yml").read_text(encoding="utf-8"))
    return {row["code"]: Language(**row) for row in data["languages"]}


def supported(code: str | None) -> bool:
    return bool(code) and code in languages()


def by_digit(digits: str) -> Language | None:
    return next((lang for lang in languages().values() if lang.digit == digits), None)


def _words(values) -> frozenset[str]:
    folded = {fold(str(v)) for v in values or ()}
    return frozenset(folded | {strip_accents(w) for w in folded})


@functools.lru_cache(maxsize=None)
def lexicon(code: str) -> Lexicon:
    path: Path = PACKAGE_DIR / "lexicon" / f"{code}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return Lexicon(
        common_words=_words(data.get("common_words")),
        language_names=tuple(sorted({fold(str(v), code) for v in (data.get("language_names") or []) + (data.get("extra_language_names") or [])}, key=len, reverse=True)),
        stop_words=_words(data.get("stop_words")),
        start_words=_words(data.get("start_words")),
        help_words=_words(data.get("help_words")),
        months={fold(str(k)): int(v) for k, v in (data.get("months") or {}).items()},
        negations=tuple(fold(str(v)) for v in data.get("negations") or ()),
        distinctive_words=frozenset(fold(str(v), code) for v in data.get("distinctive_words") or ()),
    )


# Scripts that name one language among the supported ones. Han is Chinese; Arabic script is
# Farsi or Arabic (decided by letters only Farsi uses, then by words).
_SCRIPT_RULES = [
    (regex.compile(r"\p{Hangul}"), "ko"),
    (regex.compile(r"[\u1780-\u17FF]"), "km"),
    (regex.compile(r"\p{Armenian}"), "hy"),
    (regex.compile(r"\p{Cyrillic}"), "ru"),
    (regex.compile(r"\p{Han}"), "zh"),
]
_ARABIC_SCRIPT = regex.compile(r"\p{Arabic}")
# Letters (and digits) one of the two writes and the other does not: Farsi keyboards type ی and ک,
# Arabic ones ي and ك. Iraqi and Gulf Arabic borrow چ and گ, so letters are counted, not just seen.
_FARSI_LETTERS = regex.compile(r"[پچژگیک۰-۹]")
_ARABIC_LETTERS = regex.compile(r"[ةيىكًٌٍ٠-٩]")
_VIETNAMESE_LETTERS = regex.compile(r"[ăâđêôơưạảấầẩẫậắằẳẵặẹẻẽếềểễệỉịọỏốồổỗộớờởỡợụủứừửữựỳỵỷỹ]")
_TOKEN = regex.compile(r"[\p{L}\p{M}']+")
# Arabic in Latin letters writes ع as 3, ح as 7 and ء as 2 inside words ("3ayez", "fa7es", "la2"); times,
# ordinals and flat numbers ("3pm", "3rd", "7b") are not such words.
_ARABIZI = regex.compile(r"(?<![a-z0-9])(?:[a-z]*[a-z][37][a-z][a-z0-9]*|[37](?!(?:am|pm|rd|th|st|nd|hr|hrs|min|mins)(?![a-z0-9]))[a-z]{2,}[a-z0-9]*|[a-z]{2,}2|[a-z]*[a-z]{2}2[a-z]{2}[a-z]*)(?![a-z0-9])")


@functools.lru_cache(maxsize=1)
def _langid():
    from langid.langid import LanguageIdentifier, model

    identifier = LanguageIdentifier.from_modelstring(model, norm_probs=True)
    identifier.set_languages(list(languages()))
    return identifier


def identify(text: str) -> tuple[str | None, float]:
    """Best guess of the language of a member's text, offline, among the supported languages only.

    Returns (code, confidence) or (None, 0.0) when the text says nothing about its language
    ("1", "ok", an emoji). Order: script rules (Farsi against Arabic by their own letters and Farsi-only
    words), Vietnamese letters, Arabizi digits, then a lexicon of short and romanised common words
    (langid alone calls "hola" English), then langid restricted to the supported set.
    """
    folded = fold(text)
    if _ARABIC_SCRIPT.search(text):
        farsi, arabic = len(_FARSI_LETTERS.findall(text)), len(_ARABIC_LETTERS.findall(text))
        if farsi > arabic:
            return "fa", 0.9 if arabic == 0 else 0.75
        # Farsi typed on an Arabic keyboard (ي, ك) still uses words Arabic never does ("میخوام", "برای").
        if set(_TOKEN.findall(fold(text, "fa"))) & lexicon("fa").distinctive_words:
            return "fa", 0.75
        if arabic > farsi:
            return "ar", 0.9 if farsi == 0 else 0.75
        return _lexicon_vote(folded, ("fa", "ar")) or ("ar", 0.6)
    for pattern, code in _SCRIPT_RULES:
        if pattern.search(text):
            return code, 0.95
    if _VIETNAMESE_LETTERS.search(folded):
        return "vi", 0.9
    if _ARABIZI.search(folded):
        return "ar", 0.8
    words = _TOKEN.findall(folded)
    if not words:
        return None, 0.0
    voted = _lexicon_vote(folded, tuple(languages()))
    if voted and (len(words) <= 3 or voted[1] >= 0.6):
        return voted
    code, prob = _langid().classify(text)
    if len(words) <= 2 and prob < 0.9:
        return (voted or (None, 0.0))
    return code, float(prob)


@functools.lru_cache(maxsize=1)
def _langid_all():
    from langid.langid import LanguageIdentifier, model

    return LanguageIdentifier.from_modelstring(model, norm_probs=True)


_KANA = regex.compile(r"[\p{Hiragana}\p{Katakana}]")
_OTHER_SCRIPTS = regex.compile(r"[\p{Devanagari}\p{Thai}\p{Lao}\p{Bengali}\p{Gurmukhi}\p{Gujarati}\p{Tamil}\p{Telugu}\p{Ethiopic}\p{Hebrew}\p{Georgian}\p{Myanmar}\p{Sinhala}]")


def foreign_language(text: str) -> str | None:
    """The ISO code of a language outside the eleven, when the text is clearly written in one.

    Cautious on purpose: a Spanish or Tagalog text must never be taken for Portuguese or Malay, so
    Latin-script texts need three words, no lexicon match in any supported language, and langid's
    full model at 0.95 or more.
    """
    if _KANA.search(text):
        return "ja"
    if _OTHER_SCRIPTS.search(text):
        code, _ = _langid_all().classify(text)
        return code if code not in languages() else None
    if any(pattern.search(text) for pattern, _ in _SCRIPT_RULES) or _ARABIC_SCRIPT.search(text):
        return None
    folded = fold(text)
    vote = _lexicon_vote(folded, tuple(languages()))
    words = [w for w in _TOKEN.findall(folded) if w not in _PLAN_WORDS]
    if len(words) < 4 or (vote and vote[1] >= 0.7):
        return None
    code, probability = _langid_all().classify(" ".join(words))
    return code if code not in languages() and probability >= 0.99 else None


# Names and loanwords members use in every language; they say nothing about the language itself.
_PLAN_WORDS = frozenset("cal medi medi-cal mediconnect connect medicare care la l.a plan zumba yoga class ok okay dental pcp id".split())


# English words every language's members text ("necesito un ride", "class-ic grancums"): they say
# nothing about the language of the message around them.
_LOANWORDS = frozenset("ride rides class classes appointment appointments pickup ok okay bye zoom app".split())


def _lexicon_vote(folded: str, candidates: tuple[str, ...]) -> tuple[str, float] | None:
    """The candidate whose common words cover the largest share of the text's words."""
    words = [w for w in [strip_accents(w) for w in _TOKEN.findall(folded)] + _TOKEN.findall(folded) if w not in _LOANWORDS]
    if not words:
        return None
    best, best_hits = None, 0
    for code in candidates:
        vocabulary = lexicon(code).common_words
        hits = sum(1 for w in set(words) if w in vocabulary)
        # On a tie, the member's own language beats English ("ok cam on", "ok gracias").
        if hits > best_hits or (hits == best_hits and hits and best == DEFAULT_LANGUAGE):
            best, best_hits = code, hits
    if best is None:
        return None
    share = best_hits / max(1, len({w for w in _TOKEN.findall(folded) if w not in _LOANWORDS}))
    return best, min(0.95, 0.5 + share / 2)


def requested_language(text: str) -> str | None:
    """The language a member asks for ("in English please", "한국어로", "español").

    A language named with a negation ("I don't speak English", "영어 못해요", "No hablo inglés") is one
    the member does not want: then the language the text is written in is the answer, if any.
    """
    wanted: list[tuple[int, str]] = []
    refused: set[str] = set()
    for code in languages():
        folded = fold(text, code)
        plain = strip_accents(folded)
        for name in lexicon(code).language_names:
            hit = next(((hay, at) for hay in (folded, plain) if (at := _find_name(hay, name)) >= 0), None)
            if hit:
                hay, at = hit
                (refused.add(code) if _negated(hay, at, at + len(name)) else wanted.append((at, code)))
                break
    wanted = [(at, code) for at, code in wanted if code not in refused]
    if wanted:
        return min(wanted)[1]
    if refused:
        own, confidence = identify(text)
        return own if own and own not in refused and confidence >= 0.5 else None
    return None


_NEGATION_STOP = regex.compile(r"[,.;!?،，。！？]")
# Chinese "A-not-A" questions ("有没有中文", "会不会说韩语") ask for something; they refuse nothing.
_A_NOT_A = regex.compile(r"(\p{Han})[不没沒冇唔]\1")


def _negated(haystack: str, start: int, end: int) -> bool:
    """Whether a negation word sits just before (or, as in Korean, just after) a language name."""
    before = haystack[max(0, start - 14) : start]
    after = haystack[end : end + 6]
    before = _A_NOT_A.sub(" ", _NEGATION_STOP.split(before)[-1])
    after = _A_NOT_A.sub(" ", _NEGATION_STOP.split(after)[0])
    for code in languages():
        for word in lexicon(code).negations:
            if regex.search(r"[\p{Han}\p{Khmer}\p{Hangul}]", word):
                if word in before or word in after:
                    return True
            elif regex.search(rf"(?<![\p{{L}}\p{{M}}]){regex.escape(word)}(?![\p{{L}}\p{{M}}])", before):
                return True
    return False


def _find_name(haystack: str, name: str) -> int:
    if not name:
        return -1
    if regex.search(r"[\p{Han}\p{Khmer}]", name):
        return haystack.find(name)
    match = regex.search(rf"(?<![\p{{L}}\p{{M}}]){regex.escape(name)}", haystack)
    return match.start() if match else -1
