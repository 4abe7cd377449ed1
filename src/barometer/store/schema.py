"""Every table of a store and of its inputs file, in one place (DESIGN.md: one store, one schema).

A *store* (``barometer.duckdb``) holds only what may be published: protected observations with
their source and interval, the definitions, goal status for every year, peers and their pooled
values, the housing lists and early warning, survey cell details (respondents, effective n, the
change since the previous round) and shares by district, and one run that records the
settings and the inputs it was finished from. Publishers read it through ``store.read``.

Its *inputs file* (``barometer.inputs.duckdb`` beside it) keeps what the store was made from:
each input's unprotected cells with provenance. It never leaves the environment where the data
may be seen; the pipeline re-finishes the store from it when an input is added or replaced.

``SCHEMA_VERSION`` changes whenever a table changes; a reader refuses another version with a
message saying to rebuild, instead of guessing.
"""

from __future__ import annotations

SCHEMA_VERSION = 3

KEY_COLUMNS = ("indicator_id", "area_code", "year", "origin_group", "sex")

# The export order: the foundation's ten columns first (CSV "exactly as listed"), then the
# columns later issues added. Every publisher and export uses this order.
OBSERVATION_COLUMNS = (
    *KEY_COLUMNS,
    "value",
    "numerator",
    "denominator",
    "unit",
    "status",
    "reason",
    "source",
    "preferred",
    "ci_low",
    "ci_high",
    "rank",
    "n_ranked",
)

OBSERVATIONS_DDL = """
CREATE TABLE observations (
    indicator_id VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,   -- '000' Denmark, '081'-'085' regions, municipalities
    year         INTEGER NOT NULL,
    origin_group VARCHAR NOT NULL,   -- 'all', 'danish_origin', 'non_western', ...
    sex          VARCHAR NOT NULL,   -- 'all', 'male', 'female'
    value        DOUBLE,             -- null unless status = 'ok'; a sampled synthetic store's
                                     -- person counts are the count ÷ the sample fraction
    numerator    DOUBLE,             -- persons counted (null unless status = 'ok')
    denominator  DOUBLE,
    unit         VARCHAR NOT NULL,   -- 'pct', 'pp', 'count'
    status       VARCHAR NOT NULL,   -- 'ok', 'suppressed_primary', 'suppressed_secondary'
    reason       VARCHAR,            -- why a cell is suppressed (disclosure reason code)
    source       VARCHAR NOT NULL,   -- 'registers', 'statbank:<TABLE>', 'survey:<name>',
                                     -- 'file:<name>', 'programme:<name>'
    preferred    BOOLEAN NOT NULL,   -- the indicator's preferred source: goals, ranks and
                                     -- key figures use these rows
    ci_low       DOUBLE,             -- 95 % interval: Wilson for rates, Newcombe for gaps,
    ci_high      DOUBLE,             -- design-based for survey shares
    rank         INTEGER,            -- among the 98 municipalities, 1 = best by polarity
    n_ranked     INTEGER,            -- municipalities ranked (preferred, published cells)
    PRIMARY KEY (indicator_id, area_code, year, origin_group, sex, source)
)
"""

RUNS_DDL = """
CREATE TABLE runs (
    run_id         VARCHAR PRIMARY KEY,
    schema_version INTEGER NOT NULL,
    started_at     TIMESTAMP NOT NULL,
    finished_at    TIMESTAMP NOT NULL,
    code_version   VARCHAR NOT NULL,
    engine         VARCHAR NOT NULL,  -- of the register input: 'duckdb', 'spark'; else 'none'
    source_kind    VARCHAR NOT NULL,  -- the kinds of the inputs, e.g. 'registers+survey'
    synthetic      BOOLEAN NOT NULL,  -- any input synthetic
    scale          DOUBLE NOT NULL,   -- sample fraction of synthetic registers; 1.0 otherwise
    parameters     JSON NOT NULL,     -- the BuildSettings (settings.py) the store was finished with
    manifest       JSON,              -- the register delivery's manifest.json
    notes          JSON NOT NULL      -- what the run skipped or noticed (a list of sentences)
)
"""

