"""Killed and concurrent builds: the previous content/ and site/ stay whole, and the cache stays sound."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.config import Settings
from generator.pipeline import build
from generator.write import recover
from tests.conftest import file_tree, make_project

pytestmark = pytest.mark.slow

EXTRA = "\nThe talks ended on Thursday with a joint statement, officials said.\n"


def _command(project: Path) -> list[str]:
    return [sys.executable, "-m", "generator", "-q", "--project", str(project), "build"]


@pytest.fixture(scope="module")
def states(tmp_path_factory):
    """The trees before and after one seed changes, each from an uninterrupted build."""
    root = tmp_path_factory.mktemp("states")
    old = make_project(root / "old")
    build(old, Settings())
    new = make_project(root / "new")
    seed = new.seeds / "002_77f896a1f2bda597.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    build(new, Settings())
    return {
        "content": (file_tree(old.content), file_tree(new.content)),
        "site": (file_tree(old.site), file_tree(new.site)),
    }


@pytest.mark.parametrize("delay", [0.3, 1.0, 2.0, 3.0, 4.5])
def test_sigkill_leaves_a_whole_tree(tmp_path, states, delay):
    project = make_project(tmp_path / "p")
    build(project, Settings())
    seed = project.seeds / "002_77f896a1f2bda597.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    process = subprocess.Popen(_command(project.project), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait()
    for name in ("content", "site"):
        folder = getattr(project, name)
        old, new = states[name]
        # Every file is whole at once: each is the old or the new version, never a torn one.
        for relative, data in file_tree(folder).items():
            assert data in (old.get(relative), new.get(relative)), (name, relative)
        recover(folder)
        assert file_tree(folder) in (old, new), f"{name} is neither the last nor the next build (kill at {delay}s)"
    # The next build finishes the job from whatever the cache holds.
    build(project, Settings())
    assert file_tree(project.content) == states["content"][1]
    assert file_tree(project.site) == states["site"][1]


def test_two_builds_at_once_do_not_corrupt_each_other(project):
    first = subprocess.Popen(_command(project.project), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    time.sleep(0.05)
    second = subprocess.Popen(_command(project.project), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    results = [(p.wait(120), *p.communicate()) for p in (first, second)]
    codes = sorted(code for code, _, _ in results)
    assert codes == [0, 1], results
    refused = next(err for code, _, err in results if code == 1)
    assert "another build is running (pid" in refused
    build(project, Settings())
    assert (project.content / "index.md").is_file()
    assert project.site.is_dir()
