"""Days and clock times written the way each language writes them (careline/formats.yml)."""
from __future__ import annotations

import datetime as dt
import functools
from pathlib import Path

import yaml

DIGITS = {"persian": "۰۱۲۳۴۵۶۷۸۹", "arabic": "٠١٢٣٤٥٦٧٨٩", "khmer": "០១២៣៤៥៦៧៨៩"}


@functools.lru_cache(maxsize=1)
def _formats() -> dict:
    return yaml.safe_load((Path(__file__).with_name("formats.yml")).read_text(encoding="utf-8"))


def _spec(language: str) -> dict:
    return _formats().get(language) or _formats()["en"]


def native_digits(text: str, language: str) -> str:
    digits = DIGITS.get(_spec(language).get("digits", "latin"))
    return text.translate(str.maketrans("0123456789", digits)) if digits else text


def format_day(day: dt.date, language: str) -> str:
    spec = _spec(language)
    text = spec["day"].format(weekday=spec["weekdays"][day.weekday()], month=spec["months"][day.month - 1], day=day.day)
    return native_digits(text, language)


def format_time(value: dt.time, language: str) -> str:
    spec = _spec(language)
    h12 = value.hour % 12 or 12
    ampm = spec["ampm"][0 if value.hour < 12 else 1]
    text = spec["time"].format(h12=h12, h24=value.hour, mm=f"{value.minute:02d}", ampm=ampm).strip()
    return native_digits(text, language)


JOINERS = {"zh": "", "fa": "، ", "ar": "، "}


def format_when(value: dt.datetime, language: str) -> str:
    return f"{format_day(value.date(), language)}{JOINERS.get(language, ', ')}{format_time(value.time(), language)}"


def weekday_name(weekday: int, language: str) -> str:
    return _spec(language)["weekdays"][weekday]
