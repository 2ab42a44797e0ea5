"""Stage 3, extract: CleanArticle + its spaCy analysis -> Article (who, where, when, who said what)."""

from __future__ import annotations

import bisect
import re
from collections import Counter
from datetime import date as Date
from typing import TYPE_CHECKING

from generator.model import Article, Block, CleanArticle, DateEvidence, Entity, Mention, Sentence
from generator.names import PARAGRAPH_SEPARATOR, Aliases, NameMention, build_aliases, canonical_names, find_names
from generator.nlp import DATELINE, sentence_spans
from generator.quotes import Named, find_quotes
from generator.text import cut_at_word, markdown_to_plain, normalize_space

if TYPE_CHECKING:
    from spacy.tokens import Doc

__all__ = ["PARAGRAPH_SEPARATOR", "Aliases", "article_text", "build_aliases", "extract_article"]
_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"),
            ("feb", "february"),
            ("mar", "march"),
            ("apr", "april"),
            ("may",),
            ("jun", "june"),
            ("jul", "july"),
            ("aug", "august"),
            ("sep", "sept", "september"),
            ("oct", "october"),
            ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}
_DATE_IN_TEXT = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?\s+(?P<day>\d{1,2})(?:st|nd|rd|th)?,?\s+"
    r"(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_DAY_FIRST_DATE = re.compile(
    r"\b(?P<day>\d{1,2})(?:st|nd|rd|th)?\s+(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sept?|oct|nov|dec)[a-z]*\.?,?\s+"
    r"(?P<year>(?:19|20)\d{2})\b",
    re.IGNORECASE,
)
_ISO_DATE = re.compile(r"\b((?:19|20)\d{2})-(\d{2})-(\d{2})\b")
_COPYRIGHT_LINE = re.compile(r"^(?:©|\(c\)|copyright)\s*(?:(?P<year>(?:19|20)\d{2})\s*)?(?P<name>[^|.]*)", re.I)
_READ_MORE = re.compile(r"\bread more (?:from|at|on)\s+(?:the\s+)?(?P<name>[\w .&'’-]+?)\s*$", re.IGNORECASE)
_NAME = re.compile(r"^[A-Z][\w'’.-]+(?: (?:[A-Z][\w'’.-]+|de|van|von|al|bin|da|del|la))+$")


def extract_article(clean: CleanArticle, doc: Doc, aliases: Aliases, article_id: str, digest: str = "") -> Article:
    """Everything the briefing says of one article, read from its text and its metadata."""
    meta = dict(clean.meta)
    plain = [markdown_to_plain(p) for p in clean.paragraphs]
    # The text spaCy was given (`article_text`); not `doc.text`, which spaCy builds from every token.
    text = PARAGRAPH_SEPARATOR.join(plain)
    if len(doc) and doc[-1].idx + len(doc[-1].text_with_ws) != len(text):
        raise ValueError("the analysis is not of this article's text")
    offsets = _sentence_offsets(doc, text)
    sentences = _sentences(text, offsets, plain)
    dateline = DATELINE.match(plain[0]) if plain else None
    raw_mentions = find_names(doc, text, plain, _paragraph_starts(plain), dateline.end() if dateline else 0)
    canonical = canonical_names(raw_mentions, aliases)
    entities = _ranked_entities(raw_mentions, canonical)
    mentions = _first_mentions(raw_mentions, canonical, sentences)
    named = [
        Named(m.start, m.end, entity.name, entity.kind)
        for m in raw_mentions
        if (entity := canonical[(m.name, m.kind)]).kind in ("person", "organization", "place")
    ]
    quotes = find_quotes(text, _paragraph_starts(plain), offsets, named)
    date, capture = _date_evidence(clean, meta, plain)
    return Article(
        id=article_id,
        source=clean.source,
        title=_title(clean, meta, plain),
        dek=clean.dek,
        date=date,
        capture_date=capture,
        publisher=meta.get("publisher") or _publisher(clean.blocks),
        authors=_authors(meta, clean.blocks),
        contributors=_contributors(clean.blocks),
        dateline=_dateline(plain),
        developing=any(b.role == "editor_note" for b in clean.blocks),
        paragraphs=clean.paragraphs,
        captions=clean.captions,
        sentences=tuple(sentences),
        entities=entities,
        mentions=mentions,
        quotes=quotes,
        url=_web_address(meta.get("url", "")),
        digest=digest,
    )


def article_text(clean: CleanArticle) -> str:
    """The text given to spaCy: plain paragraphs, one blank line apart, so offsets map back."""
    return PARAGRAPH_SEPARATOR.join(markdown_to_plain(p) for p in clean.paragraphs)


def _paragraph_starts(plain: list[str]) -> list[int]:
    starts, offset = [], 0
    for paragraph in plain:
        starts.append(offset)
        offset += len(paragraph) + len(PARAGRAPH_SEPARATOR)
    return starts


