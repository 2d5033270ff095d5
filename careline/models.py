"""The data: members, benefits, class sessions, consent, conversation state, and the audit trail."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import declarative_base

Base = declarative_base()


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)


class Member(Base):
    __tablename__ = "members"
    id = Column(Integer, primary_key=True)
    member_number = Column(String(12), nullable=False, unique=True)
    first_name = Column(String(80), nullable=False)
    last_name = Column(String(80), nullable=False)
    dob = Column(Date, nullable=False)
    phone = Column(String(20), unique=True)
    # HMAC of the phone number: how the webhook, Rasa and the logs refer to a caller.
    phone_hash = Column(String(64), index=True)
    language = Column(String(5), nullable=False, default="en")
    address = Column(String(200))
    zip_code = Column(String(10))
    pcp_name = Column(String(120))
    pcp_phone = Column(String(20))
    # What the ride broker needs: the usual vehicle and the Physician Certification Statement's expiry.
    mobility = Column(String(12), nullable=False, default="ambulatory")
    pcs_expires = Column(Date)
    # Bumped by every booking and registration: the write that serialises one member's bookings.
    booking_lock = Column(Integer, nullable=False, default=0)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Benefit(Base):
    __tablename__ = "benefits"
    code = Column(String(40), primary_key=True)
    sort_order = Column(Integer, nullable=False, default=0)
    active = Column(Boolean, nullable=False, default=True)


class BenefitText(Base):
    """What a benefit covers, in one language. Operators edit these rows; the assistant reads them."""

    __tablename__ = "benefit_texts"
    __table_args__ = (UniqueConstraint("benefit_code", "language"),)
    id = Column(Integer, primary_key=True)
    benefit_code = Column(String(40), ForeignKey("benefits.code"), nullable=False)
    language = Column(String(5), nullable=False)
    name = Column(String(120), nullable=False)
    covered = Column(Text, nullable=False)
    limits = Column(Text, nullable=False)
    how_to_use = Column(Text, nullable=False)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Consent(Base):
    """Every STOP / START / HELP, in order; the latest row per phone is the member's current choice."""

    __tablename__ = "consent"
    id = Column(Integer, primary_key=True)
    phone_hash = Column(String(64), nullable=False, index=True)
    status = Column(String(12), nullable=False)
    keyword = Column(String(40), nullable=False)
    channel = Column(String(10), nullable=False, default="sms")
    recorded_at = Column(DateTime, nullable=False, default=utcnow)


class WebhookTurn(Base):
    """One row per Twilio delivery key: a repeated delivery gets the stored reply, with no new effect."""

    __tablename__ = "webhook_turns"
    key = Column(String(120), primary_key=True)
    response = Column(Text)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Conversation(Base):
    __tablename__ = "conversations"
    key = Column(String(80), primary_key=True)
    channel = Column(String(10), nullable=False)
    language = Column(String(5))
    language_source = Column(String(12))
    last_prompt = Column(Text)
    keypad_menu = Column(Text)
    expects_digits = Column(Boolean, nullable=False, default=False)
    # Categories the emergency screen found in this conversation (for the nurse's handoff).
    safety_hits = Column(String(40))
    no_input_count = Column(Integer, nullable=False, default=0)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class SafetyEvent(Base):
    __tablename__ = "safety_events"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    language = Column(String(5), nullable=False)
    category = Column(String(12), nullable=False)
    channel = Column(String(10), nullable=False)


class AuditEntry(Base):
    """Who saw which member's data, and why (HIPAA audit controls)."""

    __tablename__ = "audit_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    actor = Column(String(80), nullable=False)
    member_id = Column(Integer, ForeignKey("members.id"))
    action = Column(String(40), nullable=False)
    detail = Column(String(200))


