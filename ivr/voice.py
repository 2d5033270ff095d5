"""POST /voice/incoming and /voice/gather: every turn a <Gather> in the caller's language."""
from __future__ import annotations

import logging

from flask import Blueprint, current_app, request, url_for

from careline import catalog
from careline.languages import DEFAULT_LANGUAGE, languages
from ivr import twiml
from ivr.guard import answer_once, safe_reply
from ivr.replies import Reply
from ivr.security import twilio_signed

bp = Blueprint("voice", __name__, url_prefix="/voice")
log = logging.getLogger(__name__)
MENU_ATTEMPTS = 3


def _action(step: str, turn: int) -> str:
    return url_for("voice.gather", step=step, turn=turn)


def _numbers() -> dict[str, str]:
    settings = current_app.config["SETTINGS"]
    return {"member_services": settings.member_services_number, "nurse_line": settings.nurse_line_number}


def render(reply: Reply, turn: int):
    """A reply as the TwiML of one turn, dialling the right line when the reply transfers."""
    if reply.handoff_id:
        from ivr.nurse import caller_waits

        return caller_waits(reply.texts, reply.language, reply.handoff_id)
    number = _numbers().get(reply.transfer) if reply.transfer else None
    whisper = url_for("voice.whisper", lang=reply.language, reason=reply.transfer or "") if number else None
    if reply.transfer and not languages()[reply.language].has_voice:
        reply = Reply(texts=[catalog.text("transfer_interpreter", "en", "voice")], language=DEFAULT_LANGUAGE, transfer=reply.transfer)
    return twiml.voice(reply, _action("talk", turn + 1), number, whisper)


def _interpreter(language: str):
    """Member Services with an interpreter, and a text in the caller's language saying SMS serves them."""
    settings = current_app.config["SETTINGS"]
    try:
        current_app.extensions["assistant"].text_us_in_your_language(request.form.get("CallSid", ""), request.form.get("From", ""), language)
    except Exception:  # the transfer matters more than the text
        log.exception("could not queue the text for a caller transferred with an interpreter")
    return twiml.interpreter_transfer(languages()[language], settings.member_services_number, url_for("voice.whisper", lang=language, reason="interpreter"))


@bp.post("/incoming")
@twilio_signed
def incoming():
    """Answer a call: a known caller is greeted in their language, anyone else hears the language menu."""
    assistant = current_app.extensions["assistant"]
    call_sid, caller = request.form.get("CallSid", ""), request.form.get("From", "")

    def turn():
        state, greeting = assistant.call_started(call_sid, caller)
        if greeting is None:
            return twiml.language_menu(_action("language", 1))
        if not languages()[greeting.language].has_voice:
            return _interpreter(greeting.language)
        return render(greeting, 0)

    return answer_once(f"voice:{call_sid}:0", turn, fallback=lambda: render(safe_reply(DEFAULT_LANGUAGE, "voice"), 0))


@bp.post("/gather")
@twilio_signed
def gather():
    """The caller's answer to the last prompt: keypad digits, speech, or silence."""
    assistant = current_app.extensions["assistant"]
    form = request.form
    call_sid, caller = form.get("CallSid", ""), form.get("From", "")
    digits, speech = form.get("Digits", "").strip(), form.get("SpeechResult", "").strip()
    step = request.args.get("step", "talk")
    turn_number = request.args.get("turn", default=1, type=int)

    def turn():
        state = assistant.store.conversation(f"voice-{assistant.hash(call_sid)}", "voice")
        if step == "language":
            chosen = assistant.choose_language(state, digits, speech)
            if chosen is None:
                if turn_number >= MENU_ATTEMPTS:
                    return render(Reply(texts=[catalog.text("no_input_transfer", "en", "voice")], language="en", transfer="member_services"), turn_number)
                return twiml.language_menu(_action("language", turn_number + 1))
            if not languages()[chosen].has_voice:
                return _interpreter(chosen)
            greeting = assistant.greeting(chosen)
            assistant.remember_prompt(state, greeting)
            return render(greeting, turn_number)
        return render(assistant.voice_turn(call_sid, caller, digits, speech), turn_number)

    def fallback():
        state = assistant.store.conversation(f"voice-{assistant.hash(call_sid)}", "voice")
        return render(safe_reply(state.get("language") or DEFAULT_LANGUAGE, "voice"), turn_number)

    return answer_once(f"voice:{call_sid}:{step}:{turn_number}", turn, fallback=fallback)


@bp.post("/whisper")
@twilio_signed
def whisper():
    """Heard only by the person answering a transfer: why the call comes, and in which language."""
    code = request.args.get("lang", DEFAULT_LANGUAGE)
    language = languages().get(code, languages()[DEFAULT_LANGUAGE])
    reason = {"nurse_line": "for the nurse advice line", "interpreter": "and needs an interpreter"}.get(request.args.get("reason", ""), "")
    text = f"Call from the Cal MediConnect assistant {reason}. The caller speaks {language.english_name}."
    if code != DEFAULT_LANGUAGE:
        text += f" Please add a {language.interpreter_language} interpreter."
    return twiml.xml_response(twiml.whisper(text))


@bp.post("/status")
@twilio_signed
def status():
    """Call status callback: logged without any caller data."""
    log.info("call status %s", request.form.get("CallStatus", "unknown"))
    return ("", 204)