def _paragraph_at(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


def _sentence_offsets(doc: Doc, full: str) -> list[tuple[int, int]]:
    """Sentence spans in the text, cut at paragraph breaks: a sentence never runs over two paragraphs."""
    found = []
    for start, end in sentence_spans(doc, full):
        offset = start
        for piece in full[start:end].split(PARAGRAPH_SEPARATOR):
            lead = len(piece) - len(piece.lstrip())
            if piece.strip():
                found.append((offset + lead, offset + len(piece.rstrip())))
            offset += len(piece) + len(PARAGRAPH_SEPARATOR)
    return found


def _sentences(text: str, offsets: list[tuple[int, int]], plain: list[str]) -> list[Sentence]:
    starts = _paragraph_starts(plain)
    return [Sentence(normalize_space(text[start:end]), _paragraph_at(starts, start)) for start, end in offsets]


def _ranked_entities(mentions: list[NameMention], canonical: dict[tuple[str, str], Entity]) -> tuple[Entity, ...]:
    counts = Counter(canonical[(m.name, m.kind)] for m in mentions)
    first = {}
    for index, m in enumerate(mentions):
        first.setdefault(canonical[(m.name, m.kind)], index)
    return tuple(sorted(counts, key=lambda e: (-counts[e], first[e])))


def _first_mentions(
    mentions: list[NameMention], canonical: dict[tuple[str, str], Entity], sentences: list[Sentence]
) -> tuple[Mention, ...]:
    by_paragraph: dict[int, list[str]] = {}
    for s in sentences:
        by_paragraph.setdefault(s.paragraph, []).append(s.text)
    seen: set[str] = set()
    found = []
    for m in mentions:
        name = canonical[(m.name, m.kind)].name
        if name in seen:
            continue
        seen.add(name)
        sentence = next((text for text in by_paragraph.get(m.paragraph, ()) if m.surface in text), "")
        found.append(Mention(name, m.paragraph, m.surface, sentence))
    return tuple(found)


def _title(clean: CleanArticle, meta: dict[str, str], plain: list[str]) -> str:
    """The source's own headline; else a hashtag slug line; else the lead sentence, cut between words."""
    if clean.headline:
        return clean.headline
    hashtags = next((b.text for b in clean.blocks if b.role == "hashtags"), None)
    if hashtags:
        words = [w.strip("#,.\\") for w in markdown_to_plain(hashtags).split()]
        title = " ".join(w for w in words if w)
        if title:
            return title[0].upper() + title[1:]
    lead = plain[0] if plain else clean.source
    lead = re.sub(DATELINE, "", lead)
    lead = re.split(r"(?<=[a-z])[,;:] ", lead, maxsplit=1)[0] if len(lead.split()) > 14 else lead
    return cut_at_word(lead.rstrip("."), 14)


def _iso(year: int, month: int, day: int) -> str | None:
    try:
        return Date(year, month, day).isoformat()
    except ValueError:
        return None


def _date_in(text: str) -> str | None:
    match = _DATE_IN_TEXT.search(text) or _DAY_FIRST_DATE.search(text)
    if match:
        return _iso(int(match["year"]), _MONTHS[match["month"].lower().rstrip(".")], int(match["day"]))
    iso = _ISO_DATE.search(text)
    if iso:
        return _iso(int(iso[1]), int(iso[2]), int(iso[3]))
    return None


def _date_evidence(clean: CleanArticle, meta: dict[str, str], plain: list[str]) -> tuple[DateEvidence, str | None]:
    """The publication date and where it came from; a site header date is only the capture date."""
    capture = next((_date_in(markdown_to_plain(b.text)) for b in clean.blocks if b.role == "dateline_date"), None)
    if meta.get("date") and (found := _date_in(meta["date"]) or _date_in(meta["date"][:10])):
        return DateEvidence(found, "stated in the source's metadata"), capture
    for caption in clean.captions:
        if found := _date_in(caption):
            return DateEvidence(found, f"photo caption dated {found}"), capture
    for paragraph in plain[:3]:
        if found := _date_in(paragraph):
            return DateEvidence(found, f"article text: {found}"), capture
    if capture:
        return DateEvidence(
            capture, "site header date (when the page was captured); publication date uncertain", True
        ), capture
    year = next(
        (
            m["year"]
            for b in clean.blocks
            if b.role == "copyright" and (m := _COPYRIGHT_LINE.match(markdown_to_plain(b.text))) and m["year"]
        ),
        None,
    )
    if year:
        return DateEvidence(None, f"copyright {year}; no day given", True), capture
    return DateEvidence(None, "no date in the source", True), capture


def _publisher(blocks: tuple[Block, ...]) -> str | None:
    for block in blocks:
        plain = markdown_to_plain(block.text)
        if block.role == "copyright" and (match := _COPYRIGHT_LINE.match(plain)) and match["name"].strip():
            return match["name"].strip()
    for block in blocks:
        if match := _READ_MORE.search(markdown_to_plain(block.text)):
            return match["name"].strip().title()
    return None


def _authors(meta: dict[str, str], blocks: tuple[Block, ...]) -> tuple[str, ...]:
    if meta.get("authors"):
        return tuple(a.strip() for a in re.split(r";|\band\b", meta["authors"]) if a.strip())
    for block in blocks:
        if block.role == "byline":
            names = re.sub(r"^by\s+", "", markdown_to_plain(block.text), flags=re.IGNORECASE)
            return tuple(n for n in (s.strip() for s in re.split(r",| and ", names)) if _NAME.match(n))
    return ()


def _contributors(blocks: tuple[Block, ...]) -> tuple[str, ...]:
    """'Lyric Li in Seoul and Robyn Dixon in Riga, Latvia, contributed to this report.' -> the two names."""
    names: list[str] = []
    for block in blocks:
        if block.role != "contributors":
            continue
        head = re.split(r"\bcontributed\b", markdown_to_plain(block.text))[0]
        for part in re.split(r",\s*|\s+and\s+", head):
            name = re.sub(r"\s+(?:in|from)\s+.*$", "", part.strip())
            if _NAME.match(name) and name not in names:
                names.append(name)
    return tuple(names)


def _web_address(url: str) -> str | None:
    """Only an http(s) address is a link to the original; anything else (javascript:, data:) is dropped."""
    url = url.strip()
    return url if re.match(r"https?://[^\s<>\"']+$", url, re.IGNORECASE) else None


def _dateline(plain: list[str]) -> str | None:
    if plain and (match := DATELINE.match(plain[0])):
        return match["place"].strip().title()
    return None
