"""Ride bookings in the database: book (rides + confirmation SMS in one transaction), look up,
change, cancel, dispatch status updates, and the evening-before reminders."""
from __future__ import annotations

import datetime as dt
import functools
import logging
import secrets
from dataclasses import dataclass, field

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from careline import catalog
from careline.config import Settings, contact_numbers
from careline.db import session_scope
from careline.formats import format_day, format_time
from careline.models import Member, Ride, StandingOrder
from careline.outbox import enqueue
from careline.rides import rules as R

log = logging.getLogger(__name__)
CODE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
OPEN_STATUSES = ("scheduled", "pending_pcs", "confirmed", "driver_assigned", "en_route", "arrived")
DISPATCH_STATUSES = ("scheduled", "confirmed", "driver_assigned", "en_route", "arrived", "completed", "no_show", "cancelled")


def _numbers() -> dict[str, str]:
    return contact_numbers(Settings.from_env())


def new_code(session, prefix: str = "R", model=Ride) -> str:
    while True:
        code = prefix + "".join(secrets.choice(CODE_ALPHABET) for _ in range(5))
        if session.scalar(select(model.id).where(model.code == code)) is None:
            return code


@dataclass
class Booking:
    """What the member asked for, complete and checked, ready to write."""

    member_id: int
    language: str
    channel: str
    appointment: dt.datetime  # local
    pickup_address: str
    destination_kind: str
    destination_address: str
    mobility: str
    companion: bool = False
    car_seat: bool = False
    return_mode: str = "none"
    return_time: dt.time | None = None
    notes: str | None = None
    notes_english: str | None = None
    discharge: bool = False
    weekdays: list[int] = field(default_factory=list)
    until: dt.date | None = None
    booked_by: str = "member"


@dataclass
class Outcome:
    codes: list[str] = field(default_factory=list)
    refusal: R.Refusal | None = None
    pending_pcs: bool = False
    standing_code: str | None = None
    existing_code: str | None = None


def lock_member(session, member_id: int) -> Member:
    """Serialise one member's bookings: the first write of the transaction takes the row (or DB) lock."""
    session.execute(update(Member).where(Member.id == member_id).values(booking_lock=Member.booking_lock + 1))
    return session.get(Member, member_id)


def open_rides(session, member_id: int, now_local: dt.datetime) -> list[Ride]:
    return list(session.scalars(
        select(Ride).where(Ride.member_id == member_id, Ride.status.in_(OPEN_STATUSES), Ride.pickup_local >= now_local - dt.timedelta(hours=3)).order_by(Ride.pickup_local)
    ))


