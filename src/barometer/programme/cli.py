"""`barometer programme …`: the refugee programme module's commands (docs/programme.md)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from barometer.casework.cliopts import (
    DemoOption,
    DisplayNameOption,
    HostOption,
    InsecureCookiesOption,
    PasswordStdinOption,
    WithStaffOption,
    db_option,
    open_engine,
    read_password,
)
from barometer.casework.cliopts import parse_date as _date
from barometer.errors import InputError

app = typer.Typer(
    help="Københavnermodellen: the refugee programme module (case database, web, KPIs).",
    no_args_is_help=True,
)
user_app = typer.Typer(help="Users of the programme module.", no_args_is_help=True)
app.add_typer(user_app, name="user")
console = Console(stderr=True)

DB_ENV = "BAROMETER_PROGRAMME_DB"
DbOption = db_option(DB_ENV)
KeyOption = Annotated[
    Path | None,
    typer.Option(
        "--key-file",
        help="The CPR key file (default: $BAROMETER_PROGRAMME_KEY_FILE or "
        "$BAROMETER_PROGRAMME_KEY).",
    ),
]


def _engine(db: str | None, *, create: bool = False):
    from barometer.programme import models, roles  # noqa: F401 (tables and roles)

    return open_engine(db, DB_ENV, create=create)


@app.command()
def deadlines(
    placement_date: Annotated[str, typer.Option(help="The placement decision, YYYY-MM-DD.")],
    takeover_date: Annotated[
        str | None, typer.Option(help="An agreed earlier takeover date (T0).")
    ] = None,
    arrival_date: Annotated[
        str | None, typer.Option(help="Arrival in the municipality (else T0 is used).")
    ] = None,
    fmt: Annotated[str, typer.Option("--format", help="json or table")] = "table",
) -> None:
    """T0 and the first statutory deadlines for a placement (integrationsloven)."""
    from barometer.programme.deadlines import statutory_dates

    dates = statutory_dates(
        _date(placement_date, "--placement-date"),
        _date(takeover_date, "--takeover-date"),
        _date(arrival_date, "--arrival-date"),
    )
    if fmt == "json":
        print(json.dumps({k: v.isoformat() for k, v in dates.items()}, indent=2))
    elif fmt == "table":
        for k, v in dates.items():
            print(f"{k:<26} {v.isoformat()}")
    else:
        raise typer.BadParameter("json or table", param_hint="--format")


@app.command()
def migrate(db: DbOption = None) -> None:
    """Create the database's tables, or bring them up to this version."""
    _engine(db, create=True)
    console.print("[green]The database is up to date.[/]")


@app.command("import")
def import_(
    folder: Annotated[Path, typer.Argument(help="Folder with persons.csv and episodes.csv.")],
    db: DbOption = None,
    key_file: KeyOption = None,
    municipality: Annotated[
        str, typer.Option(help="Municipality code of persons without municipality_code.")
    ] = "101",
) -> None:
    """Import persons and episodes (the exchange format); all or nothing."""
    from barometer.casework.crypto import load_vault
    from barometer.programme.importer import import_directory

    vault = load_vault(key_file)
    res = import_directory(_engine(db, create=True), folder, vault, municipality=municipality)
    console.print(
        f"[green]Imported[/] {res.persons} persons, {res.episodes} episodes, "
        f"{res.responsibilities} responsibilities, {res.waivers} waivers"
    )


@app.command()
def kpis(
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    db: DbOption = None,
    as_of: Annotated[str | None, typer.Option(help="Data date (default: today).")] = None,
    municipality: Annotated[str, typer.Option(help="Municipality code.")] = "101",
) -> None:
    """Write the internal KPIs K1-K16 (kpi_id, cohort_year, sex, numerator, denominator, value)."""
    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.casework.db import make_sessionmaker
    from barometer.programme.kpis import KpiParams, compute_kpis
    from barometer.programme.records import load_records

    engine = _engine(db)
    with make_sessionmaker(engine)() as session:
        frame = compute_kpis(
            load_records(session),
            KpiParams(as_of=_date(as_of, "--as-of") or date.today(), municipality=municipality),
        )
        access_log.record(
            session, cli_actor(), "export", record_type="kpis", purpose="internal KPI figures"
        )
        session.commit()
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, lineterminator="\n")
    console.print(f"[green]Wrote[/] {len(frame)} rows to {out}")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The username.")],
    role: Annotated[str, typer.Option(help="caseworker, team_leader, analyst, auditor, …")],
    password_stdin: PasswordStdinOption = False,
    team: Annotated[
        str | None, typer.Option(help="Team (the scope of caseworkers and team leaders).")
    ] = None,
    display_name: DisplayNameOption = None,
    db: DbOption = None,
) -> None:
    """Add a user; the password comes from standard input, never from the command line."""
    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.casework.auth import create_user
    from barometer.casework.db import make_sessionmaker

    password = read_password(password_stdin)
    engine = _engine(db, create=True)
    with make_sessionmaker(engine)() as session:
        user = create_user(session, name, password, role, team=team, display_name=display_name)
        access_log.record(session, cli_actor(), "create", record_type="user", record_id=user.id)
        session.commit()
    console.print(f"[green]Added[/] {name} ({role})")


