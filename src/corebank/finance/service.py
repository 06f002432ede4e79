"""The books as staff read them: trial balance and journal entries, within each reader's branch scope."""

from __future__ import annotations

from datetime import date

from corebank import ledger
from corebank.db.uow import UnitOfWork
from corebank.finance.schemas import EntryLineRead, EntryRead, TrialBalanceLine, TrialBalanceRead
from corebank.kernel.money import minor_to_text
from corebank.security import Actor, P


def trial_balance(uow: UnitOfWork, actor: Actor, as_of: date | None, branch: str | None) -> TrialBalanceRead:
    """Debit and credit balances per GL account at the end of `as_of` (default today), for one branch or the
    whole bank. Staff limited to some branches get their own branch's books unless they name one in scope."""
    actor.require(P.LEDGER_READ)
    if branch is None and actor.branches is not None:
        branch = actor.branch_code
    if branch is not None:
        actor.require_branch(branch)
    tb = ledger.trial_balance(uow, as_of, branch)
    totals = tb.totals()
    base = uow.settings.base_currency
    d, c = totals.get(base, (0, 0))
    return TrialBalanceRead(
        as_of=tb.as_of,
        branch_code=branch,
        lines=[
            TrialBalanceLine(
                gl_code=r.gl_code,
                name=r.name,
                gl_class=r.gl_class,
                currency=r.currency,
                debit=minor_to_text(r.debit, r.currency),
                credit=minor_to_text(r.credit, r.currency),
            )
            for r in tb.rows
        ],
        totals={
            cur: {"debit": minor_to_text(dd, cur), "credit": minor_to_text(cc, cur)}
            for cur, (dd, cc) in totals.items()
        },
        total_debit=minor_to_text(d, base),
        total_credit=minor_to_text(c, base),
        balanced=tb.balanced,
    )


def journal_entry(uow: UnitOfWork, actor: Actor, entry_id: int) -> EntryRead:
    """A journal entry with its lines, if it touches a branch in the reader's scope."""
    actor.require(P.LEDGER_READ)
    e = ledger.get_entry(uow, entry_id)
    if actor.branches is not None and not ({ln.branch_code for ln in e.lines} & actor.branches):
        actor.require_branch(e.lines[0].branch_code)
    return EntryRead(
        id=e.id,
        booking_date=e.booking_date,
        value_date=e.value_date,
        kind=e.kind,
        memo=e.memo,
        reference=e.reference,
        reverses_id=e.reverses_id,
        created_by=e.created_by,
        lines=[
            EntryLineRead(
                line_no=ln.line_no,
                gl_code=ln.gl_code,
                branch_code=ln.branch_code,
                side="debit" if ln.amount > 0 else "credit",
                amount=minor_to_text(abs(ln.amount), ln.currency),
                currency=ln.currency,
            )
            for ln in e.lines
        ],
    )
