"""Member identification rules, as pure functions: reading a member ID and a date of birth."""
from __future__ import annotations

import datetime as dt

import regex

from careline.languages import lexicon
from careline.text import ascii_digits, fold, strip_accents

MEMBER_NUMBER_DIGITS = 9
MAX_FAILURES = 3


def parse_member_number(text: str) -> str | None:
    """The 9-digit member ID in what the member typed, said or keyed ("9000 0000 1" -> "900000001")."""
    digits = regex.sub(r"\D", "", ascii_digits(text or ""))
    return digits if len(digits) == MEMBER_NUMBER_DIGITS else None


def parse_dob(text: str, language: str = "en", today: dt.date | None = None) -> dt.date | None:
    """A date of birth from keypad digits (MMDDYYYY), numeric dates, CJK dates or month names.

    US order (month first) for numeric dates, since that is what members here are used to; a
    first number above 12 is read as the day. Two-digit years are 19xx (members are adults).
    """
    today = today or dt.date.today()
    folded = ascii_digits(fold(text or "", language))
    cjk = regex.search(r"(\d{4})\s*[年년]\s*(\d{1,2})\s*[月월]\s*(\d{1,2})", folded)
    if cjk:
        return _valid(int(cjk[1]), int(cjk[2]), int(cjk[3]), today)
    # Day, month and year named by their words: Vietnamese "ngày 9 tháng 11 năm 1950",
    # Khmer "ថ្ងៃទី៩ ខែ១១ ឆ្នាំ១៩៥០".
    named = regex.search(r"(?:ngay|ngày|ថ្ងៃទី|ថ្ងៃ)\s*(\d{1,2})\s*(?:thang|tháng|ខែ)\s*(\d{1,2})\s*(?:nam|năm|ឆ្នាំ)?\s*(\d{2,4})", folded)
    if named:
        return _valid(_year(int(named[3])), int(named[2]), int(named[1]), today)
    # Dotted dates are day first wherever they are written (14.03.1948).
    dotted = regex.fullmatch(r"\D*(\d{1,2})\.(\d{1,2})\.(\d{2,4})\D*", folded)
    if dotted:
        return _valid(_year(int(dotted[3])), int(dotted[2]), int(dotted[1]), today)
    numbers = [int(n) for n in regex.findall(r"\d+", folded)]
    only_digits = regex.sub(r"\D", "", folded)
    if len(numbers) == 1 and len(only_digits) == 8:
        a, b, year = int(only_digits[:2]), int(only_digits[2:4]), int(only_digits[4:])
        if int(only_digits[:4]) > 1900 and a > 12:
            year, a, b = int(only_digits[:4]), int(only_digits[4:6]), int(only_digits[6:])
        return _month_day(a, b, year, today)
    month = _month_name(folded, language)
    if month:
        rest = [n for n in numbers]
        day = next((n for n in rest if 1 <= n <= 31), None)
        year = next((n for n in rest if n > 31 or (n != day and len(str(n)) == 2)), None)
        if day and year:
            return _valid(_year(year), month, day, today)
        return None
    if len(numbers) == 3:
        a, b, c = numbers
        if a > 31:
            return _valid(a, b, c, today)
        return _month_day(a, b, c, today)
    return None


def _year(year: int) -> int:
    return 1900 + year if year < 100 else year


def _month_day(a: int, b: int, year: int, today: dt.date) -> dt.date | None:
    if a > 12 >= b:
        a, b = b, a
    return _valid(_year(year), a, b, today)


def _valid(year: int, month: int, day: int, today: dt.date) -> dt.date | None:
    year = _year(year)
    try:
        date = dt.date(year, month, day)
    except ValueError:
        return None
    return date if dt.date(1900, 1, 1) <= date <= today else None


def _month_name(folded: str, language: str) -> int | None:
    candidates = [(language, lexicon(language).months)]
    if language != "en":
        candidates.append(("en", lexicon("en").months))
    plain = strip_accents(folded)
    for _, months in candidates:
        for name, number in sorted(months.items(), key=lambda kv: -len(kv[0])):
            if regex.search(r"[\p{Han}\p{Khmer}]", name):
                if name in folded:
                    return number
                continue
            pattern = rf"(?<![\p{{L}}]){regex.escape(name)}(?![\p{{L}}])"
            if regex.search(pattern, folded) or regex.search(pattern, plain):
                return number
    return None
