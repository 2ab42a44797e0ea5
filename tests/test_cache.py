"""Incremental builds: a changed article costs work for that article only; a bad cache is never trusted."""

import logging
import sqlite3

import pytest

from generator.config import Settings
from generator.executors import MAX_CHUNK, MIN_CHUNK, _chunks
from generator.model import Problem
from generator.pipeline import RunOptions, build
from generator.render import render_site
from tests.conftest import file_tree, make_project


def _analysed(caplog) -> str:
    return " ".join(r.getMessage() for r in caplog.records if r.getMessage().startswith("analysed"))


def test_warm_build_reuses_every_result(project, caplog):
    caplog.set_level(logging.INFO)
    build(project, Settings(), render_html=False)
    assert "analysed 3 of 3 articles" in _analysed(caplog)
    caplog.clear()
    report = build(project, Settings(), render_html=False)
    assert _analysed(caplog) == ""
    assert report.written == 0


def test_unchanged_inputs_skip_the_corpus_stages_until_content_is_edited(project, caplog):
    build(project, Settings(), render_html=False)
    home = project.content / "index.md"
    built = home.read_bytes()
    with sqlite3.connect(project.cache_dir / "articles.sqlite") as connection:
        connection.execute("DELETE FROM results")
    caplog.set_level(logging.INFO)
    report = build(project, Settings(), render_html=False)
    assert (_analysed(caplog), report.built, report.written) == ("", 3, 0)
    home.write_text("edited by hand\n", encoding="utf-8")
    report = build(project, Settings(), render_html=False)
    assert "analysed 3 of 3 articles" in _analysed(caplog)
    assert (report.written, home.read_bytes()) == (1, built)


def test_one_changed_article_is_the_only_one_analysed_again(project, caplog):
    build(project, Settings(), render_html=False)
    seed = project.seeds / "002_77f896a1f2bda597.txt"
    seed.write_text(
        seed.read_text(encoding="utf-8") + "\nThe talks ended on Thursday, officials said.\n", encoding="utf-8"
    )
    caplog.set_level(logging.INFO)
    report = build(project, Settings(), render_html=False)
    assert "analysed 1 of 3 articles (2 from the cache)" in _analysed(caplog)
    assert report.written >= 1
    stages = next(r.getMessage() for r in caplog.records if r.getMessage().startswith("time by stage"))
    assert [lap.split()[0] for lap in stages.split(": ", 1)[1].split(", ")] == [
        "read",
        "analyse",
        "relate",
        "index",
        "render",
        "write",
    ]


def test_a_rebuild_decodes_only_the_seed_files_that_changed(project, monkeypatch):
    from generator import ingest

    build(project, Settings(), render_html=False)
    decoded: list[str] = []
    real = ingest.parse_seed
    monkeypatch.setattr(ingest, "parse_seed", lambda data, name, *rest: decoded.append(name) or real(data, name, *rest))
    seed = project.seeds / "003_25d141d7dada6a2b.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nThe talks ended, officials said.\n", encoding="utf-8")
    build(project, Settings(), render_html=False)
    assert decoded == ["003_25d141d7dada6a2b.txt"]
    build(project, Settings(), render_html=False, options=RunOptions(use_cache=False))
    assert len(decoded) == 4


def test_changed_options_invalidate_the_cache(project, caplog):
    build(project, Settings(), render_html=False)
    caplog.set_level(logging.INFO)
    build(project, Settings(key_points=3), render_html=False)
    assert "analysed 3 of 3 articles" in _analysed(caplog)


def test_cached_and_fresh_builds_are_identical(project, tmp_path):
    build(project, Settings(), render_html=False)
    warm = {p.name: p.read_bytes() for p in project.content.rglob("*.md")}
    build(project, Settings(), render_html=False, options=RunOptions(use_cache=False))
    assert {p.name: p.read_bytes() for p in project.content.rglob("*.md")} == warm


def test_corrupt_cache_file_is_rebuilt(project, caplog):
    build(project, Settings(), render_html=False)
    (project.cache_dir / "articles.sqlite").write_bytes(b"this is not a database" * 100)
    caplog.set_level(logging.INFO)
    build(project, Settings(site_title="Another title"), render_html=False)
    assert "unreadable or old" in caplog.text
    assert "analysed 3 of 3 articles" in _analysed(caplog)


@pytest.mark.parametrize(
    "damage", ["UPDATE results SET payload = substr(payload, 2)", "UPDATE results SET checksum = 'x'"]
)
def test_damaged_rows_are_recomputed(project, caplog, damage):
    build(project, Settings(), render_html=False)
    with sqlite3.connect(project.cache_dir / "articles.sqlite") as connection:
        connection.execute(damage)
    caplog.set_level(logging.INFO)
    build(project, Settings(site_title="Another title"), render_html=False)
    assert "analysed 3 of 3 articles" in _analysed(caplog)


