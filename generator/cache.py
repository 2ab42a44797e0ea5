"""A content-addressed cache of per-article results in SQLite under .cache/.

Keys hash everything a result depends on (source bytes, the options and aliases that shape it,
the generator and model versions), so a hit is always right. Payloads are JSON with a checksum,
decoded by msgspec straight into the model's types; a row that fails its checksum or its types, or
a database that cannot be read or has another schema, is dropped and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path

import msgspec

from generator.analyse import Outcome, decode_outcome, encode_outcome

log = logging.getLogger(__name__)

SCHEMA = "briefing-cache-2"


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


class ResultCache:
    """Per-article outcomes by key; opened once per build."""

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.path = path
        self.connection = self._open()

    def _open(self) -> sqlite3.Connection:
        try:
            connection = sqlite3.connect(self.path)
            connection.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            found = connection.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if found is None:
                connection.execute(
                    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, kind TEXT, payload BLOB, checksum TEXT)"
                )
                connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
                connection.commit()
            elif found[0] != SCHEMA:
                raise sqlite3.DatabaseError(f"schema {found[0]!r}")
            connection.execute("SELECT count(*) FROM results").fetchone()
            return connection
        except sqlite3.DatabaseError as error:
            log.warning("cache '%s' is unreadable or old (%s); rebuilding it", self.path, error)
            self.path.unlink(missing_ok=True)
            return self._open()

    def get_many(self, keys: Iterable[str]) -> dict[str, Outcome]:
        found: dict[str, Outcome] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT key, kind, payload, checksum FROM results WHERE key IN ({marks})", chunk
            ).fetchall()
            for key, kind, payload, checksum in rows:
                outcome = self._load(kind, payload, checksum)
                if outcome is None:
                    self.connection.execute("DELETE FROM results WHERE key = ?", (key,))
                else:
                    found[key] = outcome
        return found

    @staticmethod
    def _load(kind: str, payload: bytes, checksum: str) -> Outcome | None:
        if not isinstance(payload, bytes) or _checksum(payload) != checksum:
            return None
        try:
            return decode_outcome(kind, payload)
        except (KeyError, msgspec.MsgspecError):
            return None

    def put_many(self, outcomes: Mapping[str, Outcome]) -> None:
        rows = []
        for key, outcome in outcomes.items():
            kind, payload = encode_outcome(outcome)
            rows.append((key, kind, payload, _checksum(payload)))
        self.connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?, ?)", rows)
        self.connection.commit()

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget results no seed needs any more, so the cache stays the size of the corpus."""
        self.connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        self.connection.execute("DELETE FROM wanted")
        self.connection.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((key,) for key in keys))
        self.connection.execute("DELETE FROM results WHERE key NOT IN (SELECT key FROM wanted)")
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()
