"""Fuzz the JSON API from its own OpenAPI document (schemathesis): whatever is sent, signed in
as an admin or not, valid for the schema or not, no route answers with a server error. A
bounded, derandomised number of examples per operation keeps the run under two minutes per
database."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation.modes import GenerationMode

from web_fixtures import Live, live_fixture, web_db_fixture  # noqa: F401

EXAMPLES = 12


def _operations(live: Live) -> list[object]:
    schema = schemathesis.openapi.from_url(f"{live.base}/openapi.json")
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(live: Live, mode: GenerationMode) -> None:
    auth = {"Authorization": f"Bearer {live.token('admin')}"}
    failures: list[str] = []
    for operation in _operations(live):

        @given(case=operation.as_strategy(mode))  # type: ignore[attr-defined]
        @settings(
            max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True
        )
        def fuzz(case: schemathesis.Case) -> None:
            for headers in (auth, {}):
                response = case.call(base_url=live.base, headers=headers, timeout=120)
                if response.status_code >= 500:
                    failures.append(
                        f"{case.method} {case.formatted_path} -> {response.status_code}: {case!r}"
                    )

        try:
            fuzz()
        except Unsatisfiable:  # nothing invalid can be sent to an operation without parameters
            assert mode is GenerationMode.NEGATIVE
    assert failures == []
