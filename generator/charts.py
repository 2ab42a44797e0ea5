"""Pictures drawn at build time as static SVG: a timeline of stories and a co-mention graph.

Written by hand because both are a few dozen shapes: a plotting library would bring a font cache,
a renderer and non-deterministic ids for what fits in a page of code. Every label is XML-escaped.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date as Date
from xml.sax.saxutils import escape

from generator.model import Article, Story, Storyline

WIDTH = 760
ROW = 34
MARGIN = 150
PALETTE = ("#3f51b5", "#e91e63", "#009688", "#ff9800", "#795548", "#607d8b", "#9c27b0", "#4caf50")


def _svg(width: int, height: int, title: str, body: list[str]) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" width="{width}" height="{height}" '
        f'role="img" aria-label="{escape(title, {chr(34): "&quot;"})}" font-family="sans-serif" font-size="12">\n'
        f"<title>{escape(title)}</title>\n"
        f'<rect width="{width}" height="{height}" rx="6" fill="#ffffff"/>\n' + "\n".join(body) + "\n</svg>\n"
    )


def _short(text: str, limit: int = 22) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def timeline_svg(storylines: Sequence[Storyline], stories: Sequence[Story], limit: int = 12) -> str:
    """One row per storyline (the most recent first), a dot per dated story, sized by its articles."""
    by_id = {s.id: s for s in stories}
    lines = [line for line in storylines if any(by_id[s].date for s in line.stories)]
    lines.sort(key=lambda line: max(by_id[s].date or "" for s in line.stories), reverse=True)
    lines = lines[:limit]
    days = [Date.fromisoformat(by_id[s].date) for line in lines for s in line.stories if by_id[s].date]
    height = 60 + ROW * max(1, len(lines))
    if not days:
        return _svg(WIDTH, height, "Timeline of stories: no dated story yet", [])
    first, last = min(days), max(days)
    span = max(1, (last - first).days)

    def x(day: Date) -> float:
        return MARGIN + (WIDTH - MARGIN - 30) * (day - first).days / span

    body = [
        f'<line x1="{MARGIN}" y1="{height - 30}" x2="{WIDTH - 30}" y2="{height - 30}" stroke="#888"/>',
        f'<text x="{MARGIN}" y="{height - 12}" fill="#555">{first.isoformat()}</text>',
        f'<text x="{WIDTH - 30}" y="{height - 12}" fill="#555" text-anchor="end">{last.isoformat()}</text>',
    ]
    for row, line in enumerate(lines):
        y = 30 + row * ROW
        colour = PALETTE[row % len(PALETTE)]
        body.append(
            f'<text x="{MARGIN - 10}" y="{y + 4}" text-anchor="end" fill="#333">{escape(_short(line.title))}</text>'
        )
        points = [(x(Date.fromisoformat(by_id[s].date)), by_id[s]) for s in line.stories if by_id[s].date]
        if len(points) > 1:
            body.append(f'<line x1="{points[0][0]:.1f}" y1="{y}" x2="{points[-1][0]:.1f}" y2="{y}" stroke="{colour}"/>')
        for cx, story in points:
            radius = 4 + 2 * math.sqrt(len(story.articles))
            body.append(
                f'<circle cx="{cx:.1f}" cy="{y}" r="{radius:.1f}" fill="{colour}" fill-opacity="0.8">'
                f"<title>{escape(story.date or '')}: {escape(story.title)}</title></circle>"
            )
    return _svg(WIDTH, height, "Timeline of stories by storyline", body)


def comention_svg(articles: Sequence[Article], limit: int = 14) -> str:
    """The most mentioned people, organisations and places on a circle, joined when named together."""
    kinds = ("person", "organization", "place")
    counts = Counter(e.name for a in articles for e in a.entities if e.kind in kinds)
    names = [name for name, _ in sorted(counts.items(), key=lambda item: (-item[1], item[0]))[:limit]]
    size = 520
    centre, radius = size / 2, size / 2 - 110
    if len(names) < 2:
        return _svg(size, 120, "Who is named together: not enough entities yet", [])
    position = {
        name: (
            centre + radius * math.cos(2 * math.pi * i / len(names)),
            centre + radius * math.sin(2 * math.pi * i / len(names)),
        )
        for i, name in enumerate(names)
    }
    pairs: Counter[tuple[str, str]] = Counter()
    for article in articles:
        present = sorted({e.name for e in article.entities} & set(names))
        pairs.update((a, b) for i, a in enumerate(present) for b in present[i + 1 :])
    strongest = max(pairs.values(), default=1)
    body = []
    for (a, b), n in sorted(pairs.items()):
        (x1, y1), (x2, y2) = position[a], position[b]
        body.append(
            f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#3f51b5" '
            f'stroke-opacity="{0.15 + 0.6 * n / strongest:.2f}" stroke-width="{1 + 3 * n / strongest:.1f}"/>'
        )
    for name in names:
        x, y = position[name]
        anchor = "start" if x >= centre else "end"
        dx = 10 if x >= centre else -10
        body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{4 + math.sqrt(counts[name]) * 2:.1f}" fill="#e91e63"/>')
        body.append(
            f'<text x="{x + dx:.1f}" y="{y + 4:.1f}" text-anchor="{anchor}" fill="#333">{escape(_short(name))}</text>'
        )
    return _svg(size, size, "Who is named together: the most mentioned names, joined when one article names both", body)
