"""The durable outbox: SMS written in the same transaction as what they announce, sent by a worker.

Guarantees:
- A message exists once: `dedupe_key` is unique (one confirmation per booking, one reminder per ride).
- A message is not lost: it stays `pending` until the gateway accepted it; a worker killed mid-send
  leaves it `sending` with a lease; after the lease another pass asks the gateway whether it went out
  (by its key) before sending again, so a restart neither drops nor repeats it.
- Consent: nothing to a number whose latest choice is STOP (`suppressed`); nothing between 9 p.m. and
  8 a.m. local time except same-day ride updates (deferred to 8 a.m.).
- Twilio REST failing: retried with backoff (30 s, 2 min, 8 min, 32 min); after MAX_ATTEMPTS it is
  `failed` and listed for staff (`GET /api/outbox?status=failed`, the console).

Run as `python -m careline.outbox` (started by `make run`).
"""
from __future__ import annotations

import datetime as dt
import logging
import signal
import threading

from sqlalchemy import and_, or_, select, update

from careline.config import Settings
from careline.db import pseudonym, session_scope
from careline.models import Consent, Outbox, utcnow
from careline.rides.rules import rules, to_local, to_utc

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
LEASE = dt.timedelta(seconds=60)
QUIET_START, QUIET_END = dt.time(21, 0), dt.time(8, 0)


def backoff(attempts: int) -> dt.timedelta:
    """30 s after the first failure, then four times longer each time."""
    return dt.timedelta(seconds=30 * 4 ** max(attempts - 1, 0))


def in_quiet_hours(local: dt.datetime) -> bool:
    return local.time() >= QUIET_START or local.time() < QUIET_END


def after_quiet_hours(local: dt.datetime) -> dt.datetime:
    """The next 8 a.m. local time at or after `local`."""
    day = local.date() if local.time() < QUIET_END else local.date() + dt.timedelta(days=1)
    return dt.datetime.combine(day, QUIET_END)


def enqueue(session, *, key: str, purpose: str, to_phone: str, language: str, body: str, member_id: int | None = None,
            not_before: dt.datetime | None = None, same_day_update: bool = False, subject: str | None = None) -> Outbox | None:
    """Add a message to the caller's transaction, unless one with this key already exists."""
    if session.scalar(select(Outbox.id).where(Outbox.dedupe_key == key)) is not None:
        return None
    now = utcnow()
    row = Outbox(dedupe_key=key, purpose=purpose, subject=subject, to_phone=to_phone, language=language, body=body, member_id=member_id,
                 not_before=not_before or now, next_attempt_at=max(not_before or now, now), same_day_update=same_day_update)
    session.add(row)
    return row


def opted_out(session, phone: str, privacy_key: str) -> bool:
    latest = session.scalars(select(Consent).where(Consent.phone_hash == pseudonym(phone, privacy_key)).order_by(Consent.id.desc()).limit(1)).first()
    return latest is not None and latest.status == "opted_out"


