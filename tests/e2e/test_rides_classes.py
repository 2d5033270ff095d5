"""Rides and classes end to end: signed webhook, real Rasa and action server, the database, the outbox worker."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from careline.classes.service import schedule_class_reminders
from careline.db import session_scope
from careline.gateway import LocalTransport
from careline.models import ClassMeeting, ClassRegistration, ClassText, HealthClass, Member, Outbox, Ride
from careline.outbox import Worker
from careline.rides import rules as R
from careline.rides.service import schedule_ride_reminders
from tests.e2e.test_conversations import Caller, Texter, spoken

pytestmark = pytest.mark.e2e


def ride_day(weeks: int = 1) -> dt.date:
    """A business day safely past the notice period, so the tests do not depend on today's date."""
    day = R.earliest_day(R.local_now(), "gurney") + dt.timedelta(days=7 * weeks)
    while not R.is_business_day(day):
        day += dt.timedelta(days=1)
    return day


def rides_of(settings, phone: str) -> list[Ride]:
    with session_scope(settings.database_url) as session:
        member = session.scalars(select(Member).where(Member.phone == phone)).one()
        found = session.scalars(select(Ride).where(Ride.member_id == member.id).order_by(Ride.id)).all()
        session.expunge_all()
        return found


def begin(member: Texter, text: str, dob: str, asks_dob: str = "date of birth") -> str:
    """The first message; a member not yet identified in this conversation gives their date of birth."""
    reply = member(text)
    return member(dob) if asks_dob in reply else reply


def test_sms_english_booking_all_in_one_message(live_client, e2e_settings):
    member = Texter(live_client, "+12135550101")
    day = ride_day()
    turns = [f"I need a wheelchair van to dialysis at 1234 Main St on {day.month}/{day.day} at 10am, I'll text when ready"]
    summary = begin(member, turns[0], "03/14/1948")
    assert "1234 Main St" in summary and "wheelchair van" in summary and "10:00 AM" in summary and "READY" in summary
    booked = member("yes")
    [ride] = rides_of(e2e_settings, "+12135550101")
    assert ride.code in booked and ride.mobility == "wheelchair" and ride.return_mode == "will_call" and ride.status == "scheduled"
    assert ride.appointment_local == dt.datetime.combine(day, dt.time(10)) and ride.pickup_local == dt.datetime.combine(day, dt.time(9))
    with session_scope(e2e_settings.database_url) as session:
        [confirmation] = session.scalars(select(Outbox).where(Outbox.subject == f"ride:{ride.code}")).all()
        assert confirmation.purpose == "ride_confirmation" and "dialysis" not in confirmation.body.lower()


def test_sms_spanish_booking_one_answer_at_a_time(live_client, e2e_settings):
    member = Texter(live_client, "+12135550102")
    day = ride_day()
    assert "fecha de nacimiento" in member("necesito un raite para mi cita").lower()
    assert "cita" in member("07/02/1951").lower()  # when is the appointment?
    member(f"el {day.day}/{day.month} a las 10 de la mañana")
    member("al dentista 455 W 6th St")
    summary = member("no")  # no ride home
    assert "455 W 6th St" in summary
    booked = member("sí")
    [ride] = rides_of(e2e_settings, "+12135550102")
    assert ride.code in booked and ride.appointment_local == dt.datetime.combine(day, dt.time(10)) and ride.destination_kind == "dental"
    assert ride.return_mode == "none" and ride.language == "es"


def test_sms_chinese_booking(live_client, e2e_settings):
    member = Texter(live_client, "+12135550103")
    day = ride_day()
    assert "出生" in member("我需要预约车去看医生")
    member("12/25/1945")
    member(f"{day.month}月{day.day}日上午十点")
    member("1234 Main St")
    summary = member("不用")
    assert "1234 Main St" in summary
    booked = member("是")
    [ride] = rides_of(e2e_settings, "+12135550103")
    assert ride.code in booked and ride.appointment_local == dt.datetime.combine(day, dt.time(10)) and ride.language == "zh"


def test_refusals_explain_why_and_lose_nothing(live_client, e2e_settings):
    member = Texter(live_client, "+12135550101")
    before = len(rides_of(e2e_settings, "+12135550101"))
    begin(member, "I need a ride", "03/14/1948")
    assert "does not exist" in member("February 30 at 10am")
    day = ride_day()
    assert "between" in member(f"{day.month}/{day.day} at 3am")  # 3 a.m.: outside the hours rides run
    assert "only for medical" in member("take me to the mall at 1234 Main St")
    assert "I stopped" in member("never mind")  # a lone "cancel" is a carrier opt-out keyword, as Twilio treats it
    assert len(rides_of(e2e_settings, "+12135550101")) == before


