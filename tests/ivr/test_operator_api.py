"""Operator API for rides, classes and the outbox: token, 404, 422 with a message, and real effects."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from careline.db import session_scope
from careline.models import AuditEntry, Center, HealthClass, Member, Outbox, Ride
from tests.conftest import OPERATOR_TOKEN

AUTH = {"Authorization": f"Bearer {OPERATOR_TOKEN}"}


@pytest.fixture
def ride_code(database):
    with session_scope(database.database_url) as session:
        member = session.scalars(select(Member).where(Member.member_number == "900000002")).one()
        pickup = dt.datetime.combine(dt.date.today() + dt.timedelta(days=3), dt.time(9))
        session.add(Ride(code="RAPI22", member_id=member.id, channel="sms", language="es", appointment_local=pickup + dt.timedelta(hours=1),
                         pickup_local=pickup, pickup_address=member.address, destination_kind="dental", destination_address="455 W 6th St",
                         mobility="ambulatory", return_mode="none"))
    return "RAPI22"


@pytest.mark.parametrize("method, path", [("get", "/api/rides?member_id=900000002"), ("get", "/api/rides/RAPI22"), ("post", "/api/rides/RAPI22/status"),
                                          ("get", "/api/classes"), ("post", "/api/classes"), ("get", "/api/classes/1/registrations"), ("get", "/api/outbox")])
def test_every_route_needs_the_token(client, method, path):
    response = getattr(client, method)(path, headers={"Authorization": "Bearer wrong"})
    assert response.status_code == 401 and "token" in response.get_json()["error"]


def test_rides_of_a_member_and_one_ride(client, ride_code, database):
    listed = client.get("/api/rides?member_id=900000002", headers=AUTH).get_json()
    assert [r["code"] for r in listed["rides"]] == [ride_code] and listed["rides"][0]["destination_address"] == "455 W 6th St"
    one = client.get(f"/api/rides/{ride_code.lower()}", headers=AUTH).get_json()
    assert one["code"] == ride_code and one["member_id"] == "900000002" and one["status"] == "scheduled"
    with session_scope(database.database_url) as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.actor == "operator_api")).all() == ["rides listed", "ride viewed"]


def test_unknown_and_bad_input(client, ride_code):
    assert client.get("/api/rides?member_id=999999999", headers=AUTH).status_code == 404
    assert client.get("/api/rides/RNOPE2", headers=AUTH).status_code == 404
    assert "member_id" in client.get("/api/rides", headers=AUTH).get_json()["error"]
    bad = client.post(f"/api/rides/{ride_code}/status", json={"status": "teleported"}, headers=AUTH)
    assert bad.status_code == 422 and "en_route" in bad.get_json()["error"]
    assert client.post(f"/api/rides/{ride_code}/status", json={"status": "en_route", "eta_minutes": -4}, headers=AUTH).status_code == 422
    assert client.post(f"/api/rides/{ride_code}/status", data="not json", headers=AUTH).status_code == 422
    assert client.post("/api/rides/RNOPE2/status", json={"status": "en_route"}, headers=AUTH).status_code == 404


def test_driver_on_the_way_texts_the_member_in_their_language(client, ride_code, database):
    updated = client.post(f"/api/rides/{ride_code}/status", json={"status": "en_route", "eta_minutes": 12}, headers=AUTH).get_json()
    assert updated["status"] == "en_route" and updated["driver_eta_minutes"] == 12
    with session_scope(database.database_url) as session:
        [sms] = session.scalars(select(Outbox).where(Outbox.purpose == "ride_update")).all()
        assert sms.to_phone == "+12135550102" and sms.language == "es" and sms.same_day_update and "12" in sms.body
        assert "dental" not in sms.body.lower()


def test_add_a_class_and_see_its_registrations(client, database):
    with session_scope(database.database_url) as session:
        center = session.scalars(select(Center.id)).first()
    problems = client.post("/api/classes", json={"topic": "knitting", "language": "xx", "format": "in_person", "capacity": 0}, headers=AUTH)
    assert problems.status_code == 422 and all(word in problems.get_json()["error"] for word in ("topic", "language", "capacity", "meetings", "center_id"))
    created = client.post("/api/classes", json={
        "topic": "asthma", "language": "ko", "format": "in_person", "center_id": center, "capacity": 12,
        "meetings": ["2030-01-05T10:00", "2030-01-12T10:00"], "texts": {"en": {"title": "Asthma", "description": "d"}, "ko": {"title": "천식", "description": "d"}},
    }, headers=AUTH)
    assert created.status_code == 201
    body = created.get_json()
    assert body["texts"]["ko"]["title"] == "천식" and len(body["meetings"]) == 2
    with session_scope(database.database_url) as session:
        assert session.get(HealthClass, body["id"]).language == "ko"
    assert any(c["id"] == body["id"] for c in client.get("/api/classes", headers=AUTH).get_json()["classes"])
    registrations = client.get(f"/api/classes/{body['id']}/registrations", headers=AUTH).get_json()
    assert registrations == {"class_id": body["id"], "capacity": 12, "seats_taken": 0, "registrations": []}
    assert client.get("/api/classes/99999/registrations", headers=AUTH).status_code == 404
