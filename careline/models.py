"""The data: members, benefits, class sessions, consent, conversation state, and the audit trail."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
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


class ClassSession(Base):
    __tablename__ = "class_sessions"
    id = Column(Integer, primary_key=True)
    topic = Column(String(40), nullable=False)
    title = Column(String(160), nullable=False)
    language = Column(String(5), nullable=False)
    format = Column(String(20), nullable=False)
    location = Column(String(200))
    starts_at = Column(DateTime, nullable=False)
    capacity = Column(Integer, nullable=False)


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
    """A nurse who may sign in to the console."""

    __tablename__ = "nurses"
    id = Column(Integer, primary_key=True)
    username = Column(String(80), nullable=False, unique=True)
    display_name = Column(String(120), nullable=False)
    password_hash = Column(String(256), nullable=False)
    active = Column(Boolean, nullable=False, default=True)
