"""Member-facing text: one catalog per language, rendered by key, channel and placeholders."""
from __future__ import annotations

import functools
import re
import string

import yaml

from careline import PACKAGE_DIR
from careline.languages import DEFAULT_LANGUAGE, languages

CHANNELS = ("sms", "voice")
RTL_LANGUAGES = frozenset({"ar", "fa"})
_DOUBLE_STOP = re.compile(r"(?<!\.)\.\s?\.(?!\.)")
# Unicode isolates keep a phone number or code left-to-right inside right-to-left text.
_LRI, _PDI = "\u2066", "\u2069"
_RLM = "\u200f"


class MissingText(KeyError):
    """A catalog key that does not exist (a programming error, caught by the completeness test)."""


@functools.lru_cache(maxsize=None)
def catalog(language: str) -> dict:
    path = PACKAGE_DIR / "catalog" / f"{language}.yml"
    if not path.exists():
        return {}
    return yaml.safe_load(path.read_text(encoding="utf-8")) or {}


def variants(value) -> dict[str, str]:
    """The text of an entry per channel."""
    if isinstance(value, dict):
        return {channel: value[channel] for channel in CHANNELS if channel in value}
    return {channel: value for channel in CHANNELS}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def text(key: str, language: str, channel: str = "sms", **params) -> str:
    """The text of `key` in `language` for `channel`, placeholders filled.

    A key missing in a language falls back to English (the completeness test keeps that from
    happening in a release); a missing key everywhere raises MissingText.
    """
    entry = catalog(language).get(key)
    if entry is None:
        entry = catalog(DEFAULT_LANGUAGE).get(key)
        language = DEFAULT_LANGUAGE
    if entry is None:
        raise MissingText(key)
    template = variants(entry).get(channel) or variants(entry)["sms"]
    # Isolates are for the eye: a text-to-speech voice needs none of them.
    values = {name: isolate(str(value), language) if channel == "sms" else str(value) for name, value in params.items()}
    # A filled-in value that ends a sentence ("10:00 a. m.", "A companion rides with you.") must not
    # leave two full stops behind; an ellipsis stays.
    rendered = _DOUBLE_STOP.sub(".", template.format_map(_Blank(values)))
    if language in RTL_LANGUAGES and channel == "sms":
        rendered = _RLM + rendered
    return rendered


def isolate(value: str, language: str) -> str:
    """Wrap left-to-right values (phone numbers, codes) so they read correctly in RTL text."""
    if language in RTL_LANGUAGES and value and not any("\u0600" <= ch <= "\u06ff" for ch in value):
        return f"{_LRI}{value}{_PDI}"
    return value


class _Blank(dict):
    def __missing__(self, key: str) -> str:
        return ""


def language_name(code: str) -> str:
    return catalog(code).get("language_name") or languages()[code].english_name
