"""The Twilio webhook: voice and SMS in, TwiML out. `create_app` builds it; nothing runs at import."""
from __future__ import annotations

import logging

from flask import Flask

from careline.config import Settings


def create_app(settings: Settings | None = None, rasa=None, translator=None, gateway=None) -> Flask:
    """Build the webhook app. Tests pass their own settings and, if they like, a fake Rasa client."""
    import datetime as dt

    from ivr import api, console, nurse, operator_api, sms, voice
    from ivr.assistant import Assistant
    from ivr.rasa_client import RasaClient
    from ivr.store import Store

    settings = settings or Settings.from_env()
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = 64 * 1024
    app.config.update(SECRET_KEY=settings.secret_key, SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
                      PERMANENT_SESSION_LIFETIME=dt.timedelta(minutes=settings.console_session_minutes))
    store = Store(settings.database_url)
    app.extensions["assistant"] = Assistant(settings, store, rasa or RasaClient(settings.rasa_url, settings.rasa_timeout_seconds), translator, gateway)
    _warm_up()
    app.register_blueprint(voice.bp)
    app.register_blueprint(sms.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(operator_api.bp)
    app.register_blueprint(nurse.bp)
    app.register_blueprint(console.bp)
    logging.getLogger(__name__).info("webhook ready (database: %s)", settings.database_url.split(":", 1)[0])
    return app


def _warm_up() -> None:
    """Load langid's model and compile every language's patterns now, not on a member's first turn."""
    from careline.languages import identify
    from careline.safety import screen

    identify("warm up the language identifier")
    screen("warm up", "en")
