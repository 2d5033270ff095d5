"""The staff console: nurses sign in, watch the queue of warm transfers and callbacks live, accept,
complete; operators also see the operations page (texts that did not reach members, today's rides,
class seats, overdue callbacks, safety screen counts).

No member data without a signed-in nurse; sessions expire; every view of a member's handoff is
written to the audit log. The operations page names no member: ride codes, and the last four digits
of a phone number.
"""
from __future__ import annotations

import datetime as dt
import functools
import hmac
import json
import secrets

from flask import Blueprint, abort, current_app, jsonify, redirect, render_template, request, session, url_for
from sqlalchemy import func, select
from werkzeug.security import check_password_hash

from careline.callbacks import overdue
from careline.config import display_phone
from careline.db import session_scope
from careline.languages import languages
from careline.models import (
    AuditEntry,
    ClassMeeting,
    ClassRegistration,
    ClassText,
    Handoff,
    HealthClass,
    Member,
    Nurse,
    OutboundRecord,
    Outbox,
    Ride,
    SafetyEvent,
    utcnow,
)
from careline.rides.rules import local_now

bp = Blueprint("console", __name__, url_prefix="/console", template_folder="templates")
# A missed transfer stays in the queue until someone calls back: the caller may have hung up before
# answering the callback offer, and the request must not be lost.
OPEN = ("ringing", "missed", "callback_queued", "accepted")


def _db() -> str:
    return current_app.config["SETTINGS"].database_url


def staff_required(role: str | None = None):
    """Signed-in staff (401 for JSON, the sign-in page otherwise); with a role, only that role (403)."""

    def decorate(view):
        @functools.wraps(view)
        def checked(*args, **kwargs):
            if not session.get("nurse_id"):
                if request.path.endswith(".json"):
                    abort(401)
                return redirect(url_for("console.login"))
            if role is not None and session.get("role") != role:
                abort(403)
            return view(*args, **kwargs)

        return checked

    return decorate


nurse_required = staff_required()
operator_required = staff_required("operator")


