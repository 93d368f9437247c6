"""`input_hash` is the hash runs have always stored: the digests below were computed with the
definition as it stood before the hash was computed a slice at a time (sha256 of the whole
frame's CSV text at once), so a stored run's hash still verifies against its facts."""

from __future__ import annotations

import hashlib

import numpy as np
import polars as pl
import pytest

from evaluation_fixtures import frame, mixed
from industry_brain.evaluation import service
from industry_brain.evaluation.inputs import SCHEMA
from industry_brain.ingest.facts import FACT_COLUMNS


def awkward() -> pl.DataFrame:
    values = [0.1, 1 / 3, 2**-13, 2**-40, 1e-20, 1e20, 123456789.123456789, -0.0, 5e-13]
    values += [0.0000000000015, 2.5e-12, 1e300, 7.0, -1.25]
    rows = [
        {"land_mu": v, "tax_wan": -v if v else None, "rd_spend_wan": v * 3, "name": f'企业,"{i}"\n'}
        for i, v in enumerate(values)
    ]
    return frame(rows)


def scattered() -> pl.DataFrame:
    rng = np.random.default_rng(5)
    n = 20000
    return frame([{}] * n).with_columns(
        pl.Series("land_mu", rng.lognormal(1.4, 2.0, n)),
        pl.Series("tax_wan", rng.normal(0, 1e4, n)),
        pl.Series("energy_tce", rng.lognormal(3, 3, n)).set(pl.Series(rng.random(n) < 0.2), None),
        pl.Series("year", rng.integers(2020, 2024, n)),
    )


# computed with the code of commit 0cbb969 (before this change)
STORED = [
    (lambda: mixed(7, 60), "747a86fafc7704fe49189edaa08222b2c8f3ca5d2094d7571a5bb71d25b5992f"),
    (lambda: mixed(11, 300), "5560bbbea54e989ed229ba8abc590ce101a07c00727e2d707cd77c1d21bc60cf"),
    (lambda: mixed(3, 2500), "08f7de172db8c0c6e2f38076183053620b9fcd8aecb168a94d5cb143f7de4cc1"),
    (awkward, "e861ec8fde226d40542bc44df3e55a03040158bae08faf876601cc8a370093c7"),
    (scattered, "d459ef22906aedf71a87661c247632b380f2b1d06e6d79d9b25e5733d4bb415a"),
]


@pytest.mark.parametrize(
    ("facts", "digest"), STORED, ids=["mixed60", "mixed300", "mixed2500", "awkward", "20k"]
)
@pytest.mark.parametrize("chunk", [7, 1000, service.HASH_CHUNK])
def test_the_hash_is_the_one_runs_have_stored(monkeypatch, facts, digest, chunk):
    monkeypatch.setattr(service, "HASH_CHUNK", chunk)
    assert service.input_hash(facts()) == digest


def test_the_hash_is_of_the_sorted_facts_as_one_csv_text():
    facts = scattered().sample(fraction=1.0, shuffle=True, seed=1)
    whole = facts.select(FACT_COLUMNS).cast(SCHEMA).sort("credit_code", "year").write_csv(float_precision=12)
    assert service.input_hash(facts) == hashlib.sha256(whole.encode("utf-8")).hexdigest()
    assert (
        service.input_hash(facts.head(0))
        == hashlib.sha256(",".join(FACT_COLUMNS).encode() + b"\n").hexdigest()
    )


def test_a_changed_figure_changes_the_hash():
    facts = mixed()
    changed = facts.with_columns(pl.col("tax_wan").shift(1, fill_value=1.0))
    assert service.input_hash(changed) != service.input_hash(facts)
