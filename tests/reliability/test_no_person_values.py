"""Issue #20 item 7: validation names rows by number and column, never by PNR or value.

Every delivery of tests/integration/test_bad_inputs.py's corpus is made again, its PNRs
replaced by CPR-like keys that cannot occur in a message by chance, and validated. The
message (or, for a clean delivery, its notes) must hold none of the delivery's PNRs, dates
of birth or immigration, nor any text value of its files. ``show_values`` (the data owner's
`--show-values`) brings them back, which shows that the check can see them.
"""

from __future__ import annotations

import datetime as dt
import importlib.util
import subprocess
import sys
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.csv as pacsv
import pyarrow.parquet as pq
import pytest

from barometer.errors import BarometerError
from barometer.sources.registers import load_delivery

CORPUS = Path(__file__).parents[1] / "integration" / "test_bad_inputs.py"


def load_corpus():
    spec = importlib.util.spec_from_file_location("bad_inputs_corpus", CORPUS)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.CASES


CASES = load_corpus()


def key_for(pnr: str) -> str:
    """A 10-digit, CPR-shaped key; keeps the order and the duplicates of the corpus's PNRs."""
    return f"31{int(pnr):08d}"


def rekey(registers: Path) -> dict[str, set[str]]:
    """Replace every PNR in the readable files by ``key_for``; return what a message must not
    show: the keys, the dates of birth and immigration (as text and as Python writes them)
    and every text value. (Other dates are left out: a rule's own limits, such as 1 January
    of a spell's year, may equal one by chance.)"""
    secret: dict[str, set[str]] = {"keys": set(), "dates": set(), "texts": set()}
    for path in sorted(registers.iterdir()):
        try:
            if path.suffix == ".parquet":
                table = pq.read_table(path)
            elif path.suffix == ".csv":
                table = pacsv.read_csv(path, convert_options=_all_text(path))
            else:
                continue
        except (pa.ArrowInvalid, OSError):
            continue  # the corrupt and the empty file: nothing to rekey, nothing to read
        columns = {}
        for name in table.column_names:
            values = table.column(name).to_pylist()
            if name.upper() == "PNR":
                values = [key_for(v) if v not in (None, "") else v for v in values]
                secret["keys"] |= {v for v in values if v}
            personal_date = name.upper() in ("FOED_DAG", "FOERSTE_INDVANDRING")
            for v in values:
                if isinstance(v, dt.date) and personal_date:
                    secret["dates"] |= {v.isoformat(), repr(v)}
                elif isinstance(v, str) and v:
                    if personal_date:
                        secret["dates"].add(v)
                    secret["texts"].add(repr(v))
            columns[name] = pa.array(values, type=table.column(name).type)
        rekeyed = pa.table(columns)
        if path.suffix == ".parquet":
            pq.write_table(rekeyed, path)
        else:
            pacsv.write_csv(rekeyed, path)
    return secret


def _all_text(path: Path) -> pacsv.ConvertOptions:
    header = path.read_text().splitlines()[0].split(",")
    return pacsv.ConvertOptions(column_types=dict.fromkeys(header, pa.string()))


def validation_output(registers: Path, *, show_values: bool = False) -> str:
    """What validation tells a user: the error message, or the notes of a clean delivery."""
    try:
        delivery = load_delivery(registers, duckdb.connect(), show_values=show_values)
    except BarometerError as exc:
        return str(exc)
    return "\n".join(delivery.warnings)


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_validation_messages_hold_no_pnr_and_no_value(tmp_path, make) -> None:
    registers = tmp_path / "reg"
    make(registers)
    secret = rekey(registers)
    message = validation_output(registers)
    assert message  # every corpus case is an error
    for kind in ("keys", "dates", "texts"):
        leaked = sorted(s for s in secret[kind] if s in message)
        assert not leaked, f"{kind} {leaked} in {message!r}"


SHOWN = {
    "duplicate PNR": ["keys"],
    "unknown municipality": ["texts"],
    "immigration before birth": ["dates"],
    "missing PNR (CSV)": [],  # a missing value has nothing to show
}


@pytest.mark.parametrize("case", sorted(SHOWN))
def test_show_values_brings_the_values_back(tmp_path, case) -> None:
    make = next(c[1] for c in CASES if c[0] == case)
    registers = tmp_path / "reg"
    make(registers)
    secret = rekey(registers)
    message = validation_output(registers, show_values=True)
    assert "values:" in message or "(" in message
    for kind in SHOWN[case]:
        assert any(s in message for s in secret[kind]), f"no {kind} in {message!r}"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "barometer", *args], capture_output=True, text=True, timeout=120
    )


def test_validate_and_build_print_pnrs_only_with_show_values(tmp_path) -> None:
    make = next(c[1] for c in CASES if c[0] == "duplicate PNR")
    registers = tmp_path / "reg"
    make(registers)
    keys = rekey(registers)["keys"]
    store = str(tmp_path / "store.duckdb")
    for command in (["validate"], ["build", "--store", store]):
        hidden = run(*command, "--registers", str(registers))
        shown = run(*command, "--registers", str(registers), "--show-values")
        assert hidden.returncode == shown.returncode == 2, hidden.stderr + shown.stderr
        assert "rows sharing a PNR: 1, 3" in " ".join(hidden.stderr.split())
        assert not any(k in hidden.stderr + hidden.stdout for k in keys), hidden.stderr
        assert any(k in shown.stderr for k in keys), shown.stderr
