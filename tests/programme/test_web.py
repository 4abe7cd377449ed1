"""The web app and API on SQLite and PostgreSQL: login, scope, audit, CPR never leaked."""

from __future__ import annotations

import re
import warnings
from datetime import date

import pytest
from sqlalchemy import select

from barometer.casework import access_log, auth
from barometer.casework.db import create_db_engine, make_sessionmaker
from barometer.programme.models import Person
from barometer.programme.synthetic import generate_cohort, write_database
from barometer.programme.web.app import ProgrammeSettings, create_standalone_app

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TODAY = date(2025, 6, 30)
PASSWORD = "correct horse battery"


@pytest.fixture
def site(db_url, vault):
    engine = create_db_engine(db_url)
    write_database(engine, generate_cohort(seed=2, scale=0.05), vault, 2)
    with make_sessionmaker(engine)() as s:
        for name, role, team in (
            ("case1", "caseworker", "team-nord"),
            ("ana", "analyst", None),
            ("dpo", "auditor", None),
            ("lead", "team_leader", "team-nord"),
        ):
            auth.create_user(s, name, PASSWORD, role, team=team)  # fmt: skip
        inside = s.scalars(select(Person).where(Person.team == "team-nord")).first()
        outside = s.scalars(select(Person).where(Person.team == "team-syd")).first()
        cprs = [vault.decrypt(p.cpr_cipher) for p in s.scalars(select(Person))]
        s.commit()
    settings = ProgrammeSettings(today=lambda: TODAY, demo=True)
    app = create_standalone_app(engine, settings=settings, vault=vault)
    return app, engine, inside, outside, cprs


def client(app):
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def login(c, username, password=PASSWORD):
    page = c.get("/programme/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    return c.post("/programme/login", data={"csrf_token": token, "username": username,
                                            "password": password})  # fmt: skip


def test_without_login_api_401_and_pages_redirect(site):
    app, *_ = site
    c = client(app)
    assert c.get("/programme/api/v1/me").status_code == 401
    assert c.get("/programme/api/v1/persons/1").status_code == 401
    r = c.get("/programme/persons/1")
    assert r.status_code == 303
    assert r.headers["location"] == "/programme/login?next=%2Fprogramme%2Fpersons%2F1"
    assert c.get("/programme/").headers["location"].startswith("/programme/login")


def test_login_sets_a_secure_session_and_wrong_passwords_are_throttled(site):
    app, *_ = site
    c = client(app)
    r = login(c, "case1")
    assert r.status_code == 303
    cookie = r.headers["set-cookie"]
    assert "programme_session=" in cookie and "HttpOnly" in cookie and "Secure" in cookie
    assert "Path=/programme" in cookie and "SameSite=lax" in cookie
    assert c.get("/programme/api/v1/me").json()["role"] == "caseworker"
    other = client(app)
    codes = [login(other, "ana", "wrong password!").status_code for _ in range(6)]
    assert codes == [401] * 5 + [429]
    assert login(other, "ana").status_code == 429  # even the right password, for now


def test_forms_need_the_csrf_token(site):
    app, _e, inside, *_ = site
    c = client(app)
    login(c, "case1")
    r = c.post(f"/programme/persons/{inside.id}/reveal", data={"purpose": "checking the CPR"})
    assert r.status_code == 403
    r = c.post(f"/programme/api/v1/persons/{inside.id}/reveal", json={"purpose": "x" * 10})
    assert r.status_code == 403


def test_analyst_gets_403_on_a_person_and_sees_kpis(site):
    app, _e, inside, *_ = site
    c = client(app)
    login(c, "ana")
    assert c.get(f"/programme/api/v1/persons/{inside.id}").status_code == 403
    assert c.get(f"/programme/persons/{inside.id}").status_code == 403
    kpis = c.get("/programme/api/v1/kpis").json()["kpis"]
    assert {"K1", "K12_3y", "K15_start"} <= {k["kpi_id"] for k in kpis}


