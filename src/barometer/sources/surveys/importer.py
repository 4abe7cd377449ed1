"""``barometer survey import``: respondents → weighted shares → observations with provenance.

Everything is validated before the store is touched: a missing or negative weight, an
unknown answer code or an unknown area stops the import with the file, column and rows, and
the store stays as it was (``add_observations`` swaps a finished copy in).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from barometer.codes import area_codes
from barometer.errors import InputError
from barometer.sources.files import ExtraTable, ImportRecord, add_observations, checksum_file
from barometer.sources.surveys.estimate import weighted_share
from barometer.sources.surveys.read import read_respondents
from barometer.sources.surveys.spec import CodedColumn, SurveySpec, code_text, load_spec

SURVEY_CELLS_DDL = """
CREATE TABLE IF NOT EXISTS survey_cells (
    import_id    VARCHAR NOT NULL,   -- imports.import_id
    indicator_id VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    origin_group VARCHAR NOT NULL,
    sex          VARCHAR NOT NULL,
    respondents  BIGINT NOT NULL,    -- valid answers in the cell, unweighted
    n_eff        DOUBLE,             -- Kish effective sample size (Σw)²/Σw²
    weight_yes   DOUBLE,             -- Σw over 'yes' answers (null when not published)
    weight_sum   DOUBLE,             -- Σw over valid answers (null when not published)
    share        DOUBLE,             -- weight_yes / weight_sum, 0-1
    ci_low       DOUBLE,             -- Wilson interval on n_eff, 0-1
    ci_high      DOUBLE,
    PRIMARY KEY (indicator_id, area_code, year, origin_group, sex)
)
"""
REASON_FEW = "survey_min_respondents"
KEY_COLUMNS = ("indicator_id", "area_code", "year", "origin_group", "sex")
DETAIL_COLUMNS = ("respondents", "n_eff", "weight_yes", "weight_sum", "share", "ci_low", "ci_high")

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


@dataclass
class SurveyImportResult:
    store: Path
    source: str
    observations: int
    published: int
    suppressed: int
    respondents: int
    sha256: str


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
        **{f"filters[{i}]": f.column for i, f in enumerate(spec.filters)},
        **{f"indicator {i.id}": i.question for i in spec.indicators},
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
    out["origin"] = _coded(df, spec.origin, path, "origin") if spec.origin else None
    out["sex"] = _coded(df, spec.sex, path, "sex") if spec.sex else None
    for ind in spec.indicators:
        yes, no, missing = ind.code_sets()
        codes = _codes(df[ind.question])
        _unknown(codes, yes | no | missing, path, ind.question, f"answer ({ind.id})")
        out[f"yes:{ind.id}"] = codes.isin(yes)
        out[f"valid:{ind.id}"] = codes.isin(yes | no)
    keep = pd.Series(True, index=df.index)
    for f in spec.filters:
        v = pd.to_numeric(df[f.column], errors="coerce")
        ok = v.notna()
        if f.min is not None:
            ok &= v >= f.min
        if f.max is not None:
            ok &= v <= f.max
        keep &= ok
    return out[keep].reset_index(drop=True), int((~keep).sum())


def estimate_cells(resp: pd.DataFrame, spec: SurveySpec, min_respondents: int) -> pd.DataFrame:
    """One row per indicator × area × year × published origin group × sex."""
    records = []
    sexes = ["all", "male", "female"] if spec.sex else ["all"]
    atoms = resp["origin"].map(lambda g: frozenset(_ATOMS[g]) if isinstance(g, str) else None)
    for (area, year), part in resp.groupby(["area_code", "year"], sort=True):
        part_atoms = atoms.loc[part.index]
        for group in spec.publish_origin_groups:
            if group == "all":
                in_group = pd.Series(True, index=part.index)
            else:
                target = _ATOMS[group]
                in_group = part_atoms.map(lambda a, t=target: a is not None and a <= t).astype(bool)
            for sex in sexes:
                in_sex = in_group if sex == "all" else in_group & (part["sex"] == sex)
                for ind in spec.indicators:
                    sel = in_sex & part[f"valid:{ind.id}"]
                    est = weighted_share(
                        part.loc[sel, f"yes:{ind.id}"].to_numpy(),
                        part.loc[sel, "weight"].to_numpy(),
                        spec.confidence,
                    )
                    records.append((ind.id, area, int(year), group, sex, est))
    rows = []
    for ind_id, area, year, group, sex, est in records:
        publish = est.respondents >= min_respondents and est.share is not None
        rows.append(
            {
                "indicator_id": ind_id,
                "area_code": area,
                "year": year,
                "origin_group": group,
                "sex": sex,
                "respondents": est.respondents,
                "n_eff": est.n_eff,
                "weight_yes": est.weight_yes if publish else None,
                "weight_sum": est.weight_sum if publish else None,
                "share": est.share if publish else None,
                "ci_low": est.ci_low if publish else None,
                "ci_high": est.ci_high if publish else None,
                "value": 100 * est.share if publish else None,
                "numerator": est.share * est.n_eff if publish else None,
                "denominator": est.n_eff if publish else None,
                "unit": "pct",
                "status": "ok" if publish else "suppressed_primary",
                "reason": None if publish else REASON_FEW,
            }
        )
    return pd.DataFrame(rows)


def definition_of(spec: SurveySpec, ind_id: str) -> dict:
    ind = next(i for i in spec.indicators if i.id == ind_id)
    d = ind.model_dump(mode="json")
    d.update(
        kind="survey",
        area=ind.topic,  # as the catalogue's 'area' (work, crime, …): safety, health, …
        unit="pct",
        sources=[f"survey:{spec.name}"],
        survey={"name": spec.name, "title": spec.title.model_dump(), "synthetic": spec.synthetic},
        min_respondents=spec.min_respondents,
        interval="Wilson on Kish n_eff (docs/sources.md)",
    )
    return d


def import_survey(
    file: Path,
    spec: Path | SurveySpec,
    store: Path,
    *,
    min_respondents: int | None = None,
    replace: bool = False,
) -> SurveyImportResult:
    """Import one respondent file under its spec into ``store`` (created if missing)."""
    file = Path(file)
    spec_path = None if isinstance(spec, SurveySpec) else Path(spec)
    spec = spec if isinstance(spec, SurveySpec) else load_spec(spec_path)
    minimum = min_respondents if min_respondents is not None else spec.min_respondents
    if minimum < 1:
        raise InputError(f"min_respondents must be at least 1, got {minimum}")
    resp, filtered_out = prepare(read_respondents(file), spec, file)
    if resp.empty:
        raise InputError("no respondents left after the spec's filters", path=file)
    cells = estimate_cells(resp, spec, minimum)
    digest = checksum_file(file)
    spec_json = json.dumps(spec.model_dump(mode="json"), sort_keys=True, ensure_ascii=False)
    record = ImportRecord(
        kind="survey",
        source=f"survey:{spec.name}",
        location=str(file.resolve()),
        sha256=digest,
        bytes=file.stat().st_size,
        synthetic=spec.synthetic,
        details={
            "spec": json.loads(spec_json),
            "spec_path": str(spec_path.resolve()) if spec_path else None,
            "spec_sha256": hashlib.sha256(spec_json.encode()).hexdigest(),
            "respondents": len(resp),
            "filtered_out": filtered_out,
            "min_respondents": minimum,
            "confidence": spec.confidence,
        },
    )
    survey_cells = cells[[*KEY_COLUMNS, *DETAIL_COLUMNS]].assign(import_id=record.import_id)
    obs = cells.drop(columns=list(DETAIL_COLUMNS)).assign(
        # The observation scale is percent (goals/uncertainty.py); used if the store has them.
        ci_low=100 * cells["ci_low"].astype(float),
        ci_high=100 * cells["ci_high"].astype(float),
    )
    n = add_observations(
        store,
        obs,
        record,
        definitions={i.id: definition_of(spec, i.id) for i in spec.indicators},
        extra=[ExtraTable("survey_cells", SURVEY_CELLS_DDL, survey_cells)],
        replace=replace,
    )
    published = int((obs["status"] == "ok").sum())
    return SurveyImportResult(
        Path(store), record.source, n, published, n - published, len(resp), digest
    )
