"""The durable outbox and its worker: once, not lost, consent and quiet hours, retries, crash recovery."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from careline.db import migrate, pseudonym, session_scope
from careline.gateway import LocalTransport
from careline.models import Consent, OutboundRecord, Outbox
from careline.outbox import MAX_ATTEMPTS, Worker, enqueue, record_status
from careline.rides.rules import to_utc

PHONE = "+12135550101"
DAYTIME = to_utc(dt.datetime(2026, 12, 1, 10, 0))  # 10 a.m. in Los Angeles
NIGHT = to_utc(dt.datetime(2026, 12, 1, 22, 30))


class FlakyGateway(LocalTransport):
    def __init__(self, database_url, failures):
        super().__init__(database_url, "+12135550000")
        self.failures = failures

    def send_sms(self, to, body, status_callback=None, key=None):
        if self.failures > 0:
            self.failures -= 1
            raise ConnectionError("Twilio REST unreachable")
        return super().send_sms(to, body, status_callback, key)


@pytest.fixture
def db(settings):
    migrate(settings.database_url)
    return settings


def add(settings, key="k1", same_day=False, not_before=None):
    with session_scope(settings.database_url) as session:
        enqueue(session, key=key, purpose="ride_reminder", to_phone=PHONE, language="en", body=f"body {key}", same_day_update=same_day,
                not_before=not_before or (DAYTIME - dt.timedelta(minutes=1)))


def rows(settings):
    with session_scope(settings.database_url) as session:
        return [(r.dedupe_key, r.status, r.attempts) for r in session.scalars(select(Outbox).order_by(Outbox.id))]


def sent(settings):
    with session_scope(settings.database_url) as session:
        return session.scalars(select(OutboundRecord).where(OutboundRecord.kind == "sms")).all().__len__()


def test_a_message_exists_once_and_is_sent_once(db):
    add(db)
    add(db)  # the same key again: ignored
    worker = Worker(db, LocalTransport(db.database_url, "+12135550000"))
    assert worker.run_once(DAYTIME) == {"sent": 1}
    assert worker.run_once(DAYTIME + dt.timedelta(minutes=5)) == {}
    assert rows(db) == [("k1", "sent", 1)] and sent(db) == 1


def test_opted_out_numbers_get_nothing(db):
    with session_scope(db.database_url) as session:
        session.add(Consent(phone_hash=pseudonym(PHONE, db.privacy_key), status="opted_out", keyword="STOP"))
    add(db)
    assert Worker(db, LocalTransport(db.database_url, "+1")).run_once(DAYTIME) == {"suppressed": 1}
    assert sent(db) == 0


def test_quiet_hours_defer_reminders_but_not_same_day_updates(db):
    add(db, "reminder", not_before=NIGHT - dt.timedelta(minutes=1))
    add(db, "driver", same_day=True, not_before=NIGHT - dt.timedelta(minutes=1))
    worker = Worker(db, LocalTransport(db.database_url, "+1"))
    assert worker.run_once(NIGHT) == {"deferred": 1, "sent": 1}
    with session_scope(db.database_url) as session:
        deferred = session.scalars(select(Outbox).where(Outbox.dedupe_key == "reminder")).one()
        assert deferred.status == "pending" and deferred.next_attempt_at == to_utc(dt.datetime(2026, 12, 2, 8, 0))
    assert worker.run_once(to_utc(dt.datetime(2026, 12, 2, 8, 1)))["sent"] == 1


def test_gateway_failures_are_retried_with_backoff_then_flagged(db):
    add(db)
    worker = Worker(db, FlakyGateway(db.database_url, failures=100))
    now = DAYTIME
    outcomes = []
    for _ in range(MAX_ATTEMPTS):
        outcomes.append(worker.run_once(now))
        with session_scope(db.database_url) as session:
            row = session.scalars(select(Outbox)).one()
            now = max(now, row.next_attempt_at) + dt.timedelta(seconds=1)
    assert outcomes[:-1] == [{"retry": 1}] * (MAX_ATTEMPTS - 1) and outcomes[-1] == {"failed": 1}
    assert rows(db) == [("k1", "failed", MAX_ATTEMPTS)]


def test_a_transient_failure_is_sent_on_the_next_try(db):
    add(db)
    worker = Worker(db, FlakyGateway(db.database_url, failures=1))
    assert worker.run_once(DAYTIME) == {"retry": 1}
    assert worker.run_once(DAYTIME + dt.timedelta(seconds=10)) == {}  # backoff: not yet
    assert worker.run_once(DAYTIME + dt.timedelta(seconds=31)) == {"sent": 1}


def test_worker_killed_after_sending_does_not_send_twice(db):
    add(db)
    gateway = LocalTransport(db.database_url, "+1")
    worker = Worker(db, gateway)
    # Simulate a crash between Twilio accepting the text and the worker recording it.
    [row_id] = worker.claim(DAYTIME)
    gateway.send_sms(PHONE, "body k1", key="k1")
    # After the lease, another worker picks it up, finds it was sent, and records it without resending.
    assert Worker(db, gateway).run_once(DAYTIME + dt.timedelta(minutes=2)) == {"sent": 1}
    assert sent(db) == 1 and rows(db) == [("k1", "sent", 2)]


def test_worker_killed_before_sending_sends_after_the_lease(db):
    add(db)
    worker = Worker(db, LocalTransport(db.database_url, "+1"))
    worker.claim(DAYTIME)  # claimed, then the process died before calling Twilio
    assert worker.run_once(DAYTIME + dt.timedelta(seconds=30)) == {}  # lease still held
    assert worker.run_once(DAYTIME + dt.timedelta(minutes=2)) == {"sent": 1}
    assert sent(db) == 1


def test_two_workers_never_claim_the_same_message(db):
    for n in range(20):
        add(db, f"k{n}")
    a, b = Worker(db, LocalTransport(db.database_url, "+1"), batch=20), Worker(db, LocalTransport(db.database_url, "+1"), batch=20)
    first, second = a.claim(DAYTIME), b.claim(DAYTIME)
    assert len(first) == 20 and second == []


def test_delivery_status_callbacks_are_recorded(db):
    add(db)
    Worker(db, LocalTransport(db.database_url, "+1")).run_once(DAYTIME)
    with session_scope(db.database_url) as session:
        row = session.scalars(select(Outbox)).one()
        row_id, sid = row.id, row.provider_sid
    assert record_status(db.database_url, row_id, sid, "delivered")
    assert not record_status(db.database_url, row_id, "SMother", "delivered")  # a SID that is not this message's
    assert rows(db) == [("k1", "delivered", 1)]
