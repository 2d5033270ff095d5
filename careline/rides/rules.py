"""The rules of the ride benefit as pure functions over the data in rules.yml.

Each check returns None when the ride is allowed, or a Refusal naming the rule and what the member
can do instead; the dialogue turns that into words in the member's language.
"""
from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

RULES_FILE = Path(__file__).with_name("rules.yml")


@dataclass(frozen=True)
class Rules:
    timezone: ZoneInfo
    notice_business_days: dict[str, int]
    pcs_required: frozenset[str]
    pcs_valid_months: int
    allowed_destinations: frozenset[str]
    pickup_lead: dt.timedelta
    first_appointment: dt.time
    last_appointment: dt.time
    overlap: dt.timedelta
    change_cutoff: dt.timedelta
    standing_order_max_days: int
    will_call_minutes: int
    holidays: frozenset[dt.date]
    discharge_window_hours: tuple[int, int]


@functools.lru_cache(maxsize=1)
def rules() -> Rules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    return Rules(
        timezone=ZoneInfo(data["timezone"]),
        notice_business_days={k: int(v) for k, v in data["notice_business_days"].items()},
        pcs_required=frozenset(data["pcs_required"]),
        pcs_valid_months=int(data["pcs_valid_months"]),
        allowed_destinations=frozenset(data["allowed_destinations"]),
        pickup_lead=dt.timedelta(minutes=int(data["pickup_lead_minutes"])),
        first_appointment=dt.time.fromisoformat(data["service_hours"]["first"]),
        last_appointment=dt.time.fromisoformat(data["service_hours"]["last"]),
        overlap=dt.timedelta(minutes=int(data["overlap_minutes"])),
        change_cutoff=dt.timedelta(hours=int(data["change_cutoff_hours"])),
        standing_order_max_days=int(data["standing_order_max_days"]),
        will_call_minutes=int(data["will_call_minutes"]),
        holidays=frozenset(dt.date.fromisoformat(str(d)) for d in data["holidays"]),
        discharge_window_hours=tuple(data["discharge_pickup_window_hours"]),
    )


@dataclass(frozen=True)
class Refusal:
    rule: str  # notice, service_hours, destination, overlap, past, pcs_pending, cutoff, standing_order_end
    params: dict = field(default_factory=dict)


def is_business_day(day: dt.date, r: Rules | None = None) -> bool:
    r = r or rules()
    return day.weekday() < 5 and day not in r.holidays


def add_business_days(start: dt.date, count: int, r: Rules | None = None) -> dt.date:
    """The day `count` business days after `start` (weekends and holidays skipped)."""
    r = r or rules()
    day = start
    while count > 0:
        day += dt.timedelta(days=1)
        if is_business_day(day, r):
            count -= 1
    return day


def earliest_day(now_local: dt.datetime, mobility: str, discharge: bool = False, r: Rules | None = None) -> dt.date:
    """The first appointment day that can be booked now for this vehicle."""
    r = r or rules()
    if discharge:
        return now_local.date()
    return add_business_days(now_local.date(), r.notice_business_days.get(mobility, max(r.notice_business_days.values())), r)


def check_time(appointment: dt.datetime, now_local: dt.datetime, mobility: str, discharge: bool = False, r: Rules | None = None) -> Refusal | None:
    """Advance notice, past times and the hours the broker can serve."""
    r = r or rules()
    if appointment <= now_local:
        return Refusal("past")
    if not discharge and not (r.first_appointment <= appointment.time() <= r.last_appointment):
        return Refusal("service_hours", {"first": r.first_appointment, "last": r.last_appointment})
    earliest = earliest_day(now_local, mobility, discharge, r)
    if appointment.date() < earliest:
        return Refusal("notice", {"earliest": earliest, "days": r.notice_business_days.get(mobility, 2)})
    return None


def check_destination(kind: str | None, r: Rules | None = None) -> Refusal | None:
    r = r or rules()
    if kind is None or kind in r.allowed_destinations:
        return None
    return Refusal("destination")


def needs_pcs(mobility: str, pcs_expires: dt.date | None, on_day: dt.date, r: Rules | None = None) -> bool:
    """Wheelchair and gurney rides need a Physician Certification Statement valid on the ride day."""
    r = r or rules()
    return mobility in r.pcs_required and (pcs_expires is None or pcs_expires < on_day)


def overlapping(pickup: dt.datetime, existing: list[dt.datetime], r: Rules | None = None) -> dt.datetime | None:
    """An existing pickup too close to this one, if any (one member, one vehicle at a time)."""
    r = r or rules()
    return next((other for other in existing if abs(other - pickup) < r.overlap), None)


def pickup_time(appointment: dt.datetime, r: Rules | None = None) -> dt.datetime:
    r = r or rules()
    return appointment - r.pickup_lead


def can_change(pickup: dt.datetime, now_local: dt.datetime, r: Rules | None = None) -> bool:
    """Rides can be changed or cancelled here until the broker's cutoff before pickup."""
    r = r or rules()
    return now_local <= pickup - r.change_cutoff


def standing_dates(first_day: dt.date, weekdays: list[int], until: dt.date | None, r: Rules | None = None) -> list[dt.date] | Refusal:
    """Every ride day of a standing order, from its first day through its end date."""
    r = r or rules()
    if until is None:
        return Refusal("standing_order_end")
    limit = first_day + dt.timedelta(days=r.standing_order_max_days)
    if until > limit:
        return Refusal("standing_order_end", {"limit": limit})
    days, day = [], first_day
    while day <= until:
        if day.weekday() in weekdays:
            days.append(day)
        day += dt.timedelta(days=1)
    return days


def local_now(r: Rules | None = None) -> dt.datetime:
    """Now on the plan's clock, naive local time (what the member means by "tomorrow at 10")."""
    r = r or rules()
    return dt.datetime.now(r.timezone).replace(tzinfo=None)


def to_utc(local: dt.datetime, r: Rules | None = None) -> dt.datetime:
    r = r or rules()
    return local.replace(tzinfo=r.timezone).astimezone(dt.timezone.utc).replace(tzinfo=None)


def to_local(utc: dt.datetime, r: Rules | None = None) -> dt.datetime:
    r = r or rules()
    return utc.replace(tzinfo=dt.timezone.utc).astimezone(r.timezone).replace(tzinfo=None)
