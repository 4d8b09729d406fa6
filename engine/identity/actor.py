"""Who is acting: a user through the API or web, or the system itself (scheduler, webhook source)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .roles import BEHEERDER, MUNICIPAL_ROLES, effective_roles


@dataclass(frozen=True)
class Actor:
    username: str
    roles: frozenset = field(default_factory=frozenset)
    municipality_code: str | None = None
    kind: str = "user"  # user | system
    source: str | None = None  # the webhook source a system actor stands for
    police_unit: str | None = None  # a police user's unit (identity/police_units.py)

    @classmethod
    def for_user(cls, user) -> Actor:
        return cls(
            user.username,
            effective_roles(user.roles),
            user.municipality_code,
            "user",
            police_unit=getattr(user, "police_unit", None),
        )

    @classmethod
    def system(cls, name: str) -> Actor:
        return cls(name, frozenset(), None, "system")

    @classmethod
    def webhook(cls, source: str) -> Actor:
        """The sender of a signed webhook delivery: the system, speaking for one source."""
        return cls(f"webhook:{source}", frozenset(), None, "system", source)

    @property
    def is_system(self) -> bool:
        return self.kind == "system"

    @property
    def is_admin(self) -> bool:
        return BEHEERDER in self.roles

    @property
    def is_municipal(self) -> bool:
        """A user whose roles are all municipal sees only their own municipality."""
        return bool(self.roles) and self.roles <= MUNICIPAL_ROLES

    def has_role(self, *roles: str) -> bool:
        return any(role in self.roles for role in roles)