def test_caseworker_read_is_audited_and_in_the_citizens_extract(site):
    app, engine, inside, outside, _ = site
    c = client(app)
    login(c, "case1")
    r = c.get(f"/programme/api/v1/persons/{inside.id}")
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    assert r.json()["cpr"].endswith("-****")
    assert c.get(f"/programme/api/v1/persons/{outside.id}").status_code == 403  # other team
    auditor = client(app)
    login(auditor, "dpo")
    events = auditor.get(f"/programme/api/v1/audit/{inside.person_ref}").json()["events"]
    reads = [e for e in events if e["action"] == "read"]
    assert reads and reads[-1]["role"] == "caseworker" and reads[-1]["staff"] == "case1"
    assert reads[-1]["purpose"] == "casework"
    with make_sessionmaker(engine)() as s:
        plain = access_log.extract_for_subject(s, outside.id)
    assert all(e["action"] != "read" for e in plain)


def test_break_the_glass_is_time_boxed_logged_and_shown_to_the_team_leader(site):
    app, _e, _inside, outside, _ = site
    c = client(app)
    login(c, "case1")
    page = c.get(f"/programme/persons/{outside.id}")
    assert page.status_code == 403 and "break-glass-form" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post(f"/programme/persons/{outside.id}/break-glass",
               data={"csrf_token": token, "reason": "Citizen at the desk, own caseworker ill"})  # fmt: skip
    assert r.status_code == 303
    assert c.get(f"/programme/api/v1/persons/{outside.id}").json()["access"] == "break_glass"
    # team-syd has no leader in this fixture; the event is listed under the record's team.
    from barometer.casework.auth import break_glass_for_team

    with make_sessionmaker(_e)() as s:
        alerts = break_glass_for_team(s, "team-syd")
        assert [(bg.reason, who) for bg, who in alerts] == [
            ("Citizen at the desk, own caseworker ill", "case1")
        ]
        assert (alerts[0][0].expires_at - alerts[0][0].started_at).total_seconds() == 3 * 3600


def test_no_full_cpr_anywhere_unless_revealed_with_a_purpose(site, caplog):
    app, engine, inside, _outside, cprs = site
    c = client(app)
    login(c, "case1")
    bodies = []
    for path in ("/programme/", "/programme/persons", f"/programme/persons/{inside.id}",
                 f"/programme/api/v1/persons/{inside.id}", "/programme/api/v1/tasks",
                 "/programme/companies"):  # fmt: skip
        r = c.get(path)
        assert r.status_code == 200, path
        bodies.append(r.text)
    token = c.get("/programme/api/v1/me").json()["csrf_token"]
    full = list(cprs)
    hits = c.post("/programme/api/v1/persons/search", json={"q": full[0]},
                  headers={"X-CSRF-Token": token})  # fmt: skip
    bodies.append(hits.text)
    text = "\n".join(bodies) + caplog.text
    for cpr in full:
        assert cpr not in text and f"{cpr[:6]}-{cpr[6:]}" not in text
    # Revealing needs a purpose, shows the number and logs the purpose.
    r = c.post(f"/programme/api/v1/persons/{inside.id}/reveal", json={"purpose": ""},
               headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 422
    r = c.post(f"/programme/api/v1/persons/{inside.id}/reveal",
               json={"purpose": "letter to the tax office"}, headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 200
    with make_sessionmaker(engine)() as s:
        person = s.get(Person, inside.id)
        from barometer.casework.crypto import CprVault  # noqa: F401

        events = access_log.extract_for_subject(s, inside.id)
    assert r.json()["cpr"].replace("-", "") in cprs
    assert any(e["action"] == "reveal" and e["purpose"] == "letter to the tax office"
               for e in events)  # fmt: skip
    assert person is not None


def test_demo_login_and_mounting_under_the_dashboard_prefix(site, tmp_path, vault):
    app, *_ = site
    c = client(app)
    page = c.get("/programme/login")
    assert "demo-form" in page.text
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/programme/login/demo", data={"csrf_token": token, "username": "leader.nord"})
    assert r.status_code == 303 and r.headers["location"] == "/programme/"
    comp = c.get("/programme/compliance")
    assert comp.status_code == 200 and 'href="/programme/compliance"' in comp.text
    # A real (unflagged) database refuses the demo login outright.
    from barometer.casework.db import DatabaseError, upgrade_database

    real = create_db_engine(f"sqlite:///{tmp_path / 'real.db'}")
    upgrade_database(real)
    with pytest.raises(DatabaseError, match="synthetic"):
        create_standalone_app(real, settings=ProgrammeSettings(demo=True), vault=vault)
