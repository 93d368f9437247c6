"""Clusters' and chains' tables."""

from __future__ import annotations
