"""SMS webhook: signature, dedupe, keywords, language, safety, failures."""
from __future__ import annotations

from xml.etree import ElementTree

from sqlalchemy import func, select

from careline.db import session_scope
from careline.models import Consent, SafetyEvent
from tests.conftest import new_sid

MEMBER_EN = "+12135550101"
MEMBER_ES = "+12135550102"


def test_unsigned_request_is_refused_and_nothing_happens(twilio, rasa):
    response = twilio("/sms/incoming", {"From": MEMBER_EN, "Body": "dental", "MessageSid": "SM1"}, signature="")
    assert response.status_code == 403
    assert rasa.sent == []


def test_wrong_signature_is_refused(twilio, rasa):
    response = twilio("/sms/incoming", {"From": MEMBER_EN, "Body": "dental", "MessageSid": "SM1"}, token="not-the-token")
    assert response.status_code == 403
    assert rasa.sent == []


def test_member_is_answered_in_stored_language_with_catalog_text(text, rasa):
    rasa.answers = [{"custom": {"key": "plan_opt_out"}}]
    body = text("opt out?", phone=MEMBER_ES)
    assert "Medi-Cal" in body and "Cal MediConnect" in body
    assert "You can opt out" not in body  # Spanish, not English
    sender, sent_text, metadata = rasa.sent[-1]
    assert metadata["language"] == "es" and metadata["channel"] == "sms"
    assert "2135550102" not in sender and "2135550102" not in str(metadata)


def test_same_message_sid_has_one_effect_and_the_same_reply(text, rasa):
    first = text("what is cal mediconnect", sid="SMdup1")
    second = text("what is cal mediconnect", sid="SMdup1")
    assert first == second
    assert len(rasa.sent) == 1


def test_stop_is_recorded_before_anything_else(text, rasa, database):
    body = text("STOP", phone=MEMBER_EN)
    assert "START" in body
    assert rasa.sent == []
    with session_scope(database.database_url) as session:
        assert session.scalars(select(Consent.status)).all() == ["opted_out"]


def test_start_after_stop_and_help(text, database):
    text("unsubscribe", phone=MEMBER_EN)
    assert "STOP" in text("START", phone=MEMBER_EN)
    assert "1-888-555-0100" in text("HELP", phone=MEMBER_EN)
    with session_scope(database.database_url) as session:
        assert session.scalars(select(Consent.status).order_by(Consent.id)).all() == ["opted_out", "opted_in", "help"]


def test_cancel_my_ride_is_a_request_not_an_opt_out(text, rasa, database):
    text("cancel my ride please", phone=MEMBER_EN)
    assert len(rasa.sent) == 1
    with session_scope(database.database_url) as session:
        assert session.scalar(select(func.count(Consent.id))) == 0


def test_emergency_answered_before_nlu_even_when_rasa_is_down(text, rasa, database):
    rasa.down = True
    body = text("my husband is not breathing", phone="+13105550111")
    assert "911" in body
    with session_scope(database.database_url) as session:
        event = session.scalars(select(SafetyEvent)).one()
        assert (event.category, event.channel, event.language) == ("emergency", "sms", "en")


def test_crisis_gets_988_in_spanish(text):
    body = text("ya no quiero vivir", phone=MEMBER_ES)
    assert "988" in body


def test_rasa_down_gives_safe_message_with_member_services(text, rasa):
    rasa.down = True
    body = text("what about dental", phone=MEMBER_EN)
    assert "1-888-555-0100" in body and "911" in body


def test_unknown_texter_in_spanish_is_answered_in_spanish(text, rasa):
    rasa.answers = [{"custom": {"key": "welcome"}}]
    body = text("hola necesito ayuda con mi plan", phone="+13105550123")
    assert rasa.sent[-1][2]["language"] == "es"
    assert "Cal MediConnect" in body and "What do you need" not in body


def test_unknown_short_text_defaults_to_english_with_switch_hint(text, rasa):
    rasa.answers = [{"custom": {"key": "welcome"}}]
    body = text("1", phone="+13105550124")
    assert "Español" in body and "中文" in body


