"""Stage 1, ingest: seeds/ -> RawArticle. The only module that reads seed files.

Each file is decoded (BOMs, UTF-8, else the encoding charset-normalizer detects), repaired for
mojibake with ftfy, and split into articles by format. A file that cannot be used becomes a
Problem naming it, and the rest of the corpus goes on. What a file gave can be kept in a store
keyed by its bytes, so that a rebuild decodes only the files that changed.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import charset_normalizer
import feedparser
import ftfy
import yaml

from generator.config import Settings
from generator.errors import SeedError
from generator.model import Problem, RawArticle
from generator.text import normalize_space, strip_controls

log = logging.getLogger(__name__)

TEXT_SUFFIXES = (".txt", ".text")
MARKDOWN_SUFFIXES = (".md", ".markdown")
HTML_SUFFIXES = (".html", ".htm", ".html.gz", ".htm.gz")
JSONL_SUFFIXES = (".jsonl",)
FEED_SUFFIXES = (".xml", ".rss", ".atom")
SUPPORTED_SUFFIXES = TEXT_SUFFIXES + MARKDOWN_SUFFIXES + HTML_SUFFIXES + JSONL_SUFFIXES + FEED_SUFFIXES

_FTFY = ftfy.TextFixerConfig(uncurl_quotes=False, fix_character_width=False, explain=False)
_MOJIBAKE_SIGN = re.compile("[\u0080-\u00ff]")
"""Mojibake of UTF-8 read as Latin-1 or cp1252 always shows characters from this range."""
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f]")
"""Control characters other than tab, newline, form feed and return: many of them mean a binary file."""
_META_KEYS = ("title", "date", "publisher", "url", "author", "authors")
READ_BATCH = 256
"""Seed files read at a time: one store query per batch, and a bounded number of bytes held."""


@dataclass(frozen=True, slots=True)
class SeedRead:
    """What one seed file gave: its articles, and the problems of its items or of the whole file."""

    articles: tuple[RawArticle, ...]
    problems: tuple[Problem, ...]


class SeedStore(Protocol):
    """Where `read_seeds` keeps what each file gave, by a key of the file's bytes."""

    def get_seeds(self, keys: Sequence[str]) -> dict[str, SeedRead]: ...

    def put_seeds(self, reads: Mapping[str, SeedRead]) -> None: ...

    def keep_seeds(self, keys: Sequence[str]) -> None: ...


def digest_of(data: bytes) -> str:
    return hashlib.blake2b(data, digest_size=16).hexdigest()


def seed_files(seeds_dir: Path) -> list[Path]:
    """Every visible file below the seeds folder, in a stable order, symlinks not followed."""
    found = []
    for path in sorted(seeds_dir.rglob("*")):
        relative = path.relative_to(seeds_dir)
        if any(part.startswith(".") for part in relative.parts) or path.is_symlink() or not path.is_file():
            continue
        found.append(path)
    return found


def read_seeds(
    seeds_dir: Path, settings: Settings, store: SeedStore | None = None, salt: str = ""
) -> tuple[tuple[RawArticle, ...], tuple[Problem, ...]]:
    """Read every seed; bad files become Problems, never exceptions.

    `store`: what each file gave before, by its bytes, `salt` (the code and options that decode it)
    and its name; only the files not found there are decoded.
    """
    articles: list[RawArticle] = []
    problems: list[Problem] = []
    used: list[str] = []
    files = seed_files(seeds_dir)
    for start in range(0, len(files), READ_BATCH):
        batch = files[start : start + READ_BATCH]
        loaded = [_load(path, path.relative_to(seeds_dir).as_posix(), settings) for path in batch]
        keys = {
            source: _seed_key(salt, source, settings, data) for _, source, data in loaded if isinstance(data, bytes)
        }
        known = store.get_seeds(list(keys.values())) if store else {}
        fresh: dict[str, SeedRead] = {}
        for path, source, data in loaded:
            if isinstance(data, SeedError):
                read = SeedRead((), (Problem(data.source, data.reason),))
            elif keys[source] in known:
                read = known[keys[source]]
            else:
                read = fresh[keys[source]] = parse_seed(data, path.name, source, settings)
            articles.extend(read.articles)
            problems.extend(read.problems)
        used.extend(keys.values())
        if store and fresh:
            store.put_seeds(fresh)
    if store:
        store.keep_seeds(used)
    return tuple(articles), tuple(problems)


