"""The disclosure step between compute and store: mark, explain and blank small cells.

Rules (DOMAIN.md §4.4): primary suppression of small cells (primary.py), secondary suppression
so that no hidden cell can be derived from the published sums (secondary.py, audit.py), and
gaps hidden whenever either of their component rates is hidden — a published gap next to a
published reference rate gives the focus rate away.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
import threading
import time
from collections.abc import Mapping
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

from barometer.disclosure.primary import PRIMARY_REASONS, check_threshold, classify_primary
from barometer.disclosure.primary import find_no_data as _find_no_data
from barometer.disclosure.secondary import TableValues, choose_pattern
from barometer.disclosure.structure import KINDS, Structure, build_structure

OK = "ok"
SUPPRESSED_PRIMARY = "suppressed_primary"
SUPPRESSED_SECONDARY = "suppressed_secondary"

SHARED_DENOMINATOR = "shared_denominator"
GAP_COMPONENT_SUPPRESSED = "gap_component_suppressed"
GAP_COMPONENT_MISSING = "gap_component_missing"
SECONDARY_REASONS = (
    *(f"secondary_{k}" for k in KINDS),
    SHARED_DENOMINATOR,
    GAP_COMPONENT_SUPPRESSED,
    GAP_COMPONENT_MISSING,
)
REASONS = (*PRIMARY_REASONS, *SECONDARY_REASONS)
KEY = ["indicator_id", "area_code", "year", "origin_group", "sex"]
MIN_GROUPS_FOR_POOL = 4  # below this, starting workers costs more than it saves
PARENT_CHECK_SECONDS = 0.5  # how often a worker checks that the build is still there
PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def protect(
    obs: pd.DataFrame,
    *,
    threshold: int = 5,
    gaps: Mapping[str, tuple[str, str]] | None = None,
    shared_denominators: Mapping[str, str] | None = None,
    municipality_regions: Mapping[str, str] | None = None,
    workers: int = 2,
) -> pd.DataFrame:
    """Return ``obs`` (same rows, same order) with status, reason and small cells blanked.

    workers: processes for the secondary suppression (1 = none; settings.disclosure_workers).

    threshold: smallest publishable count (default 5, DOMAIN.md §4.4; never below 3).
    gaps: gap indicator → (base rate indicator, reference origin group); every 'pp' indicator
        must be listed, since a gap cannot be judged without its component rates.
    shared_denominators: indicator → denominator key; indicators with the same key get one
        common suppression pattern per year.
    municipality_regions: municipality → region (default: the 98 real municipalities).
    """
    check_threshold(threshold)
    gaps = dict(gaps or {})
    shared = dict(shared_denominators or {})
    out = obs.reset_index(drop=True)  # positional labels; the caller's index is restored below
    _check_rows(out, gaps)
    structure = build_structure(municipality_regions)
    reason = classify_primary(out, threshold)
    status = pd.Series(np.where(reason.notna(), SUPPRESSED_PRIMARY, OK), index=out.index)
    no_data = _find_no_data(out)

    tabular = out["unit"].isin(["pct", "count"])
    cell = pd.Series(-1, index=out.index, dtype=np.int64)
    if tabular.any():
        rows = out[tabular]
        cell[tabular] = structure.cell_index(
            rows["area_code"].to_numpy(), rows["origin_group"].to_numpy(), rows["sex"].to_numpy()
        )
    group_of = out["indicator_id"].map(lambda i: shared.get(i, f"\0{i}"))
    frame = pd.DataFrame({"group": group_of, "year": out["year"], "cell": cell})
    groups = [
        _prepare_group(structure, out, idx, cell, no_data, reason)
        for _, idx in frame[tabular].groupby(["group", "year"], sort=True).groups.items()
    ]
    patterns = _choose_patterns(structure, [g[0] for g in groups], workers)
    for (tables, members), (pattern, kind) in zip(groups, patterns, strict=True):
        _apply_pattern(cell, tables, members, pattern, kind, reason, status)

    _protect_gaps(out, gaps, reason, status)
    out["status"] = status
    out["reason"] = reason.astype(object).where(reason.notna(), None)
    hidden = status.ne(OK)
    out.loc[hidden, ["value", "numerator", "denominator"]] = np.nan
    out.index = obs.index
    return out


def _check_rows(obs: pd.DataFrame, gaps: Mapping[str, tuple[str, str]]) -> None:
    """Fail loudly on anything the rules cannot judge rather than publish it unprotected."""
    if obs.duplicated(KEY).any():
        raise ValueError(
            "observations contain duplicate keys; disclosure control needs unique cells"
        )
    units = set(obs["unit"].unique())
    if unknown := units - {"pct", "count", "pp"}:
        raise ValueError(f"disclosure control does not know unit(s) {sorted(unknown)}")
    for gap in sorted(obs.loc[obs["unit"].eq("pp"), "indicator_id"].unique()):
        if gap not in gaps:
            raise ValueError(
                f"gap indicator {gap!r} has no entry in `gaps` (base indicator, reference group);"
                " its component rates are needed to protect it"
            )


def _prepare_group(
    structure: Structure,
    out: pd.DataFrame,
    idx: pd.Index,
    cell: pd.Series,
    no_data: pd.Series,
    reason: pd.Series,
) -> tuple[list[TableValues], list[pd.Index]]:
    """The tables of one denominator group in one year, on the structure's cell numbering."""
    rows = out.loc[idx]
    n = structure.n_cells
    tables: list[TableValues] = []
    members: list[pd.Index] = []
    for _, sub in rows.groupby("indicator_id", sort=True):
        c = cell[sub.index].to_numpy()
        present = np.zeros(n, bool)
        present[c] = True
        nd = np.zeros(n, bool)
        nd[c] = no_data[sub.index].to_numpy()
        prim = np.zeros(n, bool)
        prim[c] = reason[sub.index].notna().to_numpy()
        num = np.zeros(n)
        num[c] = sub["numerator"].astype(float).fillna(0.0).to_numpy()
        is_count = sub["unit"].iloc[0] == "count"
        den = None
        if not is_count:
            den = np.zeros(n)
            den[c] = sub["denominator"].astype(float).fillna(0.0).to_numpy()
        tables.append(TableValues(present, nd, num, den, prim))
        members.append(sub.index)
    return tables, members


