"""A store keeps its inputs: a rebuild never loses an import, and one writer works at a time."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import duckdb
import pytest

from barometer.catalogue import load_catalogue
from barometer.pipeline import add_inputs, build_store
from barometer.sources.files import figures_input
from barometer.sources.surveys import survey_input
from barometer.store.write import StoreBusyError, inputs_path, writer_lock

from fixtures.deliveries import tiny_delivery

SURVEYS = Path(__file__).parents[1] / "data" / "surveys"


def sources(store: Path) -> dict[str, int]:
    with duckdb.connect(str(store), read_only=True) as con:
        return dict(
            con.execute(
                "SELECT source, count(*) FROM observations GROUP BY 1 ORDER BY 1"
            ).fetchall()
        )


def test_a_rebuild_keeps_every_input_it_did_not_replace(tmp_path):
    reg = tiny_delivery(tmp_path)
    store = tmp_path / "s.duckdb"
    build_store(reg, store)
    figures = tmp_path / "kk.csv"
    figures.write_text("area,year,value\n101,2020,70.5\n", encoding="utf-8")
    catalogue = load_catalogue()
    add_inputs(
        store,
        [
            figures_input(figures, "employment_rate_25_64", catalogue),
            survey_input(SURVEYS / "tiny_safety.csv", SURVEYS / "tiny_safety.yaml", catalogue),
        ],
    )
    before = sources(store)
    assert set(before) == {"registers", "file:kk", "survey:tiny_safety"}
    again = build_store(reg, store)
    assert again.kept == ["file:kk", "survey:tiny_safety"] and again.replaced == ["registers"]
    assert sources(store) == before
    # The CLI says so too.
    proc = subprocess.run(
        [sys.executable, "-m", "barometer", "build", "--registers", str(reg), "--store",
         str(store)],
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert "kept the store's other inputs: file:kk, survey:tiny_safety" in proc.stderr


def test_a_store_without_its_inputs_file_is_not_overwritten(tmp_path):
    reg = tiny_delivery(tmp_path)
    store = tmp_path / "s.duckdb"
    build_store(reg, store)
    inputs_path(store).unlink()
    before = store.read_bytes()
    figures = tmp_path / "kk.csv"
    figures.write_text("area,year,value\n101,2020,70.5\n", encoding="utf-8")
    from barometer.errors import InputError

    with pytest.raises(InputError, match="no inputs file beside it"):
        add_inputs(store, [figures_input(figures, "employment_rate_25_64", load_catalogue())])
    assert store.read_bytes() == before


def test_a_second_writer_is_refused_not_raced(tmp_path):
    reg = tiny_delivery(tmp_path)
    store = tmp_path / "s.duckdb"
    build_store(reg, store)
    before = store.read_bytes()
    figures = tmp_path / "kk.csv"
    figures.write_text("area,year,value\n101,2020,70.5\n", encoding="utf-8")
    with writer_lock(store):  # as if a build were running
        with pytest.raises(StoreBusyError, match="another barometer command is writing"):
            add_inputs(store, [figures_input(figures, "employment_rate_25_64", load_catalogue())])
        proc = subprocess.run(
            [sys.executable, "-m", "barometer", "import", str(figures), "--indicator",
             "employment_rate_25_64", "--store", str(store)],
            capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert proc.returncode == 2 and "another barometer command is writing" in proc.stderr
        assert "Traceback" not in proc.stderr
    assert store.read_bytes() == before
    add_inputs(store, [figures_input(figures, "employment_rate_25_64", load_catalogue())])
    assert "file:kk" in sources(store)


def test_an_import_reuses_the_register_inputs_cached_verdict(tmp_path, monkeypatch):
    # Disclosure control of the register cells runs once, at the build; adding figures runs
    # it for the new input only (the verdict is kept in the inputs file, keyed by threshold
    # and rules), and a new threshold runs it again.
    import barometer.pipeline.protect as protect_module

    reg = tiny_delivery(tmp_path)
    store = tmp_path / "s.duckdb"
    build_store(reg, store)
    real = protect_module.protect_cells
    seen: list[set[str]] = []

    def counting(cells, **kw):
        seen.append(set(cells["indicator_id"]))
        return real(cells, **kw)

    monkeypatch.setattr(protect_module, "protect_cells", counting)
    figures = tmp_path / "kk.csv"
    figures.write_text("area,year,numerator,denominator\n101,2020,60,100\n", encoding="utf-8")
    add_inputs(store, [figures_input(figures, "employment_rate_25_64", load_catalogue())])
    assert seen == [{"employment_rate_25_64"}]  # the file's cells only
    seen.clear()
    add_inputs(store, [], settings={"disclosure_threshold": 7})
    assert len(seen) == 2  # both inputs again, under the new threshold


def test_a_build_brings_other_inputs_into_the_same_finishing_run(tmp_path):
    # `barometer demo` builds the registers, surveys and case modules' figures in one run.
    reg = tiny_delivery(tmp_path)
    store = tmp_path / "s.duckdb"
    figures = tmp_path / "kk.csv"
    figures.write_text("area,year,value\n101,2020,70.5\n", encoding="utf-8")
    catalogue = load_catalogue()
    res = build_store(
        reg,
        store,
        inputs=[
            figures_input(figures, "employment_rate_25_64", catalogue),
            survey_input(SURVEYS / "tiny_safety.csv", SURVEYS / "tiny_safety.yaml", catalogue),
        ],
    )
    assert set(sources(store)) == {"registers", "file:kk", "survey:tiny_safety"}
    assert sorted(res.added) == ["file:kk", "registers", "survey:tiny_safety"]
