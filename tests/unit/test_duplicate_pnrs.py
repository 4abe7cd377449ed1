"""The duplicate-PNR count of a snapshot: a fast path for files sorted by PNR, an exact
fallback for the rest. Both must give the number of rows whose PNR repeats an earlier row."""

from __future__ import annotations

import duckdb
import pytest

from barometer.sources.registers import count_duplicate_pnrs


@pytest.mark.parametrize(
    ("pnrs", "expected"),
    [
        (["01", "02", "03"], 0),  # sorted, unique: the fast path answers
        (["03", "01", "02"], 0),  # unsorted, unique: the fallback answers
        (["01", "02", "02", "03"], 1),  # sorted with a neighbour repeated
        (["02", "01", "02", "01", "02"], 3),  # unsorted: 5 rows, 2 persons
        (
            ["01", None, "01"],
            1,
        ),  # a missing PNR (reported on its own) hides the repeat from the sorted check
        (["10", "9"], 0),  # text order, not numeric: "10" < "9"
    ],
)
def test_count_duplicate_pnrs(pnrs, expected):
    con = duckdb.connect()
    con.execute("CREATE TABLE raw (PNR VARCHAR)")
    con.executemany("INSERT INTO raw VALUES (?)", [(p,) for p in pnrs])
    assert count_duplicate_pnrs(con, "raw", '"PNR"') == expected
