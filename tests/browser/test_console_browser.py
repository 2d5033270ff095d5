"""The nurse console in a real headless browser (Debian's chromium, driven by Playwright)."""
from __future__ import annotations

import shutil
import threading
import time

import pytest

from careline.db import session_scope
from careline.models import Handoff
from tests.ivr.test_console import add_handoff

playwright = pytest.importorskip("playwright.sync_api")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (make test installs it with apt-get)")
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


@pytest.fixture
def live_server(app):
    from waitress.server import create_server

    server = create_server(app, host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


def test_nurse_signs_in_sees_a_new_transfer_appear_and_accepts_it(live_server, database):
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_server}/console/")
            assert "/console/login" in page.url  # no data before signing in
            page.fill("input[name=username]", "nurse.demo")
            page.fill("input[name=password]", "demo-nurse-password")
            page.click("button[type=submit]")
            page.wait_for_selector("#empty:not([hidden])")
            handoff_id = add_handoff(database)  # a member asks for a nurse while the page is open
            row = page.wait_for_selector(f"tr[data-handoff='{handoff_id}']", timeout=10_000)
            text = row.inner_text()
            assert "tengo fiebre" in text and "Machine translation: I have a fever" in text and "Benito Ficticio" in text
            row.query_selector("button").click()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                with session_scope(database.database_url) as session:
                    if session.get(Handoff, handoff_id).status == "accepted":
                        break
                time.sleep(0.2)
            with session_scope(database.database_url) as session:
                assert session.get(Handoff, handoff_id).status == "accepted"
            page.wait_for_selector(f"tr[data-handoff='{handoff_id}'] button:has-text('Complete')", timeout=10_000)
        finally:
            browser.close()


def test_operator_sees_a_failed_text_and_resends_it(live_server, database):
    from careline.models import Outbox

    with session_scope(database.database_url) as session:
        row = Outbox(dedupe_key="browser:f", purpose="class_reminder", to_phone="+12135550105", language="vi", body="nhắc",
                     status="failed", attempts=5, last_error="30003 unreachable")
        session.add(row)
        session.flush()
        row_id = row.id
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        try:
            page = browser.new_page()
            page.goto(f"{live_server}/console/login")
            page.fill("input[name=username]", "operator.demo")
            page.fill("input[name=password]", "demo-operator-password")
            page.click("button[type=submit]")
            page.click("a:has-text('Operations')")
            text_row = page.wait_for_selector("#texts tr:has-text('30003 unreachable')", timeout=10_000)
            assert "class_reminder" in text_row.inner_text() and "…0105" in text_row.inner_text()
            assert "+12135550105" not in page.content()
            page.wait_for_selector("#classes tbody tr td:has-text('/')")  # seats taken / capacity
            text_row.query_selector("button:has-text('Resend')").click()
            page.wait_for_selector("#texts tr:has-text('None.')", timeout=10_000)
            with session_scope(database.database_url) as session:
                assert session.get(Outbox, row_id).status == "pending"
        finally:
            browser.close()
