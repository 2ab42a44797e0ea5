"""Stage 7, render: the analysed corpus -> Markdown pages (OutputFile), from Jinja2 templates.

Every string from a source reaches a page through one of two filters: `md` (shown literally in
Markdown, no markup or HTML survives) or `yaml` (a quoted front-matter value). Templates hold no
logic beyond loops; links, grouping and sorting are worked out here.

Each article, story and topic page is rendered from a view: its template's whole context, as plain
data. A rebuild keeps a page whose view hashes as it did when the page on disk was rendered, so a
changed article costs the pages that show it, not the site.
"""

from __future__ import annotations

import difflib
import functools
import hashlib
import html
import itertools
import json
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from xml.sax.saxutils import escape as xml_escape

import msgspec
from jinja2 import Environment, PackageLoader, StrictUndefined

from generator.charts import comention_svg, timeline_svg
from generator.forked import fork_map
from generator.index import KIND_FOLDERS
from generator.model import Article, Brief, Entity, OutputFile, Relations, Story, StoryFact, Topic, TopicIndex
from generator.text import markdown_to_plain, md_escape, strip_controls

KIND_TITLES = {
    "person": "People",
    "organization": "Organisations",
    "place": "Places",
    "group": "Groups and nationalities",
    "event": "Events",
    "theme": "Themes",
}
TAG_KINDS = ("person", "organization", "place")
TIMELINE_CHART = "assets/timeline.svg"
NAMES_CHART = "assets/names.svg"
FEED_SIZE = 50
EDITED_AT_LEAST = 0.5
"""Share of words in common for two paragraphs to count as one paragraph, edited."""
NEW_LIST = 20
TOPIC_LIST = 20
"""Newest articles, mentions and quotes listed on a topic page; the rest are counted, so pages stay small
(the tags index lists the articles tagged with the name)."""
VERSIONS_LISTED = 10
"""An article page names this many other versions; the story page lists them all."""
STYLESHEET = (Path(__file__).parent / "data" / "briefing.css").read_text(encoding="utf-8")
MAX_TAGS = 8


@dataclass(frozen=True)
class Corpus:
    """Everything the pages are made from (not slotted: the brief lookup is built once)."""

    articles: tuple[Article, ...]
    briefs: tuple[tuple[str, Brief], ...]
    relations: Relations
    index: TopicIndex
    site_title: str
    site_url: str = ""
    story_facts: tuple[tuple[str, tuple[StoryFact, ...]], ...] = ()
    """Story id -> its briefing across articles."""
    new_articles: tuple[str, ...] = ()
    """Article ids new since the build before (see pipeline.new_since_last_build)."""

    @cached_property
    def _brief_by_id(self) -> dict[str, Brief]:
        return dict(self.briefs)

    def brief(self, article_id: str) -> Brief:
        return self._brief_by_id[article_id]

    @cached_property
    def _facts_by_story(self) -> dict[str, tuple[StoryFact, ...]]:
        return dict(self.story_facts)

    def facts_of(self, story_id: str) -> tuple[StoryFact, ...]:
        return self._facts_by_story.get(story_id, ())


def article_path(article_id: str) -> str:
    return f"articles/{article_id}.md"


def story_path(story: Story) -> str:
    """A story of one article is that article: it gets no page of its own."""
    if len(story.articles) == 1:
        return article_path(story.articles[0])
    return f"stories/{story.id}.md"


def _link(target: str, page: str) -> str:
    """Relative link from one page to another; all pages sit at known depths, so no path arithmetic."""
    return "../" * page.count("/") + target


def topic_path(topic: Topic) -> str:
    return f"topics/{topic.slug}.md"


def front_matter_value(value: str) -> str:
    """A quoted YAML string that the theme can put in HTML as is: MkDocs' templates do not escape titles."""
    return json.dumps(html.escape(strip_controls(str(value)), quote=True), ensure_ascii=False)


@functools.lru_cache(maxsize=65536)
def _literal(text: str) -> str:
    return md_escape(strip_controls(text))


