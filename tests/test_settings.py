"""Settings come from defaults, then INDUSTRY_BRAIN_* variables, then explicit overrides."""

from __future__ import annotations

import pytest

from industry_brain.core.errors import ConfigurationError
from industry_brain.core.settings import get_settings


def test_environment_then_overrides() -> None:
    env = {"INDUSTRY_BRAIN_PORT": "9000", "INDUSTRY_BRAIN_HOST": "0.0.0.0"}
    assert get_settings(env).port == 9000
    assert get_settings(env, port=9100).port == 9100
    assert get_settings({}).host == "127.0.0.1"


@pytest.mark.parametrize(("raw", "value"), [("true", True), ("1", True), ("off", False), ("False", False)])
def test_booleans_read_the_usual_spellings(raw: str, value: bool) -> None:
    assert get_settings({"INDUSTRY_BRAIN_COOKIE_SECURE": raw}).cookie_secure is value


@pytest.mark.parametrize(("name", "raw"), [("COOKIE_SECURE", "maybe"), ("PORT", "eighty")])
def test_a_bad_value_names_the_variable(name: str, raw: str) -> None:
    with pytest.raises(ConfigurationError, match=f"INDUSTRY_BRAIN_{name}="):
        get_settings({f"INDUSTRY_BRAIN_{name}": raw})
