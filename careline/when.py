"""Reading a day and a time from what a member typed or said, in any of the eleven languages.

dateparser (with Rasa's pins) returns past dates, drops hours and knows no Chinese, Korean, Farsi
or Tagalog weekday phrases, so this is a small reader of our own: words per language live in
`careline/words/<lang>.yml`, months come from the language lexicon, and every language has a
table of phrases with the day and time they must give (tests/test_when.py).

Pure functions: `today` is passed in, nothing is read from the clock or the database.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path

import regex
import yaml

from careline.languages import lexicon
from careline.text import fold, strip_accents

WORDS_DIR = Path(__file__).parent / "words"
# Scripts written without spaces between words (or with particles glued on): match inside words.
_GLUED = regex.compile(r"[\p{Han}\p{Hangul}\p{Khmer}\p{Thai}]")
# A number word starts a word, except in scripts written without spaces (오전열시).
_WORD_START = r"(?<![^\W\d_\p{Han}\p{Hangul}\p{Khmer}\p{Thai}])"
# ...and ends one there too: "в семь" is 7 o'clock, "в семье" (in the family) is no hour.
_WORD_END = r"(?![^\W\d_\p{Han}\p{Hangul}\p{Khmer}\p{Thai}])"
_HAN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "兩": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass(frozen=True)
class Words:
    """The words one language uses for days, times and (for the ride and class dialogues) answers."""

    language: str
    data: dict

    def phrases(self, name: str) -> tuple[str, ...]:
        value = self.data.get(name) or []
        return tuple(sorted({_norm(str(v), self.language) for v in value if str(v).strip()}, key=len, reverse=True))

    def groups(self, name: str) -> dict[str, tuple[str, ...]]:
        value = self.data.get(name) or {}
        return {key: tuple(sorted({_norm(str(v), self.language) for v in items or []}, key=len, reverse=True)) for key, items in value.items()}

    def weekdays(self) -> list[tuple[str, ...]]:
        return [tuple(sorted({_norm(str(v), self.language) for v in day}, key=len, reverse=True)) for day in self.data.get("weekdays") or [[]] * 7]

    def number_words(self) -> dict[str, int]:
        return {_norm(str(k), self.language): int(v) for k, v in (self.data.get("number_words") or {}).items()}

    def clock_words(self) -> dict[str, tuple[int, int]]:
        """Words that name a whole clock time ("полдесятого" = 9:30), as "H:MM" (YAML may read 9:30 as 570)."""
        return {_norm(str(k), self.language): (divmod(v, 60) if isinstance(v, int) else tuple(int(x) for x in str(v).split(":")))
                for k, v in (self.data.get("clock_words") or {}).items()}


def _norm(value: str, language: str | None = None) -> str:
    # Farsi writes سه‌شنبه, سه شنبه and سهشنبه: the zero-width non-joiner counts as a space.
    # Vietnamese đ has no decomposition: read as d, as members typing without accents write it.
    return strip_accents(fold(value, language)).replace("\u200c", " ").replace("đ", "d")


@functools.lru_cache(maxsize=None)
def words(language: str) -> Words:
    path = WORDS_DIR / f"{language}.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else {}
    return Words(language, data or {})


def normalise(text: str, language: str) -> str:
    """Lower case, ASCII digits, no Latin accents, Chinese hour numerals as digits (十点半 -> 10点半)."""
    folded = _norm(text or "", language)
    folded = regex.sub(r"(?<=\d)\s*։\s*(?=\d\d)", ":", folded)  # Armenian keyboards type 10։30 with the full stop ։
    # 一周三次 / 每周三天 are counts (3 times, 3 days a week), not Wednesday.
    folded = regex.sub(r"[零〇一二两兩三四五六七八九十]+(?=\s*[次天遍趟])", lambda m: str(_han_number(m[0])), folded)
    # Hours, days, months, minutes, years; not the day numeral of 星期二/周二/礼拜二 (周二十点 is Tuesday 10:00),
    # and not 一点 = "a bit" (早一点, 快一点).
    folded = regex.sub(r"(?<![期周週拜])[零〇一二两兩三四五六七八九十]+(?=\s*[点點时時月号號日分年])", _han_digits, folded)
    folded = regex.sub(r"(?<=\d\s*[点點]\s*)([一三])刻", lambda m: "15分" if m[1] == "一" else "45分", folded)  # 两点一刻 = 2:15
    if language == "vi":
        folded = _VI_DAY_LIST.sub(_vi_day_list, folded)
    return _day_runs(folded, language)


# Vietnamese writes a standing order with one "thứ" and several day numbers: "thứ 2, 4, 6", "T2-4-6",
# "thứ hai, tư, sáu", "thứ 2 4 6 sáng". A number followed by giờ/h/: is an hour ("thứ 2 3 giờ chiều" is Monday 3 pm).
_VI_DAY = r"(?:[2-7]|hai|ba|tu|nam|sau|bay)(?![\p{L}\d])"
_VI_DAY_LIST = regex.compile(
    rf"(?<![\p{{L}}\d])(?:thu|t)\s*({_VI_DAY})((?:\s*(?:[,/&-]|va|\s)\s*(?:thu\s*|t)?{_VI_DAY}"
    rf"(?!\s*(?:gio|h|g|:|ruoi)(?!\p{{L}})))+)"
)


def _vi_day_list(match: regex.Match) -> str:
    days = [match[1]] + regex.findall(_VI_DAY, regex.sub(r"(?<!\p{L})(?:thu|t|va)(?!\p{L})", " ", match[2]))
    return " ".join(f"thu {day}" for day in days)


def _han_digits(match: regex.Match) -> str:
    text, start = match.string, match.start()
    if match[0] == "一" and text[match.end():match.end() + 1] in ("点", "點") and start and text[start - 1] in "早晚快慢有多少好差近远遠高低大小":
        return match[0]
    return str(_han_number(match[0]))


@functools.lru_cache(maxsize=None)
def _day_run_spec(language: str):
    """The compiled run pattern of a language with `weekday_runs` (built once), or None."""
    spec = words(language).data.get("weekday_runs")
    if not spec:
        return None
    letters = {_norm(str(k), language): int(v) for k, v in (spec.get("letters") or {}).items()}
    names = [days[0] for days in (words(language).data.get("weekdays") or []) if days]
    if not letters or len(names) < 7:
        return None
    letter = "[" + "".join(regex.escape(k) for k in letters) + "]"
    sep = r"(?:\s*[,/·、，和及与與跟同]\s*|\s+)?"
    prefixes = _alternation({_norm(str(p), language) for p in spec.get("prefixes") or []})
    suffixes = _alternation({_norm(str(p), language) for p in spec.get("suffixes") or []})
    not_days = {_norm(str(p), language) for p in spec.get("not_days") or []}
    head = rf"(?:{prefixes})" if prefixes else r"(?<![\p{L}\d])"
    end = r"" if prefixes else rf"(?:{suffixes})*(?![\p{{L}}\d])" if suffixes else r"(?![\p{L}\d])"
    pattern = regex.compile(rf"{head}(?P<run>{letter}(?:{sep}{letter})+){end}")
    return pattern, regex.compile(letter), letters, names, not_days, bool(prefixes)


def _day_runs(text: str, language: str) -> str:
    """One name for several days, as Chinese and Korean write standing orders: 周一三五 and 월수금 become
    星期一 星期三 星期五 and 월요일 수요일 금요일 (the words' `weekday_runs`: day letters, an optional
    week word before them, suffixes after them, and letter pairs that are other words)."""
    spec = _day_run_spec(language)
    if spec is None:
        return text
    pattern, letter, letters, names, not_days, prefixed = spec

    def expand(match: regex.Match) -> str:
        run = match["run"]
        found = letter.findall(run)
        separated = bool(regex.search(r"[^\s\p{L}]|[和及与與跟同]", run))
        spaced = bool(regex.search(r"\s", run))
        order = [letters[f] for f in found]
        if order != sorted(set(order)):  # runs go Monday to Sunday: 周三一起 is "Wednesday, together"
            return match[0]
        if not prefixed and not separated and (("".join(found) in not_days) or (spaced and len(found) < 3)):
            return match[0]
        return " ".join(_norm(str(names[letters[f]]), language) for f in found) + " "

    return pattern.sub(expand, text)


def _han_number(chars: str) -> int:
    if "十" not in chars:
        value = 0
        for ch in chars:
            value = value * 10 + _HAN_DIGITS.get(ch, 0)
        return value
    tens, _, units = chars.partition("十")
    return (_HAN_DIGITS.get(tens, 1) if tens else 1) * 10 + (_HAN_DIGITS.get(units, 0) if units else 0)


@functools.lru_cache(maxsize=65536)
def _phrase_pattern(phrase: str) -> regex.Pattern:
    """The compiled pattern that finds `phrase` as a word (compiling every phrase on every message is slow)."""
    if _GLUED.search(phrase):
        # Not in the middle of a Khmer syllable: ចា (yes) is not inside ចាំ (wait) or ចាស់ (old: a final
        # consonant with its sign), nor after a subscript sign.
        return regex.compile(rf"(?<!\u17d2){regex.escape(phrase)}(?!\p{{M}}|[\u1780-\u17a2][\u17cb-\u17ce\u17d0])")
    if phrase.startswith("ال") and len(phrase) >= 4:
        body = regex.escape(phrase[2:])
        return regex.compile(rf"(?<![\p{{L}}\p{{N}}])(?:[وفبكع]?ال|[وف]?لل){body}(?![\p{{L}}])")
    # A phrase ending in a digit ends there: the keypad "1" (yes) is not the start of "12/3" or "10am".
    digit_end = r"(?!\d)" if phrase[-1].isdigit() else ""
    return regex.compile(rf"(?<![\p{{L}}\p{{N}}]){regex.escape(phrase)}(?![\p{{L}}]){digit_end}")


def find(phrase: str, text: str, start: int = 0) -> regex.Match | None:
    """Where `phrase` occurs in `text` as a word (or inside words, for scripts without spaces)."""
    if not phrase:
        return None
    return _phrase_pattern(phrase).search(text, start)


def first(phrases: tuple[str, ...], text: str) -> regex.Match | None:
    """The earliest occurrence of any of the phrases (longest first when two start together)."""
    best = None
    for phrase in phrases:
        match = find(phrase, text)
        if match and (best is None or match.start() < best.start()):
            best = match
    return best


def has(phrases: tuple[str, ...], text: str) -> bool:
    return any(find(p, text) for p in phrases)


def blank(text: str, match: regex.Match | None) -> str:
    """The text with a matched span replaced by spaces (so later readers do not see it twice)."""
    if match is None:
        return text
    return text[: match.start()] + " " * (match.end() - match.start()) + text[match.end():]


@dataclass
class When:
    """What a message said about a day and a time. `problem` explains a day that cannot be used."""

    date: dt.date | None = None
    time: dt.time | None = None
    problem: str | None = None  # impossible_date, past_date
    weekdays: list[int] = field(default_factory=list)  # every weekday named (standing orders)
    daypart: str | None = None  # morning, afternoon, evening when no clock time was given


def vocabulary(language: str) -> list[Words]:
    """The member's language first, then English (numbers, am/pm and weekdays are often mixed in)."""
    return [words(language)] + ([words("en")] if language != "en" else [])