def _shown_literally(value: object) -> str:
    """The template filter `md`; names and summaries recur on many pages, so each is escaped once."""
    return _literal(str(value))


def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("generator", "templates"),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
        auto_reload=False,  # the templates do not change during a build: no stat of each one per page
    )
    env.filters["md"] = _shown_literally
    env.filters["yaml"] = front_matter_value
    env.filters["xml"] = lambda value: xml_escape(strip_controls(str(value)))
    env.globals.update(
        article_path=article_path,
        story_path=story_path,
        topic_path=topic_path,
        timeline_chart=TIMELINE_CHART,
        names_chart=NAMES_CHART,
    )
    return env


@dataclass(frozen=True, slots=True)
class PageTask:
    """A page still to render."""

    path: str
    template: str
    view: Callable[[], dict]
    """The template's context, all of it plain data: its fingerprint says whether the page changed."""
    derived: Callable[[dict], dict] | None = None
    """What is worked out from the view only when the page is rendered (a story's word diffs)."""


@dataclass(frozen=True, slots=True)
class RenderedSite:
    pages: tuple[OutputFile, ...]
    """The pages rendered by this build, in path order."""
    kept: tuple[str, ...] = ()
    """Pages not rendered again: their view is the one the page left on disk was rendered from."""
    fingerprints: dict[str, str] = field(default_factory=dict)
    """Path -> fingerprint of the view of every article, story and topic page."""


_pending: tuple[Environment, list[PageTask], Mapping[str, str], ViewFingerprints] | None = None
"""The article, story and topic pages being rendered, read by the forked workers (see forked.py)."""
_VIEW_ENCODER = msgspec.msgpack.Encoder()


def render_site(
    corpus: Corpus, workers: int = 1, rendered_before: Mapping[str, str] | None = None, salt: str = ""
) -> RenderedSite:
    """Every page of the briefing, in a stable order; the article, story and topic pages on `workers` processes.

    `rendered_before`: path -> fingerprint of the pages on disk. A page whose view has the same
    fingerprint (with `salt`, which names the templates and settings) is kept, not rendered again.
    """
    global _pending
    env = _environment()
    by_id = {a.id: a for a in corpus.articles}
    pages: list[OutputFile] = []

    def emit(path: str, template: str, **context) -> None:
        pages.append(_render_page(env, path, template, context))

    stories = sorted(corpus.relations.stories, key=lambda s: (s.date or "", s.id), reverse=True)
    story_views = [_story_view(story, corpus, by_id) for story in stories]
    topics_with_pages = [t for t in corpus.index.topics if t.has_page]
    emit(
        "index.md",
        "home.md.j2",
        title=corpus.site_title,
        stories=story_views[:20],
        top_topics=_top_topics(corpus.index)[:12],
        new_articles=[(by_id[i], corpus.brief(i)) for i in corpus.new_articles if i in by_id][:NEW_LIST],
        counts={
            "articles": len(corpus.articles),
            "stories": len(stories),
            "storylines": len(corpus.relations.storylines),
            "topics": len(topics_with_pages),
        },
    )
    changes = functools.partial(_story_changes, by_id=by_id)
    many: list[PageTask] = [
        *(
            PageTask(article_path(a.id), "article.md.j2", functools.partial(_article_view, a, corpus, by_id))
            for a in sorted(corpus.articles, key=lambda a: a.id)
        ),
        *(
            PageTask(
                story_path(view["story"]),
                "story.md.j2",
                functools.partial(_story_page_view, view, corpus.relations),
                changes,
            )
            for view in story_views
            if len(view["story"].articles) > 1
        ),
        *(
            PageTask(topic_path(topic), "topic.md.j2", functools.partial(_topic_view, topic, corpus, by_id))
            for topic in topics_with_pages
        ),
    ]
    for name in ("article.md.j2", "story.md.j2", "topic.md.j2"):
        env.get_template(name)  # compiled once, before the workers fork
    _pending = env, many, rendered_before or {}, ViewFingerprints(salt, corpus.articles)
    try:
        results = fork_map(_render_pending, len(many), workers)
    finally:
        _pending = None
    pages.extend(page for _, page in results if page is not None)
    emit("topics/index.md", "topics.md.j2", groups=_topic_groups(corpus.index))
    emit("timeline.md", "timeline.md.j2", storylines=_timeline(corpus, story_views))
    emit("sources.md", "sources.md.j2", publishers=_publishers(corpus))
    emit("tags.md", "tags.md.j2")
    emit("feed.xml", "feed.xml.j2", **_feed(corpus))
    pages.append(OutputFile(PurePosixPath("assets/briefing.css"), STYLESHEET))
    relations = corpus.relations
    pages.append(OutputFile(PurePosixPath(TIMELINE_CHART), timeline_svg(relations.storylines, relations.stories)))
    pages.append(OutputFile(PurePosixPath(NAMES_CHART), comention_svg(corpus.articles)))
    return RenderedSite(
        tuple(sorted(pages, key=lambda page: page.path)),
        tuple(sorted(task.path for task, (_, page) in zip(many, results, strict=True) if page is None)),
        {task.path: fingerprint for task, (fingerprint, _) in zip(many, results, strict=True)},
    )