def book(database_url: str, booking: Booking, now_local: dt.datetime) -> Outcome:
    """Write the ride(s) and the confirmation SMS together, or refuse with the rule that stops it."""
    r = R.rules()
    days = [booking.appointment.date()]
    if booking.weekdays and booking.until:
        planned = R.standing_dates(booking.appointment.date(), booking.weekdays, booking.until, r)
        if isinstance(planned, R.Refusal):
            return Outcome(refusal=planned)
        days = planned or days
    appointments = [dt.datetime.combine(day, booking.appointment.time()) for day in days]
    refusal = R.check_time(appointments[0], now_local, booking.mobility, booking.discharge, r)
    if refusal:
        return Outcome(refusal=refusal)
    try:
        with session_scope(database_url) as session:
            member = lock_member(session, booking.member_id)
            existing = open_rides(session, member.id, now_local)
            for appointment in appointments:
                clash = next((ride for ride in existing if R.overlapping(R.pickup_time(appointment, r), [ride.pickup_local], r)), None)
                if clash:
                    same = clash.destination_address == booking.destination_address and clash.appointment_local == appointment
                    return Outcome(refusal=R.Refusal("duplicate" if same else "overlap", {"code": clash.code, "pickup": clash.pickup_local}), existing_code=clash.code)
            pending = R.needs_pcs(booking.mobility, member.pcs_expires, days[-1], r)
            standing = None
            if len(days) > 1:
                standing = StandingOrder(code=new_code(session, "S", StandingOrder), member_id=member.id, weekdays=",".join(map(str, booking.weekdays)), first_day=days[0], until=booking.until)
                session.add(standing)
                session.flush()
            rides = [
                Ride(
                    code=new_code(session), member_id=member.id, booked_by=booking.booked_by, channel=booking.channel, language=booking.language,
                    appointment_local=appointment, pickup_local=R.pickup_time(appointment, r), pickup_address=booking.pickup_address,
                    destination_kind=booking.destination_kind, destination_address=booking.destination_address, mobility=booking.mobility,
                    companion=booking.companion, car_seat=booking.car_seat, return_mode=booking.return_mode,
                    return_local=dt.datetime.combine(appointment.date(), booking.return_time) if booking.return_mode == "time" and booking.return_time else None,
                    notes=booking.notes, notes_english=booking.notes_english, discharge=booking.discharge,
                    status="pending_pcs" if pending else "scheduled", standing_order_id=standing.id if standing else None,
                )
                for appointment in appointments
            ]
            session.add_all(rides)
            session.flush()
            first, code = rides[0], standing.code if standing else rides[0].code
            if member.phone:
                key = "ride_confirmation_pending" if pending else "ride_confirmation_sms"
                body = catalog.text(key, booking.language, "sms", code=code, day=format_day(first.pickup_local.date(), booking.language),
                                    time=format_time(first.pickup_local.time(), booking.language), count=str(len(rides)), **_numbers())
                enqueue(session, key=f"ride_confirmation:{code}", purpose="ride_confirmation", to_phone=member.phone, language=booking.language,
                        body=body, member_id=member.id, same_day_update=True, subject=f"ride:{first.code}")
            log.info("ride booked: %s ride(s), pending PCS %s", len(rides), pending)
            return Outcome(codes=[ride.code for ride in rides], pending_pcs=pending, standing_code=standing.code if standing else None)
    except IntegrityError:
        # The same pickup booked at the same moment from another device: one booking stands.
        with session_scope(database_url) as session:
            clash = session.scalars(select(Ride).where(Ride.member_id == booking.member_id, Ride.pickup_local == R.pickup_time(appointments[0], r))).first()
            return Outcome(refusal=R.Refusal("duplicate", {"code": clash.code if clash else ""}), existing_code=clash.code if clash else None)


def cancel(database_url: str, member_id: int, code: str, now_local: dt.datetime) -> str:
    """cancelled, too_late, not_found or already."""
    with session_scope(database_url) as session:
        lock_member(session, member_id)
        ride = session.scalars(select(Ride).where(Ride.code == code, Ride.member_id == member_id)).first()
        if ride is None:
            return "not_found"
        if ride.status not in OPEN_STATUSES:
            return "already"
        if not R.can_change(ride.pickup_local, now_local):
            return "too_late"
        ride.status = "cancelled"
        return "cancelled"


def change(database_url: str, member_id: int, code: str, now_local: dt.datetime, appointment: dt.datetime | None = None,
           pickup_address: str | None = None, destination_address: str | None = None) -> tuple[str, R.Refusal | None]:
    """Move a ride to a new time or address, under the same rules as a new booking."""
    r = R.rules()
    with session_scope(database_url) as session:
        lock_member(session, member_id)
        ride = session.scalars(select(Ride).where(Ride.code == code, Ride.member_id == member_id)).first()
        if ride is None or ride.status not in OPEN_STATUSES:
            return "not_found", None
        if not R.can_change(ride.pickup_local, now_local, r):
            return "too_late", None
        if appointment:
            refusal = R.check_time(appointment, now_local, ride.mobility, ride.discharge, r)
            if refusal:
                return "refused", refusal
            others = [x.pickup_local for x in open_rides(session, member_id, now_local) if x.id != ride.id]
            clash = R.overlapping(R.pickup_time(appointment, r), others, r)
            if clash:
                return "refused", R.Refusal("overlap", {"pickup": clash})
            if ride.return_local:
                ride.return_local = dt.datetime.combine(appointment.date(), ride.return_local.time())
            ride.appointment_local, ride.pickup_local = appointment, R.pickup_time(appointment, r)
        if pickup_address:
            ride.pickup_address = pickup_address
        if destination_address:
            ride.destination_address = destination_address
        if ride.status in ("confirmed", "driver_assigned"):
            ride.status = "scheduled"
        return "changed", None


