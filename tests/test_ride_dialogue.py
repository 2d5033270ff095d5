"""The ride dialogue on a real database (no Rasa): turns to a booking, refusals, one booking from two
devices, standing orders, pending PCS, change and cancel."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select

from careline.db import migrate, session_scope
from careline.models import Member, Outbox, Ride
from careline.rides import dialogue, service
from careline.seed import seed

NOW = dt.datetime(2026, 11, 27, 15, 0)  # Friday afternoon in Los Angeles
ADA, BENITO, BEN = "900000001", "900000002", "900000012"  # wheelchair with PCS / ambulatory / wheelchair without PCS


@pytest.fixture
def db(settings):
    migrate(settings.database_url)
    seed(settings)
    return settings


def member_id(db, number: str) -> int:
    with session_scope(db.database_url) as session:
        return session.scalars(select(Member.id).where(Member.member_number == number)).one()


def context(db, number: str, language: str = "en", channel: str = "sms") -> dialogue.Context:
    mid = member_id(db, number)
    with session_scope(db.database_url) as session:
        member = session.get(Member, mid)
        rides = [dialogue.RideView(r.code, r.pickup_local, r.appointment_local, r.destination_kind, r.status) for r in service.open_rides(session, mid, NOW)]
        return dialogue.Context(db.database_url, language, channel, NOW, mid, member.address, member.mobility, {}, rides)


def converse(db, number: str, messages: list[str], language: str = "en", task: str = "book") -> tuple[list[list[dict]], dialogue.Turn]:
    """Run a conversation; return what was said after each member message, and the last turn."""
    state = dialogue.start(task, messages[0], language, NOW.date())
    said = [dialogue.ask(state, context(db, number, language))]
    turn = dialogue.Turn([], state)
    if task != "book":
        turn = dialogue.opening(state, context(db, number, language))
        said = [turn.messages + ([] if turn.done else dialogue.ask(turn.state, context(db, number, language)))]
        state = turn.state
    for text in messages[1:]:
        turn = dialogue.step(state, text, context(db, number, language))
        state = turn.state
        said.append(turn.messages + ([] if turn.done else dialogue.ask(state, context(db, number, language))))
        if turn.done:
            break
    return said, turn


def keys(messages: list[dict]) -> list[str]:
    return [m["key"] for m in messages]


def rides(db, number: str) -> list[Ride]:
    with session_scope(db.database_url) as session:
        found = session.scalars(select(Ride).where(Ride.member_id == member_id(db, number)).order_by(Ride.pickup_local)).all()
        session.expunge_all()
        return found


def test_all_in_one_message_books_in_two_turns(db):
    said, turn = converse(db, ADA, ["I need a wheelchair van to dialysis at 1234 Main St next Tuesday at 10am, I'll text when ready", "yes"])
    assert keys(said[0]) == ["ride_summary", "ride_ask_confirm"]
    assert turn.done and keys(said[1])[0] == "ride_booked"
    [ride] = rides(db, ADA)
    assert (ride.mobility, ride.destination_kind, ride.destination_address, ride.return_mode, ride.status) == ("wheelchair", "dialysis", "1234 Main St", "will_call", "scheduled")
    assert ride.appointment_local == dt.datetime(2026, 12, 1, 10) and ride.pickup_local == dt.datetime(2026, 12, 1, 9)
    with session_scope(db.database_url) as session:
        [sms] = session.scalars(select(Outbox)).all()
        assert sms.purpose == "ride_confirmation" and ride.code in sms.body and "dialysis" not in sms.body.lower()


def test_one_answer_at_a_time_books_in_five_turns(db):
    said, turn = converse(db, BENITO, ["I need a ride", "Tuesday at 10am", "455 W 6th St", "no", "yes"])
    assert [keys(s)[-1] for s in said] == ["ride_ask_when", "ride_ask_destination", "ride_ask_return", "ride_ask_confirm", "ride_booked"]
    assert turn.done and len(rides(db, BENITO)) == 1


def test_spanish_and_chinese_bookings(db):
    _, turn = converse(db, BENITO, ["necesito un raite", "el martes a las 10 de la mañana", "1234 Main St", "no", "sí"], language="es")
    assert turn.done and rides(db, BENITO)[0].appointment_local == dt.datetime(2026, 12, 1, 10)
    _, turn = converse(db, ADA, ["我要预约车", "下周三上午十点半", "1234 Main St", "不用", "是"], language="zh")
    assert turn.done and rides(db, ADA)[0].appointment_local == dt.datetime(2026, 12, 2, 10, 30)


def test_refusals_say_why_and_keep_the_rest(db):
    said, _ = converse(db, BENITO, ["I need a ride to the clinic at 77 Oak Ave", "Monday at 10am", "February 30 at 10", "Tuesday at 3am", "Tuesday at 11am"])
    assert "ride_refused_notice" in keys(said[1])  # Monday is one business day away
    notice = next(m for m in said[1] if m["key"] == "ride_refused_notice")
    assert notice["params"]["earliest"] == "Tue, Dec 1"
    assert "ride_bad_date_impossible" in keys(said[2])
    assert "ride_refused_hours" in keys(said[3])
    assert keys(said[4])[-1] == "ride_ask_return"  # the address given first was kept all along
    said, _ = converse(db, BENITO, ["take me to the mall at 1234 Main St on Tuesday at 10"])
    assert keys(said[0]) == ["ride_ask_destination"]


def test_three_unreadable_answers_hand_over_with_nothing_booked(db):
    said, turn = converse(db, BENITO, ["I need a ride", "blue", "banana", "purple"])
    assert turn.done and turn.messages[0]["key"] == "ride_give_up" and turn.messages[0]["transfer"] == "member_services"
    assert rides(db, BENITO) == []


def test_wheelchair_without_pcs_is_booked_as_pending(db):
    said, _ = converse(db, BEN, ["wheelchair ride to the clinic at 77 Oak Ave on Tuesday at 10am, no ride home", "yes"])
    assert keys(said[1]) == ["ride_booked", "ride_pending_pcs"] and rides(db, BEN)[0].status == "pending_pcs"


def test_two_devices_booking_the_same_ride_give_one_booking(db):
    def book(_):
        return converse(db, BENITO, ["ride to the clinic at 77 Oak Ave on Tuesday at 10am, no ride home", "yes"])[1].messages[0]["key"]

    with ThreadPoolExecutor(max_workers=2) as pool:
        outcomes = sorted(pool.map(book, range(2)))
    assert outcomes == ["ride_booked", "ride_refused_duplicate"] and len(rides(db, BENITO)) == 1


def test_overlapping_ride_is_refused(db):
    converse(db, BENITO, ["ride to the clinic at 77 Oak Ave on Tuesday at 10am, no ride home", "yes"])
    said, _ = converse(db, BENITO, ["ride to the lab at 5 Elm St on Tuesday at 11am, no ride home", "yes"])
    assert keys(said[1]) == ["ride_refused_overlap", "ride_ask_date"]  # the time stays; another day is asked for


def test_standing_order_for_dialysis(db):
    said, turn = converse(db, BENITO, ["dialysis at 1234 Main St every monday wednesday friday at 6am", "December 11", "no", "yes"])
    assert keys(said[0])[-1] == "ride_ask_until" and turn.messages[0]["key"] == "ride_booked_standing"
    assert [r.pickup_local.date() for r in rides(db, BENITO)] == [dt.date(2026, 12, d) for d in (2, 4, 7, 9, 11)]


def test_change_and_cancel(db):
    converse(db, BENITO, ["ride to the clinic at 77 Oak Ave on Tuesday at 10am, no ride home", "yes"])
    said, turn = converse(db, BENITO, ["I need to change my ride", "Wednesday at 1pm"], task="change")
    assert keys(said[0]) == ["ride_ask_new_time"] and turn.messages[0]["key"] == "ride_changed"
    assert rides(db, BENITO)[0].appointment_local == dt.datetime(2026, 12, 2, 13)
    said, turn = converse(db, BENITO, ["I need to change my ride", "pick me up at 88 Pine St instead", "1"], task="change")
    assert keys(said[1]) == ["ride_ask_which_address"] and turn.messages[0]["key"] == "ride_changed"
    assert rides(db, BENITO)[0].pickup_address == "88 Pine St" and rides(db, BENITO)[0].destination_address == "77 Oak Ave"
    said, turn = converse(db, BENITO, ["cancel my ride", "yes"], task="cancel")
    assert keys(said[0]) == ["ride_ask_cancel"] and turn.messages[0]["key"] == "ride_cancelled"
    assert rides(db, BENITO)[0].status == "cancelled"
    said, turn = converse(db, BENITO, ["cancel my ride"], task="cancel")
    assert keys(said[0]) == ["ride_none_upcoming"]


class FakeTranslator:
    def __init__(self, available: bool):
        self.available, self.calls = available, []

    def translate(self, text, target, source="auto"):
        from careline.translation import Translation

        self.calls.append((text, target, source))
        return Translation(f"[en] {text}", source, target) if self.available else None


def test_a_note_for_the_driver_is_kept_and_translated_off_the_turn(db):
    said, turn = converse(db, BENITO, ["necesito un raite a la clínica 77 Oak Ave el martes a las 10, sin regreso, nota para el chofer: toque el timbre dos veces", "sí"], language="es")
    summary = said[0][0]
    assert ["ride_extra_notes", {"notes": "toque el timbre dos veces"}] in summary["subkeys"]["extras"]
    assert turn.done and rides(db, BENITO)[0].notes == "toque el timbre dos veces"
    assert service.translate_ride_notes(db, dt.datetime.utcnow(), FakeTranslator(available=False)) == 0
    assert rides(db, BENITO)[0].notes_english is None  # the service is down: tried again on the next pass
    translator = FakeTranslator(available=True)
    assert service.translate_ride_notes(db, dt.datetime.utcnow(), translator) == 1
    assert translator.calls == [("toque el timbre dos veces", "en", "es")]
    assert rides(db, BENITO)[0].notes_english == "[en] toque el timbre dos veces"
    assert service.ride_json(rides(db, BENITO)[0])["notes_english_is_machine_translation"] is True