def test_pool_and_in_process_give_the_same_result(project, tmp_path):
    from generator.pipeline import analyse_corpus
    from tests.conftest import make_project

    many = make_project(tmp_path / "many", seeds=None)
    for copy in range(10):
        for seed in project.seeds.iterdir():
            text = seed.read_text(encoding="utf-8").replace("Putin", f"Putin{copy}" if copy else "Putin")
            (many.seeds / f"{copy:02d}-{seed.name}").write_text(text, encoding="utf-8")
    pooled, _ = analyse_corpus(many, Settings(processes=2), RunOptions(use_cache=False))
    single, _ = analyse_corpus(many, Settings(processes=1), RunOptions(use_cache=False))
    assert pooled.articles == single.articles
    assert pooled.briefs == single.briefs


def test_a_stopped_build_keeps_the_chunks_it_finished(project, caplog, monkeypatch):
    from generator import pipeline

    real_run_jobs = pipeline.run_jobs

    def stopped_after_the_first_chunk(jobs, settings, alias_tables, *, finished, **options):
        first = list(jobs[:1])
        finished(0, real_run_jobs(first, settings, alias_tables, **options))
        raise KeyboardInterrupt

    monkeypatch.setattr(pipeline, "run_jobs", stopped_after_the_first_chunk)
    with pytest.raises(KeyboardInterrupt):
        build(project, Settings(), render_html=False)
    monkeypatch.undo()
    caplog.set_level(logging.INFO)
    build(project, Settings(), render_html=False)
    assert "analysed 2 of 3 articles (1 from the cache)" in _analysed(caplog)


def test_every_chunk_is_reported_once_with_its_first_job(project):
    from generator.executors import run_jobs
    from generator.pipeline import read_inputs

    inputs = read_inputs(project, Settings())
    jobs = list(inputs.jobs) * 10
    reported: list[tuple[int, int]] = []
    outcomes = run_jobs(
        jobs,
        Settings(processes=2),
        inputs.alias_tables,
        finished=lambda start, done: reported.append((start, len(done))),
    )
    covered = sorted(index for start, size in reported for index in range(start, start + size))
    assert covered == list(range(len(jobs)))
    assert [o.article.id for o in outcomes] == [job.article_id for job in jobs]


def test_results_come_back_from_the_cache_equal_to_what_was_stored(project):
    from generator.analyse import analyse_articles
    from generator.cache import ResultCache
    from generator.pipeline import read_inputs

    inputs = read_inputs(project, Settings())
    outcomes = analyse_articles(inputs.jobs, Settings(), inputs.alias_tables)
    problem = Problem("broken.txt", "not valid UTF-8 text")
    stored = dict(zip(inputs.keys, outcomes, strict=True)) | {"problem-key": problem}
    cache = ResultCache(project.cache_dir / "articles.sqlite")
    cache.put_many(stored)
    assert cache.get_many([*stored, "never-stored"]) == stored
    cache.close()


def test_a_rebuild_renders_only_pages_whose_view_changed_and_matches_a_full_build(project, tmp_path, monkeypatch):
    from generator import pipeline

    build(project, Settings(), render_html=False)
    seed = project.seeds / "002_77f896a1f2bda597.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "\nThe talks ended on Thursday, officials said.\n", "utf-8")
    rendered = []

    def render(*args, **kwargs):
        rendered.append(render_site(*args, **kwargs))
        return rendered[-1]

    monkeypatch.setattr(pipeline, "render_site", render)
    build(project, Settings(), render_html=False)
    (site,) = rendered
    assert site.kept and "articles/002-77f896a1f2bda597.md" not in site.kept
    assert "articles/002-77f896a1f2bda597.md" in {str(page.path) for page in site.pages}
    fresh = make_project(tmp_path / "fresh", project.seeds)
    build(fresh, Settings(), render_html=False, options=RunOptions(use_cache=False))
    assert file_tree(project.content) == file_tree(fresh.content)


def test_a_page_edited_by_hand_is_rendered_again(project):
    build(project, Settings(), render_html=False)
    page = project.content / "articles" / "000-4a96c683e799dd2d.md"
    built = page.read_bytes()
    page.write_text("edited by hand\n", encoding="utf-8")
    report = build(project, Settings(), render_html=False)
    assert (report.written, page.read_bytes()) == (1, built)


@pytest.mark.parametrize("count", [1, 7, 24, 100, 1000, 10_000])
def test_chunks_cover_every_job_in_order_and_shrink_towards_the_end(count):
    chunks = _chunks(list(range(count)), workers=2)
    assert [job for _, chunk in chunks for job in chunk] == list(range(count))
    assert [start for start, _ in chunks] == [sum(len(c) for _, c in chunks[:i]) for i in range(len(chunks))]
    sizes = [len(chunk) for _, chunk in chunks]
    assert max(sizes) <= MAX_CHUNK
    assert sizes == sorted(sizes, reverse=True)
    if count >= 4 * MIN_CHUNK:
        assert sizes[-2] == MIN_CHUNK
