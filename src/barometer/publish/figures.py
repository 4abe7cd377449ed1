"""Blocks of figures that several media show the same way (read from a snapshot, never computed)."""

from __future__ import annotations

from barometer.codes.vocab import source_label
from barometer.publish.labels import fmt_value
from barometer.publish.snapshot import indicator_ids
from barometer.store.read import Snapshot

KEY_GROUPS = ("danish_origin", "non_western", "all")


def key_figure_table(snap: Snapshot, area: str, lang: str) -> list[tuple[str, ...]]:
    """Per indicator: title, newest year, the value for three origin groups, and the source.

    Only the preferred source, sex 'all'; a suppressed or missing cell is a dash.
    """
    obs = snap.observations
    obs = obs[(obs["area_code"] == area) & (obs["sex"] == "all") & obs["preferred"]]
    rows = []
    for ind in indicator_ids(snap):
        part = obs[obs["indicator_id"] == ind]
        if part.empty:
            continue
        latest = int(part["year"].max())
        now = part[part["year"] == latest].set_index("origin_group")
        spec = snap.definitions[ind]
        cells = []
        for group in KEY_GROUPS:
            if group in now.index and now.loc[group, "status"] == "ok":
                cells.append(fmt_value(now.loc[group, "value"], spec["unit"], lang))
            else:
                cells.append("–")
        title = spec["title"]["en" if lang == "en" else "da"]
        source = source_label(str(part["source"].iloc[0]), lang)
        rows.append((title, str(latest), *cells, source))
    return rows
