"""Stage 2, clean: RawArticle -> CleanArticle.

Every line gets a role from features that hold on any news page: its position, length, case and
punctuation, whether it reads as a sentence, whether it repeats inside the file or across the
corpus, whether it carries a photo credit or a call to action, and the roles of its neighbours.
HTML goes through trafilatura first; Markdown is read with markdown-it-py.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

import trafilatura
from markdown_it import MarkdownIt

from generator.config import Settings
from generator.errors import SeedError
from generator.model import Block, CleanArticle, RawArticle
from generator.text import inline_html_to_markdown, markdown_to_plain, normalize_space, strip_controls

# Phrases that only page furniture uses: calls to action, widgets, comment forms, share bars.
FURNITURE_PHRASES = (
    "click here",
    "read more",
    "video embed",
    "related content",
    "related articles",
    "related stories",
    "leave a reply",
    "leave a comment",
    "your email address will not be published",
    "required fields are marked",
    "sign up",
    "subscribe",
    "newsletter",
    "share this",
    "share on",
    "follow us",
    "advertisement",
    "cookie",
    "all rights reserved",
    "most read",
    "trending now",
    "get caught up",
    "stories to keep you informed",
    "recommended for you",
    "skip to content",
    "you may also like",
    "download the app",
    "media playback is not supported",
    "copy this link",
    "log in",
    "sign in",
    "terms of use",
    "privacy policy",
)
_CREDIT = re.compile(
    r"\s*(?:\((?=[^()]*(?:/|\bvia\b|\bphoto\b|\bpool\b|getty|reuters|\bafp\b|\bap\b))[^()]*\)"
    r"|\b[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)* ?/ ?(?:AP|AFP|Reuters|Getty Images|EPA|Sputnik)\b)\s*",
    re.IGNORECASE,
)
_CONTRIBUTORS = re.compile(r"\bcontributed (?:to )?(?:this|the) (?:report|story|article)\b", re.IGNORECASE)
_EDITOR_NOTE = re.compile(
    r"^(?:editor'?s note\b|correction:|update:"
    r"|this (?:is a developing|story (?:is developing|has been updated|will be updated))"
    r"|check back (?:later )?for updates)",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(r"^(?:©|\(c\)|copyright\b)", re.IGNORECASE)
_BYLINE = re.compile(r"^by\s+(?P<name>[^.!?]{2,60})$", re.IGNORECASE)
_MONTH = r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec)[a-z]*\.?"
_DATE_LINE = re.compile(
    rf"^(?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\.?,?\s+)?"
    rf"(?:{_MONTH}\s+\d{{1,2}}(?:st|nd|rd|th)?,?\s+\d{{4}}|\d{{1,2}}\s+{_MONTH}\s+\d{{4}}|\d{{4}}-\d{{2}}-\d{{2}})"
    rf"(?:[,\s]+\d{{1,2}}:\d{{2}}\s*(?:[ap]\.?m\.?)?(?:\s+[A-Z]{{2,4}})?)?$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*$")

BODY_ROLES = ("body", "subheading")


@dataclass(frozen=True, slots=True)
class _Line:
    text: str
    """Safe Markdown of the line."""
    plain: str
    heading: bool = False
    """Marked as a heading by its source (Markdown '#', an HTML title)."""


def clean_article(raw: RawArticle, chrome: frozenset[str], settings: Settings) -> CleanArticle:
    """Split a raw article into headline, dek, body paragraphs, captions and the rest, each with its role."""
    meta = dict(raw.meta)
    if raw.kind == "html":
        lines, found = _html_lines(raw)
        meta = {**found, **meta}
    elif raw.kind == "markdown":
        lines = _markdown_lines(raw.text)
    else:
        lines = _text_lines(raw.text)
    phrases = FURNITURE_PHRASES + tuple(phrase.lower() for phrase in settings.boilerplate_phrases)
    roles = classify_lines(lines, chrome, phrases)
    blocks = tuple(Block(role, line.text) for line, role in zip(lines, roles, strict=True))
    headline = meta.get("title") or next((b.text for b in blocks if b.role == "headline"), None)
    dek = next((b.text for b in blocks if b.role == "dek"), None)
    paragraphs = _unique(b.text for b in blocks if b.role in BODY_ROLES)
    if not any(b.role == "body" for b in blocks):
        raise SeedError(raw.source, "no article text found: every line reads as page furniture")
    captions = _unique(_CREDIT.sub(" ", markdown_to_plain(b.text)).strip() for b in blocks if b.role == "caption")
    return CleanArticle(
        source=raw.source,
        headline=markdown_to_plain(headline) if headline else None,
        dek=markdown_to_plain(dek) if dek else None,
        paragraphs=paragraphs,
        captions=tuple(c for c in captions if c),
        blocks=blocks,
        meta=tuple(sorted(meta.items())),
    )


def chrome_lines(raws: tuple[RawArticle, ...], min_files: int = 2) -> frozenset[str]:
    """Short lines that recur in several files are site chrome, whatever they say."""
    seen: dict[str, set[str]] = {}
    for raw in raws:
        if raw.kind == "html":
            continue
        for line in raw.text.split("\n"):
            key = _key(line)
            if key and len(key.split()) <= 12:
                seen.setdefault(key, set()).add(raw.source.split("#")[0])
    return frozenset(key for key, files in seen.items() if len(files) >= min_files)


def _key(line: str) -> str:
    return normalize_space(line).lower()


def _unique(texts) -> tuple[str, ...]:
    """Keep the first of repeated paragraphs."""
    seen: set[str] = set()
    kept = []
    for text in texts:
        key = _key(text)
        if key not in seen:
            seen.add(key)
            kept.append(text)
    return tuple(kept)


def _make_line(source_text: str, heading: bool = False) -> _Line | None:
    text = inline_html_to_markdown(strip_controls(source_text))
    if not text:
        return None
    return _Line(text, markdown_to_plain(text), heading)


def _text_lines(text: str) -> list[_Line]:
    return [line for raw in text.split("\n") if (line := _make_line(raw))]


def _markdown_lines(text: str) -> list[_Line]:
    """Paragraphs and headings of a Markdown body; raw HTML blocks are read as text."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines: list[_Line] = []
    for index, token in enumerate(tokens):
        if token.type == "inline" and index > 0:
            heading = tokens[index - 1].type == "heading_open"
            for part in token.content.split("\n"):
                line = _make_line(part, heading)
                if line:
                    lines.append(line)
        elif token.type in ("html_block", "fence", "code_block"):
            lines.extend(line for part in token.content.split("\n") if (line := _make_line(part)))
    return lines


