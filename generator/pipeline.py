"""The orchestrator: seeds/ -> content/ -> site/, one stage after another, nothing else."""

from __future__ import annotations

import contextlib
import dataclasses
import gc
import hashlib
import importlib.metadata
import json
import logging
import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, closing, nullcontext
from dataclasses import dataclass, replace
from pathlib import Path

from generator import __version__
from generator.analyse import Analysed, ArticleJob, Outcome
from generator.cache import ResultCache
from generator.clean import line_keys, recurring_lines
from generator.config import Settings, load_alias_tables
from generator.errors import BuildError
from generator.executors import run_jobs
from generator.index import build_topic_index
from generator.ingest import read_seeds
from generator.model import BuildReport, Problem, RawArticle
from generator.names import AliasEntry
from generator.nlp import model_version
from generator.relate import relate_articles
from generator.render import Corpus, render_site
from generator.summarize import summarize_story
from generator.text import slugify
from generator.write import (
    build_lock,
    build_site,
    read_last_build,
    read_manifest,
    recover,
    save_last_build,
    write_content,
)

log = logging.getLogger(__name__)

PROGRESS_FROM = 50
"""Show a progress bar when at least this many articles need work."""


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
    def cache_dir(self) -> Path:
        return self.project / ".cache"

    @property
    def lock(self) -> Path:
        return self.cache_dir / "build.lock"

    def opened_cache(self, wanted: bool) -> AbstractContextManager[ResultCache | None]:
        """The result cache, closed on leaving; None under --no-cache."""
        return closing(ResultCache(self.cache_dir / "articles.sqlite")) if wanted else nullcontext(None)


@dataclass(frozen=True, slots=True)
class RunOptions:
    """How the per-article work runs; none of this changes what is built."""

    use_cache: bool = True
    executor: str = "local"
    scheduler: str | None = None
    progress: bool = False


class Stopwatch:
    """Seconds spent in each stage, for one line at the end of a build."""

    def __init__(self) -> None:
        self.laps: list[tuple[str, float]] = []
        self._last = time.monotonic()

    def lap(self, stage: str) -> None:
        now = time.monotonic()
        self.laps.append((stage, now - self._last))
        self._last = now

    def __str__(self) -> str:
        return ", ".join(f"{stage} {seconds:.1f}s" for stage, seconds in self.laps)


@dataclass(frozen=True, slots=True)
class Inputs:
    """Everything a build reads, and the cache key of each article's result."""

    jobs: tuple[ArticleJob, ...]
    keys: tuple[str, ...]
    alias_tables: tuple[dict[str, AliasEntry], ...]
    problems: tuple[Problem, ...]
    """Seeds that could not be read."""

    def build_key(self, settings: Settings) -> str:
        """Hash of every input of the corpus stages: equal keys mean an identical content/."""
        problems = [[p.source, p.reason] for p in self.problems]
        data = json.dumps([sorted(self.keys), dataclasses.asdict(settings), problems], default=list)
        return hashlib.blake2b(data.encode("utf-8"), digest_size=20).hexdigest()


def read_inputs(paths: Paths, settings: Settings, use_cache: bool = True) -> Inputs:
    """Ingest: every seed file decoded into a job; unusable files become problems.

    A file whose bytes the cache has seen is not decoded again.
    """
    code = _code_fingerprint()
    with paths.opened_cache(use_cache) as cache:
        raws, problems = read_seeds(paths.seeds, settings, cache, salt=json.dumps([__version__, code]))
    alias_tables = tuple(load_alias_tables(paths.project, settings))
    jobs = tuple(article_jobs(raws))
    fingerprint = json.dumps(
        [__version__, code, settings.fingerprint(), model_version(settings.nlp_model), alias_tables]
    )
    return Inputs(jobs, tuple(job_key(job, fingerprint) for job in jobs), alias_tables, problems)


