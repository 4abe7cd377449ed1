"""The store's tables. Observations are the system's one currency (DESIGN.md)."""

from __future__ import annotations

# Column order is the export order (CSV "exactly as listed" in the foundation issue).
OBSERVATION_COLUMNS = (
    "indicator_id",
    "area_code",
    "year",
    "origin_group",
    "sex",
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
)

OBSERVATIONS_DDL = """
CREATE TABLE observations (
    indicator_id VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,   -- '000' Denmark, '081'-'085' regions, municipalities
    year         INTEGER NOT NULL,
    origin_group VARCHAR NOT NULL,   -- 'all', 'danish_origin', 'non_western', ...
    sex          VARCHAR NOT NULL,   -- 'all', 'male', 'female'
    value        DOUBLE,
    numerator    DOUBLE,
    denominator  DOUBLE,
    unit         VARCHAR NOT NULL,   -- 'pct', 'pp', 'count'
    status       VARCHAR NOT NULL,   -- 'ok', 'suppressed_primary', 'suppressed_secondary'
    reason       VARCHAR,            -- why a cell is suppressed (disclosure reason code)
    source       VARCHAR NOT NULL,
    ci_low       DOUBLE,             -- 95 % interval: Wilson for rates, Newcombe for gaps
    ci_high      DOUBLE,   -- 'registers', 'statbank:<TABLE>', 'survey:<name>', …
    PRIMARY KEY (indicator_id, area_code, year, origin_group, sex)
)
"""

RUNS_DDL = """
CREATE TABLE runs (
    run_id        VARCHAR PRIMARY KEY,
    started_at    TIMESTAMP NOT NULL,
    finished_at   TIMESTAMP NOT NULL,
    code_version  VARCHAR NOT NULL,
    engine        VARCHAR NOT NULL,
    source_kind   VARCHAR NOT NULL,  -- 'registers'
    synthetic     BOOLEAN NOT NULL,
    scale         DOUBLE NOT NULL,   -- 1.0 for real data; counts ÷ scale = population size
    parameters    JSON NOT NULL,
    manifest      JSON
)
"""

INPUTS_DDL = """
CREATE TABLE run_inputs (
    run_id   VARCHAR NOT NULL,
    path     VARCHAR NOT NULL,
    register VARCHAR NOT NULL,
    bytes    BIGINT NOT NULL,
    sha256   VARCHAR NOT NULL
)
"""

DEFINITIONS_DDL = """
CREATE TABLE definitions (
    indicator_id VARCHAR PRIMARY KEY,
    spec         JSON NOT NULL,       -- the validated YAML definition as used
    sha256       VARCHAR NOT NULL
)
"""

PEERS_DDL = """
CREATE TABLE peers (
    area_code VARCHAR NOT NULL,   -- a municipality
    peer_code VARCHAR NOT NULL,   -- one of its k most similar municipalities (never itself)
    rank      INTEGER NOT NULL,   -- 1 = most similar
    distance  DOUBLE NOT NULL,
    year      INTEGER NOT NULL    -- the year whose structure was compared
)
"""
