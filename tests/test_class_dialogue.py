"""The class dialogue on the seeded catalog (no Rasa): find, near me, languages, sign up, waitlist, cancel."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import func, select, update

from careline.classes import dialogue
from careline.db import migrate, session_scope
from careline.models import ClassDemand, ClassRegistration, HealthClass, Member
from careline.seed import seed

NOW = dt.datetime.combine(dt.date.today(), dt.time(8, 0))  # the seed places classes relative to today


@pytest.fixture
def db(settings):
    migrate(settings.database_url)
    seed(settings)
    return settings


def ctx(db, number: str, language: str) -> dialogue.ClassContext:
    with session_scope(db.database_url) as session:
        member = session.scalars(select(Member).where(Member.member_number == number)).one()
        return dialogue.ClassContext(db.database_url, language, "sms", NOW, member.id, member.zip_code)


def talk(db, number: str, language: str, messages: list[str], task: str = "find"):
    c = ctx(db, number, language)
    state = dialogue.start(task, messages[0], language, NOW.date())
    turn = dialogue.opening(state, c)
    said = [turn.messages + ([] if turn.done else dialogue.ask(turn.state, c))]
    for text in messages[1:]:
        turn = dialogue.step(turn.state, text, c)
        said.append(turn.messages + ([] if turn.done else dialogue.ask(turn.state, c)))
        if turn.done:
            break
    return said, turn


def keys(messages):
    return [m["key"] for m in messages]


def test_sign_up_in_three_answers_and_never_twice(db):
    said, turn = talk(db, "900000012", "en", ["sign me up for the diabetes class", "1", "yes"])
    assert keys(said[0]) == ["class_options"] and said[0][0]["list"]["items"][0]["name"].startswith("Diabetes self-management")
    assert keys(said[1]) == ["class_confirm"] and keys(said[2]) == ["class_registered"] and turn.done
    said, _ = talk(db, "900000012", "en", ["sign me up for the diabetes class", "1", "yes"])
    assert keys(said[2]) == ["class_already"]


def test_members_language_first_then_others(db):
    said, _ = talk(db, "900000002", "es", ["clase de diabetes"])
    names = [i["name"] for i in said[0][0]["list"]["items"]]
    assert "(" not in names[0] and "East L.A." in names[0]  # taught in Spanish: no language label
    assert all("(" in name for name in names[1:])  # the others say the language they are taught in


def test_near_me_lists_the_nearest_center_first(db):
    said, _ = talk(db, "900000004", "ko", ["heart class near me"])  # Koreatown ZIP 90010: Downtown/Long Beach/Glendale
    names = [i["name"] for i in said[0][0]["list"]["items"]]
    assert "Glendale" in names[0] or "Downtown" in names[0]
    assert "Long Beach" in names[-1]


def test_language_nobody_teaches_is_recorded_and_other_classes_offered(db):
    said, _ = talk(db, "900000010", "km", ["diabetes class in Khmer"])
    assert keys(said[0])[0] == "class_no_language" and "class_options" in keys(said[0])
    with session_scope(db.database_url) as session:
        assert session.scalar(select(func.count(ClassDemand.id)).where(ClassDemand.language == "km", ClassDemand.reason == "language")) == 1


def test_topic_we_do_not_offer_says_what_we_do(db):
    said, _ = talk(db, "900000001", "en", ["I want a class", "knitting"])
    assert keys(said[0]) == ["class_ask_topic"] and keys(said[1]) == ["class_no_topic"]
    assert "diabetes" in said[1][0]["params"]["topics"]


def test_full_class_offers_the_waitlist(db):
    with session_scope(db.database_url) as session:
        session.execute(update(HealthClass).where(HealthClass.topic == "asthma").values(seats_taken=HealthClass.capacity))
    said, turn = talk(db, "900000005", "vi", ["lớp hen suyễn", "có", "có"])
    assert keys(said[0]) == ["class_confirm"] and keys(said[1]) == ["class_full_waitlist"] and keys(said[2]) == ["class_waitlisted"]
    assert said[2][0]["params"]["position"] == "1"


def test_cancel_a_registration(db):
    talk(db, "900000012", "en", ["sign me up for the diabetes class", "1", "yes"])
    said, turn = talk(db, "900000012", "en", ["cancel my class", "yes"], task="cancel")
    assert keys(said[0]) == ["class_cancel_confirm"] and keys(said[1]) == ["class_cancelled"]
    with session_scope(db.database_url) as session:
        assert session.scalars(select(ClassRegistration.status)).all() == ["cancelled"]