INPUTS_DDL = """
CREATE TABLE inputs (
    source        VARCHAR PRIMARY KEY, -- as in observations.source
    kind          VARCHAR NOT NULL,    -- 'registers', 'statbank', 'survey', 'file', 'programme'
    added_at      TIMESTAMP NOT NULL,
    code_version  VARCHAR NOT NULL,
    location      VARCHAR NOT NULL,    -- folder, file or StatBank data URL
    sha256        VARCHAR NOT NULL,    -- of the file or answer (registers: of the file list)
    bytes         BIGINT NOT NULL,
    synthetic     BOOLEAN NOT NULL,
    scale         DOUBLE NOT NULL,
    request       JSON,                -- StatBank: tableinfo and data requests
    details       JSON NOT NULL,       -- manifest, spec, years, notes, parameters
    indicator_ids JSON NOT NULL,
    cells         BIGINT NOT NULL,     -- cells the input gave, before protection
    protection    VARCHAR              -- inputs file only: what the cached verdict depended on
)
"""

INPUT_FILES_DDL = """
CREATE TABLE input_files (
    source   VARCHAR NOT NULL,
    path     VARCHAR NOT NULL,
    register VARCHAR NOT NULL,
    bytes    BIGINT NOT NULL,
    sha256   VARCHAR NOT NULL
)
"""

DEFINITIONS_DDL = """
CREATE TABLE definitions (
    indicator_id VARCHAR PRIMARY KEY,
    spec         JSON NOT NULL,       -- the validated catalogue definition as used
    sha256       VARCHAR NOT NULL
)
"""

GOAL_SETS_DDL = """
CREATE TABLE goal_sets (
    goal_set VARCHAR PRIMARY KEY,
    position INTEGER NOT NULL,       -- display order: the national set first
    spec     JSON NOT NULL           -- the validated goal-set definition as evaluated
)
"""

INDICATOR_SOURCES_DDL = """
CREATE TABLE indicator_sources (
    indicator_id VARCHAR NOT NULL,
    source       VARCHAR NOT NULL,
    preferred    BOOLEAN NOT NULL,
    cells        BIGINT NOT NULL,    -- cells stored
    published    BIGINT NOT NULL,    -- of which status 'ok'
    first_year   INTEGER NOT NULL,
    last_year    INTEGER NOT NULL,
    notes        JSON NOT NULL,      -- how this source's figures differ from the definition
    PRIMARY KEY (indicator_id, source)
)
"""

PEERS_DDL = """
CREATE TABLE peers (
    area_code VARCHAR NOT NULL,   -- a municipality
    peer_code VARCHAR NOT NULL,   -- one of its k most similar municipalities (never itself)
    rank      INTEGER NOT NULL,   -- 1 = most similar
    distance  DOUBLE NOT NULL,
    year      INTEGER NOT NULL,   -- the year whose structure was compared
    PRIMARY KEY (area_code, peer_code)
)
"""

PEER_VALUES_DDL = """
CREATE TABLE peer_values (
    area_code         VARCHAR NOT NULL,  -- the municipality whose peers are pooled
    indicator_id      VARCHAR NOT NULL,
    year              INTEGER NOT NULL,
    origin_group      VARCHAR NOT NULL,
    sex               VARCHAR NOT NULL,
    peer_value        DOUBLE,            -- rates: ratio of sums; gaps: from pooled rates;
    peer_numerator    DOUBLE,            -- counts: mean over the peers with data
    peer_denominator  DOUBLE,
    n_peers           INTEGER NOT NULL,
    n_peers_with_data INTEGER NOT NULL,
    PRIMARY KEY (area_code, indicator_id, year, origin_group, sex)
)
"""

GOAL_STATUS_COLUMNS = (
    "goal_set",
    "goal_id",
    "area_code",
    "origin_group",
    "year",
    "base_year",
    "movement",
    "traffic_light",
    "target_status",
    "owner",
    "title_da",
    "title_en",
    "n_indicators",
    "n_driving",
    "n_with_data",
    "reasons",
)

GOAL_INDICATOR_STATUS_COLUMNS = (
    "goal_set",
    "goal_id",
    "indicator_id",
    "label",
    "area_code",
    "origin_group",
    "year",
    "source",
    "indicator_origin_group",
    "sex",
    "unit",
    "polarity",
    "drives_movement",
    "base_year",
    "latest_year",
    "base_value",
    "latest_value",
    "base_rounded",
    "latest_rounded",
    "direction",
    "base_ci_low",
    "base_ci_high",
    "latest_ci_low",
    "latest_ci_high",
    "change",
    "z",
    "p_value",
    "test_method",
    "significant",
    "traffic_light",
    "target",
    "target_year",
    "target_status",
    "progress_ratio",
    "progress_category",
    "projected_value",
    "projected_low",
    "projected_high",
    "reasons",
)

