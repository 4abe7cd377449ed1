"""The migrations match the models on both databases, the package's boundaries, and the
synthetic data, user and audit commands."""

from __future__ import annotations

import io
import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from barometer.casework.db import Base, _alembic_config, create_db_engine

from .conftest import run_cli
from fixtures.casework import imported_modules, under

SRC = Path(__file__).parents[2] / "src/barometer"
DOMAINS = ("barometer.programme", "barometer.welcomehouse")
# What Welcome House may use from outside itself: the platform, codes and errors; reach.py
# alone reads the programme's cases (W4's cohort, under consent).
ALLOWED = ("barometer.welcomehouse", "barometer.casework", "barometer.codes", "barometer.errors")
CASE_READERS = {"barometer.programme.kpis", "barometer.programme.records",
                "barometer.programme.models"}  # fmt: skip


def test_migrations_match_the_models_and_branch_from_the_platform(db_url):
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    script = ScriptDirectory.from_config(_alembic_config(engine))
    rev = script.get_revision("welcomehouse@head")
    assert rev.revision == "welcomehouse_0001" and rev.down_revision == "platform_0001"


def test_package_boundaries():
    for path in (SRC / "welcomehouse").rglob("*.py"):
        mods = imported_modules(path) - {"barometer"}
        outside = {m for m in mods if not any(under(m, a) for a in ALLOWED)}
        if path.name == "reach.py":
            outside -= CASE_READERS
        assert outside == set(), (path, outside)
    for folder in ("publish", "programme"):
        for path in (SRC / folder).rglob("*.py"):
            mods = imported_modules(path)
            assert not any(under(m, "barometer.welcomehouse") for m in mods), path


def test_neither_domain_imports_the_other_but_at_the_consent_bridge():
    # Each domain keeps its own pages, models and rules on the shared platform, which imports
    # neither. The one crossing is the consent bridge (reach.py reads the programme's cohort).
    crossings = {}
    for domain in DOMAINS:
        other = next(d for d in DOMAINS if d != domain)
        for path in (SRC / domain.split(".")[1]).rglob("*.py"):
            found = {m for m in imported_modules(path) if under(m, other)}
            if found:
                crossings[path.relative_to(SRC).as_posix()] = found
    assert crossings == {"welcomehouse/reach.py": CASE_READERS}
    for path in (SRC / "casework").rglob("*.py"):
        mods = imported_modules(path)
        assert not [m for m in mods if any(under(m, d) for d in DOMAINS)], path
    # Where each domain's shared layer comes from now: the platform, not the other domain.
    web = imported_modules(SRC / "welcomehouse/web/app.py")
    assert "barometer.casework.web" in web and not any(under(m, DOMAINS[0]) for m in web)


def test_cli_synth_user_and_audit(tmp_path, monkeypatch, capsys):
    db = str(tmp_path / "s.db")
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "synth", "--db", db,
                            "--scale", "0.05", "--out", str(tmp_path / "files"))  # fmt: skip
    assert code == 0, err
    assert (
        (tmp_path / "files" / "attendance.csv")
        .read_text()
        .startswith("session_id,age_band,sex,headcount\n")
    )
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password here\n"))
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "user", "add", "kim",
                            "--role", "wh_staff", "--password-stdin", "--db", db)  # fmt: skip
    assert code == 2 and "needs --house" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("a long password here\n"))
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "user", "add", "kim",
                            "--role", "wh_staff", "--house", "Valby", "--password-stdin",
                            "--db", db)  # fmt: skip
    assert code == 0, err
    code, out, err = run_cli(monkeypatch, capsys, "welcomehouse", "audit", "--db", db,
                             "--volunteer", "V0001")  # fmt: skip
    assert code == 0, err
    extract = json.loads(out)
    assert [e["action"] for e in extract["events"]] == ["create"]
    assert "staff" not in extract["events"][0]
