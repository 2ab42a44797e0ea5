"""The per-article stages, clean -> extract -> summarize, as one pure function over serialisable inputs.

This is the work that grows with the corpus, so it is what runs on every core, on a Dask cluster,
and what the cache keeps: each job carries everything its result depends on.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import msgspec

from generator.clean import clean_article
from generator.config import Settings
from generator.errors import SeedError
from generator.extract import article_text, build_aliases, extract_article
from generator.index import theme_terms_of
from generator.model import Article, ArticleFeatures, Brief, CleanArticle, Problem, RawArticle, ThemeTerms
from generator.names import AliasEntry
from generator.nlp import load_pipeline, main_clause
from generator.relate import article_features, feature_hashers, minhash_permutations
from generator.summarize import summarize_article
from generator.text import stop_words

if TYPE_CHECKING:
    from spacy.language import Language
    from spacy.tokens import Doc

PIECE_CHARS = 100_000
"""spaCy's NER is given at most this many characters at once (its own limit is a million)."""
BATCH_SIZE = 32


@dataclass(frozen=True, slots=True)
class ArticleJob:
    raw: RawArticle
    chrome: tuple[str, ...]
    """The lines of this article that recur across the corpus (site chrome), normalised."""
    article_id: str


@dataclass(frozen=True, slots=True)
class Analysed:
    article: Article
    brief: Brief
    features: ArticleFeatures
    """What the relate stage needs of this article, worked out here so that it is cached with it."""
    themes: ThemeTerms
    """The same for the topic index."""


Outcome = Analysed | Problem

_ENCODER = msgspec.json.Encoder()
_DECODERS = {"analysed": msgspec.json.Decoder(Analysed), "problem": msgspec.json.Decoder(Problem)}


def encode_outcome(outcome: Outcome) -> tuple[str, bytes]:
    """An outcome as its kind and JSON: how the cache keeps it and the workers send it back.

    msgspec writes and reads the model's dataclasses several times faster than pickle does.
    """
    return ("analysed" if isinstance(outcome, Analysed) else "problem"), _ENCODER.encode(outcome)


def decode_outcome(kind: str, payload: bytes) -> Outcome:
    """The outcome `encode_outcome` wrote; raises KeyError or msgspec.MsgspecError on anything else."""
    return _DECODERS[kind].decode(payload)


def prepare_workers() -> None:
    """Import and build here what every job needs (scikit-learn, datasketch): workers forked after share them.

    They are imported on first use, so that a build with nothing to analyse never pays for them.
    """
    stop_words()
    feature_hashers()
    minhash_permutations()


_PIPELINES: dict[str, Language] = {}


def _pipeline(name: str) -> Language:
    """One spaCy pipeline per process, loaded on first use."""
    if name not in _PIPELINES:
        _PIPELINES[name] = load_pipeline(name)
    return _PIPELINES[name]


def analyse_articles(
    jobs: Sequence[ArticleJob], settings: Settings, alias_tables: Sequence[dict[str, AliasEntry]]
) -> list[Outcome]:
    """Clean, extract and summarize each job's article; an unusable one becomes a Problem.

    spaCy gets the articles in batches (faster than one call each, with the same results); a text
    too long for one call goes alone, in pieces.
    """
    aliases = build_aliases(*alias_tables)
    nlp = _pipeline(settings.nlp_model)
    shorten = functools.partial(main_clause, nlp, max_words=settings.summary_max_words)
    outcomes: list[Outcome] = [_clean(job, settings) for job in jobs]
    ready = [(i, article_text(clean)) for i, clean in enumerate(outcomes) if isinstance(clean, CleanArticle)]
    short_docs = nlp.pipe((text for _, text in ready if len(text) <= PIECE_CHARS), batch_size=BATCH_SIZE)
    extracted: dict[int, tuple[Article, Brief]] = {}
    for i, text in ready:
        job, clean = jobs[i], outcomes[i]
        try:
            doc = next(short_docs) if len(text) <= PIECE_CHARS else analyse_text(nlp, text)
            article = extract_article(clean, doc, aliases, job.article_id, job.raw.digest)
            extracted[i] = (article, summarize_article(article, settings, shorten))
        except (RecursionError, MemoryError, ValueError) as error:
            outcomes[i] = _failed(job, error)
    # One call for the whole batch: the vectorizers cost more per call than per article.
    features = article_features([article for article, _ in extracted.values()])
    for (i, (article, brief)), found in zip(extracted.items(), features, strict=True):
        outcomes[i] = Analysed(article, brief, found, theme_terms_of(article))
    return outcomes


def _clean(job: ArticleJob, settings: Settings) -> CleanArticle | Problem:
    try:
        return clean_article(job.raw, frozenset(job.chrome), settings)
    except SeedError as error:
        return Problem(error.source, error.reason)
    except (RecursionError, MemoryError, ValueError) as error:
        return _failed(job, error)


def _failed(job: ArticleJob, error: Exception) -> Problem:
    """A pathological page (nesting thousands deep, a parser limit) costs that article, not the build."""
    return Problem(job.raw.source, f"could not be analysed ({type(error).__name__}: {error})"[:300])


def analyse_text(nlp: Language, text: str) -> Doc:
    """spaCy's analysis of any length of text: long texts go through in pieces and are joined again."""
    if len(text) <= PIECE_CHARS:
        return nlp(text)
    from spacy.tokens import Doc

    pieces = _pieces(text)
    doc = Doc.from_docs(list(nlp.pipe(pieces, batch_size=8)), ensure_whitespace=False)
    if doc.text != text:
        raise ValueError("text could not be analysed in pieces")
    return doc


def _pieces(text: str) -> list[str]:
    """Cut at paragraph breaks, else at a space, keeping the separators so the pieces join back exactly."""
    pieces = []
    start = 0
    while len(text) - start > PIECE_CHARS:
        window = text[start : start + PIECE_CHARS]
        cut = window.rfind("\n\n")
        cut = cut + 2 if cut > PIECE_CHARS // 2 else window.rfind(" ") + 1
        if cut <= 0:
            cut = PIECE_CHARS
        pieces.append(text[start : start + cut])
        start += cut
    pieces.append(text[start:])
    return pieces