GOAL_STATUS_DDL = """
CREATE TABLE goal_status (
    goal_set      VARCHAR NOT NULL,  -- 'national', 'copenhagen', or a user goal file's id
    goal_id       VARCHAR NOT NULL,  -- 'national-1' ...
    area_code     VARCHAR NOT NULL,  -- '000' Denmark, municipalities, regions
    origin_group  VARCHAR NOT NULL,  -- the goal's focus group, e.g. 'non_western'
    year          INTEGER NOT NULL,  -- evaluation year: the newest data used is at most this year
    base_year     INTEGER NOT NULL,
    movement      VARCHAR NOT NULL,  -- 'positive', 'negative', 'unchanged', 'no_data'
    traffic_light VARCHAR NOT NULL,  -- 'green', 'yellow', 'red', 'white'
    target_status VARCHAR NOT NULL,  -- 'target_met', 'on_track', 'off_track',
                                     -- 'insufficient_data', 'no_target'
    owner         VARCHAR NOT NULL,  -- ministry or committee
    title_da      VARCHAR NOT NULL,
    title_en      VARCHAR NOT NULL,
    n_indicators  INTEGER NOT NULL,
    n_driving     INTEGER NOT NULL,
    n_with_data   INTEGER NOT NULL,
    reasons       VARCHAR,
    PRIMARY KEY (goal_set, goal_id, area_code, origin_group, year)
)
"""

GOAL_INDICATOR_STATUS_DDL = """
CREATE TABLE goal_indicator_status (
    goal_set               VARCHAR NOT NULL,
    goal_id                VARCHAR NOT NULL,
    indicator_id           VARCHAR NOT NULL,
    label                  VARCHAR,          -- national numbering, e.g. '1.1'
    area_code              VARCHAR NOT NULL,
    origin_group           VARCHAR NOT NULL, -- the goal's focus group
    year                   INTEGER NOT NULL, -- evaluation year
    source                 VARCHAR,          -- the preferred source the values were read from
    indicator_origin_group VARCHAR NOT NULL, -- the group actually read (may be fixed, e.g. 'all')
    sex                    VARCHAR NOT NULL,
    unit                   VARCHAR,          -- 'pct', 'pp', 'count' (null without data)
    polarity               VARCHAR NOT NULL, -- 'higher_is_better', 'lower_is_better'
    drives_movement        BOOLEAN NOT NULL,
    base_year              INTEGER NOT NULL,
    latest_year            INTEGER,
    base_value             DOUBLE,
    latest_value           DOUBLE,
    base_rounded           INTEGER,          -- half away from zero (movement.py)
    latest_rounded         INTEGER,
    direction              VARCHAR NOT NULL, -- 'positive', 'negative', 'unchanged', 'no_data'
    base_ci_low            DOUBLE,
    base_ci_high           DOUBLE,
    latest_ci_low          DOUBLE,
    latest_ci_high         DOUBLE,
    change                 DOUBLE,           -- latest_value - base_value
    z                      DOUBLE,
    p_value                DOUBLE,
    test_method            VARCHAR,          -- 'two_proportion_z', 'difference_of_differences',
                                             -- 'ci_overlap', 'exact_count'
    significant            BOOLEAN,
    traffic_light          VARCHAR NOT NULL,
    target                 DOUBLE,
    target_year            INTEGER,
    target_status          VARCHAR NOT NULL,
    progress_ratio         DOUBLE,
    progress_category      VARCHAR,
    projected_value        DOUBLE,
    projected_low          DOUBLE,
    projected_high         DOUBLE,
    reasons                VARCHAR,
    PRIMARY KEY (goal_set, goal_id, indicator_id, area_code, origin_group, year)
)
"""

