"""Operator API (Bearer OPERATOR_TOKEN): rides for dispatch, the class catalog, the outbox for staff.

401 without the token, 404 for what does not exist, 422 with a clear message for bad input.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, current_app, jsonify, request
from sqlalchemy import func, select

from careline.classes import service as classes
from careline.db import session_scope
from careline.languages import languages
from careline.models import AuditEntry, Center, ClassDemand, ClassMeeting, ClassRegistration, ClassText, HealthClass, Member, Outbox, Ride
from careline.rides import service as rides
from ivr.api import _authorised

bp = Blueprint("operator_api", __name__, url_prefix="/api")
FORMATS = ("in_person", "phone", "video")


@bp.before_request
def require_token():
    if not _authorised():
        return jsonify(error="missing or wrong operator token"), 401
    return None


def _db() -> str:
    return current_app.config["SETTINGS"].database_url


def _audit(session, member_id: int, action: str) -> None:
    session.add(AuditEntry(actor="operator_api", member_id=member_id, action=action, detail=request.path[:200]))


# --- rides -------------------------------------------------------------------------------------
@bp.get("/rides")
def list_rides():
    member_number = request.args.get("member_id", "").strip()
    if not member_number:
        return jsonify(error="'member_id' (the 9-digit member ID) is required"), 422
    with session_scope(_db()) as session:
        member = session.scalars(select(Member).where(Member.member_number == member_number)).first()
        if member is None:
            return jsonify(error="no member with that member ID"), 404
        found = session.scalars(select(Ride).where(Ride.member_id == member.id).order_by(Ride.pickup_local)).all()
        _audit(session, member.id, "rides listed")
        return jsonify(member_id=member_number, rides=[rides.ride_json(r) | {"member_id": member_number} for r in found])


@bp.get("/rides/<code>")
def get_ride(code: str):
    with session_scope(_db()) as session:
        ride = session.scalars(select(Ride).where(Ride.code == code.upper())).first()
        if ride is None:
            return jsonify(error=f"no ride with code {code}"), 404
        _audit(session, ride.member_id, "ride viewed")
        member = session.get(Member, ride.member_id)
        return jsonify(rides.ride_json(ride) | {"member_id": member.member_number})


@bp.post("/rides/<code>/status")
def ride_status(code: str):
    payload = request.get_json(silent=True)
    if not isinstance(payload, dict):
        return jsonify(error="send a JSON object like {\"status\": \"en_route\", \"eta_minutes\": 12}"), 422
    status, eta = payload.get("status"), payload.get("eta_minutes")
    if status not in rides.DISPATCH_STATUSES:
        return jsonify(error=f"'status' must be one of: {', '.join(rides.DISPATCH_STATUSES)}"), 422
    if eta is not None and (not isinstance(eta, int) or isinstance(eta, bool) or not 0 <= eta <= 600):
        return jsonify(error="'eta_minutes' must be a whole number of minutes between 0 and 600"), 422
    updated = rides.dispatch_update(_db(), code.upper(), status, eta)
    if updated is None:
        return jsonify(error=f"no ride with code {code}"), 404
    return jsonify(updated)


# --- classes -----------------------------------------------------------------------------------
@bp.get("/classes")
def list_classes():
    with session_scope(_db()) as session:
        items = session.scalars(select(HealthClass).order_by(HealthClass.id)).all()
        demand = session.execute(select(ClassDemand.language, ClassDemand.topic, ClassDemand.reason, func.count(ClassDemand.id))
                                 .group_by(ClassDemand.language, ClassDemand.topic, ClassDemand.reason)).all()
        return jsonify(classes=[classes.class_json(session, item) for item in items],
                       demand=[{"language": lang, "topic": topic, "reason": reason, "count": count} for lang, topic, reason, count in demand])


@bp.post("/classes")
def create_class():
    p = request.get_json(silent=True)
    if not isinstance(p, dict):
        return jsonify(error="send a JSON object describing the class"), 422
    problems = []
    if p.get("topic") not in classes.TOPICS:
        problems.append(f"'topic' must be one of: {', '.join(classes.TOPICS)}")
    if p.get("language") not in languages():
        problems.append(f"'language' must be one of: {', '.join(languages())}")
    if p.get("format") not in FORMATS:
        problems.append(f"'format' must be one of: {', '.join(FORMATS)}")
    capacity = p.get("capacity")
    if not isinstance(capacity, int) or isinstance(capacity, bool) or not 1 <= capacity <= 500:
        problems.append("'capacity' must be a whole number from 1 to 500")
    texts = p.get("texts")
    if not isinstance(texts, dict) or not isinstance(texts.get("en"), dict) or not texts["en"].get("title"):
        problems.append("'texts' must give at least English: {\"en\": {\"title\": ..., \"description\": ...}}")
    elif any(lang not in languages() or not isinstance(t, dict) or not t.get("title") for lang, t in texts.items()):
        problems.append("each entry of 'texts' must be a supported language code with a 'title'")
    meetings = []
    for value in p.get("meetings") or []:
        try:
            meetings.append(dt.datetime.fromisoformat(str(value)))
        except ValueError:
            problems.append(f"meeting {value!r} is not a date and time like 2026-12-05T10:00")
    if not meetings:
        problems.append("'meetings' must list at least one local date and time, like [\"2026-12-05T10:00\"]")
    if p.get("format") == "in_person" and not isinstance(p.get("center_id"), int):
        problems.append("in-person classes need 'center_id'")
    if p.get("format") in ("phone", "video") and not p.get("call_in"):
        problems.append("phone and video classes need 'call_in' (a number or link)")
    if problems:
        return jsonify(error="; ".join(problems)), 422
    with session_scope(_db()) as session:
        if p.get("center_id") is not None and session.get(Center, p["center_id"]) is None:
            return jsonify(error="no center with that 'center_id'"), 422
        item = HealthClass(topic=p["topic"], language=p["language"], format=p["format"], center_id=p.get("center_id"), call_in=p.get("call_in"),
                           capacity=capacity, accessibility=p.get("accessibility"))
        session.add(item)
        session.flush()
        for start in meetings:
            session.add(ClassMeeting(class_id=item.id, starts_local=start, minutes=int(p.get("minutes") or 60)))
        for lang, t in texts.items():
            session.add(ClassText(class_id=item.id, language=lang, title=t["title"], description=t.get("description") or ""))
        session.flush()
        return jsonify(classes.class_json(session, item)), 201


@bp.get("/classes/<int:class_id>/registrations")
def class_registrations(class_id: int):
    with session_scope(_db()) as session:
        item = session.get(HealthClass, class_id)
        if item is None:
            return jsonify(error=f"no class with id {class_id}"), 404
        rows = session.scalars(select(ClassRegistration).where(ClassRegistration.class_id == class_id).order_by(ClassRegistration.id)).all()
        members = {m.id: m.member_number for m in session.scalars(select(Member).where(Member.id.in_([r.member_id for r in rows])))}
        for row in rows:
            _audit(session, row.member_id, "class registration viewed")
        return jsonify(class_id=class_id, capacity=item.capacity, seats_taken=item.seats_taken, registrations=[
            {"member_id": members.get(r.member_id), "status": r.status, "language": r.language, "created_at": r.created_at.isoformat()} for r in rows])


# --- outbox ------------------------------------------------------------------------------------
@bp.get("/outbox")
def outbox():
    status = request.args.get("status")
    with session_scope(_db()) as session:
        query = select(Outbox).order_by(Outbox.id.desc()).limit(200)
        if status:
            query = query.where(Outbox.status == status)
        rows = session.scalars(query).all()
        return jsonify(messages=[{"id": r.id, "purpose": r.purpose, "status": r.status, "attempts": r.attempts, "language": r.language,
                                  "last_error": r.last_error, "created_at": r.created_at.isoformat(), "sent_at": r.sent_at.isoformat() if r.sent_at else None}
                                 for r in rows])
