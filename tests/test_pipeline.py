"""End to end: the shipped seeds build into the committed content/, deterministically."""

import difflib
import gc
import random
import shutil

import pytest

from generator.config import Settings
from generator.errors import BuildError
from generator.pipeline import build
from generator.relate import relate_articles
from tests.conftest import ROOT, SEEDS, file_tree, make_project

BOILERPLATE = (
    "CLICK HERE",
    "Video Embed",
    "Related Content",
    "Leave a Reply",
    "Your email address",
    "GET CAUGHT UP",
)


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    paths = make_project(tmp_path_factory.mktemp("e2e"))
    report = build(paths, Settings(), render_html=False)
    return paths, report


def test_builds_every_seed(built):
    _, report = built
    assert report.built == 3 and report.problems == ()


def test_matches_the_committed_content(built, request):
    """content/ is the product: regenerate it with `make content` after changing the generator."""
    paths, _ = built
    fresh, committed = file_tree(paths.content), file_tree(ROOT / "content")
    if fresh != committed and request.config.getoption("--update-golden"):
        shutil.rmtree(ROOT / "content")
        shutil.copytree(paths.content, ROOT / "content")
        return
    for name in sorted(set(fresh) | set(committed)):
        if fresh.get(name) != committed.get(name):
            diff = difflib.unified_diff(
                committed.get(name, b"").decode().splitlines(),
                fresh.get(name, b"").decode().splitlines(),
                lineterm="",
            )
            pytest.fail(
                f"content/{name} differs from a fresh build (run `make content`):\n" + "\n".join(list(diff)[:40])
            )


def test_no_boilerplate_and_titles_present(built):
    paths, _ = built
    for name, data in file_tree(paths.content).items():
        text = data.decode()
        for phrase in BOILERPLATE:
            assert phrase not in text, (name, phrase)
        if name.endswith(".md"):
            assert text.startswith('---\ntitle: "') and '\ntitle: ""' not in text


def test_every_page_is_reachable_from_the_home_page(built):
    paths, _ = built
    pages = {p for p in file_tree(paths.content) if p.endswith(".md")}
    linked = {"index.md", "timeline.md", "topics/index.md", "sources.md", "tags.md"}
    frontier = list(linked)
    import posixpath
    import re

    while frontier:
        page = frontier.pop()
        text = (paths.content / page).read_text()
        for target in re.findall(r"\]\(([^)#\s]+\.md)", text):
            resolved = posixpath.normpath(posixpath.join(posixpath.dirname(page), target))
            if resolved not in linked:
                linked.add(resolved)
                frontier.append(resolved)
    assert pages <= linked, pages - linked


def test_second_build_is_byte_identical_and_rewrites_nothing(built):
    paths, _ = built
    before = file_tree(paths.content)
    report = build(paths, Settings(), render_html=False)
    assert report.written == 0 and report.removed == 0
    assert file_tree(paths.content) == before


def test_seed_order_does_not_change_output(built, tmp_path):
    paths, _ = built
    names = sorted(p.name for p in SEEDS.iterdir())
    random.Random(7).shuffle(names)
    shuffled = make_project(tmp_path / "shuffled", seeds=None)
    for number, name in enumerate(names):
        # Copy in a different order and with different timestamps.
        target = shuffled.seeds / name
        shutil.copy(SEEDS / name, target)
        target.touch()
        assert number >= 0
    build(shuffled, Settings(), render_html=False)
    assert file_tree(shuffled.content) == file_tree(paths.content)


def test_removed_seed_removes_its_pages_only(tmp_path):
    paths = make_project(tmp_path / "p")
    build(paths, Settings(), render_html=False)
    (paths.content / "my-notes.md").write_text("# Notes\n", encoding="utf-8")
    (paths.seeds / "002_77f896a1f2bda597.txt").unlink()
    report = build(paths, Settings(), render_html=False)
    assert report.removed >= 1
    assert not (paths.content / "articles" / "002-77f896a1f2bda597.md").exists()
    assert (paths.content / "my-notes.md").exists()


def test_seeds_are_never_modified(tmp_path):
    paths = make_project(tmp_path / "p")
    before = file_tree(paths.seeds)
    build(paths, Settings(), render_html=False)
    assert file_tree(paths.seeds) == before


def test_home_page_lists_what_is_new_since_the_last_build(tmp_path):
    paths = make_project(tmp_path / "p")
    (paths.seeds / "002_77f896a1f2bda597.txt").rename(tmp_path / "held-back.txt")
    build(paths, Settings(), render_html=False)
    assert "New since the last build" not in (paths.content / "index.md").read_text()
    (tmp_path / "held-back.txt").rename(paths.seeds / "002_77f896a1f2bda597.txt")
    build(paths, Settings(), render_html=False)
    home = (paths.content / "index.md").read_text()
    assert "## New since the last build" in home and "articles/002-77f896a1f2bda597.md" in home.split("## Latest")[0]
    # A rebuild with the same articles keeps the list, so nothing is rewritten.
    assert build(paths, Settings(), render_html=False).written == 0


def test_site_is_rendered_again_only_when_what_it_is_made_from_changed(tmp_path, monkeypatch):
    import generator.pipeline as pipeline

    renders = []
    real_build_site = pipeline.build_site
    monkeypatch.setattr(pipeline, "build_site", lambda *args: renders.append(args) or real_build_site(*args))
    paths = make_project(tmp_path / "project")
    build(paths, Settings())
    build(paths, Settings())
    assert len(renders) == 1, "nothing changed: MkDocs must not run again"

    (paths.site / "sources" / "index.html").unlink()
    build(paths, Settings())
    assert len(renders) == 2 and (paths.site / "sources" / "index.html").is_file()

    paths.mkdocs_config.write_text(paths.mkdocs_config.read_text() + "\ncopyright: Briefing test\n")
    build(paths, Settings())
    assert len(renders) == 3 and "Briefing test" in (paths.site / "index.html").read_text()

    extra = paths.content / "notes.md"
    extra.write_text("# Notes\n\nA page added by hand.\n")
    build(paths, Settings())
    assert len(renders) == 4 and (paths.site / "notes" / "index.html").is_file()
    build(paths, Settings())
    assert len(renders) == 4


def test_cycle_collector_is_held_off_for_the_build_and_restored_after(tmp_path, monkeypatch):
    from generator import pipeline

    seen = []

    def relate(*args, **kwargs):
        seen.append(gc.get_threshold()[0])
        return relate_articles(*args, **kwargs)

    monkeypatch.setattr(pipeline, "relate_articles", relate)
    paths = make_project(tmp_path)
    before = gc.get_threshold()
    assert before[0] > 0
    build(paths, Settings(), render_html=False)
    assert seen == [0] and gc.get_threshold() == before and gc.isenabled()
    shutil.rmtree(paths.seeds)
    paths.seeds.mkdir()
    with pytest.raises(BuildError):
        build(paths, Settings(), render_html=False)
    assert gc.get_threshold() == before
