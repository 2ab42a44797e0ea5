import gzip
import json
from pathlib import Path

import pytest

from generator.config import Settings
from generator.ingest import read_seeds


def _read(folder: Path, **settings):
    return read_seeds(folder, Settings(**settings))


def test_reads_the_shipped_seeds_as_text():
    articles, problems = _read(Path(__file__).parent.parent / "seeds")
    assert problems == ()
    assert [a.source for a in articles] == [
        "000_4a96c683e799dd2d.txt",
        "002_77f896a1f2bda597.txt",
        "003_25d141d7dada6a2b.txt",
    ]
    assert all(a.kind == "text" and a.digest for a in articles)


@pytest.mark.parametrize(
    ("name", "data", "reason"),
    [
        ("empty.txt", b"", "empty file"),
        ("blank.txt", b"   \n\n\t ", "empty file"),
        ("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" * 10, "binary file"),
        ("image.png", b"\x89PNG", "unsupported file type"),
        ("feed.xml", b"<rss version='2.0'><channel><title>x</title></channel></rss>", "feed has no items"),
        ("bad.html.gz", b"not gzip at all", "not a valid gzip file"),
        ("lines.jsonl", b'{"title": "no body"}\n', "JSON Lines file holds no article"),
    ],
)
def test_bad_files_are_problems_with_reasons(tmp_path: Path, name: str, data: bytes, reason: str):
    (tmp_path / name).write_bytes(data)
    articles, problems = _read(tmp_path)
    assert articles == ()
    assert len(problems) == 1
    assert problems[0].source == name
    assert reason in problems[0].reason


def test_file_over_the_size_limit_is_skipped(tmp_path: Path):
    (tmp_path / "big.txt").write_text("word " * 100, encoding="utf-8")
    _, problems = _read(tmp_path, max_file_bytes=100)
    assert "larger than the 100-byte limit" in problems[0].reason


@pytest.mark.parametrize(
    "encoded",
    [
        "Café owners said “prices rose”.".encode("utf-8-sig"),
        "Café owners said “prices rose”.".encode("utf-16"),
        "Café owners said “prices rose”.".encode("cp1252"),
    ],
)
def test_encodings_are_detected(tmp_path: Path, encoded: bytes):
    (tmp_path / "a.txt").write_bytes(encoded)
    articles, problems = _read(tmp_path)
    assert problems == ()
    assert articles[0].text == "Café owners said “prices rose”."


def test_mojibake_is_repaired(tmp_path: Path):
    (tmp_path / "a.txt").write_text("The cafÃ© said â€œhelloâ€\x9d.", encoding="utf-8")
    articles, _ = _read(tmp_path)
    assert articles[0].text == "The café said “hello”."


def test_markdown_front_matter_is_metadata(tmp_path: Path):
    (tmp_path / "a.md").write_text(
        "---\ntitle: Given title\ndate: 2024-06-18\n---\nBody text here.\n", encoding="utf-8"
    )
    articles, _ = _read(tmp_path)
    assert dict(articles[0].meta) == {"title": "Given title", "date": "2024-06-18"}
    assert articles[0].text == "Body text here.\n"


def test_jsonl_items_become_articles_and_bad_lines_problems(tmp_path: Path):
    lines = [
        json.dumps({"title": "One", "text": "First text."}),
        "{broken",
        json.dumps({"html": "<p>Two</p>"}),
    ]
    (tmp_path / "batch.jsonl").write_text("\n".join(lines), encoding="utf-8")
    articles, problems = _read(tmp_path)
    assert [(a.source, a.kind) for a in articles] == [("batch.jsonl#1", "text"), ("batch.jsonl#3", "html")]
    assert problems[0].source == "batch.jsonl#2"


def test_feed_items_become_html_articles(tmp_path: Path):
    feed = (
        "<rss version='2.0'><channel><title>Daily Planet</title>"
        "<item><title>Alpha</title><link>https://example.org/a</link>"
        "<pubDate>Tue, 18 Jun 2024 10:00:00 GMT</pubDate><description>&lt;p&gt;Alpha body.&lt;/p&gt;</description>"
        "</item>"
        "</channel></rss>"
    )
    (tmp_path / "news.rss").write_text(feed, encoding="utf-8")
    articles, problems = _read(tmp_path)
    assert problems == ()
    meta = dict(articles[0].meta)
    assert meta["publisher"] == "Daily Planet"
    assert meta["date"] == "2024-06-18"
    assert articles[0].kind == "html"


def test_gzipped_html_is_read(tmp_path: Path):
    (tmp_path / "page.html.gz").write_bytes(gzip.compress(b"<html><body><p>Hello</p></body></html>"))
    articles, problems = _read(tmp_path)
    assert problems == ()
    assert "<p>Hello</p>" in articles[0].text


def test_hidden_files_and_symlinks_are_ignored(tmp_path: Path):
    (tmp_path / ".draft.txt").write_text("hidden", encoding="utf-8")
    (tmp_path / "link.txt").symlink_to("/etc/hostname")
    articles, problems = _read(tmp_path)
    assert articles == () and problems == ()


def test_a_store_gives_back_what_each_file_gave_and_decodes_only_new_bytes(tmp_path: Path, monkeypatch):
    from generator import ingest
    from generator.cache import ResultCache

    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "story.txt").write_text("CafÃ© owners said prices rose.\n", encoding="utf-8")
    (seeds / "empty.txt").write_bytes(b"")
    (seeds / "lines.jsonl").write_text('{"text": "One article."}\nnot json\n', encoding="utf-8")
    store = ResultCache(tmp_path / "cache.sqlite")
    fresh = read_seeds(seeds, Settings(), store, salt="v1")
    assert fresh == read_seeds(seeds, Settings())
    decoded: list[str] = []
    real = ingest.parse_seed
    monkeypatch.setattr(ingest, "parse_seed", lambda data, name, *rest: decoded.append(name) or real(data, name, *rest))
    again = read_seeds(seeds, Settings(), store, salt="v1")
    assert decoded == []
    assert again == fresh
    assert "Café owners" in again[0][1].text
    assert [p.source for p in again[1]] == ["empty.txt", "lines.jsonl#2"]
    (seeds / "story.txt").write_text("Owners said prices rose again.\n", encoding="utf-8")
    read_seeds(seeds, Settings(), store, salt="v1")
    assert decoded == ["story.txt"]
    read_seeds(seeds, Settings(), store, salt="v2")
    assert decoded == ["story.txt", "empty.txt", "lines.jsonl", "story.txt"]
    store.close()


def test_unreadable_file_is_a_problem(tmp_path: Path, monkeypatch):
    (tmp_path / "locked.txt").write_text("Some text.", encoding="utf-8")
    (tmp_path / "open.txt").write_text("Other text.", encoding="utf-8")
    real = Path.read_bytes

    def refused(path: Path) -> bytes:
        if path.name == "locked.txt":
            raise PermissionError(13, "Permission denied")
        return real(path)

    monkeypatch.setattr(Path, "read_bytes", refused)
    articles, problems = _read(tmp_path)
    assert [a.source for a in articles] == ["open.txt"]
    assert [(p.source, p.reason) for p in problems] == [("locked.txt", "cannot be read (Permission denied)")]
