"""MkDocs' build of content/ into a site, with the work of each page spread over processes.

MkDocs renders pages one after another. Once the navigation and the tags are known every page is
independent of the others, and on a corpus of thousands its two loops (Markdown into HTML, HTML into
the theme with its search entry) are nearly all the cost. This runs MkDocs' own steps in MkDocs' order
and hands those two loops to forked workers (`forked.fork_map`); what a worker learns that the
build needs later (a page's HTML, table of contents and anchors, the search entries, the log records)
comes back and is applied in page order, so the site is byte for byte the one MkDocs builds
(a test compares them). MkDocs has no parallel build of its own, hence the steps written out here.

Only plugins whose per-page state is known are run this way (Material's search and tags); with any
other plugin, or on a small site, MkDocs' own `build` runs instead.
"""

from __future__ import annotations

import contextlib
import logging
import multiprocessing
import os
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mkdocs.commands import build as mkdocs_build
from mkdocs.config.defaults import MkDocsConfig
from mkdocs.exceptions import Abort, BuildError
from mkdocs.structure.files import File, Files, InclusionLevel, set_exclusions
from mkdocs.structure.nav import Navigation, get_navigation
from mkdocs.structure.pages import Page
from mkdocs.structure.toc import TableOfContents
from mkdocs.utils import CountHandler, clean_directory

from generator.forked import fork_map

log = logging.getLogger("mkdocs.commands.build")

PARALLEL_PLUGINS = frozenset({"material/search", "material/tags"})
"""Plugins whose per-page state the workers hand back (search entries) or only read (tags)."""
SMALL_SITE = 50
"""Fewer pages than this are built in this process: starting workers would cost more than it saves."""


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


def build(config: MkDocsConfig, workers: int, small_site: int = SMALL_SITE) -> None:
    """Build the site as `mkdocs build` would, on up to `workers` processes once it has `small_site` pages."""
    forkable = "fork" in multiprocessing.get_all_start_methods()
    unknown = set(config.plugins) - PARALLEL_PLUGINS
    if workers < 2 or unknown or not forkable or len(_documentation_names(config)) < small_site:
        mkdocs_build.build(config)
        return
    counter = CountHandler()
    counter.setLevel(logging.WARNING)
    if config.strict:
        logging.getLogger("mkdocs").addHandler(counter)
    try:
        started = time.monotonic()
        _build(config, workers)
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


def _build(config: MkDocsConfig, workers: int) -> None:
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
    _shared = _Shared(config, files, pages)
    try:
        for page, (rendered, records) in zip(pages, fork_map(_render_run, len(pages), workers), strict=True):
            _apply(page, rendered, files)
            _replay(records)
            page.content = config.plugins.on_page_content(page.content, page=page, config=config, files=files)
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
