"""Nurse line: warm transfer through the gateway, whisper, accept, no answer, callback; SMS callbacks."""
from __future__ import annotations

import json
from xml.etree import ElementTree

from sqlalchemy import select

from careline.db import session_scope
from careline.models import Handoff, OutboundRecord
from tests.conftest import new_sid

WARM = {"custom": {"key": "nurse_hold", "transfer": "nurse_warm",
                   "handoff": {"kind": "warm_transfer", "reason": "my ankle is swollen and hurts", "verified": False, "member_ref": None}}}


def xml(response):
    assert response.status_code == 200, response.data
    return ElementTree.fromstring(response.data)


def outbound(database):
    with session_scope(database.database_url) as session:
        return [(r.kind, r.to, json.loads(r.detail)) for r in session.scalars(select(OutboundRecord).order_by(OutboundRecord.id))]


def handoffs(database):
    with session_scope(database.database_url) as session:
        rows = session.scalars(select(Handoff).order_by(Handoff.id)).all()
        for row in rows:
            session.expunge(row)
        return rows


def start_call(twilio, rasa, caller="+12135550101", speech="I want to talk to a nurse"):
    sid = new_sid("CA")
    twilio("/voice/incoming", {"CallSid": sid, "From": caller})
    rasa.answers = [WARM]
    return sid, xml(twilio("/voice/gather?step=talk&turn=1", {"CallSid": sid, "From": caller, "SpeechResult": speech}))


def test_caller_waits_in_a_conference_with_a_hold_message_while_the_nurse_is_dialled(twilio, rasa, database):
    sid, root = start_call(twilio, rasa)
    assert "calling a nurse" in root.find("./Say").text
    conference = root.find("./Dial/Conference")
    assert conference.text.startswith("nurse-") and conference.get("startConferenceOnEnter") == "false"
    assert "/voice/nurse/hold" in conference.get("waitUrl")
    calls = outbound(database)
    assert [(kind, to) for kind, to, _ in calls] == [("call", "+18885550111")]  # English: no interpreter
    assert "/voice/nurse/whisper?handoff=" in calls[0][2]["url"] and calls[0][2]["timeout"] == 30
    handoff = handoffs(database)[0]
    assert (handoff.kind, handoff.status, handoff.call_sid, handoff.callback_number) == ("warm_transfer", "ringing", sid, "+12135550101")
    hold = xml(twilio(conference.get("waitUrl"), {"CallSid": sid}))
    assert "nurse will be with you" in hold.find("./Say").text


def test_nurse_hears_the_whisper_and_accepts(twilio, rasa, database):
    start_call(twilio, rasa)
    handoff = handoffs(database)[0]
    whisper = xml(twilio(f"/voice/nurse/whisper?handoff={handoff.id}", {"CallSid": "CAnurse"}))
    said = whisper.find("./Gather/Say").text
    assert "Not verified" in said and "English" in said and "ankle is swollen" in said and "Press 1" in said
    assert "2 1 3, 5 5 5, 0 1 0 1" in said  # callback number, spoken digit by digit
    assert len(said.split()) / 2.5 < 20  # under 20 seconds at 150 words a minute
    joined = xml(twilio(f"/voice/nurse/answer?handoff={handoff.id}", {"CallSid": "CAnurse", "Digits": "1"}))
    assert joined.find("./Dial/Conference").text == f"nurse-{handoff.id}"
    assert joined.find("./Dial/Conference").get("startConferenceOnEnter") == "true"
    assert handoffs(database)[0].status == "accepted"


def test_no_answer_in_30_seconds_offers_a_callback_in_the_members_language(twilio, rasa, database):
    sid, _ = start_call(twilio, rasa, caller="+12135550102", speech="quiero hablar con una enfermera")
    handoff = handoffs(database)[0]
    assert [(kind, to) for kind, to, _ in outbound(database)] == [("call", "+18885550111"), ("call", "+18885550122")]  # + interpreter
    twilio(f"/voice/nurse/status?handoff={handoff.id}", {"CallSid": "CAnurse", "CallStatus": "no-answer"})
    redirect = outbound(database)[-1]
    assert redirect[0] == "redirect" and redirect[1] == sid and "/voice/nurse/missed" in redirect[2]["url"]
    missed = xml(twilio(f"/voice/nurse/missed?handoff={handoff.id}", {"CallSid": sid}))
    assert missed.find("./Gather").get("language") == "es-US" and "30 minutos" in missed.find("./Gather/Say").text
    done = xml(twilio(f"/voice/nurse/callback?handoff={handoff.id}", {"CallSid": sid, "Digits": "1"}))
    assert "30 minutos" in done.find("./Say").text
    row = handoffs(database)[0]
    assert (row.kind, row.status) == ("callback", "callback_queued")


