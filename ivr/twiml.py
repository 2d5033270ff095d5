"""TwiML, built only with Twilio's builders (they escape XML), as pure functions of a reply."""
from __future__ import annotations

from flask import Response
from twilio.twiml.messaging_response import MessagingResponse
from twilio.twiml.voice_response import Dial, Gather, VoiceResponse

from careline import catalog
from careline.languages import Language, languages
from ivr.replies import Reply


def xml_response(twiml) -> Response:
    """Any TwiML object as a text/xml HTTP response."""
    return Response(str(twiml), mimetype="text/xml")


def sms(reply: Reply) -> MessagingResponse:
    response = MessagingResponse()
    response.message(reply.sms_body())
    return response


def _say(parent, text: str, language: Language, slow: bool = False) -> None:
    if slow:
        # Read-backs (a booking to check, a confirmation code) are spoken more slowly (SSML prosody).
        parent.say(voice=language.voice, language=language.say_language).prosody(text, rate="85%")
    else:
        parent.say(text, voice=language.voice, language=language.say_language)


def voice(reply: Reply, action_url: str, transfer_number: str | None = None, whisper_url: str | None = None) -> VoiceResponse:
    """One voice turn: every text spoken, the last one inside a Gather that waits for the answer.

    A transfer speaks the texts and dials; a hang-up speaks and ends the call.
    """
    language = languages()[reply.language]
    response = VoiceResponse()
    if reply.transfer and transfer_number:
        for index, text in enumerate(reply.texts):
            _say(response, text, language, index in reply.slow)
        response.append(dial(transfer_number, whisper_url))
        return response
    if reply.hangup:
        for index, text in enumerate(reply.texts):
            _say(response, text, language, index in reply.slow)
        response.hangup()
        return response
    last = len(reply.texts) - 1
    for index, text in enumerate(reply.texts[:-1]):
        _say(response, text, language, index in reply.slow)
    gather = gather_for(language, action_url, digits=reply.expects_digits)
    _say(gather, reply.texts[-1], language, last in reply.slow)
    response.append(gather)
    return response


def gather_for(language: Language, action_url: str, digits: bool = False, timeout: int = 6) -> Gather:
    """Speech and keypad, in the caller's language; Twilio posts even when nothing was heard."""
    options = dict(
        input="speech dtmf",
        action=action_url,
        method="POST",
        language=language.speech,
        speech_timeout="auto",
        timeout=timeout,
        action_on_empty_result=True,
    )
    if digits:
        options.update(finish_on_key="#", timeout=8)
    else:
        options.update(num_digits=1)
    return Gather(**options)


def dial(number: str, whisper_url: str | None = None) -> Dial:
    dial_verb = Dial(timeout=30)
    dial_verb.number(number, url=whisper_url) if whisper_url else dial_verb.number(number)
    return dial_verb


def language_menu(action_url: str) -> VoiceResponse:
    """Every language offered in its own voice (English for those Twilio cannot speak), by keypad or speech."""
    response = VoiceResponse()
    english = languages()["en"]
    gather = Gather(input="speech dtmf", action=action_url, method="POST", language=english.speech, timeout=4,
                    speech_timeout="auto", action_on_empty_result=True, finish_on_key="#",
                    hints=", ".join(f"{lang.english_name}, {catalog.language_name(lang.code)}" for lang in languages().values()))
    for lang in languages().values():
        if lang.has_voice:
            _say(gather, catalog.text("language_menu_line", lang.code, "voice", digit=_spoken_digit(lang.digit)), lang)
        else:
            _say(gather, catalog.text("language_menu_line", "en", "voice", digit=_spoken_digit(lang.digit)).replace("English", lang.english_name), english)
    response.append(gather)
    return response


def _spoken_digit(digit: str) -> str:
    return " ".join(digit)


def interpreter_transfer(language: Language, member_services: str, whisper_url: str) -> VoiceResponse:
    """For a language Twilio cannot speak: tell the caller in English that SMS works in their language,
    and connect them to Member Services with an interpreter requested in the whisper."""
    response = VoiceResponse()
    english = languages()["en"]
    _say(response, catalog.text("transfer_interpreter", "en", "voice"), english)
    response.append(dial(member_services, whisper_url))
    return response


def whisper(text: str) -> VoiceResponse:
    """What the person answering hears before the caller is connected (the caller does not hear it)."""
    response = VoiceResponse()
    _say(response, text, languages()["en"])
    return response
