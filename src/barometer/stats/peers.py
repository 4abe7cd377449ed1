"""Peer municipalities, peer-group values and rankings (ANCHORS.md §3, Kolada; noegletal.dk).

Why peers: a municipality's employment gap means more next to municipalities that look alike
(size, composition of the population, labour market, education) than next to the national
figure. Kolada offers a similarity search; noegletal.dk averages groups as ratio of sums.

Structural characteristics (one value per municipality, from the observations of one year):

* ``log10_population``: log10 of ``population`` (origin 'all', sex 'all'). The log keeps
  Copenhagen (650,000) from dominating the scale while 2,000-person islands sit apart;
* ``share_immigrants_descendants``: 100 · (1 - population[danish_origin] / population[all]);
* ``share_non_western``: 100 · population[non_western] / population[all];
* ``employment_rate``: ``employment_rate_16_64`` (all, all);
* ``education_level``: ``higher_education_25_39`` (all, all).

Each characteristic is standardised to a z-score across the municipalities; a missing
(suppressed) characteristic is set to z = 0, the average, so it neither attracts nor repels.
Distance is Euclidean over the z-scores. Ties in distance are broken by municipality code
(ascending), so the result is deterministic. A municipality is never its own peer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from barometer.catalogue.models import POLARITY_SIGN, GapParts
from barometer.codes import load_municipalities
from barometer.stats.intervals import has_counts
from barometer.stats.observations import normalise_observations

FEATURES = (
    "log10_population",
    "share_immigrants_descendants",
    "share_non_western",
    "employment_rate",
    "education_level",
)


def _values(obs: pd.DataFrame, indicator_id: str, year: int, origin: str) -> pd.Series:
    rows = obs[
        (obs["indicator_id"] == indicator_id)
        & (obs["year"] == year)
        & (obs["origin_group"] == origin)
        & (obs["sex"] == "all")
        & (obs["status"] == "ok")
    ]
    return rows.set_index("area_code")["value"].astype(float)


def build_characteristics(obs: pd.DataFrame, year: int) -> pd.DataFrame:
    """The structural characteristics (module docstring) per municipality, index area_code."""
    codes = sorted(load_municipalities())
    pop_all = _values(obs, "population", year, "all")
    pop_do = _values(obs, "population", year, "danish_origin")
    pop_nw = _values(obs, "population", year, "non_western")
    frame = pd.DataFrame(index=pd.Index(codes, name="area_code"))
    with np.errstate(divide="ignore", invalid="ignore"):
        frame["log10_population"] = np.log10(pop_all.where(pop_all > 0)).reindex(codes)
        frame["share_immigrants_descendants"] = (100 * (1 - pop_do / pop_all)).reindex(codes)
        frame["share_non_western"] = (100 * pop_nw / pop_all).reindex(codes)
    frame["employment_rate"] = _values(obs, "employment_rate_16_64", year, "all").reindex(codes)
    frame["education_level"] = _values(obs, "higher_education_25_39", year, "all").reindex(codes)
    return frame.replace([np.inf, -np.inf], np.nan)


def standardise(frame: pd.DataFrame) -> pd.DataFrame:
    """z-scores per column (population standard deviation); missing and constant → 0."""
    sd = frame.std(ddof=0)
    z = (frame - frame.mean()) / sd.where(sd > 0)
    return z.fillna(0.0)


def compute_peers(obs: pd.DataFrame, year: int, k: int = 5) -> pd.DataFrame:
    """The k most similar municipalities for each municipality.

    Returns columns area_code, peer_code, rank (1 = most similar), distance.
    """
    if k < 1:
        raise ValueError("k must be at least 1")
    z = standardise(build_characteristics(normalise_observations(obs), year))
    codes = z.index.to_numpy()
    matrix = z.to_numpy(float)
    dist = np.sqrt(((matrix[:, None, :] - matrix[None, :, :]) ** 2).sum(axis=2))
    rows = []
    for i, code in enumerate(codes):
        # Rounding to 12 decimals makes float noise count as a tie, then code decides.
        order = sorted(
            (j for j in range(len(codes)) if j != i),
            key=lambda j, i=i: (round(float(dist[i, j]), 12), codes[j]),
        )
        for rank, j in enumerate(order[:k], start=1):
            rows.append((code, codes[j], rank, float(dist[i, j])))
    return pd.DataFrame(rows, columns=["area_code", "peer_code", "rank", "distance"])


def peer_values(obs: pd.DataFrame, peers: pd.DataFrame, gaps: dict[str, GapParts]) -> pd.DataFrame:
    """Value of each municipality's peer group, for every indicator, year, origin group, sex.

    * rates (``pct``): ratio of sums, 100 · Σ numerators / Σ denominators over the peers
      with data (noegletal.dk's rule), so large peers weigh by their population;
    * gaps (``pp``): the same gap computed from the peers' pooled component rates;
    * counts: the mean over the peers with data.

    Suppressed or missing peer cells are left out; ``n_peers_with_data`` says how many
    peers contributed, out of ``n_peers``.
    """
    keys = ["indicator_id", "year", "origin_group", "sex"]
    obs = normalise_observations(obs)
    links = peers[["area_code", "peer_code"]]
    n_peers = links.groupby("area_code").size().rename("n_peers")
    usable = obs[(obs["status"] == "ok") & obs["value"].notna()]
    joined = links.merge(usable, left_on="peer_code", right_on="area_code", suffixes=("", "_p"))
    joined = joined.drop(columns="area_code_p")
    counted = joined[(joined["unit"] == "pct") & has_counts(joined)]
    rates = counted.groupby(["area_code", *keys]).agg(
        peer_numerator=("numerator", "sum"),
        peer_denominator=("denominator", "sum"),
        n_peers_with_data=("peer_code", "nunique"),
    )
    rates["peer_value"] = 100 * rates["peer_numerator"] / rates["peer_denominator"]
    counts = (
        joined[joined["unit"] == "count"]
        .groupby(["area_code", *keys])
        .agg(peer_value=("value", "mean"), n_peers_with_data=("peer_code", "nunique"))
    )
    gap_rows = _peer_gaps(rates.reset_index(), gaps)
    out = pd.concat([rates.reset_index(), counts.reset_index(), gap_rows], ignore_index=True)
    out = out.merge(n_peers.reset_index(), on="area_code", how="left")
    cols = ["area_code", *keys, "peer_value", "peer_numerator", "peer_denominator"]
    return out[[*cols, "n_peers", "n_peers_with_data"]].sort_values(
        ["area_code", *keys], ignore_index=True
    )


def _peer_gaps(rates: pd.DataFrame, gaps: dict[str, GapParts]) -> pd.DataFrame:
    frames = []
    for gap_id, parts in gaps.items():
        rate_id, sign = parts.rate_id, parts.sign
        r = rates[rates["indicator_id"] == rate_id]
        ref = r[r["origin_group"] == parts.reference]
        focus = r[r["origin_group"] != parts.reference]
        m = focus.merge(ref, on=["area_code", "year", "sex"], suffixes=("", "_ref"))
        if m.empty:
            continue
        frames.append(
            pd.DataFrame(
                {
                    "area_code": m["area_code"],
                    "indicator_id": gap_id,
                    "year": m["year"],
                    "origin_group": m["origin_group"],
                    "sex": m["sex"],
                    "peer_value": sign * (m["peer_value_ref"] - m["peer_value"]),
                    "n_peers_with_data": np.minimum(
                        m["n_peers_with_data"], m["n_peers_with_data_ref"]
                    ),
                }
            )
        )
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def rank_municipalities(
    obs: pd.DataFrame,
    indicator_id: str,
    year: int,
    origin_group: str = "non_western",
    sex: str = "all",
    polarity: str = "higher_is_better",
) -> pd.DataFrame:
    """Rank the 98 municipalities on one indicator: 1 = best given the polarity.

    Ties share the best rank of their group and the next rank skips ("1, 2, 2, 4", standard
    competition ranking), on unrounded values. Municipalities without data get no rank and
    are listed last. Columns: area_code, value, rank, n_ranked.
    """
    codes = sorted(load_municipalities())
    obs = normalise_observations(obs)
    rows = obs[
        (obs["indicator_id"] == indicator_id)
        & (obs["year"] == year)
        & (obs["origin_group"] == origin_group)
        & (obs["sex"] == sex)
        & (obs["status"] == "ok")
    ]
    values = rows.set_index("area_code")["value"].astype(float).reindex(codes)
    score = values * POLARITY_SIGN[polarity]
    ranks = score.rank(ascending=False, method="min")
    out = pd.DataFrame({"area_code": codes, "value": values.to_numpy(), "rank": ranks.to_numpy()})
    out["rank"] = out["rank"].astype("Int64")
    out["n_ranked"] = int(values.notna().sum())
    return out.sort_values(["rank", "area_code"], na_position="last", ignore_index=True)
