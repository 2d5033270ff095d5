"""Health education classes: search the catalog, register, waitlist, cancel with promotion, reminders.

Capacity is enforced by one conditional update (`seats_taken < capacity`), so two members taking the
last seat at the same moment cannot both get it, on SQLite and PostgreSQL alike.
"""
from __future__ import annotations

import datetime as dt
import logging
import math
from dataclasses import dataclass

from sqlalchemy import func, select, update

from careline import catalog
from careline.config import Settings, contact_numbers, display_phone
from careline.db import session_scope
from careline.formats import format_when
from careline.models import Center, ClassDemand, ClassMeeting, ClassRegistration, ClassText, HealthClass, Member, utcnow
from careline.outbox import enqueue
from careline.rides.rules import to_local, to_utc

log = logging.getLogger(__name__)
TOPICS = ("diabetes", "healthy_eating", "asthma", "heart_health", "fall_prevention", "tobacco", "exercise", "stress")


@dataclass
class Offer:
    """One class as a member sees it, in their language."""

    class_id: int
    topic: str
    title: str
    language: str
    format: str
    first_meeting: dt.datetime
    meetings: int
    center: str | None
    address: str | None
    call_in: str | None
    seats_left: int
    distance_km: float | None = None


def _numbers() -> dict[str, str]:
    return contact_numbers(Settings.from_env())


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 6371 * 2 * math.asin(math.sqrt(h))


def title_of(session, class_id: int, language: str) -> str:
    texts = {t.language: t.title for t in session.scalars(select(ClassText).where(ClassText.class_id == class_id))}
    return texts.get(language) or texts.get("en") or ""


def offers(session, language: str, now_local: dt.datetime, topic: str | None = None, taught_in: str | None = None,
           fmt: str | None = None, home_zip: str | None = None, day: dt.date | None = None, weekdays: tuple[int, ...] = (),
           daypart: str | None = None, this_week: bool = False, weekend: bool = False, class_id: int | None = None) -> list[Offer]:
    """Active classes with a meeting still ahead, matching the wish, soonest (or nearest) first."""
    from careline.seed import zip_centroids

    query = select(HealthClass).where(HealthClass.active.is_(True))
    if class_id is not None:
        query = query.where(HealthClass.id == class_id)
    classes = session.scalars(query).all()
    centers = {c.id: c for c in session.scalars(select(Center))}
    home = zip_centroids().get(home_zip or "")
    result = []
    for item in classes:
        if topic and item.topic != topic or taught_in and item.language != taught_in or fmt and item.format != fmt:
            continue
        meetings = session.scalars(select(ClassMeeting.starts_local).where(ClassMeeting.class_id == item.id, ClassMeeting.starts_local > now_local)
                                   .order_by(ClassMeeting.starts_local)).all()
        if not meetings:
            continue
        first = meetings[0]
        if day and not any(m.date() == day for m in meetings):
            continue
        if weekdays and not any(m.weekday() in weekdays for m in meetings):
            continue
        if daypart == "morning" and not any(m.hour < 12 for m in meetings) or daypart == "afternoon" and not any(m.hour >= 12 for m in meetings):
            continue
        if this_week and not any(m.date() <= now_local.date() + dt.timedelta(days=6 - now_local.weekday()) for m in meetings):
            continue
        if weekend and not any(m.weekday() >= 5 for m in meetings):
            continue
        center = centers.get(item.center_id)
        distance = distance_km(home, (center.latitude, center.longitude)) if home and center else None
        result.append(Offer(item.id, item.topic, title_of(session, item.id, language), item.language, item.format, first, len(meetings),
                            center.name if center else None, center.address if center else None, item.call_in,
                            max(item.capacity - item.seats_taken, 0), distance))
    if home_zip and fmt == "in_person":
        result.sort(key=lambda o: (o.distance_km is None, o.distance_km or 0, o.first_meeting))
    else:
        result.sort(key=lambda o: o.first_meeting)
    return result


