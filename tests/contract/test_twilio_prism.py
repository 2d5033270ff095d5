"""Contract test: the real twilio.rest.Client, through our gateway, against Twilio's OpenAPI spec.

Stoplight Prism (npm @stoplight/prism-cli@5.14.2) serves the spec that ships in @twilio-alpha/mcp@0.7.0
and rejects (422) any request that does not match it. `make test` installs both into .tools/.
"""
from __future__ import annotations

import socket
import subprocess
import time

import pytest

from careline.config import ROOT
from careline.gateway import TwilioTransport

TOOLS = ROOT / ".tools" / "node_modules"
PRISM = TOOLS / ".bin" / "prism"
SPEC = TOOLS / "@twilio-alpha" / "mcp" / "twilio-oai" / "spec" / "json" / "twilio_api_v2010.json"
PORT = 14010

pytestmark = pytest.mark.skipif(not (PRISM.exists() and SPEC.exists()), reason="Prism and the Twilio spec are not installed in .tools/ (make test installs them with npm)")


@pytest.fixture(scope="module")
def prism():
    process = subprocess.Popen([str(PRISM), "mock", "-p", str(PORT), "-h", "127.0.0.1", str(SPEC)], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", PORT), timeout=1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"prism exited: {process.stdout.read()[-500:]}")
            time.sleep(0.5)
    else:
        process.kill()
        pytest.fail("prism did not start in 90 s")
    yield f"http://127.0.0.1:{PORT}"
    process.terminate()
    process.wait(timeout=10)


@pytest.fixture
def gateway(prism):
    from twilio.rest import Client

    client = Client("AC" + "0" * 32, "contract-test-token")
    client.api.base_url = prism
    return TwilioTransport("AC" + "0" * 32, "contract-test-token", "+18885550100", client=client)


def test_dialling_the_nurse_matches_the_spec(gateway):
    sid = gateway.call("+18885550111", "https://assistant.example.org/voice/nurse/whisper?handoff=1",
                       "https://assistant.example.org/voice/nurse/status?handoff=1", timeout=30)
    assert sid.startswith("CA") and len(sid) == 34


def test_redirecting_the_callers_leg_matches_the_spec(gateway):
    gateway.redirect("CA" + "1" * 32, "https://assistant.example.org/voice/nurse/missed?handoff=1")


def test_sending_a_text_matches_the_spec(gateway):
    sid = gateway.send_sms("+12135550101", "A nurse will call you within 30 minutes.", "https://assistant.example.org/sms/status")
    assert sid.startswith("SM")