@contextlib.contextmanager
def garbage_collection_paused() -> Iterator[None]:
    """Python's cycle collector held off for the span of a build, and set back as it was after.

    A build makes millions of objects that live to its end (articles, sentences, names) and next to no
    reference cycles (under a hundred per hundred articles analysed), so each full collection walks
    them all again for nothing: at 10,000 articles that was half the time of reading the cache back.
    A zero threshold, not gc.disable(): loading spaCy's model calls gc.enable(). Forked workers
    inherit it.
    """
    thresholds = gc.get_threshold()
    gc.set_threshold(0)
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


@garbage_collection_paused()
def analyse_corpus(
    paths: Paths,
    settings: Settings,
    options: RunOptions = RunOptions(),
    inputs: Inputs | None = None,
    stopwatch: Stopwatch | None = None,
) -> tuple[Corpus, tuple[Problem, ...]]:
    """Read, clean, extract, summarize, relate and index every seed; writes nothing but the cache."""
    stopwatch = stopwatch or Stopwatch()
    # 1. Ingest: every seed file, decoded; unusable files become problems.
    if inputs is None:
        inputs = read_inputs(paths, settings, options.use_cache)
        stopwatch.lap("read")
    # 2-4. Clean, extract, summarize each article, on every core, reusing cached results.
    outcomes = _outcomes(inputs, settings, paths, options)
    stopwatch.lap("analyse")
    analysed, more_problems = _built_once([o for o in outcomes if isinstance(o, Analysed)])
    problems = inputs.problems + tuple(o for o in outcomes if isinstance(o, Problem)) + more_problems
    articles = tuple(a.article for a in analysed)
    briefs = tuple((a.article.id, a.brief) for a in analysed)
    # 5. Relate: versions, stories, storylines, related reading.
    features = {a.article.id: a.features for a in analysed}
    relations = relate_articles(articles, settings.related_count, features, settings.workers)
    stopwatch.lap("relate")
    # 6. Index: a topic per canonical entity; and a briefing per story, across its articles.
    themes = {a.article.id: a.themes for a in analysed}
    index = build_topic_index(articles, relations, settings.topic_page_min_articles, themes)
    brief_of, article_of = dict(briefs), {a.id: a for a in articles}
    # A story of one article is told by that article's own brief.
    story_facts = tuple(
        (s.id, summarize_story([article_of[i] for i in s.articles[::-1]], brief_of))
        for s in relations.stories
        if len(s.articles) > 1
    )
    stopwatch.lap("index")
    corpus = Corpus(articles, briefs, relations, index, settings.site_title, settings.site_url, story_facts)
    return corpus, tuple(sorted(problems, key=lambda p: p.source))


