"""``barometer survey import``: respondents → weighted shares → an input of the store.

Everything is validated before any store is touched: a missing or negative weight, an unknown
answer code or an unknown area stops the import with the file, column and rows. Which cells
are published (minimum respondents) is decided by the pipeline's finishing stage, like every
other input's disclosure control; respondents never leave this module, only cells do.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.catalogue.models import Indicator
from barometer.codes import area_codes
from barometer.errors import InputError
from barometer.inputs import KEY, Input, checksum_file
from barometer.settings import MIN_DISCLOSURE_THRESHOLD as MIN_RESPONDENTS
from barometer.sources.surveys.estimate import shares_from_sums
from barometer.sources.surveys.read import read_respondents
from barometer.sources.surveys.spec import CodedColumn, SurveySpec, code_text, load_spec

DETAIL_COLUMNS = ("respondents", "n_eff", "weight_yes", "weight_sum", "share")
DISTRICT_COLUMNS = (
    "indicator_id",
    "area_code",
    "year",
    "district_code",
    "district_name",
    *DETAIL_COLUMNS,
)

# Origin groups as sets of disjoint atoms, so that a respondent coded with any group
# belongs to every published group containing it (DOMAIN.md §4.1-4.2: MENAPT is a part
# of non-Western; the roll-ups are unions of the five detailed groups).
_ATOMS = {
    "danish_origin": {"do"},
    "immigrants_western": {"iw"},
    "descendants_western": {"dw"},
    "immigrants_non_western": {"inw_m", "inw_o"},
    "descendants_non_western": {"dnw_m", "dnw_o"},
    "menapt": {"inw_m", "dnw_m"},
}
_ATOMS["immigrants"] = _ATOMS["immigrants_western"] | _ATOMS["immigrants_non_western"]
_ATOMS["descendants"] = _ATOMS["descendants_western"] | _ATOMS["descendants_non_western"]
_ATOMS["western"] = _ATOMS["immigrants_western"] | _ATOMS["descendants_western"]
_ATOMS["non_western"] = _ATOMS["immigrants_non_western"] | _ATOMS["descendants_non_western"]
_ATOMS["all"] = set().union(*_ATOMS.values())


def _rows(mask: pd.Series) -> list[int]:
    return (np.flatnonzero(mask.to_numpy()) + 1).tolist()


def _require_columns(df: pd.DataFrame, spec: SurveySpec, path: Path) -> None:
    if spec.weight not in df.columns:
        raise InputError(
            "missing weight column (the spec's 'weight'); a survey without weights cannot "
            "give population shares",
            path=path,
            column=spec.weight,
        )
    named = {
        "year_column": spec.year_column,
        "area_column": spec.area_column,
        "origin.column": spec.origin.column if spec.origin else None,
        "sex.column": spec.sex.column if spec.sex else None,
        "district.column": spec.district.column if spec.district else None,
        **{f"filters[{i}]": f.column for i, f in enumerate(spec.filters)},
        **{f"indicator {i.id}": i.question for i in spec.indicators},
        **{
            f"indicator {i.id} filters[{k}]": f.column
            for i in spec.indicators
            for k, f in enumerate(i.filters)
        },
    }
    for role, col in named.items():
        if col is not None and col not in df.columns:
            raise InputError(f"missing column (named by the spec's {role})", path=path, column=col)


def _weights(df: pd.DataFrame, spec: SurveySpec, path: Path) -> pd.Series:
    raw = df[spec.weight]
    w = pd.to_numeric(raw, errors="coerce")
    bad = w.isna() & raw.notna() & (raw.astype(str).str.strip() != "")
    if bad.any():
        raise InputError(
            "weight is not a number",
            path=path,
            column=spec.weight,
            rows=_rows(bad),
            count=int(bad.sum()),
        )
    if w.isna().any():
        m = w.isna()
        raise InputError(
            "weight is missing", path=path, column=spec.weight, rows=_rows(m), count=int(m.sum())
        )
    neg = w < 0
    if neg.any():
        raise InputError(
            "negative weight", path=path, column=spec.weight, rows=_rows(neg), count=int(neg.sum())
        )
    if not np.isfinite(w).all():
        m = ~np.isfinite(w)
        raise InputError("weight is not finite", path=path, column=spec.weight, rows=_rows(m))
    return w.astype(float)


def _codes(series: pd.Series) -> pd.Series:
    """Answer codes as text ('1' for 1, 1.0 and '1'); blanks and NaN become None."""
    return series.map(lambda v: None if pd.isna(v) or str(v).strip() == "" else code_text(v))


def _unknown(codes: pd.Series, allowed: set[str], path: Path, column: str, what: str) -> None:
    bad = codes.notna() & ~codes.isin(allowed)
    if bad.any():
        found = ", ".join(repr(c) for c in sorted(codes[bad].unique())[:5])
        raise InputError(
            f"unknown {what} code(s) {found}; the spec allows {sorted(allowed)}",
            path=path,
            column=column,
            rows=_rows(bad),
            count=int(bad.sum()),
        )


def _coded(df: pd.DataFrame, cc: CodedColumn, path: Path, what: str) -> pd.Series:
    codes = _codes(df[cc.column])
    _unknown(codes, set(cc.codes) | set(cc.missing), path, cc.column, what)
    return codes.map(lambda c: cc.codes.get(c) if c is not None else None)


def prepare(df: pd.DataFrame, spec: SurveySpec, path: Path) -> tuple[pd.DataFrame, int]:
    """Validated respondent frame (weight, year, area, origin, sex, answers as text codes)."""
    _require_columns(df, spec, path)
    out = pd.DataFrame(index=df.index)
    out["weight"] = _weights(df, spec, path)
    if spec.year is not None:
        out["year"] = spec.year
    else:
        y = pd.to_numeric(df[spec.year_column], errors="coerce")
        bad = y.isna() | (y % 1 != 0)
        if bad.any():
            raise InputError(
                "year is not a whole number", path=path, column=spec.year_column, rows=_rows(bad)
            )
        out["year"] = y.astype(int)
    known = set(area_codes())
    if spec.area is not None:
        if spec.area.zfill(3) not in known:
            raise InputError(f"the spec's area {spec.area!r} is not an area code")
        out["area_code"] = spec.area.zfill(3)
    else:
        a = _codes(df[spec.area_column]).map(lambda c: c.zfill(3) if c and c.isdigit() else c)
        _unknown(a, known, path, spec.area_column, "area")
        if a.isna().any():
            raise InputError(
                "area is missing", path=path, column=spec.area_column, rows=_rows(a.isna())
            )
        out["area_code"] = a
    for a in [*(spec.areas or []), *([spec.total_area] if spec.total_area else [])]:
        if a.zfill(3) not in known:
            raise InputError(f"the spec's area {a!r} is not an area code")
    out["origin"] = _coded(df, spec.origin, path, "origin") if spec.origin else None
    out["sex"] = _coded(df, spec.sex, path, "sex") if spec.sex else None
    if spec.district:
        d = spec.district
        codes = _codes(df[d.column])
        _unknown(codes, set(d.codes) | set(d.missing), path, d.column, "district")
        out["district"] = codes.map(lambda c: c if c in d.codes else None)
    for ind in spec.indicators:
        yes, no, missing = ind.code_sets()
        codes = _codes(df[ind.question])
        _unknown(codes, yes | no | missing, path, ind.question, f"answer ({ind.id})")
        out[f"yes:{ind.id}"] = codes.isin(yes)
        out[f"valid:{ind.id}"] = codes.isin(yes | no) & _in_ranges(df, ind.filters)
    keep = _in_ranges(df, spec.filters)
    return out[keep].reset_index(drop=True), int((~keep).sum())


def _in_ranges(df: pd.DataFrame, filters: list) -> pd.Series:
    """Respondents whose numeric columns lie in every filter's [min, max]."""
    keep = pd.Series(True, index=df.index)
    for f in filters:
        v = pd.to_numeric(df[f.column], errors="coerce")
        ok = v.notna()
        if f.min is not None:
            ok &= v >= f.min
        if f.max is not None:
            ok &= v <= f.max
        keep &= ok
    return keep


