"""Load and validate the indicator catalogue."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import TypeAdapter, ValidationError

from barometer.catalogue.models import GapIndicator, Indicator, RateIndicator
from barometer.errors import CatalogueError

_ADAPTER: TypeAdapter[Indicator] = TypeAdapter(Indicator)


def builtin_dir() -> Path:
    return Path(str(resources.files("barometer.catalogue").joinpath("indicators")))


def load_definition(path: Path) -> Indicator:
    """Read one YAML definition; the file name must be the indicator id."""
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise CatalogueError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise CatalogueError(f"{path}: expected a mapping of fields, got {type(raw).__name__}")
    try:
        ind = _ADAPTER.validate_python(raw)
    except ValidationError as exc:
        lines = []
        for e in exc.errors():
            loc = list(e["loc"])
            if loc and loc[0] == raw.get("kind"):  # the discriminator adds the kind in front
                loc = loc[1:]
            lines.append(f"  {'.'.join(str(p) for p in loc) or '(top)'}: {e['msg']}")
        raise CatalogueError(
            f"{path}: invalid indicator definition:\n" + "\n".join(lines)
        ) from None
    if ind.id != path.stem:
        raise CatalogueError(f"{path}: id {ind.id!r} does not match the file name {path.stem!r}")
    return ind


def load_catalogue(directory: Path | str | None = None) -> dict[str, Indicator]:
    """All definitions in a directory (default: the built-in catalogue), in display order."""
    directory = Path(directory) if directory else builtin_dir()
    if not directory.is_dir():
        raise CatalogueError(f"{directory}: no such catalogue folder")
    paths = sorted(directory.glob("*.yaml"))
    if not paths:
        raise CatalogueError(f"{directory}: no indicator definitions (*.yaml) found")
    catalogue = {p.stem: load_definition(p) for p in paths}
    _check_references(catalogue)
    _check_order(catalogue, directory)
    return dict(sorted(catalogue.items(), key=lambda kv: (kv[1].order, kv[0])))


def _check_order(catalogue: dict[str, Indicator], directory: Path) -> None:
    seen: dict[int, str] = {}
    for ind in catalogue.values():
        if ind.order in seen:
            raise CatalogueError(
                f"{directory}: {ind.id} and {seen[ind.order]} have the same order {ind.order}; "
                "give each indicator its own place"
            )
        seen[ind.order] = ind.id


def _check_references(catalogue: dict[str, Indicator]) -> None:
    for ind in catalogue.values():
        if isinstance(ind, GapIndicator):
            base = catalogue.get(ind.of)
            if not isinstance(base, RateIndicator):
                raise CatalogueError(
                    f"{ind.id}: 'of' must name a rate indicator in the catalogue, got {ind.of!r}"
                )