def _html_lines(raw: RawArticle) -> tuple[list[_Line], dict[str, str]]:
    """trafilatura finds the main text and metadata; our line roles then remove what it leaves."""
    document = trafilatura.bare_extraction(
        raw.text,
        with_metadata=True,
        include_comments=False,
        include_tables=False,
        deduplicate=False,
        date_extraction_params={"extensive_search": True, "original_date": True},
    )
    if document is None or not (document.text or "").strip():
        raise SeedError(raw.source, "no article text found in the HTML page")
    found = {
        key: value
        for key, value in (
            ("title", document.title),
            ("authors", document.author),
            ("date", document.date),
            ("publisher", document.sitename),
            ("url", document.url),
        )
        if value
    }
    lines = [line for part in document.text.split("\n") if (line := _make_line(part))]
    if document.title:
        title = _make_line(document.title, heading=True)
        if title and (not lines or _key(lines[0].plain) != _key(title.plain)):
            lines.insert(0, title)
    return lines, found


def _is_sentence(plain: str) -> bool:
    return bool(_SENTENCE_END.search(plain)) and len(plain.split()) >= 4


def _is_shouting(plain: str) -> bool:
    letters = [c for c in plain if c.isalpha()]
    return len(plain.split()) >= 2 and len(letters) >= 8 and sum(c.isupper() for c in letters) > 0.85 * len(letters)


def _has_phrase(plain: str, phrases: tuple[str, ...]) -> bool:
    lowered = plain.lower()
    if len(lowered.split()) > 25:
        return False
    return any(phrase in lowered for phrase in phrases)