def _load(path: Path, source: str, settings: Settings) -> tuple[Path, str, bytes | SeedError]:
    """A seed's bytes, or why they cannot be used: an unsupported name, a size over the limit, a read error."""
    try:
        if not path.name.lower().endswith(SUPPORTED_SUFFIXES):
            raise SeedError(source, f"unsupported file type (expected one of {', '.join(SUPPORTED_SUFFIXES)})")
        return path, source, _read_bytes(path, source, settings.max_file_bytes)
    except SeedError as error:
        return path, source, error


def _seed_key(salt: str, source: str, settings: Settings, data: bytes) -> str:
    return digest_of(json.dumps([salt, source, settings.max_file_bytes]).encode("utf-8") + b"\0" + data)


def parse_seed(data: bytes, name: str, source: str, settings: Settings) -> SeedRead:
    """The articles of one seed file's bytes; a file unusable as a whole is one problem."""
    try:
        items = list(_seed_items(data, name.lower(), source, settings))
    except SeedError as error:
        return SeedRead((), (Problem(error.source, error.reason),))
    return SeedRead(
        tuple(item for item in items if isinstance(item, RawArticle)),
        tuple(item for item in items if isinstance(item, Problem)),
    )


def _seed_items(data: bytes, name: str, source: str, settings: Settings) -> Iterator[RawArticle | Problem]:
    """The articles in one seed file; raises SeedError when the file as a whole is unusable."""
    if name.endswith(".gz"):
        data = _gunzip(data, source, settings.max_file_bytes)
    if not data.strip():
        raise SeedError(source, "empty file")
    if name.endswith(FEED_SUFFIXES):
        yield from _feed_items(data, source)
        return
    text = decode_text(data, source)
    if not text.strip():
        raise SeedError(source, "file holds only whitespace")
    if name.endswith(JSONL_SUFFIXES):
        yield from _jsonl_items(text, source)
    elif name.endswith(MARKDOWN_SUFFIXES):
        meta, body = split_front_matter(text, source)
        yield RawArticle(source, "markdown", body, meta, digest_of(data))
    elif name.endswith(HTML_SUFFIXES):
        yield RawArticle(source, "html", text, (), digest_of(data))
    else:
        yield RawArticle(source, "text", text, (), digest_of(data))


def _read_bytes(path: Path, source: str, limit: int) -> bytes:
    try:
        size = path.stat().st_size
        if size > limit:
            raise SeedError(source, f"file is {size:,} bytes, larger than the {limit:,}-byte limit (max_file_bytes)")
        return path.read_bytes()
    except OSError as error:
        raise SeedError(source, f"cannot be read ({error.strerror or error})") from error


def _gunzip(data: bytes, source: str, limit: int) -> bytes:
    """Decompress at most `limit` bytes, so a small bomb cannot fill memory."""
    try:
        with gzip.GzipFile(fileobj=io.BytesIO(data)) as stream:
            out = stream.read(limit + 1)
    except (OSError, EOFError) as error:
        raise SeedError(source, f"not a valid gzip file ({error})") from error
    if len(out) > limit:
        raise SeedError(source, f"decompresses to more than the {limit:,}-byte limit (max_file_bytes)")
    return out


