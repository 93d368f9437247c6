"""Fuzz the JSON API from its own OpenAPI document (schemathesis): whatever is sent, signed in
as an admin or not, valid for the schema or not, alone or as a chain of calls that feeds one
answer's ids into the next request (the links schemathesis infers from the schema: a run's
id into its results and notices, a batch's into its rejects, a plan's into its progress...),
no route answers with a server error. Bounded and derandomised: a few examples per operation
and a few short scenarios keep the file near a minute per database."""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from hypothesis.stateful import run_state_machine_as_test
from schemathesis.generation.modes import GenerationMode

from web_fixtures import Live, live_fixture, web_db_fixture  # noqa: F401

EXAMPLES = 4
SCENARIOS, STEPS = 12, 5
BOUNDED = settings(deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)


def _schema(live: Live) -> Any:
    return schemathesis.openapi.from_url(f"{live.base}/openapi.json")


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE])
def test_no_request_makes_a_server_error(live: Live, mode: GenerationMode) -> None:
    auth = {"Authorization": f"Bearer {live.token('admin')}"}
    failures: list[str] = []
    for operation in (result.ok() for result in _schema(live).get_all_operations()):

        @given(case=operation.as_strategy(mode))  # type: ignore[attr-defined]
        @settings(BOUNDED, max_examples=EXAMPLES)
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


def test_no_chain_of_linked_requests_makes_a_server_error(live: Live) -> None:
    machine = _schema(live).as_state_machine()
    linked = [name for name in dir(machine) if "__" in name and not name.startswith(("_", "RANDOM"))]
    # the links that chain a list's ids into the item routes (runs, batches, plans, chains...)
    assert any("evaluation_runs_run_id" in name for name in linked), linked
    assert any("imports_batches_batch_id" in name for name in linked), linked
    auth = {"Authorization": f"Bearer {live.token('admin')}"}
    failures: list[str] = []
    calls: list[str] = []

    class Scenario(machine):  # type: ignore[misc, valid-type]
        def get_call_kwargs(self, case: schemathesis.Case) -> dict[str, Any]:
            return {"base_url": live.base, "headers": auth, "timeout": 120}

        def validate_response(self, response: Any, case: schemathesis.Case, **_: Any) -> None:
            calls.append(case.formatted_path)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} -> {response.status_code}: {case!r}")

    run_state_machine_as_test(
        Scenario, settings=settings(BOUNDED, max_examples=SCENARIOS, stateful_step_count=STEPS)
    )
    assert failures == []
    # the scenarios did follow links: some request went to an item a list had named
    assert any(path.count("/") > 3 and "{" not in path for path in calls), calls
