"""Whole conversations through the signed webhook, the real Rasa server, the action server and the DB."""
from __future__ import annotations

import uuid
from xml.etree import ElementTree

import pytest
from sqlalchemy import select

from careline.db import session_scope
from careline.models import AuditEntry, BenefitText
from ivr.signing import twilio_signature
from tests.conftest import AUTH_TOKEN

pytestmark = pytest.mark.e2e


def signed(client, path: str, params: dict) -> ElementTree.Element:
    headers = {"X-Twilio-Signature": twilio_signature(AUTH_TOKEN, "http://localhost" + path, params)}
    response = client.post(path, data=params, headers=headers)
    assert response.status_code == 200 and response.mimetype == "text/xml", response.data
    return ElementTree.fromstring(response.data)


class Texter:
    def __init__(self, client, phone: str):
        self.client, self.phone = client, phone

    def __call__(self, body: str) -> str:
        root = signed(self.client, "/sms/incoming", {"From": self.phone, "Body": body, "MessageSid": f"SM{uuid.uuid4().hex}"})
        return root.find("./Message").text


class Caller:
    def __init__(self, client, phone: str):
        self.client, self.phone, self.sid, self.turn = client, phone, f"CA{uuid.uuid4().hex}", 0

    def post(self, path: str, **params) -> ElementTree.Element:
        return signed(self.client, path, {"CallSid": self.sid, "From": self.phone, **params})

    def answer(self, **params) -> ElementTree.Element:
        self.turn += 1
        return self.post(f"/voice/gather?step=talk&turn={self.turn}", **params)


def spoken(root) -> str:
    return " ".join("".join(s.itertext()) for s in root.iter("Say"))  # a read-back's words sit in <prosody>


def test_sms_english_dental_then_opting_out(live_client):
    member = Texter(live_client, "+13105550301")
    assert "Cal MediConnect" in member("hi")
    dental = member("is dental covered")
    assert "cleanings" in dental and "Dental" in dental
    opt_out = member("how do i opt out of cal mediconnect")
    assert "Medi-Cal health plan" in opt_out and "long-term services" in opt_out


def test_sms_spanish_member_dental_and_opt_out(live_client):
    member = Texter(live_client, "+12135550102")  # stored language: Spanish
    dental = member("cubren el dentista?")
    assert "Dental" in dental and "limpieza" in dental.lower()
    opt_out = member("como me salgo de cal mediconnect")
    assert "Medi-Cal" in opt_out and "You can" not in opt_out


def test_sms_chinese_unknown_texter_dental_and_opt_out(live_client):
    texter = Texter(live_client, "+13105550303")
    dental = texter("牙科保险包括什么")
    assert dental.startswith("牙科") and "cleanings" not in dental
    opt_out = texter("我想退出 Cal MediConnect 怎么办")
    assert "Medi-Cal" in opt_out and "退出" in opt_out


def test_operator_changes_a_benefit_and_the_assistant_says_the_new_thing(live_client, e2e_settings):
    with session_scope(e2e_settings.database_url) as session:
        row = session.scalars(select(BenefitText).where(BenefitText.benefit_code == "vision", BenefitText.language == "en")).one()
        row.limits = "1 eye exam and 1 pair of glasses every year, up to $150 for frames."
    assert "$150" in Texter(live_client, "+13105550304")("do you cover eyeglasses")


def test_identification_by_caller_id_then_doctor(live_client, e2e_settings):
    member = Texter(live_client, "+12135550101")
    ask = member("who is my doctor")
    assert "date of birth" in ask and "Maria Sample" not in ask
    assert "does not match" in member("01/01/1950")
    answer = member("03/14/1948")
    assert "verified" in answer and "Dr. Maria Sample" in answer
    with session_scope(e2e_settings.database_url) as session:
        assert session.scalars(select(AuditEntry.action).where(AuditEntry.member_id.is_not(None))).all()[:2] == ["identified", "viewed"]


def test_identification_by_member_id_and_three_failures(live_client):
    stranger = Texter(live_client, "+13105550305")
    assert "member ID" in stranger("who is my primary care doctor")
    assert "does not look like a member ID" in stranger("12345")
    assert "date of birth" in stranger("900000003")
    assert "does not match" in stranger("01/01/1960")
    final = stranger("02/02/1961")
    assert "could not confirm" in final and "1-888-555-0100" in final and "Wen Yangben" not in final


def test_topic_switch_and_cancel_during_identification(live_client):
    member = Texter(live_client, "+12135550112")
    assert "date of birth" in member("who is my doctor")
    switched = member("is dental covered")
    assert "cleanings" in switched and "date of birth" in switched  # answered, then back to the question
    assert "stopped" in member("never mind")


def test_low_confidence_rephrase_once_then_member_services(live_client):
    texter = Texter(live_client, "+13105550306")
    assert "another way" in texter("asdf jkl")
    assert "1-888-555-0100" in texter("qwerty uiop")


def test_language_switch_by_text(live_client):
    texter = Texter(live_client, "+13105550307")
    texter("hello")
    switched = texter("can you speak korean")
    assert "한국어" in switched


