"""A content-addressed cache in SQLite under .cache/: per-article results, and what each seed file gave.

Keys hash everything a result depends on (source bytes, the options and aliases that shape it,
the generator and model versions), so a hit is always right. Payloads are JSON with a checksum,
decoded by msgspec straight into the model's types; a row that fails its checksum or its types, or
a database that cannot be read or has another schema, is dropped and rebuilt, never trusted.
"""

from __future__ import annotations

import hashlib
import logging
import sqlite3
from collections.abc import Callable, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TypeVar

import msgspec

from generator.analyse import Outcome, decode_outcome, encode_outcome
from generator.ingest import SeedRead

log = logging.getLogger(__name__)

SCHEMA = "briefing-cache-4"
TABLES = ("results", "seeds", "pages")
"""Per-article outcomes by job key; what each seed file gave by its bytes (see ingest.read_seeds); each
site page's HTML body as MkDocs rendered it from its Markdown (see site_build)."""
_SEED_ENCODER = msgspec.json.Encoder()
_SEED_DECODER = msgspec.json.Decoder(SeedRead)
Value = TypeVar("Value")


def _checksum(payload: bytes) -> str:
    return hashlib.blake2b(payload, digest_size=16).hexdigest()


class ResultCache:
    """Per-article outcomes and seed reads by key; opened once per build."""

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
                for table in TABLES:
                    columns = "key TEXT PRIMARY KEY, kind TEXT, payload BLOB, checksum TEXT"
                    connection.execute(f"CREATE TABLE IF NOT EXISTS {table} ({columns})")
                connection.execute("INSERT INTO meta VALUES ('schema', ?)", (SCHEMA,))
                connection.commit()
            elif found[0] != SCHEMA:
                raise sqlite3.DatabaseError(f"schema {found[0]!r}")
            for table in TABLES:
                connection.execute(f"SELECT count(*) FROM {table}").fetchone()
            return connection
        except sqlite3.DatabaseError as error:
            log.warning("cache '%s' is unreadable or old (%s); rebuilding it", self.path, error)
            self.path.unlink(missing_ok=True)
            return self._open()

    def get_many(self, keys: Iterable[str]) -> dict[str, Outcome]:
        return self._get("results", keys, decode_outcome)

    def put_many(self, outcomes: Mapping[str, Outcome]) -> None:
        self._put("results", {key: encode_outcome(outcome) for key, outcome in outcomes.items()})

    def keep_only(self, keys: Iterable[str]) -> None:
        """Forget results no seed needs any more, so the cache stays the size of the corpus."""
        self._keep_only("results", keys)

    def get_seeds(self, keys: Sequence[str]) -> dict[str, SeedRead]:
        return self._get("seeds", keys, lambda _, payload: _SEED_DECODER.decode(payload))

    def put_seeds(self, reads: Mapping[str, SeedRead]) -> None:
        self._put("seeds", {key: ("seed", _SEED_ENCODER.encode(read)) for key, read in reads.items()})

    def keep_seeds(self, keys: Sequence[str]) -> None:
        self._keep_only("seeds", keys)

    def get_pages(self, keys: Sequence[str]) -> dict[str, bytes]:
        return self._get("pages", keys, lambda _, payload: payload)

    def put_pages(self, pages: Mapping[str, bytes]) -> None:
        self._put("pages", {key: ("page", payload) for key, payload in pages.items()})

    def keep_pages(self, keys: Sequence[str]) -> None:
        self._keep_only("pages", keys)

    def _get(self, table: str, keys: Iterable[str], decode: Callable[[str, bytes], Value]) -> dict[str, Value]:
        found: dict[str, Value] = {}
        wanted = list(keys)
        for start in range(0, len(wanted), 500):
            chunk = wanted[start : start + 500]
            marks = ",".join("?" * len(chunk))
            rows = self.connection.execute(
                f"SELECT key, kind, payload, checksum FROM {table} WHERE key IN ({marks})", chunk
            ).fetchall()
            for key, kind, payload, checksum in rows:
                value = _load(kind, payload, checksum, decode)
                if value is None:
                    self.connection.execute(f"DELETE FROM {table} WHERE key = ?", (key,))
                else:
                    found[key] = value
        return found

    def _put(self, table: str, encoded: Mapping[str, tuple[str, bytes]]) -> None:
        rows = [(key, kind, payload, _checksum(payload)) for key, (kind, payload) in encoded.items()]
        self.connection.executemany(f"INSERT OR REPLACE INTO {table} VALUES (?, ?, ?, ?)", rows)
        self.connection.commit()

    def _keep_only(self, table: str, keys: Iterable[str]) -> None:
        self.connection.execute("CREATE TEMP TABLE IF NOT EXISTS wanted (key TEXT PRIMARY KEY)")
        self.connection.execute("DELETE FROM wanted")
        self.connection.executemany("INSERT OR IGNORE INTO wanted VALUES (?)", ((key,) for key in keys))
        self.connection.execute(f"DELETE FROM {table} WHERE key NOT IN (SELECT key FROM wanted)")
        self.connection.commit()

    def close(self) -> None:
        self.connection.close()


def _load(kind: str, payload: bytes, checksum: str, decode: Callable[[str, bytes], Value]) -> Value | None:
    """A stored value, or None when its bytes fail their checksum or its types."""
    if not isinstance(payload, bytes) or _checksum(payload) != checksum:
        return None
    try:
        return decode(kind, payload)
    except (KeyError, msgspec.MsgspecError):
        return None
