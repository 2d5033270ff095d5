"""Warm transfer to the nurse line, and callback requests.

The caller waits in a conference named for the handoff, hearing a hold message in their language.
The nurse line is dialled through the gateway into the same conference; before joining, the nurse
hears a whisper in English (who, language, callback number, the reason in the member's words and in
English, red flags) and presses 1 to accept. No answer in 30 seconds, or a decline: the caller is
told in their language and offered a callback within 30 minutes, which is queued.
"""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request, url_for
from sqlalchemy import select
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from careline import catalog
from careline.config import display_phone
from careline.db import session_scope
from careline.languages import DEFAULT_LANGUAGE, languages
from careline.models import Handoff, Member
from ivr.security import twilio_signed
from ivr.twiml import xml_response

bp = Blueprint("nurse", __name__, url_prefix="/voice/nurse")
log = logging.getLogger(__name__)
NURSE_RING_SECONDS = 30
FINISHED = ("no-answer", "busy", "failed", "canceled")


def absolute(endpoint: str, **values) -> str:
    """A URL Twilio can reach: PUBLIC_BASE_URL when set, else the URL this request came in on."""
    base = current_app.config["SETTINGS"].public_base_url or request.url_root
    return base.rstrip("/") + url_for(endpoint, **values)


def conversation_so_far(assistant, sender: str, language: str, earlier_flags: str | None = None, limit: int = 12) -> tuple[list[list[str]], str]:
    """The last lines of the conversation for the nurse (the assistant's in English), and the emergency
    screen's verdict over everything the member said in it."""
    from careline.safety import screen

    try:
        events = assistant.rasa.events(sender)
    except Exception:  # noqa: BLE001 - the handoff goes ahead without the transcript
        events = []
    lines: list[list[str]] = []
    # Messages the screen caught never reached Rasa; the conversation row remembers them.
    flags: set[str] = set(filter(None, (earlier_flags or "").split(",")))
    for event in events:
        if event.get("event") == "user" and event.get("text") and not str(event["text"]).startswith("/"):
            lines.append(["member", event["text"]])
            found = screen(event["text"], language)
            if found:
                flags.add(found)
        elif event.get("event") == "bot":
            custom = (event.get("data") or {}).get("custom") or {}
            if custom.get("key"):
                try:
                    lines.append(["assistant", catalog.text(custom["key"], "en", "sms", **(custom.get("params") or {}))])
                except catalog.MissingText:
                    continue
    verdict = ("found earlier: " + ", ".join(sorted(flags))) if flags else "none (screened)"
    return lines[-limit:], verdict


def open_handoff(assistant, context: dict, *, channel: str, language: str, phone: str, call_sid: str | None = None,
                 sender: str | None = None, earlier_flags: str | None = None) -> int:
    """Record a handoff with everything the nurse needs; translate the reason when Google answers."""
    import json

    reason = (context.get("reason") or "").strip()
    transcript, red_flags = conversation_so_far(assistant, sender, language, earlier_flags) if sender else ([], "none (screened)")
    english = assistant.translator.translate(reason, target="en", source=language) if reason and language != "en" else None
    kind = context.get("kind", "callback")
    with session_scope(assistant.settings.database_url) as session:
        handoff = Handoff(
            kind=kind, status="ringing" if kind == "warm_transfer" else "callback_queued", channel=channel, language=language,
            member_id=context.get("member_ref"), verified=bool(context.get("verified")), callback_number=phone or None,
            call_sid=call_sid, reason=reason, reason_english=english.text if english else (reason if language == "en" else None),
            reason_machine_translated=bool(english and english.machine), red_flags=red_flags[:40],
            conversation=json.dumps(transcript, ensure_ascii=False),
        )
        session.add(handoff)
        session.flush()
        handoff.conference = f"nurse-{handoff.id}"
        handoff_id = handoff.id
    log.info("handoff %s opened (%s, %s)", handoff_id, kind, channel)
    return handoff_id


def start_warm_transfer(assistant, handoff_id: int, language: str) -> None:
    """Dial the nurse (and, for other languages, the interpreter line) into the caller's conference."""
    settings = assistant.settings
    assistant.gateway.call(settings.nurse_line_number, absolute("nurse.whisper", handoff=handoff_id),
                           absolute("nurse.nurse_status", handoff=handoff_id), timeout=NURSE_RING_SECONDS)
    if language != DEFAULT_LANGUAGE:
        assistant.gateway.call(settings.interpreter_number, absolute("nurse.interpreter", handoff=handoff_id),
                               absolute("nurse.interpreter_status", handoff=handoff_id), timeout=NURSE_RING_SECONDS)