def test_language_switch_after_identification_is_saved_for_next_time(live_client, e2e_settings):
    """Ben (English on file) is identified, asks for Spanish: the answer is in Spanish, his next call is
    greeted in Spanish, and asking for English by voice switches him back."""
    from careline.models import Member

    def stored() -> str:
        with session_scope(e2e_settings.database_url) as session:
            return session.scalar(select(Member.language).where(Member.member_number == "900000012"))

    ben = Texter(live_client, "+12135550112")
    try:
        assert "date of birth" in ben("who is my doctor")
        assert "Dr. Sam Placeholder" in ben("10/01/1950")
        assert "español" in ben("en español por favor").lower()
        assert stored() == "es"
        caller = Caller(live_client, "+12135550112")
        greeting = caller.post("/voice/incoming")
        assert greeting.find("./Gather").get("language") == "es-US"
        caller.answer(SpeechResult="in English please")
        # An unidentified call changes the call's language but not the record.
        assert stored() == "es"
        # Back in the identified SMS conversation, English is asked for and saved.
        assert "English" in ben("in English please")
        assert stored() == "en"
    finally:
        with session_scope(e2e_settings.database_url) as session:
            session.get(Member, session.scalar(select(Member.id).where(Member.member_number == "900000012"))).language = "en"


@pytest.mark.parametrize("digit, speech, language, expected", [
    ("1", "is dental covered", "en-US", "cleanings"),
    ("2", "el plan cubre el dentista", "es-US", "Dental"),
    ("3", "牙科包括什么", "cmn-Hans-CN", "牙"),
])
def test_voice_language_menu_then_dental(live_client, digit, speech, language, expected):
    caller = Caller(live_client, "+13105550400")
    assert len(caller.post("/voice/incoming").findall("./Gather/Say")) == 11
    greeting = caller.post("/voice/gather?step=language&turn=1", Digits=digit)
    assert greeting.find("./Gather").get("language") == language
    caller.turn = 1
    answer = caller.answer(SpeechResult=speech)
    assert expected in spoken(answer)
    assert answer.find("./Gather").get("language") == language


@pytest.mark.parametrize("phone, speech, expected", [
    ("+12135550101", "how do I opt out", "Medi-Cal health plan"),
    ("+12135550102", "como me salgo de cal mediconnect", "Medi-Cal"),
    ("+12135550103", "我想退出这个计划", "Medi-Cal"),
])
def test_voice_member_greeted_in_language_then_opt_out(live_client, phone, speech, expected):
    caller = Caller(live_client, phone)
    caller.post("/voice/incoming")
    assert expected in spoken(caller.answer(SpeechResult=speech))


def test_voice_keypad_benefits_menu_then_dental(live_client):
    caller = Caller(live_client, "+12135550101")
    caller.post("/voice/incoming")
    overview = caller.answer(Digits="1")
    assert "press 1" in spoken(overview).lower()
    assert "cleanings" in spoken(caller.answer(Digits="1"))


def test_healthz_all_up(live_client):
    response = live_client.get("/healthz")
    assert response.status_code == 200, response.get_json()


def _first_example(code: str, intent: str) -> str:
    import yaml

    from careline.config import ROOT

    for path in sorted((ROOT / "nlu_data" / code).glob("*.yml")):
        for item in yaml.safe_load(path.read_text(encoding="utf-8"))["nlu"]:
            if item["intent"] == intent:
                return item["examples"].splitlines()[0].lstrip("- ").strip()
    raise AssertionError(f"no {intent} example in {code}")


ALL_LANGUAGES = ["en", "es", "zh", "ko", "vi", "tl", "ru", "hy", "fa", "km", "ar"]


@pytest.mark.parametrize("code", ALL_LANGUAGES)
def test_sms_dental_question_answered_in_each_language(live_client, code):
    """A member on file texts in their own language and reads the plan's dental benefit in it."""
    from careline.seed import benefit_texts

    phone = f"+121355501{ALL_LANGUAGES.index(code) + 1:02d}"
    body = Texter(live_client, phone)(_first_example(code, "benefit_dental"))
    assert benefit_texts(code)["dental"]["name"] in body


@pytest.mark.parametrize("code", [c for c in ALL_LANGUAGES if c not in ("hy", "fa", "km")])
def test_voice_menu_reaches_each_language_with_a_voice(live_client, code):
    from careline.languages import languages

    language = languages()[code]
    caller = Caller(live_client, "+13105550500")
    caller.post("/voice/incoming")
    greeting = caller.post("/voice/gather?step=language&turn=1", Digits=language.digit)
    assert greeting.find("./Gather").get("language") == language.speech
    assert greeting.find("./Gather/Say").get("voice") == language.voice
    caller.turn = 1
    answer = caller.answer(SpeechResult=_first_example(code, "plan_opt_out"))
    from careline import catalog

    assert catalog.text("plan_opt_out", code, "voice") in spoken(answer)


def test_sms_nurse_callback_through_the_real_dialogue(live_client, e2e_settings):
    from careline.models import Handoff

    texter = Texter(live_client, "+12135550102")  # Spanish-speaking member on file
    offer = texter("quiero hablar con una enfermera")
    assert "YES" in offer and "30 minutos" in offer
    confirmed = texter("si por favor")
    assert "30 minutos" in confirmed
    with session_scope(e2e_settings.database_url) as session:
        row = session.scalars(select(Handoff).where(Handoff.callback_number == "+12135550102")).one()
        assert (row.kind, row.status, row.language) == ("callback", "callback_queued", "es")
        assert "enfermera" in row.reason
        import json

        lines = json.loads(row.conversation)  # read back from Rasa's tracker: the member's words, our lines in English
        assert ["member", "quiero hablar con una enfermera"] in lines
        assert any(speaker == "assistant" and "nurse" in said.lower() for speaker, said in lines)


def test_voice_nurse_request_waits_in_a_conference(live_client, e2e_settings):
    caller = Caller(live_client, "+12135550112")
    caller.post("/voice/incoming")
    root = caller.answer(SpeechResult="I need to talk to a nurse")
    assert root.find("./Dial/Conference").text.startswith("nurse-")
    assert "calling a nurse" in spoken(root)
