"""Stage 2, clean: RawArticle -> CleanArticle.

Every line gets a role from features that hold on any news page: its position, length, case and
punctuation, whether it reads as a sentence, whether it repeats inside the file or across the
corpus, whether it carries a photo credit or a call to action, and the roles of its neighbours.

HTML goes through trafilatura first, which has already cut the page down to its main text: there
only lines that say they are furniture are dropped. Plain text and Markdown can hold a whole page,
so the article is found as the longest run of paragraphs (menus, teasers and reader comments sit
in runs of their own) together with the runs that only a picture, a list or a box of links parts
from it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import trafilatura
from markdown_it import MarkdownIt

from generator.config import Settings
from generator.errors import SeedError
from generator.model import Block, CleanArticle, RawArticle
from generator.text import inline_html_to_markdown, markdown_to_plain, normalize_space, strip_controls

CHROME_WORDS = 12
"""A line of more words than this is article text, not site chrome, however often it recurs."""
# Phrases that only page furniture uses: calls to action, widgets, comment forms, share bars.
FURNITURE_PHRASES = (
    *("click here", "read more", "video embed", "related content", "related articles", "related stories"),
    *("leave a reply", "leave a comment", "post a comment", "your email address will not be published"),
    *("required fields are marked", "sign up", "subscribe", "newsletter", "your inbox", "news alerts"),
    *("share this", "share on", "follow us", "advertisement", "cookie", "all rights reserved"),
    *("may not be reproduced", "most read", "trending now", "don't miss", "get caught up"),
    *("stories to keep you informed", "recommended for you", "you may also like", "skip to content"),
    *("download the app", "media playback is not supported", "copy this link", "log in", "sign in"),
    *("terms of use", "privacy policy", "affiliate commission"),
)
_AGENCY = r"(?:AP|AFP|Reuters|Getty Images|EPA|Sputnik)"
# A photo credit: a parenthesis naming a photo, a pool, 'via' or a slash; 'Name/AP'; 'REUTERS/Name';
# 'Credit: ...'. A bare '(AP)' is an agency dateline, not a credit.
_CREDIT = re.compile(
    r"\s*(?:\((?=[^()]*(?:/|\bvia\b|\bphotos?\b|\bpool\b|getty|courtesy|credit))[^()]*\)"
    rf"|\b[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)* ?/ ?{_AGENCY}\b(?: file| photo)?"
    rf"|\b{_AGENCY} ?/ ?[A-Z][\w.'-]+(?: [A-Z][\w.'-]+)*"
    r"|\bcredit\s*(?::|\.\.\.|…)[^.]+)\s*",
    re.IGNORECASE,
)
_CREDIT_AT_END = re.compile(rf"(?:{_CREDIT.pattern})\.?$", re.IGNORECASE)
_CONTRIBUTORS = re.compile(
    r"\bcontributed (?:reporting\b|(?:to )?(?:this|the) (?:report|story|article)\b)", re.IGNORECASE
)
_DESK_CREDIT = re.compile(
    r"^(?:(?:additional )?(?:reporting|writing|editing) by\b|(?:photo(?:graph)?|image|picture)s?"
    r"(?: illustration)?(?:\s+(?:by|via|copyright|caption|source|credit)\b|\s*:|\s+\d+\s+of\b))",
    re.IGNORECASE,
)
_TEASER = re.compile(
    r"^(?:related(?: posts?| stories| articles| content| reading)?|read (?:more|also|next)|see (?:also|more)"
    r"|also read|more|don'?t miss|recommended|watch|listen)\s*[:|]|(?-i:\[[A-Z]{3,}\])\W*$",
    re.IGNORECASE,
)
_SOCIAL = re.compile(
    r"^(?:follow|like|listen to|reach|join|subscribe|share)\b.{0,120}"
    r"\b(?:twitter|facebook|instagram|youtube|linkedin|friends?)\b",
    re.IGNORECASE,
)
_MACHINE = re.compile(r"^(?:\S*://\S*|\d{4}-\d{2}-\d{2}T[\d:.+-]+Z?)$")
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
_SENTENCE_END = re.compile(r"[.!?…。！？][\"'”’»)\]」』）]*$")
_CJK = re.compile(r"[\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")
_TRUNCATED = ("…", "...", "[…]", "[...]")
_COMMENT_HEAD = re.compile(r"\b(?:says|said|wrote|commented|replied)\s*:$", re.IGNORECASE)
_CLOCK = re.compile(r"\b\d{1,2}:\d{2}\b")
_BULLET = re.compile(r"^(?:[-*•▪–·]|\d{1,2}[.)])\s")
_LONG_WORD = re.compile(r"\w{5,}")
_QUOTES = str.maketrans("‘’‚‛“”„‟", "''''\"\"\"\"")

_MAX_CAPS_HEADING = 8
"""Words an all-capitals section heading may have; longer capitals are promos."""
_MIN_CLAUSE = 6
"""Words of a list item or clause in running text, which does not part two paragraphs."""
_MAX_GAP = 3
"""Other lines that may stand between two paragraphs of one run (a heading, an ad, a short list)."""
_MAX_JOIN = 10
"""Lines of pictures, lists or widgets without furniture between two runs of one article."""
_MAX_BOX = 20
"""Lines of a box of links or stories that can stand inside an article."""
_MIN_RESUMED_WORDS = 100
_SAME_SUBJECT = 0.2
"""Share of its long words a run must have in common with the article to continue it after a box."""
_DEK_REACH = 3
"""Lines above the article text within which its standfirst stands."""
_TITLE_REACH = 15
"""Lines under the repeated page title within which the article text starts."""

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
    roles = classify_lines(lines, chrome, phrases, extracted=raw.kind == "html")
    blocks = tuple(Block(role, line.text) for line, role in zip(lines, roles, strict=True))
    headline = meta.get("title") or next((b.text for b in blocks if b.role == "headline"), None)
    dek = next((b.text for b in blocks if b.role == "dek"), None)
    if not any(b.role == "body" for b in blocks):
        raise SeedError(raw.source, "no article text found: every line reads as page furniture")
    captions = (_CREDIT.sub(" ", markdown_to_plain(b.text)).strip() for b in blocks if b.role == "caption")
    return CleanArticle(
        source=raw.source,
        headline=markdown_to_plain(headline) if headline else None,
        dek=markdown_to_plain(dek) if dek else None,
        paragraphs=tuple(b.text for b in blocks if b.role in BODY_ROLES),
        captions=tuple(dict.fromkeys(c for c in captions if c)),
        blocks=blocks,
        meta=tuple(sorted(meta.items())),
    )


def chrome_lines(raws: tuple[RawArticle, ...], min_files: int = 2) -> frozenset[str]:
    """Short lines that recur in several files are site chrome, whatever they say."""
    return recurring_lines(((raw.source, line_keys(raw)) for raw in raws), min_files)


def recurring_lines(keys_by_source: Iterable[tuple[str, frozenset[str]]], min_files: int = 2) -> frozenset[str]:
    """The line keys found in at least `min_files` seed files (the items of one file count once)."""
    seen: dict[str, set[str]] = {}
    for source, keys in keys_by_source:
        for key in keys:
            seen.setdefault(key, set()).add(source.split("#")[0])
    return frozenset(key for key, files in seen.items() if len(files) >= min_files)


def line_keys(raw: RawArticle) -> frozenset[str]:
    """The normalised lines of a text article short enough to be site chrome; an HTML page has none."""
    if raw.kind == "html":
        return frozenset()
    return frozenset(key for line in raw.text.split("\n") if (key := _key(line)) and len(key.split()) <= CHROME_WORDS)


def _key(line: str) -> str:
    """Lines that differ only in case or spacing are the same line."""
    return normalize_space(line).lower()


def _make_line(source_text: str, heading: bool = False) -> _Line | None:
    text = inline_html_to_markdown(strip_controls(source_text))
    return _Line(text, markdown_to_plain(text), heading) if text else None


def _text_lines(text: str) -> list[_Line]:
    return [line for raw in text.split("\n") if (line := _make_line(raw))]


def _markdown_lines(text: str) -> list[_Line]:
    """Paragraphs and headings of a Markdown body; raw HTML blocks are read as text."""
    tokens = MarkdownIt("commonmark").parse(text)
    lines: list[_Line] = []
    for index, token in enumerate(tokens):
        if token.type == "inline" and index > 0:
            heading = tokens[index - 1].type == "heading_open"
            lines.extend(line for part in token.content.split("\n") if (line := _make_line(part, heading)))
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
    fields = {"title": document.title, "authors": document.author, "date": document.date}
    fields |= {"publisher": document.sitename, "url": document.url}
    found = {key: value for key, value in fields.items() if value}
    lines = [line for part in document.text.split("\n") if (line := _make_line(part))]
    title = _make_line(document.title, heading=True) if document.title else None
    if title and lines and _key(lines[0].plain) == _key(title.plain):
        lines[0] = title  # The text starts with the title: mark it as the heading it is.
    elif title:
        lines.insert(0, title)
    return lines, found


def _word_count(plain: str) -> int:
    """Words split by spaces; Chinese and Japanese write none, so two of their characters count as one word."""
    return len(plain.split()) + len(_CJK.findall(plain)) // 2


def _is_sentence(plain: str) -> bool:
    """Ends as a sentence ends (also '。') and is long enough to say something."""
    return bool(_SENTENCE_END.search(plain)) and _word_count(plain) >= 4


def _is_long_sentence(line: _Line) -> bool:
    return _is_sentence(line.plain) and _word_count(line.plain) >= 8


def _is_seed(line: _Line) -> bool:
    """A whole sentence, not a heading nor a teaser cut short: what a run of article text is made of."""
    return not line.heading and _is_sentence(line.plain) and not line.plain.endswith(_TRUNCATED)


def _is_shouting(plain: str) -> bool:
    """Capitals only, over more words than a section heading has: a promo or a teaser."""
    letters = "".join(filter(str.isalpha, plain))
    return (
        _word_count(plain) > _MAX_CAPS_HEADING
        and len(letters) >= 8
        and sum(map(str.isupper, letters)) > 0.85 * len(letters)
    )


def _reads_as_prose(plain: str, min_words: int = 20) -> bool:
    """Mostly in lower case and long enough: running text that merely lacks a final stop (menus are Title Case)."""
    tokens = plain.split()
    return _word_count(plain) >= min_words and sum(token[0].isupper() for token in tokens) <= 0.4 * len(tokens)


def _reads_as_body(line: _Line) -> bool:
    """A line of article text: a sentence, or long running text."""
    return not line.heading and (_is_sentence(line.plain) or _reads_as_prose(line.plain))


def _has_phrase(plain: str, phrases: tuple[str, ...]) -> bool:
    """A furniture phrase in a line short enough to be furniture; long sentences may quote one."""
    lowered = plain.lower()
    return len(lowered.split()) <= 25 and any(phrase in lowered for phrase in phrases)


def _ends_with_credit(plain: str) -> bool:
    """A credit at the end of the line; every form of one needs a slash, a closing bracket or "credit",
    so the costly pattern runs only on lines that have one."""
    hinted = "/" in plain or "credit" in plain.lower() or plain.rstrip().removesuffix(".").rstrip().endswith(")")
    return hinted and bool(_CREDIT_AT_END.search(plain))


def _is_hashtags(plain: str) -> bool:
    tokens = plain.split()
    return len(tokens) >= 2 and sum(token.startswith("#") for token in tokens) >= 0.6 * len(tokens)


def _is_comment_head(index: int, lines: list[_Line]) -> bool:
    """'Name said:' with a time on it or under it: a reader comment starts here."""
    plain = lines[index].plain
    if len(plain.split()) > 12 or not _COMMENT_HEAD.search(plain):
        return False
    below = lines[index + 1].plain if index + 1 < len(lines) else ""
    return bool(_CLOCK.search(plain) or _CLOCK.search(below))


def _has(pattern: re.Pattern[str]) -> Callable[[str, tuple[str, ...]], bool]:
    """A line rule that holds when the pattern is found in the line."""
    return lambda plain, _: bool(pattern.search(plain))


# Roles a line has on its own, tried in order: the first rule that answers wins.
_LINE_RULES: tuple[tuple[str, str, Callable[[str, tuple[str, ...]], bool]], ...] = (
    ("no words", "boilerplate", lambda plain, _: not re.search(r"\w", plain)),
    ("copyright", "copyright", _has(_COPYRIGHT)),
    ("contributors", "contributors", _has(_CONTRIBUTORS)),
    ("editor's note", "editor_note", _has(_EDITOR_NOTE)),
    ("date line", "dateline_date", _has(_DATE_LINE)),
    ("byline", "byline", _has(_BYLINE)),
    ("hashtags", "hashtags", lambda plain, _: _is_hashtags(plain)),
    ("photo caption", "caption", lambda plain, _: _ends_with_credit(plain)),
    ("desk or picture credit", "credit", _has(_DESK_CREDIT)),
    ("teaser label", "boilerplate", _has(_TEASER)),
    ("social link", "boilerplate", _has(_SOCIAL)),
    ("address or time stamp", "boilerplate", _has(_MACHINE)),
    ("furniture phrase", "boilerplate", _has_phrase),
    ("shouting", "boilerplate", lambda plain, _: _is_shouting(plain)),
)


def classify_lines(
    lines: list[_Line], chrome: frozenset[str], phrases: tuple[str, ...], *, extracted: bool = False
) -> list[str]:
    """One role per line: first what each line says of itself, then where it sits against the article text.

    `extracted` says an extractor has already cut the page down to its main text (HTML through
    trafilatura): then every line after the title is article text unless it says otherwise.
    """
    roles: list[str | None] = [
        next((role for _, role, test in _LINE_RULES if test(line.plain, phrases)), None) for line in lines
    ]
    for i, line in enumerate(lines):
        if roles[i] is None and _key(line.plain) in chrome and not _is_long_sentence(line):
            roles[i] = "boilerplate"
    body = [roles[i] is None and _reads_as_body(line) for i, line in enumerate(lines)]
    spans = _article_spans(lines, roles, body, extracted)
    start = spans[0][0] if spans else len(lines)
    headline: set[str] = set()
    for i, line in enumerate(lines):
        if roles[i] is not None:
            continue
        if not headline and i <= start and (line.heading or (i < start and not _is_sentence(line.plain))):
            roles[i], headline = "headline", _title_keys(line.plain)
        elif _loose_key(line.plain) in headline:
            roles[i] = "boilerplate"
        elif i < start:
            is_dek = headline and "dek" not in roles and _is_dek(line.plain, start - i)
            roles[i] = "dek" if is_dek else "boilerplate"
        elif not any(first <= i <= last for first, last in spans):
            roles[i] = "boilerplate"
        else:
            roles[i] = "body" if body[i] or not _is_subheading(i, lines, body) else "subheading"
    _drop_repeats(lines, roles, extracted)
    return [role or "boilerplate" for role in roles]


def _is_dek(plain: str, lines_to_article: int) -> bool:
    """A standfirst: summary-sized, just above the article text, not a time stamp."""
    return lines_to_article <= _DEK_REACH and 8 <= _word_count(plain) <= 40 and not _CLOCK.search(plain)


def _drop_repeats(lines: list[_Line], roles: list[str | None], extracted: bool) -> None:
    """Keep a repeated paragraph once; after an extractor, short repeated lines are list items and stay."""
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if roles[i] in BODY_ROLES:
            if _key(line.plain) in seen and (_is_long_sentence(line) or not extracted):
                roles[i] = "boilerplate"
            seen.add(_key(line.plain))


def _is_subheading(index: int, lines: list[_Line], body: list[bool]) -> bool:
    """A short title inside the article, followed by article text."""
    plain = lines[index].plain
    short = _word_count(plain) <= 12 and not plain.endswith((":", ",")) and not _BULLET.match(plain)
    return short and index + 1 < len(lines) and body[index + 1]


@dataclass(slots=True)
class _Run:
    """Paragraphs close enough together to be one text."""

    start: int
    end: int
    after_comment: bool
    words: int = 0
    vocabulary: set[str] = field(default_factory=set)
    """Its words of five letters or more: what it is about."""


def _article_spans(
    lines: list[_Line], roles: list[str | None], body: list[bool], extracted: bool
) -> list[tuple[int, int]]:
    """First and last lines of the stretches of article text, in order.

    After an extractor it is one stretch from the first line after the title to the end. Otherwise
    it is the run with the most words (counted three times when it starts under the repeated page
    title), never a reader comment, with the runs that its neighbours let join it.
    """
    if extracted:
        first = next((i for i, line in enumerate(lines) if roles[i] is None and not line.heading), len(lines))
        return [(first, len(lines) - 1)] if first < len(lines) else []
    runs = _runs(lines, roles, body)
    if not runs:  # No whole sentence: keep just the running text, if any.
        return [(i, i) for i, is_body in enumerate(body) if is_body]
    echo = _title_echo(lines, roles)

    def weight(run: _Run) -> int:
        return run.words * (3 if echo is not None and 0 < run.start - echo <= _TITLE_REACH else 1)

    first = last = runs.index(max([run for run in runs if not run.after_comment] or runs, key=weight))
    subject = set(runs[first].vocabulary)
    while first > 0 and _joins(runs[first], runs[first - 1], roles, subject):
        first -= 1
        subject |= runs[first].vocabulary
    while last + 1 < len(runs) and _joins(runs[last], runs[last + 1], roles, subject):
        last += 1
        subject |= runs[last].vocabulary
    return [(run.start, run.end) for run in runs[first : last + 1]]


def _runs(lines: list[_Line], roles: list[str | None], body: list[bool]) -> list[_Run]:
    """Whole sentences grouped into runs, split where more than _MAX_GAP other lines or a reader comment part them.

    A sentence met before is left out: it is kept once, where it first stands.
    """
    runs: list[_Run] = []
    gap: int | None = None
    comment = False
    seen: set[str] = set()
    for i, line in enumerate(lines):
        if _is_comment_head(i, lines):
            comment, gap = True, None
        elif body[i] and _is_seed(line):
            if _key(line.plain) in seen:
                continue
            seen.add(_key(line.plain))
            if gap is None or gap > _MAX_GAP:
                runs.append(_Run(i, i, comment))
                comment = False
            runs[-1].end, gap = i, 0
            runs[-1].words += _word_count(line.plain)
            runs[-1].vocabulary.update(word.lower() for word in _LONG_WORD.findall(line.plain))
        elif gap is not None and _parts_paragraphs(line, roles[i]):
            gap += 1
    return runs


def _parts_paragraphs(line: _Line, role: str | None) -> bool:
    """Menus and widgets part two texts; a caption, a blank, a bullet or a clause of running text does not."""
    plain = line.plain
    if role in ("caption", "credit") or not re.search(r"\w", plain) or _BULLET.match(plain):
        return False
    return not _reads_as_prose(plain, _MIN_CLAUSE)


def _joins(near: _Run, far: _Run, roles: list[str | None], subject: set[str]) -> bool:
    """The far run goes on with the article when only pictures or a list part them, or when a box of
    links parts them and the far run is long and on the article's subject."""
    before, after = sorted((near, far), key=lambda run: run.start)
    between = roles[before.end + 1 : after.start]
    if after.after_comment or len(between) > _MAX_BOX:
        return False
    if len(between) <= _MAX_JOIN and all(role in (None, "caption", "credit") for role in between):
        return True
    shared = len(far.vocabulary & subject)
    return far.words >= _MIN_RESUMED_WORDS and shared >= _SAME_SUBJECT * len(far.vocabulary)


def _title_echo(lines: list[_Line], roles: list[str | None]) -> int | None:
    """Where the page title comes again, with or without the site name: the article's own heading."""
    first = next((i for i, role in enumerate(roles) if role is None), None)
    if first is None:
        return None
    wanted = _title_keys(lines[first].plain)
    return next((i for i in range(first + 1, len(lines)) if _loose_key(lines[i].plain) in wanted), None)


def _title_keys(plain: str) -> set[str]:
    """A title as it may come again: whole, or its longest part without the site name."""
    title = _loose_key(plain)
    longest = max(re.split(r"\s+[|–—:·»-]+\s+", title), key=len)
    return {title, longest} if len(longest.split()) >= 3 else {title}


def _loose_key(plain: str) -> str:
    """A line compared without case, quote styles or a final stop."""
    return _key(plain.translate(_QUOTES)).rstrip(".!?:")