def _published_areas(resp: pd.DataFrame, spec: SurveySpec) -> pd.DataFrame:
    """The respondents once per area they are published for: their own area (if the spec
    publishes it) and the spec's total area."""
    parts = [resp]
    if spec.areas is not None:
        parts = [resp[resp["area_code"].isin([a.zfill(3) for a in spec.areas])]]
    if spec.total_area is not None:
        parts.append(resp.assign(area_code=spec.total_area.zfill(3)))
    return pd.concat(parts, ignore_index=True)


def _weighted_sums(
    data: pd.DataFrame, mask: pd.Series, ind_id: str, keys: list[str]
) -> pd.DataFrame:
    """Per ``keys``: valid answers, Σw, Σw² and Σw·y of the respondents in ``mask``."""
    sel = data[mask & data[f"valid:{ind_id}"]]
    w = sel["weight"]
    frame = pd.DataFrame(
        {
            **{k: sel[k] for k in keys},
            "respondents": 1,
            "weight_sum": w,
            "weight_sq": w * w,
            "weight_yes": w.where(sel[f"yes:{ind_id}"], 0.0),
        }
    )
    return frame.groupby(keys, sort=True, dropna=True).sum().reset_index()


def estimate_cells(resp: pd.DataFrame, spec: SurveySpec) -> pd.DataFrame:
    """One row per indicator × area × year × published origin group × sex (unprotected).

    Every combination of a published area and a year with respondents gets a row, also where a
    group has no valid answer (its share is then empty and the pipeline withholds it).
    """
    data = _published_areas(resp, spec)
    sexes = ["all", "male", "female"] if spec.sex else ["all"]
    atoms = data["origin"].map(lambda g: frozenset(_ATOMS[g]) if isinstance(g, str) else None)
    keys = ["area_code", "year"]
    frames = []
    for group in spec.publish_origin_groups:
        if group == "all":
            in_group = pd.Series(True, index=data.index)
        else:
            target = _ATOMS[group]
            in_group = atoms.map(lambda a, t=target: a is not None and a <= t).astype(bool)
        for sex in sexes:
            in_sex = in_group if sex == "all" else in_group & (data["sex"] == sex)
            for ind in spec.indicators:
                sums = _weighted_sums(data, in_sex, ind.id, keys)
                frames.append(sums.assign(indicator_id=ind.id, origin_group=group, sex=sex))
    combos = data[keys].drop_duplicates()
    full = combos.merge(
        pd.DataFrame(
            [
                (ind.id, g, s)
                for g in spec.publish_origin_groups
                for s in sexes
                for ind in spec.indicators
            ],
            columns=["indicator_id", "origin_group", "sex"],
        ),
        how="cross",
    )
    cells = full.merge(pd.concat(frames, ignore_index=True), how="left", on=list(full.columns))
    cells[["respondents", "weight_sum", "weight_sq", "weight_yes"]] = cells[
        ["respondents", "weight_sum", "weight_sq", "weight_yes"]
    ].fillna(0)
    cells = shares_from_sums(cells)
    known = cells["share"].notna()
    cells["respondents"] = cells["respondents"].astype(int)
    cells["year"] = cells["year"].astype(int)
    cells["value"] = (100 * cells["share"]).where(known)
    cells["numerator"] = (cells["share"] * cells["n_eff"]).where(known)
    cells["denominator"] = cells["n_eff"].where(known)
    cells["share"] = cells["share"].astype(object).where(known, None)
    cells = cells.assign(unit="pct", status="ok", reason=None)
    order = {ind.id: i for i, ind in enumerate(spec.indicators)}
    cells = cells.sort_values(
        ["area_code", "year", "indicator_id", "origin_group", "sex"],
        key=lambda c: c.map(order) if c.name == "indicator_id" else c,
    )
    return cells.reset_index(drop=True)[
        [
            *KEY,
            *DETAIL_COLUMNS,
            "value",
            "numerator",
            "denominator",
            "unit",
            "status",
            "reason",
        ]
    ]