def _render_page(env: Environment, path: str, template: str, context: dict) -> OutputFile:
    context["link"] = lambda target, _from=path: _link(target, _from)
    return OutputFile(PurePosixPath(path), env.get_template(template).render(**context))


def _render_pending(run: range) -> list[tuple[str, OutputFile | None]]:
    """(fingerprint, page) for each task of the run; the page is None when the one rendered before is kept."""
    assert _pending is not None
    env, tasks, rendered_before, fingerprint_of = _pending
    results: list[tuple[str, OutputFile | None]] = []
    for task in (tasks[i] for i in run):
        view = task.view()
        fingerprint = fingerprint_of(task.path, task.template, view)
        if rendered_before.get(task.path) == fingerprint:
            results.append((fingerprint, None))
            continue
        context = view | task.derived(view) if task.derived else view
        results.append((fingerprint, _render_page(env, task.path, task.template, context)))
    return results


class ViewFingerprints:
    """Hashes of everything a page is rendered from, with the templates and settings named by `salt`.

    An article shown on many pages (a topic page lists twenty) stands in by its hash, worked out once
    here, before the workers fork: encoding reads every part of an article, and each part a forked
    worker reads becomes its own copy of that memory.
    """

    def __init__(self, salt: str, articles: Iterable[Article] = ()) -> None:
        self.salt = salt
        self._articles = {article.id: self._digest(article) for article in articles}

    @staticmethod
    def _digest(article: Article) -> bytes:
        return hashlib.blake2b(_VIEW_ENCODER.encode(article), digest_size=16).digest()

    def __call__(self, path: str, template: str, view: dict) -> str:
        """Raises TypeError if the view holds anything but data (a function, say, whose answers it cannot see)."""
        encoded = _VIEW_ENCODER.encode([self.salt, path, template, self._plain(view)])
        return hashlib.blake2b(encoded, digest_size=16).hexdigest()

    def _plain(self, value: object) -> object:
        if isinstance(value, Article):
            digest = self._articles.get(value.id)
            if digest is None:
                digest = self._articles[value.id] = self._digest(value)
            return digest
        if isinstance(value, dict):
            return {key: self._plain(item) for key, item in value.items()}
        if isinstance(value, list | tuple):
            return [self._plain(item) for item in value]
        return value


