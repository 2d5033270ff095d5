"""Replies to texts the assistant sent: C / R / X after a ride reminder, READY for a will-call ride home,
and yes-words that answer the conversation instead of opting back in."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careline.db import session_scope
from careline.models import Member, Outbox, Ride
from careline.rides.rules import local_now

ADA = "+12135550101"


def add_ride(database, pickup: dt.datetime, return_mode: str = "none", reminder_sent: bool = False) -> str:
    with session_scope(database.database_url) as session:
        member = session.scalars(select(Member).where(Member.phone == ADA)).one()
        ride = Ride(code="RTEST2", member_id=member.id, channel="sms", language="en", appointment_local=pickup + dt.timedelta(hours=1),
                    pickup_local=pickup, pickup_address=member.address, destination_kind="medical", destination_address="77 Oak Ave",
                    mobility="ambulatory", return_mode=return_mode)
        session.add(ride)
        session.flush()
        if reminder_sent:
            session.add(Outbox(dedupe_key=f"ride_reminder:{ride.id}", purpose="ride_reminder", subject="ride:RTEST2", to_phone=ADA, language="en",
                               body="reminder", status="sent", sent_at=dt.datetime.utcnow()))
        return ride.code


def ride(database) -> Ride:
    with session_scope(database.database_url) as session:
        found = session.scalars(select(Ride).where(Ride.code == "RTEST2")).one()
        session.expunge(found)
        return found


def test_c_confirms_and_x_cancels_the_reminded_ride(text, rasa, database):
    add_ride(database, local_now() + dt.timedelta(days=1), reminder_sent=True)
    assert "RTEST2 is confirmed" in text("C", phone=ADA)
    assert ride(database).status == "confirmed" and ride(database).member_confirmed_at is not None
    assert "RTEST2 is cancelled" in text("x", phone=ADA)
    assert ride(database).status == "cancelled" and rasa.sent == []  # answered without the NLU


def test_r_starts_the_change_in_the_conversation(text, rasa, database):
    add_ride(database, local_now() + dt.timedelta(days=1), reminder_sent=True)
    text("R", phone=ADA)
    assert rasa.sent[-1][1] == "/ride_change"


def test_c_without_a_reminder_is_an_ordinary_message(text, rasa, database):
    add_ride(database, local_now() + dt.timedelta(days=1))
    text("C", phone=ADA)
    assert rasa.sent[-1][1] == "C" and ride(database).status == "scheduled"


def test_ready_calls_the_will_call_ride_home(text, rasa, database):
    add_ride(database, local_now() - dt.timedelta(hours=2), return_mode="will_call")
    assert "ride home" in text("READY", phone=ADA)
    assert ride(database).return_ready_at is not None


def test_yes_words_answer_the_conversation_unless_the_member_opted_out(text, rasa, database):
    text("sí", phone="+12135550102")
    assert rasa.sent[-1][1] == "sí"
    text("STOP", phone="+12135550102")
    assert "otra vez" in text("sí", phone="+12135550102")  # after STOP, "sí" opts back in
