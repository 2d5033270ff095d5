"""Class registration: never over capacity under concurrency, waitlist order, promotion with an SMS."""
from __future__ import annotations

import datetime as dt
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from careline.classes import service
from careline.config import Settings
from careline.db import migrate, session_scope
from careline.models import ClassMeeting, ClassRegistration, ClassText, HealthClass, Member, Outbox

NOW = dt.datetime(2026, 11, 27, 15, 0)


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request, tmp_path) -> Settings:
    url = f"sqlite:///{tmp_path / 'classes.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    migrate(url)
    settings = Settings(database_url=url, privacy_key="k")
    with session_scope(url) as session:
        session.query(Outbox).delete()
        session.query(ClassRegistration).delete()
    return settings


def make_class(url: str, capacity: int) -> int:
    with session_scope(url) as session:
        item = HealthClass(topic="diabetes", language="en", format="phone", call_in="+12135550170", capacity=capacity)
        session.add(item)
        session.flush()
        session.add(ClassMeeting(class_id=item.id, starts_local=NOW + dt.timedelta(days=3)))
        session.add(ClassText(class_id=item.id, language="en", title="Diabetes self-management", description="d"))
        return item.id


def make_members(url: str, count: int) -> list[int]:
    with session_scope(url) as session:
        start = session.scalar(select(func.count(Member.id))) or 0
        members = [Member(member_number=f"8{start + n:08d}", first_name="T", last_name="T", dob=dt.date(1950, 1, 1), phone=f"+1213555{start + n:04d}"[:12], language="en")
                   for n in range(count)]
        session.add_all(members)
        session.flush()
        return [m.id for m in members]


def test_fifty_members_for_the_last_five_seats(db):
    class_id = make_class(db.database_url, capacity=5)
    members = make_members(db.database_url, 50)
    with ThreadPoolExecutor(max_workers=10) as pool:
        results = list(pool.map(lambda m: service.register(db.database_url, class_id, m, "en", NOW, waitlist=True)[0], members))
    assert results.count("registered") == 5 and results.count("waitlisted") == 45
    with session_scope(db.database_url) as session:
        assert session.get(HealthClass, class_id).seats_taken == 5
        statuses = session.execute(select(ClassRegistration.status, func.count()).where(ClassRegistration.class_id == class_id).group_by(ClassRegistration.status)).all()
        assert dict(statuses) == {"registered": 5, "waitlisted": 45}
        assert session.scalar(select(func.count(Outbox.id)).where(Outbox.purpose == "class_confirmation")) == 5


def test_full_class_offers_the_waitlist_and_a_freed_seat_promotes_the_first_waiting(db):
    class_id = make_class(db.database_url, capacity=1)
    first, second, third = make_members(db.database_url, 3)
    assert service.register(db.database_url, class_id, first, "en", NOW) == ("registered", None)
    assert service.register(db.database_url, class_id, second, "en", NOW) == ("full", None)
    assert service.register(db.database_url, class_id, second, "en", NOW, waitlist=True) == ("waitlisted", 1)
    assert service.register(db.database_url, class_id, third, "es", NOW, waitlist=True) == ("waitlisted", 2)
    assert service.register(db.database_url, class_id, second, "en", NOW, waitlist=True) == ("already", None)
    assert service.cancel(db.database_url, class_id, first, NOW) == "cancelled"
    with session_scope(db.database_url) as session:
        status = dict(session.execute(select(ClassRegistration.member_id, ClassRegistration.status).where(ClassRegistration.class_id == class_id)).all())
        assert status == {first: "cancelled", second: "registered", third: "waitlisted"}
        assert session.get(HealthClass, class_id).seats_taken == 1
        promoted = session.scalars(select(Outbox).where(Outbox.purpose == "class_promoted")).one()
        assert promoted.to_phone == session.get(Member, second).phone and "your health class" in promoted.body
        # Texts we send on our own name no topic: a lock screen must not disclose a condition.
        assert "Diabetes" not in promoted.body and all("Diabetes" not in row.body for row in session.scalars(select(Outbox)))


def test_past_and_removed_classes_are_refused(db):
    class_id = make_class(db.database_url, capacity=3)
    [member] = make_members(db.database_url, 1)
    assert service.register(db.database_url, class_id, member, "en", NOW + dt.timedelta(days=10))[0] == "past"
    with session_scope(db.database_url) as session:
        session.get(HealthClass, class_id).active = False
    assert service.register(db.database_url, class_id, member, "en", NOW)[0] == "gone"