def caller_waits(reply_texts: list[str], language: str, handoff_id: int) -> VoiceResponse:
    """The caller's TwiML: the hold sentence, then the conference, with a hold message as the wait."""
    lang = languages()[language]
    response = VoiceResponse()
    for text in reply_texts:
        response.say(text, voice=lang.voice, language=lang.say_language)
    dial = Dial()
    dial.conference(f"nurse-{handoff_id}", start_conference_on_enter=False, end_conference_on_exit=True,
                    wait_url=url_for("nurse.hold", lang=language), wait_method="POST", beep=False,
                    status_callback=url_for("nurse.conference_status", handoff=handoff_id), status_callback_method="POST",
                    status_callback_event="leave")
    response.append(dial)
    return response


def ringing_handoff_for_call(database_url: str, call_sid: str) -> int | None:
    """A warm transfer already under way for this call (a second request must not dial twice)."""
    with session_scope(database_url) as session:
        return session.scalar(select(Handoff.id).where(Handoff.call_sid == call_sid, Handoff.status == "ringing").limit(1))


def _handoff(handoff_id: int):
    with session_scope(current_app.config["SETTINGS"].database_url) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None:
            return None, None
        member = session.get(Member, handoff.member_id) if handoff.member_id else None
        name = f"{member.first_name} {member.last_name}" if member and handoff.verified else None
        session.expunge(handoff)
        return handoff, name


def _set_status(handoff_id: int, status: str, only_from: tuple[str, ...] | None = None) -> bool:
    with session_scope(current_app.config["SETTINGS"].database_url) as session:
        handoff = session.get(Handoff, handoff_id)
        if handoff is None or (only_from and handoff.status not in only_from):
            return False
        handoff.status = status
        return True


def whisper_text(handoff: Handoff, name: str | None, reason_words: int = 25) -> str:
    """What the nurse hears before joining: short (goal under 20 s spoken); the console has the rest."""
    language = languages()[handoff.language].english_name
    digits = "".join(ch for ch in (handoff.callback_number or "") if ch.isdigit())[-10:]
    parts = [
        "Nurse transfer.",
        f"Verified member {name}." if name else "Not verified.",
        f"Speaks {language}, interpreter joining." if handoff.language != "en" else "Speaks English.",
        f"Callback {' '.join(digits[:3])}, {' '.join(digits[3:6])}, {' '.join(digits[6:])}." if len(digits) == 10 else "No callback number.",
    ]
    reason = handoff.reason_english or ""
    if reason:
        words = reason.split()
        short = " ".join(words[:reason_words]) + (" and more" if len(words) > reason_words else "")
        parts.append(f"{'Machine translation' if handoff.reason_machine_translated else 'Says'}: {short}.")
    elif handoff.reason:
        parts.append(f"Reason in {language} only.")
    parts.append("Screen: clear." if handoff.red_flags.startswith("none") else f"Warning, screen {handoff.red_flags}.")
    parts.append("Press 1 to accept, 2 to decline.")
    return " ".join(parts)


@bp.post("/hold")
@twilio_signed
def hold():
    """What the caller hears while the nurse is dialled (Twilio repeats the wait URL)."""
    lang = languages().get(request.args.get("lang", DEFAULT_LANGUAGE), languages()[DEFAULT_LANGUAGE])
    response = VoiceResponse()
    response.say(catalog.text("nurse_hold_wait", lang.code, "voice"), voice=lang.voice, language=lang.say_language)
    response.pause(length=8)
    return xml_response(response)


@bp.post("/whisper")
@twilio_signed
def whisper():
    """The nurse's leg: context in English, then 1 to accept or 2 to decline."""
    handoff, name = _handoff(request.args.get("handoff", type=int) or 0)
    response = VoiceResponse()
    english = languages()[DEFAULT_LANGUAGE]
    if handoff is None or handoff.status != "ringing":
        response.say("This transfer is no longer waiting. Thank you.", voice=english.voice, language=english.say_language)
        response.hangup()
        return xml_response(response)
    gather = Gather(input="dtmf", num_digits=1, timeout=10, action=url_for("nurse.answer", handoff=handoff.id), method="POST", action_on_empty_result=True)
    gather.say(whisper_text(handoff, name), voice=english.voice, language=english.say_language)
    response.append(gather)
    return xml_response(response)


@bp.post("/answer")
@twilio_signed
def answer():
    """The nurse pressed a key: 1 joins the caller's conference; anything else declines."""
    handoff_id = request.args.get("handoff", type=int) or 0
    response = VoiceResponse()
    if request.form.get("Digits") == "1" and _set_status(handoff_id, "accepted", only_from=("ringing",)):
        dial = Dial()
        dial.conference(f"nurse-{handoff_id}", start_conference_on_enter=True, end_conference_on_exit=True, beep=False)
        response.append(dial)
        return xml_response(response)
    _missed(handoff_id)
    response.hangup()
    return xml_response(response)


