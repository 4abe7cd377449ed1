"""The certificate rule on the day a certificate expires, the day after, and with a renewal
received before expiry; the `assign` command that enforces it."""

from __future__ import annotations

from datetime import date
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select

from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.welcomehouse.certificates import (
    CertificateRules,
    blocking_message,
    certificate_state,
    coordinator_status,
    required_kinds,
)
from barometer.welcomehouse.importer import import_directory
from barometer.welcomehouse.models import Assignment

from .conftest import run_cli

RULES = CertificateRules()


def cert(received, until=None, ok=True, kind="criminal_record"):
    return SimpleNamespace(
        kind=kind, received_date=date.fromisoformat(received), assessed_ok=ok,
        valid_until=date.fromisoformat(until) if until else None,
    )  # fmt: skip


def test_valid_through_the_last_day_then_expired():
    held = [cert("2024-03-15")]  # 12 months: the last valid day is 2025-03-15
    on_day = certificate_state(held, "criminal_record", date(2025, 3, 15), RULES)
    assert (on_day.status, on_day.until) == ("valid", date(2025, 3, 15))
    assert blocking_message(on_day, date(2025, 3, 15)) is None
    after = certificate_state(held, "criminal_record", date(2025, 3, 16), RULES)
    assert (after.status, after.until) == ("expired", date(2025, 3, 15))
    msg = blocking_message(after, date(2025, 3, 16))
    assert "criminal_record certificate (straffeattest)" in msg and "2025-03-15" in msg


def test_a_renewal_received_before_expiry_carries_the_cover_on():
    held = [cert("2024-03-15"), cert("2025-03-01")]
    st = certificate_state(held, "criminal_record", date(2025, 3, 16), RULES)
    assert (st.status, st.until) == ("valid", date(2026, 3, 1))
    # Before it arrived the old one was the cover, ending 2025-03-15.
    st = certificate_state(held, "criminal_record", date(2025, 2, 28), RULES)
    assert st.until == date(2025, 3, 15)


def test_valid_until_is_capped_at_the_renewal_period_and_month_ends_clamp():
    # Given until 2025-12-31, but Welcome House renews yearly: the cover ends 2025-01-31.
    st = certificate_state([cert("2024-01-31", "2025-12-31")], "criminal_record",
                           date(2025, 2, 1), RULES)  # fmt: skip
    assert (st.status, st.until) == ("expired", date(2025, 1, 31))
    # 29 February + 12 months = 28 February.
    st = certificate_state([cert("2024-02-29")], "criminal_record", date(2025, 2, 28), RULES)
    assert (st.status, st.until) == ("valid", date(2025, 2, 28))
    longer = CertificateRules(renewal_months=24)
    st = certificate_state([cert("2024-01-31", "2025-12-31")], "criminal_record",
                           date(2025, 2, 1), longer)  # fmt: skip
    assert (st.status, st.until) == ("valid", date(2025, 12, 31))


def test_missing_not_ok_and_future_certificates():
    day = date(2025, 3, 16)
    st = certificate_state([], "child", day, RULES)
    assert st.status == "missing"
    assert blocking_message(st, day) == (
        "no child certificate (børneattest) valid on 2025-03-16 (the session's date)"
    )
    st = certificate_state([cert("2025-01-10", ok=False)], "criminal_record", day, RULES)
    assert st.status == "not_ok"
    # Received after the day: it does not count yet.
    st = certificate_state([cert("2025-03-20")], "criminal_record", day, RULES)
    assert st.status == "missing"


