"""`barometer welcomehouse …`: the Welcome House module's commands (docs/welcomehouse.md)."""

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
    help="Welcome House: volunteer organisations, volunteers, certificates, activities, "
    "attendance and figures W1-W5.",
    no_args_is_help=True,
)
user_app = typer.Typer(help="Users of the Welcome House module.", no_args_is_help=True)
consent_app = typer.Typer(
    help="Consents that link a participant's visits to their programme case.",
    no_args_is_help=True,
)
app.add_typer(user_app, name="user")
app.add_typer(consent_app, name="consent")
console = Console(stderr=True)

DB_ENV = "BAROMETER_WELCOMEHOUSE_DB"
DbOption = db_option(DB_ENV, " (shared with the programme module)")
BEHIND = (
    "the database is missing or behind this version: run "
    "`barometer welcomehouse migrate --db URL` first"
)


def _engine(db: str | None, *, create: bool = False):
    from barometer.welcomehouse import models, roles  # noqa: F401 (tables and roles)

    return open_engine(db, DB_ENV, create=create, behind=BEHIND)


def _session(engine):
    from barometer.casework.db import make_sessionmaker

    return make_sessionmaker(engine)()


@app.command()
def migrate(db: DbOption = None) -> None:
    """Create the database's tables, or bring them up to this version."""
    _engine(db, create=True)
    console.print("[green]The database is up to date.[/]")


@app.command("import")
def import_(
    folder: Annotated[
        Path, typer.Argument(help="Folder with organisations.csv, volunteers.csv, … ")
    ],
    db: DbOption = None,
) -> None:
    """Import organisations, volunteers, certificates, activities, sessions, assignments and
    attendance; all or nothing."""
    from barometer.welcomehouse.importer import import_directory

    res = import_directory(_engine(db, create=True), folder)
    console.print(
        f"[green]Imported[/] {res.organisations} organisations, {res.volunteers} volunteers, "
        f"{res.certificates} certificates, {res.activities} activities, {res.sessions} "
        f"sessions, {res.assignments} assignments, {res.attendance} attendance rows"
    )


@app.command()
def assign(
    volunteer: Annotated[str, typer.Option(help="The volunteer's volunteer_id.")],
    session: Annotated[str, typer.Option(help="The session's session_id.")],
    db: DbOption = None,
    hours: Annotated[float | None, typer.Option(help="Actual hours, when known.")] = None,
) -> None:
    """Assign a volunteer to a session; refused (exit 2) when a required certificate is
    expired or missing on the session's date, the volunteer is not approved, the session
    overlaps another of theirs or is full."""
    from sqlalchemy import select

    from barometer.casework.access_log import cli_actor
    from barometer.welcomehouse.assign import assign as do_assign
    from barometer.welcomehouse.certificates import CertificateRules
    from barometer.welcomehouse.models import ActivitySession, Volunteer

    if hours is not None and not 0 < hours <= 24:
        raise typer.BadParameter("above 0 and at most 24", param_hint="--hours")
    engine = _engine(db)
    with _session(engine) as s:
        vol = s.scalar(select(Volunteer).where(Volunteer.volunteer_ref == volunteer))
        if vol is None:
            raise InputError("--volunteer: no such volunteer_id")
        sess = s.scalar(select(ActivitySession).where(ActivitySession.session_ref == session))
        if sess is None:
            raise InputError("--session: no such session_id")
        do_assign(s, vol, sess, cli_actor(), CertificateRules(), hours=hours)
        s.commit()
    console.print(f"[green]Assigned[/] {volunteer} to {session} ({sess.date.isoformat()})")


@app.command()
def kpis(
    day: Annotated[str, typer.Option("--date", help="The day t the figures are for.")],
    out: Annotated[Path, typer.Option(help="CSV file to write.")],
    db: DbOption = None,
    municipality: Annotated[
        str, typer.Option(help="Municipality of the programme cohort (W4's consent share).")
    ] = "101",
) -> None:
    """Write W1-W5 (kpi_id, group, numerator, denominator, value) for staff."""
    import pandas as pd

    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.welcomehouse.kpis import KPI_COLUMNS, KpiParams, compute_kpis, load_data
    from barometer.welcomehouse.reach import consent_reach_rows

    t = _date(day, "--date")
    engine = _engine(db)
    with _session(engine) as s:
        frame = compute_kpis(load_data(s), KpiParams(day=t))
        extra = consent_reach_rows(s, t, municipality)
        if extra:
            frame = pd.concat([frame, pd.DataFrame(extra, columns=KPI_COLUMNS)], ignore_index=True)
        access_log.record(
            s, cli_actor(), "export", record_type="wh_kpis", purpose="Welcome House figures W1-W5"
        )
        s.commit()
    out.parent.mkdir(parents=True, exist_ok=True)
    frame.to_csv(out, index=False, lineterminator="\n")
    console.print(f"[green]Wrote[/] {len(frame)} rows to {out}")


