"""The data layer on both databases: SQLite (embedded default) and PostgreSQL (DATABASE_URL).

PostgreSQL tests use a throw-away database on 127.0.0.1:5432 (trust auth); they are skipped, with the
reason, where no server answers.
"""
from __future__ import annotations

import pytest
from sqlalchemy import select

from careline.config import Settings
from careline.db import migrate, pseudonym, session_scope
from careline.models import BenefitText, Consent, HealthClass, Member
from careline.seed import seed
from ivr.store import Store


@pytest.fixture(params=["sqlite", "postgresql"])
def db_settings(request, tmp_path) -> Settings:
    url = f"sqlite:///{tmp_path / 'layer.db'}" if request.param == "sqlite" else request.getfixturevalue("postgres_url")
    settings = Settings(database_url=url, privacy_key="layer-key")
    migrate(url)
    return settings


def test_migrate_and_seed_are_repeatable_and_keep_operator_edits(db_settings):
    first = seed(db_settings)
    assert first["members"] >= 11 and first["benefit_texts"] >= 9 * 11 and first["classes"] >= 1
    with session_scope(db_settings.database_url) as session:
        row = session.scalars(select(BenefitText).where(BenefitText.benefit_code == "dental", BenefitText.language == "en")).one()
        row.limits = "Edited by an operator."
    migrate(db_settings.database_url)
    assert seed(db_settings) == {"members": 0, "benefits": 0, "benefit_texts": 0, "classes": 0, "nurses": 0, "caregivers": 0}
    with session_scope(db_settings.database_url) as session:
        assert session.scalar(select(BenefitText.limits).where(BenefitText.benefit_code == "dental", BenefitText.language == "en")) == "Edited by an operator."
        member = session.scalars(select(Member).where(Member.member_number == "900000003")).one()
        assert member.phone_hash == pseudonym(member.phone, "layer-key") and member.language == "zh"
        assert session.scalar(select(HealthClass.id).limit(1)) is not None


def test_delivery_claim_is_once_only(db_settings):
    store = Store(db_settings.database_url)
    assert store.claim("sms:SMonce") is None
    store.remember("sms:SMonce", "<Response/>")
    assert store.claim("sms:SMonce") == "<Response/>"


def test_conversation_and_member_language_in_one_read(db_settings):
    seed(db_settings)
    store = Store(db_settings.database_url)
    store.claim("sms:SMconv")
    state, stored = store.load("sms-abc", "sms", pseudonym("+12135550102", "layer-key"))
    assert stored == "es" and state["language"] is None
    state.update(language="es", language_source="stored", keypad_menu={"1": "/help"})
    store.save_conversation(state)
    store.remember("sms:SMconv", "<Response/>")
    again, _ = store.load("sms-abc", "sms", None)
    assert again["language"] == "es" and again["keypad_menu"] == {"1": "/help"}


def test_consent_history_latest_wins(db_settings):
    store = Store(db_settings.database_url)
    store.record_consent("hash1", "opted_out", "keyword")
    store.record_consent("hash1", "help", "keyword")
    assert store.consent_status("hash1") == "opted_out"
    store.record_consent("hash1", "opted_in", "keyword")
    assert store.consent_status("hash1") == "opted_in"
    with session_scope(db_settings.database_url) as session:
        assert len(session.scalars(select(Consent)).all()) == 3
