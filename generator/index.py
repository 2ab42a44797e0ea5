"""Stage 6, index: articles + relations -> TopicIndex (people, organisations, places, groups, events)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from generator.model import Article, Backlink, Quote, Relations, Topic, TopicIndex
from generator.text import slugify

KIND_FOLDERS = {
    "person": "people",
    "organization": "organizations",
    "place": "places",
    "group": "groups",
    "event": "events",
    "theme": "themes",
}


PAGES_PER_ARTICLE = 0.5
"""Topic pages per article at most, so the site stays within about twice as many pages as articles."""
MIN_PAGE_BUDGET = 50
"""A small corpus still gets this many topic pages."""


def build_topic_index(articles: Sequence[Article], relations: Relations, min_articles: int = 2) -> TopicIndex:
    """One topic per canonical entity; those named in at least `min_articles` articles get a page."""
    dates = {a.id: (relations.date_of(a.id) or a.date).date for a in articles}
    newest_first = sorted(articles, key=lambda a: (dates[a.id] or "", a.id), reverse=True)
    members: dict[tuple[str, str], list[Article]] = {}
    for article in newest_first:
        for entity in article.entities:
            members.setdefault((entity.name, entity.kind), []).append(article)
    co_mentions: dict[str, Counter[str]] = {}
    for article in articles:
        names = [e.name for e in article.entities]
        for name in names:
            # Entities come most mentioned first: being named often in the same article weighs more.
            weights = {other: 1.0 / (1 + rank) for rank, other in enumerate(names) if other != name}
            co_mentions.setdefault(name, Counter()).update(weights)
    # The most named entities get pages, never more than half as many as there are articles.
    ranked = sorted(members, key=lambda key: (-len(members[key]), key[1], key[0]))
    with_page = set(ranked[: max(MIN_PAGE_BUDGET, int(len(articles) * PAGES_PER_ARTICLE))])
    used_slugs: set[str] = set()
    topics = []
    for (name, kind), found in sorted(members.items(), key=lambda item: (item[0][1], item[0][0].lower(), item[0][0])):
        slug = _unique_slug(f"{KIND_FOLDERS[kind]}/{slugify(name)}", used_slugs)
        seen = sorted(d for a in found if (d := dates[a.id]))
        topics.append(
            Topic(
                name=name,
                kind=kind,
                slug=slug,
                articles=tuple(a.id for a in found),
                backlinks=tuple(_backlinks(name, found)),
                co_mentioned=tuple(
                    other for other, _ in sorted(co_mentions[name].items(), key=lambda x: (-x[1], x[0]))[:6]
                ),
                quotes=tuple(_quotes_by(name, found)),
                first_seen=seen[0] if seen else None,
                last_seen=seen[-1] if seen else None,
                has_page=len(found) >= min_articles and (name, kind) in with_page,
            )
        )
    return TopicIndex(tuple(topics))


def _unique_slug(slug: str, used: set[str]) -> str:
    candidate, number = slug, 2
    while candidate in used:
        candidate = f"{slug}-{number}"
        number += 1
    used.add(candidate)
    return candidate


def _backlinks(name: str, articles: list[Article]) -> list[Backlink]:
    return [
        Backlink(article.id, mention.sentence)
        for article in articles
        for mention in article.mentions
        if mention.name == name
    ]


def _quotes_by(name: str, articles: list[Article]) -> list[Quote]:
    return [quote for article in articles for quote in article.quotes if quote.speaker == name]
