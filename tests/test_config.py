from pathlib import Path

import pytest

from generator.config import Settings, load_alias_tables, load_settings, settings_from_mapping
from generator.errors import ConfigError


def test_missing_file_means_defaults(tmp_path: Path):
    assert load_settings(tmp_path / "briefing.yml") == Settings()


def test_values_override_defaults():
    settings = settings_from_mapping({"site_title": "Desk", "key_points": 5, "boilerplate_phrases": ["promo"]})
    assert (settings.site_title, settings.key_points, settings.boilerplate_phrases) == ("Desk", 5, ("promo",))


def test_every_bad_key_is_named_at_once():
    with pytest.raises(ConfigError) as caught:
        settings_from_mapping({"key_points": 9, "max_file_bytes": "big", "boilerplate_phrases": "promo"})
    message = str(caught.value)
    assert "option 'key_points': expected 3 to 5, got 9" in message
    assert "option 'max_file_bytes': expected a whole number >= 0, got 'big'" in message
    assert "option 'boilerplate_phrases': expected a list of strings" in message


def test_unknown_key_is_warned_about(caplog):
    settings_from_mapping({"colour": "blue"})
    assert "unknown option 'colour' ignored" in caplog.text


def test_invalid_yaml_is_an_error(tmp_path: Path):
    path = tmp_path / "briefing.yml"
    path.write_text("key_points: [1,\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="not valid YAML"):
        load_settings(path)


def test_fingerprint_changes_with_options():
    assert Settings().fingerprint() != Settings(key_points=5).fingerprint()
    assert Settings().fingerprint() == Settings().fingerprint()
    assert Settings().fingerprint() == Settings(processes=2, site_title="Desk").fingerprint()


def test_alias_table_entries_may_give_a_kind(tmp_path: Path):
    (tmp_path / "aliases.yml").write_text("Acme Corporation: {kind: organization, aliases: [Acme]}\n", encoding="utf-8")
    tables = load_alias_tables(tmp_path, Settings())
    assert tables[-1] == {"Acme Corporation": {"kind": "organization", "aliases": ["Acme"]}}


def test_alias_table_kind_must_be_known(tmp_path: Path):
    (tmp_path / "aliases.yml").write_text("Acme Corporation: {kind: company}\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="kind: one of event, group, organization, person, place"):
        load_alias_tables(tmp_path, Settings())
