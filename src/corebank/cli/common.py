"""What every `corebank` command shares: the bank built from settings, the acting staff user, and how a
refusal is told (the stable code and the detail, exit status 2)."""

from __future__ import annotations

from typing import NoReturn

import typer
from rich.console import Console

from corebank import bootstrap
from corebank.config import Settings
from corebank.kernel.errors import CoreBankError, NotFound, PermissionDenied
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security

console = Console()


def build_bank() -> bootstrap.Bank:
    """The bank of the COREBANK_* settings."""
    return bootstrap.build(Settings())


def refuse(exc: CoreBankError) -> NoReturn:
    """Print a refusal with its stable code and leave with exit status 2."""
    console.print(f"[red]{exc.code}[/red]: {exc.detail}")
    raise typer.Exit(2)


def staff_actor(bank: bootstrap.Bank, username: str | None) -> Actor:
    """The named active staff user acting from the command line, with their roles and branch scope; the
    system itself when no name is given."""
    if not username:
        return SYSTEM
    users = bank.run(security.list_users, SYSTEM, readonly=True)
    user = next((u for u in users if u.username == username), None)
    if user is None:
        raise NotFound(f"no staff user {username}")
    if user.status != "active":
        raise PermissionDenied(f"user {username} is {user.status}")
    return make_actor(user.username, user.id, tuple(user.roles), user.branch_code, bank.branch_tree(), "cli")
