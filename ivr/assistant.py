"""The turn engine shared by voice and SMS: language, safety screen, Rasa, rendering, state.

Views stay a few lines: they read the form, ask the Assistant, and render the Reply as TwiML.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass

from careline import catalog
from careline.config import Settings
from careline.db import pseudonym
from careline.languages import DEFAULT_LANGUAGE, foreign_language, identify, languages, lexicon, requested_language, supported
from careline.models import utcnow
from careline.safety import screen
from careline.text import clean, fold, strip_accents
from ivr.rasa_client import RasaClient, RasaUnavailable
from ivr.replies import MAIN_MENU, Reply, from_bot, numbers, single
from ivr.store import Store

log = logging.getLogger(__name__)

CARRIER_STOP = frozenset({"stop", "stopall", "unsubscribe", "cancel", "end", "quit"})
CARRIER_START = frozenset({"start", "unstop", "yes"})
CARRIER_HELP = frozenset({"help", "info"})


@dataclass
class Keyword:
    status: str  # opted_out, opted_in or help
    language: str | None


def is_yes(text: str, language: str) -> bool:
    """A spoken or typed yes, judged by the NLU (affirm is trained in every language)."""
    from flask import current_app

    if not text.strip():
        return False
    try:
        parsed = current_app.extensions["assistant"].rasa.parse(text)
    except RasaUnavailable:
        return False
    return (parsed.get("intent") or {}).get("name") == "affirm"


def is_yes_word(text: str, language: str) -> bool:
    """A yes in the member's language (or English): START synonyms that are also plain answers."""
    from careline.rides.extract import answer

    return text.strip().lower() == "yes" or answer(text, language) == "yes"


def carrier_keyword(text: str) -> Keyword | None:
    """STOP / START / HELP and their synonyms, in English or in any supported language.

    Only a message that is the keyword alone counts (as carriers do), so "cancel my ride" is a
    request, not an opt-out.
    """
    word = strip_accents(fold(text)).strip(" .!¡¿?。！")
    if not word or len(word) > 40:
        return None
    for words, status in ((CARRIER_STOP, "opted_out"), (CARRIER_START, "opted_in"), (CARRIER_HELP, "help")):
        if word.replace(" ", "") in words:
            return Keyword(status, None)
    for code in languages():
        entry = lexicon(code)
        for words, status in ((entry.stop_words, "opted_out"), (entry.start_words, "opted_in"), (entry.help_words, "help")):
            if word in words:
                return Keyword(status, code)
    return None


