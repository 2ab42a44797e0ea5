"""`briefing serve`: a live preview on 127.0.0.1 that picks up new seeds while it runs."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request

import pytest

pytestmark = pytest.mark.slow

NEW_SEED = (
    "Bridge closed after cracks found\n\n"
    "The city council voted on Monday to close the old river bridge after engineers found cracks in two supports.\n\n"
    "Repairs are expected to take at least six months, the council said in a statement on Tuesday.\n"
)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return 0


def _wait(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_serve_regenerates_pages_when_a_seed_is_added(project):
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "generator", "--project", str(project.project), "serve", "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        assert _wait(lambda: _get(base) == 200), "the preview answers on 127.0.0.1"
        assert _get(base + "articles/bridge/") == 404
        (project.seeds / "bridge.txt").write_text(NEW_SEED, encoding="utf-8")
        assert _wait(lambda: (project.content / "articles" / "bridge.md").exists()), "the new seed gets a page"
        assert _wait(lambda: _get(base + "articles/bridge/") == 200), "the preview serves the new page"
        assert _get(base + "../../../etc/passwd") in (400, 404)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(10)
