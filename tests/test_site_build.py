"""MkDocs' build with the pages on worker processes: the same bytes as MkDocs alone, the same warnings."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from mkdocs.commands.build import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.exceptions import Abort

from generator import site_build
from generator.cache import ResultCache
from generator.write import mkdocs_options
from tests.conftest import ROOT, file_tree


def _config(content: Path, site: Path):
    options = mkdocs_options(ROOT / "mkdocs.yml", content)
    return load_config(str(ROOT / "mkdocs.yml"), site_dir=str(site), strict=True, **options)


def test_pages_built_on_workers_are_the_bytes_mkdocs_builds(tmp_path: Path):
    content = ROOT / "content"
    mkdocs_build(_config(content, tmp_path / "alone"))
    site_build.build(_config(content, tmp_path / "workers"), workers=2, small_site=0)
    alone, workers = file_tree(tmp_path / "alone"), file_tree(tmp_path / "workers")
    assert len(alone) > 20
    assert sorted(workers) == sorted(alone)
    assert [name for name in alone if workers[name] != alone[name]] == []


def test_a_warning_raised_in_a_worker_fails_the_strict_build(tmp_path: Path, caplog: pytest.LogCaptureFixture):
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    (content / "articles" / "broken.md").write_text("# Broken\n\nSee [the missing page](missing.md).\n")
    with caplog.at_level(logging.WARNING), pytest.raises(Abort, match="1 warnings"):
        site_build.build(_config(content, tmp_path / "site"), workers=2, small_site=0)
    assert "missing.md" in caplog.text


RENDER_RUN = site_build._render_run


def _cached_build(content: Path, site: Path, cache: ResultCache, rendered: list[str], monkeypatch) -> None:
    """A build with the page cache, in this process, noting the pages whose Markdown is rendered."""

    def counted(run):
        rendered.extend(site_build._shared.pages[i].file.src_uri for i in run)
        return RENDER_RUN(run)

    monkeypatch.setattr(site_build, "_render_run", counted)
    site_build.build(_config(content, site), workers=1, cache=cache, salt="salt")


@pytest.fixture
def built_once(tmp_path: Path, monkeypatch):
    """The shipped content/, copied, built once with a page cache: (content, cache, pages rendered)."""
    content = tmp_path / "content"
    shutil.copytree(ROOT / "content", content)
    cache = ResultCache(tmp_path / "cache.sqlite")
    rendered: list[str] = []
    _cached_build(content, tmp_path / "first", cache, rendered, monkeypatch)
    yield content, cache, list(rendered)
    cache.close()


def test_a_rebuild_renders_only_changed_pages_and_gives_the_bytes_of_a_full_build(built_once, tmp_path, monkeypatch):
    content, cache, first = built_once
    assert len(first) > 20
    article = next((content / "articles").glob("*.md"))
    article.write_text(article.read_text() + "\nA paragraph added by hand.\n{ #p99 }\n")
    (content / "articles" / "new.md").write_text(f"# A new page\n\nIt links to [the first article]({article.name}).\n")
    again: list[str] = []
    _cached_build(content, tmp_path / "again", cache, again, monkeypatch)
    assert sorted(again) == sorted([f"articles/{article.name}", "articles/new.md"])
    mkdocs_build(_config(content, tmp_path / "full"))
    full, cached = file_tree(tmp_path / "full"), file_tree(tmp_path / "again")
    assert sorted(cached) == sorted(full)
    assert [name for name in full if cached[name] != full[name]] == []


def test_a_page_is_rendered_again_when_a_file_it_links_to_is_gone(built_once, tmp_path, monkeypatch, caplog):
    """Its Markdown is the same, but rendering it now warns of the missing page: a strict build fails."""
    content, cache, _ = built_once
    (content / "articles" / "linked.md").write_text("# Linked\n\nA page.\n")
    (content / "articles" / "linking.md").write_text("# Linking\n\nSee [the other page](linked.md).\n")
    _cached_build(content, tmp_path / "second", cache, [], monkeypatch)
    (content / "articles" / "linked.md").unlink()
    rendered: list[str] = []
    with caplog.at_level(logging.WARNING), pytest.raises(Abort, match="1 warnings"):
        _cached_build(content, tmp_path / "again", cache, rendered, monkeypatch)
    assert rendered == ["articles/linking.md"]
    assert "linked.md" in caplog.text


def test_a_stored_render_that_cannot_be_read_is_rendered_again(built_once, tmp_path, monkeypatch):
    content, cache, first = built_once
    stored = cache.connection.execute("SELECT key FROM pages").fetchall()
    cache.put_pages({key: b"not a stored render" for (key,) in stored})
    again: list[str] = []
    _cached_build(content, tmp_path / "again", cache, again, monkeypatch)
    assert sorted(again) == sorted(first)