def _feed(corpus: Corpus) -> dict:
    """The newest dated articles, for readers' feed readers; dates come from the articles, not the clock."""
    base = corpus.site_url.rstrip("/")
    dated = [(a, _date(corpus, a).date) for a in corpus.articles if _date(corpus, a).date]
    dated.sort(key=lambda item: (item[1], item[0].id), reverse=True)
    entries = [
        {
            "title": article.title,
            "id": f"{base}/articles/{article.id}/" if base else f"urn:briefing:article:{article.id}",
            "link": f"{base}/articles/{article.id}/" if base else f"articles/{article.id}/",
            "date": day,
            "publisher": article.publisher,
            "summary": corpus.brief(article.id).summary,
        }
        for article, day in dated[:FEED_SIZE]
    ]
    return {
        "title": corpus.site_title,
        "feed_id": f"{base}/" if base else "urn:briefing:feed",
        "site_url": f"{base}/" if base else "./",
        "updated": entries[0]["date"] if entries else "1970-01-01",
        "entries": entries,
    }


def _date(corpus: Corpus, article: Article):
    return corpus.relations.date_of(article.id) or article.date


def _tags(article: Article, index: TopicIndex) -> list[str]:
    """Names with a topic page: a tag gathers several articles, and the tags index stays a useful size."""
    return [e.name for e in article.entities if e.kind in TAG_KINDS and index.page_of(e.name)][:MAX_TAGS]


def _linked_paragraphs(article: Article, index: TopicIndex) -> list[str]:
    """Paragraphs as Markdown with the first mention of each entity that has a page linked to it."""
    paragraphs = list(article.paragraphs)
    linked: dict[int, list[tuple[int, int]]] = {}
    for mention in article.mentions:
        topic = index.page_of(mention.name)
        if topic is None or mention.paragraph >= len(paragraphs):
            continue
        surface = md_escape(mention.surface)
        paragraph = paragraphs[mention.paragraph]
        spans = linked.setdefault(mention.paragraph, [])
        at = _free_position(paragraph, surface, spans)
        if at is None:
            continue
        link = f"[{surface}]({_link(topic_path(topic), article_path(article.id))})"
        paragraphs[mention.paragraph] = paragraph[:at] + link + paragraph[at + len(surface) :]
        grown = len(link) - len(surface)
        spans[:] = [(s + grown, e + grown) if s > at else (s, e) for s, e in spans] + [(at, at + len(link))]
    return paragraphs


def _free_position(paragraph: str, surface: str, links: list[tuple[int, int]]) -> int | None:
    """Where the words stand as whole words, outside the links already made in this paragraph."""
    at = paragraph.find(surface)
    while at >= 0:
        end = at + len(surface)
        whole = (at == 0 or not paragraph[at - 1].isalnum()) and (end == len(paragraph) or not paragraph[end].isalnum())
        if whole and not any(start <= at < stop for start, stop in links):
            return at
        at = paragraph.find(surface, at + 1)
    return None


def _article_view(article: Article, corpus: Corpus, by_id: dict[str, Article]) -> dict:
    story = corpus.relations.story_of(article.id)
    version_ids = corpus.relations.versions_of(article.id)
    versions = [by_id[i] for i in version_ids[:VERSIONS_LISTED]]
    related = [(by_id[r.target], r) for r in corpus.relations.related_to(article.id)]
    people = {kind: [e for e in article.entities if e.kind == kind] for kind in KIND_TITLES}
    people["theme"] = [Entity(t.name, "theme") for t in corpus.index.themes_of(article.id)]
    return {
        "article": article,
        "brief": corpus.brief(article.id),
        "date": _date(corpus, article),
        "tags": _tags(article, corpus.index),
        "paragraphs": _linked_paragraphs(article, corpus.index),
        "entities": [(KIND_TITLES[k], v) for k, v in people.items() if v],
        "story": story,
        "versions": versions,
        "more_versions": len(version_ids) - len(versions),
        "related": related,
        "topic_pages": {e.name: _topic_page(e.name, corpus.index) for _, found in people.items() for e in found},
    }


def _topic_page(name: str, index: TopicIndex) -> str | None:
    topic = index.page_of(name)
    return topic_path(topic) if topic else None