@bp.post("/status")
@twilio_signed
def nurse_status():
    """Status of the call to the nurse: no answer within 30 seconds (or busy, failed) means missed."""
    if request.form.get("CallStatus") in FINISHED:
        _missed(request.args.get("handoff", type=int) or 0)
    return ("", 204)


def _missed(handoff_id: int) -> None:
    """Tell the waiting caller, in their language, and offer a callback."""
    if not _set_status(handoff_id, "missed", only_from=("ringing",)):
        return
    handoff, _ = _handoff(handoff_id)
    if handoff and handoff.call_sid:
        current_app.extensions["assistant"].gateway.redirect(handoff.call_sid, absolute("nurse.missed", handoff=handoff_id))


def _caller_language(handoff: Handoff | None):
    """The caller's language of a handoff (English when the handoff is unknown)."""
    code = handoff.language if handoff else DEFAULT_LANGUAGE
    return code, languages()[code]


@bp.post("/missed")
@twilio_signed
def missed():
    """The caller's leg after a missed transfer: offer a callback within 30 minutes."""
    handoff, _ = _handoff(request.args.get("handoff", type=int) or 0)
    code, lang = _caller_language(handoff)
    response = VoiceResponse()
    gather = Gather(input="speech dtmf", num_digits=1, timeout=6, language=lang.speech, speech_timeout="auto",
                    action=url_for("nurse.callback", handoff=handoff.id if handoff else 0), method="POST", action_on_empty_result=True)
    gather.say(catalog.text("nurse_no_answer", code, "voice"), voice=lang.voice, language=lang.say_language)
    response.append(gather)
    return xml_response(response)


@bp.post("/callback")
@twilio_signed
def callback():
    """The caller's answer to the callback offer: 1 or yes queues it."""
    from ivr.assistant import is_yes

    handoff_id = request.args.get("handoff", type=int) or 0
    handoff, _ = _handoff(handoff_id)
    code, lang = _caller_language(handoff)
    settings = current_app.config["SETTINGS"]
    response = VoiceResponse()
    wants = request.form.get("Digits") == "1" or is_yes(request.form.get("SpeechResult", ""), code)
    if wants and _set_status(handoff_id, "callback_queued", only_from=("missed",)):
        with session_scope(settings.database_url) as session:
            session.get(Handoff, handoff_id).kind = "callback"
        text = catalog.text("nurse_callback_queued", code, "voice")
    else:
        _set_status(handoff_id, "declined", only_from=("missed",))
        text = catalog.text("nurse_callback_declined", code, "voice", nurse_line=display_phone(settings.nurse_line_number))
    response.say(text, voice=lang.voice, language=lang.say_language)
    response.hangup()
    return xml_response(response)


@bp.post("/interpreter")
@twilio_signed
def interpreter():
    """The interpreter line's leg: which language, then straight into the conference."""
    handoff, _ = _handoff(request.args.get("handoff", type=int) or 0)
    english = languages()[DEFAULT_LANGUAGE]
    response = VoiceResponse()
    if handoff is None:
        response.hangup()
        return xml_response(response)
    language = languages()[handoff.language]
    response.say(f"Cal MediConnect nurse line. Please interpret {language.interpreter_language} for a member and a nurse.",
                 voice=english.voice, language=english.say_language)
    dial = Dial()
    dial.conference(handoff.conference or f"nurse-{handoff.id}", start_conference_on_enter=False, end_conference_on_exit=False, beep=False)
    response.append(dial)
    return xml_response(response)


@bp.post("/conference-status")
@twilio_signed
def conference_status():
    """The caller left the conference while still waiting (hung up on hold): keep their request as a
    callback, so that nothing is lost and the nurse's leg hears that no one is waiting any more."""
    handoff_id = request.args.get("handoff", type=int) or 0
    handoff, _ = _handoff(handoff_id)
    if (handoff and request.form.get("StatusCallbackEvent") == "participant-leave"
            and request.form.get("CallSid") == handoff.call_sid and handoff.status == "ringing"):
        with session_scope(current_app.config["SETTINGS"].database_url) as session:
            row = session.get(Handoff, handoff_id)
            if row.status == "ringing":
                row.kind, row.status = "callback", "callback_queued"
        log.info("handoff %s: caller hung up while waiting; callback queued", handoff_id)
    return ("", 204)


@bp.post("/interpreter-status")
@twilio_signed
def interpreter_status():
    log.info("interpreter leg %s", request.form.get("CallStatus", "unknown"))
    return ("", 204)


def open_handoffs(database_url: str) -> list[Handoff]:
    """Handoffs waiting for a nurse, oldest first (for the console and for operators)."""
    with session_scope(database_url) as session:
        rows = session.scalars(select(Handoff).where(Handoff.status.in_(("ringing", "callback_queued"))).order_by(Handoff.id)).all()
        for row in rows:
            session.expunge(row)
        return rows
