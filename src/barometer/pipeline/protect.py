"""Disclosure control of every input before anything reaches a store (DOMAIN.md §4.4).

Each input is protected on its own, by the rule that fits what it counts:

* **persons counted** (registers, ready-made figures, StatBank tables, the programme's
  aggregates): primary suppression of small counts and secondary suppression so that no hidden
  cell can be worked out from the published ones (``barometer.disclosure``). Cells the source
  itself withheld (StatBank's ``..``) stay withheld with the source's reason. A rate given
  without its counts, and a gap given as a value alone, cannot be judged and are published as
  given; a gap whose component rates are in the same input is hidden whenever one of them is;
* **survey answers**: a cell is published only with at least max(the minimum respondents of
  its indicator, the threshold) valid answers (the same rule for the shares by district);
* **housing lists** count areas on public lists, not persons, and are published as they are.

The result per input is cached in its inputs file under a key of the threshold and the
disclosure rules' source, so adding a survey does not re-run the register protection.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

import numpy as np
import pandas as pd

from barometer.catalogue.models import GapIndicator, Indicator, RateIndicator
from barometer.disclosure import protect as protect_cells
from barometer.inputs import KEY, Input
from barometer.settings import BuildSettings

REASON_FEW_RESPONDENTS = "survey_min_respondents"
STATUS = "suppressed_primary"


@cache
def rules_digest() -> str:
    """A digest of the disclosure package's code: a change of rules invalidates the cache."""
    h = hashlib.sha256()
    folder = resources.files("barometer.disclosure")
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".py"):
            h.update(entry.name.encode())
            h.update(entry.read_bytes())
    return h.hexdigest()[:16]


def protection_key(inp: Input, settings: BuildSettings) -> str:
    return f"threshold={settings.disclosure_threshold};rules={rules_digest()};input={inp.sha256}"


def denominator_keys(catalogue: dict[str, Indicator]) -> dict[str, str]:
    """Rate indicators with the same population share their denominator cells (e.g. the
    employment rate and the public-support share of the 16-64-year-olds); suppression must
    treat them as one, or one would reveal what the other hides."""
    return {
        ind.id: "pop:" + ind.filters.model_dump_json(exclude_none=True)
        for ind in catalogue.values()
        if isinstance(ind, RateIndicator)
    }


def protect_input(
    inp: Input, catalogue: dict[str, Indicator], settings: BuildSettings
) -> pd.DataFrame:
    """Status and reason per cell of ``inp`` (KEY columns + status, reason), cached."""
    key = protection_key(inp, settings)
    if inp.protected is not None and inp.protection == key:
        return inp.protected
    if inp.kind == "survey":
        result = _protect_survey(inp, settings)
    else:
        result = _protect_counts(inp, catalogue, settings)
    inp.protected, inp.protection = result, key
    return result


def _protect_counts(
    inp: Input, catalogue: dict[str, Indicator], settings: BuildSettings
) -> pd.DataFrame:
    cells = inp.cells
    kinds = cells["indicator_id"].map(lambda i: catalogue[i].kind)
    judged = ~kinds.eq("housing_count")
    gaps = {i.id: (i.of, i.reference) for i in catalogue.values() if isinstance(i, GapIndicator)}
    if inp.kind != "registers":
        # A gap given as a value alone cannot be judged; a gap with its component rates in
        # the same input (a StatBank gap from RAS201's counts) is hidden with them.
        present = set(cells["indicator_id"].unique())
        with_parts = cells["indicator_id"].map(lambda i: gaps.get(i, ("",))[0] in present)
        judged &= cells["unit"].isin(["pct", "count"]) | (cells["unit"].eq("pp") & with_parts)
    status = pd.Series("ok", index=cells.index, dtype=object)
    reason = pd.Series(None, index=cells.index, dtype=object)
    if judged.any():
        out = protect_cells(
            cells[judged].reset_index(drop=True),
            threshold=settings.disclosure_threshold,
            gaps=gaps,
            shared_denominators=denominator_keys(catalogue) if inp.kind == "registers" else None,
            workers=settings.disclosure_workers,
        )
        status[judged] = out["status"].to_numpy()
        reason[judged] = out["reason"].to_numpy()
    withheld = cells["status"].ne("ok")  # suppressed by the source itself
    status[withheld] = cells.loc[withheld, "status"]
    reason[withheld] = cells.loc[withheld, "reason"]
    return cells[KEY].assign(status=status.to_numpy(), reason=reason.to_numpy())


def survey_minimum(inp: Input, settings: BuildSettings, indicators: pd.Series) -> np.ndarray:
    """The fewest valid answers a survey cell of each indicator needs: the input's minimum for
    the indicator (command line, spec or catalogue; an older input has one number for all),
    never below the store's threshold."""
    given = inp.details.get("min_respondents", 0)
    per = indicators.map(given) if isinstance(given, dict) else pd.Series(given, indicators.index)
    per = per.fillna(0).astype(int).to_numpy()
    return np.maximum(per, settings.disclosure_threshold)


def _protect_survey(inp: Input, settings: BuildSettings) -> pd.DataFrame:
    cells = inp.cells
    detail = inp.tables.get("survey_cells")
    minimum = survey_minimum(inp, settings, cells["indicator_id"])
    respondents = (
        cells[KEY].merge(detail[[*KEY, "respondents"]], on=KEY, how="left")["respondents"]
        if detail is not None
        else pd.Series(np.nan, index=cells.index)
    )
    few = ~(respondents.to_numpy(dtype=float) >= minimum) | cells["value"].isna().to_numpy()
    status = np.where(few, STATUS, cells["status"].to_numpy())
    reason = np.where(few, REASON_FEW_RESPONDENTS, cells["reason"].to_numpy())
    return cells[KEY].assign(status=status, reason=reason)
