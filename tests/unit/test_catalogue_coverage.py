"""One definition drives everything: every indicator id used anywhere is defined in the catalogue,
and every definition has something that produces its figures."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

from barometer.catalogue import load_catalogue, load_goal_sets, register_indicators
from barometer.programme.aggregates import INDICATOR_DEFINITIONS as PROGRAMME_FEED
from barometer.sources.statbank.mapping import load_mappings
from barometer.sources.surveys.spec import load_spec, specs_dir
from barometer.welcomehouse.aggregates import INDICATOR_DEFINITIONS as WELCOMEHOUSE_FEED

SRC = Path(__file__).resolve().parents[2] / "src" / "barometer"
CATALOGUE = load_catalogue()
# Quoted names shaped like the catalogue's ids (a word with an indicator's usual parts).
ID_LIKE = re.compile(
    r"""["']((?:[a-z0-9]+_)*(?:rate|share|gap|population|housing|convicted|grade9|education|"""
    r"""danish_test|unsafe|discriminated|member|health)(?:_[a-z0-9]+)*)["']"""
)
NOT_IDS = {
    # names of the same shape that are not indicator ids: fields, settings, parameters
    "population_def", "share", "population", "housing", "education", "health", "non_western_share",
    "outside_labour_share_18_64", "convicted_share_18plus", "national_convicted_share_18plus",
    "basic_education_only_share_30_59", "education_level", "employment_rate", "share_non_western",
    "share_immigrants_descendants", "log10_population", "housing_stats", "housing_areas",
    "housing_criteria", "housing_warning", "housing_count", "housing_title", "housing_title_dk",
    "housing_title_area", "housing_intro", "housing_missing", "housing_none", "gap_definition",
    "danish_test", "disclosure_threshold", "convicted", "rate", "gap", "peer_value",
    "education_threshold", "education_value", "education_met", "crime_share",
    "convicted_ratio_to_national", "fmt_share", "housing_area", "housing_counts", "nav_housing",
    "hidden_share", "housing_cells_note", "housing_page_intro", "housing_warning_intro",
    "housing_warning_year",
}  # fmt: skip


# Where code names indicators by id: the publishers, the pipeline and the statistics over its
# output. (The synthetic generator's calibration targets and the register layouts use names of
# the same shape for other things.)
SCANNED = ("publish", "pipeline", "stats", "goals", "cli", "store")


def used_in_code() -> set[str]:
    found = set()
    for path in (p for part in SCANNED for p in (SRC / part).rglob("*")):
        if path.suffix not in (".py", ".html", ".j2"):
            continue
        for match in ID_LIKE.finditer(path.read_text(encoding="utf-8")):
            found.add(match.group(1))
    return found - NOT_IDS


def test_every_id_named_in_the_code_is_defined():
    unknown = sorted(i for i in used_in_code() if i not in CATALOGUE)
    assert unknown == [], f"ids named in src/ but not defined in the catalogue: {unknown}"


def test_goal_sets_mappings_and_survey_specs_name_defined_indicators():
    for goal_set in load_goal_sets(catalogue=CATALOGUE):  # validated against the catalogue
        for goal in goal_set.goals:
            assert {i.indicator_id for i in goal.indicators} <= set(CATALOGUE)
    for mapping in load_mappings().values():
        for target in mapping.indicators:
            assert CATALOGUE[target.id].unit == target.unit
        for gap in mapping.gaps:
            assert CATALOGUE[gap.id].kind == "gap"
    for path in specs_dir().glob("*.yaml"):
        for ind in load_spec(path).indicators:
            assert CATALOGUE[ind.id].kind == "survey", ind.id


def test_every_definition_has_something_that_produces_it():
    produced = set(register_indicators(CATALOGUE))  # computed from the registers
    produced |= {i for i, d in CATALOGUE.items() if d.kind == "housing_count"}  # the lists
    for m in load_mappings().values():  # StatBank tables
        produced |= {t.id for t in m.indicators} | {g.id for g in m.gaps}
    for path in specs_dir().glob("*.yaml"):  # the shipped survey specs
        produced |= {i.id for i in load_spec(path).indicators}
    produced |= set(PROGRAMME_FEED) | set(WELCOMEHOUSE_FEED)  # the case modules' aggregates
    assert sorted(set(CATALOGUE) - produced) == []
    for kind, feed in (("programme", PROGRAMME_FEED), ("welcomehouse", WELCOMEHOUSE_FEED)):
        for ind_id in feed:  # what the module computes is what the catalogue defines
            assert CATALOGUE[ind_id].kind == kind
            assert CATALOGUE[ind_id].unit == feed[ind_id]["unit"]


def test_every_housing_list_of_the_rules_has_a_count():
    rules = yaml.safe_load((SRC / "housing" / "rules.yaml").read_text(encoding="utf-8"))
    text = yaml.safe_dump(rules)
    lists = {d.list for d in CATALOGUE.values() if d.kind == "housing_count"}
    for name in ("udsat", "parallelsamfund", "omdannelsesomraade", "forebyggelsesomraade"):
        assert name in lists and name in text


def test_the_check_finds_ids():
    # The scan means something only if it sees the ids the code does name.
    assert {"employment_rate_25_64", "employment_rate_16_64"} <= used_in_code()
