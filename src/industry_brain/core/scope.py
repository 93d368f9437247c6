"""Who may see what: a signed-in user's role and the part of the district it covers.

Scope is enforced in the service layer: every service function that reads enterprise figures
takes ``scope`` and narrows its query with :func:`Scope.enterprise_clause`, so a page, an API
route, a CLI command and an export of the same data can never disagree about who sees it.
The CLI acts as ``Scope.system()`` (an operator with shell access already has the database).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from sqlalchemy import ColumnElement, false, true

Role = Literal["admin", "analyst", "leader", "department", "town", "enterprise", "chain_chief", "system"]
ROLES: tuple[str, ...] = ("admin", "analyst", "leader", "department", "town", "enterprise", "chain_chief")
# Roles that see every enterprise of the district; the others see a part, or none.
DISTRICT_WIDE: frozenset[str] = frozenset({"admin", "analyst", "leader", "system"})


@dataclass(frozen=True)
class Scope:
    role: str
    username: str = "system"
    township_code: str | None = None  # role town: the 9-digit township (GB/T 2260 + 3) it covers
    unit: str | None = None  # role department: the responsible unit's name, as the plans write it
    credit_code: str | None = None  # role enterprise: its own 统一社会信用代码
    chain: str | None = None  # role chain_chief (链长): the chain's id (clusters/chains/<id>.yaml)

    @classmethod
    def system(cls) -> Scope:
        return cls(role="system")

    @property
    def district_wide(self) -> bool:
        return self.role in DISTRICT_WIDE

    def sees_enterprise(self, *, credit_code: str, township_code: str | None) -> bool:
        if self.district_wide:
            return True
        if self.role == "town":
            return township_code is not None and township_code == self.township_code
        if self.role == "enterprise":
            return credit_code == self.credit_code
        return False  # a department or a chain chief sees its cases and plans, not enterprise figures

    def enterprise_clause(self, credit_code: Any, township_code: Any) -> ColumnElement[bool]:
        """A WHERE clause over the given credit-code and township columns."""
        if self.district_wide:
            return true()
        if self.role == "town" and self.township_code:
            return township_code == self.township_code
        if self.role == "enterprise" and self.credit_code:
            return credit_code == self.credit_code
        return false()
