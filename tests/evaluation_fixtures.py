"""Facts fixtures for the evaluation, shared by every engine's tests (ibis's backend-matrix way)."""

from __future__ import annotations

import random

import polars as pl

from helpers import code
from industry_brain.evaluation.inputs import SCHEMA

YEAR = 2022
BASE = dict(
    name=None,
    industry_code="3484",
    year=YEAR,
    above_scale=1,
    established="2010-05-01",
    land_mu=20.0,
    rented_mu=None,
    tax_wan=600.0,
    value_added_wan=3000.0,
    revenue_wan=8000.0,
    output_wan=12000.0,
    energy_tce=1000.0,
    emission_t=0.5,
    employees=150.0,
    rd_spend_wan=200.0,
    electricity_wan_kwh=500.0,
    safety_accident=0,
    env_violation=0,
)


def frame(rows: list[dict]) -> pl.DataFrame:
    full = [{**BASE, "credit_code": code(i + 1), "name": f"企业{i + 1}", **r} for i, r in enumerate(rows)]
    return pl.DataFrame(full, schema=SCHEMA)


def at_benchmarks_2022() -> dict:
    """An above-scale enterprise whose every indicator equals the 2022 benchmark: scores 100."""
    land, va = 1.0, 136.16
    return dict(
        land_mu=land,
        tax_wan=24.097,
        value_added_wan=va,
        energy_tce=va / 2.694,
        emission_t=va / 4929.81,
        employees=va / 18.14,
        revenue_wan=1000.0,
        rd_spend_wan=30.2,
    )


def mixed(seed: int = 7, n: int = 60) -> pl.DataFrame:
    """Every pool and edge: missing items, zeros, negatives, ties, vetoes, T reasons."""
    rng = random.Random(seed)
    rows: list[dict] = [
        {},  # the 113.128 enterprise
        at_benchmarks_2022(),
        {"emission_t": 0.0},  # zero emissions: undefined, imputed
        {"emission_t": None, "rd_spend_wan": None},  # two imputed items
        {"tax_wan": -50.0},  # negative tax: negative item, veto
        {"industry_code": "4411"},  # utility: T
        {"established": f"{YEAR - 1}-01-01"},  # new: T
        {"established": f"{YEAR - 2}-12-31"},  # just old enough: evaluated
        {"tax_wan": None},  # no tax: T
        {"land_mu": None, "rented_mu": None},  # no land: T
        {"land_mu": 0.0, "rented_mu": 5.0},  # tenant, above scale
        {"land_mu": None, "rented_mu": 2.0, "above_scale": 0, "tax_wan": 10.0},  # tenant, below
        {"safety_accident": 1},
        {"env_violation": 1},
        {"above_scale": 0, "land_mu": 3.0, "tax_wan": 2.0},  # below 3mu+, low efficiency
        {"above_scale": 0, "land_mu": 2.9, "tax_wan": 2.0},  # below <3mu: no low-efficiency veto
        {"above_scale": 0, "land_mu": 8.0, "tax_wan": 40.0, "electricity_wan_kwh": 0.0},
        {},
        {},  # ties with the first
    ]
    while len(rows) < n:
        above = rng.random() < 0.4
        land = rng.choice([None, 0.0, 1.5, 2.5, 3.0, 6.0, 25.0, 80.0])
        rows.append(
            {
                "above_scale": int(above),
                "land_mu": land,
                "rented_mu": rng.choice([None, 0.0, 4.0]) if not land else None,
                "tax_wan": rng.choice([None, -5.0, 0.0, 12.0, 88.0, 430.0, rng.uniform(1, 900)]),
                "value_added_wan": rng.choice([None, 0.0, rng.uniform(50, 9000)]),
                "energy_tce": rng.choice([None, 0.0, rng.uniform(10, 5000)]),
                "emission_t": rng.choice([None, 0.0, rng.uniform(0.01, 20)]),
                "employees": rng.choice([None, 0.0, float(rng.randint(3, 900))]),
                "rd_spend_wan": rng.choice([None, rng.uniform(0, 500)]),
                "revenue_wan": rng.choice([None, 0.0, rng.uniform(100, 30000)]),
                "electricity_wan_kwh": rng.choice([None, 0.0, rng.uniform(1, 800)]),
                "safety_accident": int(rng.random() < 0.05),
                "env_violation": int(rng.random() < 0.05),
                "industry_code": rng.choice(["3484", "3854", "1713", "4420", "2929"]),
            }
        )
    return frame(rows)
