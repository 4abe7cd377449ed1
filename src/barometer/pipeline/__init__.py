"""The pipeline: inputs (kept with provenance) → finishing stage → one writer → one store.

Two entry points, both holding the store's writer lock from start to end:

* ``build_store`` computes the register input from a delivery and finishes the store with it
  and every other input the store already had (a rebuild never loses an import);
* ``add_inputs`` adds or replaces other inputs (StatBank tables, surveys, figures, the
  programme's aggregates) and finishes the store again.

An input replaces the earlier input of the same source (``statbank:FOLK1E``, ``survey:x``, …).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from barometer.catalogue import load_catalogue, load_goal_sets
from barometer.catalogue.models import Indicator
from barometer.inputs import Input
from barometer.pipeline.finishing import finish
from barometer.pipeline.registers import derive_register_input, read_manifest
from barometer.settings import BuildSettings, resolve_build_settings
from barometer.store.read import read_inputs, read_run
from barometer.store.write import check_writable, commit, writer_lock

Progress = Callable[[str, int, int], None]

__all__ = ["Result", "add_inputs", "build_store", "read_manifest", "refinish"]


@dataclass
class Result:
    store: Path
    run_id: str
    observations: int
    synthetic: bool
    settings: BuildSettings
    notes: list[str] = field(default_factory=list)
    added: list[str] = field(default_factory=list)
    replaced: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def _recorded(store: Path) -> dict[str, Any] | None:
    """The settings the existing store was finished with, if there is one."""
    return read_run(store).parameters if Path(store).is_file() else None


def _catalogue_and_goals(settings: BuildSettings) -> tuple[dict[str, Indicator], list]:
    catalogue = load_catalogue(settings.catalogue)
    goal_sets = load_goal_sets(
        list(settings.goal_files) if settings.goal_files else None,
        with_builtin=True,
        catalogue=catalogue,
    )
    return catalogue, goal_sets


def _finish_and_commit(
    store: Path,
    new: list[Input],
    existing: list[Input],
    settings: BuildSettings,
    started: datetime,
    progress: Progress | None,
) -> Result:
    catalogue, goal_sets = _catalogue_and_goals(settings)
    names = {i.source for i in new}
    kept = [i for i in existing if i.source not in names]
    inputs = sorted([*kept, *new], key=lambda i: (i.kind != "registers", i.source))
    done = finish(inputs, settings, catalogue, goal_sets, started=started, progress=progress)
    if progress:
        progress("write store", 0, 1)
    commit(store, done.tables, inputs)
    before = {i.source for i in existing}
    return Result(
        store=Path(store),
        run_id=done.run_id,
        observations=done.observations,
        synthetic=any(i.synthetic for i in inputs),
        settings=settings,
        notes=done.notes,
        added=sorted(names - before),
        replaced=sorted(names & before),
        kept=sorted(i.source for i in kept),
    )


def build_store(
    registers: Path,
    store: Path,
    *,
    engine: str = "duckdb",
    spark_master: str | None = None,
    years: list[int] | None = None,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
    show_values: bool = False,
    inputs: list[Input] | None = None,
) -> Result:
    """Validate a delivery, compute every register indicator and finish ``store`` with it and
    the store's other inputs; the store is replaced atomically. ``show_values``: validation
    messages also give the offending values (for the data owner). ``inputs`` are added (or
    replace their source) in the same finishing run, as ``add_inputs`` would add them."""
    started = datetime.now()
    store = check_writable(store)
    _recorded(store)  # a file that is not a store stops here, before the lock file is made
    with writer_lock(store):
        resolved = resolve_build_settings(settings, recorded=_recorded(store))
        existing = read_inputs(store) or []
        catalogue = load_catalogue(resolved.catalogue)
        registers_input = derive_register_input(
            registers,
            catalogue,
            engine=engine,
            spark_master=spark_master,
            years=years,
            progress=progress,
            show_values=show_values,
        )
        new = [registers_input, *(inputs or [])]
        return _finish_and_commit(store, new, existing, resolved, started, progress)


def add_inputs(
    store: Path,
    inputs: list[Input],
    *,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Result:
    """Add (or replace, by source) inputs of ``store`` and finish it again; a missing store is
    created from these inputs alone."""
    started = datetime.now()
    store = check_writable(store)
    _recorded(store)  # a file that is not a store stops here, before the lock file is made
    with writer_lock(store):
        resolved = resolve_build_settings(settings, recorded=_recorded(store))
        existing = read_inputs(store) or []
        return _finish_and_commit(store, inputs, existing, resolved, started, progress)


def refinish(
    store: Path,
    *,
    progress: Progress | None = None,
    settings: Mapping[str, Any] | None = None,
) -> Result:
    """Finish ``store`` again from its inputs, e.g. with another threshold or goal files."""
    return add_inputs(store, [], progress=progress, settings=settings)