def read_time(text: str, language: str) -> tuple[dt.time | None, str, str | None]:
    """(time, text without it, day part). Bare numbers count only next to a time word: "1234 Main St" is no time."""
    vocab = vocabulary(language)
    am = tuple(p for w in vocab for p in w.phrases("am"))
    pm = tuple(p for w in vocab for p in w.phrases("pm"))
    noon = tuple(p for w in vocab for p in w.phrases("noon"))
    before = tuple(p for w in vocab for p in w.phrases("hour_before"))
    after = tuple(p for w in vocab for p in w.phrases("hour_after"))
    half = tuple(p for w in vocab for p in w.phrases("half"))
    numbers = {k: v for w in reversed(vocab) for k, v in w.number_words().items()}
    clocks = {k: v for w in reversed(vocab) for k, v in w.clock_words().items()}
    number = _alternation({**numbers, **clocks})
    hour = rf"(?P<h>\d{{1,2}}{('|' + _WORD_START + '(?:' + number + ')' + _WORD_END) if number else ''})"
    minutes = r"(?:\s*[:.]\s*(?P<m>\d{2}))"
    # A Latin hour word ends its word: "10h" and "10h30" are hours, "10 hôm" and "mười hai" hold none.
    after_alt = "|".join(regex.escape(a) + (r"(?!\p{Latin})" if regex.search(r"\p{Latin}$", a) else "")
                         for a in sorted(dict.fromkeys(after), key=len, reverse=True) if a)
    half_alt = _alternation(dict.fromkeys(half))
    marks = _alternation(dict.fromkeys(am + pm))
    patterns = []
    # Minutes with their word: "ម៉ោង ៨ និង ១៥ នាទី" (8:15).
    counted = r"\s*(?:និង\s*)?(?P<m2>\d{1,2})\s*(?:នាទី|phut)(?!\p{L})"
    tail = rf"(?:{minutes}|{counted}|\s*(?P<half>{half_alt}){_WORD_END})?" if half_alt else rf"(?:{minutes}|{counted})?"
    not_after = _alternation(dict.fromkeys(p for w in vocab for p in w.phrases("hour_after_not")))
    clock = rf"(?:\d{{1,2}}{('|' + number) if number else ''})\s*(?:[:.]\d{{2}}{('|' + after_alt) if after_alt else ''})"
    if marks:
        # A day part followed by a clock time is that time's ("12/3 上午9点", "네 오전 10시": not 3 am or 4 am).
        patterns.append(rf"{hour}{tail}\s*(?P<mark>{marks})(?![\p{{L}}])(?!\s*{clock})")
    bare = rf"(?<![\d/.-]){hour}{minutes}(?![\d/])"
    patterns.append(bare)
    if after_alt:
        after_alt = rf"(?:{after_alt})(?!{not_after})" if not_after else after_alt
        # A number right after a month name or inside a date is its day: "դեկտեմբերի 3-ին" (on December 3), "3.12-ին".
        month_alt = _alternation({_norm(n, code) for code in dict.fromkeys((language, "en")) for n in lexicon(code).months if regex.search(r"\p{L}$", n)})
        not_day = r"(?<![\d./-])" + (rf"(?<!(?<![\p{{L}}])(?:{month_alt})\s{{0,3}})" if month_alt else "")
        patterns.append(rf"{not_day}{hour}\s*(?:{after_alt})(?:\s*(?:(?P<half>{half_alt}){_WORD_END}|(?P<m2>\d{{1,2}})\s*(?:分|분|phut|ph)?))?" if half_alt else rf"{not_day}{hour}\s*(?:{after_alt})(?:\s*(?P<m2>\d{{1,2}})\s*(?:分|분|phut|ph)?)?")
    # A word before the hour starts a word in scripts with spaces ("ala 1" but not "sala 3").
    before_alt = "|".join((r"(?<![\p{L}\p{N}])" if regex.match(r"[\p{Latin}\p{Cyrillic}\p{Armenian}]", b) else "") + regex.escape(b)
                           for b in sorted(dict.fromkeys(before), key=len, reverse=True) if b)
    if before_alt:
        patterns.append(rf"(?:{before_alt})\s*{hour}{tail}(?![\d/])")
    scan = _hide_numbered_days(text, language, number)
    for pattern in patterns:
        match = regex.search(pattern, scan)
        if not match:
            continue
        raw = match.group("h")
        value = int(raw) if raw.isdigit() else numbers.get(raw)
        mins = match.groupdict().get("m") or match.groupdict().get("m2")
        minute = int(mins) if mins else (30 if match.groupdict().get("half") else 0)
        if raw in clocks:
            value, minute = clocks[raw][0], (int(mins) if mins else clocks[raw][1])
        if pattern == bare and "." in match[0] and 1 <= minute <= 12:
            continue  # a bare 3.12 is a day (3 December), as read_date reads it; 10.30 and 9.45 are times
        mark = match.groupdict().get("mark")
        if value is None or value > 23 or minute > 59 or (mark is not None and value > 12):
            continue
        rest = blank(text, match)
        is_pm = mark is not None and mark in pm
        is_am = mark is not None and mark in am
        if mark is None:
            am_word = first(am, rest)
            pm_word = first(pm, rest)
            # An am phrase that holds a pm word ("قبل از ظهر" holds "ظهر") is an am phrase.
            mark_match = am_word if _inside(pm_word, am_word) else (pm_word or am_word)
            if mark_match:
                rest = blank(rest, mark_match)
                is_am = mark_match is am_word
                is_pm = not is_am
        if is_pm and value < 12:
            value += 12
        elif is_am and value == 12:
            value = 0
        elif not is_pm and not is_am and 1 <= value <= 6:
            value += 12  # "at 3" for an appointment means the afternoon
        return dt.time(value, minute), rest, None
    am_word = first(am, text)
    noon_match = first(noon, text)
    if noon_match and not _inside(noon_match, am_word):
        return dt.time(12, 0), blank(text, noon_match), None
    pm_word = first(pm, text)
    if pm_word and not _inside(pm_word, am_word):
        return None, blank(text, pm_word), "afternoon"
    if am_word:
        return None, blank(text, am_word), "morning"
    return None, text, None


