"""Settings, read once per process from the environment (a .env file may supply defaults)."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def load_dotenv(path: Path = ROOT / ".env") -> dict[str, str]:
    """Values from a .env file; the real environment always wins."""
    values: dict[str, str] = {}
    if path.exists():
        for line in path.read_text(encoding="utf-8").splitlines():
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                key, _, value = line.partition("=")
                values[key.strip()] = value.strip().strip("'\"")
    return values


@dataclass(frozen=True)
class Settings:
    database_url: str = f"sqlite:///{ROOT / 'var' / 'careline.db'}"
    port: int = 5000
    twilio_auth_token: str = "dev-auth-token"
    twilio_account_sid: str = ""
    operator_token: str = "dev-operator-token"
    public_base_url: str = ""
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = "http://127.0.0.1:5055"
    member_services_number: str = "+18885550100"
    nurse_line_number: str = "+18885550111"
    interpreter_number: str = "+18885550122"
    # The plan's own number (the one members call and text): caller ID of outbound calls and texts.
    plan_number: str = "+18885550100"
    # Key for the one-way hashes that stand in for phone numbers and call ids in logs and in Rasa.
    privacy_key: str = "dev-privacy-key"
    # Signs the nurse console's session cookie.
    secret_key: str = "dev-secret-key"
    # Password of the demo nurse account that `make run` seeds (development only).
    demo_nurse_password: str = "demo-nurse-password"
    demo_operator_password: str = "demo-operator-password"
    console_session_minutes: int = 30
    rasa_timeout_seconds: float = 8.0
    translate_timeout_seconds: float = 2.0
    extra: dict = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Settings":
        env = {**load_dotenv(), **(os.environ if environ is None else environ)}
        names = {
            "DATABASE_URL": "database_url",
            "TWILIO_AUTH_TOKEN": "twilio_auth_token",
            "TWILIO_ACCOUNT_SID": "twilio_account_sid",
            "OPERATOR_TOKEN": "operator_token",
            "PUBLIC_BASE_URL": "public_base_url",
            "RASA_URL": "rasa_url",
            "ACTION_SERVER_URL": "action_server_url",
            "MEMBER_SERVICES_NUMBER": "member_services_number",
            "NURSE_LINE_NUMBER": "nurse_line_number",
            "INTERPRETER_NUMBER": "interpreter_number",
            "PLAN_NUMBER": "plan_number",
            "PRIVACY_KEY": "privacy_key",
            "SECRET_KEY": "secret_key",
            "DEMO_NURSE_PASSWORD": "demo_nurse_password",
            "DEMO_OPERATOR_PASSWORD": "demo_operator_password",
        }
        values: dict = {attr: env[name] for name, attr in names.items() if env.get(name)}
        if env.get("PORT"):
            values["port"] = int(env["PORT"])
        if env.get("RASA_TIMEOUT_SECONDS"):
            values["rasa_timeout_seconds"] = float(env["RASA_TIMEOUT_SECONDS"])
        return cls(**values)

    def but(self, **changes) -> "Settings":
        return replace(self, **changes)


def display_phone(e164: str) -> str:
    """'+18885550100' -> '1-888-555-0100', the way members read US numbers."""
    digits = "".join(ch for ch in e164 if ch.isdigit())
    if len(digits) == 11 and digits.startswith("1"):
        return f"1-{digits[1:4]}-{digits[4:7]}-{digits[7:]}"
    return e164


def contact_numbers(settings: "Settings") -> dict[str, str]:
    """The phone numbers every member text may name ({member_services}, {nurse_line}), as displayed."""
    return {
        "member_services": display_phone(settings.member_services_number),
        "nurse_line": display_phone(settings.nurse_line_number),
    }
