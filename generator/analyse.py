"""The per-article stages, clean -> extract -> summarize, as one pure function over serialisable inputs.

This is the work that grows with the corpus, so it is what runs on every core, on a Dask cluster,
and what the cache keeps: each job carries everything its result depends on.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.clean import clean_article
from generator.config import Settings
from generator.errors import SeedError
from generator.extract import article_text, build_aliases, extract_article
from generator.model import Article, Brief, Problem, RawArticle
from generator.nlp import load_pipeline
from generator.summarize import summarize_article

if TYPE_CHECKING:
    from spacy.language import Language


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


Outcome = Analysed | Problem

_PIPELINES: dict[str, Language] = {}


def _pipeline(name: str) -> Language:
    """One spaCy pipeline per process, loaded on first use."""
    if name not in _PIPELINES:
        _PIPELINES[name] = load_pipeline(name)
    return _PIPELINES[name]


def analyse_articles(
    jobs: Sequence[ArticleJob], settings: Settings, alias_tables: Sequence[dict[str, list[str]]]
) -> list[Outcome]:
    """Clean, extract and summarize each job's article; an unusable one becomes a Problem."""
    aliases = build_aliases(*alias_tables)
    cleaned = []
    outcomes: list[Outcome | None] = []
    for job in jobs:
        try:
            cleaned.append((len(outcomes), job, clean_article(job.raw, frozenset(job.chrome), settings)))
            outcomes.append(None)
        except SeedError as error:
            outcomes.append(Problem(error.source, error.reason))
    nlp = _pipeline(settings.nlp_model)
    docs = nlp.pipe((article_text(clean) for _, _, clean in cleaned), batch_size=64)
    for (position, job, clean), doc in zip(cleaned, docs, strict=True):
        article = extract_article(clean, doc, aliases, job.article_id, job.raw.digest)
        outcomes[position] = Analysed(article, summarize_article(article, settings))
    return [outcome for outcome in outcomes if outcome is not None]
