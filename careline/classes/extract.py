"""What a message says about the class a member wants: topic, format, day, place, language."""
from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from careline.languages import requested_language
from careline.rides.extract import groups, phrases
from careline.when import first, has, normalise, read_when


@dataclass
class ClassWish:
    topic: str | None = None
    format: str | None = None
    near_me: bool = False
    date: dt.date | None = None
    weekdays: tuple[int, ...] = ()
    daypart: str | None = None  # morning, afternoon
    this_week: bool = False
    weekend: bool = False
    language: str | None = None  # the language the class should be taught in, when named

    def anything(self) -> bool:
        return any((self.topic, self.format, self.near_me, self.date, self.weekdays, self.daypart, self.this_week, self.weekend, self.language))


def read_wish(text: str, language: str, today: dt.date) -> ClassWish:
    normal = normalise(text, language)
    wish = ClassWish()
    best = None
    for topic, names in groups(language, "class_topics").items():
        match = first(names, normal)
        # The earliest topic word; where two start together, the longer (ضغط نفسي is stress, not ضغط).
        if match and (best is None or (match.start(), -len(match[0])) < best[1:]):
            best = (topic, match.start(), -len(match[0]))
    wish.topic = best[0] if best else None
    for kind in ("phone", "video", "in_person"):
        if has(groups(language, "class_formats").get(kind, ()), normal):
            wish.format = kind
            break
    wish.near_me = has(phrases(language, "near_me"), normal)
    if wish.near_me and wish.format is None:
        wish.format = "in_person"
    wish.weekend = has(phrases(language, "weekend"), normal)
    wish.this_week = has(phrases(language, "this_week"), normal)
    when = read_when(text, language, today)
    wish.date = when.date if not when.weekdays else None
    wish.weekdays = tuple(when.weekdays)
    wish.daypart = when.daypart or (("morning" if when.time.hour < 12 else "afternoon") if when.time else None)
    wish.language = requested_language(text)
    return wish
