"""Nurse console over HTTP: sign-in, no data without it, audit, accept and complete."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careline.db import session_scope
from careline.models import AuditEntry, Handoff, Member


def add_handoff(database, **fields) -> int:
    with session_scope(database.database_url) as session:
        member = session.scalars(select(Member).where(Member.member_number == "900000002")).one()
        fields = {"status": "callback_queued", **fields}
        handoff = Handoff(kind="callback", channel="sms", language="es", member_id=member.id, verified=True,
                          callback_number="+12135550102", reason="tengo fiebre", reason_english="I have a fever",
                          reason_machine_translated=True, red_flags="none (screened)", **fields)
        session.add(handoff)
        session.flush()
        return handoff.id


def sign_in(client, password="demo-nurse-password"):
    return client.post("/console/login", data={"username": "nurse.demo", "password": password})


def csrf(client) -> str:
    with client.session_transaction() as session:
        return session["csrf"]


def test_no_member_data_without_sign_in(client, database):
    add_handoff(database)
    assert client.get("/console/queue.json").status_code == 401
    assert client.get("/console/").status_code == 302
    assert sign_in(client, "wrong").status_code == 401


def test_queue_shows_context_and_audits_the_view(client, database):
    handoff_id = add_handoff(database)
    assert sign_in(client).status_code == 302
    rows = client.get("/console/queue.json").get_json()["rows"]
    assert rows == [{**rows[0], "id": handoff_id, "language": "Spanish", "verified": True, "member": "Benito Ficticio",
                     "reason": "tengo fiebre", "reason_english": "I have a fever", "machine_translated": True, "callback": "1-213-555-0102"}]
    with session_scope(database.database_url) as session:
        audit = session.scalars(select(AuditEntry).where(AuditEntry.action == "viewed")).all()
        assert len(audit) == 1 and audit[0].actor.startswith("nurse:")


def test_outbound_of_the_local_transport_is_visible(client, database):
    from careline.gateway import LocalTransport

    LocalTransport(database.database_url, "+18885550100").call("+18885550111", "http://x/voice/nurse/whisper?handoff=1", "http://x/s")
    sign_in(client)
    outbound = client.get("/console/queue.json").get_json()["outbound"]
    assert outbound[0]["kind"] == "call" and outbound[0]["to"] == "+18885550111" and "whisper" in outbound[0]["what"]


def test_accept_then_complete_needs_csrf(client, database):
    handoff_id = add_handoff(database)
    sign_in(client)
    assert client.post(f"/console/handoffs/{handoff_id}/accept", data={"csrf": "forged"}).status_code == 400
    assert client.post(f"/console/handoffs/{handoff_id}/accept", data={"csrf": csrf(client)}).status_code == 302
    assert client.post(f"/console/handoffs/{handoff_id}/accept", data={"csrf": csrf(client)}).status_code == 409
    assert client.post(f"/console/handoffs/{handoff_id}/complete", data={"csrf": csrf(client)}).status_code == 302
    with session_scope(database.database_url) as session:
        assert session.get(Handoff, handoff_id).status == "completed"
    assert client.get("/console/queue.json").get_json()["rows"] == []


def test_session_expires(app, client, database):
    app.config["PERMANENT_SESSION_LIFETIME"] = dt.timedelta(seconds=-1)
    sign_in(client)
    assert client.get("/console/queue.json").status_code == 401


def test_a_missed_transfer_stays_in_the_queue_until_someone_calls_back(client, database):
    handoff_id = add_handoff(database)
    with session_scope(database.database_url) as session:
        row = session.get(Handoff, handoff_id)
        row.kind, row.status = "warm_transfer", "missed"
    sign_in(client)
    assert [r["status"] for r in client.get("/console/queue.json").get_json()["rows"]] == ["missed"]
    assert client.post(f"/console/handoffs/{handoff_id}/accept", data={"csrf": csrf(client)}).status_code == 302


def test_a_callback_waiting_past_30_minutes_texts_the_member_once_and_shows_overdue(client, database):
    """Promised within 30 minutes: at 31 the member gets one apology text in Spanish with 911 and the
    Nurse Advice Line, not held for quiet hours; the console marks the row overdue."""
    from careline import catalog
    from careline.callbacks import text_overdue_callbacks
    from careline.config import contact_numbers
    from careline.models import Outbox, utcnow

    now = utcnow()
    late = add_handoff(database, created_at=now - dt.timedelta(minutes=31))
    add_handoff(database, created_at=now - dt.timedelta(minutes=10))  # still within the promise
    add_handoff(database, created_at=now - dt.timedelta(minutes=45), status="accepted")  # a nurse has it
    add_handoff(database, created_at=now - dt.timedelta(hours=13))  # too old to text about
    assert text_overdue_callbacks(database, now) == 1
    assert text_overdue_callbacks(database, now + dt.timedelta(minutes=5)) == 0  # once
    with session_scope(database.database_url) as session:
        [row] = session.scalars(select(Outbox)).all()
        assert (row.purpose, row.to_phone, row.language, row.same_day_update, row.subject) == ("callback_delayed", "+12135550102", "es", True, f"handoff:{late}")
        assert row.body == catalog.text("nurse_callback_delayed", "es", "sms", **contact_numbers(database)) and "911" in row.body
    sign_in(client)
    overdue = {r["id"]: r["overdue"] for r in client.get("/console/queue.json").get_json()["rows"]}
    assert overdue[late] is True and sum(overdue.values()) == 2  # the 13-hour-old request is overdue too, but not texted


def test_the_worker_runs_the_overdue_callback_check(database):
    from careline.outbox import default_schedulers

    assert "text_overdue_callbacks" in [s.__name__ for s in default_schedulers()]


# --- operations (operators only) ----------------------------------------------------------------
def test_operations_is_for_operators_only(client, database):
    assert client.get("/console/operations.json").status_code == 401
    sign_in(client)  # a nurse
    assert client.get("/console/operations.json").status_code == 403
    assert client.get("/console/operations").status_code == 403
    assert b"Operations" not in client.get("/console/").data
    client.post("/console/logout")
    assert client.post("/console/login", data={"username": "operator.demo", "password": "demo-operator-password"}).status_code == 302
    assert b"Operations" in client.get("/console/").data
    assert client.get("/console/operations").status_code == 200


def test_operations_shows_what_went_wrong_without_naming_members(client, database):
    from careline.models import Outbox, Ride, SafetyEvent, utcnow
    from careline.rides.rules import local_now

    now = utcnow()
    pickup = local_now().replace(hour=23, minute=0, second=0, microsecond=0)
    with session_scope(database.database_url) as session:
        member = session.scalars(select(Member).where(Member.member_number == "900000002")).one()
        session.add(Outbox(dedupe_key="ops:1", purpose="ride_reminder", to_phone="+12135550102", language="es", body="recordatorio",
                           status="failed", attempts=5, last_error="21610 unsubscribed recipient"))
        session.add(Outbox(dedupe_key="ops:2", purpose="ride_reminder", to_phone="+12135550102", language="es", body="ok", status="delivered"))
        session.add(Ride(code="ROPS22", member_id=member.id, channel="sms", language="es", appointment_local=pickup + dt.timedelta(hours=1),
                         pickup_local=pickup, pickup_address=member.address, destination_kind="dialysis", destination_address="1 Renal Way",
                         mobility="wheelchair", return_mode="will_call"))
        session.add(SafetyEvent(at=now, language="km", category="crisis", channel="sms"))
    add_handoff(database, created_at=now - dt.timedelta(minutes=40))
    client.post("/console/login", data={"username": "operator.demo", "password": "demo-operator-password"})
    response = client.get("/console/operations.json")
    data = response.get_json()
    [text] = data["texts_not_delivered"]
    assert (text["purpose"], text["status"], text["to"], text["attempts"], text["error"]) == ("ride_reminder", "failed", "…0102", 5, "21610 unsubscribed recipient")
    [ride] = [r for r in data["rides"] if r["code"] == "ROPS22"]
    assert (ride["status"], ride["mobility"], ride["destination"], ride["return"], ride["confirmed"]) == ("scheduled", "wheelchair", "dialysis", "will_call", False)
    assert data["callbacks"] == {"waiting": 1, "overdue": 1}
    assert {"category": "crisis", "language": "Khmer", "count": 1} in data["safety_last_24h"]
    assert data["classes"] and all(c["capacity"] >= c["seats_taken"] for c in data["classes"])
    body = response.get_data(as_text=True)
    assert "Benito" not in body and "Ficticio" not in body and "+12135550102" not in body and "Muestra" not in body


def test_operator_resends_a_failed_text_but_never_one_stopped_by_the_member(client, database):
    from careline.models import Outbox

    with session_scope(database.database_url) as session:
        failed = Outbox(dedupe_key="ops:f", purpose="ride_reminder", to_phone="+12135550102", language="es", body="recordatorio",
                        status="failed", attempts=5, last_error="30003 unreachable")
        stopped = Outbox(dedupe_key="ops:s", purpose="ride_reminder", to_phone="+12135550102", language="es", body="recordatorio",
                         status="suppressed")
        session.add_all([failed, stopped])
        session.flush()
        failed_id, stopped_id = failed.id, stopped.id
    sign_in(client)  # a nurse may not
    assert client.post(f"/console/operations/texts/{failed_id}/resend", data={"csrf": csrf(client)}).status_code == 403
    client.post("/console/logout")
    client.post("/console/login", data={"username": "operator.demo", "password": "demo-operator-password"})
    assert client.post(f"/console/operations/texts/{failed_id}/resend", data={"csrf": "forged"}).status_code == 400
    assert client.post(f"/console/operations/texts/{stopped_id}/resend", data={"csrf": csrf(client)}).status_code == 409
    assert client.post(f"/console/operations/texts/{failed_id}/resend", data={"csrf": csrf(client)}).status_code == 302
    with session_scope(database.database_url) as session:
        row = session.get(Outbox, failed_id)
        assert (row.status, row.attempts, row.last_error) == ("pending", 0, None)
        assert session.get(Outbox, stopped_id).status == "suppressed"
        [audit] = session.scalars(select(AuditEntry).where(AuditEntry.action == "resent_text")).all()
        assert audit.actor.startswith("operator:") and str(failed_id) in audit.detail
    assert [t["id"] for t in client.get("/console/operations.json").get_json()["texts_not_delivered"]] == [stopped_id]