class TranslationCache(Base):
    __tablename__ = "translation_cache"
    __table_args__ = (UniqueConstraint("source", "target", "text_hash"),)
    id = Column(Integer, primary_key=True)
    source = Column(String(8), nullable=False)
    target = Column(String(8), nullable=False)
    text_hash = Column(String(64), nullable=False)
    translated = Column(Text, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Handoff(Base):
    """A member handed to a nurse: a warm transfer on a call, or a callback request.

    Holds what the nurse needs before speaking (language, identity, reason, red flags) and the
    callback number: operational data for the nurse line, never written to logs.
    """

    __tablename__ = "handoffs"
    id = Column(Integer, primary_key=True)
    kind = Column(String(16), nullable=False)  # warm_transfer or callback
    status = Column(String(16), nullable=False)  # ringing, accepted, missed, callback_queued, declined, completed
    channel = Column(String(10), nullable=False)
    language = Column(String(5), nullable=False)
    member_id = Column(Integer, ForeignKey("members.id"))
    verified = Column(Boolean, nullable=False, default=False)
    callback_number = Column(String(20))
    call_sid = Column(String(64))
    conference = Column(String(80))
    reason = Column(Text)
    reason_english = Column(Text)
    reason_machine_translated = Column(Boolean, nullable=False, default=False)
    red_flags = Column(String(40), nullable=False, default="none")
    # The conversation so far, as the nurse reads it: JSON list of [speaker, text] (assistant lines in English).
    conversation = Column(Text)
    nurse_id = Column(Integer)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class OutboundRecord(Base):
    """What the local transport would have sent through Twilio's REST API (no credentials set)."""

    __tablename__ = "outbound_log"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    kind = Column(String(12), nullable=False)  # call, sms, redirect
    to = Column(String(64), nullable=False)
    detail = Column(Text)


class Nurse(Base):
    """Staff who may sign in to the console: nurses (the queue) and operators (the queue and the
    operations page)."""

    __tablename__ = "nurses"
    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(256), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
    role = Column(String(16), nullable=False, default="nurse", server_default="nurse")  # nurse or operator


class Caregiver(Base):
    """Someone (relative, caregiver) allowed to book rides for a member, known by their phone."""

    __tablename__ = "caregivers"
    id = Column(Integer, primary_key=True)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False)
    phone_hash = Column(String(64), nullable=False, index=True)
    name = Column(String(120), nullable=False)


class StandingOrder(Base):
    """Recurring rides (dialysis three times a week) with an end date; each ride is a row in rides."""

    __tablename__ = "standing_orders"
    id = Column(Integer, primary_key=True)
    code = Column(String(8), nullable=False, unique=True)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False)
    weekdays = Column(String(20), nullable=False)  # "0,2,4" (Monday = 0)
    first_day = Column(Date, nullable=False)
    until = Column(Date, nullable=False)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class Ride(Base):
    """One non-emergency ride. Times are Los Angeles local time, as the member and the broker say them."""

    __tablename__ = "rides"
    __table_args__ = (UniqueConstraint("member_id", "pickup_local", name="uq_rides_member_pickup"),)
    id = Column(Integer, primary_key=True)
    code = Column(String(8), nullable=False, unique=True)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False, index=True)
    booked_by = Column(String(12), nullable=False, default="member")  # member, caregiver, operator
    channel = Column(String(10), nullable=False)
    language = Column(String(5), nullable=False)
    appointment_local = Column(DateTime, nullable=False)
    pickup_local = Column(DateTime, nullable=False)
    pickup_address = Column(String(200), nullable=False)
    destination_kind = Column(String(24), nullable=False)
    destination_address = Column(String(200), nullable=False)
    mobility = Column(String(12), nullable=False)
    companion = Column(Boolean, nullable=False, default=False)
    car_seat = Column(Boolean, nullable=False, default=False)
    return_mode = Column(String(12), nullable=False)  # time, will_call, none
    return_local = Column(DateTime)
    notes = Column(Text)
    notes_english = Column(Text)  # machine translation of notes for the driver, when available
    discharge = Column(Boolean, nullable=False, default=False)
    # scheduled, pending_pcs, confirmed, driver_assigned, en_route, arrived, completed, cancelled, no_show
    status = Column(String(16), nullable=False, default="scheduled")
    member_confirmed_at = Column(DateTime)
    driver_eta_minutes = Column(Integer)
    return_ready_at = Column(DateTime)  # will-call: when the member texted READY
    standing_order_id = Column(Integer, ForeignKey("standing_orders.id"))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class Outbox(Base):
    """An SMS to send, written in the same transaction as what it announces; the worker sends it.

    `dedupe_key` makes each message exist once (one confirmation per booking, one reminder per ride).
    """

    __tablename__ = "outbox"
    id = Column(Integer, primary_key=True)
    dedupe_key = Column(String(80), nullable=False, unique=True)
    purpose = Column(String(24), nullable=False)  # ride_confirmation, ride_reminder, ride_update, class_*
    subject = Column(String(40), index=True)  # what a reply to it acts on: "ride:<code>", "registration:<id>"
    member_id = Column(Integer, ForeignKey("members.id"))
    to_phone = Column(String(20), nullable=False)
    language = Column(String(5), nullable=False)
    body = Column(Text, nullable=False)
    not_before = Column(DateTime, nullable=False, default=utcnow)  # UTC
    same_day_update = Column(Boolean, nullable=False, default=False)  # may go out in quiet hours
    # pending, sending, sent, delivered, undelivered, failed (flagged for staff), suppressed (opted out)
    status = Column(String(12), nullable=False, default="pending", index=True)
    attempts = Column(Integer, nullable=False, default=0)
    next_attempt_at = Column(DateTime, nullable=False, default=utcnow)  # UTC
    lease_until = Column(DateTime)
    provider_sid = Column(String(64), index=True)
    last_error = Column(String(200))
    created_at = Column(DateTime, nullable=False, default=utcnow)
    sent_at = Column(DateTime)
    delivered_at = Column(DateTime)