def where_text(offer_or_class, language: str, channel: str = "sms") -> str:
    o = offer_or_class
    if o.format == "in_person":
        return catalog.text("class_where_in_person", language, channel, center=o.center or "", address=o.address or "")
    key = "class_where_phone" if o.format == "phone" else "class_where_video"
    return catalog.text(key, language, channel, call_in=display_phone(o.call_in) if (o.call_in or "").startswith("+") else (o.call_in or ""))


def offer_by_id(session, class_id: int, language: str, now_local: dt.datetime) -> Offer | None:
    return next(iter(offers(session, language, now_local, class_id=class_id)), None)


def record_demand(database_url: str, language: str, topic: str | None, reason: str) -> None:
    with session_scope(database_url) as session:
        session.add(ClassDemand(language=language, topic=topic, reason=reason))


def register(database_url: str, class_id: int, member_id: int, language: str, now_local: dt.datetime, waitlist: bool = False) -> tuple[str, int | None]:
    """registered, full, waitlisted (with position), already, gone or past.

    The seat is taken by a conditional update; the confirmation SMS is written in the same transaction.
    """
    with session_scope(database_url) as session:
        item = session.get(HealthClass, class_id)
        if item is None or not item.active:
            return "gone", None
        offer = offer_by_id(session, class_id, language, now_local)
        if offer is None:
            return "past", None
        existing = session.scalars(select(ClassRegistration).where(ClassRegistration.class_id == class_id, ClassRegistration.member_id == member_id)).first()
        if existing and existing.status in ("registered", "waitlisted"):
            return "already", None
        taken = session.execute(update(HealthClass).where(HealthClass.id == class_id, HealthClass.seats_taken < HealthClass.capacity)
                                .values(seats_taken=HealthClass.seats_taken + 1)).rowcount == 1
        if not taken and not waitlist:
            return "full", None
        row = existing or ClassRegistration(class_id=class_id, member_id=member_id, language=language)
        row.status = "registered" if taken else "waitlisted"
        row.waiting_since = None if taken else utcnow()
        row.language = language
        if existing is None:
            session.add(row)
        session.flush()
        member = session.get(Member, member_id)
        if taken:
            _confirmation(session, row, member, offer, "class_sms_confirmation", f"class_confirmation:{row.id}:{row.updated_at or utcnow():%Y%m%d%H%M%S%f}")
            return "registered", None
        position = session.scalar(select(func.count(ClassRegistration.id)).where(
            ClassRegistration.class_id == class_id, ClassRegistration.status == "waitlisted", ClassRegistration.id <= row.id))
        return "waitlisted", position


def _confirmation(session, row: ClassRegistration, member: Member | None, offer: Offer, key: str, dedupe: str) -> None:
    """The confirmation (or promotion) text, in the same transaction as the seat."""
    if not member or not member.phone:
        return
    # Sent on its own to the member's phone: no class title, which could disclose a condition (minimum necessary).
    body = catalog.text(key, row.language, "sms", when=format_when(offer.first_meeting, row.language), where=where_text(offer, row.language), **_numbers())
    enqueue(session, key=dedupe, purpose=f"class_{key.removeprefix('class_sms_')}", to_phone=member.phone, language=row.language,
            body=body, member_id=member.id, subject=f"registration:{row.id}")


