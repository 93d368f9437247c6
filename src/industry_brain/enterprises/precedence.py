"""Which source decides a figure when several departments give it (stated, and documented in
docs/sources.md). The master record's attributes follow the same table."""

from __future__ import annotations

# First wins. A source not listed for a figure ranks after every listed one.
PRECEDENCE: dict[str, tuple[str, ...]] = {
    "name": ("registry", "stats", "tax", "titles", "land", "environment", "safety", "power"),
    "industry_code": ("stats", "registry"),
    "township_code": ("registry", "stats"),
    "zone": ("registry",),
    "established": ("registry",),
    "above_scale": ("stats",),
    "output_wan": ("stats",),
    "value_added_wan": ("stats",),
    "revenue_wan": ("stats", "tax"),
    "tax_wan": ("tax", "stats"),
    "rd_spend_wan": ("stats",),
    "employees": ("stats",),
    "land_mu": ("land", "stats"),
    "rented_mu": ("land",),
    "energy_tce": ("stats",),
    "emission_t": ("environment",),
    "electricity_wan_kwh": ("power",),
    "safety_accident": ("safety",),
    "env_violation": ("environment",),
}

MASTER_ATTRIBUTES = ("name", "industry_code", "township_code", "zone", "established")
