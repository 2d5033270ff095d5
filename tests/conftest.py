"""Fixtures: a fresh app on a temporary database per test, signed Twilio requests, a fake Rasa."""
from __future__ import annotations

import itertools
import os
import uuid

import pytest
from sqlalchemy import create_engine
from sqlalchemy import text as sql_text

from careline.config import Settings
from careline.db import migrate
from careline.seed import seed
from ivr import create_app
from ivr.signing import twilio_signature

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
AUTH_TOKEN = "test-auth-token"
OPERATOR_TOKEN = "test-operator-token"
BASE = "http://localhost"


class FakeRasa:
    """Stands in for the Rasa server in webhook tests: answers with the payloads it is given."""

    def __init__(self):
        self.sent: list[tuple[str, str, dict]] = []
        self.answers: list[dict] = [{"custom": {"key": "anything_else"}}]
        self.down = False
        self.parse_result = {"intent": {"name": "benefit_dental", "confidence": 0.93}}

    def send(self, sender, text, metadata):
        from ivr.rasa_client import RasaUnavailable

        if self.down:
            raise RasaUnavailable("down")
        self.sent.append((sender, text, metadata))
        return list(self.answers)

    def events(self, sender):
        """A tracker's events as Rasa would give them: each member message, then the bot's answers."""
        events = []
        for who, text, _ in self.sent:
            if who == sender:
                events.append({"event": "user", "text": text})
                events.extend({"event": "bot", "data": {"custom": answer["custom"]}} for answer in self.answers)
        return events

    def parse(self, text):
        from ivr.rasa_client import RasaUnavailable

        if self.down:
            raise RasaUnavailable("down")
        return self.parse_result

    def healthy(self):
        return not self.down


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings(
        database_url=f"sqlite:///{tmp_path / 'test.db'}",
        twilio_auth_token=AUTH_TOKEN,
        operator_token=OPERATOR_TOKEN,
        privacy_key="test-privacy-key",
        action_server_url="http://127.0.0.1:9",
    )


@pytest.fixture
def database(settings) -> Settings:
    migrate(settings.database_url)
    seed(settings)
    return settings


@pytest.fixture
def rasa() -> FakeRasa:
    return FakeRasa()


@pytest.fixture
def app(database, rasa):
    return create_app(database, rasa=rasa)


@pytest.fixture
def client(app):
    return app.test_client()


_sids = itertools.count(1)


def new_sid(prefix: str) -> str:
    return f"{prefix}{uuid.uuid4().hex}"


@pytest.fixture
def twilio(client):
    """Post a correctly signed Twilio webhook."""

    def post(path: str, params: dict[str, str], token: str = AUTH_TOKEN, signature: str | None = None):
        url = BASE + path
        headers = {"X-Twilio-Signature": signature if signature is not None else twilio_signature(token, url, params)}
        return client.post(path, data=params, headers=headers)

    return post


@pytest.fixture
def text(twilio):
    """Text the assistant from a phone number; returns the reply body."""
    from xml.etree import ElementTree

    def send(body: str, phone: str = "+13105550199", sid: str | None = None):
        response = twilio("/sms/incoming", {"From": phone, "To": "+18885550100", "Body": body, "MessageSid": sid or new_sid("SM")})
        assert response.status_code == 200, response.data
        assert response.mimetype == "text/xml"
        root = ElementTree.fromstring(response.data)
        messages = root.findall("./Message")
        assert len(messages) == 1
        return messages[0].text or ""

    return send


POSTGRES_ADMIN = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def postgres_url():
    try:
        admin = create_engine(POSTGRES_ADMIN, isolation_level="AUTOCOMMIT")
        with admin.connect() as connection:
            name = f"careline_test_{uuid.uuid4().hex[:8]}"
            connection.execute(sql_text(f"CREATE DATABASE {name}"))
    except Exception as exc:  # noqa: BLE001
        pytest.skip(f"PostgreSQL is not available at 127.0.0.1:5432 ({type(exc).__name__}); SQLite tests still ran")
    yield f"postgresql://postgres@127.0.0.1:5432/{name}"
    from careline.db import engine

    engine(f"postgresql://postgres@127.0.0.1:5432/{name}").dispose()
    with admin.connect() as connection:
        connection.execute(sql_text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
    admin.dispose()