def test_expiring_within_30_days_and_what_a_coordinator_sees():
    held = [cert("2024-03-15")]  # last valid day 2025-03-15
    st = certificate_state(held, "criminal_record", date(2025, 2, 13), RULES)
    assert st.expiring(date(2025, 2, 13), RULES)  # 30 days ahead
    st = certificate_state(held, "criminal_record", date(2025, 2, 12), RULES)
    assert not st.expiring(date(2025, 2, 12), RULES)  # 31 days ahead
    d = date(2025, 3, 1)
    ok = certificate_state(held, "criminal_record", d, RULES)
    gone = certificate_state([], "child", d, RULES)
    bad = certificate_state([cert("2025-01-10", ok=False, kind="child")], "child", d, RULES)
    assert coordinator_status([ok], d, RULES) == "expiring"
    assert coordinator_status([ok, gone], d, RULES) == "expired"
    assert coordinator_status([bad], d, RULES) == "expired"  # a refusal is never disclosed
    assert required_kinds("child", RULES) == ("criminal_record", "child")
    assert required_kinds("child", CertificateRules(child_needs_criminal_record=False)) == (
        "child",
    )
    assert required_kinds("none", RULES) == ()


def test_assign_command_on_the_last_day_the_day_after_and_after_a_renewal(
    small_dir, tmp_path, monkeypatch, capsys
):
    db = str(tmp_path / "a.db")
    assert run_cli(monkeypatch, capsys, "welcomehouse", "import", "--db", db,
                   str(small_dir))[0] == 0  # fmt: skip

    def assign(v, s):
        return run_cli(monkeypatch, capsys, "welcomehouse", "assign", "--db", db,
                       "--volunteer", v, "--session", s)  # fmt: skip

    # S8 is on 1 July, the last day of V1's criminal-record certificate: allowed.
    code, _o, err = assign("V1", "S8")
    assert code == 0, err
    # S9 is on 2 July, the day after: refused, naming the certificate and its date.
    code, _o, err = assign("V1", "S9")
    assert code == 2 and "Traceback" not in err
    assert "criminal_record certificate (straffeattest) expired" in err
    assert "valid until 2025-07-01" in err and "2025-07-02" in err
    # V6's certificate also ended on 1 July, but a renewal came on 20 June: allowed.
    code, _o, err = assign("V6", "S9")
    assert code == 0, err
    # V4 has none: refused, naming the certificate and the session's date.
    code, _o, err = assign("V4", "S9")
    assert code == 2 and "no criminal_record certificate (straffeattest) valid on 2025-07-02" in err
    # An activity without a requirement (S7) takes V4; the same session twice does not.
    assert assign("V4", "S7")[0] == 0
    code, _o, err = assign("V4", "S7")
    assert code == 2 and "already on this session" in err
    engine = create_db_engine(db)
    with make_sessionmaker(engine)() as s:
        assert s.scalar(select(func.count()).select_from(Assignment)) == 7 + 3


def test_overlaps_and_status_refuse(small_dir, tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    (small_dir / "sessions.csv").write_text(
        (small_dir / "sessions.csv").read_text() + "S10,A1,2025-07-07,12:00,14:00\n"
    )
    (small_dir / "volunteers.csv").write_text(
        (small_dir / "volunteers.csv").read_text() + "V7,O1,Vagn Syv,prospective,\n"
    )
    from barometer.casework.access_log import cli_actor
    from barometer.casework.db import upgrade_database
    from barometer.welcomehouse.assign import AssignmentRefusedError, assign
    from barometer.welcomehouse.models import ActivitySession, Volunteer

    engine = create_db_engine(url)
    upgrade_database(engine)
    import_directory(engine, small_dir)
    with make_sessionmaker(engine)() as s:
        vol = {v.volunteer_ref: v for v in s.scalars(select(Volunteer))}
        ses = {x.session_ref: x for x in s.scalars(select(ActivitySession))}
        assign(s, vol["V1"], ses["S7"], cli_actor(), RULES)  # 10-13
        with pytest.raises(AssignmentRefusedError, match=r"overlaps another session the same "
                           r"day \(10:00-13:00\)"):  # fmt: skip
            assign(s, vol["V1"], ses["S10"], cli_actor(), RULES)  # 12-14 the same day
        with pytest.raises(AssignmentRefusedError, match="status is prospective"):
            assign(s, vol["V7"], ses["S7"], cli_actor(), RULES)