def _story_view(story: Story, corpus: Corpus, by_id: dict[str, Article]) -> dict:
    """What the home page, the timeline and the story page show of a story."""
    lead = by_id[story.articles[-1]] if story.articles else None
    facts = [
        (fact.text, [(by_id[i], n + 1) for n, i in enumerate(story.articles) if i in fact.articles])
        for fact in corpus.facts_of(story.id)
    ]
    return {
        "story": story,
        "facts": facts if len(story.articles) > 1 else [],
        "lead": lead,
        "brief": corpus.brief(lead.id) if lead else None,
        "articles": [(by_id[i], corpus.brief(i), _date(corpus, by_id[i])) for i in story.articles],
        "version_groups": [
            [(by_id[i], _date(corpus, by_id[i])) for i in group] for group in story.versions if len(group) > 1
        ],
        "storyline": corpus.relations.storyline(story.storyline),
    }


def _story_page_view(view: dict, relations: Relations) -> dict:
    """The story page adds the other stories of its storyline."""
    return {**view, "storyline_stories": [relations.story_by_id[i] for i in view["storyline"].stories]}


def _story_changes(view: dict, by_id: dict[str, Article]) -> dict:
    """What changed between versions: the costly part, worked out only when the page is rendered."""
    changes = [
        (by_id[older], by_id[newer], paragraph_changes(by_id[older], by_id[newer]))
        for group in view["story"].versions
        for older, newer in itertools.pairwise(group)
    ]
    return {"changes": changes}


def paragraph_changes(older: Article, newer: Article) -> list[tuple[str, str]]:
    """What changed between two versions: ('added'|'removed'|'edited', Markdown), edited words marked.

    Each paragraph of the newer version is paired with the most alike unused paragraph of the older
    one, wherever it stands, so moved paragraphs are not reported as removed and added.
    """
    old = [markdown_to_plain(p) for p in older.paragraphs]
    new = [markdown_to_plain(p) for p in newer.paragraphs]
    pairs = sorted(_alike_pairs(old, new), key=lambda item: (-item[0], item[1], item[2]))
    match: dict[int, int] = {}
    used: set[int] = set()
    for _, i, j in pairs:
        if i not in used and j not in match:
            match[j] = i
            used.add(i)
    changes: list[tuple[str, str]] = []
    for j, text in enumerate(new):
        if j not in match:
            changes.append(("added", md_escape(text)))
        elif old[match[j]] != text:
            changes.append(("edited", _word_diff(old[match[j]], text)))
    changes += [("removed", md_escape(text)) for i, text in enumerate(old) if i not in used]
    return changes


def _alike_pairs(old: list[str], new: list[str]) -> Iterator[tuple[float, int, int]]:
    """(similarity, old index, new index) of the paragraph pairs alike enough to be one paragraph, edited.

    The cheap upper bounds come first, so the full comparison runs on few pairs of a long article.
    """
    matcher = difflib.SequenceMatcher(autojunk=False)
    old_words = [before.split() for before in old]
    old_sets = [set(words) for words in old_words]
    for j, after in enumerate(new):
        words = after.split()
        distinct = set(words)
        matcher_has_after = False
        for i, before in enumerate(old_words):
            if old[i] == after:  # most paragraphs of a version are the same: their ratio is 1 with no matching
                yield 1.0, i, j
                continue
            if not _may_be_alike(before, old_sets[i], words, distinct):
                continue
            if not matcher_has_after:
                matcher.set_seq2(words)
                matcher_has_after = True
            matcher.set_seq1(before)
            if matcher.quick_ratio() < EDITED_AT_LEAST:
                continue
            ratio = matcher.ratio()
            if ratio >= EDITED_AT_LEAST:
                yield ratio, i, j