def _hide_numbered_days(text: str, language: str, number: str) -> str:
    """The text with the names of days and weeks that hold a number blanked, for the hour patterns:
    "thứ 3 sáng" and "thứ hai chiều" are Tuesday morning and Monday afternoon, not 3 am or 2 pm."""
    numbered = regex.compile(rf"\d|(?<!\p{{L}})(?:{number})(?!\p{{L}})" if number else r"\d")
    names = {name for w in vocabulary(language) for day in w.weekdays() for name in day}
    names |= {p for w in vocabulary(language) for kind in ("next_week", "this_week") for p in w.phrases(kind)}
    for name in sorted(names, key=len, reverse=True):
        if numbered.search(name):
            while match := find(name, text):
                text = blank(text, match)
    return text


def _inside(inner: regex.Match | None, outer: regex.Match | None) -> bool:
    """Whether one match lies within another (a pm or noon word inside an am phrase)."""
    return bool(inner and outer and outer.start() <= inner.start() and inner.end() <= outer.end())


def _alternation(options) -> str:
    return "|".join(regex.escape(o) for o in sorted(options, key=len, reverse=True) if o)


def read_date(text: str, language: str, today: dt.date, keypad: bool = False) -> When:
    """A calendar day: keypad MMDD, numeric dates, CJK and named-month dates, today/tomorrow, weekdays."""
    result = When()
    vocab = vocabulary(language)
    own = words(language)
    if keypad and regex.fullmatch(r"\s*\d{4}\s*", text):
        digits = text.strip()
        return _calendar(result, today, int(digits[:2]), int(digits[2:]), None)
    cjk = regex.search(r"(?:(\d{4})\s*[年년]\s*)?(\d{1,2})\s*[月월]\s*(\d{1,2})\s*[日号號일]?", text)
    if cjk:
        return _calendar(result, today, int(cjk[2]), int(cjk[3]), int(cjk[1]) if cjk[1] else None)
    # "ngày 3 tháng 12", "3 tháng 12", "ថ្ងៃទី ៣ ខែ ១២": day, month word, month.
    named = regex.search(r"(?:(?:ngay|mung|mong|ថ្ងៃទី|ថ្ងៃ)\s*)?(?<!\d)(\d{1,2})\s*(?:thang|ខែ)\s*(\d{1,2})(?:\s*(?:nam|ឆ្នាំ)\s*(\d{4}))?", text)
    if named:
        return _calendar(result, today, int(named[2]), int(named[1]), int(named[3]) if named[3] else None)
    dotted = regex.search(r"(?<![\d.])(\d{1,2})\.(\d{1,2})(?:\.(\d{2,4}))?(?![\d.]|\s*(?:am|pm))", text)
    slashed = regex.search(r"(?<![\d/])(\d{1,2})[/-](\d{1,2})(?:[/-](\d{2,4}))?(?![\d/])", text)
    if slashed or dotted:
        m = slashed or dotted
        a, b = int(m[1]), int(m[2])
        year = int(m[3]) if m[3] else None
        year = year + 2000 if year is not None and year < 100 else year
        # 3.12 is 3 December in most languages; Chinese and Korean write 12.3 for 3 December (dotted_order: md).
        order = own.data.get("dotted_order", "dm") if dotted and not slashed else own.data.get("date_order", "md")
        day_first = order == "dm"
        if a > 12 >= b:
            day_first = True
        elif b > 12 >= a:
            day_first = False
        month, day = (b, a) if day_first else (a, b)
        return _calendar(result, today, month, day, year)
    month_match = _month(text, language)
    if month_match:
        month, span = month_match
        before, after_text = text[: span[0]], text[span[1]:]
        near = regex.match(r"\D{0,7}?(\d{1,2})(?!\d)", after_text) or regex.search(r"(?<!\d)(\d{1,2})\D{0,6}$", before)
        if near:
            year = regex.search(r"(?<!\d)(20\d\d)(?!\d)", text)  # also glued to a word: ឆ្នាំ២០២០
            return _calendar(result, today, month, int(near[1]), int(year[1]) if year else None)
    for name, offset in (("day_after_tomorrow", 2), ("tomorrow", 1), ("today", 0)):
        if any(has(w.phrases(name), text) for w in vocab):
            result.date = today + dt.timedelta(days=offset)
            return result
    days = weekdays_in(text, language)
    if days:
        result.weekdays = days
        next_week = any(has(w.phrases("next_week"), text) for w in vocab)
        result.date = next_weekday(today, days[0], next_week)
    return result


