"""A corpus of hostile seeds: what a scraper can bring back, and what each must become.

Each case is a file name, its bytes, and the expected outcome: "build" (the article gets a page,
its text shown literally) or "skip" (reported by name with a reason). The files are made here, not
stored, because several are megabytes of nothing.
"""

from __future__ import annotations

import base64
import gzip
import json
import random
from dataclasses import dataclass
from pathlib import Path

PAYLOAD = "window.__pwned = (window.__pwned || 0) + 1"
"""What every hostile script tries to run; the browser test counts how often it did."""

ARTICLE = (
    "The city council voted on Monday to close the old river bridge after engineers found cracks.\n\n"
    "Repairs are expected to take at least six months, the council said in a statement on Tuesday.\n\n"
    "“We had no choice,” said Mayor Ana Lopez, adding that safety came first.\n"
)


@dataclass(frozen=True)
class Case:
    name: str
    data: bytes
    expect: str
    """'build' or 'skip'."""
    what: str


def _text(name: str, body: str, what: str, expect: str = "build", encoding: str = "utf-8") -> Case:
    return Case(name, body.encode(encoding), expect, what)


def _html(title: str, inner: str) -> str:
    return (
        f"<!doctype html><html><head><title>{title}</title><script>{PAYLOAD}</script></head>"
        f'<body onload="{PAYLOAD}"><nav>Home | World</nav><article><h1>{title}</h1>{inner}'
        "<p>The city council voted on Monday to close the old river bridge after engineers found cracks in it.</p>"
        "<p>Repairs are expected to take at least six months, the council said in a statement on Tuesday.</p>"
        "</article><footer>Subscribe to our newsletter</footer></body></html>"
    )