def test_evening_reminder_and_c_and_x_replies(live_client, e2e_settings):
    member = Texter(live_client, "+12135550105")
    day = ride_day(weeks=2)
    member(f"I need a ride to the clinic at 77 Oak Ave on {day.month}/{day.day} at 11am, no ride home")
    member("05/05/1949")
    member("yes")
    [ride] = rides_of(e2e_settings, "+12135550105")
    evening = R.to_utc(dt.datetime.combine(day - dt.timedelta(days=1), dt.time(18, 5)))
    worker = Worker(e2e_settings, LocalTransport(e2e_settings.database_url, "+12135550000"), schedulers=[schedule_ride_reminders])
    counts = worker.run_once(evening)
    assert counts.get("scheduled", 0) >= 1 and counts.get("sent", 0) >= 1
    assert worker.run_once(evening + dt.timedelta(minutes=10)).get("scheduled", 0) == 0  # at most one reminder per ride
    with session_scope(e2e_settings.database_url) as session:
        reminder = session.scalars(select(Outbox).where(Outbox.dedupe_key == f"ride_reminder:{ride.id}")).one()
        assert reminder.status == "sent" and ride.code in reminder.body and reminder.language == "vi"
    assert ride.code in member("C") and rides_of(e2e_settings, "+12135550105")[0].status == "confirmed"
    assert ride.code in member("X") and rides_of(e2e_settings, "+12135550105")[0].status == "cancelled"


def test_voice_booking_with_the_keypad(live_client, e2e_settings):
    caller = Caller(live_client, "+12135550112")
    caller.post("/voice/incoming")
    assert "date of birth" in spoken(caller.answer(SpeechResult="I need a ride to my doctor"))
    assert "appointment" in spoken(caller.answer(Digits="10011950"))
    day = ride_day()
    assert "time" in spoken(caller.answer(Digits=f"{day.month:02d}{day.day:02d}"))
    assert "address" in spoken(caller.answer(Digits="1000"))
    assert "ride home" in spoken(caller.answer(SpeechResult="1234 Main Street"))
    summary = spoken(caller.answer(Digits="2"))
    assert "1234 Main Street" in summary and "press 1" in summary
    booked = spoken(caller.answer(Digits="1"))
    [ride] = rides_of(e2e_settings, "+12135550112")
    assert " ".join(ride.code) in booked and ride.status == "pending_pcs" and "doctor" in booked  # wheelchair on file, no PCS


def registrations_of(settings, phone: str) -> list[tuple[int, str]]:
    with session_scope(settings.database_url) as session:
        member_id = session.scalars(select(Member.id).where(Member.phone == phone)).one()
        return [(r.class_id, r.status) for r in session.scalars(select(ClassRegistration).where(ClassRegistration.member_id == member_id).order_by(ClassRegistration.id))]


@pytest.mark.parametrize("phone, dob, ask, asks_dob, yes, confirmed", [
    ("+12135550112", "10/01/1950", "sign me up for the diabetes class", "date of birth", "yes", "You are signed up"),
    ("+12135550102", "07/02/1951", "quiero inscribirme en la clase de diabetes", "fecha de nacimiento", "sí", "Cómo controlar su diabetes"),
    ("+12135550103", "12/25/1945", "我想报名参加糖尿病课", "出生", "是", "糖尿病"),
])
def test_class_registration_by_sms(live_client, e2e_settings, phone, dob, ask, asks_dob, yes, confirmed):
    member = Texter(live_client, phone)
    options = begin(member, ask, dob, asks_dob)
    assert "1)" in options and "2)" in options  # three options at most, numbered
    member("1")
    registered = member(yes)
    assert confirmed in registered
    [(class_id, status)] = registrations_of(e2e_settings, phone)
    with session_scope(e2e_settings.database_url) as session:
        assert status == "registered" and session.get(HealthClass, class_id).topic == "diabetes"
        [sms] = session.scalars(select(Outbox).where(Outbox.purpose == "class_confirmation", Outbox.to_phone == phone)).all()
        assert sms.language == session.scalars(select(Member.language).where(Member.phone == phone)).one()


