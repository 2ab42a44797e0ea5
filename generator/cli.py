"""The `briefing` command: parses arguments, calls the pipeline, maps errors to exit codes.

Exit codes: 0 done, 1 the build failed (or had problems under --strict), 2 usage or configuration.
"""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from generator import __version__
from generator.config import CONFIG_FILE, load_settings
from generator.errors import BriefingError, BuildError, ConfigError
from generator.executors import EXECUTORS
from generator.pipeline import Paths, RunOptions, analyse_corpus, build
from generator.render import Corpus, article_path
from generator.text import markdown_to_plain

log = logging.getLogger("generator")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="briefing",
        description="Turn scraped news articles in seeds/ into a briefing site: Markdown in content/, HTML in site/.",
    )
    parser.add_argument("--version", action="version", version=f"briefing {__version__}")
    parser.add_argument("--project", type=Path, default=Path(), help="project folder holding mkdocs.yml (default: .)")
    parser.add_argument("--config", type=Path, help=f"settings file (default: PROJECT/{CONFIG_FILE})")
    parser.add_argument("-q", "--quiet", action="store_true", help="print only problems and the final line")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    def seeds_option(command: argparse.ArgumentParser) -> None:
        command.add_argument("--seeds", type=Path, help="folder of source articles (default: PROJECT/seeds)")

    build_parser = commands.add_parser("build", help="generate content/ from the seeds, then render site/")
    seeds_option(build_parser)
    build_parser.add_argument("--content", type=Path, help="folder for the Markdown pages (default: PROJECT/content)")
    build_parser.add_argument("--site", type=Path, help="folder for the HTML site (default: PROJECT/site)")
    build_parser.add_argument("--strict", action="store_true", help="fail (exit 1) if any seed cannot be used")
    build_parser.add_argument("--no-render", action="store_true", help="write content/ only; skip MkDocs")
    build_parser.add_argument("--no-cache", action="store_true", help="analyse every article again, ignoring .cache/")
    build_parser.add_argument(
        "--executor", choices=EXECUTORS, default="local", help="where per-article work runs (default: local cores)"
    )
    build_parser.add_argument("--scheduler", help="Dask scheduler address for --executor dask, e.g. tcp://host:8786")

    serve_parser = commands.add_parser("serve", help="preview on 127.0.0.1 with live reload; rebuilds on seed changes")
    seeds_option(serve_parser)
    serve_parser.add_argument("--port", type=int, default=8000, help="port on 127.0.0.1 (default: 8000)")
    serve_parser.add_argument("--host", default="127.0.0.1", help="address to bind (default: 127.0.0.1)")

    check_parser = commands.add_parser("check", help="read and analyse every seed, print problems, write nothing")
    seeds_option(check_parser)

    export_parser = commands.add_parser("export", help="print the analysed corpus as JSON on stdout")
    seeds_option(export_parser)

    add_parser = commands.add_parser(
        "add", help="copy files, or save web pages and feed items, into the seeds folder (uses the network)"
    )
    seeds_option(add_parser)
    add_parser.add_argument(
        "sources", nargs="+", metavar="URL|FILE", help="files or http(s) addresses of pages or feeds"
    )
    return parser.parse_args(argv)