def test_decline_is_treated_like_no_answer(twilio, rasa, database):
    sid, _ = start_call(twilio, rasa)
    handoff = handoffs(database)[0]
    twilio(f"/voice/nurse/answer?handoff={handoff.id}", {"CallSid": "CAnurse", "Digits": "2"})
    assert handoffs(database)[0].status == "missed"
    assert outbound(database)[-1][0] == "redirect"
    # A late status callback changes nothing more.
    twilio(f"/voice/nurse/status?handoff={handoff.id}", {"CallSid": "CAnurse", "CallStatus": "completed"})
    assert len([r for r in outbound(database) if r[0] == "redirect"]) == 1


def test_gateway_failure_still_reaches_a_nurse(database, rasa, twilio):
    from ivr import create_app
    from ivr.signing import twilio_signature
    from tests.conftest import AUTH_TOKEN

    class BrokenGateway:
        def call(self, *args, **kwargs):
            raise ConnectionError("twilio unreachable")

    app = create_app(database, rasa=rasa, gateway=BrokenGateway())
    client = app.test_client()
    rasa.answers = [WARM]
    params = {"CallSid": "CAbroken", "From": "+12135550101", "SpeechResult": "nurse please"}
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, "http://localhost/voice/gather?step=talk&turn=1", params)}
    root = xml(client.post("/voice/gather?step=talk&turn=1", data=params, headers=headers))
    assert root.find("./Dial/Number").text == "+18885550111"


def test_sms_nurse_callback_is_queued_with_the_number_that_texted(text, rasa, database):
    rasa.answers = [{"custom": {"key": "nurse_callback_offer", "offer": "nurse_callback"}}]
    offer = text("I have a fever and feel dizzy", phone="+13105550160")
    assert "YES" in offer and "30 minutes" in offer
    rasa.answers = [{"custom": {"key": "nurse_callback_queued", "handoff": {"kind": "callback", "reason": "I have a fever and feel dizzy", "verified": False, "member_ref": None}}}]
    confirmed = text("yes", phone="+13105550160")
    assert "within 30 minutes" in confirmed
    row = handoffs(database)[0]
    assert (row.kind, row.status, row.channel, row.callback_number, row.reason_english) == ("callback", "callback_queued", "sms", "+13105550160", "I have a fever and feel dizzy")


def test_handoff_carries_the_conversation_and_earlier_red_flags(text, rasa, database):
    phone = "+13105550161"
    assert "911" in text("my chest hurts", phone=phone)  # screened: never reaches Rasa
    rasa.answers = [{"custom": {"key": "nurse_callback_offer", "offer": "nurse_callback"}}]
    text("can a nurse call me", phone=phone)
    rasa.answers = [{"custom": {"key": "nurse_callback_queued", "handoff": {"kind": "callback", "reason": "can a nurse call me", "verified": False, "member_ref": None}}}]
    text("yes", phone=phone)
    row = handoffs(database)[0]
    assert row.red_flags == "found earlier: emergency"
    lines = json.loads(row.conversation)
    assert ["member", "can a nurse call me"] in lines
    assert any(speaker == "assistant" and "within 30 minutes" in said for speaker, said in lines)


def test_caller_hanging_up_on_hold_becomes_a_callback_and_the_nurse_is_told(twilio, rasa, database):
    sid, root = start_call(twilio, rasa)
    handoff = handoffs(database)[0]
    assert "/voice/nurse/conference-status" in root.find("./Dial/Conference").get("statusCallback")
    twilio(f"/voice/nurse/conference-status?handoff={handoff.id}", {"CallSid": sid, "StatusCallbackEvent": "participant-leave", "ConferenceSid": "CF1"})
    row = handoffs(database)[0]
    assert (row.kind, row.status) == ("callback", "callback_queued")
    late = xml(twilio(f"/voice/nurse/whisper?handoff={handoff.id}", {"CallSid": "CAnurse"}))
    assert "no longer waiting" in late.find("./Say").text


def test_two_transfer_requests_in_one_call_dial_the_nurse_once(twilio, rasa, database):
    sid, first = start_call(twilio, rasa)
    again = xml(twilio("/voice/gather?step=talk&turn=2", {"CallSid": sid, "From": "+12135550101", "SpeechResult": "nurse nurse"}))
    assert again.find("./Dial/Conference").text == first.find("./Dial/Conference").text
    assert len(handoffs(database)) == 1 and len([r for r in outbound(database) if r[0] == "call"]) == 1


def test_forged_status_callback_is_refused(twilio, rasa, database):
    start_call(twilio, rasa)
    handoff = handoffs(database)[0]
    response = twilio(f"/voice/nurse/status?handoff={handoff.id}", {"CallSid": "CAnurse", "CallStatus": "no-answer"}, token="forged")
    assert response.status_code == 403
    assert handoffs(database)[0].status == "ringing"
