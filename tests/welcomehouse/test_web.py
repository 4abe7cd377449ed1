"""The Welcome House app and API on SQLite and PostgreSQL: scope by house, organisation and
self; no Welcome House role reads a case and no programme role reads a volunteer; the access
log; sign-up under the certificate rule; mounting beside the programme module."""

from __future__ import annotations

import re
import warnings
from datetime import date

from fastapi import FastAPI
from sqlalchemy import select

from barometer.casework.crypto import CprVault
from barometer.casework.db import make_sessionmaker
from barometer.casework.models import AccessEvent
from barometer.programme.web.app import ProgrammeSettings, create_programme_app
from barometer.programme.web.app import create_standalone_app as programme_standalone
from barometer.welcomehouse.models import ActivitySession, Volunteer
from barometer.welcomehouse.web.app import (
    WelcomeSettings,
    create_standalone_app,
    create_welcomehouse_app,
)

from .conftest import PASSWORD

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

TODAY = date(2025, 6, 30)
WH_ROLES_USERS = ("staff1", "coord1", "vol1", "wha", "whadmin")


def client(app):
    return TestClient(app, base_url="https://testserver", follow_redirects=False)


def login(c, username, prefix="/welcomehouse"):
    page = c.get(f"{prefix}/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post(f"{prefix}/login", data={"csrf_token": token, "username": username,
                                        "password": PASSWORD})  # fmt: skip
    assert r.status_code == 303, r.text
    return c


def ids(engine):
    with make_sessionmaker(engine)() as s:
        vols = {v.volunteer_ref: v.id for v in s.scalars(select(Volunteer))}
        sessions = {x.session_ref: x.id for x in s.scalars(select(ActivitySession))}
    return vols, sessions


def wh_app(engine):
    return create_standalone_app(engine, settings=WelcomeSettings(today=lambda: TODAY))


def test_coordinator_sees_own_organisation_as_valid_or_expired_only(shared_db):
    vols, _ = ids(shared_db)
    c = login(client(wh_app(shared_db)), "coord1")
    listed = c.get("/welcomehouse/api/v1/volunteers").json()["volunteers"]
    assert {v["volunteer_id"]: v["certificate_status"] for v in listed} == {
        "V1": "expiring",  # valid on 30 June, ends 1 July
        "V2": "expired",
    }
    assert all("certificates" not in v and "notes" not in v for v in listed)
    page = c.get("/welcomehouse/volunteers")
    assert page.status_code == 200 and "2025-07-01" not in page.text and "2024-0" not in page.text
    assert "Vera Et" in page.text and "Valdemar Tre" not in page.text
    # Another organisation's volunteer: 403 on the page and the API.
    assert c.get(f"/welcomehouse/volunteers/{vols['V3']}").status_code == 403
    assert c.get(f"/welcomehouse/api/v1/volunteers/{vols['V3']}").status_code == 403
    other = login(client(wh_app(shared_db)), "coord2")
    assert other.get(f"/welcomehouse/api/v1/volunteers/{vols['V1']}").status_code == 403
    theirs = other.get("/welcomehouse/api/v1/volunteers").json()["volunteers"]
    assert {v["volunteer_id"] for v in theirs} == {"V3", "V6"}


def test_staff_see_their_house_with_dates_and_nothing_else(shared_db):
    vols, sessions = ids(shared_db)
    c = login(client(wh_app(shared_db)), "staff1")
    v1 = c.get(f"/welcomehouse/api/v1/volunteers/{vols['V1']}")
    assert v1.status_code == 200 and v1.headers["cache-control"] == "no-store"
    certs = {x["kind"]: x for x in v1.json()["certificates"]}
    assert certs["criminal_record"]["valid_until"] == "2025-07-01"
    assert certs["child"]["expiring"] is True
    # V3 (O2) and V4 (house H2) work only in house H2.
    assert c.get(f"/welcomehouse/api/v1/volunteers/{vols['V3']}").status_code == 403
    assert c.get(f"/welcomehouse/volunteers/{vols['V4']}").status_code == 403
    assert c.get(f"/welcomehouse/api/v1/sessions/{sessions['S4']}").status_code == 403
    page = c.get("/welcomehouse/volunteers?lang=en")
    expiring = page.text.split('id="expiring"')[1].split("</section>")[0]
    assert "Vera Et" in expiring and "Vilhelm To" not in expiring
    kpis = c.get("/welcomehouse/api/v1/kpis?date=2025-06-30").json()["kpis"]
    assert {k["group"] for k in kpis} and all("house=H1" in k["group"] for k in kpis)
    w1 = next(k for k in kpis if k["kpi_id"] == "W1")
    assert (w1["numerator"], w1["denominator"]) == (1, 2)  # hand-made: V1 yes, V2 no