def _paths(args: argparse.Namespace) -> Paths:
    project = args.project.resolve()
    return Paths(
        project=project,
        seeds=(getattr(args, "seeds", None) or project / "seeds").resolve(),
        content=(getattr(args, "content", None) or project / "content").resolve(),
        site=(getattr(args, "site", None) or project / "site").resolve(),
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING if args.quiet else logging.INFO, format="%(message)s", stream=sys.stderr)
    for chatty in ("trafilatura", "htmldate", "courlan", "justext", "charset_normalizer"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    try:
        settings = load_settings(args.config or args.project / CONFIG_FILE)
        paths = _paths(args)
        if not paths.seeds.is_dir() and args.command != "add":
            raise ConfigError(f"seeds folder '{paths.seeds}' does not exist")
        return COMMANDS[args.command](args, paths, settings)
    except ConfigError as error:
        print(f"briefing: configuration error:\n{error}", file=sys.stderr)
        return 2
    except BriefingError as error:
        print(f"briefing: {error}", file=sys.stderr)
        return 1


def _print_problems(problems) -> None:
    for problem in problems:
        print(f"skipped {problem.source}: {problem.reason}", file=sys.stderr)


def _build(args, paths: Paths, settings) -> int:
    options = RunOptions(
        use_cache=not args.no_cache,
        executor=args.executor,
        scheduler=args.scheduler,
        progress=not args.quiet and sys.stderr.isatty(),
    )
    try:
        report = build(paths, settings, strict=args.strict, render_html=not args.no_render, options=options)
    except BuildError as error:
        _print_problems(error.problems)
        raise
    _print_problems(report.problems)
    skipped = f", {len(report.problems)} skipped" if report.problems else ""
    print(
        f"built {report.built} articles{skipped}; {report.written} pages written, {report.removed} removed "
        f"in {report.seconds:.1f}s"
    )
    return 0


def _check(args, paths: Paths, settings) -> int:
    corpus, problems = analyse_corpus(paths, settings, RunOptions(use_cache=False))
    _print_problems(problems)
    for article in corpus.articles:
        notes = []
        if article.date.uncertain:
            notes.append(f"date uncertain ({article.date.evidence})")
        if not corpus.brief(article.id).summary:
            notes.append("no sentence fit for a summary")
        if not article.publisher:
            notes.append("publisher not found")
        if notes:
            print(f"note {article.source}: {'; '.join(notes)}")
    print(
        f"checked {len(corpus.articles) + len(problems)} items: {len(corpus.articles)} usable, {len(problems)} problems"
    )
    return 1 if problems else 0


def export_corpus(corpus: Corpus) -> dict:
    """The export contract: top-level 'articles' and 'topics' (see README)."""
    source_of = {a.id: a.source for a in corpus.articles}
    articles = []
    for article in sorted(corpus.articles, key=lambda a: a.source):
        brief = corpus.brief(article.id)
        date = corpus.relations.date_of(article.id) or article.date
        articles.append(
            {
                "source": article.source,
                "title": article.title,
                "date": date.date,
                "date_evidence": date.evidence,
                "publisher": article.publisher,
                "authors": list(article.authors),
                "contributors": list(article.contributors),
                "dateline": article.dateline,
                "body": [markdown_to_plain(p) for p in article.paragraphs],
                "captions": list(article.captions),
                "summary": brief.summary,
                "key_points": [point.text for point in brief.key_points],
                "entities": [{"name": e.name, "kind": e.kind} for e in article.entities]
                + [{"name": t.name, "kind": "theme"} for t in corpus.index.themes_of(article.id)],
                "quotes": [{"speaker": q.speaker, "text": q.text} for q in article.quotes],
                "story": corpus.relations.story_of(article.id).id,
                "versions": [source_of[i] for i in corpus.relations.versions_of(article.id)],
                "related": [
                    {"source": source_of[r.target], "score": r.score, "reason": r.reason}
                    for r in corpus.relations.related_to(article.id)
                ],
                "page": article_path(article.id),
            }
        )
    topics = [
        {"name": t.name, "kind": t.kind, "articles": sorted(source_of[i] for i in t.articles)}
        for t in corpus.index.topics
    ]
    return {"articles": articles, "topics": topics}


def _export(args, paths: Paths, settings) -> int:
    corpus, problems = analyse_corpus(paths, settings)
    _print_problems(problems)
    json.dump(export_corpus(corpus), sys.stdout, ensure_ascii=False, indent=2)
    sys.stdout.write("\n")
    return 0


def _add(args, paths: Paths, settings) -> int:
    from generator.add import add_sources

    for added in add_sources(args.sources, paths.seeds, settings.max_file_bytes):
        if added.saved is None:
            print(f"already in seeds: {added.source}")
        else:
            print(f"added {added.source} -> {added.saved.relative_to(paths.seeds).as_posix()}")
    return 0


def _serve(args, paths: Paths, settings) -> int:
    from generator.serve import serve

    return serve(paths, settings, host=args.host, port=args.port)


COMMANDS = {"build": _build, "check": _check, "export": _export, "serve": _serve, "add": _add}