def estimate_districts(resp: pd.DataFrame, spec: SurveySpec) -> pd.DataFrame:
    """Shares by district (everyone, both sexes) per indicator × area × year (unprotected)."""
    if spec.district is None:
        return pd.DataFrame(columns=list(DISTRICT_COLUMNS))
    data = _published_areas(resp, spec)
    data = data[data["district"].notna() & ~data["area_code"].eq(spec.total_area)]
    keys = ["area_code", "year", "district"]
    frames = [
        _weighted_sums(data, pd.Series(True, index=data.index), ind.id, keys).assign(
            indicator_id=ind.id
        )
        for ind in spec.indicators
    ]
    out = shares_from_sums(pd.concat(frames, ignore_index=True))
    out = out.rename(columns={"district": "district_code"})
    out["district_name"] = out["district_code"].map(spec.district.codes)
    out["respondents"] = out["respondents"].astype(int)
    out["year"] = out["year"].astype(int)
    out["share"] = out["share"].astype(object).where(out["share"].notna(), None)
    return out[list(DISTRICT_COLUMNS)].reset_index(drop=True)


def survey_input(
    file: Path,
    spec: Path | SurveySpec,
    catalogue: dict[str, Indicator],
    *,
    min_respondents: int | None = None,
) -> Input:
    """One respondent file under its spec as an input (``barometer survey import``)."""
    file = Path(file)
    spec_path = None if isinstance(spec, SurveySpec) else Path(spec)
    spec = spec if isinstance(spec, SurveySpec) else load_spec(spec_path)
    where = spec_path or file
    for ind in spec.indicators:
        defined = catalogue.get(ind.id)
        if defined is None or defined.kind != "survey":
            raise InputError(
                f"indicator {ind.id!r} of the spec is not a survey indicator of the catalogue; "
                "add a definition of kind 'survey' for it (docs/sources.md)",
                path=where,
            )
    given = min_respondents if min_respondents is not None else spec.min_respondents
    if given is not None and given < MIN_RESPONDENTS:
        raise InputError(
            f"min_respondents must be at least {MIN_RESPONDENTS}, got {given}", path=where
        )
    # The command line's minimum, else the spec's, else each definition's (catalogue).
    minimum = {
        ind.id: given if given is not None else catalogue[ind.id].min_respondents
        for ind in spec.indicators
    }
    resp, filtered_out = prepare(read_respondents(file), spec, file)
    if resp.empty:
        raise InputError("no respondents left after the spec's filters", path=file)
    cells = estimate_cells(resp, spec)
    tables = {"survey_cells": cells[[*KEY, *DETAIL_COLUMNS]]}
    if spec.district is not None:
        tables["survey_districts"] = estimate_districts(resp, spec)
    spec_json = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    return Input(
        source=f"survey:{spec.name}",
        kind="survey",
        location=str(file.resolve()),
        sha256=checksum_file(file),
        bytes=file.stat().st_size,
        cells=cells.drop(columns=list(DETAIL_COLUMNS)),
        synthetic=spec.synthetic,
        details={
            "spec": json.loads(spec_json),
            "spec_path": str(spec_path.resolve()) if spec_path else None,
            "spec_sha256": hashlib.sha256(spec_json.encode()).hexdigest(),
            "title": spec.title.model_dump(),
            "respondents": len(resp),
            "filtered_out": filtered_out,
            "min_respondents": minimum,
        },
        tables=tables,
    )