@garbage_collection_paused()
def build(
    paths: Paths,
    settings: Settings,
    *,
    strict: bool = False,
    render_html: bool = True,
    options: RunOptions = RunOptions(),
) -> BuildReport:
    """Generate content/ and render site/; under --strict any problem stops the build before a write.

    When every input is the one the last build used and content/ is as it left it, the corpus stages
    are skipped: their output would be the same bytes. MkDocs is skipped the same way when content/,
    mkdocs.yml and site/ are as the last render left them.
    """
    started = time.monotonic()
    stopwatch = Stopwatch()
    with build_lock(paths.lock):
        recover(paths.content)
        recover(paths.site)
        inputs = read_inputs(paths, settings, options.use_cache)
        stopwatch.lap("read")
        last = read_last_build(paths.cache_dir)
        build_key = inputs.build_key(settings)
        corpus = None
        content_as_left = bool(options.use_cache and last and content_unchanged(last, paths.content))
        if content_as_left and last and last.get("build") == build_key:
            problems = tuple(Problem(source, reason) for source, reason in last["problems"])
            log.info("seeds, settings and content/ are as the last build left them: nothing to regenerate")
        else:
            corpus, problems = analyse_corpus(paths, settings, options, inputs, stopwatch)
        if strict and problems:
            raise BuildError(f"{len(problems)} seed(s) could not be used (strict mode); nothing was written", problems)
        state, written, removed = last, 0, 0
        if corpus is not None:
            if not corpus.articles:
                raise BuildError(f"no usable article in '{paths.seeds}'; nothing was written")
            state = new_since_last_build(last, [a.id for a in corpus.articles])
            corpus = replace(corpus, new_articles=tuple(state["new"]))
            # 7. Render every page from the templates, but those whose view is the one they were rendered from.
            rendered_before = last.get("pages") if last and content_as_left else None
            salt = json.dumps([__version__, _code_fingerprint(), dataclasses.asdict(settings)], default=list)
            rendered = render_site(corpus, settings.workers, rendered_before, salt)
            stopwatch.lap("render")
            # 8. Write: content/ first, then MkDocs renders site/ from it.
            written, removed = write_content(rendered.pages, paths.content, rendered.kept)
            stopwatch.lap("write")
            state |= {
                "pages": rendered.fingerprints,
                "build": build_key,
                "content": content_stamp(paths.content),
                "problems": [[p.source, p.reason] for p in problems],
            }
        if render_html:
            salt = site_salt(paths)
            site_key = site_inputs_key(paths, salt)
            last_site = state.get("site") if options.use_cache else None
            # site/ is stamped only when its inputs are unchanged: before a render the stamp would be thrown away.
            if last_site and last_site[0] == site_key and last_site[1] == tree_stamp(paths.site):
                site_stamp = last_site[1]
                log.info("site/ is as the last render of this content/ and mkdocs.yml left it: not rendered again")
            else:
                with paths.opened_cache(options.use_cache) as cache:
                    build_site(paths.mkdocs_config, paths.content, paths.site, settings.workers, cache, salt)
                site_stamp = tree_stamp(paths.site)
                stopwatch.lap("site")
            state = state | {"site": [site_key, site_stamp]}
        save_last_build(paths.cache_dir, state)
    log.info("time by stage: %s", stopwatch)
    return BuildReport(len(state["articles"]), problems, written, removed, time.monotonic() - started)


def content_unchanged(last: dict, content: Path) -> bool:
    return last.get("content") == content_stamp(content)


def content_stamp(content: Path) -> str:
    """Size and modification time of every file of content/ we wrote: a file edited by hand changes it."""
    return _files_stamp(content, read_manifest(content))


def tree_stamp(folder: Path) -> str:
    """The same for every file under a folder: any file added, edited or removed changes it.

    os.walk lists each folder once; pathlib's rglob and is_file cost several times more per file.
    """
    relatives: list[str] = []
    for root, _, names in os.walk(folder):
        prefix = Path(root).relative_to(folder).as_posix()
        relatives.extend(name if prefix == "." else f"{prefix}/{name}" for name in names)
    return _files_stamp(folder, sorted(relatives))


def _files_stamp(folder: Path, relatives: Sequence[str]) -> str:
    stamps = []
    for relative in relatives:
        try:
            status = (folder / relative).stat()
        except OSError:
            return ""
        stamps.append([relative, status.st_size, status.st_mtime_ns])
    return hashlib.blake2b(json.dumps(stamps).encode("utf-8"), digest_size=20).hexdigest()


def site_inputs_key(paths: Paths, salt: str) -> str:
    """Everything MkDocs renders site/ from: content/ as it is on disk, and the rest (`site_salt`)."""
    data = json.dumps([tree_stamp(paths.content), salt, str(paths.content)])
    return hashlib.blake2b(data.encode("utf-8"), digest_size=20).hexdigest()


def site_salt(paths: Paths) -> str:
    """What MkDocs renders any page with: mkdocs.yml, our theme and Markdown syntax, and the versions."""
    try:
        config = paths.mkdocs_config.read_bytes()
    except OSError:
        config = b""
    names = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions")
    return json.dumps([config.hex(), _code_fingerprint(), [_installed_version(name) for name in names]])


def _installed_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def new_since_last_build(last: dict | None, article_ids: Sequence[str]) -> dict:
    """Articles that arrived in the last build that changed the set of articles.

    A rebuild with the same articles keeps the same list, so output stays byte-identical; the first
    build of a project has nothing to compare with and lists none.
    """
    current = sorted(article_ids)
    if last is None:
        return {"articles": current, "new": []}
    if set(last["articles"]) == set(current):
        return {"articles": current, "new": sorted(set(last["new"]) & set(current))}
    return {"articles": current, "new": sorted(set(current) - set(last["articles"]))}


