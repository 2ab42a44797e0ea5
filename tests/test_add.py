"""`briefing add` against a local web server on 127.0.0.1: pages, feeds and files land in seeds/."""

from __future__ import annotations

import http.server
import threading
from functools import partial
from pathlib import Path

import pytest

from generator.cli import main

PAGE = b"<html><head><title>Bridge</title></head><body><p>The council closed the bridge on Monday.</p></body></html>"


@pytest.fixture
def site(tmp_path):
    root = tmp_path / "www"
    (root / "news").mkdir(parents=True)
    (root / "news" / "bridge.html").write_bytes(PAGE)
    (root / "news" / "tunnel.html").write_bytes(PAGE.replace(b"bridge", b"tunnel"))

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def guess_type(self, path):
            return "application/rss+xml" if str(path).endswith(".rss") else super().guess_type(path)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(Quiet, directory=str(root)))
    base = f"http://127.0.0.1:{server.server_address[1]}"
    (root / "feed.rss").write_text(
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Local</title>"
        f"<item><title>Bridge</title><link>{base}/news/bridge.html</link></item>"
        f"<item><title>Tunnel</title><link>{base}/news/tunnel.html</link></item>"
        "</channel></rss>",
        encoding="utf-8",
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield base
    server.shutdown()


def _add(project, *sources) -> int:
    return main(["--project", str(project.project), "add", *map(str, sources)])


def test_saves_a_page_named_from_its_address(project, site, capsys):
    assert _add(project, f"{site}/news/bridge.html") == 0
    saved = project.seeds / "127-0-0-1-news-bridge.html"
    assert saved.read_bytes() == PAGE
    assert "added" in capsys.readouterr().out


def test_a_feed_saves_each_item(project, site):
    assert _add(project, f"{site}/feed.rss") == 0
    assert (project.seeds / "127-0-0-1-news-bridge.html").exists()
    assert (project.seeds / "127-0-0-1-news-tunnel.html").exists()


def test_never_overwrites_a_different_file(project, site, capsys):
    existing = project.seeds / "127-0-0-1-news-bridge.html"
    existing.write_bytes(b"<p>mine</p>")
    assert _add(project, f"{site}/news/bridge.html") == 0
    assert existing.read_bytes() == b"<p>mine</p>"
    assert (project.seeds / "127-0-0-1-news-bridge-2.html").read_bytes() == PAGE
    assert _add(project, f"{site}/news/bridge.html") == 0
    assert "already in seeds" in capsys.readouterr().out


def test_copies_files(project, tmp_path: Path):
    source = tmp_path / "note.md"
    source.write_text("# A note\n\nThe council met.\n", encoding="utf-8")
    assert _add(project, source) == 0
    assert (project.seeds / "note.md").read_text(encoding="utf-8") == "# A note\n\nThe council met.\n"


def test_unreachable_address_is_an_error_naming_it(project, capsys):
    assert _add(project, "http://127.0.0.1:9/nothing.html") == 1
    assert "could not fetch 'http://127.0.0.1:9/nothing.html'" in capsys.readouterr().err
