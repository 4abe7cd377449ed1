"""The import: all or nothing, problems by file, column and row (never a volunteer's id or
values), the certificate rule applied to imported assignments, no CPR column anywhere."""

from __future__ import annotations

import pytest
from sqlalchemy import func, inspect, select

from barometer.casework.csvio import ImportProblemsError
from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.casework.models import AccessEvent
from barometer.welcomehouse.importer import import_directory
from barometer.welcomehouse.models import Assignment, Attendance, Certificate, House, Volunteer
from barometer.welcomehouse.synthetic import generate_welcomehouse, write_csv

from .conftest import run_cli


def counts(url) -> tuple[int, ...]:
    with make_sessionmaker(create_db_engine(url))() as s:
        return tuple(
            s.scalar(select(func.count()).select_from(m))
            for m in (Volunteer, Certificate, Assignment, Attendance, House)
        )


def replace_line(path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_round_trip_of_the_synthetic_files(db_url, tmp_path):
    synth = generate_welcomehouse(seed=3, scale=0.05)
    write_csv(synth, tmp_path / "files")
    res = import_directory(create_db_engine(db_url), tmp_path / "files")
    d = synth.data
    assert (res.volunteers, res.assignments, res.attendance) == (
        len(d["volunteers"]), len(d["assignments"]), len(d["attendance"]),
    )  # fmt: skip
    assert counts(db_url) == (len(d["volunteers"]), len(d["certificates"]),
                              len(d["assignments"]), len(d["attendance"]), 4)  # fmt: skip
    with make_sessionmaker(create_db_engine(db_url))() as s:
        created = s.scalar(
            select(func.count()).where(
                AccessEvent.action == "create", AccessEvent.record_type == "wh_volunteer"
            )
        )
        assert created == len(d["volunteers"])
        columns = {c["name"] for t in inspect(s.get_bind()).get_table_names() if
                   t.startswith("wh_") for c in inspect(s.get_bind()).get_columns(t)}  # fmt: skip
    assert not any("cpr" in c for c in columns)  # no CPR number is kept for volunteers


def test_problems_name_file_column_and_row_and_nothing_is_written(db_url, small_dir):
    replace_line(small_dir / "assignments.csv", "V3,S4,5", "V3,S4,lots")
    replace_line(small_dir / "attendance.csv", "S4,30-49,male,6", "S4,30-49,other,6")
    replace_line(small_dir / "volunteers.csv", "V5,O3,Vibeke Fem,active,",
                 "V5,O9,Vibeke Fem,retired,")  # fmt: skip
    with pytest.raises(ImportProblemsError) as exc:
        import_directory(create_db_engine(db_url), small_dir)
    msg = str(exc.value)
    assert "nothing was imported" in msg
    assert "assignments.csv: column hours: row 5: not a number of hours" in msg
    assert "attendance.csv: column sex: row 6: not one of female, male" in msg
    assert "volunteers.csv: column org_id: row 5: no such org in organisations.csv" in msg
    assert "volunteers.csv: column status: row 5: not one of" in msg
    assert "Vibeke" not in msg and "lots" not in msg and "V5" not in msg
    assert counts(db_url) == (0, 0, 0, 0, 0)


def test_an_assignment_against_the_certificate_rule_is_refused(db_url, small_dir):
    # V2's certificates ended on 2025-05-01; S3 is on 2025-06-21 and needs both.
    path = small_dir / "assignments.csv"
    path.write_text(path.read_text() + "V2,S3,3\n")
    with pytest.raises(ImportProblemsError, match=r"assignments.csv: column session_id: row 8: the "
                       r"activity needs a valid criminal_record certificate on the session's "
                       r"date and the volunteer's is expired"):  # fmt: skip
        import_directory(create_db_engine(db_url), small_dir)
    assert counts(db_url) == (0, 0, 0, 0, 0)


def test_a_second_import_of_the_same_ids_is_refused_whole(small_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'twice.db'}"
    from barometer.casework.db import upgrade_database

    upgrade_database(create_db_engine(url))
    import_directory(create_db_engine(url), small_dir)
    before = counts(url)
    with pytest.raises(
        ImportProblemsError, match=r"volunteers.csv: column volunteer_id: rows 1, 2, 3, 4, 5"
    ):
        import_directory(create_db_engine(url), small_dir)
    assert counts(url) == before
    # Attendance alone can follow later, referring to sessions in the database.
    later = tmp_path / "later"
    later.mkdir()
    (later / "attendance.csv").write_text("session_id,age_band,sex,headcount\nS2,65+,male,2\n")
    assert import_directory(create_db_engine(url), later).attendance == 1


def test_cli_import_errors_exit_2_without_a_traceback(small_dir, tmp_path, monkeypatch, capsys):
    (small_dir / "sessions.csv").write_text(
        "session_id,activity_id,date,start\nS1,A1,2025-06-02,10:00\n"
    )
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "import", "--db",
                            str(tmp_path / "x.db"), str(small_dir))  # fmt: skip
    assert code == 2 and "Traceback" not in err
    assert "sessions.csv: column end: required column missing" in err
    code, _o, err = run_cli(monkeypatch, capsys, "welcomehouse", "import", "--db",
                            str(tmp_path / "x.db"), str(tmp_path / "nothing"))  # fmt: skip
    assert code == 2 and "no Welcome House files" in err
