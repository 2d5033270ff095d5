"""Voice webhook: language menu, greeting by stored language, Gather attributes, silence, transfers."""
from __future__ import annotations

from xml.etree import ElementTree

import pytest

from tests.conftest import new_sid

MEMBER_ZH = "+12135550103"
MEMBER_KM = "+12135550110"


def xml(response):
    assert response.status_code == 200, response.data
    assert response.mimetype == "text/xml"
    return ElementTree.fromstring(response.data)


@pytest.fixture
def call(twilio):
    sid = new_sid("CA")

    def step(path: str, **params):
        return xml(twilio(path, {"CallSid": sid, "From": params.pop("caller", "+13105550150"), "To": "+18885550100", **params}))

    return step


def test_unknown_caller_hears_language_menu_by_keypad_and_speech(call):
    root = call("/voice/incoming")
    gather = root.find("./Gather")
    assert gather.get("input") == "speech dtmf"
    says = gather.findall("./Say")
    assert len(says) == 11
    assert "press 1" in says[0].text and says[0].get("language") == "en-US"
    assert "oprima 2" in says[1].text and says[1].get("voice") == "Polly.Lupe-Neural"
    assert says[2].get("language") == "cmn-CN"
    assert "Khmer" in says[9].text  # no Khmer voice: offered in English


def test_member_is_greeted_in_stored_language(call):
    root = call("/voice/incoming", caller=MEMBER_ZH)
    gather = root.find("./Gather")
    assert gather.get("language") == "cmn-Hans-CN"
    assert gather.get("action").startswith("/voice/gather")
    say = gather.find("./Say")
    assert say.get("voice") == "Google.cmn-CN-Standard-A"
    assert "Cal MediConnect" in say.text and "Hello" not in say.text


def test_choosing_spanish_by_keypad_then_speech_turn(call, rasa):
    call("/voice/incoming")
    root = call("/voice/gather?step=language&turn=1", Digits="2")
    assert root.find("./Gather").get("language") == "es-US"
    rasa.answers = [{"custom": {"key": "plan_opt_out"}}]
    root = call("/voice/gather?step=talk&turn=2", SpeechResult="como me salgo del plan")
    assert rasa.sent[-1][1] == "como me salgo del plan"
    assert rasa.sent[-1][2]["channel"] == "voice" and rasa.sent[-1][2]["language"] == "es"
    assert "Medi-Cal" in root.find("./Gather/Say").text


def test_choosing_language_by_speech(call):
    call("/voice/incoming")
    root = call("/voice/gather?step=language&turn=1", SpeechResult="Spanish please")
    assert root.find("./Gather").get("language") == "es-US"


def test_keypad_menu_sends_the_intent(call, rasa):
    call("/voice/incoming", caller="+12135550101")
    call("/voice/gather?step=talk&turn=1", Digits="1")
    assert rasa.sent[-1][1] == "/benefit_overview"


def test_silence_reprompts_then_simpler_then_member_services(call):
    call("/voice/incoming", caller="+12135550101")
    first = call("/voice/gather?step=talk&turn=1")
    assert "did not hear" in ElementTree.tostring(first, encoding="unicode")
    second = call("/voice/gather?step=talk&turn=2")
    assert "0 for a person" in second.find("./Gather/Say").text
    third = call("/voice/gather?step=talk&turn=3")
    assert third.find("./Dial/Number").text == "+18885550100"


def test_star_repeats_the_last_prompt(call):
    greeting = call("/voice/incoming", caller="+12135550101").find("./Gather/Say").text
    again = call("/voice/gather?step=talk&turn=1", Digits="*")
    assert again.find("./Gather/Say").text == greeting


def test_agent_request_dials_member_services_with_whisper(call, rasa):
    call("/voice/incoming", caller="+12135550101")
    rasa.answers = [{"custom": {"key": "agent", "transfer": "member_services"}}]
    root = call("/voice/gather?step=talk&turn=1", SpeechResult="I want a person")
    number = root.find("./Dial/Number")
    assert number.text == "+18885550100"
    assert "/voice/whisper" in number.get("url")


