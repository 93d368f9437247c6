"""Tiers' and pools' tables."""

from __future__ import annotations
