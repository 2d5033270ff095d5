"""One home for the database: engines built lazily from DATABASE_URL, short-lived sessions, migrations."""
from __future__ import annotations

import functools
import hashlib
import hmac
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session
from sqlalchemy.pool import QueuePool

from careline.config import ROOT


def _ensure_sqlite_folder(url: str) -> None:
    """SQLite creates the file but not its folder (var/ on a fresh clone)."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        if path and path != ":memory:":
            Path(path).parent.mkdir(parents=True, exist_ok=True)


@functools.lru_cache(maxsize=8)
def engine(url: str) -> Engine:
    """The engine for `url`, created on first use (never at import time)."""
    _ensure_sqlite_folder(url)
    if url.startswith("sqlite"):
        # SQLAlchemy 1.4 opens a new SQLite connection per session (NullPool) unless told otherwise;
        # reusing connections saves the connect and the PRAGMAs on every turn.
        eng = create_engine(url, future=True, poolclass=QueuePool, pool_size=8, max_overflow=16,
                            connect_args={"timeout": 5, "check_same_thread": False})

        @event.listens_for(eng, "connect")
        def _sqlite_pragmas(dbapi_connection, _record):  # pragma: no cover - trivial
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA busy_timeout=5000")
            cursor.execute("PRAGMA synchronous=NORMAL")  # durable with WAL, without an fsync per commit
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.close()

        return eng
    return create_engine(url, future=True, pool_pre_ping=True, pool_size=10, max_overflow=20)


@contextmanager
def session_scope(url: str) -> Iterator[Session]:
    """A session that commits on success and rolls back on any error."""
    with Session(engine(url), future=True, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrate(url: str) -> None:
    """Bring the schema at `url` to the newest Alembic revision."""
    from alembic import command
    from alembic.config import Config

    _ensure_sqlite_folder(url)
    config = Config(str(ROOT / "alembic.ini"))
    config.set_main_option("script_location", str(ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url)
    config.attributes["configure_logger"] = False
    command.upgrade(config, "head")


def pseudonym(value: str, key: str) -> str:
    """A stable one-way stand-in for a phone number or call id (for lookups, Rasa ids and logs)."""
    return hmac.new(key.encode(), value.encode(), hashlib.sha256).hexdigest()[:32]
