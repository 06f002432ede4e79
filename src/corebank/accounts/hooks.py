"""What other areas do at points of an account's life, wired by bootstrap (the accounts area stays below
them): pay interest when an account closes (or refuse the closing while a sweep agreement holds money);
draw money back from a sweep before a debit it cannot cover, and say how much it could."""

from __future__ import annotations

from collections.abc import Callable

from corebank.db.uow import UnitOfWork

# (uow, ledger account id, closing username) -> interest credited (minor units)
ClosingInterest = Callable[[UnitOfWork, int, str], int]
# (uow, ledger account id, amount needed in minor units, username) -> amount brought back (minor units)
ShortfallCover = Callable[[UnitOfWork, int, int, str], int]

# (uow, ledger account id) -> minor units that could be brought back on demand (swept deposits)
Reserve = Callable[[UnitOfWork, int], int]

_closing: list[ClosingInterest] = []
_cover: list[ShortfallCover] = []
_reserve: list[Reserve] = []


def on_closing(fn: ClosingInterest) -> None:
    """Register what credits an account's interest to the day before closing (deposits area)."""
    if fn not in _closing:
        _closing.append(fn)


def on_shortfall(fn: ShortfallCover) -> None:
    """Register what brings money back into an account before a debit its balance cannot cover (sweeps)."""
    if fn not in _cover:
        _cover.append(fn)


def on_reserve(fn: Reserve) -> None:
    """Register what tells how much a sweep could bring back into an account (for checks before approval)."""
    if fn not in _reserve:
        _reserve.append(fn)


def reserve(uow: UnitOfWork, account_id: int) -> int:
    """Minor units the registered sweeps could bring back into the account on demand."""
    return sum(fn(uow, account_id) for fn in _reserve)


def pay_closing_interest(uow: UnitOfWork, account_id: int, by: str) -> int:
    """Credit interest due to an account being closed; return the amount (minor units)."""
    return sum(fn(uow, account_id, by) for fn in _closing)


def cover_shortfall(uow: UnitOfWork, account_id: int, needed: int, by: str) -> int:
    """Ask the registered sweeps to bring `needed` minor units back; return what they brought."""
    got = 0
    for fn in _cover:
        if got >= needed:
            break
        got += fn(uow, account_id, needed - got, by)
    return got
