"""Nurse callbacks are promised within 30 minutes. When one is still waiting after that, the member
is told in their language, once, with 911 and the Nurse Advice Line number, and the console marks it
overdue (a frightened member must not be left wondering whether anyone is coming)."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from careline import catalog
from careline.config import contact_numbers
from careline.db import session_scope
from careline.models import Handoff
from careline.outbox import enqueue

PROMISED = dt.timedelta(minutes=30)
# Older requests are for the nurses' queue alone: a text a day later would help nobody.
STALE = dt.timedelta(hours=12)


def overdue(handoff: Handoff, now_utc: dt.datetime) -> bool:
    return handoff.status == "callback_queued" and now_utc - handoff.created_at >= PROMISED


def text_overdue_callbacks(settings, now_utc: dt.datetime) -> int:
    """Outbox scheduler: one apology text per overdue callback (not held for quiet hours: the member
    asked for a nurse within the last hours)."""
    added = 0
    with session_scope(settings.database_url) as session:
        waiting = session.scalars(select(Handoff).where(Handoff.status == "callback_queued", Handoff.callback_number.is_not(None),
                                                        Handoff.created_at <= now_utc - PROMISED, Handoff.created_at > now_utc - STALE)).all()
        for handoff in waiting:
            body = catalog.text("nurse_callback_delayed", handoff.language, "sms", **contact_numbers(settings))
            if enqueue(session, key=f"callback_delayed:{handoff.id}", purpose="callback_delayed", to_phone=handoff.callback_number,
                       language=handoff.language, body=body, member_id=handoff.member_id, same_day_update=True, subject=f"handoff:{handoff.id}"):
                added += 1
    return added
