"""The indicator catalogue: every definition validates; bad definitions give clear errors."""

from __future__ import annotations

import shutil

import pytest
import yaml

from barometer.catalogue import load_catalogue, register_indicators
from barometer.catalogue.loader import builtin_dir, load_definition
from barometer.codes.vocab import THEMES
from barometer.errors import CatalogueError

IDS = [
    "population",
    "employment_rate_25_64",
    "employment_gap_25_64",
    "employment_rate_16_64",
    "grade9_danish_math_2plus",
    "youth_education_20_24",
    "higher_education_25_39",
    "grade9_oral_danish_2plus",
    "danish_test_within_5y",
    "public_support_share",
    "public_support_gap",
    "convicted_share_men_15_29",
    "convicted_share_15_79",
    "leisure_job_15_17",
]  # the stable identifiers the foundation issue fixes, and the leisure jobs of issue #16


HOUSING_COUNTS = [
    "housing_parallelsamfund",
    "housing_omdannelsesomraader",
    "housing_udsatte_boligomraader",
    "housing_forebyggelsesomraader",
]
SURVEYS = [
    "unsafe_in_neighbourhood",
    "unsafe_evening_night",
    "felt_discriminated_last_year",
    "association_member",
    "recognises_democratic_values",
    "restricted_partner_choice",
    "restricted_education_friends_choice",
    "rejects_gender_equality",
    "feels_included",
    "good_self_rated_health",
    "high_stress",
    "national_feels_included",
    "national_experienced_discrimination",
    "national_restricted_partner_choice",
]
EXTERNAL = ["convicted_persons_all_offences"]
PROGRAMME = [
    "programme_cohort",
    "programme_company_offer_1m",
    "programme_into_company_1y",
    "programme_igu_start_3y",
    "programme_employed_3y",
    "programme_qualifying_job_3y",
]
WELCOMEHOUSE = [
    "welcomehouse_active_volunteers",
    "welcomehouse_active_organisations",
    "welcomehouse_attendance",
    "welcomehouse_volunteer_hours",
]


def test_catalogue_has_exactly_the_stable_ids():
    catalogue = load_catalogue()
    assert sorted(register_indicators(catalogue)) == sorted(IDS)
    assert sorted(catalogue) == sorted(
        IDS + HOUSING_COUNTS + SURVEYS + EXTERNAL + PROGRAMME + WELCOMEHOUSE
    )
    kinds = {i: catalogue[i].kind for i in catalogue}
    assert {kinds[i] for i in HOUSING_COUNTS} == {"housing_count"}
    assert {kinds[i] for i in SURVEYS} == {"survey"}
    assert {kinds[i] for i in EXTERNAL} == {"external"}
    assert {kinds[i] for i in PROGRAMME} == {"programme"}
    assert {kinds[i] for i in WELCOMEHOUSE} == {"welcomehouse"}


def test_display_order_follows_the_themes():
    # The catalogue comes in display order; the themes of that order are the vocabulary's
    # theme order (population, work, education, danish, public support, housing, crime, …).
    themes = [i.theme for i in load_catalogue().values()]
    first_seen = list(dict.fromkeys(themes))
    assert first_seen == [t for t in THEMES if t in first_seen]


def test_two_indicators_cannot_share_a_place(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_rate_16_64.yaml", lambda x: x.update(order=21))
    with pytest.raises(CatalogueError, match="the same order 21"):
        load_catalogue(d)


@pytest.mark.parametrize("ind_id", IDS)
def test_definition_is_complete(ind_id):
    ind = load_catalogue()[ind_id]
    assert ind.title.da and ind.title.en and ind.description.da and ind.description.en
    assert ind.domain_ref.startswith("§")
    if ind.kind in ("rate", "grade9", "danish_test"):
        assert ind.unit == "pct"
    if ind.kind == "gap":
        assert ind.unit == "pp" and "non_western" in ind.focus_groups


def _copy(tmp_path):
    d = tmp_path / "cat"
    shutil.copytree(builtin_dir(), d)
    return d


def _edit(path, change):
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, allow_unicode=True))


def test_unknown_key_is_an_error(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_rate_25_64.yaml", lambda x: x.update(colour="blue"))
    with pytest.raises(
        CatalogueError, match=r"(?s)employment_rate_25_64.yaml.*colour: Extra inputs"
    ):
        load_catalogue(d)


def test_unknown_filter_key_is_an_error(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_rate_25_64.yaml", lambda x: x["filters"].update(height={"min": 1}))
    with pytest.raises(CatalogueError, match=r"filters.height"):
        load_catalogue(d)


def test_reversed_range_is_an_error(tmp_path):
    d = _copy(tmp_path)
    _edit(
        d / "employment_rate_25_64.yaml", lambda x: x["filters"].update(age={"min": 64, "max": 25})
    )
    with pytest.raises(CatalogueError, match=r"min 64\.0 is above max 25\.0"):
        load_catalogue(d)


def test_numerator_needs_exactly_one_condition(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_rate_25_64.yaml", lambda x: x["numerator"].update(convicted=True))
    with pytest.raises(CatalogueError, match="exactly one condition"):
        load_catalogue(d)


def test_id_must_match_file_name(tmp_path):
    d = _copy(tmp_path)
    (d / "employment_rate_25_64.yaml").rename(d / "jobs.yaml")
    with pytest.raises(CatalogueError, match="does not match the file name"):
        load_catalogue(d)


def test_gap_must_name_a_rate(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_gap_25_64.yaml", lambda x: x.update(of="population"))
    with pytest.raises(CatalogueError, match="must name a rate indicator"):
        load_catalogue(d)


def test_unknown_origin_group_in_gap(tmp_path):
    d = _copy(tmp_path)
    _edit(d / "employment_gap_25_64.yaml", lambda x: x.update(focus_groups=["martians"]))
    with pytest.raises(CatalogueError, match="unknown origin group 'martians'"):
        load_catalogue(d)


def test_a_user_catalogue_with_a_custom_age_band(tmp_path):
    """UNCONFIRMED choices are parameters: a user can change the public-support age band."""
    d = _copy(tmp_path)
    _edit(
        d / "public_support_share.yaml", lambda x: x["filters"].update(age={"min": 18, "max": 64})
    )
    assert load_definition(d / "public_support_share.yaml").filters.age.min == 18
