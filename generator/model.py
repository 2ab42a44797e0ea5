"""The data passed between stages: frozen dataclasses, tuples for sequences.

Types tell where an article is in the pipeline: RawArticle -> CleanArticle -> Article -> Brief.
Corpus stages return separate objects keyed by article id and never write back into an article.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePosixPath

ENTITY_KINDS = ("person", "organization", "place", "group", "event", "theme")


@dataclass(frozen=True, slots=True)
class Problem:
    """Something wrong with one input, reported by name; the build goes on without it."""

    source: str
    """Path of the seed relative to the seeds folder."""
    reason: str
    """One line saying what is wrong."""


@dataclass(frozen=True, slots=True)
class RawArticle:
    """One article as read from a seed, decoded to text but otherwise untouched."""

    source: str
    """Seed path relative to the seeds folder; items of a feed or JSON Lines file add '#n'."""
    kind: str
    """'text', 'markdown' or 'html': how `text` is to be cleaned."""
    text: str
    """The decoded article (HTML source for 'html')."""
    meta: tuple[tuple[str, str], ...] = ()
    """Fields the source states outright (front matter, JSON Lines, feed items): they win."""
    digest: str = field(default="", compare=False)
    """blake2b of the source bytes of this item: the cache key of everything derived from it."""


@dataclass(frozen=True, slots=True)
class Block:
    """One line of a source with the role the cleaner gave it."""

    role: str
    """headline, dek, body, subheading, caption, credit, byline, contributors, editor_note,
    dateline_date (a site header date), copyright, boilerplate."""
    text: str


@dataclass(frozen=True, slots=True)
class CleanArticle:
    """The article text separated from everything around it."""

    source: str
    headline: str | None
    dek: str | None
    paragraphs: tuple[str, ...]
    """Article paragraphs in order, as Markdown (inline emphasis kept, entities decoded)."""
    captions: tuple[str, ...]
    """Photo captions as plain text, credits removed."""
    blocks: tuple[Block, ...]
    """Every non-empty line with its role, so later stages can mine metadata from the rest."""
    meta: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class Entity:
    name: str
    """Canonical name ('Vladimir Putin', never 'Putin' or 'Russian President Vladimir Putin')."""
    kind: str
    """One of ENTITY_KINDS."""


@dataclass(frozen=True, slots=True)
class Mention:
    """Where an entity is first named in a paragraph."""

    name: str
    paragraph: int
    surface: str
    """The words as written in the paragraph."""
    sentence: str


@dataclass(frozen=True, slots=True)
class Quote:
    speaker: str | None
    """Canonical entity name, or None when the text names no clear speaker."""
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class Sentence:
    text: str
    paragraph: int


@dataclass(frozen=True, slots=True)
class DateEvidence:
    date: str | None
    """ISO date (YYYY-MM-DD) or None."""
    evidence: str
    """Where the date came from, in words a reader understands."""
    uncertain: bool = False


@dataclass(frozen=True, slots=True)
class Article:
    """A cleaned article with who, where, when and who-said-what."""

    id: str
    """Stable slug of the source path; names the page."""
    source: str
    title: str
    dek: str | None
    date: DateEvidence
    capture_date: str | None
    """A site header date: when the page was captured, not when the story was written."""
    publisher: str | None
    authors: tuple[str, ...]
    contributors: tuple[str, ...]
    dateline: str | None
    developing: bool
    """The source says it is a developing story, so a later version is expected."""
    paragraphs: tuple[str, ...]
    captions: tuple[str, ...]
    sentences: tuple[Sentence, ...]
    entities: tuple[Entity, ...]
    """Canonical entities, most mentioned first."""
    mentions: tuple[Mention, ...]
    quotes: tuple[Quote, ...]
    url: str | None = None
    digest: str = field(default="", compare=False)


@dataclass(frozen=True, slots=True)
class KeyPoint:
    text: str
    paragraph: int
    """Index of the paragraph it was taken from, for the anchor on the article page."""
    speaker: str | None = None
    """Who says the quotation the point opens with, when the sentence itself does not name them."""


@dataclass(frozen=True, slots=True)
class Brief:
    """The summary of one article: every line is a sentence of the article; the summary may be its main clause."""

    summary: str
    key_points: tuple[KeyPoint, ...]


@dataclass(frozen=True, slots=True)
class StoryFact:
    """One sentence of a story's briefing, with every article that says it."""

    text: str
    articles: tuple[str, ...]
    """Article ids, the one the sentence is quoted from first."""


@dataclass(frozen=True, slots=True)
class Related:
    target: str
    """Article id."""
    score: float
    reason: str


@dataclass(frozen=True, slots=True)
class Story:
    """Articles about one event; versions of one article are kept together."""

    id: str
    title: str
    articles: tuple[str, ...]
    """Article ids, earliest first."""
    versions: tuple[tuple[str, ...], ...]
    """Groups of article ids that are versions of one article, earliest version first."""
    date: str | None
    storyline: str