@pytest.mark.parametrize("topic, ask_first, waiting_phone, waiting_dob, asks_dob, ask_waiting, yes, call_in", [
    ("exercise", "sign me up for the zumba class", "+12135550101", "03/14/1948", "date of birth", "sign me up for zumba", "yes", "meet.example.org/zumba-gold"),
    ("stress", "sign me up for the stress and sleep class", "+12135550102", "07/02/1951", "fecha de nacimiento", "clase para el estrés y el sueño", "sí", "meet.example.org/stress-sleep"),
    ("tobacco", "sign me up for the quit smoking class", "+12135550103", "12/25/1945", "出生", "我想报名戒烟课", "是", "1-213-555-0174"),
])
def test_class_waitlist_promotion_and_reminder(live_client, e2e_settings, topic, ask_first, waiting_phone, waiting_dob, asks_dob, ask_waiting, yes, call_in):
    first, waiting = Texter(live_client, "+12135550112"), Texter(live_client, waiting_phone)
    begin(first, ask_first, "10/01/1950")
    first("yes")
    with session_scope(e2e_settings.database_url) as session:
        class_id = session.scalars(select(HealthClass.id).where(HealthClass.topic == topic)).one()
        assert (class_id, "registered") in registrations_of(e2e_settings, "+12135550112")
        item = session.get(HealthClass, class_id)
        item.capacity = item.seats_taken  # the class is now full
    begin(waiting, ask_waiting, waiting_dob, asks_dob)
    waiting(yes)  # full: the waiting list is offered, not yet joined
    assert not [r for r in registrations_of(e2e_settings, waiting_phone) if r[0] == class_id]
    waiting(yes)
    assert (class_id, "waitlisted") in registrations_of(e2e_settings, waiting_phone)
    # The worker sends the first member's confirmation (at noon tomorrow: outside quiet hours), then X frees the seat.
    noon = R.to_utc(dt.datetime.combine(R.local_now().date() + dt.timedelta(days=1), dt.time(12)))
    worker = Worker(e2e_settings, LocalTransport(e2e_settings.database_url, "+12135550000"))
    assert worker.run_once(noon).get("sent", 0) >= 1
    assert "cancelled" in first("X")
    assert (class_id, "registered") in registrations_of(e2e_settings, waiting_phone)
    with session_scope(e2e_settings.database_url) as session:
        language = session.scalars(select(Member.language).where(Member.phone == waiting_phone)).one()
        promoted = session.scalars(select(Outbox).where(Outbox.purpose == "class_promoted", Outbox.to_phone == waiting_phone)).one()
        assert promoted.language == language and "X" in promoted.body
        title = session.scalars(select(ClassText.title).where(ClassText.class_id == class_id, ClassText.language == language)).one()
        assert title not in promoted.body  # a text we send on our own names no topic (minimum necessary)
        first_meeting = session.scalars(select(ClassMeeting.starts_local).where(ClassMeeting.class_id == class_id).order_by(ClassMeeting.starts_local)).first()
    # The day before the first meeting, at noon, the reminder goes out with the call-in details.
    day_before = R.to_utc(dt.datetime.combine(first_meeting.date() - dt.timedelta(days=1), dt.time(12, 5)))
    Worker(e2e_settings, LocalTransport(e2e_settings.database_url, "+12135550000"), schedulers=[schedule_class_reminders]).run_once(day_before)
    with session_scope(e2e_settings.database_url) as session:
        reminder = session.scalars(select(Outbox).where(Outbox.purpose == "class_reminder", Outbox.to_phone == waiting_phone,
                                                        Outbox.subject.like("registration:%"))).all()
        [mine] = [r for r in reminder if call_in in r.body]
        assert mine.status == "sent" and mine.language == language and title not in mine.body


def test_class_offered_once_after_a_related_benefit_question(live_client):
    member = Texter(live_client, "+13105550178")
    first = member("does the plan cover my diabetes supplies?")
    assert "free class" in first and "Diabetes self-management" in first
    assert "member ID" in member("yes")  # the class flow starts, with identification first
    member("never mind")
    assert "free class" not in member("does the plan cover my diabetes supplies?")  # once per conversation


def test_no_class_offer_in_a_conversation_with_an_emergency(live_client):
    member = Texter(live_client, "+13105550179")
    assert "911" in member("I have chest pain and can't breathe")
    assert "free class" not in member("does the plan cover my diabetes supplies?")


def test_topic_question_in_the_middle_of_a_booking_then_back(live_client, e2e_settings):
    member = Texter(live_client, "+12135550108")  # Armenian on file; answers come in Armenian
    before = len(rides_of(e2e_settings, "+12135550108"))
    first = begin(member, "I need a ride", "02/29/1952", "ծննդ")
    day = ride_day()
    switched = member("is dental covered?")
    assert switched.count("\n\n") >= 1 and switched.split("\n\n")[-1] == first.split("\n\n")[-1]  # the answer, then the same question again
    member(f"{day.month}/{day.day} at 10am")
    member("1234 Main St")
    member("no")
    assert len(rides_of(e2e_settings, "+12135550108")) == before  # nothing is booked before YES
    member("yes")
    assert len(rides_of(e2e_settings, "+12135550108")) == before + 1
