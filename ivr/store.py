"""The webhook's reads and writes: delivery dedupe, conversation state, consent, safety events."""
from __future__ import annotations

import json
import logging
import threading
import time

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careline.db import session_scope
from careline.models import Consent, Conversation, Member, SafetyEvent, WebhookTurn

log = logging.getLogger(__name__)


class Store:
    """Reads at the start of a turn; every write of the turn is committed once, with its reply."""

    def __init__(self, database_url: str):
        self.url = database_url
        self._pending = threading.local()

    def _unsaved(self) -> dict[str, dict]:
        if not hasattr(self._pending, "conversations"):
            self._pending.conversations = {}
        return self._pending.conversations

    # --- one effect per Twilio delivery -------------------------------------------------------
    def claim(self, key: str, wait_seconds: float = 4.0) -> str | None:
        """Claim a delivery key. None: new, process it. A string: the reply already given to it."""
        self._unsaved().clear()
        try:
            with session_scope(self.url) as session:
                session.add(WebhookTurn(key=key))
            return None
        except IntegrityError:
            pass
        deadline = time.monotonic() + wait_seconds
        while True:
            with session_scope(self.url) as session:
                turn = session.get(WebhookTurn, key)
                if turn is not None and turn.response is not None:
                    return turn.response
            if time.monotonic() > deadline:
                # The first delivery is still working (or died): answer safely, never twice.
                return ""
            time.sleep(0.1)

    def remember(self, key: str, response: str) -> None:
        """Store the reply to a delivery and the turn's conversation changes, in one transaction."""
        unsaved = self._unsaved()
        with session_scope(self.url) as session:
            turn = session.get(WebhookTurn, key)
            if turn is not None:
                turn.response = response
            for state in unsaved.values():
                self._write_conversation(session, state)
        unsaved.clear()

    def release(self, key: str) -> None:
        """Forget a claim whose processing failed before any effect, so a retry can try again."""
        with session_scope(self.url) as session:
            turn = session.get(WebhookTurn, key)
            if turn is not None and turn.response is None:
                session.delete(turn)

    # --- conversations ------------------------------------------------------------------------
    def conversation(self, key: str, channel: str) -> dict:
        if key in self._unsaved():
            return dict(self._unsaved()[key])
        with session_scope(self.url) as session:
            return self._read_conversation(session, key, channel)

    def load(self, key: str, channel: str, caller: str | None) -> tuple[dict, str | None]:
        """The conversation and the stored language of the caller's member record, in one read."""
        with session_scope(self.url) as session:
            state = self._read_conversation(session, key, channel)
            stored = session.scalar(select(Member.language).where(Member.phone_hash == caller).limit(1)) if caller else None
        return state, stored

    def member_id(self, caller: str) -> int | None:
        """The member whose phone on file has this pseudonym."""
        with session_scope(self.url) as session:
            return session.scalar(select(Member.id).where(Member.phone_hash == caller).limit(1))

    @staticmethod
    def _read_conversation(session, key: str, channel: str) -> dict:
        row = session.get(Conversation, key)
        if row is None:
            return {"key": key, "channel": channel, "language": None, "language_source": None, "last_prompt": None, "keypad_menu": None, "expects_digits": False, "no_input_count": 0, "safety_hits": None}
        return {
            "key": row.key, "channel": row.channel, "language": row.language, "language_source": row.language_source,
            "last_prompt": row.last_prompt, "keypad_menu": json.loads(row.keypad_menu) if row.keypad_menu else None,
            "no_input_count": row.no_input_count, "expects_digits": bool(row.expects_digits), "safety_hits": row.safety_hits,
        }

    def save_conversation(self, state: dict) -> None:
        """Queue the conversation's new state; `remember` writes it with the turn's reply."""
        self._unsaved()[state["key"]] = dict(state)

    @staticmethod
    def _write_conversation(session, state: dict) -> None:
        row = session.get(Conversation, state["key"])
        if row is None:
            row = Conversation(key=state["key"], channel=state["channel"])
            session.add(row)
        row.language = state.get("language")
        row.language_source = state.get("language_source")
        row.last_prompt = state.get("last_prompt")
        row.keypad_menu = json.dumps(state["keypad_menu"]) if state.get("keypad_menu") else None
        row.no_input_count = state.get("no_input_count") or 0
        row.expects_digits = bool(state.get("expects_digits"))
        row.safety_hits = state.get("safety_hits")

    # --- consent and safety -------------------------------------------------------------------
    def record_consent(self, phone_hash: str, status: str, keyword: str) -> None:
        with session_scope(self.url) as session:
            session.add(Consent(phone_hash=phone_hash, status=status, keyword=keyword[:40]))

    def consent_status(self, phone_hash: str) -> str | None:
        with session_scope(self.url) as session:
            return session.scalar(
                select(Consent.status).where(Consent.phone_hash == phone_hash, Consent.status != "help").order_by(Consent.id.desc()).limit(1)
            )

    def record_safety(self, language: str, category: str, channel: str) -> None:
        with session_scope(self.url) as session:
            session.add(SafetyEvent(language=language, category=category, channel=channel))

    def ping(self) -> bool:
        from sqlalchemy import text

        try:
            with session_scope(self.url) as session:
                session.execute(text("SELECT 1"))
            return True
        except Exception:  # noqa: BLE001 - health check reports any failure
            return False
