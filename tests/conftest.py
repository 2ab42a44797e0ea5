"""Shared fixtures: a throwaway project with the shipped seeds, the analysed seeds, raw-article factories."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from generator.config import Settings
from generator.model import Article, DateEvidence, Entity, RawArticle, Sentence
from generator.pipeline import Paths, analyse_corpus

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
SHARED_DATA = ROOT.parent / "shared" / "data"


def make_project(folder: Path, seeds: Path | None = SEEDS) -> Paths:
    """A project folder with mkdocs.yml and a copy of the given seeds."""
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copy(ROOT / "mkdocs.yml", folder / "mkdocs.yml")
    target = folder / "seeds"
    if seeds is None:
        target.mkdir(exist_ok=True)
    else:
        shutil.copytree(seeds, target, dirs_exist_ok=True)
    return Paths(project=folder, seeds=target, content=folder / "content", site=folder / "site")


def file_tree(folder: Path) -> dict[str, bytes]:
    """Every file below `folder` by its relative path, with its bytes: two trees compare equal when byte-identical."""
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def project(tmp_path: Path) -> Paths:
    return make_project(tmp_path / "project")


@pytest.fixture
def empty_project(tmp_path: Path) -> Paths:
    return make_project(tmp_path / "project", seeds=None)


@pytest.fixture(scope="session")
def seed_corpus():
    """The shipped seeds, analysed once for every test that only reads the result."""
    paths = Paths(project=ROOT, seeds=SEEDS, content=ROOT / "content", site=ROOT / "site")
    corpus, problems = analyse_corpus(paths, Settings())
    assert problems == ()
    return corpus


def make_article(article_id: str, sentences: list[str], day: str | None = None, names: tuple[str, ...] = ()) -> Article:
    """An analysed article with one sentence a paragraph, for stage tests that need no spaCy."""
    return Article(
        id=article_id,
        source=f"{article_id}.txt",
        title=article_id,
        dek=None,
        date=DateEvidence(day, "test", day is None),
        capture_date=None,
        publisher=None,
        authors=(),
        contributors=(),
        dateline=None,
        developing=False,
        paragraphs=tuple(sentences),
        captions=(),
        sentences=tuple(Sentence(text, i) for i, text in enumerate(sentences)),
        entities=tuple(Entity(name, "person") for name in names),
        mentions=(),
        quotes=(),
    )


@pytest.fixture
def raw_text():
    def make(text: str, source: str = "article.txt", kind: str = "text") -> RawArticle:
        return RawArticle(source, kind, text)

    return make


@pytest.fixture(scope="session")
def nlp():
    from generator.nlp import load_pipeline

    return load_pipeline("auto")


def pytest_addoption(parser):
    parser.addoption("--update-golden", action="store_true", help="rewrite the committed content/ from a fresh build")
