"""Small pure helpers on strings shared by several stages."""

from __future__ import annotations

import functools
import html
import re
import unicodedata

_TAG = re.compile(r"</?([a-zA-Z][a-zA-Z0-9]*)\b[^<>]*>")
_EMPHASIS_TAGS = {"i": "*", "em": "*", "b": "**", "strong": "**"}
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")
_LINE_START_MARKER = re.compile(r"^(\s*)([-+=>]|\d+[.)])")
_BIDI_CONTROLS = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"))
_UNSAFE_CHARS = dict.fromkeys([*range(0, 9), 11, 12, *range(14, 32), 127])


@functools.cache
def stop_words() -> frozenset[str]:
    """scikit-learn's English stop words, imported on first use: importing scikit-learn is half of a start (1.5 s)."""
    from sklearn.feature_extraction.text import ENGLISH_STOP_WORDS

    return ENGLISH_STOP_WORDS


def normalize_space(text: str) -> str:
    """Runs of whitespace as one space, none at the ends (str.split's whitespace is regex \\s)."""
    return " ".join(text.split())


def strip_controls(text: str) -> str:
    """Drop control characters and bidirectional overrides that could disguise text."""
    return text.translate(_UNSAFE_CHARS).translate(_BIDI_CONTROLS)


def md_escape(text: str) -> str:
    """Text shown literally in Markdown: no markup, no HTML, no attribute lists from a source."""
    escaped = html.escape(text, quote=False)
    escaped = _MD_SPECIAL.sub(r"\\\1", escaped)
    return _LINE_START_MARKER.sub(lambda m: m.group(1) + "\\" + m.group(2), escaped)


def inline_html_to_markdown(text: str) -> str:
    """A line with inline HTML becomes safe Markdown: emphasis kept, other tags dropped, entities decoded.

    Written by hand because the input is one line of text with a few inline tags, not a document.
    """
    pieces: list[str] = []
    position = 0
    for match in _TAG.finditer(text):
        pieces.append(md_escape(html.unescape(text[position : match.start()])))
        position = match.end()
        marker = _EMPHASIS_TAGS.get(match.group(1).lower())
        if not marker:
            continue
        if match.group(0).startswith("</"):
            while pieces and not pieces[-1].strip() and pieces[-1] != marker:
                pieces.pop()
            if pieces and pieces[-1] == marker:
                pieces.pop()
                continue
        pieces.append(marker)
    pieces.append(md_escape(html.unescape(text[position:])))
    return normalize_space("".join(pieces))


_EMPHASIS_MARKER = re.compile(r"(?<!\\)\*+")
_ESCAPED = re.compile(r"\\(.)")


def markdown_to_plain(markdown: str) -> str:
    """Undo md_escape and our emphasis markers: the words a reader sees.

    Each step runs only on text that has what it undoes: most paragraphs have no markup at all.
    """
    text = _EMPHASIS_MARKER.sub("", markdown) if "*" in markdown else markdown
    text = _ESCAPED.sub(r"\1", text) if "\\" in text else text
    return normalize_space(html.unescape(text))


_RESERVED_NAMES = frozenset(
    ["con", "prn", "aux", "nul", "index", "404", "assets", "search", "tags"]
    + [f"com{n}" for n in range(10)]
    + [f"lpt{n}" for n in range(10)]
)


def slugify(text: str, max_length: int = 80) -> str:
    """A lowercase ASCII slug that is safe as a file name on every system and clashes with no site page."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    slug = slug[:max_length].rstrip("-") or "untitled"
    return f"{slug}-page" if slug in _RESERVED_NAMES else slug


def cut_at_word(text: str, max_words: int) -> str:
    """At most max_words words, cut between words, with an ellipsis when cut."""
    tokens = text.split()
    if len(tokens) <= max_words:
        return text
    return " ".join(tokens[:max_words]).rstrip(",;:—-") + "…"
