"""A Python-Markdown extension that drops the syntax our pages never use, so MkDocs renders them faster.

Python-Markdown tries every inline pattern on every run of text and every block processor on every
block; on pages made of short list items that is most of the render time. The templates write only
inline links, images, emphasis, code spans, inline HTML and entities, and source text cannot add
more syntax (`text.md_escape` escapes brackets, angle brackets and line-start markers). So
reference links, autolinks, hard line breaks and underlined (setext) headings are never used, and
without them the same pages give the same HTML.
"""

from __future__ import annotations

from markdown import Markdown
from markdown.extensions import Extension

UNUSED_INLINE = (
    "reference",
    "image_reference",
    "short_reference",
    "short_image_ref",
    "autolink",
    "automail",
    "linebreak",
)
UNUSED_BLOCK = ("reference", "setextheader")


class UsedSyntaxOnly(Extension):
    """Deregister the inline patterns and block processors named above."""

    def extendMarkdown(self, md: Markdown) -> None:
        for name in UNUSED_INLINE:
            if name in md.inlinePatterns:
                md.inlinePatterns.deregister(name)
        for name in UNUSED_BLOCK:
            if name in md.parser.blockprocessors:
                md.parser.blockprocessors.deregister(name)


def makeExtension(**kwargs) -> UsedSyntaxOnly:
    return UsedSyntaxOnly(**kwargs)
