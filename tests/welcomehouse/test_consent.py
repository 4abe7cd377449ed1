"""Consent is the only bridge: W4's share of a programme cohort, a visit registered by card
code, expiry and withdrawal (which deletes the visits)."""

from __future__ import annotations

import re
from datetime import date

import pytest
from sqlalchemy import func, select

from barometer.casework.access_log import cli_actor
from barometer.casework.db import make_sessionmaker
from barometer.welcomehouse.consent import ConsentError, register_visit
from barometer.welcomehouse.models import ActivitySession, ConsentVisit
from barometer.welcomehouse.reach import consent_reach_rows, give_consent, withdraw_consent

from .test_web import client, login, wh_app

T = date(2025, 6, 30)


def test_reach_share_only_with_a_consent_that_holds(shared_db):
    maker = make_sessionmaker(shared_db)
    with maker() as s:
        sess = {x.session_ref: x for x in s.scalars(select(ActivitySession))}
        c1 = give_consent(s, "P1", "reach", date(2025, 3, 2))
        c2 = give_consent(s, "P2", "reach", date(2025, 3, 1), months=12)
        assert c2.expires_on == date(2026, 3, 1) and re.fullmatch(r"WH-[A-Z2-9]{4}-[A-Z2-9]{4}",
                                                                  c1.code)  # fmt: skip
        register_visit(s, c1.code, sess["S2"], cli_actor())  # 15 April: within T0 + 3 months
        register_visit(s, c2.code, sess["S1"], cli_actor())  # 2 June: a day after the window
        with pytest.raises(ConsentError):  # S6 is on 1 March, before the consent
            register_visit(s, c1.code, sess["S6"], cli_actor())
        s.commit()
        codes = (c1.code, c2.code)
    with maker() as s:
        # T0 = 1 March 2025 for both; the window closed on 1 June: 1 of 2.
        assert consent_reach_rows(s, T) == [["W4_consent_reach", "cohort_year=2025", 1, 2, 50.0]]
        # Before the window closed nobody counts; after the consents expire neither.
        assert consent_reach_rows(s, date(2025, 5, 31)) == []
        assert consent_reach_rows(s, date(2026, 3, 3)) == []
        # Withdrawal ends the link and deletes the person's visits.
        assert withdraw_consent(s, codes[0], date(2025, 6, 15)) == 1
        s.commit()
    with maker() as s:
        assert consent_reach_rows(s, T) == [["W4_consent_reach", "cohort_year=2025", 0, 1, 0.0]]
        assert s.scalar(select(func.count()).select_from(ConsentVisit)) == 1
        with pytest.raises(ConsentError, match="withdrawn already"):
            withdraw_consent(s, codes[0], date(2025, 6, 16))


def test_staff_register_a_card_and_see_no_person(shared_db):
    with make_sessionmaker(shared_db)() as s:
        code = give_consent(s, "P1", "reach", date(2025, 3, 1)).code
        s2 = s.scalar(select(ActivitySession).where(ActivitySession.session_ref == "S2"))
        s.commit()
    c = login(client(wh_app(shared_db)), "staff1")
    page = c.get(f"/welcomehouse/sessions/{s2.id}")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
    r = c.post(f"/welcomehouse/sessions/{s2.id}/visits", data={"csrf_token": token,
                                                               "code": code.lower()})  # fmt: skip
    assert r.headers["location"].endswith("saved=1")
    r = c.post(f"/welcomehouse/sessions/{s2.id}/visits", data={"csrf_token": token,
                                                               "code": "WH-AAAA-AAAA"})  # fmt: skip
    assert "refused=" in r.headers["location"]
    after = c.get(f"/welcomehouse/sessions/{s2.id}")
    assert "P1" not in after.text and "010590" not in after.text
    with make_sessionmaker(shared_db)() as s:
        assert s.scalar(select(func.count()).select_from(ConsentVisit)) == 1