class Worker:
    """Claims due messages, applies the consent rules, sends them through the gateway."""

    def __init__(self, settings: Settings, gateway, status_callback: str | None = None, batch: int = 50, schedulers=()):
        self.settings, self.gateway, self.batch = settings, gateway, batch
        self.status_callback = status_callback
        self.schedulers = list(schedulers)

    # --- claiming ---------------------------------------------------------------------------
    def claim(self, now: dt.datetime) -> list[int]:
        """Due messages, each claimed by one worker only (a conditional update wins or loses)."""
        claimed = []
        with session_scope(self.settings.database_url) as session:
            due = session.execute(
                select(Outbox.id, Outbox.status, Outbox.attempts)
                .where(or_(and_(Outbox.status == "pending", Outbox.next_attempt_at <= now), and_(Outbox.status == "sending", Outbox.lease_until < now)))
                .order_by(Outbox.next_attempt_at, Outbox.id)
                .limit(self.batch)
            ).all()
        for row_id, status, attempts in due:
            with session_scope(self.settings.database_url) as session:
                result = session.execute(
                    update(Outbox)
                    .where(Outbox.id == row_id, Outbox.status == status, Outbox.attempts == attempts)
                    .values(status="sending", lease_until=now + LEASE, attempts=attempts + 1)
                )
                if result.rowcount == 1:
                    claimed.append(row_id)
        return claimed

    # --- sending ----------------------------------------------------------------------------
    def deliver(self, row_id: int, now: dt.datetime) -> str:
        with session_scope(self.settings.database_url) as session:
            row = session.get(Outbox, row_id)
            if row is None or row.status != "sending":
                return "skipped"
            if opted_out(session, row.to_phone, self.settings.privacy_key):
                row.status, row.lease_until = "suppressed", None
                return "suppressed"
            local = to_local(now)
            if in_quiet_hours(local) and not row.same_day_update:
                row.status, row.attempts, row.lease_until = "pending", row.attempts - 1, None
                row.next_attempt_at = to_utc(after_quiet_hours(local))
                return "deferred"
            key, to, body, earlier = row.dedupe_key, row.to_phone, row.body, row.attempts > 1
        sid = None
        error = None
        try:
            if earlier:
                # A previous attempt may have reached Twilio before the worker died: look before resending.
                sid = self.gateway.find_sms(to, key, body)
            if sid is None:
                callback = f"{self.status_callback}?outbox={row_id}" if self.status_callback else None
                sid = self.gateway.send_sms(to, body, status_callback=callback, key=key)
        except Exception as exc:  # noqa: BLE001 - any gateway failure is retried, then flagged
            error = f"{type(exc).__name__}: {str(exc)[:150]}"
        with session_scope(self.settings.database_url) as session:
            row = session.get(Outbox, row_id)
            row.lease_until = None
            if sid:
                row.status, row.provider_sid, row.sent_at, row.last_error = "sent", sid, now, None
                return "sent"
            row.last_error = error
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                log.error("outbox message %s failed after %s attempts; flagged for staff", row_id, row.attempts)
                return "failed"
            row.status, row.next_attempt_at = "pending", now + backoff(row.attempts)
            log.warning("outbox message %s not sent (attempt %s): %s", row_id, row.attempts, error)
            return "retry"

    def run_once(self, now: dt.datetime | None = None) -> dict[str, int]:
        now = now or utcnow()
        counts: dict[str, int] = {}
        for scheduler in self.schedulers:
            counts["scheduled"] = counts.get("scheduled", 0) + scheduler(self.settings, now)
        for row_id in self.claim(now):
            outcome = self.deliver(row_id, now)
            counts[outcome] = counts.get(outcome, 0) + 1
        return counts

    def run_forever(self, stop: threading.Event, interval: float = 2.0) -> None:
        while not stop.is_set():
            try:
                counts = self.run_once()
                if any(v for k, v in counts.items() if k != "deferred"):
                    log.info("outbox pass: %s", counts)
            except Exception:  # noqa: BLE001 - the worker keeps going; the next pass retries
                log.exception("outbox pass failed")
            stop.wait(interval)


def record_status(database_url: str, row_id: int | None, sid: str | None, status: str) -> bool:
    """Twilio's delivery status callback: delivered, undelivered or failed."""
    mapping = {"delivered": "delivered", "undelivered": "undelivered", "failed": "undelivered", "sent": "sent"}
    new = mapping.get(status)
    if new is None:
        return False
    with session_scope(database_url) as session:
        row = session.get(Outbox, row_id) if row_id else None
        if row is None and sid:
            row = session.scalars(select(Outbox).where(Outbox.provider_sid == sid)).first()
        if row is None or (sid and row.provider_sid and row.provider_sid != sid):
            return False
        row.status = new
        if new == "delivered":
            row.delivered_at = utcnow()
    return True


def default_schedulers():
    from careline.callbacks import text_overdue_callbacks
    from careline.classes.service import schedule_class_reminders
    from careline.rides.service import schedule_ride_reminders, translate_ride_notes

    return [schedule_ride_reminders, schedule_class_reminders, translate_ride_notes, text_overdue_callbacks]


def main() -> None:
    from careline.db import migrate
    from careline.gateway import gateway_for

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    settings = Settings.from_env()
    migrate(settings.database_url)
    base = (settings.public_base_url or f"http://127.0.0.1:{settings.port}").rstrip("/")
    worker = Worker(settings, gateway_for(settings), status_callback=f"{base}/sms/status", schedulers=default_schedulers())
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    log.info("outbox worker started (timezone %s)", rules().timezone)
    worker.run_forever(stop)


if __name__ == "__main__":
    main()