def weekdays_in(text: str, language: str) -> list[int]:
    """Every weekday the text names, in the order it names them (0 = Monday)."""
    found: list[tuple[int, int]] = []
    taken = text
    # Tagalog "linggo" is Sunday and week: "sa susunod na linggo", "ngayong linggo", "katapusan ng linggo" name no day.
    # Armenian "շաբաթ" is Saturday and week: "ամեն շաբաթ" (every week) is listed under not_weekdays.
    weeks = [m.span() for w in vocabulary(language) for kind in ("next_week", "this_week", "weekend", "not_weekdays") for p in w.phrases(kind) if (m := find(p, text))]
    # ...unless a longer day name runs on past the week phrase: "հաջորդ շաբաթ օրը" is next Saturday.
    day_names = [name for w in vocabulary(language) for names in w.weekdays() for name in names]
    weeks = [(a, b) for a, b in weeks if not any((m := find(n, text, a)) and m.start() < b < m.end() for n in day_names)]
    for a, b in weeks:
        for w in vocabulary(language):
            for names in w.weekdays():
                for name in names:
                    while (m := find(name, taken)) and a <= m.start() and m.end() <= b:
                        taken = blank(taken, m)
    for w in vocabulary(language):
        # English abbreviations are other words in other languages (Vietnamese thu, mon, sat): full names only.
        named = sorted(((name, number) for number, names in enumerate(w.weekdays()) for name in names
                        if w.language == language or len(name) > 3), key=lambda p: -len(p[0]))
        seen: set[int] = set()
        for name, number in named:
            if number in seen:
                continue
            match = find(name, taken)
            if match:
                found.append((match.start(), number))
                taken = blank(taken, match)
                seen.add(number)
    return [number for _, number in sorted(found)]