def article_jobs(raws: Sequence[RawArticle]) -> list[ArticleJob]:
    """One job per article, with the site chrome that concerns it and its page name."""
    keys = [line_keys(raw) for raw in raws]
    chrome = recurring_lines(zip((raw.source for raw in raws), keys, strict=True))
    ids = article_ids([raw.source for raw in raws])
    return [ArticleJob(raw, tuple(sorted(own & chrome)), ids[raw.source]) for raw, own in zip(raws, keys, strict=True)]


def job_key(job: ArticleJob, fingerprint: str) -> str:
    data = json.dumps(
        [fingerprint, job.raw.source, job.raw.kind, job.raw.digest, job.raw.meta, job.chrome, job.article_id]
    )
    return hashlib.blake2b(data.encode("utf-8"), digest_size=20).hexdigest()


def _outcomes(inputs: Inputs, settings: Settings, paths: Paths, options: RunOptions) -> list[Outcome]:
    """Cached results where the inputs are unchanged; the rest computed and cached.

    Each chunk of results is cached as soon as it arrives: a long build that is stopped keeps what
    it analysed, and the next build starts from there.
    """
    jobs, keys = inputs.jobs, inputs.keys
    with paths.opened_cache(options.use_cache) as cache:
        found = cache.get_many(keys) if cache else {}
        todo = [(key, job) for key, job in zip(keys, jobs, strict=True) if key not in found]
        with _progress(len(todo), options.progress) as advance:

            def finished(start: int, outcomes: list[Outcome]) -> None:
                if cache:
                    cache.put_many(
                        {key: o for (key, _), o in zip(todo[start : start + len(outcomes)], outcomes, strict=True)}
                    )
                if advance:
                    advance(len(outcomes))

            computed = run_jobs(
                [job for _, job in todo],
                settings,
                inputs.alias_tables,
                executor=options.executor,
                scheduler=options.scheduler,
                finished=finished,
            )
        fresh = {key: outcome for (key, _), outcome in zip(todo, computed, strict=True)}
        if cache:
            cache.keep_only(keys)
    if todo:
        log.info("analysed %d of %d articles (%d from the cache)", len(todo), len(jobs), len(jobs) - len(todo))
    return [found.get(key) or fresh[key] for key in keys]


def _code_fingerprint() -> str:
    """Hash of the generator's own code, templates and data: a changed stage never reuses old results."""
    package = Path(__file__).parent
    digest = hashlib.blake2b(digest_size=16)
    for path in sorted(package.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".j2", ".yml", ".css"):
            digest.update(path.relative_to(package).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


def _progress(total: int, wanted: bool):
    """A progress bar on stderr for long runs; a no-op otherwise."""
    if not wanted or total < PROGRESS_FROM:
        return nullcontext(None)
    return _ProgressBar(total)


class _ProgressBar:
    def __init__(self, total: int) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn

        self.total = total
        self.bar = Progress(
            TextColumn("analysing"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeRemainingColumn(),
            console=Console(file=sys.stderr),
            transient=True,
        )

    def __enter__(self):
        self.bar.start()
        task = self.bar.add_task("articles", total=self.total)
        return lambda count: self.bar.advance(task, count)

    def __exit__(self, *exc) -> None:
        self.bar.stop()


def _built_once(analysed: list[Analysed]) -> tuple[list[Analysed], tuple[Problem, ...]]:
    """The same article text twice is built once, and the copy reported."""
    kept: list[Analysed] = []
    problems: list[Problem] = []
    seen: dict[str, str] = {}
    for item in sorted(analysed, key=lambda a: a.article.source):
        fingerprint = hashlib.blake2b("\n".join(item.article.paragraphs).encode(), digest_size=16).hexdigest()
        if fingerprint in seen:
            problems.append(Problem(item.article.source, f"same article text as '{seen[fingerprint]}'; built once"))
            continue
        seen[fingerprint] = item.article.source
        kept.append(item)
    return kept, tuple(problems)


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