class Center(Base):
    """A community resource center where in-person classes meet."""

    __tablename__ = "centers"
    id = Column(Integer, primary_key=True)
    name = Column(String(120), nullable=False)
    address = Column(String(200), nullable=False)
    zip_code = Column(String(10), nullable=False)
    latitude = Column(Float, nullable=False)
    longitude = Column(Float, nullable=False)


class HealthClass(Base):
    """A class members register for: one session or a series, in one language, one format."""

    __tablename__ = "classes"
    id = Column(Integer, primary_key=True)
    topic = Column(String(24), nullable=False, index=True)
    language = Column(String(5), nullable=False)  # the language it is taught in
    format = Column(String(12), nullable=False)  # in_person, phone, video
    center_id = Column(Integer, ForeignKey("centers.id"))
    call_in = Column(String(200))  # phone number or video link details for remote classes
    capacity = Column(Integer, nullable=False)
    seats_taken = Column(Integer, nullable=False, default=0)
    accessibility = Column(String(200))
    active = Column(Boolean, nullable=False, default=True)
    created_at = Column(DateTime, nullable=False, default=utcnow)


class ClassText(Base):
    __tablename__ = "class_texts"
    __table_args__ = (UniqueConstraint("class_id", "language"),)
    id = Column(Integer, primary_key=True)
    class_id = Column(Integer, ForeignKey("classes.id"), nullable=False)
    language = Column(String(5), nullable=False)
    title = Column(String(160), nullable=False)
    description = Column(Text, nullable=False)


class ClassMeeting(Base):
    """One meeting of a class (a single session has one, a series several). Local time."""

    __tablename__ = "class_meetings"
    id = Column(Integer, primary_key=True)
    class_id = Column(Integer, ForeignKey("classes.id"), nullable=False, index=True)
    starts_local = Column(DateTime, nullable=False)
    minutes = Column(Integer, nullable=False, default=60)


class ClassRegistration(Base):
    __tablename__ = "class_registrations"
    __table_args__ = (UniqueConstraint("class_id", "member_id", name="uq_registration_class_member"),)
    id = Column(Integer, primary_key=True)
    class_id = Column(Integer, ForeignKey("classes.id"), nullable=False, index=True)
    member_id = Column(Integer, ForeignKey("members.id"), nullable=False)
    status = Column(String(12), nullable=False)  # registered, waitlisted, cancelled
    language = Column(String(5), nullable=False)  # the member's language, for messages
    waiting_since = Column(DateTime)
    created_at = Column(DateTime, nullable=False, default=utcnow)
    updated_at = Column(DateTime, nullable=False, default=utcnow, onupdate=utcnow)


class ClassDemand(Base):
    """A member asked for a class we do not offer (a topic, or a language no class is taught in)."""

    __tablename__ = "class_demand"
    id = Column(Integer, primary_key=True)
    at = Column(DateTime, nullable=False, default=utcnow)
    topic = Column(String(24))
    language = Column(String(5), nullable=False)
    reason = Column(String(24), nullable=False)  # language, topic