def cases() -> list[Case]:
    rng = random.Random(20241122)
    blob = base64.b64encode(rng.randbytes(750_000)).decode("ascii")
    many = "\n\n".join(f"Paragraph {n} of the long report says the council met again." for n in range(10_000))
    deep = "<div>" * 5000 + "<p>The council voted on Monday to close the bridge after engineers found cracks.</p>"
    deep += "</div>" * 5000
    feed = (
        "<?xml version='1.0'?><rss version='2.0'><channel><title>Hostile Feed</title>"
        "<item><title>Feed item &lt;script&gt;alert(1)&lt;/script&gt;</title><link>javascript:alert(1)</link>"
        f'<description><![CDATA[<p onclick="{PAYLOAD}">The council voted on Monday to close the old bridge '
        'after engineers found cracks.</p><script>alert(1)</script><a href="javascript:alert(1)">more</a>'
        "<p>Repairs will take six months, the council said in a statement on Tuesday.</p>]]></description>"
        "</item></channel></rss>"
    )
    titles = [
        {"title": "../../../etc/passwd", "text": ARTICLE},
        {"title": "/etc/passwd", "text": ARTICLE.replace("Monday", "Friday")},
        {"title": "C:\\Windows\\system32\\con", "text": ARTICLE.replace("Monday", "Sunday")},
        {"title": "Title with a NUL \u0000 inside", "text": ARTICLE.replace("Monday", "Thursday")},
    ]
    return [
        _text(
            "script-in-text.txt",
            f"Bridge closes <script>{PAYLOAD}</script>\n\n{ARTICLE}\n"
            f'Witnesses saw <img src=x onerror="{PAYLOAD}"> and <b onmouseover="{PAYLOAD}">bold</b> text.\n',
            "<script> and event handlers in scraped text",
        ),
        _text(
            "script-in-page.html",
            _html(
                "Bridge page",
                f'<p onclick="{PAYLOAD}">Click me, said the page.</p>'
                f'<script>{PAYLOAD}</script><img src="x" onerror="{PAYLOAD}">',
            ),
            "<script> and event handlers in HTML",
        ),
        _text(
            "links.md",
            "# Links everywhere\n\n" + ARTICLE + "\n"
            "See [the report](javascript:window.__pwned=1) and [this](vbscript:msgbox(1)) "
            "and ![a picture](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==) "
            'and <a href="javascript:alert(1)">here</a> and <http://evil.example/track.png>.\n',
            "javascript:, vbscript: and data: links and images in Markdown",
        ),
        _text(
            "links.html",
            _html(
                "Links page",
                '<p><a href="javascript:alert(1)">a link</a> '
                '<img src="data:image/svg+xml;base64,PHN2ZyBvbmxvYWQ9YWxlcnQoMSk+"> '
                '<img src="http://evil.example/pixel.png"> <a href="vbscript:msgbox(1)">vb</a></p>',
            ),
            "javascript:, vbscript: and data: links and images in HTML",
        ),
        _text(
            "raw-html-block.md",
            '# Raw HTML\n\n<div onmouseover="alert(1)">\n<script>alert(1)</script>\n'
            '<iframe src="http://evil.example/"></iframe>\n</div>\n\n' + ARTICLE,
            "raw HTML blocks in Markdown",
        ),
        _text(
            "jinja-text.txt",
            "{{ 7*7 }} headline {% include 'secrets.txt' %}\n\n"
            + ARTICLE
            + "\n\nThe budget was {{ config.secret }} and {% for x in range(9) %}{{ x }}{% endfor %} dollars.\n",
            "Jinja2 syntax in text and titles",
        ),
        _text(
            "jinja-title.md",
            '---\ntitle: "{{ lipsum.__globals__ }} {% debug %}"\n---\n' + ARTICLE,
            "Jinja2 syntax in a front-matter title",
        ),
        _text(
            "fence-in-text.txt",
            "Fences inside\n\n" + ARTICLE + "\n---\ntitle: injected\ntags: [x]\n---\n\n"
            "The council said more --- and then --- some.\n",
            "a YAML front-matter fence inside text",
        ),
        _text(
            "fence-title.jsonl",
            json.dumps({"title": "Break\n---\ntitle: owned\n---", "text": ARTICLE}) + "\n",
            "a fence and newlines inside a title",
        ),
        _text("CON.txt", "Reserved name\n\n" + ARTICLE.replace("old", "older"), "a reserved file name (CON)"),
        _text(
            "nul.md", "# Another reserved name\n\n" + ARTICLE.replace("old", "ancient"), "a reserved file name (nul)"
        ),
        _text("a..b...txt", "Dots\n\n" + ARTICLE.replace("river", "canal"), "a file name full of dots"),
        _text(
            "ünïcødé 名前 ; rm -rf.txt",
            "Unicode name\n\n" + ARTICLE.replace("river", "stream"),
            "a file name with spaces, shell characters and non-ASCII",
        ),
        _text(
            "path-titles.jsonl",
            "\n".join(json.dumps(t) for t in titles) + "\n",
            "titles with ../, absolute paths, a reserved name and NUL",
        ),
        _text("long-line.txt", "A page with a blob\n\n" + ARTICLE + "\n" + blob + "\n", "a 1 MB line"),
        _text("many-paragraphs.txt", "Ten thousand paragraphs\n\n" + many + "\n", "10,000 paragraphs"),
        _text("deep-nesting.html", f"<html><body>{deep}</body></html>", "HTML nested 5,000 levels deep", "skip"),
        Case(
            "invalid-utf8.txt",
            ("Broken bytes\n\n" + ARTICLE).encode() + b"\n\nBad \xc3\x28 and \xff bytes here.\n",
            "build",
            "invalid UTF-8",
        ),
        _text("utf16.txt", "UTF-16 text\n\n" + ARTICLE, "UTF-16 with a byte-order mark", encoding="utf-16"),
        _text(
            "utf16-nobom.txt",
            "UTF-16 without a mark\n\n" + ARTICLE.replace("bridge", "tunnel"),
            "UTF-16 without a byte-order mark",
            encoding="utf-16-le",
        ),
        _text(
            "bidi.txt",
            "Bidi \u202egnp.exe\u202c and Z\u0351\u0352a\u0353\u0354lgo 🎉\n\n"
            + ARTICLE.replace("Monday", "Saturday")
            + "\n\nThe file \u202etxt.exe\u202c was named Z\u0300\u0301\u0302a\u0303\u0304 and 👩‍👩‍👧 cheered.\n",
            "right-to-left overrides, combining characters and emoji",
        ),
        _text("same-title-1.txt", "Same title\n\n" + ARTICLE, "two articles with the same title (1)"),
        _text(
            "same-title-2.txt",
            "Same title\n\nA different story entirely: the orchestra announced its spring "
            "programme on Thursday evening.\n\nTickets sold out within an hour, the box office said.\n",
            "two articles with the same title (2)",
        ),
        _text(
            "only-boilerplate.txt",
            "Home | News | Sport\n\nSubscribe to our newsletter\n\nRelated Content\n\n"
            "Leave a Reply\n\nYour email address will not be published.\n\n© 2024 Example News\n",
            "a file that is only boilerplate",
            "skip",
        ),
        Case("empty.txt", b"", "skip", "an empty file"),
        Case("binary.txt", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(2000), "skip", "a binary file"),
        Case("bomb.html.gz", gzip.compress(b"<p>" + b"a" * 6_000_000 + b"</p>"), "skip", "a gzip bomb"),
        Case("huge.txt", b"word " * 1_100_000, "skip", "a file over the size limit"),
        _text("hostile.rss", feed, "a feed item with script and javascript: links"),
    ]