@user_app.command("add")
def user_add(
    name: Annotated[str, typer.Argument(help="The username.")],
    role: Annotated[
        str, typer.Option(help="wh_staff, wh_coordinator, wh_volunteer, wh_analyst or wh_admin.")
    ],
    password_stdin: PasswordStdinOption = False,
    house: Annotated[str | None, typer.Option(help="The house (scope of wh_staff).")] = None,
    organisation: Annotated[
        str | None, typer.Option(help="The org_id (scope of wh_coordinator).")
    ] = None,
    volunteer: Annotated[
        str | None, typer.Option(help="The volunteer_id (the login of wh_volunteer).")
    ] = None,
    display_name: DisplayNameOption = None,
    db: DbOption = None,
) -> None:
    """Add a Welcome House user with its scope; the password comes from standard input."""
    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.welcomehouse.users import add_user

    password = read_password(password_stdin)
    engine = _engine(db, create=True)
    with _session(engine) as s:
        user = add_user(
            s,
            name,
            password,
            role,
            house=house,
            organisation=organisation,
            volunteer=volunteer,
            display_name=display_name,
        )
        access_log.record(s, cli_actor(), "create", record_type="user", record_id=user.id)
        s.commit()
    console.print(f"[green]Added[/] {name} ({role})")


@consent_app.command("give")
def consent_give(
    person: Annotated[str, typer.Option(help="The person's person_id in the programme module.")],
    purpose: Annotated[str, typer.Option(help="What the link is for: reach (W4).")] = "reach",
    given: Annotated[str | None, typer.Option(help="Day given (default: today).")] = None,
    months: Annotated[int, typer.Option(help="Months until it expires (UNCONFIRMED: 12).")] = 12,
    db: DbOption = None,
) -> None:
    """Record a consent on the case side; prints the code for the participant's card."""
    from barometer.welcomehouse.reach import give_consent

    engine = _engine(db)
    with _session(engine) as s:
        c = give_consent(s, person, purpose, _date(given, "--given") or date.today(), months=months)
        s.commit()
        print(json.dumps({"code": c.code, "expires_on": c.expires_on.isoformat()}))


@consent_app.command("withdraw")
def consent_withdraw(
    code: Annotated[str, typer.Option(help="The code on the participant's card.")],
    on: Annotated[str | None, typer.Option(help="Day withdrawn (default: today).")] = None,
    db: DbOption = None,
) -> None:
    """Withdraw a consent: the link ends and the visits registered under it are deleted."""
    from barometer.welcomehouse.reach import withdraw_consent

    engine = _engine(db)
    with _session(engine) as s:
        n = withdraw_consent(s, code, _date(on, "--on") or date.today())
        s.commit()
    console.print(f"[green]Withdrawn[/]; {n} registered visits deleted")


@app.command()
def audit(
    volunteer: Annotated[str, typer.Option(help="The volunteer's volunteer_id.")],
    db: DbOption = None,
    with_staff: WithStaffOption = False,
) -> None:
    """A volunteer's extract of the access log (JSON): dates, actions and purposes."""
    from sqlalchemy import select

    from barometer.casework import access_log
    from barometer.casework.access_log import cli_actor
    from barometer.welcomehouse.audit import extract_for_volunteer
    from barometer.welcomehouse.models import Volunteer

    engine = _engine(db)
    with _session(engine) as s:
        vid = s.scalar(select(Volunteer.id).where(Volunteer.volunteer_ref == volunteer))
        if vid is None:
            raise InputError("--volunteer: no such volunteer_id")
        events = extract_for_volunteer(s, vid, with_staff=with_staff)
        access_log.record(
            s,
            cli_actor(),
            "export",
            record_type="wh_volunteer",
            record_id=vid,
            purpose="the volunteer's access-log extract",
        )
        s.commit()
    print(json.dumps({"volunteer_id": volunteer, "events": events}, indent=2, ensure_ascii=False))


@app.command()
def serve(
    db: DbOption = None,
    host: HostOption = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port.")] = 8020,
    demo: DemoOption = False,
    insecure_cookies: InsecureCookiesOption = False,
) -> None:
    """Serve the pages and the JSON API under /welcomehouse (login at /welcomehouse/login)."""
    import uvicorn

    from barometer.welcomehouse.web.app import WelcomeSettings, create_standalone_app

    app_ = create_standalone_app(
        _engine(db), settings=WelcomeSettings(demo=demo, secure_cookies=not insecure_cookies)
    )
    console.print(f"Serving Welcome House on http://{host}:{port}/welcomehouse/")
    uvicorn.run(app_, host=host, port=port, log_level="warning", access_log=False)


@app.command()
def synth(
    db: DbOption = None,
    seed: Annotated[int, typer.Option(help="Random seed.")] = 1,
    scale: Annotated[float, typer.Option(help="Share of the organisations (1 = all).")] = 1.0,
    organisations: Annotated[
        int,
        typer.Option(help="Active organisations at scale 1 (about 85; the city also says 150)."),
    ] = 85,
    as_of: Annotated[str | None, typer.Option(help="Data date (default: today).")] = None,
    out: Annotated[
        Path | None, typer.Option(help="Also write the import files into this folder.")
    ] = None,
) -> None:
    """Generate synthetic Welcome House data into a database flagged synthetic."""
    from barometer.welcomehouse.synthetic import (
        generate_welcomehouse,
        write_csv,
        write_database,
    )

    if not 0 < scale <= 5:
        raise typer.BadParameter("above 0 and at most 5", param_hint="--scale")
    if not 2 <= organisations <= 1000:
        raise typer.BadParameter("from 2 to 1000", param_hint="--organisations")
    synth_ = generate_welcomehouse(
        seed, scale, _date(as_of, "--as-of") or date.today(), n_organisations=organisations
    )
    if out is not None:
        write_csv(synth_, out)
    n = write_database(_engine(db, create=True), synth_, seed)
    console.print(
        f"[green]Synthetic Welcome House[/] (seed {seed}): {n} volunteers [bold red]SYNTHETIC[/]"
    )
