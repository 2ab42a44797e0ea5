"""The README documents every command, flag and option the code has."""

import dataclasses

import pytest

from generator.cli import parse_args
from generator.config import Settings
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("field", [f.name for f in dataclasses.fields(Settings)])
def test_every_option_is_documented(field):
    assert f"`{field}`" in README


@pytest.mark.parametrize(
    "flag", ["--seeds", "--content", "--site", "--strict", "--no-render", "--project", "--config", "--port", "--host"]
)
def test_every_flag_is_documented(flag):
    assert flag in README


@pytest.mark.parametrize("command", ["build", "serve", "check", "export", "add"])
def test_every_command_is_documented_and_parses(command):
    assert f"briefing {command}" in README
    assert parse_args([command, *(["x"] if command == "add" else [])]).command == command


def test_the_two_commands_come_first():
    first_block = README.split("```")[1]
    assert "make site" in first_block and "make test" in first_block
