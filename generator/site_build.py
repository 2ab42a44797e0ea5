"""MkDocs' build of content/ into a site, with the work of each page spread over processes.

MkDocs renders pages one after another. Once the navigation and the tags are known every page is
independent of the others, and on a corpus of thousands its two loops (Markdown into HTML, HTML into
the theme with its search entry) are nearly all the cost. This runs MkDocs' own steps in MkDocs' order
and hands those two loops to forked workers (`forked.fork_map`); what a worker learns that the
build needs later (a page's HTML, table of contents and anchors, the search entries, the log records)
comes back and is applied in page order, so the site is byte for byte the one MkDocs builds
(a test compares them). MkDocs has no parallel build of its own, hence the steps written out here.

Only plugins whose per-page state is known are run this way (Material's search and tags); with any
other plugin, or on a small site without a cache, MkDocs' own `build` runs instead.

Given a cache, the first loop (Markdown into HTML, over half of the time) is skipped for a page
whose inputs are those of a page rendered before: its Markdown and path, whether each file it may
link to exists, and a salt naming the configuration, the versions and our code. A rebuild after a
few articles changed renders those pages' Markdown only; the theme loop and everything that reads
all pages (navigation, tags, search index, sitemap, anchor checks) run as before.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import multiprocessing
import os
import posixpath
import re
import time
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import msgspec
from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import AnchorLink, TableOfContents
from mkdocs.utils import CountHandler, clean_directory

from generator.forked import fork_map

if TYPE_CHECKING:
    from generator.cache import ResultCache

log = logging.getLogger("mkdocs.commands.build")

PARALLEL_PLUGINS = frozenset({"material/search", "material/tags"})
"""Plugins whose per-page state the workers hand back (search entries) or only read (tags)."""
SMALL_SITE = 50
"""Fewer pages than this are built in this process: starting workers would cost more than it saves."""
_LINK_TARGET = re.compile(
    r"\]\(\s*<?([^)\s>]+)"  # [text](target), ![alt](target)
    r"|(?:href|src)\s*=\s*[\"']([^\"']+)"  # raw HTML
    r"|^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)",  # [label]: target
    re.MULTILINE,
)
"""Every form of link Markdown has: what a page may link to, found without rendering it."""
_EXTERNAL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:|[#/]")
"""A target with a scheme (https:, mailto:), an anchor on the page itself or an absolute path: no file of content/."""


@dataclass(frozen=True)
class _Rendered:
    """What `Page.render` leaves on a page that the rest of the build reads."""

    content: str
    toc: TableOfContents
    title: str | None
    anchors: set[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None


@dataclass
class _Shared:
    """The build's state at the moment the workers fork; they read it, never send it."""

    config: MkDocsConfig
    files: Files
    pages: list[Page]
    doc_files: Sequence[File] = ()
    nav: Navigation | None = None
    env: Any = None


_shared: _Shared | None = None


def build(
    config: MkDocsConfig,
    workers: int,
    small_site: int = SMALL_SITE,
    cache: ResultCache | None = None,
    salt: str = "",
) -> None:
    """Build the site as `mkdocs build` would, on up to `workers` processes once it has `small_site` pages.

    `cache`: pages rendered before, reused where their inputs (with `salt`) are the same; None renders all.
    """
    forkable = "fork" in multiprocessing.get_all_start_methods()
    unknown = set(config.plugins) - PARALLEL_PLUGINS
    small = len(_documentation_names(config)) < small_site
    if unknown or (cache is None and (workers < 2 or not forkable or small)):
        mkdocs_build.build(config)
        return
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict:
        logging.getLogger("mkdocs").addHandler(counter)
    try:
        started = time.monotonic()
        _build(config, 1 if small or not forkable else workers, cache, salt)
        if counts := counter.get_counts():
            raise Abort(f"Aborted with {', '.join(f'{v} {k.lower()}s' for k, v in counts)} in strict mode!")
        log.info(f"Documentation built in {time.monotonic() - started:.2f} seconds")
    except Exception as error:
        config.plugins.on_build_error(error=error)
        if isinstance(error, BuildError):
            log.error(str(error))
            raise Abort("Aborted with a BuildError!") from error
        raise
    finally:
        logging.getLogger("mkdocs").removeHandler(counter)


def _documentation_names(config: MkDocsConfig) -> list[str]:
    """Markdown files under docs_dir: enough to tell a small site from a large one before building."""
    return [name for _, _, names in os.walk(config.docs_dir) for name in names if name.endswith(".md")]


