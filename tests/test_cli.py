import json
import shutil

import pytest

from generator.cli import main

EXPORT_FIELDS = {
    "source",
    "title",
    "date",
    "publisher",
    "authors",
    "contributors",
    "dateline",
    "body",
    "captions",
    "summary",
    "key_points",
    "entities",
    "quotes",
    "story",
    "versions",
    "related",
    "page",
}


def test_help_everywhere(capsys):
    for argv in (
        ["--help"],
        ["build", "--help"],
        ["serve", "--help"],
        ["check", "--help"],
        ["export", "--help"],
    ):
        with pytest.raises(SystemExit) as exited:
            main(argv)
        assert exited.value.code == 0
    assert "--no-render" in capsys.readouterr().out


def test_unknown_command_is_a_usage_error():
    with pytest.raises(SystemExit) as exited:
        main(["publish"])
    assert exited.value.code == 2


def test_export_prints_every_field(project, capsys):
    assert main(["--project", str(project.project), "export"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data) == {"articles", "topics"}
    assert len(data["articles"]) == 3
    for article in data["articles"]:
        assert set(article) >= EXPORT_FIELDS
        assert all(
            e["kind"] in {"person", "organization", "place", "group", "event", "theme"} for e in article["entities"]
        )
    first = next(a for a in data["articles"] if a["source"].startswith("000"))
    assert first["versions"] == ["003_25d141d7dada6a2b.txt"]
    assert first["date"] == "2023-09-13"
    assert {"name": "Vladimir Putin", "kind": "person"} in first["entities"]
    visit = next(a for a in data["articles"] if a["source"].startswith("002"))
    assert (visit["dateline"], visit["contributors"]) == ("Seoul", ["Lyric Li", "Robyn Dixon"])
    assert all(set(t) == {"name", "kind", "articles"} for t in data["topics"])


def test_check_writes_nothing_and_reports_problems(project, capsys):
    (project.seeds / "empty.txt").write_bytes(b"")
    assert main(["--project", str(project.project), "check"]) == 1
    captured = capsys.readouterr()
    assert "skipped empty.txt: empty file" in captured.err
    assert "3 usable, 1 problems" in captured.out
    assert not project.content.exists() and not project.site.exists()


def test_build_without_render_then_strict_failure_keeps_content(project, capsys):
    assert main(["--project", str(project.project), "build", "--no-render"]) == 0
    assert "built 3 articles" in capsys.readouterr().out
    before = {p: p.read_bytes() for p in project.content.rglob("*") if p.is_file()}
    (project.seeds / "binary.txt").write_bytes(b"\x00\x01\x02")
    assert main(["--project", str(project.project), "build", "--no-render", "--strict"]) == 1
    captured = capsys.readouterr()
    assert "skipped binary.txt: binary file" in captured.err
    assert {p: p.read_bytes() for p in project.content.rglob("*") if p.is_file()} == before


def test_bad_input_is_skipped_and_the_build_goes_on(project, capsys):
    (project.seeds / "binary.txt").write_bytes(b"\x00\x01\x02")
    assert main(["--project", str(project.project), "build", "--no-render"]) == 0
    captured = capsys.readouterr()
    assert "built 3 articles, 1 skipped" in captured.out
    assert "skipped binary.txt: binary file (NUL bytes), not text" in captured.err


def test_configuration_errors_exit_2_and_name_the_key(project, capsys):
    (project.project / "briefing.yml").write_text("key_points: 12\n", encoding="utf-8")
    assert main(["--project", str(project.project), "check"]) == 2
    assert "option 'key_points': expected 3 to 5, got 12" in capsys.readouterr().err


def test_missing_seeds_folder(project, capsys):
    shutil.rmtree(project.seeds)
    assert main(["--project", str(project.project), "check"]) == 2
    assert "does not exist" in capsys.readouterr().err