def test_emergency_speech_says_911_and_never_dials_it(call, rasa):
    call("/voice/incoming", caller="+12135550101")
    root = call("/voice/gather?step=talk&turn=1", SpeechResult="I have chest pain")
    spoken = " ".join(s.text for s in root.iter("Say"))
    assert "9 1 1" in spoken
    assert all(n.text != "911" for n in root.iter("Number"))
    assert root.find("./Dial/Number").text == "+18885550111"  # stays on the line with a nurse
    assert rasa.sent == []


def test_khmer_member_goes_to_member_services_with_interpreter(call):
    root = call("/voice/incoming", caller=MEMBER_KM)
    assert "interpreter" in root.find("./Say").text
    number = root.find("./Dial/Number")
    assert number.text == "+18885550100" and "lang=km" in number.get("url")


def outbox_rows(database, phone):
    from sqlalchemy import select

    from careline.db import session_scope
    from careline.models import Outbox

    with session_scope(database.database_url) as session:
        return [(r.purpose, r.language, r.body, r.same_day_update) for r in session.scalars(select(Outbox).where(Outbox.to_phone == phone))]


def test_khmer_caller_is_texted_in_khmer_once_per_call(twilio, database):
    from careline import catalog

    params = {"CallSid": "CAkm1", "From": MEMBER_KM, "To": "+18885550100"}
    first, again = twilio("/voice/incoming", params), twilio("/voice/incoming", params)  # Twilio retries
    assert first.data == again.data
    [(purpose, language, body, now)] = outbox_rows(database, MEMBER_KM)
    assert (purpose, language, now) == ("call_followup", "km", True)  # an answer to the call: not held for quiet hours
    assert body == catalog.text("call_followup_sms", "km", "sms") and "ភាសាខ្មែរ" in body


@pytest.mark.parametrize("digit, code", [("8", "hy"), ("9", "fa")])
def test_caller_choosing_a_language_without_voice_is_texted_in_it(call, database, digit, code):
    call("/voice/incoming", caller="+13105550161")
    root = call("/voice/gather?step=language&turn=1", caller="+13105550161", Digits=digit)
    assert root.find("./Dial/Number").text == "+18885550100"
    [(purpose, language, _, _)] = outbox_rows(database, "+13105550161")
    assert (purpose, language) == ("call_followup", code)


def test_withheld_number_is_transferred_without_a_text(twilio, database):
    root = xml(twilio("/voice/gather?step=language&turn=1", {"CallSid": "CAanon", "From": "anonymous", "To": "+18885550100", "Digits": "10"}))
    assert root.find("./Dial/Number").text == "+18885550100"
    assert outbox_rows(database, "anonymous") == []


def test_retried_turn_gets_the_same_twiml(twilio, rasa):
    params = {"CallSid": "CAsame", "From": "+12135550101", "SpeechResult": "dental"}
    first = twilio("/voice/gather?step=talk&turn=1", params)
    second = twilio("/voice/gather?step=talk&turn=1", params)
    assert first.data == second.data and len(rasa.sent) == 1


def test_rasa_down_on_voice_transfers_to_member_services(call, rasa):
    call("/voice/incoming", caller="+12135550101")
    rasa.down = True
    root = call("/voice/gather?step=talk&turn=1", SpeechResult="dental")
    assert "1-888-555-0100" in root.find("./Say").text
    assert root.find("./Dial/Number").text == "+18885550100"


def test_whisper_is_signed_and_names_the_language(twilio):
    root = xml(twilio("/voice/whisper?lang=km&reason=interpreter", {"CallSid": "CAw"}))
    assert "Khmer" in root.find("./Say").text


def test_read_backs_are_spoken_slowly(client, rasa, twilio):
    from xml.etree import ElementTree

    rasa.answers = [{"custom": {"key": "ride_booked", "params": {"code": "R 7 K 2 Q D", "when": "Tue, Dec 1, 9:00 AM", "count": "1"}}},
                    {"custom": {"key": "anything_else"}}]
    sid = "CA" + "1" * 32
    twilio("/voice/incoming", {"CallSid": sid, "From": "+12135550101"})
    root = ElementTree.fromstring(twilio("/voice/gather?step=talk&turn=1", {"CallSid": sid, "From": "+12135550101", "SpeechResult": "yes"}).data)
    booked, question = list(root.iter("Say"))
    assert booked.find("prosody").get("rate") == "85%" and "R 7 K 2 Q D" in booked.find("prosody").text
    assert booked.get("voice") and question.find("prosody") is None and question.text
