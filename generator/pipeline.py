"""The orchestrator: seeds/ -> content/ -> site/, one stage after another, nothing else."""

from __future__ import annotations

import hashlib
import logging
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from generator.clean import chrome_lines, clean_article
from generator.config import Settings, load_alias_tables
from generator.errors import BuildError, SeedError
from generator.extract import Aliases, article_text, build_aliases, extract_article
from generator.index import build_topic_index
from generator.ingest import read_seeds
from generator.model import Article, BuildReport, CleanArticle, Problem, RawArticle
from generator.nlp import analyse, load_pipeline
from generator.relate import relate_articles
from generator.render import Corpus, render_site
from generator.summarize import summarize_article
from generator.text import slugify
from generator.write import build_lock, build_site, recover, write_content

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Paths:
    project: Path
    seeds: Path
    content: Path
    site: Path

    @property
    def mkdocs_config(self) -> Path:
        return self.project / "mkdocs.yml"

    @property
    def lock(self) -> Path:
        return self.project / ".cache" / "build.lock"


def analyse_corpus(paths: Paths, settings: Settings) -> tuple[Corpus, tuple[Problem, ...]]:
    """Read, clean, extract, summarize, relate and index every seed; writes nothing."""
    # 1. Ingest: every seed file, decoded; unusable files become problems.
    raws, problems = read_seeds(paths.seeds, settings)
    # 2. Clean: lines that recur across files are site chrome.
    chrome = chrome_lines(raws)
    cleaned, more_problems = _clean_all(raws, chrome, settings)
    problems += more_problems
    # 3. Extract: who, where, when and who said what, with spaCy.
    aliases = build_aliases(*load_alias_tables(paths.project, settings))
    articles = _extract_all(cleaned, raws, aliases, settings)
    # 4. Summarize each article from its own sentences.
    briefs = tuple((a.id, summarize_article(a, settings)) for a in articles)
    # 5. Relate: versions, stories, storylines, related reading.
    relations = relate_articles(articles, settings.related_count)
    # 6. Index: a topic per canonical entity.
    index = build_topic_index(articles, relations, settings.topic_page_min_articles)
    corpus = Corpus(tuple(articles), briefs, relations, index, settings.site_title)
    return corpus, tuple(sorted(problems, key=lambda p: p.source))


def build(paths: Paths, settings: Settings, *, strict: bool = False, render_html: bool = True) -> BuildReport:
    """Generate content/ and render site/; under --strict any problem stops the build before a write."""
    started = time.monotonic()
    with build_lock(paths.lock):
        recover(paths.content)
        recover(paths.site)
        corpus, problems = analyse_corpus(paths, settings)
        if strict and problems:
            raise BuildError(f"{len(problems)} seed(s) could not be used (strict mode); nothing was written")
        if not corpus.articles:
            raise BuildError(f"no usable article in '{paths.seeds}'; nothing was written")
        # 7. Render every page from the templates.
        pages = render_site(corpus)
        # 8. Write: content/ first, then MkDocs renders site/ from it.
        written, removed = write_content(pages, paths.content)
        if render_html:
            build_site(paths.mkdocs_config, paths.content, paths.site)
    return BuildReport(len(corpus.articles), problems, written, removed, time.monotonic() - started)


def _clean_all(
    raws: Sequence[RawArticle], chrome: frozenset[str], settings: Settings
) -> tuple[list[CleanArticle], tuple[Problem, ...]]:
    """Clean each article; the same text twice is built once and reported."""
    cleaned: list[CleanArticle] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for raw in raws:
        try:
            clean = clean_article(raw, chrome, settings)
        except SeedError as error:
            problems.append(Problem(error.source, error.reason))
            continue
        fingerprint = hashlib.blake2b("\n".join(clean.paragraphs).encode(), digest_size=16).hexdigest()
        if fingerprint in seen:
            problems.append(Problem(raw.source, f"same article text as '{seen[fingerprint]}'; built once"))
            continue
        seen[fingerprint] = raw.source
        cleaned.append(clean)
    return cleaned, tuple(problems)


def article_ids(sources: Sequence[str]) -> dict[str, str]:
    """A stable, unique page name per source: its path without extension, slugged."""
    ids: dict[str, str] = {}
    used: set[str] = set()
    for source in sorted(sources):
        path, _, item = source.partition("#")
        stem = path.rsplit(".", 2 if path.endswith(".gz") else 1)[0] if "." in path.rsplit("/", 1)[-1] else path
        base = slugify(f"{stem}-{item}" if item else stem, 100)
        candidate, number = base, 2
        while candidate in used:
            candidate, number = f"{base}-{number}", number + 1
        used.add(candidate)
        ids[source] = candidate
    return ids


def _extract_all(
    cleaned: list[CleanArticle], raws: Sequence[RawArticle], aliases: Aliases, settings: Settings
) -> list[Article]:
    digests = {raw.source: raw.digest for raw in raws}
    ids = article_ids([c.source for c in cleaned])
    nlp = load_pipeline(settings.nlp_model)
    docs = analyse(nlp, (article_text(c) for c in cleaned), processes=1)
    return [
        extract_article(clean, doc, aliases, ids[clean.source], digests.get(clean.source, ""))
        for clean, doc in zip(cleaned, docs, strict=True)
    ]
