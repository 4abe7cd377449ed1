"""Every knob of a run in one place: defaults, environment overrides, and what a store records.

Why one module: the threshold a page tells the public, the margin of the housing warning and the
source a goal is measured on must be the ones the pipeline used. The pipeline resolves the
settings once (command-line option > environment variable > default), records them in the
store's run, and publishers read them back from there instead of from library constants.

Environment variables are ``BAROMETER_`` + the field name in upper case, e.g.
``BAROMETER_DISCLOSURE_THRESHOLD=7``. ``barometer settings`` lists every field.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from barometer.errors import BarometerError

ENV_PREFIX = "BAROMETER_"
MIN_DISCLOSURE_THRESHOLD = 3  # Statistics Denmark's rule for researchers (DOMAIN.md §4.4)
SOURCE_KINDS = ("registers", "statbank", "file", "survey", "programme", "welcomehouse")


class SettingsError(BarometerError, ValueError):
    """A setting out of range or of the wrong type; the message names it and its origin."""


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BuildSettings(Strict):
    """What the pipeline's finishing stage needs; recorded in ``runs.parameters``."""

    disclosure_threshold: int = Field(
        default=5,
        ge=MIN_DISCLOSURE_THRESHOLD,
        description="Smallest publishable count of persons (DOMAIN.md §4.4; never below 3).",
    )
    disclosure_workers: int = Field(
        default=2, ge=1, le=64, description="Processes for secondary suppression (1 = none)."
    )
    confidence: float = Field(
        default=0.95, gt=0, lt=1, description="Level of every confidence interval."
    )
    alpha: float = Field(
        default=0.05, gt=0, lt=1, description="Significance level of the traffic-light tests."
    )
    peers_k: int = Field(default=5, ge=1, le=20, description="Peer municipalities per area.")
    warning_margin: float = Field(
        default=0.10,
        ge=0,
        le=1,
        description="Housing early warning: move each criterion by this share of its threshold.",
    )
    source_preference: tuple[str, ...] = Field(
        default=SOURCE_KINDS,
        description=(
            "Source kinds in order of preference, for indicators that come from several "
            "sources (registers over StatBank over imported figures by default)."
        ),
    )
    preferred_sources: dict[str, str] = Field(
        default={},
        description="Indicator id → the source that wins for it, e.g. statbank:FOLK1E.",
    )
    catalogue: str | None = Field(
        default=None, description="Folder of indicator definitions (default: the built-in ones)."
    )
    goal_files: tuple[str, ...] = Field(
        default=(), description="Goal-set files evaluated besides the built-in ones."
    )

    @field_validator("source_preference")
    @classmethod
    def _known_kinds(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        unknown = [k for k in v if k not in SOURCE_KINDS]
        if unknown:
            raise ValueError(f"unknown source kind(s) {unknown}; known: {', '.join(SOURCE_KINDS)}")
        missing = [k for k in SOURCE_KINDS if k not in v]
        return (*v, *missing)

    def rank_of(self, source: str) -> int:
        """Lower is preferred: by kind ('statbank' for 'statbank:RAS200')."""
        kind = source.split(":", 1)[0]
        return self.source_preference.index(kind) if kind in self.source_preference else 99

    def to_record(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


class ServeSettings(Strict):
    """What the web server needs; not part of a store."""

    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=0, le=65535)
    cache_entries: int = Field(default=4096, ge=0, description="Cached responses at most.")
    cache_bytes: int = Field(
        default=512 * 1024 * 1024, ge=0, description="Cached response bytes at most."
    )
    prewarm: bool = Field(default=True, description="Render the main pages after start.")


def _from_environment(model: type[Strict], environ: Mapping[str, str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name, field in model.model_fields.items():
        raw = environ.get(ENV_PREFIX + name.upper())
        if raw is None or raw == "":
            continue
        annotation = str(field.annotation)
        if "dict" in annotation or "tuple" in annotation:
            try:
                out[name] = json.loads(raw) if raw.lstrip().startswith(("{", "[")) else None
            except json.JSONDecodeError:
                out[name] = None
            if out[name] is None:
                if "tuple" in annotation:
                    out[name] = tuple(p.strip() for p in raw.split(",") if p.strip())
                else:
                    raise SettingsError(
                        f"{ENV_PREFIX}{name.upper()}: give a JSON object, got {raw!r}"
                    )
        else:
            out[name] = raw
    return out


def _resolve(
    model: type[Strict],
    overrides: Mapping[str, Any] | None,
    environ: Mapping[str, str] | None,
    base: Mapping[str, Any] | None = None,
) -> Strict:
    values = {k: v for k, v in (base or {}).items() if k in model.model_fields}
    values.update(_from_environment(model, os.environ if environ is None else environ))
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        problems = []
        for e in exc.errors():
            name = ".".join(str(p) for p in e["loc"])
            problems.append(f"{name}: {e['msg']} (got {e.get('input')!r})")
        raise SettingsError("invalid setting: " + "; ".join(problems)) from None


def resolve_build_settings(
    overrides: Mapping[str, Any] | None = None,
    environ: Mapping[str, str] | None = None,
    *,
    recorded: Mapping[str, Any] | None = None,
) -> BuildSettings:
    """Defaults, then what the store was last finished with (``recorded``), then
    ``BAROMETER_*`` variables, then the given overrides (None = not given)."""
    return _resolve(BuildSettings, overrides, environ, recorded)  # type: ignore[return-value]


def resolve_serve_settings(
    overrides: Mapping[str, Any] | None = None, environ: Mapping[str, str] | None = None
) -> ServeSettings:
    return _resolve(ServeSettings, overrides, environ)  # type: ignore[return-value]


def read_recorded(parameters: Mapping[str, Any]) -> BuildSettings:
    """The settings a store was finished with (its ``runs.parameters``)."""
    known = {k: v for k, v in parameters.items() if k in BuildSettings.model_fields}
    return BuildSettings.model_validate(known)


def describe_settings() -> list[tuple[str, str, str, str]]:
    """(environment variable, default, description, kind) for ``barometer settings``."""
    rows = []
    for kind, model in (("build", BuildSettings), ("serve", ServeSettings)):
        for name, field in model.model_fields.items():
            default = field.default
            shown = ",".join(default) if isinstance(default, tuple) else json.dumps(default)
            rows.append((ENV_PREFIX + name.upper(), shown, field.description or "", kind))
    return rows
