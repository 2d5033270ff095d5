"""Client of the Rasa server: the REST channel for turns, /model/parse for the operator API."""
from __future__ import annotations

import logging

import requests

log = logging.getLogger(__name__)


class RasaUnavailable(RuntimeError):
    """Rasa (or the action server behind it) did not answer in time or answered with an error."""


class RasaClient:
    def __init__(self, base_url: str, timeout: float = 8.0):
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self._http = requests.Session()

    def send(self, sender: str, text: str, metadata: dict) -> list[dict]:
        """One member turn; returns the bot messages of that turn."""
        try:
            response = self._http.post(
                f"{self.base_url}/webhooks/rest/webhook",
                json={"sender": sender, "message": text, "metadata": metadata},
                timeout=self.timeout,
            )
        except requests.RequestException as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        if response.status_code != 200:
            raise RasaUnavailable(f"HTTP {response.status_code}")
        messages = response.json()
        # Every rule answers something: an empty turn means a custom action failed (action server
        # down, database error) and Rasa swallowed it.
        if not messages:
            raise RasaUnavailable("empty turn")
        return messages

    def parse(self, text: str) -> dict:
        """Intent and confidence for a text, without touching any conversation."""
        try:
            response = self._http.post(f"{self.base_url}/model/parse", json={"text": text}, timeout=self.timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        return response.json()

    def events(self, sender: str) -> list[dict]:
        """The conversation's events so far (for the nurse's handoff context)."""
        try:
            response = self._http.get(f"{self.base_url}/conversations/{sender}/tracker", params={"include_events": "ALL"}, timeout=self.timeout)
            response.raise_for_status()
        except requests.RequestException as exc:
            raise RasaUnavailable(type(exc).__name__) from exc
        return response.json().get("events") or []

    def healthy(self) -> bool:
        try:
            return self._http.get(f"{self.base_url}/status", timeout=2).status_code == 200
        except requests.RequestException:
            return False
