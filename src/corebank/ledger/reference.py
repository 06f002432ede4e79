"""The ledger's reference data: the chart of accounts and the branch tree, cached per engine for posting."""

from __future__ import annotations

import weakref
from typing import Any

from sqlalchemy import Engine, insert, select

from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.ledger import chart
from corebank.ledger.models import Branch, GLAccount

# ---------------------------------------------------------------- reference data (chart, branches), cached


class _Reference:
    def __init__(self, gl: dict[str, tuple[int, bool, str, str]], branches: dict[str, str | None]):
        self.gl = gl  # code -> (normal sign, has sub-ledger, class, name)
        self.branches = branches  # code -> parent code


_cache: weakref.WeakKeyDictionary[Engine, _Reference] = weakref.WeakKeyDictionary()


def _reference(uow: UnitOfWork, refresh: bool = False) -> _Reference:
    engine = uow.session.get_bind()
    assert isinstance(engine, Engine)
    ref = _cache.get(engine)
    if ref is None or refresh:
        gl = {
            r.code: (r.normal_sign, r.has_subledger, r.gl_class, r.name)
            for r in uow.conn.execute(
                select(
                    GLAccount.code,
                    GLAccount.normal_sign,
                    GLAccount.has_subledger,
                    GLAccount.gl_class,
                    GLAccount.name,
                )
            )
        }
        branches = {r.code: r.parent_code for r in uow.conn.execute(select(Branch.code, Branch.parent_code))}
        ref = _Reference(gl, branches)
        _cache[engine] = ref
    return ref


def _check_refs(uow: UnitOfWork, gl_code: str, branch_code: str) -> tuple[int, bool]:
    ref = _reference(uow)
    if gl_code not in ref.gl or branch_code not in ref.branches:
        ref = _reference(uow, refresh=True)
    if gl_code not in ref.gl:
        raise InvalidRequest(f"GL account {gl_code} is not in the chart of accounts")
    if branch_code not in ref.branches:
        raise InvalidRequest(f"branch {branch_code} does not exist")
    sign, sub, _cls, _name = ref.gl[gl_code]
    return sign, sub


def branch_tree(uow: UnitOfWork) -> dict[str, str | None]:
    """Every branch code with its parent code (cached per engine; refreshed when a branch is added)."""
    return _reference(uow).branches


def forget_reference_data(uow: UnitOfWork) -> None:
    """Drop the cached chart and branch list (after adding GL accounts or branches)."""
    _reference(uow, refresh=True)


# ---------------------------------------------------------------- set-up: chart and branches


def seed_chart(uow: UnitOfWork) -> int:
    """Load the standard chart of accounts where missing; return how many accounts were added."""
    have = set(uow.session.execute(select(GLAccount.code)).scalars())
    rows = [
        {
            "code": c.code,
            "name": c.name,
            "name_zh": c.name_zh,
            "gl_class": c.gl_class,
            "normal_sign": chart.normal_sign(c.gl_class),
            "has_subledger": c.has_subledger,
        }
        for c in chart.STANDARD_CHART
        if c.code not in have
    ]
    if rows:
        uow.session.execute(insert(GLAccount), rows)
    return len(rows)


def add_branch(uow: UnitOfWork, code: str, name: str, parent_code: str | None, level: str) -> None:
    """Add a branch to the organisation tree."""
    if not (code.isdigit() and len(code) == 4):
        raise InvalidRequest("a branch code is four digits")
    if uow.session.get(Branch, code) is not None:
        raise InvalidRequest(f"branch {code} already exists")
    uow.session.add(Branch(code=code, name=name, parent_code=parent_code, level=level, status="active"))
    uow.session.flush()
    forget_reference_data(uow)


def list_branches(uow: UnitOfWork) -> list[dict[str, Any]]:
    """All branches, head office first."""
    rows = uow.session.execute(select(Branch).order_by(Branch.code)).scalars()
    return [{"code": b.code, "name": b.name, "parent_code": b.parent_code, "level": b.level} for b in rows]


def list_chart(uow: UnitOfWork) -> list[dict[str, Any]]:
    """The chart of accounts."""
    rows = uow.session.execute(select(GLAccount).order_by(GLAccount.code)).scalars()
    return [
        {
            "code": g.code,
            "name": g.name,
            "name_zh": g.name_zh,
            "gl_class": g.gl_class,
            "has_subledger": g.has_subledger,
        }
        for g in rows
    ]
