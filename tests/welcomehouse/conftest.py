"""Fixtures of the Welcome House tests: SQLite and PostgreSQL databases, and a small hand-made
set of files whose figures the tests compute by hand."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from barometer.casework import auth
from barometer.casework.db import create_db_engine
from barometer.welcomehouse import roles  # noqa: F401 (registers the roles)

from fixtures.browser import browser  # noqa: F401 (one Chromium a test module)
from fixtures.casework import migrated_database

# Real argon2id, cheaper than production so that logins in tests take milliseconds.
auth.configure_password_hashing(time_cost=1, memory_cost=1024)

# The hand-made Welcome House (t = 2025-06-30; the 90-day window is 2025-04-02 … 2025-06-30).
SMALL = {
    "organisations.csv": """org_id,name,cvr
O1,Cafe-foreningen,12345678
O2,Udflugtsklubben,
O3,Syklubben,
""",
    "volunteers.csv": """volunteer_id,org_id,name,status,house
V1,O1,Vera Et,active,
V2,O1,Vilhelm To,active,
V3,O2,Valdemar Tre,active,
V4,,Viggo Fire,active,H2
V5,O3,Vibeke Fem,active,
V6,O2,Vanja Seks,active,
""",
    "certificates.csv": """volunteer_id,kind,received_date,assessed_ok,valid_until
V1,criminal_record,2024-07-01,true,
V1,child,2024-07-01,true,
V2,criminal_record,2024-05-01,true,
V2,child,2024-05-01,true,
V3,criminal_record,2025-01-10,true,2026-01-10
V6,criminal_record,2024-07-01,true,2025-07-01
V6,criminal_record,2025-06-20,true,
""",
    "activities.csv": """activity_id,house,org_id,kind,requires_certificate
A1,H1,O1,cafe,none
A2,H1,O1,children,child
A3,H2,O2,outing,criminal_record
A4,H2,O3,sewing,none
A5,H2,,danish_help,none
""",
    "sessions.csv": """session_id,activity_id,date,start,end
S1,A1,2025-06-02,10:00,13:00
S2,A2,2025-04-15,10:00,13:00
S3,A2,2025-06-21,10:00,13:00
S4,A3,2025-06-10,11:00,16:00
S5,A5,2025-06-16,16:00,18:00
S6,A4,2025-03-01,10:00,13:00
S7,A1,2025-07-07,10:00,13:00
S8,A3,2025-07-01,10:00,12:00
S9,A3,2025-07-02,10:00,12:00
S11,A2,2025-07-05,10:00,13:00
""",
    "assignments.csv": """volunteer_id,session_id,hours
V1,S1,3
V2,S1,2.5
V2,S2,3
V1,S3,3
V3,S4,5
V4,S5,2
V5,S6,3
""",
    "attendance.csv": """session_id,age_band,sex,headcount
S1,18-29,female,5
S1,30-49,male,3
S3,0-5,female,2
S3,6-14,male,4
S3,30-49,female,3
S4,30-49,male,6
S5,18-29,female,4
S6,50-64,female,7
""",
}


def write_small(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in SMALL.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


@pytest.fixture
def small_dir(tmp_path) -> Path:
    return write_small(tmp_path / "small")


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    """An empty, migrated database on SQLite and on PostgreSQL."""
    return migrated_database(request, tmp_path, "welcomehouse.db")


def run_cli(monkeypatch, capsys, *args: str) -> tuple[int, str, str]:
    """``barometer …`` through the real entry point: (exit code, stdout, stderr)."""
    from barometer.cli import main

    monkeypatch.setattr(sys, "argv", ["barometer", *args])
    code = 0
    try:
        main()
    except SystemExit as exc:
        code = exc.code or 0
    out = capsys.readouterr()
    return code, out.out, out.err


# Two persons of the programme module, placed 10 January 2025: T0 = 1 March 2025, so the
# reach window (T0 + 3 months) ends on 1 June 2025.
PERSONS = """person_id,cpr,sex,birth_date,country_code,placement_date,takeover_date,arrival_date
P1,010590-1233,female,1990-05-01,5486,2025-01-10,,
P2,150385-2345,male,1985-03-15,5216,2025-01-10,,
"""
EPISODES = "person_id,kind,start_date,end_date,hours_per_week,company_cvr,disco_code,passed,goal\n"


@pytest.fixture
def shared_db(db_url, small_dir, tmp_path):
    """Both domains in one database flagged synthetic: two programme persons, the hand-made
    Welcome House, and users of every Welcome House role plus a caseworker."""
    from barometer.casework.crypto import CprVault
    from barometer.casework.db import make_sessionmaker
    from barometer.programme import roles as _programme_roles  # noqa: F401
    from barometer.programme.importer import import_directory as import_cases
    from barometer.welcomehouse.importer import import_directory
    from barometer.welcomehouse.users import add_user

    cases = tmp_path / "cases"
    cases.mkdir()
    (cases / "persons.csv").write_text(PERSONS)
    (cases / "episodes.csv").write_text(EPISODES)
    engine = create_db_engine(db_url)
    import_cases(engine, cases, CprVault(bytes(range(32))), synthetic=True)
    import_directory(engine, small_dir, synthetic=True)
    with make_sessionmaker(engine)() as s:
        for name, role, scope in (
            ("staff1", "wh_staff", {"house": "H1"}),
            ("coord1", "wh_coordinator", {"organisation": "O1"}),
            ("coord2", "wh_coordinator", {"organisation": "O2"}),
            ("vol1", "wh_volunteer", {"volunteer": "V1"}),
            ("wha", "wh_analyst", {}),
            ("whadmin", "wh_admin", {}),
        ):
            add_user(s, name, PASSWORD, role, **scope)
        auth.create_user(s, "case1", PASSWORD, "caseworker", team="team-nord")
        auth.create_user(s, "padmin", PASSWORD, "admin")
        s.commit()
    return engine


PASSWORD = "correct horse battery"
