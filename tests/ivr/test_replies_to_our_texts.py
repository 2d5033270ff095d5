"""Replies to texts the assistant sent: C / R / X after a ride reminder, READY for a will-call ride home,
and yes-words that answer the conversation instead of opting back in."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careline.db import session_scope
from careline.models import Member, Outbox, Ride
from careline.rides.rules import local_now

ADA = "+12135550101"


def add_ride(database, pickup: dt.datetime, return_mode: str = "none", reminder_sent: bool = False, language: str = "en") -> str:
    with session_scope(database.database_url) as session:
        member = session.scalars(select(Member).where(Member.phone == ADA)).one()
        ride = Ride(code="RTEST2", member_id=member.id, channel="sms", language=language, appointment_local=pickup + dt.timedelta(hours=1),
                    pickup_local=pickup, pickup_address=member.address, destination_kind="medical", destination_address="77 Oak Ave",
                    mobility="ambulatory", return_mode=return_mode)
        session.add(ride)
        session.flush()
        if reminder_sent:
            session.add(Outbox(dedupe_key=f"ride_reminder:{ride.id}", purpose="ride_reminder", subject="ride:RTEST2", to_phone=ADA, language=language,
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


# --- every language's own words ----------------------------------------------------------------
import pytest  # noqa: E402

from careline import catalog  # noqa: E402
from careline.languages import languages, lexicon  # noqa: E402
from careline.rides.extract import phrases  # noqa: E402


def own_word(code: str, name: str) -> str:
    """The first word of a list that is the language's own (not the English ones merged in)."""
    english = set(phrases("en", name))
    return next(w for w in phrases(code, name) if w not in english and len(w) > 1)


@pytest.mark.parametrize("code", list(languages()))
def test_stop_start_and_help_in_each_language(code, text, rasa, database):
    from careline.models import Consent

    entry = lexicon(code)
    phone = "+13105550177"  # not on file: the keyword's language is the answer's
    stop, start, help_ = (sorted(entry.stop_words)[0], sorted(entry.start_words)[0], sorted(entry.help_words)[0])
    numbers = {"member_services": "1-888-555-0100", "nurse_line": "1-800-555-0111"}
    assert text(stop, phone=phone) == catalog.text("opted_out", code, "sms", **numbers)
    assert text(start, phone=phone) == catalog.text("opted_in", code, "sms", **numbers)
    assert text(help_, phone=phone) == catalog.text("help_keyword", code, "sms", **numbers)
    with session_scope(database.database_url) as session:
        assert session.scalars(select(Consent.status).order_by(Consent.id)).all() == ["opted_out", "opted_in", "help"]
    assert rasa.sent == []


@pytest.mark.parametrize("code", [c for c in languages() if c != "en"])
def test_reminder_answers_in_each_language(code, text, rasa, database):
    """Ada's conversations are in English; her ride was booked, and reminded, in another language."""
    add_ride(database, local_now() + dt.timedelta(days=1), reminder_sent=True, language=code)
    confirm, cancel = own_word(code, "reminder_confirm"), own_word(code, "reminder_cancel")
    assert text(confirm, phone=ADA) == catalog.text("ride_reminder_confirmed", code, "sms", code="RTEST2")
    assert ride(database).status == "confirmed"
    text(own_word(code, "reminder_reschedule"), phone=ADA)
    assert [sent[1] for sent in rasa.sent] == ["/ride_change"]  # the conversation takes the change
    assert "RTEST2" in text(cancel, phone=ADA)
    assert ride(database).status == "cancelled" and len(rasa.sent) == 1