def _choose_patterns(
    structure: Structure,
    groups: list[list[TableValues]],
    workers: int = 2,
) -> list[tuple[np.ndarray, np.ndarray]]:
    """One pattern per group; in a small process pool when there are many groups.

    Groups are independent and each result depends only on its own tables, so the pool
    changes nothing but the wall time. ``workers`` = 1 turns it off. BLAS runs
    one thread per process: the audit's matrices are small, and threaded BLAS competing with
    the other worker made it about five times slower on two cores. Workers end with the
    build, however it ends (``_follow_parent``).
    """
    workers = min(workers, len(groups))
    with threadpool_limits(limits=1, user_api="blas"):
        if workers <= 1 or len(groups) < MIN_GROUPS_FOR_POOL:
            return [choose_pattern(structure, tables) for tables in groups]
        try:
            context = multiprocessing.get_context("fork")
        except ValueError:  # pragma: no cover - platforms without fork
            return [choose_pattern(structure, tables) for tables in groups]
        with ProcessPoolExecutor(
            max_workers=workers,
            mp_context=context,
            initializer=_init_worker,
            initargs=(structure, os.getpid()),
        ) as pool:
            return list(pool.map(_choose_in_worker, groups))


_WORKER_STRUCTURE: Structure | None = None


def _init_worker(structure: Structure, parent: int) -> None:
    """Runs once per worker; with fork the structure is inherited, not pickled."""
    global _WORKER_STRUCTURE
    _WORKER_STRUCTURE = structure
    _follow_parent(parent)
    threadpool_limits(limits=1, user_api="blas")  # inherited through fork, stated anyway


def _follow_parent(parent: int) -> None:
    """End this worker when the build process ends, even by SIGKILL or the OOM killer.

    A forked worker inherits the build's pipes, its output included, and waits on a queue
    whose writing end it holds itself: left alone it would outlive a killed build for ever
    and keep its output open. On Linux the kernel kills it with its parent
    (prctl(PR_SET_PDEATHSIG)); everywhere a daemon thread checks twice a second that its
    parent is still ``parent`` (an orphan is adopted by another process) and exits if not.
    The check right after prctl covers a parent that died before the call.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # pragma: no cover - no usable libc
            pass
    if os.getppid() != parent:
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _watch_parent(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(PARENT_CHECK_SECONDS)
    os._exit(1)


def _choose_in_worker(tables: list[TableValues]) -> tuple[np.ndarray, np.ndarray]:
    assert _WORKER_STRUCTURE is not None
    return choose_pattern(_WORKER_STRUCTURE, tables)


def _apply_pattern(
    cell: pd.Series,
    tables: list[TableValues],
    members: list[pd.Index],
    pattern: np.ndarray,
    kind: np.ndarray,
    reason: pd.Series,
    status: pd.Series,
) -> None:
    """Mark the group's secondary cells with the reason that forced them."""
    any_primary = np.logical_or.reduce([t.present & t.primary for t in tables])
    for table, index in zip(tables, members, strict=True):
        c = cell[index].to_numpy()
        extra = pattern[c] & ~table.primary[c]
        if not extra.any():
            continue
        labels = np.where(
            any_primary[c],
            SHARED_DENOMINATOR,
            np.array([f"secondary_{k}" for k in KINDS] + [""])[kind[c]],
        )
        target = index[extra]
        reason[target] = labels[extra]
        status[target] = SUPPRESSED_SECONDARY


def _protect_gaps(
    out: pd.DataFrame,
    gaps: Mapping[str, tuple[str, str]],
    reason: pd.Series,
    status: pd.Series,
) -> None:
    """Hide a gap whenever its focus or reference rate is hidden (or absent).

    gap = rate(reference) − rate(focus): with the gap and one rate published the other rate
    follows, so a gap may only be shown when both rates are shown.
    """
    is_gap = out["unit"].eq("pp")
    if not is_gap.any():
        return
    state = pd.Series(status.to_numpy(), index=pd.MultiIndex.from_frame(out[KEY]))
    gap_rows = out[is_gap]
    base = gap_rows["indicator_id"].map(lambda g: gaps[g][0])
    ref = gap_rows["indicator_id"].map(lambda g: gaps[g][1])
    keys = [gap_rows["area_code"], gap_rows["year"], gap_rows["sex"]]
    focus_key = pd.MultiIndex.from_arrays(
        [base, keys[0], keys[1], gap_rows["origin_group"], keys[2]]
    )
    ref_key = pd.MultiIndex.from_arrays([base, keys[0], keys[1], ref, keys[2]])
    focus_state = state.reindex(focus_key).to_numpy()
    ref_state = state.reindex(ref_key).to_numpy()
    missing = pd.isna(focus_state) | pd.isna(ref_state)
    hidden = ~missing & ((focus_state != OK) | (ref_state != OK))
    for mask, label in ((missing, GAP_COMPONENT_MISSING), (hidden, GAP_COMPONENT_SUPPRESSED)):
        target = gap_rows.index[mask]
        reason[target] = label
        status[target] = SUPPRESSED_SECONDARY
