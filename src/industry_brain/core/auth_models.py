"""Users, API tokens and the audit log tables."""

from __future__ import annotations