HOUSING_AREAS_DDL = """
CREATE TABLE housing_areas (
    area_id                 VARCHAR NOT NULL,
    area_name               VARCHAR,
    municipality_code       VARCHAR NOT NULL,  -- 3 digits, e.g. '101'
    list_year               INTEGER NOT NULL,  -- list published 1 December of this year
    rule_set                VARCHAR NOT NULL,  -- '2010', '2013', '2018', '2021' (rules.yaml)
    residents               DOUBLE NOT NULL,   -- on 1 January of the list year
    residents_ok            BOOLEAN NOT NULL,  -- residents >= the rule set's minimum (1,000)
    employment_value        DOUBLE,            -- K1 share 18-64 outside labour market/education
    employment_threshold    DOUBLE,
    employment_met          BOOLEAN,
    crime_value             DOUBLE,            -- K2: multiple of national (2018-), share (-2017)
    crime_threshold         DOUBLE,
    crime_met               BOOLEAN,
    education_value         DOUBLE,            -- K3 share 30-59 with basic schooling only
    education_threshold     DOUBLE,
    education_met           BOOLEAN,
    income_value            DOUBLE,            -- K4 income 15-64 excl. students / region
    income_threshold        DOUBLE,
    income_met              BOOLEAN,
    non_western_value       DOUBLE,            -- share non-Western immigrants and descendants
    non_western_threshold   DOUBLE,
    non_western_met         BOOLEAN,
    criteria_met            INTEGER NOT NULL,  -- criteria of the main list met (of 4; 5 in 2013)
    prevention_criteria_met INTEGER,           -- § 61 b criteria met (2021-)
    udsat                   BOOLEAN,           -- NULL where the year's law has no such list
    parallelsamfund         BOOLEAN,           -- ghettoområde before 2021
    omdannelsesomraade      BOOLEAN,           -- hårdt ghettoområde 2018-2020
    forebyggelsesomraade    BOOLEAN,
    previous_run            INTEGER NOT NULL,  -- consecutive earlier list years on the list
    consecutive_run         INTEGER NOT NULL,  -- the same including this list year
    consecutive_required    INTEGER,           -- N for omdannelsesomraade
    window_complete         BOOLEAN NOT NULL,  -- every averaging window had all its years
    categories_da           VARCHAR NOT NULL,
    categories_en           VARCHAR NOT NULL,
    PRIMARY KEY (area_id, list_year)
)
"""

HOUSING_CRITERIA_DDL = """
CREATE TABLE housing_criteria (
    area_id         VARCHAR NOT NULL,
    list_year       INTEGER NOT NULL,
    rule_set        VARCHAR NOT NULL,
    criterion       VARCHAR NOT NULL,   -- key in rules.yaml, e.g. 'crime_prevention'
    slot            VARCHAR NOT NULL,   -- employment, crime, education, income, non_western
    metric          VARCHAR NOT NULL,   -- e.g. 'convicted_ratio_to_national'
    value           DOUBLE,             -- NULL when the input lacks the statistic
    op              VARCHAR NOT NULL,   -- '>', '>=', '<', '<='
    threshold       DOUBLE NOT NULL,
    met             BOOLEAN NOT NULL,
    average_years   INTEGER NOT NULL,
    data_years      VARCHAR NOT NULL,   -- data years averaged, e.g. '2019,2020'
    window_complete BOOLEAN NOT NULL,
    name_da         VARCHAR NOT NULL,
    name_en         VARCHAR NOT NULL,
    PRIMARY KEY (area_id, list_year, criterion)
)
"""

HOUSING_WARNING_DDL = """
CREATE TABLE housing_warning (
    area_id           VARCHAR NOT NULL,
    area_name         VARCHAR,
    municipality_code VARCHAR NOT NULL,
    list_year         INTEGER NOT NULL,
    rule_set          VARCHAR NOT NULL,
    criterion         VARCHAR NOT NULL,  -- a rules.yaml key, or 'residents'
    slot              VARCHAR NOT NULL,
    value             DOUBLE,
    op                VARCHAR NOT NULL,
    threshold         DOUBLE NOT NULL,
    distance          DOUBLE,            -- value − threshold
    met               BOOLEAN NOT NULL,
    moved_value       DOUBLE,            -- value moved by the run's warning margin × threshold
    met_if_moved      BOOLEAN NOT NULL,
    would_enter       VARCHAR NOT NULL,  -- lists the area would enter after the move ('; ')
    would_leave       VARCHAR NOT NULL,
    within_margin     BOOLEAN NOT NULL,  -- |distance| <= margin × |threshold|
    PRIMARY KEY (area_id, list_year, criterion)
)
"""

