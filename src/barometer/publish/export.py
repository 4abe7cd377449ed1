"""Export observations from a store as CSV, Parquet or Excel.

CSV has exactly the observation columns and one header row. The synthetic-data notice travels in
a sidecar ``<file>.meta.json`` (CSV), in file metadata (Parquet) and on an 'about' sheet (Excel).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from barometer.errors import InputError
from barometer.store.reader import RunInfo, read_observations, read_run

FORMATS = ("csv", "parquet", "xlsx")
SYNTHETIC_NOTICE = (
    "SYNTHETIC DATA: these figures come from a generated, synthetic Denmark, not from real "
    "registers. They show how the system works and describe no real person or municipality."
)


def describe_run(run: RunInfo) -> dict:
    return {
        "synthetic": run.synthetic,
        "notice": SYNTHETIC_NOTICE if run.synthetic else None,
        "scale": run.scale,
        "run_id": run.run_id,
        "built_at": run.finished_at,
        "code_version": run.code_version,
    }


def export(
    store: Path,
    fmt: str,
    out: Path,
    *,
    indicator: str | None = None,
    area: str | None = None,
) -> int:
    """Write the selected observations to ``out``; returns the number of rows."""
    if fmt not in FORMATS:
        raise InputError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
    run = read_run(store)
    obs = read_observations(store, indicator=indicator, area=area)
    if obs.empty:
        what = " and ".join(
            x for x in [indicator and f"indicator {indicator}", area and f"area {area}"] if x
        )
        raise InputError(f"no observations for {what or 'this store'}", path=store)
    meta = describe_run(run)
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        obs.to_csv(out, index=False, lineterminator="\n")
        out.with_name(out.name + ".meta.json").write_text(
            json.dumps(meta, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
    elif fmt == "parquet":
        table = pa.Table.from_pandas(obs, preserve_index=False)
        md = dict(table.schema.metadata or {})
        md[b"barometer"] = json.dumps(meta, ensure_ascii=False).encode()
        pq.write_table(table.replace_schema_metadata(md), out)
    else:
        about = pd.DataFrame({"field": list(meta), "value": [str(v) for v in meta.values()]})
        with pd.ExcelWriter(out, engine="openpyxl") as xw:
            obs.to_excel(xw, sheet_name="observations", index=False)
            about.to_excel(xw, sheet_name="about", index=False)
    return len(obs)
