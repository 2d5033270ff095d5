"""Faults with the real processes. Named to run last: it stops the shared action server."""
from __future__ import annotations

import os
import signal

import pytest

from tests.e2e.test_conversations import Texter

pytestmark = pytest.mark.e2e


def test_action_server_down_gives_safe_message(live_client, stack):
    _, child = next((n, c) for n, c in stack.children if n == "actions")
    os.killpg(child.pid, signal.SIGTERM)
    child.wait(timeout=10)
    body = Texter(live_client, "+13105550308")("is dental covered")
    assert "1-888-555-0100" in body and "911" in body
