import json
import multiprocessing
import os
import signal
import subprocess
import sys
from pathlib import Path, PurePosixPath

import pytest

from generator.errors import BuildError
from generator.model import OutputFile
from generator.write import (
    MANIFEST,
    build_lock,
    commit_tree,
    read_last_build,
    recover,
    save_last_build,
    write_content,
)
from tests.conftest import ROOT


def _files(**pages: str) -> tuple[OutputFile, ...]:
    return tuple(OutputFile(PurePosixPath(name.replace("__", "/") + ".md"), text) for name, text in pages.items())


def test_writes_only_changed_files_and_removes_stale_ones(tmp_path: Path):
    target = tmp_path / "content"
    assert write_content(_files(a="one", b="two"), target) == (2, 0)
    before = (target / "a.md").stat().st_mtime_ns
    assert write_content(_files(a="one", c="three"), target) == (1, 1)
    assert (target / "a.md").stat().st_mtime_ns == before
    assert not (target / "b.md").exists()
    assert json.loads((target / MANIFEST).read_text()) == ["a.md", "c.md"]


def test_files_it_did_not_write_are_left_alone(tmp_path: Path):
    target = tmp_path / "content"
    target.mkdir()
    (target / "notes.md").write_text("mine", encoding="utf-8")
    write_content(_files(a="one"), target)
    write_content(_files(b="two"), target)
    assert (target / "notes.md").read_text() == "mine"


@pytest.mark.parametrize("bad", ["../escape.md", "/etc/passwd", "a/../../b.md", ".hidden.md"])
def test_refuses_paths_outside_the_folder(tmp_path: Path, bad: str):
    with pytest.raises(BuildError, match="refusing to write outside"):
        write_content((OutputFile(PurePosixPath(bad), "x"),), tmp_path / "content")


def test_interrupted_commit_is_finished_by_the_next_run(tmp_path: Path):
    target = tmp_path / "content"
    commit_tree({"a.md": b"old", "b.md": b"old"}, target)
    staging = tmp_path / ".content.staging"
    staging.mkdir()
    (staging / "00000000").write_bytes(b"new")
    journal = {"moves": [["00000000", "a.md"]], "remove": ["b.md"], "manifest": ["a.md"]}
    (staging / "journal.json").write_text(json.dumps(journal))
    recover(target)
    assert (target / "a.md").read_bytes() == b"new"
    assert not (target / "b.md").exists()
    assert not staging.exists()


def test_commit_cut_off_before_its_journal_changes_nothing(tmp_path: Path):
    target = tmp_path / "content"
    commit_tree({"a.md": b"old"}, target)
    staging = tmp_path / ".content.staging"
    staging.mkdir()
    (staging / "00000000").write_bytes(b"half")
    recover(target)
    assert (target / "a.md").read_bytes() == b"old"
    assert not staging.exists()


def test_files_written_elsewhere_are_moved_in_and_unchanged_ones_left_alone(tmp_path: Path):
    target = tmp_path / "site"
    commit_tree({"same.html": b"kept", "old.html": b"old"}, target)
    kept_since = (target / "same.html").stat().st_mtime_ns
    rendered = tmp_path / "rendered"
    rendered.mkdir()
    (rendered / "same.html").write_bytes(b"kept")
    (rendered / "old.html").write_bytes(b"new")
    files = {name: rendered / name for name in ("same.html", "old.html")}
    assert commit_tree(files, target) == (1, 0)
    assert (target / "old.html").read_bytes() == b"new" and not (rendered / "old.html").exists()
    assert (target / "same.html").stat().st_mtime_ns == kept_since and (rendered / "same.html").exists()


def _hold_lock(lock: str, ready, release) -> None:
    with build_lock(Path(lock)):
        ready.set()
        release.wait(10)


def test_second_build_is_refused_with_the_holder_named(tmp_path: Path):
    lock = tmp_path / "build.lock"
    ready, release = multiprocessing.Event(), multiprocessing.Event()
    holder = multiprocessing.Process(target=_hold_lock, args=(str(lock), ready, release))
    holder.start()
    try:
        assert ready.wait(10)
        with (
            pytest.raises(BuildError, match=rf"another build is running \(pid {holder.pid} on"),
            build_lock(lock),
        ):
            pass
    finally:
        release.set()
        holder.join()
    with build_lock(lock):
        assert lock.exists()


def test_workers_of_a_killed_build_do_not_keep_its_lock(tmp_path: Path):
    lock = tmp_path / "build.lock"
    script = f"""
import os, time
from pathlib import Path
from generator.write import build_lock
with build_lock(Path({str(lock)!r})):
    worker = os.fork()
    if worker == 0:
        time.sleep(60)
        os._exit(0)
    print(worker, flush=True)
    time.sleep(60)
"""
    build = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True, cwd=ROOT)
    worker = int(build.stdout.readline())
    try:
        build.kill()
        build.wait()
        os.kill(worker, 0)  # the worker outlives the build ...
        with build_lock(lock):  # ... and the next build still gets the lock
            pass
    finally:
        os.kill(worker, signal.SIGKILL)


def test_kept_files_stay_listed_and_untouched(tmp_path: Path):
    target = tmp_path / "content"
    write_content(_files(a="one", b="two"), target)
    (target / "b.md").write_text("left as it is", encoding="utf-8")
    assert write_content(_files(a="one"), target, kept=["b.md"]) == (0, 0)
    assert (target / "b.md").read_text(encoding="utf-8") == "left as it is"
    assert write_content(_files(a="one"), target) == (0, 1)
    assert not (target / "b.md").exists()


@pytest.mark.parametrize("pages", [["articles/a.md"], {"articles/a.md": 3}, "x"])
def test_page_fingerprints_of_the_wrong_shape_are_dropped_and_the_rest_of_the_state_kept(tmp_path: Path, pages):
    save_last_build(tmp_path, {"articles": ["a"], "new": [], "pages": pages})
    assert read_last_build(tmp_path) == {"articles": ["a"], "new": []}
    save_last_build(tmp_path, {"articles": ["a"], "new": [], "pages": {"articles/a.md": "f00d"}})
    assert read_last_build(tmp_path)["pages"] == {"articles/a.md": "f00d"}
