"""Schemathesis against /openapi.json: no server errors; status codes and types as documented.

The operations' Hypothesis strategies are driven directly (schemathesis' pytest plugin does not
load under this pytest); each documented operation gets its own generated examples.
"""

from __future__ import annotations

import warnings

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    status_code_conformance,
)


def _operations(app) -> dict:
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    ops = {}
    for result in schema.get_all_operations():
        op = result.ok()
        ops[op.label] = op
    return ops


def test_every_api_operation_is_fuzzed(web_app):
    labels = set(_operations(web_app))
    assert {
        "GET /api/v1/indicators",
        "GET /api/v1/areas",
        "GET /api/v1/observations",
        "GET /api/v1/goals",
        "GET /api/v1/housing",
    } <= labels


@pytest.mark.parametrize(
    "label",
    [
        "GET /api/v1/indicators",
        "GET /api/v1/areas",
        "GET /api/v1/observations",
        "GET /api/v1/goals",
        "GET /api/v1/housing",
    ],
)
def test_api_never_fails_with_a_server_error(web_app, label):
    op = _operations(web_app)[label]

    @given(case=op.as_strategy())
    @settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
    def run(case):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            response = case.call()
        case.validate_response(
            response,
            checks=[not_a_server_error, status_code_conformance, content_type_conformance],
        )
        assert response.status_code in (200, 404, 422), response.text[:300]

    run()
