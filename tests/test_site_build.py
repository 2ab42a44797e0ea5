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
