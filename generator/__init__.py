"""briefing: turn scraped news articles into a clean, browsable briefing site."""

__version__ = "0.1.0"