def _csrf_ok() -> bool:
    return hmac.compare_digest(request.form.get("csrf", ""), session.get("csrf", "-"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with a nurse account."""
    error = None
    if request.method == "POST":
        with session_scope(_db()) as db:
            nurse = db.scalars(select(Nurse).where(Nurse.username == request.form.get("username", ""), Nurse.active.is_(True))).first()
            ok = nurse is not None and check_password_hash(nurse.password_hash, request.form.get("password", ""))
            nurse_id, name, role = (nurse.id, nurse.display_name, nurse.role) if ok else (None, None, None)
        if ok:
            session.clear()
            session.permanent = True
            session.update(nurse_id=nurse_id, nurse_name=name, role=role, csrf=secrets.token_urlsafe(24))
            return redirect(url_for("console.queue"))
        error = "Wrong user name or password."
    return render_template("console/login.html", error=error), (401 if error else 200)


@bp.post("/logout")
def logout():
    session.clear()
    return redirect(url_for("console.login"))


@bp.get("/")
@nurse_required
def queue():
    """The live queue page (rows come from /console/queue.json)."""
    return render_template("console/queue.html", nurse_name=session.get("nurse_name"), csrf=session.get("csrf"), operator=session.get("role") == "operator")


def _row(handoff: Handoff, member: Member | None, now: dt.datetime) -> dict:
    waited = int((now - handoff.created_at).total_seconds() // 60)
    return {
        "id": handoff.id, "kind": handoff.kind.replace("_", " "), "status": handoff.status.replace("_", " "),
        "language": languages()[handoff.language].english_name,
        "verified": bool(handoff.verified), "member": f"{member.first_name} {member.last_name}" if member and handoff.verified else None,
        "callback": display_phone(handoff.callback_number or ""), "reason": handoff.reason or "",
        "reason_english": handoff.reason_english or "", "machine_translated": bool(handoff.reason_machine_translated),
        "red_flags": handoff.red_flags, "waiting_minutes": waited, "overdue": overdue(handoff, now), "conversation": json.loads(handoff.conversation or "[]"), "mine": handoff.nurse_id in (None, session.get("nurse_id")),
    }


@bp.get("/queue.json")
@nurse_required
def queue_json():
    """Open handoffs, oldest first; every member shown is written to the audit log."""
    now = utcnow()
    with session_scope(_db()) as db:
        handoffs = db.scalars(select(Handoff).where(Handoff.status.in_(OPEN)).order_by(Handoff.id)).all()
        rows = []
        for handoff in handoffs:
            member = db.get(Member, handoff.member_id) if handoff.member_id else None
            if member is not None:
                db.add(AuditEntry(actor=f"nurse:{session['nurse_id']}", member_id=member.id, action="viewed", detail=f"console handoff {handoff.id}"))
            rows.append(_row(handoff, member, now))
        outbound = []
        if not current_app.config["SETTINGS"].twilio_account_sid:
            # No Twilio credentials: show what the local transport recorded instead of sending.
            for record in db.scalars(select(OutboundRecord).order_by(OutboundRecord.id.desc()).limit(10)):
                detail = json.loads(record.detail or "{}")
                outbound.append({"at": record.at.strftime("%H:%M:%S"), "kind": record.kind, "to": record.to,
                                 "what": detail.get("url") or detail.get("body") or ""})
    return jsonify(rows=rows, outbound=outbound)


def _posted_row(db, model, row_id: int):
    """The row a console form acts on: 400 without the form's CSRF token, 404 when there is none."""
    if not _csrf_ok():
        abort(400)
    row = db.get(model, row_id)
    if row is None:
        abort(404)
    return row


def _move(handoff_id: int, to: str, allowed: tuple[str, ...]):
    with session_scope(_db()) as db:
        handoff = _posted_row(db, Handoff, handoff_id)
        if handoff.status not in allowed:
            return jsonify(error=f"this handoff is {handoff.status.replace('_', ' ')}"), 409
        handoff.status, handoff.nurse_id = to, session["nurse_id"]
        if handoff.member_id:
            db.add(AuditEntry(actor=f"nurse:{session['nurse_id']}", member_id=handoff.member_id, action=to, detail=f"console handoff {handoff_id}"))
    return redirect(url_for("console.queue"))


@bp.post("/handoffs/<int:handoff_id>/accept")
@nurse_required
def accept(handoff_id: int):
    """Take a callback (warm transfers are accepted on the phone, by pressing 1)."""
    return _move(handoff_id, "accepted", ("callback_queued", "missed"))


@bp.post("/handoffs/<int:handoff_id>/complete")
@nurse_required
def complete(handoff_id: int):
    return _move(handoff_id, "completed", ("accepted",))


# --- operations (operators) -------------------------------------------------------------------
NOT_DELIVERED = ("failed", "undelivered", "suppressed")


@bp.get("/operations")
@operator_required
def operations():
    """The operations page (rows come from /console/operations.json)."""
    return render_template("console/operations.html", nurse_name=session.get("nurse_name"), csrf=session.get("csrf"))


@bp.post("/operations/texts/<int:outbox_id>/resend")
@operator_required
def resend(outbox_id: int):
    """Send a text that failed or was undelivered again (after, say, the member's number was fixed).
    Never one suppressed by the member's STOP; the worker checks consent and quiet hours again."""
    with session_scope(_db()) as db:
        row = _posted_row(db, Outbox, outbox_id)
        if row.status not in ("failed", "undelivered"):
            reason = "the member opted out (STOP)" if row.status == "suppressed" else f"this text is {row.status}"
            return jsonify(error=f"cannot resend: {reason}"), 409
        row.status, row.attempts, row.next_attempt_at, row.lease_until, row.last_error = "pending", 0, utcnow(), None, None
        db.add(AuditEntry(actor=f"operator:{session['nurse_id']}", member_id=row.member_id, action="resent_text", detail=f"outbox {outbox_id} ({row.purpose})"))
    return redirect(url_for("console.operations"))


@bp.get("/operations.json")
@operator_required
def operations_json():
    now, today = utcnow(), local_now().date()
    with session_scope(_db()) as db:
        texts = [{"id": r.id, "at": r.created_at.isoformat(timespec="minutes"), "purpose": r.purpose, "status": r.status, "language": r.language,
                  "to": "…" + r.to_phone[-4:], "attempts": r.attempts, "error": r.last_error or ""}
                 for r in db.scalars(select(Outbox).where(Outbox.status.in_(NOT_DELIVERED), Outbox.created_at >= now - dt.timedelta(days=7))
                                     .order_by(Outbox.id.desc()).limit(100))]
        start = dt.datetime.combine(today, dt.time(0))
        rides = [{"code": r.code, "pickup": r.pickup_local.isoformat(timespec="minutes"), "status": r.status, "mobility": r.mobility,
                  "destination": r.destination_kind, "language": r.language, "return": r.return_mode, "confirmed": r.member_confirmed_at is not None}
                 for r in db.scalars(select(Ride).where(Ride.pickup_local >= start, Ride.pickup_local < start + dt.timedelta(days=2))
                                     .order_by(Ride.pickup_local))]
        classes = []
        for item in db.scalars(select(HealthClass).where(HealthClass.active.is_(True)).order_by(HealthClass.id)):
            next_meeting = db.scalar(select(func.min(ClassMeeting.starts_local)).where(ClassMeeting.class_id == item.id, ClassMeeting.starts_local >= start))
            if next_meeting is None:
                continue
            title = db.scalar(select(ClassText.title).where(ClassText.class_id == item.id, ClassText.language == "en")) or item.topic
            waiting = db.scalar(select(func.count(ClassRegistration.id)).where(ClassRegistration.class_id == item.id, ClassRegistration.status == "waitlisted"))
            classes.append({"id": item.id, "title": title, "language": languages()[item.language].english_name, "format": item.format,
                            "next": next_meeting.isoformat(timespec="minutes"), "seats_taken": item.seats_taken, "capacity": item.capacity, "waitlisted": waiting})
        waiting_callbacks = db.scalars(select(Handoff).where(Handoff.status == "callback_queued")).all()
        overdue_callbacks = sum(overdue(h, now) for h in waiting_callbacks)
        safety = [{"category": c, "language": languages()[lang].english_name if lang in languages() else lang, "count": n}
                  for c, lang, n in db.execute(select(SafetyEvent.category, SafetyEvent.language, func.count(SafetyEvent.id))
                                               .where(SafetyEvent.at >= now - dt.timedelta(days=1)).group_by(SafetyEvent.category, SafetyEvent.language)
                                               .order_by(SafetyEvent.category, SafetyEvent.language))]
    return jsonify(texts_not_delivered=texts, rides=rides, classes=classes, safety_last_24h=safety,
                   callbacks={"waiting": len(waiting_callbacks), "overdue": overdue_callbacks})