def test_chinese_text_is_identified(text, rasa):
    rasa.answers = [{"custom": {"key": "welcome"}}]
    text("我想看牙醫", phone="+13105550125")
    assert rasa.sent[-1][2]["language"] == "zh"


def test_hostile_input_keeps_twiml_valid(twilio, rasa):
    for body in ["<script>&]]>", "\x00\x07\x1b[31m", "😀🚑", "x" * 10_000, ""]:
        response = twilio("/sms/incoming", {"From": "+13105550126", "Body": body, "MessageSid": new_sid("SM")})
        assert response.status_code == 200
        message = ElementTree.fromstring(response.data).find("./Message")
        assert message is not None and message.text


def test_missing_parameters_still_get_an_answer(twilio):
    response = twilio("/sms/incoming", {})
    assert response.status_code == 200
    assert ElementTree.fromstring(response.data).find("./Message").text


def test_database_unavailable_gives_safe_message(client, twilio, app):
    app.extensions["assistant"].store.url = "sqlite:////nonexistent-dir/locked.db"
    response = twilio("/sms/incoming", {"From": MEMBER_EN, "Body": "dental", "MessageSid": "SMx"})
    assert response.status_code == 200
    assert "1-888-555-0100" in ElementTree.fromstring(response.data).find("./Message").text


def test_public_base_url_is_used_for_the_signature(database, rasa):
    from ivr import create_app
    from ivr.signing import twilio_signature

    app = create_app(database.but(public_base_url="https://assistant.example.org"), rasa=rasa)
    params = {"From": MEMBER_EN, "Body": "hi", "MessageSid": "SMproxy"}
    good = twilio_signature(database.twilio_auth_token, "https://assistant.example.org/sms/incoming", params)
    assert app.test_client().post("/sms/incoming", data=params, headers={"X-Twilio-Signature": good}).status_code == 200
    local = twilio_signature(database.twilio_auth_token, "http://localhost/sms/incoming", params)
    assert app.test_client().post("/sms/incoming", data={**params, "MessageSid": "SMproxy2"}, headers={"X-Twilio-Signature": local}).status_code == 403


def _google(translations: dict[str, str]):
    import httpx

    from careline.translation import MachineTranslator
    from tests.test_translation import google_reply

    def handler(request):
        body = request.content.decode()
        for needle, answer in translations.items():
            if needle in body:
                return httpx.Response(200, text=google_reply(answer, "fr"))
        return httpx.Response(200, text=google_reply("?", "fr"))

    return lambda url: MachineTranslator(url, transport=httpx.MockTransport(handler))


def test_language_outside_the_eleven_gets_english_translation_and_interpreter(database, rasa):
    from ivr import create_app
    from ivr.signing import twilio_signature
    from tests.conftest import AUTH_TOKEN

    translator = _google({"dentiste": "Does my plan cover the dentist?", "Dental": "Dentaire : nettoyages"})(database.database_url)
    app = create_app(database, rasa=rasa, translator=translator)
    rasa.answers = [{"custom": {"key": "benefit_detail", "params": {"name": "Dental", "covered": "Cleanings.", "limits": "2 a year.", "how_to_use": "Show your card."}}}]
    params = {"From": "+13105550177", "Body": "Est-ce que mon plan couvre le dentiste?", "MessageSid": "SMfr"}
    response = app.test_client().post("/sms/incoming", data=params, headers={"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, "http://localhost/sms/incoming", params)})
    body = ElementTree.fromstring(response.data).find("./Message").text
    assert rasa.sent[-1][1] == "Does my plan cover the dentist?" and rasa.sent[-1][2]["language"] == "en"
    assert "Dental: Cleanings." in body and "interpreter" in body
    assert "Machine translation" in body and "Dentaire" in body


def test_language_outside_the_eleven_without_google_still_answers(text, rasa):
    body = text("Guten Tag, ich brauche einen Arzt für meine Mutter", phone="+13105550178")
    assert "interpreter" in body and "1-888-555-0100" in body
    assert rasa.sent == []