def _may_be_alike(a: list[str], a_set: set[str], b: list[str], b_set: set[str]) -> bool:
    """An upper bound of SequenceMatcher's ratio from word sets, at set speed: a word missing from the
    other paragraph matches nothing, so at most len(a) - |a_set - b_set| words of a can match.

    Of the paragraph pairs of two versions that are not the same, this rules out 97 % at 10,000
    articles, where matching their word counts (quick_ratio) cost a third of rendering the story pages.
    """
    shared = len(a_set & b_set)
    matches_at_most = min(len(a) - len(a_set), len(b) - len(b_set)) + shared
    return 2 * matches_at_most >= EDITED_AT_LEAST * (len(a) + len(b))


def _word_diff(before: str, after: str) -> str:
    a, b = before.split(), after.split()
    pieces = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(a=a, b=b, autojunk=False).get_opcodes():
        if tag == "equal":
            pieces.append(md_escape(" ".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(f"<del>{md_escape(' '.join(a[i1:i2]))}</del>")
        if j2 > j1:
            pieces.append(f"<ins>{md_escape(' '.join(b[j1:j2]))}</ins>")
    return " ".join(pieces)


def _topic_view(topic: Topic, corpus: Corpus, by_id: dict[str, Article]) -> dict:
    return {
        "topic": topic,
        "kind_title": KIND_TITLES[topic.kind],
        "articles": [(by_id[i], corpus.brief(i), _date(corpus, by_id[i])) for i in topic.articles[:TOPIC_LIST]],
        "more_articles": max(0, len(topic.articles) - TOPIC_LIST),
        "listed_under_tag": topic.kind in TAG_KINDS,
        "backlinks": [(by_id[b.article], b.sentence) for b in topic.backlinks[:TOPIC_LIST]],
        "quotes": topic.quotes[:TOPIC_LIST],
        "more_quotes": max(0, len(topic.quotes) - TOPIC_LIST),
        "co_mentioned": [(name, _topic_page(name, corpus.index)) for name in topic.co_mentioned],
    }


def _top_topics(index: TopicIndex) -> list[Topic]:
    return sorted((t for t in index.topics if t.has_page), key=lambda t: (-len(t.articles), t.name))


def _topic_groups(index: TopicIndex) -> list[tuple[str, list[tuple[str, list[Topic]]], int]]:
    """Kind -> first letter -> topics with a page, A to Z, and how many names of that kind have none.

    Names without a page are each in one or a few articles: search finds them, and leaving them out
    keeps the index a page a reader can load (it would list every name in the corpus).
    """
    groups = []
    for kind in KIND_FOLDERS:
        of_kind = [t for t in index.topics if t.kind == kind]
        topics = sorted((t for t in of_kind if t.has_page), key=lambda t: (t.name.lower(), t.name))
        if not of_kind:
            continue
        letters: dict[str, list[Topic]] = {}
        for topic in topics:
            letter = topic.name[:1].upper() if topic.name[:1].isalpha() else "#"
            letters.setdefault(letter, []).append(topic)
        groups.append((KIND_TITLES[kind], sorted(letters.items()), len(of_kind) - len(topics)))
    return groups


def _timeline(corpus: Corpus, story_views: list[dict]) -> list[tuple]:
    views = {v["story"].id: v for v in story_views}
    lines = sorted(
        corpus.relations.storylines,
        key=lambda line: (views[line.stories[-1]]["story"].date or "", line.id),
        reverse=True,
    )
    return [(line, [views[s] for s in line.stories]) for line in lines]


def _publishers(corpus: Corpus) -> list[tuple[str, int, str | None, str | None, list[Article]]]:
    by_publisher: dict[str, list[Article]] = {}
    for article in corpus.articles:
        by_publisher.setdefault(article.publisher or "Unknown publisher", []).append(article)
    rows = []
    for name, articles in by_publisher.items():
        dates = sorted(d for a in articles if (d := _date(corpus, a).date))
        rows.append(
            (
                name,
                len(articles),
                dates[0] if dates else None,
                dates[-1] if dates else None,
                sorted(articles, key=lambda a: a.id),
            )
        )
    counts = Counter({row[0]: row[1] for row in rows})
    return sorted(rows, key=lambda row: (-counts[row[0]], row[0]))
