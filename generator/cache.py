"""A content-addressed cache of per-article results in SQLite under .cache/.

Keys hash everything a result depends on (source bytes, the options and aliases that shape it,
the generator and model versions), so a hit is always right. Payloads are JSON with a checksum;
a row that fails its checksum, or a database that cannot be read or has another schema, is
dropped and rebuilt, never trusted.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import sqlite3
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from generator import model
from generator.analyse import Analysed, Outcome

log = logging.getLogger(__name__)

SCHEMA = "briefing-cache-1"
_TYPES: dict[str, type] = {
    cls.__name__: cls
    for cls in (Analysed, *(getattr(model, name) for name in dir(model)))
    if isinstance(cls, type) and dataclasses.is_dataclass(cls)
}


def encode(value: Any) -> Any:
    """Dataclasses become tagged objects, tuples lists; the model holds nothing else."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
        return {"__type__": type(value).__name__, **fields}
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    return value


def decode(value: Any) -> Any:
    """The inverse of encode: every list was a tuple."""
    if isinstance(value, dict):
        cls = _TYPES[value["__type__"]]
        return cls(**{key: decode(item) for key, item in value.items() if key != "__type__"})
    if isinstance(value, list):
        return tuple(decode(item) for item in value)
    return value


def _checksum(payload: str) -> str:
    return hashlib.blake2b(payload.encode("utf-8"), digest_size=16).hexdigest()


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
                    "CREATE TABLE IF NOT EXISTS results (key TEXT PRIMARY KEY, payload TEXT, checksum TEXT)"
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
                f"SELECT key, payload, checksum FROM results WHERE key IN ({marks})", chunk
            ).fetchall()
            for key, payload, checksum in rows:
                outcome = self._load(payload, checksum)
                if outcome is None:
                    self.connection.execute("DELETE FROM results WHERE key = ?", (key,))
                else:
                    found[key] = outcome
        return found

    @staticmethod
    def _load(payload: str, checksum: str) -> Outcome | None:
        if _checksum(payload) != checksum:
            return None
        try:
            outcome = decode(json.loads(payload))
        except (ValueError, KeyError, TypeError):
            return None
        return outcome if isinstance(outcome, Analysed | model.Problem) else None

    def put_many(self, outcomes: Mapping[str, Outcome]) -> None:
        rows = []
        for key, outcome in outcomes.items():
            payload = json.dumps(encode(outcome), ensure_ascii=False, separators=(",", ":"))
            rows.append((key, payload, _checksum(payload)))
        self.connection.executemany("INSERT OR REPLACE INTO results VALUES (?, ?, ?)", rows)
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
