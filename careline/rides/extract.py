"""What one message says about a ride: day, time, places, vehicle, company, the ride home.

A member may give everything at once ("I need a wheelchair van to dialysis at 1234 Main St next
Tuesday at 10am") or one answer at a time; every message is read for every field, and whatever it
names is merged into the draft. Pure functions over the words in `careline/words/<lang>.yml`.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field

import regex

from careline.text import ascii_digits, clean, strip_accents
from careline.when import _GLUED, _month, blank, find, first, has, normalise, read_time, read_when, vocabulary, weekdays_in

STREET = (
    r"st|street|ave|av|avenue|blvd|boulevard|rd|road|dr|drive|way|pl|place|ln|lane|ct|court|pkwy|parkway"
    r"|hwy|highway|ter|terrace|cir|circle|sq|square|plaza|calle|avenida"
)
ADDRESS = regex.compile(
    rf"(?<![\d\p{{Latin}}])(\d{{1,6}}\s+(?:[NSEW]\.?\s+)?(?:[\p{{Latin}}0-9'.-]+\s+){{0,4}}?(?:{STREET})(?![\p{{Latin}}\d_])\.?"
    rf"(?:\s*,?\s*(?:#|apt\.?|suite|ste\.?|unit)\s*[\w-]+)?(?:\s*,\s*[\p{{Latin}} ]{{3,30}}?(?=[,.;!?،]|\s+(?:on|at|next|el|para|en|sa)\b|\s*[^\p{{Latin}}\s]|$))?)",
    regex.IGNORECASE,
)


@dataclass
class Said:
    """Everything one message said about a ride; None means "not mentioned"."""

    date: dt.date | None = None
    time: dt.time | None = None
    date_problem: str | None = None
    weekdays: list[int] = field(default_factory=list)
    recurring: bool = False
    until: dt.date | None = None
    address: str | None = None
    home: bool = False
    destination_kind: str | None = None
    not_allowed: bool = False
    mobility: str | None = None
    companion: bool | None = None
    car_seat: bool | None = None
    return_mode: str | None = None  # time, will_call, none
    return_time: dt.time | None = None
    discharge: bool = False
    notes: str | None = None  # a note for the driver, in the member's words
    yes: bool = False
    no: bool = False

    def anything(self) -> bool:
        return any(
            (self.date, self.time, self.date_problem, self.until, self.address, self.home, self.destination_kind, self.not_allowed,
             self.mobility, self.companion, self.car_seat, self.return_mode, self.discharge, self.notes)
        )


@functools.lru_cache(maxsize=None)
def phrases(language: str, name: str) -> tuple[str, ...]:
    """A word list of the member's language merged with English's (read once per list)."""
    return tuple(dict.fromkeys(p for w in vocabulary(language) for p in w.phrases(name)))


# Punctuation between a driver-note marker and the note (Armenian ՝ and ։, Arabic-script ،).
_NOTE_PUNCTUATION = " :：,.-՝։،"


def reply_word(text: str, language: str) -> str | None:
    """What a one-word answer to one of our texts means: 'confirm', 'reschedule' or 'cancel' (C / R / X
    after a reminder, in the member's words too) or 'ready' (READY for a will-call ride home)."""
    word = normalise(text, language).strip(" .!?¡¿。！،؟")
    if not word or len(word) > 30:
        return None
    kind = next((k for k in ("confirm", "reschedule", "cancel") if word in phrases(language, f"reminder_{k}")), None)
    return kind or ("ready" if word in phrases(language, "will_call") else None)


@functools.lru_cache(maxsize=None)
def groups(language: str, name: str) -> dict[str, tuple[str, ...]]:
    merged: dict[str, tuple[str, ...]] = {}
    for w in vocabulary(language):
        for key, values in w.groups(name).items():
            merged[key] = tuple(dict.fromkeys(merged.get(key, ()) + values))
    return merged


def answer(text: str, language: str) -> str | None:
    """"yes" or "no" when the whole message is one (keypad 1/2 included), else None."""
    normal = normalise(text, language).strip(" .!¡¿?。！،؟")
    if not normal:
        return None
    for kind in ("answer_yes", "answer_no"):
        if normal in phrases(language, kind):
            return kind.removeprefix("answer_")
    for kind in ("answer_yes", "answer_no"):
        match = first(phrases(language, kind), normal)
        if match and match.start() == 0 and len(normal) <= len(match[0]) + 12 and not _word_goes_on(match, normal):
            return kind.removeprefix("answer_")
    return None


def _word_goes_on(match: regex.Match, text: str) -> bool:
    """Whether a yes/no word in a script without spaces is only the start of another word: 예약 (booking)
    starts with 예 (yes), 응급실 (ER) with 응, 对不起 (sorry) with 对. A Hangul word must end there; a Han
    or Khmer one-letter word must too (是的谢谢 and 好的谢谢 still say yes)."""
    following = text[match.end(): match.end() + 1]
    if not following or not _GLUED.search(match[0]) or not regex.match(r"[\p{L}\p{M}]", following):
        return False
    return bool(regex.search(r"\p{Hangul}", match[0]) and regex.match(r"\p{Hangul}", following)) or len(match[0]) < 2


# The last day of a standing order, written before its word ("3월 31일까지", "到3月31号为止").
_DAY_BEFORE = regex.compile(
    r"(?:(?:\d{4}\s*[年년]\s*)?\d{1,2}\s*[月월]\s*\d{1,2}\s*[日号號일]?|(?<![\d/])\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?)\s*$"
)
# Where a clause ends, to find a time written before the return word ("下午1点接我回家", "오후 1시에 돌아올게요").
_CLAUSE_END = regex.compile(r"[,，、;；。!?！？]|\.(?!\d)")


def read(text: str, language: str, today: dt.date, keypad: str | None = None) -> Said:
    """Read every ride field the message mentions."""
    raw = ascii_digits(clean(text))
    said = Said()
    # A note for the driver is kept as written and read for nothing else ("note: gate code 1234").
    plain = strip_accents(raw.casefold())  # same length as the text, so the note is cut from the text as written
    marker = first(phrases(language, "driver_note"), plain) if len(plain) == len(raw) else None
    if marker:
        said.notes = raw[marker.end():].strip(_NOTE_PUNCTUATION) or None
        raw = raw[: marker.start()]
    address = ADDRESS.search(raw)
    if address:
        said.address = address[1].strip(" ,.")
        raw = raw[: address.start(1)] + " " + raw[address.end(1):]
    normal = normalise(raw, language)
    said.yes = answer(text, language) == "yes"
    said.no = answer(text, language) == "no"

    # The ride home is read first, from the words after its marker, so its time is not the appointment's.
    marker = first(phrases(language, "return_markers"), normal)
    outbound = normal
    if has(phrases(language, "no_return"), normal):
        said.return_mode = "none"
    elif has(phrases(language, "will_call"), normal):
        said.return_mode = "will_call"
    # Words about the ride home are not the appointment's day or time ("một chiều" = one way, not 1 pm).
    for phrase in phrases(language, "no_return") + phrases(language, "will_call"):
        while found := find(phrase, outbound):
            outbound = blank(outbound, found)
    if marker:
        outbound = outbound[: marker.start()]
        back_time, _, _ = read_time(normal[marker.end():], language)
        if back_time is None and _GLUED.search(marker[0]):
            # Chinese and Korean say the time first: "下午1点接我回家", "오후 1시에 돌아올게요".
            clause_start = max((m.end() for m in _CLAUSE_END.finditer(outbound)), default=0)
            back_time, _, _ = read_time(outbound[clause_start:], language)
            if back_time:
                outbound = outbound[:clause_start]
        if back_time and said.return_mode is None:
            said.return_mode, said.return_time = "time", back_time
    until = first(phrases(language, "until"), outbound)
    # Until words that also mean "to" a place (Russian "до": "до клиники", "до 31 марта") count only
    # right before a day number or a month.
    for word in phrases(language, "until_before_day"):
        at = 0
        while (match := find(word, outbound, at)) and (until is None or match.start() < until.start()):
            if _day_follows(outbound[match.end():], language, today):
                until = match
                break
            at = match.end()
    for after in (m for p in phrases(language, "until_after") for m in regex.finditer(regex.escape(p), outbound)):
        day = _DAY_BEFORE.search(outbound[: after.start()])
        if day and (until is None or day.start() < until.start()):
            said.until = read_when(day[0], language, today).date
            outbound, until = outbound[: day.start()], None
            break
    if until:
        end = read_when(outbound[until.end():], language, today)
        said.until = end.date
        outbound = outbound[: until.start()]
    when = read_when(outbound, language, today, keypad=keypad)
    said.date, said.time, said.date_problem = when.date, when.time, when.problem
    said.weekdays = weekdays_in(outbound, language) if when.weekdays else []
    said.recurring = len(said.weekdays) > 1 or has(phrases(language, "recurring"), outbound)

    for kind in ("gurney", "wheelchair", "ambulatory"):
        if has(groups(language, "mobility").get(kind, ()), normal):
            said.mobility = kind
            break
    if has(phrases(language, "companion"), normal):
        said.companion = True
    if has(phrases(language, "car_seat"), normal):
        said.car_seat = True
    said.discharge = has(phrases(language, "discharge"), normal)
    destinations = groups(language, "destinations")
    hit = None
    for kind, names in destinations.items():
        match = first(names, normal)
        # A named kind beats the generic medical words ("appointment sa dentista", "cita con el oculista").
        if match and (hit is None or (hit[0] == "medical") > (kind == "medical") or ((hit[0] == "medical") == (kind == "medical") and match.start() < hit[1])):
            hit = (kind, match.start())
    if hit:
        said.destination_kind = hit[0]
    elif has(phrases(language, "not_allowed"), normal):
        said.not_allowed = True
    home = first(phrases(language, "home"), normal)
    if home and not marker and said.return_mode is None:
        said.home = True
    elif home and marker and home.start() < marker.start():
        said.home = True
    return said


def _day_follows(rest: str, language: str, today: dt.date) -> bool:
    """Whether the text starts with a day: a number or a month name that the date reader reads as a date."""
    month = _month(rest, language)
    if not (regex.match(r"\s*\d", rest) or (month and not rest[: month[1][0]].strip())):
        return False
    end = read_when(rest, language, today)
    return bool(end.date or end.problem)


def strip_code(text: str) -> str | None:
    """A ride confirmation code in the message (six letters and digits, e.g. R7K2QD), if any."""
    match = regex.search(r"(?<![A-Za-z0-9])(R[A-HJ-NP-Z2-9]{5})(?![A-Za-z0-9])", (text or "").upper())
    return match[1] if match else None

