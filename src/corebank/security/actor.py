"""Who acts: a staff member, a customer on an e-channel, or the system; on which channel and branch, with which
permissions."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from corebank.kernel.errors import OutOfScope, PermissionDenied
from corebank.security.permissions import P, permissions_for


@dataclass(frozen=True, slots=True)
class Actor:
    """The principal of a command. `branches` is the set of branch codes in scope (None = every branch)."""

    username: str
    user_id: int | None
    roles: tuple[str, ...]
    branch_code: str
    channel: str = "counter"
    permissions: frozenset[P] = field(default_factory=frozenset)
    branches: frozenset[str] | None = None
    # A customer acting for themselves on an e-channel: their customer id, and how strongly they proved who
    # they are for this request ("password", "sms", "totp"; "signed" when a transaction code was checked).
    customer_id: int | None = None
    strength: str = ""

    @property
    def is_customer(self) -> bool:
        """True for a customer on an e-channel (never a member of staff)."""
        return self.customer_id is not None

    def can(self, permission: P) -> bool:
        """True when the actor holds `permission`."""
        return permission in self.permissions

    def require(self, permission: P) -> None:
        """Raise PermissionDenied unless the actor holds `permission`."""
        if permission not in self.permissions:
            raise PermissionDenied(f"{self.username} lacks the permission {permission.value}")

    def require_branch(self, branch_code: str) -> None:
        """Raise OutOfScope unless `branch_code` is within the actor's branches."""
        if self.branches is not None and branch_code not in self.branches:
            raise OutOfScope(f"branch {branch_code} is outside the scope of {self.username}")


def scope_of(branch_code: str, perms: frozenset[P], tree: Mapping[str, str | None]) -> frozenset[str] | None:
    """The branches an actor at `branch_code` may act on: all with ALL_BRANCHES, else its own subtree."""
    if P.ALL_BRANCHES in perms:
        return None
    scope = {branch_code}
    grew = True
    while grew:
        grew = False
        for code, parent in tree.items():
            if parent in scope and code not in scope:
                scope.add(code)
                grew = True
    return frozenset(scope)


def make_actor(
    username: str,
    user_id: int | None,
    roles: tuple[str, ...],
    branch_code: str,
    tree: Mapping[str, str | None],
    channel: str = "counter",
) -> Actor:
    """Build an actor with the permissions of its roles and its branch scope."""
    perms = permissions_for(roles)
    return Actor(username, user_id, roles, branch_code, channel, perms, scope_of(branch_code, perms, tree))


SYSTEM = Actor("system", None, ("admin",), "0001", "system", permissions_for(("admin",)), None)