def _build(config: MkDocsConfig, workers: int, cache: ResultCache | None = None, salt: str = "") -> None:
    """`mkdocs.commands.build.build` for a full, non-serve build, with the page loops on workers."""
    global _shared
    config = config.plugins.on_config(config)
    config.plugins.on_pre_build(config=config)
    clean_directory(config.site_dir)
    files = mkdocs_build.get_files(config)
    env = config.theme.get_env()
    files.add_files_from_theme(env, config)
    files = config.plugins.on_files(files, config=config)
    set_exclusions(files, config)
    nav = get_navigation(files, config)
    nav = config.plugins.on_nav(nav, config=config, files=files)
    included = InclusionLevel.is_included
    pages = [_read(file, config, files) for file in files.documentation_pages(inclusion=included)]
    keys = [_render_key(page, files, salt) for page in pages] if cache else []
    reused = _reused_renders(cache, keys)
    todo = [index for index in range(len(pages)) if index not in reused]
    _shared = _Shared(config, files, [pages[index] for index in todo])
    try:
        fresh = dict(zip(todo, fork_map(_render_run, len(todo), workers), strict=True))
        for index, page in enumerate(pages):
            rendered, records = (reused[index], []) if index in reused else fresh[index]
            _apply(page, rendered, files)
            _replay(records)
            page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
        if cache:
            # A page that warned is rendered again, so that the next build warns about it too.
            quiet = {i: r for i, (r, records) in fresh.items() if all(x.levelno < logging.WARNING for x in records)}
            cache.put_pages({keys[i]: _encoded(rendered) for i, rendered in quiet.items()})
            cache.keep_pages(keys)
        env = config.plugins.on_env(env, config=config, files=files)
        files.copy_static_files(inclusion=included)
        for template in config.theme.static_templates:
            mkdocs_build._build_theme_template(template, env, files, config, nav)
        for template in config.extra_templates:
            mkdocs_build._build_extra_template(template, files, config, nav)
        doc_files = files.documentation_pages(inclusion=included)
        _shared = _Shared(config, files, pages, doc_files, nav, env)
        search = config.plugins.get("material/search")
        for entries, records in fork_map(_build_run, len(pages), workers):
            _replay(records)
            if search is not None and search.config.enabled:
                search.search_index.entries.extend(entries)
    finally:
        _shared = None
    anchors_level = config.validation.links.anchors
    for page in pages:
        page.validate_anchor_links(files=files, log_level=anchors_level)
    config.plugins.on_post_build(config=config)


def _read(file: File, config: MkDocsConfig, files: Files) -> Page:
    """The first half of MkDocs' `_populate_page`: the page's source, through the plugins that read it."""
    if file.page is None and file.inclusion.is_not_in_nav():
        Page(None, file, config)
    assert file.page is not None
    config._current_page = file.page
    try:
        page = config.plugins.on_pre_page(file.page, config=config, files=files)
        page.read_source(config)
        page.markdown = config.plugins.on_page_markdown(page.markdown, page=page, config=config, files=files)
        return page
    except Exception as error:
        log.error(f"Error reading page '{file.src_uri}': {error}")
        raise
    finally:
        config._current_page = None


def _render_run(run: range) -> list[tuple[_Rendered, list[logging.LogRecord]]]:
    """In a worker: Markdown into HTML for a run of pages, with what each page logged."""
    assert _shared is not None
    config, files = _shared.config, _shared.files
    results = []
    for index in run:
        page = _shared.pages[index]
        with _captured() as records:
            config._current_page = page
            try:
                page.render(config, files)
            except Exception as error:
                log.error(f"Error reading page '{page.file.src_uri}': {error}")
                raise
            finally:
                config._current_page = None
        links = page.links_to_anchors
        results.append(
            (
                _Rendered(
                    page.content or "",
                    page.toc,
                    page._title_from_render,
                    page.present_anchor_ids,
                    None if links is None else {to.src_uri: dict(found) for to, found in links.items()},
                ),
                records,
            )
        )
    return results


def _build_run(run: range) -> list[tuple[list[dict], list[logging.LogRecord]]]:
    """In a worker: pages into the theme and onto disk; the search entries each adds, and what it logged."""
    assert _shared is not None and _shared.nav is not None
    config = _shared.config
    search = config.plugins.get("material/search")
    entries = search.search_index.entries if search is not None else []
    results = []
    for index in run:
        before = len(entries)
        with _captured() as records:
            mkdocs_build._build_page(_shared.pages[index], config, _shared.doc_files, _shared.nav, _shared.env)
        results.append((entries[before:], records))
        del entries[before:]  # the build adds them, in page order, wherever this ran
    return results