def decode_text(data: bytes, source: str) -> str:
    """Decode bytes whatever the encoding, refuse binaries, repair mojibake."""
    text = _decode(data, source)
    if "\x00" in text:
        raise SeedError(source, "binary file (NUL bytes), not text")
    controls = len(_CONTROL.findall(text))
    if controls > max(8, len(text) // 100):
        raise SeedError(source, f"binary file ({controls} control characters), not text")
    return repair(text.replace("\r\n", "\n").replace("\r", "\n"))


def repair(text: str) -> str:
    """Undo mojibake with ftfy; text without any Latin-1 range character has none, so skip the work."""
    return ftfy.fix_text(text, _FTFY) if _MOJIBAKE_SIGN.search(text) else text


def _decode(data: bytes, source: str) -> str:
    for bom, encoding in (
        (b"\xef\xbb\xbf", "utf-8-sig"),
        (b"\xff\xfe", "utf-16"),
        (b"\xfe\xff", "utf-16"),
    ):
        if data.startswith(bom):
            try:
                return data.decode(encoding)
            except UnicodeDecodeError as error:
                raise SeedError(source, f"undecodable: starts with a {encoding} mark but {error.reason}") from None
    if b"\x00" in data:
        guess = charset_normalizer.from_bytes(data).best()
        if guess is None or not (guess.encoding or "").startswith(("utf_16", "utf_32")):
            raise SeedError(source, "binary file (NUL bytes), not text")
        return str(guess)
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    best = charset_normalizer.from_bytes(data).best()
    if best is None or best.encoding is None:
        raise SeedError(source, "undecodable: not UTF-8 and no other text encoding fits")
    return str(best)


def split_front_matter(text: str, source: str) -> tuple[tuple[tuple[str, str], ...], str]:
    """YAML front matter at the very top wins over extraction; anything else is body text."""
    if not text.startswith("---\n"):
        return (), text
    end = text.find("\n---", 4)
    if end < 0:
        return (), text
    try:
        data = yaml.safe_load(text[4:end])
    except yaml.YAMLError:
        log.warning("%s: front matter is not valid YAML; read as text", source)
        return (), text
    if not isinstance(data, dict):
        return (), text
    body = text[end + 4 :].split("\n", 1)[1] if "\n" in text[end + 4 :] else ""
    return _meta_pairs(data), body


def _meta_pairs(data: dict) -> tuple[tuple[str, str], ...]:
    """Keep the known keys as plain strings; lists of authors become '; '-joined."""
    pairs = []
    for key in _META_KEYS:
        value = data.get(key)
        if value is None or value == "":
            continue
        if isinstance(value, list):
            value = "; ".join(str(item) for item in value)
        pairs.append(("authors" if key == "author" else key, normalize_space(strip_controls(str(value)))))
    return tuple(pairs)


def _jsonl_items(text: str, source: str) -> Iterator[RawArticle | Problem]:
    found = False
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        item_source = f"{source}#{number}"
        try:
            item = json.loads(line)
        except json.JSONDecodeError as error:
            yield Problem(item_source, f"not valid JSON ({error.msg})")
            continue
        if not isinstance(item, dict):
            yield Problem(item_source, "expected a JSON object with 'text' or 'html'")
            continue
        body, kind = item.get("text"), "text"
        if not isinstance(body, str) or not body.strip():
            body, kind = item.get("html"), "html"
        if not isinstance(body, str) or not body.strip():
            yield Problem(item_source, "no 'text' or 'html' field with content")
            continue
        found = True
        digest = digest_of(line.encode("utf-8"))
        yield RawArticle(item_source, kind, repair(body), _meta_pairs(item), digest)
    if not found:
        raise SeedError(source, "JSON Lines file holds no article")


def _feed_items(data: bytes, source: str) -> Iterator[RawArticle]:
    """Each feed item with content becomes an HTML article; the feed title is its publisher."""
    feed = feedparser.parse(data, sanitize_html=False, resolve_relative_uris=False)
    if not feed.entries:
        reason = "feed has no items" if feed.get("version") else "not an RSS or Atom feed"
        raise SeedError(source, reason)
    publisher = feed.feed.get("title", "")
    found = False
    for number, entry in enumerate(feed.entries, start=1):
        contents = entry.get("content") or []
        body = contents[0].get("value", "") if contents else entry.get("summary", "")
        if not body.strip():
            continue
        found = True
        meta = {
            "title": entry.get("title", ""),
            "url": entry.get("link", ""),
            "publisher": publisher,
            "authors": entry.get("author", ""),
        }
        parsed = entry.get("published_parsed") or entry.get("updated_parsed")
        if parsed:
            meta["date"] = f"{parsed.tm_year:04d}-{parsed.tm_mon:02d}-{parsed.tm_mday:02d}"
        item_bytes = json.dumps([meta, body], sort_keys=True).encode("utf-8")
        yield RawArticle(f"{source}#{number}", "html", body, _meta_pairs(meta), digest_of(item_bytes))
    if not found:
        raise SeedError(source, "feed has no item with content")