def confirm(database_url: str, code: str) -> bool:
    with session_scope(database_url) as session:
        ride = session.scalars(select(Ride).where(Ride.code == code)).first()
        if ride is None or ride.status not in OPEN_STATUSES:
            return False
        ride.member_confirmed_at = dt.datetime.utcnow()
        if ride.status == "scheduled":
            ride.status = "confirmed"
        return True


def dispatch_update(database_url: str, code: str, status: str, eta_minutes: int | None = None) -> dict | None:
    """A status from the dispatch system; "en_route" and "arrived" text the member (same-day updates)."""
    with session_scope(database_url) as session:
        ride = session.scalars(select(Ride).where(Ride.code == code)).first()
        if ride is None:
            return None
        ride.status = status
        if eta_minutes is not None:
            ride.driver_eta_minutes = eta_minutes
        member = session.get(Member, ride.member_id)
        if status in ("en_route", "arrived") and member and member.phone:
            key = "ride_sms_en_route" if status == "en_route" else "ride_sms_arrived"
            body = catalog.text(key, ride.language, "sms", code=ride.code, minutes=str(eta_minutes or 15), **_numbers())
            enqueue(session, key=f"ride_{status}:{ride.code}:{ride.pickup_local:%Y%m%d%H%M}", purpose="ride_update", to_phone=member.phone,
                    language=ride.language, body=body, member_id=member.id, same_day_update=True, subject=f"ride:{ride.code}")
        session.flush()
        return ride_json(ride)


def ride_json(ride: Ride) -> dict:
    return {
        "code": ride.code, "member_id": ride.member_id, "status": ride.status, "booked_by": ride.booked_by, "channel": ride.channel,
        "language": ride.language, "appointment": ride.appointment_local.isoformat(), "pickup": ride.pickup_local.isoformat(),
        "pickup_address": ride.pickup_address, "destination_kind": ride.destination_kind, "destination_address": ride.destination_address,
        "mobility": ride.mobility, "companion": ride.companion, "car_seat": ride.car_seat, "return_mode": ride.return_mode,
        "return": ride.return_local.isoformat() if ride.return_local else None, "will_call_ready_at": ride.return_ready_at.isoformat() if ride.return_ready_at else None,
        "notes": ride.notes, "notes_english": ride.notes_english, "notes_english_is_machine_translation": ride.notes_english is not None,
        "driver_eta_minutes": ride.driver_eta_minutes, "member_confirmed": ride.member_confirmed_at is not None,
        "standing_order_id": ride.standing_order_id, "timezone": str(R.rules().timezone),
    }


def schedule_ride_reminders(settings, now_utc: dt.datetime) -> int:
    """The evening before each ride (6 p.m. local), one reminder with C/R/X, at most one per ride."""
    now_local = R.to_local(now_utc)
    tomorrow = now_local.date() + dt.timedelta(days=1)
    start = dt.datetime.combine(tomorrow, dt.time(0))
    added = 0
    with session_scope(settings.database_url) as session:
        rides = session.scalars(select(Ride).where(Ride.status.in_(("scheduled", "confirmed", "pending_pcs", "driver_assigned")),
                                                   Ride.pickup_local >= start, Ride.pickup_local < start + dt.timedelta(days=1))).all()
        for ride in rides:
            member = session.get(Member, ride.member_id)
            if not member or not member.phone:
                continue
            body = catalog.text("ride_reminder_sms", ride.language, "sms", code=ride.code, day=format_day(ride.pickup_local.date(), ride.language),
                                time=format_time(ride.pickup_local.time(), ride.language), **_numbers())
            evening = dt.datetime.combine(now_local.date(), dt.time(18, 0))
            if enqueue(session, key=f"ride_reminder:{ride.id}", purpose="ride_reminder", to_phone=member.phone, language=ride.language,
                       body=body, member_id=member.id, not_before=R.to_utc(evening), subject=f"ride:{ride.code}"):
                added += 1
    return added


