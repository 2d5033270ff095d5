"""Machine translation of free text (googletrans-py), behind a small interface.

Never used for the safety screen or the catalog. Google's public endpoint is often unreachable
(it is on our machines), so every call has a short timeout, results are cached in the database, and
a circuit breaker stops trying for a while after repeated failures; callers get None and carry on.
"""
from __future__ import annotations

import hashlib
import logging
import threading
import time
from dataclasses import dataclass

import httpx
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from careline.db import session_scope
from careline.models import TranslationCache

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Translation:
    text: str
    source: str
    target: str
    machine: bool = True  # always labelled as machine translation where a person reads it


class CircuitBreaker:
    """Open after `threshold` failures in a row; let one try through after `cooldown` seconds."""

    def __init__(self, threshold: int = 3, cooldown: float = 60.0, clock=time.monotonic):
        self.threshold, self.cooldown, self.clock = threshold, cooldown, clock
        self.failures = 0
        self.opened_at: float | None = None
        self._lock = threading.Lock()

    def allow(self) -> bool:
        with self._lock:
            return self.opened_at is None or self.clock() - self.opened_at >= self.cooldown

    def succeeded(self) -> None:
        with self._lock:
            self.failures, self.opened_at = 0, None

    def failed(self) -> None:
        with self._lock:
            self.failures += 1
            if self.failures >= self.threshold:
                self.opened_at = self.clock()


class MachineTranslator:
    def __init__(self, database_url: str, timeout: float = 2.0, breaker: CircuitBreaker | None = None, transport: httpx.BaseTransport | None = None):
        self.database_url = database_url
        self.timeout = timeout
        self.breaker = breaker or CircuitBreaker()
        self.transport = transport

    def _client(self):
        from googletrans import Translator

        translator = Translator(raise_exception=True, timeout=httpx.Timeout(self.timeout))
        translator.client = httpx.Client(transport=self.transport, timeout=httpx.Timeout(self.timeout),
                                         headers=dict(translator.client.headers))
        return translator

    def translate(self, text: str, target: str, source: str = "auto") -> Translation | None:
        """The translation of `text`, or None when it cannot be had quickly."""
        if not text.strip() or source == target:
            return Translation(text, source, target, machine=False)
        key = hashlib.sha256(text.encode()).hexdigest()
        cached = self._cached(source, target, key)
        if cached is not None:
            return Translation(cached, source, target)
        if not self.breaker.allow():
            return None
        try:
            result = self._client().translate(text, dest=target, src=source)
        except Exception as exc:  # noqa: BLE001 - any failure of an outside service is "no translation"
            self.breaker.failed()
            log.info("machine translation unavailable (%s)", type(exc).__name__)
            return None
        self.breaker.succeeded()
        self._store(source, target, key, result.text)
        return Translation(result.text, result.src or source, target)

    def _cached(self, source: str, target: str, key: str) -> str | None:
        with session_scope(self.database_url) as session:
            return session.scalar(select(TranslationCache.translated).where(
                TranslationCache.source == source, TranslationCache.target == target, TranslationCache.text_hash == key))

    def _store(self, source: str, target: str, key: str, translated: str) -> None:
        try:
            with session_scope(self.database_url) as session:
                session.add(TranslationCache(source=source, target=target, text_hash=key, translated=translated))
        except IntegrityError:
            pass  # another worker cached it first