def next_weekday(today: dt.date, weekday: int, next_week: bool = False) -> dt.date:
    """The coming `weekday` after today; with next_week, that weekday in the following week."""
    if next_week:
        monday = today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=7)
        return monday + dt.timedelta(days=weekday)
    ahead = (weekday - today.weekday()) % 7 or 7
    return today + dt.timedelta(days=ahead)


def _month(text: str, language: str) -> tuple[int, tuple[int, int]] | None:
    for code in dict.fromkeys((language, "en")):
        for name, number in sorted(lexicon(code).months.items(), key=lambda kv: -len(kv[0])):
            match = find(_norm(name, code), text)
            if match:
                return number, match.span()
    return None


def _calendar(result: When, today: dt.date, month: int, day: int, year: int | None) -> When:
    try:
        date = dt.date(year or today.year, month, day)
    except ValueError:
        result.problem = "impossible_date"
        return result
    if year is None and date < today:
        date = date.replace(year=date.year + 1) if not (month == 2 and day == 29) else date
    if date < today:
        result.problem = "past_date"
        return result
    result.date = date
    return result


def read_when(text: str, language: str, today: dt.date, keypad: str | None = None) -> When:
    """Day and time from one message. keypad="date" reads 4 digits as MMDD, keypad="time" as HHMM (24 h)."""
    normal = normalise(text, language)
    if keypad == "time" and regex.fullmatch(r"\s*\d{3,4}\s*", normal):
        digits = normal.strip().zfill(4)
        hour, minute = int(digits[:2]), int(digits[2:])
        return When(time=dt.time(hour, minute)) if hour < 24 and minute < 60 else When()
    time, rest, daypart = read_time(normal, language)
    result = read_date(rest, language, today, keypad=keypad == "date")
    if result.date is None and result.problem is None:
        # 明早 / 明晚 name the day and the part of it: read as am/pm by the time, they still give the day.
        marks = {p for w in vocabulary(language) for kind in ("am", "pm") for p in w.phrases(kind)}
        for name, offset in (("day_after_tomorrow", 2), ("tomorrow", 1)):
            if any(find(p, normal) for w in vocabulary(language) for p in w.phrases(name) if p in marks):
                result.date = today + dt.timedelta(days=offset)
                break
    if result.date is None and result.problem is None and any(has(w.phrases("today"), normal) for w in vocabulary(language)):
        result.date = today  # "this afternoon at 3": the day part was read as pm, the day is still today
    result.time = time
    result.daypart = daypart
    return result
