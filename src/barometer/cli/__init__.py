"""The `barometer` command. Thin: each command parses options and calls one function.

Errors meant for a user (``BarometerError``: bad input, a busy store, an invalid setting) end
the command with a one-line message and exit code 2, never a traceback.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from barometer import __version__
from barometer.cli import build, demo, disclosure, goals, housing, publish, sources
from barometer.errors import BarometerError
from barometer.programme import cli as programme
from barometer.welcomehouse import cli as welcomehouse

app = typer.Typer(
    help="Integrationsbarometer: integration indicators for Danish municipalities.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

for command in (build.synth, build.validate, build.build, build.refinish, build.settings):
    app.command()(command)
for command in (publish.indicators, publish.export, publish.summary, publish.report, publish.serve):
    app.command()(command)
app.command()(demo.demo)
app.add_typer(disclosure.app, name="disclosure")
app.add_typer(goals.app, name="goals")
app.add_typer(housing.app, name="housing")
app.add_typer(sources.statbank_app, name="statbank")
app.add_typer(sources.survey_app, name="survey")
app.command("import")(sources.import_command)
programme.app.command("publish")(sources.programme_publish)
app.add_typer(programme.app, name="programme")
welcomehouse.app.command("publish")(sources.welcomehouse_publish)
app.add_typer(welcomehouse.app, name="welcomehouse")


@app.callback(invoke_without_command=True)
def _root(
    version: Annotated[bool, typer.Option("--version", help="Print the version and exit.")] = False,
) -> None:
    if version:
        print(__version__)
        raise typer.Exit()


def main() -> None:
    try:
        app()
    except BarometerError as exc:
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
