import markdown

from generator.markdown_syntax import UsedSyntaxOnly
from generator.render import render_site

EXTENSIONS = ["admonition", "attr_list", "tables", "toc"]


def _html(text: str, lean: bool) -> str:
    extensions = [*EXTENSIONS, UsedSyntaxOnly()] if lean else EXTENSIONS
    return markdown.Markdown(extensions=extensions).convert(text)


def test_every_page_we_write_renders_the_same_without_the_unused_syntax(seed_corpus):
    for page in render_site(seed_corpus).pages:
        if page.path.suffix == ".md":
            body = page.text.split("\n---\n", 1)[1]
            assert _html(body, lean=True) == _html(body, lean=False), page.path


def test_reference_links_autolinks_and_setext_headings_are_plain_text():
    text = "[a][r] and <https://example.org>\n\n[r]: https://example.org\n\nTitle\n====="
    lean = _html(text, lean=True)
    assert "<a" in _html(text, lean=False) and "<a" not in lean
    assert "<h1" not in lean
