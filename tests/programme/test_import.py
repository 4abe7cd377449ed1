"""The import: all or nothing, problems named by file, column and row, never by value."""

from __future__ import annotations

import csv
import json
import shutil

import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

from barometer.casework.csvio import ImportProblemsError
from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.cli import app
from barometer.programme.importer import import_directory
from barometer.programme.models import Episode, Person
from barometer.programme.synthetic import generate_cohort, write_csv


@pytest.fixture(scope="module")
def exchange(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exchange")
    write_csv(generate_cohort(seed=3, scale=0.05), folder)
    return folder


def counts(url):
    engine = create_db_engine(url)
    with make_sessionmaker(engine)() as s:
        return (
            s.scalar(select(func.count()).select_from(Person)),
            s.scalar(select(func.count()).select_from(Episode)),
        )


def rewrite(path, row, column, value):
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    rows[row - 1][column] = value
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    return rows


def test_import_round_trip_on_both_databases(db_url, exchange, vault):
    res = import_directory(create_db_engine(db_url), exchange, vault)
    n_persons = sum(1 for _ in exchange.joinpath("persons.csv").open()) - 1
    n_episodes = sum(1 for _ in exchange.joinpath("episodes.csv").open()) - 1
    assert (res.persons, res.episodes) == (n_persons, n_episodes)
    assert counts(db_url) == (n_persons, n_episodes)
    with make_sessionmaker(create_db_engine(db_url))() as s:
        p = s.scalars(select(Person)).first()
        assert len(p.cpr_cipher) > 10 and vault.decrypt(p.cpr_cipher).isdigit()
        assert p.cpr_hash == vault.lookup_hash(vault.decrypt(p.cpr_cipher))


def test_bad_rows_are_named_and_nothing_is_written(db_url, exchange, vault, tmp_path):
    folder = tmp_path / "bad"
    shutil.copytree(exchange, folder)
    persons = rewrite(folder / "persons.csv", 3, "cpr", "3102901234")  # 31 February
    secret_cpr = persons[3]["cpr"]
    rewrite(folder / "persons.csv", 4, "birth_date", "2090-01-01")
    rewrite(folder / "episodes.csv", 5, "end_date", "1999-01-01")
    rewrite(folder / "episodes.csv", 7, "kind", "holiday")
    with pytest.raises(ImportProblemsError) as exc:
        import_directory(create_db_engine(db_url), folder, vault)
    msg = str(exc.value)
    assert "persons.csv: column cpr: row 3: not a CPR number" in msg
    assert "persons.csv: column birth_date: row 4: in the future" in msg
    assert "episodes.csv: column end_date: row 5: before start_date" in msg
    assert "episodes.csv: column kind: row 7: not one of" in msg
    assert "3102901234" not in msg and secret_cpr not in msg and "S0000" not in msg
    assert counts(db_url) == (0, 0)


def test_duplicates_and_missing_columns(exchange, vault, tmp_path):
    url = f"sqlite:///{tmp_path / 'p.db'}"
    from barometer.casework.db import upgrade_database

    upgrade_database(create_db_engine(url))
    import_directory(create_db_engine(url), exchange, vault)
    with pytest.raises(ImportProblemsError, match=r"column person_id: rows 1, 2, 3, 4, 5 \(and"):
        import_directory(create_db_engine(url), exchange, vault)  # already in the database
    folder = tmp_path / "cols"
    folder.mkdir()
    (folder / "persons.csv").write_text("person_id,cpr\n1,0101901234\n")
    (folder / "episodes.csv").write_text("person_id,kind,start_date\n")
    with pytest.raises(ImportProblemsError) as exc:
        import_directory(create_db_engine(url), folder, vault)
    assert "persons.csv: column sex: required column missing" in str(exc.value)
    assert "episodes.csv: column hours_per_week: required column missing" in str(exc.value)


def test_cli_import_exits_2_without_a_traceback(exchange, key_file, tmp_path):
    import sys

    from barometer.cli import main

    folder = tmp_path / "bad"
    shutil.copytree(exchange, folder)
    rewrite(folder / "episodes.csv", 2, "company_cvr", "12")
    argv = sys.argv
    sys.argv = ["barometer", "programme", "import", "--db", str(tmp_path / "x.db"),
                "--key-file", str(key_file), str(folder)]  # fmt: skip
    try:
        with pytest.raises(SystemExit) as exc:
            main()
    finally:
        sys.argv = argv
    assert exc.value.code == 2


def test_cli_synth_user_kpis_and_audit(tmp_path, key_file):
    db = f"sqlite:///{tmp_path / 'demo.db'}"
    run = CliRunner().invoke
    res = run(app, ["programme", "synth", "--db", db, "--key-file", str(key_file),
                    "--scale", "0.1"])  # fmt: skip
    assert res.exit_code == 0, res.output
    res = run(app, ["programme", "user", "add", "ana", "--role", "analyst", "--password-stdin",
                    "--db", db], input="a long password here\n")  # fmt: skip
    assert res.exit_code == 0, res.output
    out = tmp_path / "kpis.csv"
    res = run(app, ["programme", "kpis", "--db", db, "--out", str(out), "--as-of", "2025-06-30"])
    assert res.exit_code == 0, res.output
    rows = list(csv.DictReader(out.open()))
    assert list(rows[0]) == ["kpi_id", "cohort_year", "sex", "numerator", "denominator", "value"]
    k1 = [r for r in rows if r["kpi_id"] == "K1" and r["sex"] == "all"]
    assert all(0 <= float(r["value"]) <= 100 for r in k1) and len(k1) >= 8
    res = run(app, ["programme", "audit", "--db", db, "--person", "S00001", "--format", "json"])
    assert res.exit_code == 0, res.output
    extract = json.loads(res.stdout)
    assert extract["person_id"] == "S00001"
    assert [e["action"] for e in extract["events"]] == ["create"]
    assert "staff" not in extract["events"][0]  # staff names only with --with-staff
