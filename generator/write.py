"""Stage 8, write: pages -> content/, then MkDocs -> site/. The only module that writes.

Nothing is replaced until everything is ready. Changed files are first staged beside the target,
then a journal listing every move is written, then the moves are made. A build killed before the
journal leaves the old tree untouched; one killed after it is finished by the next run. Unchanged
files are never rewritten (MkDocs' live reload stays fast), and only files this generator wrote
(its manifest) are ever removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import filecmp
import json
import logging
import os
import shutil
import socket
import time
from collections.abc import Collection, Iterator, Mapping
from pathlib import Path, PurePosixPath
from typing import IO, TYPE_CHECKING

from generator.errors import BuildError
from generator.model import OutputFile

if TYPE_CHECKING:
    from generator.cache import ResultCache

log = logging.getLogger(__name__)

MANIFEST = ".briefing-manifest.json"
JOURNAL = "journal.json"


def _staging_dir(target: Path) -> Path:
    return target.parent / f".{target.name}.staging"


def _safe_relative(path: PurePosixPath) -> str:
    text = path.as_posix()
    if path.is_absolute() or ".." in path.parts or "\x00" in text or not text or text.startswith("."):
        raise BuildError(f"refusing to write outside the output folder: {text!r}")
    return text


def write_content(files: tuple[OutputFile, ...], target: Path, kept: Collection[str] = ()) -> tuple[int, int]:
    """Make `target` hold exactly these files and the `kept` ones already there; returns (written, removed)."""
    data = {_safe_relative(f.path): f.text.encode("utf-8") for f in files}
    kept_paths = {_safe_relative(PurePosixPath(path)) for path in kept}
    if len(data) != len(files) or kept_paths & data.keys():
        raise BuildError("two pages were rendered to the same path")
    return commit_tree(data, target, kept_paths)


def commit_tree(files: Mapping[str, bytes | Path], target: Path, kept: Collection[str] = ()) -> tuple[int, int]:
    """Stage changed files, journal the moves, make them; see the module docstring.

    A value is the file's bytes, or a file already written elsewhere, which is moved in, not copied.
    `kept`: files of the last write that stay as they are, unread.
    """
    recover(target)
    target.mkdir(parents=True, exist_ok=True)
    staging = _staging_dir(target)
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    previous = read_manifest(target)
    moves = []
    for number, (relative, content) in enumerate(sorted(files.items())):
        current = target / relative
        if _unchanged(current, content):
            continue
        staged = staging / f"{number:08d}"
        if isinstance(content, Path):
            shutil.move(content, staged)
        else:
            staged.write_bytes(content)
        moves.append((staged.name, relative))
    stale = sorted(set(previous) - set(files) - set(kept))
    journal = {"moves": moves, "remove": stale, "manifest": sorted({*files, *kept})}
    _write_atomic(staging / JOURNAL, json.dumps(journal).encode("utf-8"))
    _apply(journal, staging, target)
    return len(moves), len(stale)


def _unchanged(current: Path, content: bytes | Path) -> bool:
    if not current.is_file():
        return False
    if isinstance(content, Path):
        return filecmp.cmp(current, content, shallow=False)
    return current.stat().st_size == len(content) and current.read_bytes() == content


def recover(target: Path) -> None:
    """Finish a commit that was cut off after its journal was written, or drop one cut off before."""
    staging = _staging_dir(target)
    journal_path = staging / JOURNAL
    if journal_path.is_file():
        try:
            journal = json.loads(journal_path.read_text(encoding="utf-8"))
        except (json.JSONDecodeError, UnicodeDecodeError):
            journal = None
        if journal is not None:
            log.warning("finishing an interrupted write of '%s'", target)
            _apply(journal, staging, target)
            return
    if staging.exists():
        shutil.rmtree(staging, ignore_errors=True)


def _apply(journal: dict, staging: Path, target: Path) -> None:
    for staged_name, relative in journal["moves"]:
        source = staging / staged_name
        if source.exists():
            destination = target / relative
            destination.parent.mkdir(parents=True, exist_ok=True)
            source.replace(destination)
    for relative in journal["remove"]:
        stale = target / relative
        if stale.is_file():
            stale.unlink()
            _remove_empty_parents(stale.parent, target)
    _write_atomic(target / MANIFEST, json.dumps(journal["manifest"], indent=0).encode("utf-8"))
    shutil.rmtree(staging, ignore_errors=True)


def _remove_empty_parents(folder: Path, root: Path) -> None:
    while folder != root and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent


def read_manifest(target: Path) -> list[str]:
    try:
        listed = json.loads((target / MANIFEST).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError, UnicodeDecodeError):
        return []
    return [
        item
        for item in listed
        if isinstance(item, str) and not item.startswith(("/", "..")) and ".." not in PurePosixPath(item).parts
    ]


def _write_atomic(path: Path, data: bytes) -> None:
    temporary = path.with_name(path.name + ".tmp")
    with temporary.open("wb") as stream:
        stream.write(data)
        stream.flush()
        os.fsync(stream.fileno())
    temporary.replace(path)


THEME_DIR = Path(__file__).parent / "theme"
STATE = "last-build.json"


def read_last_build(cache_dir: Path) -> dict | None:
    """What the last successful build held: its article ids and the ones that were new in it."""
    try:
        state = json.loads((cache_dir / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(state, dict) or not all(isinstance(state.get(k), list) for k in ("articles", "new")):
        return None
    pages = state.get("pages")
    if not isinstance(pages, dict) or not all(isinstance(v, str) for v in pages.values()):
        state.pop("pages", None)  # the page fingerprints are an optimisation: without them every page is rendered
    return state


def save_last_build(cache_dir: Path, state: dict) -> None:
    cache_dir.mkdir(parents=True, exist_ok=True)
    _write_atomic(cache_dir / STATE, json.dumps(state, sort_keys=True).encode("utf-8"))


def mkdocs_options(config_file: Path, content: Path) -> dict:
    """Overrides for MkDocs: our content folder, and the shipped theme templates wherever the project is."""
    from mkdocs.utils.yaml import yaml_load

    with config_file.open("rb") as stream:
        data = yaml_load(stream) or {}
    options: dict = {"docs_dir": str(content.resolve())}
    theme = data.get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if custom and not (config_file.parent / custom).is_dir():
        options["theme"] = {**theme, "custom_dir": str(THEME_DIR)}
    return options


def build_site(
    config_file: Path, content: Path, site: Path, workers: int = 0, cache: ResultCache | None = None, salt: str = ""
) -> tuple[int, int]:
    """Render content/ with MkDocs into a scratch folder, then commit it to site/ like the pages.

    `workers`: processes for the pages; 0 means one per core. `cache`: pages rendered before, reused
    where their Markdown and links are the same and `salt` (the configuration, versions, code) is too.
    """
    from mkdocs.config import load_config

    from generator.site_build import build

    scratch = site.parent / f".{site.name}.render"
    shutil.rmtree(scratch, ignore_errors=True)
    os.environ.setdefault("NO_MKDOCS_2_WARNING", "1")
    try:
        options = mkdocs_options(config_file, content)
        config = load_config(str(config_file), site_dir=str(scratch.resolve()), strict=True, **options)
        build(config, workers or os.cpu_count() or 1, cache=cache, salt=salt)
    except Exception as error:
        shutil.rmtree(scratch, ignore_errors=True)
        raise BuildError(f"MkDocs could not render the site ({error}); '{site}' is unchanged") from error
    try:
        rendered = {path.relative_to(scratch).as_posix(): path for path in sorted(scratch.rglob("*")) if path.is_file()}
        return commit_tree(rendered, site)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


_held_lock: IO[str] | None = None
"""The open lock file of the build running in this process, if any."""
LOCK_GRACE_SECONDS = 1.0
"""How long a build waits for the lock before it says another build is running."""


def _drop_lock_in_forked_worker() -> None:
    """A forked worker shares the lock; closing its copy leaves it held by the build, but not after it."""
    global _held_lock
    if _held_lock is not None:
        _held_lock.close()
        _held_lock = None


os.register_at_fork(after_in_child=_drop_lock_in_forked_worker)


def _locked(handle: IO[str], deadline: float) -> bool:
    """The lock taken, trying until `deadline`: the workers of a build killed a moment ago may not
    have run yet, and each holds the lock until it closes its copy (at once, once it runs)."""
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return False
            time.sleep(0.05)


@contextlib.contextmanager
def build_lock(lock_file: Path) -> Iterator[None]:
    """One build at a time per project; the second is told who holds the lock.

    The lock goes with the build's process: workers it forked do not keep it once it is killed.
    """
    global _held_lock
    lock_file.parent.mkdir(parents=True, exist_ok=True)
    with lock_file.open("a+") as handle:
        if not _locked(handle, time.monotonic() + LOCK_GRACE_SECONDS):
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise BuildError(f"another build is running ({holder}); wait for it or stop it")
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} on {socket.gethostname()} since {time.strftime('%Y-%m-%d %H:%M:%S')}")
        handle.flush()
        _held_lock = handle
        try:
            yield
        finally:
            _held_lock = None
            handle.seek(0)
            handle.truncate()
            fcntl.flock(handle, fcntl.LOCK_UN)