def browser_check(site: Path) -> dict[str, int]:
    """Open every page of a built site in headless Chromium and count what a source made happen.

    Returns pages opened, scripts from a source that ran (the payload's counter, dialogs) and
    requests that left 127.0.0.1. Needs Debian's Chromium and Playwright.
    """
    import http.server
    import threading
    from functools import partial

    from playwright.sync_api import sync_playwright

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

    handler = partial(Quiet, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{server.server_address[1]}/"
    counts = {"pages": 0, "scripts_run": 0, "outside_requests": 0}
    args = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-sync"]
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", headless=True, args=args)
            page = browser.new_page()
            page.on(
                "dialog",
                lambda dialog: (counts.__setitem__("scripts_run", counts["scripts_run"] + 1), dialog.dismiss()),
            )
            page.on(
                "request",
                lambda request: (
                    counts.__setitem__("outside_requests", counts["outside_requests"] + 1)
                    if not request.url.startswith((base, "data:", "blob:", "about:"))
                    else None
                ),
            )
            for file in sorted(site.rglob("index.html")):
                page.goto(base + file.parent.relative_to(site).as_posix() + "/", wait_until="load")
                page.mouse.move(200, 300)
                page.mouse.click(5, 5)
                counts["scripts_run"] += page.evaluate("() => window.__pwned || 0")
                counts["pages"] += 1
            browser.close()
    finally:
        server.shutdown()
    return counts


def _unique(case: Case) -> Case:
    """Every article says which case it is, so no two are the same text (that case is tested apart)."""
    if case.expect != "build" or case.name.startswith("same-title-2"):
        return case
    marker = f"Case {case.name.split('.')[0]} was reported on Monday."
    encoding = "utf-16" if case.name == "utf16.txt" else "utf-16-le" if case.name == "utf16-nobom.txt" else "utf-8"
    text = case.data.decode(encoding, errors="surrogateescape")
    for anchor in ("Repairs are expected", "Repairs will take"):
        text = text.replace(anchor, f"{marker} {anchor}")
    return Case(case.name, text.encode(encoding, errors="surrogateescape"), case.expect, case.what)


def write_corpus(folder: Path) -> list[Case]:
    folder.mkdir(parents=True, exist_ok=True)
    corpus = [_unique(case) for case in cases()]
    for case in corpus:
        (folder / case.name).write_bytes(case.data)
    return corpus
