"""The mapping files: every variable and code named with both labels, and bad files refused."""

from __future__ import annotations

import json

import pytest

from barometer.errors import CatalogueError
from barometer.sources.statbank.mapping import (
    Breakdown,
    CodeRef,
    Mapping,
    Select,
    VariableRef,
    load_mapping,
    load_mappings,
)
from barometer.sources.statbank.resolve import Resolver, is_total_label
from barometer.sources.statbank.tableinfo import parse_tableinfo

from fixtures.statbank_server import RECORDED


def references(mapping: Mapping) -> list[VariableRef | CodeRef]:
    """Every variable and code a mapping names (the time variable aside)."""
    refs: list = [mapping.area] if mapping.area else []
    refs += list(mapping.areas or [])
    for bd in (mapping.origin, mapping.sex):
        if isinstance(bd, Breakdown):
            refs += [bd.variable, *bd.codes]
    if mapping.age:
        refs += [mapping.age.variable, mapping.age.code(30)]
    selects: list[Select] = list(mapping.select)
    for t in mapping.indicators:
        selects += t.select
        if t.ratio:
            refs += [t.ratio.variable, *t.ratio.numerator]
            refs += [] if t.ratio.denominator == "total" else list(t.ratio.denominator)
        if t.bands:
            refs += [t.bands.variable, *t.bands.codes]
    for s in selects:
        refs += [s.variable, *s.codes]
    return refs


@pytest.mark.parametrize("table", sorted(load_mappings()))
def test_every_shipped_mapping_names_each_variable_and_code_in_both_languages(table) -> None:
    mapping = load_mappings()[table]
    refs = references(mapping)
    assert len(refs) > 5
    missing = [r for r in refs if not (r.da and r.en)]
    assert missing == [], f"{table}: labels missing for {missing}"
    assert all(t.differences or t.unit == "count" for t in mapping.indicators)


def test_a_bad_mapping_file_names_the_file(tmp_path) -> None:
    good = load_mappings()["FOLK1E"].model_dump(mode="json", by_alias=True, exclude_none=True)
    wrong_name = tmp_path / "RAS200.yaml"
    wrong_name.write_text(json.dumps(good), encoding="utf-8")
    with pytest.raises(CatalogueError, match="table FOLK1E does not match the file name"):
        load_mapping(wrong_name)
    bad = json.loads(json.dumps(good))
    bad["origin"]["codes"][0]["as"] = "martians"
    path = tmp_path / "FOLK1E.yaml"
    path.write_text(json.dumps(bad), encoding="utf-8")
    with pytest.raises(
        CatalogueError,
        match=r"FOLK1E.yaml: invalid StatBank mapping: the file: Value error, origin: unknown target codes \['martians'\]$",
    ):
        load_mapping(path)
    with pytest.raises(CatalogueError, match="the mappings folder does not exist"):
        load_mappings(tmp_path / "nowhere")
    rate = json.loads(json.dumps(good))
    rate["indicators"][0] |= {"unit": "pct", "kind": "ratio"}
    path.write_text(json.dumps(rate), encoding="utf-8")
    with pytest.raises(CatalogueError, match="kind 'ratio' and block 'ratio' do not fit"):
        load_mapping(path)


def test_totals_are_known_by_their_labels_in_the_real_tableinfo() -> None:
    for name in ("table_info_straf42.body.json", "table_info_straf42_da.body.json"):
        info = parse_tableinfo((RECORDED / name).read_text("utf-8"), "STRAF42")
        r = Resolver(info, "test")
        totals = {v.id: r.total(v) for v in info.variables if not v.time}
        assert totals == {
            "HERKOMST1": ["00"],
            "OVERTRÆD": ["TOT"],
            "AFGØRELSE": ["000"],
            "ALDER": ["TOT"],
            "KØN": ["TOT"],
        }
    assert not is_total_label("Men") and not is_total_label("Totalt forbud")
