"""The migrations match the models on both databases, the package's boundaries, and the
synthetic data, user and audit commands."""

from __future__ import annotations

import ast
import io
import json
from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from barometer.casework.db import Base, _alembic_config, create_db_engine

from .conftest import run_cli

SRC = Path(__file__).parents[2] / "src/barometer"
# What the Welcome House may use of the programme: the platform, date arithmetic, the CSV
# checks, the web security headers; reach.py alone reads cases (under consent).
ALLOWED = ("barometer.casework", "barometer.programme.calendar",
           "barometer.programme.importer", "barometer.programme.web.app")  # fmt: skip
CASE_READERS = ("barometer.programme.kpis", "barometer.programme.records",
                "barometer.programme.models")  # fmt: skip


def test_migrations_match_the_models_and_branch_from_the_platform(db_url):
    engine = create_db_engine(db_url)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    script = ScriptDirectory.from_config(_alembic_config(engine))
    rev = script.get_revision("welcomehouse@head")
    assert rev.revision == "welcomehouse_0001" and rev.down_revision == "platform_0001"


def _imports(path: Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
        elif isinstance(node, ast.Import):
            names |= {a.name for a in node.names}
    return names


def test_package_boundaries():
    for path in (SRC / "welcomehouse").rglob("*.py"):
        for name in _imports(path):
            if not name.startswith("barometer.") or name.startswith("barometer.welcomehouse"):
                continue
            if name in ("barometer.errors", "barometer.codes"):
                continue
            if path.name == "reach.py" and name in CASE_READERS:
                continue
            assert name.startswith(ALLOWED), (path, name)
    for folder in ("publish", "programme"):
        for path in (SRC / folder).rglob("*.py"):
            assert not any("welcomehouse" in n for n in _imports(path)), path


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