# Our texts a one-word reply can answer (C / R / X, READY aside), and for how long.
ANSWERABLE = ("ride_reminder", "class_confirmation", "class_reminder", "class_promoted")


def _latest_text(database_url: str, phone: str, now_utc: dt.datetime, purposes: tuple[str, ...], hours: int):
    """The latest of our texts of these purposes delivered to this number within `hours`, if any."""
    from careline.models import Outbox

    with session_scope(database_url) as session:
        row = session.scalars(select(Outbox).where(Outbox.to_phone == phone, Outbox.purpose.in_(purposes), Outbox.subject.is_not(None),
                                                   Outbox.status.in_(("sent", "delivered")), Outbox.sent_at >= now_utc - dt.timedelta(hours=hours))
                              .order_by(Outbox.id.desc()).limit(1)).first()
        return (row.subject, row.language) if row else None


def replied_subject(database_url: str, phone: str, now_utc: dt.datetime, purposes: tuple[str, ...], hours: int = 36) -> str | None:
    """What the latest text of these purposes sent to this number (within `hours`) was about."""
    latest = _latest_text(database_url, phone, now_utc, purposes, hours)
    return latest[0] if latest else None


def answerable_text_language(database_url: str, phone: str, now_utc: dt.datetime) -> str | None:
    """The language of the latest reminder or class text to this number (14 days) that a one-word
    reply can answer: the member answers in the words of the text they got."""
    latest = _latest_text(database_url, phone, now_utc, ANSWERABLE, hours=24 * 14)
    return latest[1] if latest else None


def reminded_ride(database_url: str, phone: str, now_utc: dt.datetime) -> Ride | None:
    """The open ride this number got a reminder for in the last 36 hours, if any."""
    subject = replied_subject(database_url, phone, now_utc, ("ride_reminder",))
    if not subject:
        return None
    with session_scope(database_url) as session:
        ride = session.scalars(select(Ride).where(Ride.code == subject.split(":", 1)[1])).first()
        if ride and ride.status in OPEN_STATUSES:
            session.expunge(ride)
            return ride
    return None


def will_call_ready(database_url: str, member_id: int, now_local: dt.datetime) -> str | None:
    """READY from a member with a will-call ride home today: mark it for dispatch; the ride's code."""
    with session_scope(database_url) as session:
        ride = session.scalars(select(Ride).where(Ride.member_id == member_id, Ride.return_mode == "will_call", Ride.status.in_(OPEN_STATUSES + ("completed",)),
                                                  Ride.pickup_local >= dt.datetime.combine(now_local.date(), dt.time(0)),
                                                  Ride.pickup_local < now_local, Ride.return_ready_at.is_(None))
                               .order_by(Ride.pickup_local.desc()).limit(1)).first()
        if ride is None:
            return None
        ride.return_ready_at = dt.datetime.utcnow()
        return ride.code


@functools.lru_cache(maxsize=4)
def _translator(database_url: str):
    from careline.translation import MachineTranslator

    return MachineTranslator(database_url)  # one per worker, so its circuit breaker remembers failures


def translate_ride_notes(settings, now_utc: dt.datetime, translator=None) -> int:
    """Notes for the driver in another language get an English machine translation, off the member's
    turn (the worker runs this each pass); when the service cannot be reached, the next pass tries again."""
    translator = translator or _translator(settings.database_url)
    with session_scope(settings.database_url) as session:
        pending = session.execute(select(Ride.id, Ride.notes, Ride.language).where(
            Ride.notes.is_not(None), Ride.notes_english.is_(None), Ride.language != "en").limit(20)).all()
    done = 0
    for ride_id, notes, language in pending:
        translation = translator.translate(notes, "en", language)
        if translation is None:
            break
        with session_scope(settings.database_url) as session:
            session.get(Ride, ride_id).notes_english = translation.text
        done += 1
    return done
