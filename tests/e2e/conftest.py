"""The real Rasa server and action server on the trained model, sharing a fresh database with the webhook."""
from __future__ import annotations

import pytest

from careline.config import Settings
from careline.db import migrate
from careline.processes import Stack, base_env
from careline.seed import seed
from ivr import create_app
from tests.conftest import AUTH_TOKEN, OPERATOR_TOKEN

RASA_PORT, ACTION_PORT = 15005, 15055


@pytest.fixture(scope="session")
def e2e_settings(tmp_path_factory) -> Settings:
    path = tmp_path_factory.mktemp("e2e") / "e2e.db"
    settings = Settings(database_url=f"sqlite:///{path}", twilio_auth_token=AUTH_TOKEN, operator_token=OPERATOR_TOKEN,
                        privacy_key="e2e-privacy-key", rasa_url=f"http://127.0.0.1:{RASA_PORT}",
                        action_server_url=f"http://127.0.0.1:{ACTION_PORT}", rasa_timeout_seconds=20)
    migrate(settings.database_url)
    seed(settings)
    return settings


@pytest.fixture(scope="session")
def stack(e2e_settings):
    env = base_env(DATABASE_URL=e2e_settings.database_url, PRIVACY_KEY=e2e_settings.privacy_key)
    running = Stack(env, rasa_port=RASA_PORT, action_port=ACTION_PORT, webhook_port=None, quiet=True).start(timeout=240)
    yield running
    running.stop()


@pytest.fixture
def live_app(stack, e2e_settings):
    return create_app(e2e_settings)


@pytest.fixture
def live_client(live_app):
    return live_app.test_client()
