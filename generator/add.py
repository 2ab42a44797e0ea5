"""`briefing add`: put files or web pages into seeds/. The only part of briefing that uses the network.

A file is copied; a web page is saved as the raw HTML the server sent; a feed becomes one saved
page per item. Names come from the file or the address. A different file already under that
name is never overwritten: the new one gets a numbered name, and an identical one is not added twice.
"""

from __future__ import annotations

import logging
import re
import shutil
import urllib.parse
import urllib.request
from dataclasses import dataclass
from pathlib import Path

import feedparser

from generator.errors import BriefingError
from generator.text import slugify

log = logging.getLogger(__name__)

USER_AGENT = "briefing (+https://github.com/) urllib"
TIMEOUT_SECONDS = 20
MAX_FEED_ITEMS = 100


@dataclass(frozen=True, slots=True)
class Added:
    source: str
    """The file or address given."""
    saved: Path | None
    """Where it went; None when the same content was already in seeds/."""


def add_sources(sources: list[str], seeds: Path, max_bytes: int) -> list[Added]:
    """Add each file or address; a failure names the source and stops nothing else."""
    seeds.mkdir(parents=True, exist_ok=True)
    added: list[Added] = []
    for source in sources:
        if re.match(r"https?://", source, re.IGNORECASE):
            added += _add_address(source, seeds, max_bytes)
        else:
            path = Path(source)
            if not path.is_file():
                raise BriefingError(f"'{source}' is neither a file nor an http(s) address")
            if path.stat().st_size > max_bytes:
                raise BriefingError(f"'{source}' is larger than the {max_bytes:,}-byte limit (max_file_bytes)")
            added.append(Added(source, _store(path.read_bytes(), path.name, seeds)))
    return added


def _fetch(address: str, max_bytes: int) -> tuple[bytes, str]:
    request = urllib.request.Request(address, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
            data = response.read(max_bytes + 1)
            content_type = response.headers.get("Content-Type", "")
    except OSError as error:
        raise BriefingError(f"could not fetch '{address}': {error}") from error
    if len(data) > max_bytes:
        raise BriefingError(f"'{address}' is larger than the {max_bytes:,}-byte limit (max_file_bytes)")
    return data, content_type


def _is_feed(data: bytes, content_type: str) -> bool:
    if re.search(r"(rss|atom)\+xml|/xml", content_type):
        return True
    head = data[:2000].lstrip().lower()
    return head.startswith(b"<?xml") and (b"<rss" in head or b"<feed" in head)


def _add_address(address: str, seeds: Path, max_bytes: int) -> list[Added]:
    data, content_type = _fetch(address, max_bytes)
    if not _is_feed(data, content_type):
        return [Added(address, _store(data, name_for(address), seeds))]
    feed = feedparser.parse(data)
    links = [entry.get("link") for entry in feed.entries if entry.get("link")][:MAX_FEED_ITEMS]
    if not links:
        raise BriefingError(f"feed '{address}' has no items with a link")
    added = []
    for link in links:
        page = urllib.parse.urljoin(address, link)
        if not re.match(r"https?://", page):
            log.warning("skipped feed item '%s': not an http(s) address", link)
            continue
        page_data, _ = _fetch(page, max_bytes)
        added.append(Added(page, _store(page_data, name_for(page), seeds)))
    return added


def name_for(address: str) -> str:
    """'https://www.example.com/world/2024/06/putin-visit.html' -> 'example-com-world-2024-06-putin-visit.html'."""
    parts = urllib.parse.urlsplit(address)
    host = re.sub(r"^www\.", "", parts.hostname or "page")
    path = re.sub(r"\.s?html?$", "", parts.path.strip("/"), flags=re.IGNORECASE)
    return slugify(f"{host} {path} {parts.query}", 120) + ".html"


def _store(data: bytes, name: str, seeds: Path) -> Path | None:
    """Write under `name`, or a numbered variant if a different file has it; None if already present."""
    stem, dot, suffix = Path(name).name.partition(".")
    stem = slugify(stem, 100) if stem.startswith(".") or not stem else stem
    candidate = seeds / f"{stem}{dot}{suffix}"
    number = 2
    while candidate.exists():
        if candidate.read_bytes() == data:
            return None
        candidate = seeds / f"{stem}-{number}{dot}{suffix}"
        number += 1
    temporary = candidate.with_name(f".{candidate.name}.part")
    temporary.write_bytes(data)
    shutil.move(temporary, candidate)
    return candidate
