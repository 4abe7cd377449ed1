"""What the case modules' commands share: the database option, dates, the engine, the password
from standard input, and the options of ``serve`` and ``audit``."""

from __future__ import annotations

import sys
from datetime import date
from typing import TYPE_CHECKING, Annotated

import typer

from barometer.errors import BarometerError, InputError

if TYPE_CHECKING:
    from sqlalchemy import Engine

HostOption = Annotated[str, typer.Option(help="Address to listen on.")]
DemoOption = Annotated[
    bool, typer.Option("--demo", help="Offer the demo login (a synthetic database only).")
]
InsecureCookiesOption = Annotated[
    bool,
    typer.Option(
        "--insecure-cookies", help="Session cookies without Secure (plain-HTTP testing only)."
    ),
]
PasswordStdinOption = Annotated[
    bool, typer.Option("--password-stdin", help="Read the password from standard input.")
]
DisplayNameOption = Annotated[str | None, typer.Option(help="Name shown in the app.")]
WithStaffOption = Annotated[
    bool, typer.Option("--with-staff", help="Include staff usernames (only when needed).")
]


def db_option(env: str, note: str = ""):
    """The ``--db`` option, read from ``$env`` when not given; ``note`` follows "Database"."""
    return Annotated[
        str | None,
        typer.Option(
            "--db",
            envvar=env,
            help=f"Database{note}: a SQLite file path or sqlite:///file, or "
            f"postgresql://user@host/db (default: ${env}).",
        ),
    ]


def parse_date(text: str | None, option: str) -> date | None:
    """An ISO date given to ``option``; None when the option was left out."""
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise InputError(f"{option}: not a date (YYYY-MM-DD)") from None


def open_engine(
    db: str | None, env: str, *, create: bool = False, behind: str | None = None
) -> Engine:
    """The database's engine, migrated first (``create``) or checked to be up to date; a
    database that is not raises the platform's message, or ``behind`` when given."""
    from barometer.casework import db as dbm  # lazily: ``barometer --help`` loads no database

    if not db:
        raise BarometerError(f"give --db URL or set {env}")
    engine = dbm.create_db_engine(db)
    if create:
        dbm.upgrade_database(engine)
        return engine
    try:
        dbm.check_current(engine)
    except dbm.DatabaseError:
        if behind is None:
            raise
        raise dbm.DatabaseError(behind) from None
    return engine


def read_password(password_stdin: bool) -> str:
    """The password from standard input, never from the command line."""
    if not password_stdin:
        raise BarometerError("give --password-stdin and the password on standard input")
    return sys.stdin.readline().rstrip("\r\n")