@dataclass(frozen=True, slots=True)
class Storyline:
    """Stories about one ongoing subject, in time order."""

    id: str
    title: str
    stories: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ArticleFeatures:
    """What the relate stage needs of one article's text, worked out once per article so it can be cached."""

    signature: tuple[int, ...]
    """MinHash of the word shingles, for the version search."""
    shingles: int
    word_columns: tuple[int, ...]
    """Hashed words and word pairs (sorted columns) and how often each occurs."""
    word_counts: tuple[int, ...]
    fact_columns: tuple[int, ...]
    """Hashed numbers, days and weekdays (sorted columns) and how often each occurs."""
    fact_counts: tuple[int, ...]


@dataclass(frozen=True, slots=True)
class ThemeTerms:
    """Every word and word pair of an article that could be one of its themes, and how often it says it."""

    terms: tuple[str, ...]
    """Sorted."""
    counts: tuple[int, ...]


@dataclass(frozen=True)
class Relations:
    """Not slotted: the lookups below are built once, on first use, then kept."""

    stories: tuple[Story, ...]
    storylines: tuple[Storyline, ...]
    related: tuple[tuple[str, tuple[Related, ...]], ...]
    """Article id -> related articles, best first."""
    dates: tuple[tuple[str, DateEvidence], ...] = ()
    """Article id -> its date, shared between versions of one article."""

    def date_of(self, article_id: str) -> DateEvidence | None:
        return self._dates_by_id.get(article_id)

    @cached_property
    def _related_by_id(self) -> dict[str, tuple[Related, ...]]:
        return dict(self.related)

    @cached_property
    def _story_by_id(self) -> dict[str, Story]:
        return {article_id: story for story in self.stories for article_id in story.articles}

    @cached_property
    def _version_group_by_id(self) -> dict[str, tuple[str, ...]]:
        return {article_id: group for story in self.stories for group in story.versions for article_id in group}

    @cached_property
    def _dates_by_id(self) -> dict[str, DateEvidence]:
        return dict(self.dates)

    @cached_property
    def story_by_id(self) -> dict[str, Story]:
        return {story.id: story for story in self.stories}

    @cached_property
    def _storylines_by_id(self) -> dict[str, Storyline]:
        return {line.id: line for line in self.storylines}

    def storyline(self, storyline_id: str) -> Storyline:
        return self._storylines_by_id[storyline_id]

    def related_to(self, article_id: str) -> tuple[Related, ...]:
        return self._related_by_id.get(article_id, ())

    def story_of(self, article_id: str) -> Story:
        return self._story_by_id[article_id]

    def versions_of(self, article_id: str) -> tuple[str, ...]:
        """The other versions of the article, earliest first; built on each call, as few callers need them."""
        return tuple(other for other in self._version_group_by_id.get(article_id, ()) if other != article_id)


@dataclass(frozen=True, slots=True)
class Backlink:
    article: str
    sentence: str


@dataclass(frozen=True, slots=True)
class Topic:
    name: str
    kind: str
    slug: str
    articles: tuple[str, ...]
    """Article ids, newest first."""
    backlinks: tuple[Backlink, ...]
    """Where each article names it; like `co_mentioned`, kept for topics with a page only (where they are shown)."""
    co_mentioned: tuple[str, ...]
    quotes: tuple[Quote, ...]
    first_seen: str | None
    last_seen: str | None
    has_page: bool


@dataclass(frozen=True)
class TopicIndex:
    """Not slotted: the lookup below is built once, on first use, then kept."""

    topics: tuple[Topic, ...]

    @cached_property
    def _pages(self) -> dict[str, Topic]:
        pages: dict[str, Topic] = {}
        for topic in self.topics:
            if topic.has_page:
                pages.setdefault(topic.name, topic)
        return pages

    def page_of(self, name: str) -> Topic | None:
        return self._pages.get(name)

    @cached_property
    def _themes(self) -> dict[str, tuple[Topic, ...]]:
        found: dict[str, list[Topic]] = {}
        for topic in self.topics:
            if topic.kind == "theme":
                for article_id in topic.articles:
                    found.setdefault(article_id, []).append(topic)
        return {article_id: tuple(topics) for article_id, topics in found.items()}

    def themes_of(self, article_id: str) -> tuple[Topic, ...]:
        """The article's themes, in name order."""
        return tuple(sorted(self._themes.get(article_id, ()), key=lambda t: t.name))


@dataclass(frozen=True, slots=True)
class OutputFile:
    path: PurePosixPath
    """Relative to the content folder; never absolute, never with '..'."""
    text: str


@dataclass(frozen=True, slots=True)
class BuildReport:
    built: int
    problems: tuple[Problem, ...]
    written: int
    removed: int
    seconds: float