class Assistant:
    def __init__(self, settings: Settings, store: Store, rasa: RasaClient, translator=None, gateway=None):
        from careline.gateway import gateway_for
        from careline.translation import MachineTranslator

        self.settings = settings
        self.store = store
        self.rasa = rasa
        self.translator = translator or MachineTranslator(settings.database_url, timeout=settings.translate_timeout_seconds)
        self.gateway = gateway or gateway_for(settings)

    def hash(self, value: str) -> str:
        return pseudonym(value or "", self.settings.privacy_key)

    # --- SMS --------------------------------------------------------------------------------
    def sms_turn(self, phone: str, body: str) -> Reply:
        text = clean(body)
        caller = self.hash(phone)
        state, stored = self.store.load(f"sms-{caller}", "sms", caller if phone else None)
        language, hint = self._sms_language(state, stored, text)

        keyword = carrier_keyword(text)
        if keyword is not None:
            if keyword.status == "opted_in" and is_yes_word(text, keyword.language or language) and self.store.consent_status(caller) != "opted_out":
                keyword = None  # "yes", "sí", "да" are answers unless the member had opted out
        if keyword is not None:
            language = keyword.language if keyword.language and not stored else language
            self.store.record_consent(caller, keyword.status, "keyword")
            key = {"opted_out": "opted_out", "opted_in": "opted_in", "help": "help_keyword"}[keyword.status]
            reply = single(key, language, "sms", self.settings)
        elif isinstance(quick := self._reply_to_our_text(phone, text, language), Reply):
            reply = quick
        else:
            text = quick or text
            foreign = self._foreign(state, stored, text)
            if foreign:
                reply = self._converse_foreign(state, text, foreign, caller)
                state["language_source"] = f"foreign-{foreign}"[:12]
            else:
                reply = self._converse(state, text, language, "sms", caller)
                reply.hint = hint if reply.language == language else None
                if reply.handoff and reply.handoff.get("kind") == "callback":
                    from ivr.nurse import open_handoff

                    reply.handoff_id = open_handoff(self, reply.handoff, channel="sms", language=reply.language, phone=phone, sender=state["key"], earlier_flags=state.get("safety_hits"))
                if (state.get("language_source") or "").startswith("foreign-"):
                    state["language_source"] = None
        state.update(language=reply.language, language_source="switch" if reply.language_changed else state.get("language_source") or ("stored" if stored else "identified"))
        self.store.save_conversation(state)
        return reply

    def _reply_to_our_text(self, phone: str, text: str, language: str) -> Reply | str | None:
        """C / R / X after a ride reminder, X after a class text, READY for a will-call ride home.

        The reminder went to the number on file, so a one-letter answer from it acts on that ride;
        rescheduling goes through the conversation (identification first).
        """
        from careline.rides import service as rides
        from careline.rides.extract import reply_word
        from careline.rides.rules import local_now

        db, now = self.settings.database_url, utcnow()
        kind = reply_word(text, language)
        if kind is None and len(text) <= 40 and any(reply_word(text, code) for code in languages() if code != language):
            # Answered in the words of the text we sent, when that was in another language than the conversation's.
            sent_in = rides.answerable_text_language(db, phone, now)
            kind = reply_word(text, sent_in) if sent_in and sent_in != language else None
            language = sent_in if kind else language
        if kind is None:
            return None
        if kind == "ready":
            member = self.store.member_id(self.hash(phone))
            code = rides.will_call_ready(db, member, local_now()) if member else None
            return single("ride_will_call_received", language, "sms", self.settings, params={"code": code}) if code else None
        ride = rides.reminded_ride(db, phone, now)
        if ride is not None:
            if kind == "confirm":
                rides.confirm(db, ride.code)
                return single("ride_reminder_confirmed", language, "sms", self.settings, params={"code": ride.code})
            if kind == "cancel":
                result = rides.cancel(db, ride.member_id, ride.code, local_now())
                key = "ride_reminder_cancel_confirm" if result == "cancelled" else "ride_cancel_too_late" if result == "too_late" else "ride_already_closed"
                return single(key, language, "sms", self.settings, params={"code": ride.code})
            return "/ride_change"  # R: the conversation takes it (identification, then the new day and time)
        if kind == "cancel":
            from careline.classes import service as classes

            subject = rides.replied_subject(db, phone, now, ("class_confirmation", "class_reminder", "class_promoted"), hours=24 * 14)
            if subject:
                registration = classes.registration_by_id(db, int(subject.split(":", 1)[1]))
                if registration and registration[1] in ("registered", "waitlisted"):
                    class_id, _, member_id, title = registration
                    classes.cancel(db, class_id, member_id, local_now())
                    return single("class_cancelled", language, "sms", self.settings, params={"title": title})
        return None

    def _foreign(self, state: dict, stored: str | None, text: str) -> str | None:
        """A language outside the eleven that this texter writes in (never for members on file)."""
        previous = state.get("language_source") or ""
        if stored or (state.get("language") and not previous.startswith("foreign-")):
            return None
        found = foreign_language(text)
        if found:
            return found
        return previous.split("-", 1)[1] if previous.startswith("foreign-") and identify(text)[0] is None else None

    def _converse_foreign(self, state: dict, text: str, foreign: str, caller: str) -> Reply:
        """Answer in English, plus a labelled machine translation when one can be had quickly, and
        always the offer of a free interpreter by phone."""
        english_in = self.translator.translate(text, target=DEFAULT_LANGUAGE, source=foreign)
        offer = catalog.text("interpreter_offer", DEFAULT_LANGUAGE, "sms", **numbers(self.settings))
        hint = catalog.text("language_hint", DEFAULT_LANGUAGE, "sms")
        if english_in is None:
            return Reply(texts=[offer, catalog.text("welcome", DEFAULT_LANGUAGE, "sms")], language=DEFAULT_LANGUAGE, hint=hint)
        reply = self._converse(state, english_in.text, DEFAULT_LANGUAGE, "sms", caller)
        reply.texts.append(offer)
        reply.hint = hint
        translated = self.translator.translate("\n\n".join(reply.texts), target=foreign, source=DEFAULT_LANGUAGE)
        if translated is not None:
            reply.texts.append(f"{catalog.text('machine_translation_label', DEFAULT_LANGUAGE, 'sms')}\n{translated.text}")
        return reply

    def _sms_language(self, state: dict, stored: str | None, text: str) -> tuple[str, str | None]:
        """The language to answer in, and a line on how to switch when we had to default to English."""
        if state.get("language_source") == "switch" and supported(state.get("language")):
            return state["language"], None
        if supported(stored):
            return stored, None
        code, confidence = identify(text)
        previous = state.get("language")
        if code and confidence >= 0.5 and (previous is None or len(text.split()) >= 2 or code != DEFAULT_LANGUAGE):
            return code, None
        if supported(previous):
            return previous, None
        return DEFAULT_LANGUAGE, catalog.text("language_hint", DEFAULT_LANGUAGE, "sms")

    # --- voice ------------------------------------------------------------------------------
    def text_us_in_your_language(self, call_sid: str, caller_phone: str, language: str) -> bool:
        """A caller whose language Twilio cannot speak is transferred with an interpreter; a text in
        their language, sent at once (an answer to their own call, so not held for quiet hours), says
        that this number serves them fully by SMS. Nothing member-specific; STOP is honoured by the outbox."""
        import re

        from careline.db import session_scope
        from careline.outbox import enqueue

        if not re.fullmatch(r"\+[1-9]\d{7,14}", caller_phone or ""):
            return False  # withheld or not a phone number: nobody to text
        body = catalog.text("call_followup_sms", language, "sms", **numbers(self.settings))
        with session_scope(self.settings.database_url) as session:
            row = enqueue(session, key=f"call_followup:{self.hash(call_sid)}", purpose="call_followup", to_phone=caller_phone,
                          language=language, body=body, member_id=self.store.member_id(self.hash(caller_phone)), same_day_update=True)
        return row is not None

    def call_started(self, call_sid: str, caller_phone: str) -> tuple[dict, Reply | None]:
        """A new call: members whose number is on file are greeted in their language; others get the menu."""
        state, stored = self.store.load(f"voice-{self.hash(call_sid)}", "voice", self.hash(caller_phone) if caller_phone else None)
        if not supported(stored):
            return state, None
        state.update(language=stored, language_source="stored")
        reply = self.greeting(stored)
        self.remember_prompt(state, reply)
        return state, reply

    def greeting(self, language: str) -> Reply:
        return single("welcome", language, "voice", self.settings, keypad=dict(MAIN_MENU))

    def choose_language(self, state: dict, digits: str, speech: str) -> str | None:
        from careline.languages import by_digit

        chosen = by_digit(digits) if digits else None
        code = chosen.code if chosen else (requested_language(speech) if speech else None)
        if code:
            state.update(language=code, language_source="menu", no_input_count=0)
            self.store.save_conversation(state)
        return code

    def voice_turn(self, call_sid: str, caller_phone: str, digits: str, speech: str) -> Reply:
        state = self.store.conversation(f"voice-{self.hash(call_sid)}", "voice")
        language = state.get("language") if supported(state.get("language")) else DEFAULT_LANGUAGE
        keypad = state.get("keypad_menu") or dict(MAIN_MENU)
        if not digits and not speech:
            return self.no_input(state, language)
        state["no_input_count"] = 0
        if digits == "*":
            reply = Reply(texts=[state.get("last_prompt") or catalog.text("main_menu", language, "voice")], language=language, keypad=keypad)
            self.store.save_conversation(state)
            return reply
        if speech:
            text = clean(speech)
        elif digits in keypad and not state.get("expects_digits"):
            text = keypad[digits]
        else:
            text = digits
        reply = self._converse(state, text, language, "voice", self.hash(caller_phone) if caller_phone else None)
        if reply.handoff and reply.handoff.get("kind") == "warm_transfer":
            self._warm_transfer(reply, caller_phone, call_sid, state)
        if reply.language_changed:
            state["language_source"] = "switch"
        state["language"] = reply.language
        self.remember_prompt(state, reply)
        return reply

    def _warm_transfer(self, reply: Reply, caller_phone: str, call_sid: str, state: dict) -> None:
        """Open the handoff and dial the nurse; if the gateway fails, dial the nurse line directly."""
        from ivr.nurse import open_handoff, ringing_handoff_for_call, start_warm_transfer

        existing = ringing_handoff_for_call(self.settings.database_url, call_sid)
        if existing:
            reply.handoff_id = existing  # the nurse is already being dialled: back to the same conference
            return
        reply.handoff_id = open_handoff(self, reply.handoff, channel="voice", language=reply.language, phone=caller_phone, call_sid=call_sid, sender=state["key"], earlier_flags=state.get("safety_hits"))
        try:
            start_warm_transfer(self, reply.handoff_id, reply.language)
        except Exception as exc:  # noqa: BLE001 - Twilio REST down: a plain transfer still reaches a nurse
            log.error("warm transfer could not start (%s); dialling the nurse line", type(exc).__name__)
            reply.handoff_id = None
            reply.transfer = "nurse_line"
            reply.texts = [catalog.text("nurse", reply.language, "voice")]

    def no_input(self, state: dict, language: str) -> Reply:
        """Silence: reprompt, then a simpler menu, then Member Services."""
        count = (state.get("no_input_count") or 0) + 1
        state["no_input_count"] = count
        self.store.save_conversation(state)
        first = catalog.text("no_input_first", language, "voice")
        if count == 1:
            return Reply(texts=[first, state.get("last_prompt") or catalog.text("main_menu", language, "voice")], language=language, keypad=state.get("keypad_menu") or dict(MAIN_MENU))
        if count == 2:
            return Reply(texts=[catalog.text("no_input_simple", language, "voice")], language=language)
        return single("no_input_transfer", language, "voice", self.settings, transfer="member_services")

    def remember_prompt(self, state: dict, reply: Reply) -> None:
        state["last_prompt"] = " ".join(reply.texts)
        state["keypad_menu"] = reply.keypad
        state["expects_digits"] = reply.expects_digits
        self.store.save_conversation(state)

    # --- shared ---------------------------------------------------------------------------
    def _converse(self, state: dict, text: str, language: str, channel: str, caller: str | None) -> Reply:
        category = screen(text, language)
        if category:
            self.store.record_safety(language, category, channel)
            state["safety_hits"] = ",".join(sorted(set(filter(None, (state.get("safety_hits") or "").split(","))) | {category}))
            self.store.save_conversation(state)
            transfer = "nurse_line" if channel == "voice" else None
            return single(category, language, channel, self.settings, safety=category, transfer=transfer)
        if not text:
            return single("main_menu", language, channel, self.settings)
        messages = self.rasa.send(state["key"], text, {"language": language, "channel": channel, "caller": caller, "safety_hits": state.get("safety_hits")})
        return from_bot(messages, language, channel, self.settings)

    def understand(self, text: str, channel: str) -> dict:
        """What the assistant would make of a text, without changing any state."""
        text = clean(text)
        code, confidence = identify(text)
        language = code if code and confidence >= 0.5 else DEFAULT_LANGUAGE
        category = screen(text, language)
        result = {"language": language, "language_confidence": round(confidence, 3), "safety": category}
        try:
            parsed = self.rasa.parse(text)
            intent = parsed.get("intent") or {}
            result.update(intent=intent.get("name"), confidence=round(float(intent.get("confidence") or 0.0), 3))
        except RasaUnavailable:
            if not category:
                raise
            result.update(intent=None, confidence=1.0)
        from careline.topics import topic_of

        result["topic"] = category or topic_of(result.get("intent"))
        if category:
            result["confidence"] = 1.0
        return result
