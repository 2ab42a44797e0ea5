"""Hostile input: build the hostile corpus of tests/ and count what happened to each case.

Prints the number of cases, how many built, how many were skipped with a reason, how many did
neither (must be 0), and, in headless Chromium, how many scripts from a source ran and how many
requests left 127.0.0.1 (both must be 0).

    python benchmarks/hostile.py
"""

from __future__ import annotations

import re
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.config import Settings  # noqa: E402
from generator.pipeline import build  # noqa: E402
from tests.conftest import make_project  # noqa: E402
from tests.hostile_corpus import browser_check, write_corpus  # noqa: E402


def main() -> int:
    with tempfile.TemporaryDirectory() as folder:
        paths = make_project(Path(folder) / "project", seeds=None)
        corpus = write_corpus(paths.seeds)
        started = time.monotonic()
        report = build(paths, Settings())
        seconds = time.monotonic() - started
        pages = {}
        for page in (paths.content / "articles").glob("*.md"):
            source = re.search(r"^Source file: `(.*)`", page.read_text(encoding="utf-8"), re.MULTILINE)
            pages.setdefault(source.group(1).split("#")[0], page.name)
        reasons = {p.source.split("#")[0]: p.reason for p in report.problems}
        print(f"{'case':<28} {'expected':<8} {'outcome':<8} what / reason")
        built = skipped = lost = unexpected = 0
        for case in corpus:
            if case.name in pages:
                outcome, note = "built", case.what
                built += 1
            elif case.name in reasons:
                outcome, note = "skipped", reasons[case.name]
                skipped += 1
            else:
                outcome, note = "LOST", case.what
                lost += 1
            unexpected += outcome != {"build": "built", "skip": "skipped"}[case.expect]
            print(f"{case.name[:28]:<28} {case.expect:<8} {outcome:<8} {note[:70]}")
        print()
        print(f"hostile cases: {len(corpus)}; built {built}, skipped with a reason {skipped}, lost {lost} (must be 0)")
        print(
            f"handled (built or skipped with a reason): {(built + skipped) / len(corpus):.0%}; "
            f"outcome other than expected: {unexpected}; build took {seconds:.1f}s"
        )
        if Path("/usr/bin/chromium").exists():
            counts = browser_check(paths.site)
            print(
                f"browser: {counts['pages']} pages opened, scripts from a source that ran: {counts['scripts_run']} "
                f"(must be 0), requests leaving 127.0.0.1: {counts['outside_requests']} (must be 0)"
            )
        else:
            print("browser: skipped, Chromium is not installed at /usr/bin/chromium")
    return 0 if lost == 0 else 1


if __name__ == "__main__":
    raise SystemExit(main())
