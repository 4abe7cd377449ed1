"""The docs stay true: the indicator page is the catalogue's own rendering; commands exist."""

from __future__ import annotations

import re
from pathlib import Path

from typer.main import get_command

from barometer.catalogue import load_catalogue
from barometer.catalogue.docs import render_markdown
from barometer.cli import app

ROOT = Path(__file__).resolve().parents[2]


def test_indicator_docs_are_current():
    assert (ROOT / "docs/indicators.md").read_text() == render_markdown(load_catalogue()), (
        "regenerate with: barometer indicators --format markdown > docs/indicators.md"
    )


def test_readme_commands_exist():
    commands = set(get_command(app).commands)
    used = set(re.findall(r"^\s+barometer (\w+)", (ROOT / "README.md").read_text(), re.M))
    assert used and used <= commands, used - commands


def test_readme_first_screen_has_the_two_commands():
    first = (ROOT / "README.md").read_text().splitlines()[:30]
    assert "    make demo" in first and "    make test" in first
