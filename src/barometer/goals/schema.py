"""Store tables for goal results, matching the frames of ``evaluate.py`` column for column.

Why here: the store owns its own tables (store/schema.py) but these columns are defined by
the goal evaluation; keeping the DDL beside the code that fills it keeps them in step (a test
checks that the frames and the DDL list the same columns). The store may prefix a run_id.
"""

from __future__ import annotations

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
    year          INTEGER,           -- evaluation year (newest year with data if not given)
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
    PRIMARY KEY (goal_set, goal_id, area_code, origin_group)
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
    PRIMARY KEY (goal_set, goal_id, indicator_id, area_code, origin_group)
)
"""
