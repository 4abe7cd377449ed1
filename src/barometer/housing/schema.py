"""Store tables for housing classifications (DuckDB DDL).

``housing_areas`` holds one row per area and list year (classify.AREA_COLUMNS); the per-criterion
explanation (criteria.evaluate_criteria) goes to ``housing_criteria`` so that every listing can
be traced to its values, thresholds and data years (DESIGN.md principle 6). ``run_id`` links a
row to the store's ``runs`` table; it is filled by the caller that writes the store.
"""

from __future__ import annotations

HOUSING_AREAS_DDL = """
CREATE TABLE housing_areas (
    run_id                  VARCHAR,
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
    run_id          VARCHAR,
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

HOUSING_DDL = (HOUSING_AREAS_DDL, HOUSING_CRITERIA_DDL)