def cancel(database_url: str, class_id: int, member_id: int, now_local: dt.datetime) -> str:
    """Cancel a place; a freed seat goes to the first member waiting, who is told by SMS."""
    with session_scope(database_url) as session:
        # Lock the class row first: cancellations and promotions of one class happen one at a time.
        session.execute(update(HealthClass).where(HealthClass.id == class_id).values(seats_taken=HealthClass.seats_taken))
        row = session.scalars(select(ClassRegistration).where(ClassRegistration.class_id == class_id, ClassRegistration.member_id == member_id)).first()
        if row is None or row.status == "cancelled":
            return "not_found"
        was_registered = row.status == "registered"
        row.status = "cancelled"
        if not was_registered:
            return "cancelled"
        waiting = session.scalars(select(ClassRegistration).where(ClassRegistration.class_id == class_id, ClassRegistration.status == "waitlisted")
                                  .order_by(ClassRegistration.waiting_since, ClassRegistration.id).limit(1)).first()
        if waiting is None:
            session.execute(update(HealthClass).where(HealthClass.id == class_id).values(seats_taken=HealthClass.seats_taken - 1))
            return "cancelled"
        waiting.status, waiting.waiting_since = "registered", None
        offer = offer_by_id(session, class_id, waiting.language, now_local)
        if offer:
            _confirmation(session, waiting, session.get(Member, waiting.member_id), offer, "class_sms_promoted", f"class_promoted:{waiting.id}:{utcnow():%Y%m%d%H%M%S%f}")
        log.info("class %s: seat freed and given to the first member waiting", class_id)
        return "cancelled"


def registrations(session, member_id: int, language: str, now_local: dt.datetime) -> list[tuple[ClassRegistration, Offer]]:
    rows = session.scalars(select(ClassRegistration).where(ClassRegistration.member_id == member_id, ClassRegistration.status.in_(("registered", "waitlisted")))).all()
    result = []
    for row in rows:
        offer = offer_by_id(session, row.class_id, language, now_local)
        if offer:
            result.append((row, offer))
    return result


def schedule_class_reminders(settings, now_utc: dt.datetime) -> int:
    """The day before each meeting (at noon local time), a reminder with the address or call-in details."""
    now_local = to_local(now_utc)
    tomorrow = now_local.date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0))
    added = 0
    with session_scope(settings.database_url) as session:
        meetings = session.scalars(select(ClassMeeting).where(ClassMeeting.starts_local >= start, ClassMeeting.starts_local < start + dt.timedelta(days=1))).all()
        for meeting in meetings:
            rows = session.scalars(select(ClassRegistration).where(ClassRegistration.class_id == meeting.class_id, ClassRegistration.status == "registered")).all()
            for row in rows:
                member = session.get(Member, row.member_id)
                offer = offer_by_id(session, meeting.class_id, row.language, now_local)
                if not member or not member.phone or offer is None:
                    continue
                body = catalog.text("class_sms_reminder", row.language, "sms", when=format_when(meeting.starts_local, row.language),
                                    where=where_text(offer, row.language), **_numbers())
                noon = dt.datetime.combine(now_local.date(), dt.time(12, 0))
                if enqueue(session, key=f"class_reminder:{meeting.id}:{row.member_id}", purpose="class_reminder", to_phone=member.phone,
                           language=row.language, body=body, member_id=member.id, not_before=to_utc(noon), subject=f"registration:{row.id}"):
                    added += 1
    return added


def class_json(session, item: HealthClass) -> dict:
    meetings = session.scalars(select(ClassMeeting).where(ClassMeeting.class_id == item.id).order_by(ClassMeeting.starts_local)).all()
    texts = session.scalars(select(ClassText).where(ClassText.class_id == item.id)).all()
    return {
        "id": item.id, "topic": item.topic, "language": item.language, "format": item.format, "center_id": item.center_id,
        "call_in": item.call_in, "capacity": item.capacity, "seats_taken": item.seats_taken, "accessibility": item.accessibility,
        "active": item.active, "meetings": [{"starts": m.starts_local.isoformat(), "minutes": m.minutes} for m in meetings],
        "texts": {t.language: {"title": t.title, "description": t.description} for t in texts},
    }


def registration_by_id(database_url: str, registration_id: int) -> tuple[int, str, int, str] | None:
    """(class id, status, member id, title in the member's language) of a registration."""
    with session_scope(database_url) as session:
        row = session.get(ClassRegistration, registration_id)
        if row is None:
            return None
        return row.class_id, row.status, row.member_id, title_of(session, row.class_id, row.language)