def _apply(page: Page, rendered: _Rendered, files: Files) -> None:
    page.content = rendered.content
    page.toc = rendered.toc
    page._title_from_render = rendered.title
    page.present_anchor_ids = rendered.anchors
    if rendered.links_to_anchors is not None:
        page.links_to_anchors = {
            files.get_file_from_path(uri): found for uri, found in rendered.links_to_anchors.items()
        }


def _render_key(page: Page, files: Files, salt: str) -> str:
    """Everything `Page.render` reads: the page's Markdown and path, whether each file its links may
    point to exists (a link to a missing file warns), and `salt` (configuration, versions, our code)."""
    folder = posixpath.dirname(page.file.src_uri)
    targets = set()
    for found in _LINK_TARGET.findall(page.markdown or ""):
        target = unquote(next(part for part in found if part).split("#")[0].split("?")[0])
        if target and not _EXTERNAL.match(target):
            path = posixpath.normpath(posixpath.join(folder, target))
            targets.update((path, posixpath.join(path, "index.md")))
    exists = [[target, files.get_file_from_path(target) is not None] for target in sorted(targets)]
    data = json.dumps([salt, page.file.src_uri, page.markdown, exists])
    return hashlib.blake2b(data.encode("utf-8"), digest_size=20).hexdigest()


class _StoredAnchor(msgspec.Struct, array_like=True):
    title: str
    id: str
    level: int
    active: bool | None
    children: list[_StoredAnchor]


class _StoredRender(msgspec.Struct, array_like=True):
    content: str
    toc: list[_StoredAnchor]
    title: str | None
    anchors: list[str] | None
    links_to_anchors: dict[str, dict[str, str]] | None


_RENDER_DECODER = msgspec.json.Decoder(_StoredRender)


def _encoded(rendered: _Rendered) -> bytes:
    def stored(item: AnchorLink) -> _StoredAnchor:
        children = [stored(child) for child in item.children]
        return _StoredAnchor(item.title, item.id, item.level, getattr(item, "active", None), children)

    anchors = None if rendered.anchors is None else sorted(rendered.anchors)
    record = _StoredRender(
        rendered.content, [stored(item) for item in rendered.toc], rendered.title, anchors, rendered.links_to_anchors
    )
    return zlib.compress(msgspec.json.encode(record), 1)


def _decoded(payload: bytes) -> _Rendered:
    """Raises zlib.error or msgspec.MsgspecError on bytes `_encoded` did not write."""

    def anchor(item: _StoredAnchor) -> AnchorLink:
        link = AnchorLink(item.title, item.id, item.level)
        if item.active is not None:
            link.active = item.active  # type: ignore[attr-defined]
        link.children = [anchor(child) for child in item.children]
        return link

    record = _RENDER_DECODER.decode(zlib.decompress(payload))
    anchors = None if record.anchors is None else set(record.anchors)
    toc = TableOfContents([anchor(item) for item in record.toc])
    return _Rendered(record.content, toc, record.title, anchors, record.links_to_anchors)


def _reused_renders(cache: ResultCache | None, keys: Sequence[str]) -> dict[int, _Rendered]:
    """Index -> render of every page the cache holds; a stored render that cannot be read is not reused."""
    if cache is None:
        return {}
    found = cache.get_pages(keys)
    reused = {}
    for index, key in enumerate(keys):
        if key in found:
            with contextlib.suppress(zlib.error, msgspec.MsgspecError):
                reused[index] = _decoded(found[key])
    return reused


class _Capture(logging.Handler):
    """Keeps a worker's log records, their messages formatted, to be logged again by the build."""

    def __init__(self) -> None:
        super().__init__()
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        record.msg, record.args, record.exc_info, record.exc_text = record.getMessage(), None, None, None
        self.records.append(record)


@contextlib.contextmanager
def _captured() -> Iterator[list[logging.LogRecord]]:
    """In a worker, records are kept instead of shown: the build logs them again, where they count."""
    root, mkdocs_logger = logging.getLogger(), logging.getLogger("mkdocs")
    saved = root.handlers, mkdocs_logger.handlers, mkdocs_logger.propagate
    capture = _Capture()
    root.handlers, mkdocs_logger.handlers, mkdocs_logger.propagate = [capture], [], True
    try:
        yield capture.records
    finally:
        root.handlers, mkdocs_logger.handlers, mkdocs_logger.propagate = saved


def _replay(records: Sequence[logging.LogRecord]) -> None:
    for record in records:
        logger = logging.getLogger(record.name)
        if logger.isEnabledFor(record.levelno):
            logger.handle(record)