SURVEY_CELLS_DDL = """
CREATE TABLE survey_cells (
    source          VARCHAR NOT NULL,   -- 'survey:<name>'
    indicator_id    VARCHAR NOT NULL,
    area_code       VARCHAR NOT NULL,
    year            INTEGER NOT NULL,
    origin_group    VARCHAR NOT NULL,
    sex             VARCHAR NOT NULL,
    respondents     BIGINT NOT NULL,    -- valid answers in the cell, unweighted
    n_eff           DOUBLE,             -- Kish effective sample size (Σw)²/Σw²
    share           DOUBLE,             -- Σw·y / Σw, 0-1 (null when not published)
    ci_low          DOUBLE,             -- Wilson interval on n_eff, 0-1
    ci_high         DOUBLE,
    min_respondents INTEGER NOT NULL,   -- answers the cell needed to be published
    previous_year   INTEGER,            -- the previous round with a published share
    change          DOUBLE,             -- share − the previous round's, percentage points
    z               DOUBLE,             -- two-proportion z on (share·n_eff, n_eff) per round
    p_value         DOUBLE,
    significant     BOOLEAN,            -- p_value < the run's alpha (and a change)
    PRIMARY KEY (source, indicator_id, area_code, year, origin_group, sex)
)
"""
# The weighted totals Σw·y and Σw stay in the inputs file: published beside the shares they
# would let a withheld cell be worked out by difference (all − the other groups).

SURVEY_DISTRICTS_DDL = """
CREATE TABLE survey_districts (
    source          VARCHAR NOT NULL,   -- 'survey:<name>'
    indicator_id    VARCHAR NOT NULL,
    area_code       VARCHAR NOT NULL,   -- the municipality the districts belong to
    year            INTEGER NOT NULL,
    district_code   VARCHAR NOT NULL,   -- the survey's own district code
    district_name   VARCHAR NOT NULL,
    respondents     BIGINT NOT NULL,    -- valid answers (everyone, both sexes)
    n_eff           DOUBLE,
    value           DOUBLE,             -- 100 × share (null unless status = 'ok')
    ci_low          DOUBLE,             -- Wilson interval on n_eff, percent
    ci_high         DOUBLE,
    status          VARCHAR NOT NULL,   -- 'ok' or 'suppressed_primary'
    reason          VARCHAR,            -- 'survey_min_respondents'
    min_respondents INTEGER NOT NULL,
    PRIMARY KEY (source, indicator_id, area_code, year, district_code)
)
"""

# Published tables in write order; ``store.read`` reads exactly these.
STORE_TABLES: dict[str, str] = {
    "observations": OBSERVATIONS_DDL,
    "definitions": DEFINITIONS_DDL,
    "goal_sets": GOAL_SETS_DDL,
    "indicator_sources": INDICATOR_SOURCES_DDL,
    "runs": RUNS_DDL,
    "inputs": INPUTS_DDL,
    "input_files": INPUT_FILES_DDL,
    "goal_status": GOAL_STATUS_DDL,
    "goal_indicator_status": GOAL_INDICATOR_STATUS_DDL,
    "peers": PEERS_DDL,
    "peer_values": PEER_VALUES_DDL,
    "housing_areas": HOUSING_AREAS_DDL,
    "housing_criteria": HOUSING_CRITERIA_DDL,
    "housing_warning": HOUSING_WARNING_DDL,
    "survey_cells": SURVEY_CELLS_DDL,
    "survey_districts": SURVEY_DISTRICTS_DDL,
}

# --- the inputs file (unprotected; never published) ----------------------------------------

INPUT_CELLS_DDL = """
CREATE TABLE input_cells (
    source       VARCHAR NOT NULL,
    indicator_id VARCHAR NOT NULL,
    area_code    VARCHAR NOT NULL,
    year         INTEGER NOT NULL,
    origin_group VARCHAR NOT NULL,
    sex          VARCHAR NOT NULL,
    value        DOUBLE,
    numerator    DOUBLE,
    denominator  DOUBLE,
    unit         VARCHAR NOT NULL,
    status       VARCHAR NOT NULL,   -- 'ok', or suppressed by the source itself (StatBank '..')
    reason       VARCHAR,
    ci_low       DOUBLE,             -- an interval the source made (survey design), else null
    ci_high      DOUBLE,             -- (keys are unique per source: checked before writing)
    verdict_status VARCHAR,          -- the cached disclosure verdict of the cell under the
    verdict_reason VARCHAR           -- input's 'protection' key (null when none is cached)
)
"""

INPUT_TABLES: dict[str, str] = {
    "inputs": INPUTS_DDL,
    "input_files": INPUT_FILES_DDL,
    "input_cells": INPUT_CELLS_DDL,
}

# Input tables whose rows come from one input and whose DDL is a published table's with a
# 'source' column in front (the register input's housing tables, the survey cells and
# districts, there with the weighted totals and unprotected).
INPUT_SIDE_TABLES = (
    "housing_stats",
    "housing_areas",
    "housing_criteria",
    "survey_cells",
    "survey_districts",
)
