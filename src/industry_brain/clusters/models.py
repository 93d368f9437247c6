"""Clusters' and chains' tables.

Chains themselves are data files (clusters/chains/*.yaml, versioned); what the database keeps is
the analyst's word on which enterprise sits on which node, applied over the automatic match.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from industry_brain.core.db import Base


class ChainMembershipOverride(Base):
    """An analyst's confirmation (`add`) or correction (`remove`) of one enterprise on one node
    of one chain version. The newest row for (chain, version, node, enterprise) decides; older
    rows stay as the history of who said what."""

    __tablename__ = "chain_membership_override"
    __table_args__ = (
        Index("ix_chain_membership_override_chain", "chain_id", "chain_version", "node_id", "credit_code"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    chain_id: Mapped[str] = mapped_column(String(80))
    chain_version: Mapped[int] = mapped_column(Integer)
    node_id: Mapped[str] = mapped_column(String(80))
    credit_code: Mapped[str] = mapped_column(String(18))
    action: Mapped[str] = mapped_column(String(6))  # add | remove
    by: Mapped[str | None] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(DateTime)
    note: Mapped[str | None] = mapped_column(Text)