@app.command()
def serve(
    db: DbOption = None,
    key_file: KeyOption = None,
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8010,
    demo: DemoOption = False,
    insecure_cookies: InsecureCookiesOption = False,
) -> None:
    """Serve the web app and the JSON API under /programme (login at /programme/login)."""
    import uvicorn

    from barometer.casework.crypto import load_vault
    from barometer.programme.web.app import ProgrammeSettings, create_standalone_app

    engine = _engine(db)
    vault = load_vault(key_file) if key_file or not demo else _optional_vault()
    app_ = create_standalone_app(
        engine,
        settings=ProgrammeSettings(demo=demo, secure_cookies=not insecure_cookies),
        vault=vault,
    )
    console.print(f"Serving the programme module on http://{host}:{port}/programme/")
    uvicorn.run(app_, host=host, port=port, log_level="warning", access_log=False)


def _optional_vault():
    from barometer.casework.crypto import CprKeyError, load_vault

    try:
        return load_vault(None)
    except CprKeyError:
        return None


@app.command()
def audit(
    person: Annotated[str, typer.Option(help="The person's id (person_id of the import).")],
    db: DbOption = None,
    fmt: Annotated[str, typer.Option("--format", help="json")] = "json",
    with_staff: WithStaffOption = False,
) -> None:
    """The per-citizen extract of the access log: dates, actions and purposes."""
    from sqlalchemy import select

    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.casework.db import make_sessionmaker
    from barometer.programme.models import Person

    if fmt != "json":
        raise typer.BadParameter("json", param_hint="--format")
    engine = _engine(db)
    with make_sessionmaker(engine)() as session:
        pid = session.scalar(select(Person.id).where(Person.person_ref == person))
        if pid is None:
            raise InputError("no such person_id in the database")
        events = access_log.extract_for_subject(session, pid, with_staff=with_staff)
        access_log.record(
            session,
            cli_actor(),
            "export",
            record_type="person",
            record_id=pid,
            subject_id=pid,
            purpose="the citizen's access-log extract",
        )
        session.commit()
    print(json.dumps({"person_id": person, "events": events}, indent=2, ensure_ascii=False))


@app.command()
def synth(
    db: DbOption = None,
    key_file: KeyOption = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    scale: Annotated[float, typer.Option(help="Share of the Copenhagen-shaped arrivals.")] = 1.0,
    as_of: Annotated[str | None, typer.Option(help="Data date (default 2025-06-30).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the import files into this folder.")
    ] = None,
) -> None:
    """Generate the synthetic refugee cohort into a new database flagged synthetic."""
    from barometer.casework.crypto import load_vault
    from barometer.programme.synthetic import DATA_DATE, generate_cohort, write_csv, write_database

    if not 0 < scale <= 5:
        raise typer.BadParameter("above 0 and at most 5", param_hint="--scale")
    cohort = generate_cohort(seed, scale, _date(as_of, "--as-of") or DATA_DATE)
    if out is not None:
        write_csv(cohort, out)
    n = write_database(_engine(db, create=True), cohort, load_vault(key_file), seed)
    console.print(f"[green]Synthetic cohort[/] (seed {seed}): {n} persons [bold red]SYNTHETIC[/]")


@app.command()
def retention(
    db: DbOption = None,
    as_of: Annotated[str | None, typer.Option(help="The day to apply (default: today).")] = None,
    case_years: Annotated[int, typer.Option(help="Years after closure a case is kept.")] = 5,
    log_months: Annotated[int, typer.Option(help="Months the access log is kept.")] = 6,
    mode: Annotated[str, typer.Option(help="anonymise (to statistics) or delete.")] = "anonymise",
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Count only.")] = False,
) -> None:
    """Anonymise or delete closed cases past retention; purge old log rows; register counts."""
    from barometer.programme.retention import run_retention

    if mode not in ("anonymise", "delete"):
        raise typer.BadParameter("anonymise or delete", param_hint="--mode")
    res = run_retention(
        _engine(db),
        as_of=_date(as_of, "--as-of") or date.today(),
        case_years=case_years,
        log_months=log_months,
        mode=mode,
        dry_run=dry_run,
    )
    verb = "would be" if dry_run else ("anonymised" if mode == "anonymise" else "deleted")
    console.print(
        f"{res.cases} cases ({res.episodes} episodes) {verb}; {res.log_rows} log rows "
        f"{'would be ' if dry_run else ''}purged; run {res.run_id}"
    )


@app.command()
def keygen(out: Annotated[Path, typer.Option(help="The key file to create (mode 0600).")]) -> None:
    """Create a CPR key file (never stored in the database; keep a backup apart from it)."""
    from barometer.casework.crypto import write_key_file

    write_key_file(out)
    console.print(f"[green]Wrote[/] a new CPR key to {out}")