def test_no_welcome_house_role_reads_a_case(shared_db):
    vault = CprVault(bytes(range(32)))
    settings = ProgrammeSettings(today=lambda: TODAY)
    app = programme_standalone(shared_db, settings=settings, vault=vault)
    paths = ["/", "/tasks", "/persons", "/persons/1", "/compliance", "/companies", "/slots/1",
             "/kpis", "/audit?person=P1", "/users", "/api/v1/me", "/api/v1/tasks",
             "/api/v1/persons/1", "/api/v1/persons/2", "/api/v1/kpis", "/api/v1/audit/P1",
             "/api/v1/slots/1/matches"]  # fmt: skip
    for username in WH_ROLES_USERS:
        c = login(client(app), username, prefix="/programme")
        for path in paths:
            r = c.get("/programme" + path)
            assert r.status_code == 403, (username, path, r.status_code)
            assert "P1" not in r.text and "010590" not in r.text
        r = c.post("/programme/api/v1/persons/search", json={"q": "P1"})
        assert r.status_code == 403
    # The programme's administrator lists the programme's users only.
    users = login(client(app), "padmin", prefix="/programme").get("/programme/users")
    assert users.status_code == 200 and "case1" in users.text and "staff1" not in users.text
    # And the programme's caseworker sees no volunteer.
    vols, _ = ids(shared_db)
    c = login(client(wh_app(shared_db)), "case1")
    for path in ("/", "/volunteers", f"/volunteers/{vols['V1']}", "/figures", "/me",
                 "/api/v1/volunteers", f"/api/v1/volunteers/{vols['V1']}", "/api/v1/kpis"):  # fmt: skip
        assert c.get("/welcomehouse" + path).status_code == 403, path


def test_reads_are_logged_and_writes_need_csrf(shared_db):
    vols, sessions = ids(shared_db)
    c = client(wh_app(shared_db))
    assert c.get("/welcomehouse/api/v1/volunteers").status_code == 401
    assert (
        c.get("/welcomehouse/volunteers")
        .headers["location"]
        .startswith("/welcomehouse/login?next=")
    )
    login(c, "coord1")
    c.get("/welcomehouse/volunteers")
    with make_sessionmaker(shared_db)() as s:
        events = list(s.scalars(select(AccessEvent).where(AccessEvent.role == "wh_coordinator")))
    listed = {e.record_id for e in events if e.action == "search" and e.record_type ==
              "wh_volunteer"}  # fmt: skip
    assert listed == {str(vols["V1"]), str(vols["V2"])}
    assert all(e.subject_id is None for e in events)  # volunteers are not case subjects
    r = c.post(f"/welcomehouse/api/v1/sessions/{sessions['S7']}/assignments",
               json={"volunteer": vols["V1"]})  # fmt: skip
    assert r.status_code == 403  # no X-CSRF-Token
    token = c.get("/welcomehouse/api/v1/me").json()["csrf_token"]
    r = c.post(f"/welcomehouse/api/v1/sessions/{sessions['S7']}/assignments",
               json={"volunteer": vols["V1"]}, headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 201
    with make_sessionmaker(shared_db)() as s:
        made = s.scalar(select(AccessEvent).where(AccessEvent.record_type == "wh_assignment"))
    assert made.action == "create" and made.username == "coord1"


def test_volunteer_signs_up_under_the_certificate_rule(shared_db):
    vols, sessions = ids(shared_db)
    c = login(client(wh_app(shared_db)), "vol1")
    me = c.get("/welcomehouse/api/v1/me").json()
    assert me["volunteer"]["volunteer_id"] == "V1" and me["volunteer"]["hours_this_year"] == 6
    assert c.get(f"/welcomehouse/api/v1/volunteers/{vols['V2']}").status_code == 403
    assert c.get("/welcomehouse/volunteers").status_code == 403
    page = c.get("/welcomehouse/me?lang=en")
    assert "Remember to renew it." in page.text and "2025-07-01" in page.text
    open_ = {s["id"]: s for s in c.get("/welcomehouse/api/v1/sessions").json()["sessions"]}
    # O1's sessions in the next 28 days: S7 (café) and S11 (children, 5 July: expired by then).
    assert set(open_) == {sessions["S7"], sessions["S11"]}
    assert any("valid until 2025-07-01" in r for r in open_[sessions["S11"]]["refused"])
    token = me["csrf_token"]
    r = c.post(f"/welcomehouse/api/v1/sessions/{sessions['S11']}/signup", json={},
               headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 409 and "child certificate (børneattest) expired" in r.text
    r = c.post(f"/welcomehouse/api/v1/sessions/{sessions['S7']}/signup", json={},
               headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 201
    # Another organisation's outing is not open to V1.
    r = c.post(f"/welcomehouse/api/v1/sessions/{sessions['S9']}/signup", json={},
               headers={"X-CSRF-Token": token})  # fmt: skip
    assert r.status_code == 403


def test_mounted_beside_the_programme_module(shared_db):
    vault = CprVault(bytes(range(32)))
    dashboard = FastAPI()
    dashboard.mount("/programme", create_programme_app(
        shared_db, settings=ProgrammeSettings(today=lambda: TODAY), vault=vault))  # fmt: skip
    dashboard.mount("/welcomehouse", create_welcomehouse_app(
        shared_db, settings=WelcomeSettings(today=lambda: TODAY), mount_prefix="/welcomehouse"))  # fmt: skip
    c = client(dashboard)
    page = c.get("/welcomehouse/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post("/welcomehouse/login", data={"csrf_token": token, "username": "staff1",
                                            "password": PASSWORD})  # fmt: skip
    assert "Path=/welcomehouse" in r.headers["set-cookie"]
    assert r.headers["location"] == "/welcomehouse/"
    home = c.get("/welcomehouse/")
    assert home.headers["location"] == "/welcomehouse/volunteers"
    vols = c.get("/welcomehouse/volunteers")
    assert vols.status_code == 200 and 'href="/welcomehouse/activities"' in vols.text
    # The Welcome House cookie is not sent to the programme module.
    assert c.get("/programme/api/v1/me").status_code == 401
