"""`briefing serve`: MkDocs' live-reload preview, plus a watcher that regenerates content/ when seeds change."""

from __future__ import annotations

import logging
import threading

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from generator.config import Settings
from generator.errors import BriefingError
from generator.pipeline import Paths, build
from generator.write import mkdocs_options

log = logging.getLogger(__name__)

DEBOUNCE_SECONDS = 0.5


class _Regenerate(FileSystemEventHandler):
    """Rebuild content/ after seed changes settle; MkDocs sees the changed pages and reloads the browser."""

    def __init__(self, paths: Paths, settings: Settings) -> None:
        self.paths = paths
        self.settings = settings
        self.timer: threading.Timer | None = None
        self.lock = threading.Lock()

    def on_any_event(self, event: FileSystemEvent) -> None:
        if event.event_type in ("opened", "closed_no_write"):
            return
        with self.lock:
            if self.timer:
                self.timer.cancel()
            self.timer = threading.Timer(DEBOUNCE_SECONDS, self.regenerate)
            self.timer.daemon = True
            self.timer.start()

    def regenerate(self) -> None:
        try:
            report = build(self.paths, self.settings, render_html=False)
        except BriefingError as error:
            log.error("briefing: %s", error)
            return
        log.info("seeds changed: %d articles, %d pages rewritten", report.built, report.written)


def serve(paths: Paths, settings: Settings, host: str = "127.0.0.1", port: int = 8000) -> int:
    """Generate once, then serve with live reload until interrupted."""
    from mkdocs.commands.serve import serve as mkdocs_serve

    build(paths, settings, render_html=False)
    observer = Observer()
    observer.schedule(_Regenerate(paths, settings), str(paths.seeds), recursive=True)
    observer.start()
    try:
        options = mkdocs_options(paths.mkdocs_config, paths.content)
        mkdocs_serve(str(paths.mkdocs_config), dev_addr=f"{host}:{port}", livereload=True, **options)
    except KeyboardInterrupt:
        pass
    finally:
        observer.stop()
        observer.join()
    return 0