def _is_hashtags(plain: str) -> bool:
    tokens = plain.split()
    return len(tokens) >= 2 and sum(token.startswith("#") for token in tokens) >= 0.6 * len(tokens)


# Roles a line has on its own, tried in order: the first rule that answers wins.
_LineRule = Callable[[_Line, tuple[str, ...]], str | None]
_LINE_RULES: tuple[tuple[str, _LineRule], ...] = (
    ("no words", lambda line, _: "boilerplate" if not re.search(r"\w", line.plain) else None),
    ("copyright", lambda line, _: "copyright" if _COPYRIGHT.match(line.plain) else None),
    ("contributors", lambda line, _: "contributors" if _CONTRIBUTORS.search(line.plain) else None),
    ("editor's note", lambda line, _: "editor_note" if _EDITOR_NOTE.match(line.plain) else None),
    ("date line", lambda line, _: "dateline_date" if _DATE_LINE.match(line.plain) else None),
    ("byline", lambda line, _: "byline" if _BYLINE.match(line.plain) else None),
    ("hashtags", lambda line, _: "hashtags" if _is_hashtags(line.plain) else None),
    ("photo credit", lambda line, _: "caption" if _CREDIT.search(line.plain) else None),
    ("furniture phrase", lambda line, phrases: "boilerplate" if _has_phrase(line.plain, phrases) else None),
)


def classify_lines(lines: list[_Line], chrome: frozenset[str], phrases: tuple[str, ...]) -> list[str]:
    """One role per line: first what each line says of itself, then what its place says."""
    roles: list[str | None] = []
    for line in lines:
        role = next((r for _, rule in _LINE_RULES if (r := rule(line, phrases))), None)
        roles.append(role)
    body_indexes = [i for i, line in enumerate(lines) if roles[i] is None and _reads_as_body(line)]
    first_body = body_indexes[0] if body_indexes else len(lines)
    last_body = body_indexes[-1] if body_indexes else -1
    headline_key: str | None = None
    for i, line in enumerate(lines):
        if roles[i] is not None:
            continue
        key = _key(line.plain)
        if (headline_key is None and i < first_body and not _is_sentence(line.plain)) or (
            headline_key is None and line.heading and i <= first_body
        ):
            roles[i] = "headline"
            headline_key = key
        elif key == headline_key or _is_shouting(line.plain) or (key in chrome and not _is_long_sentence(line)):
            roles[i] = "boilerplate"
        elif i in body_indexes:
            roles[i] = "body"
        elif i < first_body:
            roles[i] = "dek" if _is_dek(line, roles) else "boilerplate"
        elif i > last_body:
            roles[i] = "boilerplate"
        else:
            roles[i] = "subheading" if _is_subheading(i, lines, roles) else "boilerplate"
    return [role or "boilerplate" for role in roles]


def _reads_as_body(line: _Line) -> bool:
    """A line of article text: a sentence, or long enough to be one, and not shouted."""
    if line.heading or _is_shouting(line.plain):
        return False
    return _is_sentence(line.plain) or len(line.plain.split()) >= 20


def _is_long_sentence(line: _Line) -> bool:
    return _is_sentence(line.plain) and len(line.plain.split()) >= 8


def _is_dek(line: _Line, roles: list[str | None]) -> bool:
    """A standfirst: the line right after the headline, phrased as a sentence-length summary."""
    return roles.count("headline") == 1 and roles[-1] != "dek" and 8 <= len(line.plain.split()) <= 40


def _is_subheading(index: int, lines: list[_Line], roles: list[str | None]) -> bool:
    """A short title inside the body, not next to furniture and followed by article text."""
    plain = lines[index].plain
    if len(plain.split()) > 12 or plain.endswith((":", ",")) or not re.match(r"[A-Z0-9“\"‘']", plain):
        return False
    before = roles[index - 1] if index > 0 else None
    if before not in (None, "body", "subheading") or index + 1 >= len(lines):
        return False
    after = lines[index + 1]
    # The text it heads must be new: a repeat is dropped later and would leave the heading orphaned.
    repeated = any(_key(line.plain) == _key(after.plain) for line in lines[: index + 1])
    return _reads_as_body(after) and not _is_shouting(after.plain) and not repeated
