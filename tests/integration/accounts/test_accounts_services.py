"""Deposit account use cases through the service layer: classes and their limits, holds and freezes, closing,
counter cash with supervisor authorization (授权), transfer idempotency, reversals (冲正), till balancing (轧账)."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

import pytest

from corebank import accounts, ledger, operations, payments, tellers
from corebank.accounts.errors import (
    AccountClosed,
    AccountFrozen,
    AccountNotEmpty,
    ClassLimitExceeded,
    CreditBlocked,
    DebitBlocked,
    HoldNotFound,
    OneTypeOneAccount,
)
from corebank.bootstrap import Bank
from corebank.kernel.errors import (
    IdempotencyKeyMissing,
    IdempotencyKeyReused,
    InvalidRequest,
    PermissionDenied,
)
from corebank.ledger import chart
from corebank.operations.errors import ApprovalNotPending, SelfApproval
from corebank.payments.errors import ReversalWindowClosed
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from corebank.tellers.errors import TillAlreadyOpen
from tests.factories import Staff, deposit, funded_account, ledger_state, new_account, new_customer
from tests.integration.conftest import FreshBank


def key() -> str:
    return f"test-{uuid.uuid4().hex}"


def read(bank: Bank, actor: Actor, number: str) -> accounts.AccountRead:
    return bank.run(accounts.get_account, actor, number, readonly=True)  # type: ignore[no-any-return]


def transfer(
    bank: Bank, actor: Actor, src: str, dst: str, amount: str, idem: str | None = None, memo: str = ""
) -> payments.TransferRead:
    cmd = payments.TransferCreate(from_account=src, to_account=dst, amount=amount, memo=memo)
    return bank.run(payments.transfer, actor, cmd, idem or key())  # type: ignore[no-any-return]


def withdraw(bank: Bank, actor: Actor, number: str, amount: str, idem: str | None = None) -> Any:
    return bank.run(
        accounts.cash_withdrawal, actor, number, accounts.CashOperation(amount=amount), idem or key()
    )


def till_balance(bank: Bank, username: str) -> int:
    def q(uow: Any) -> int:
        till = tellers.current_till(uow, username, "CNY")
        return ledger.balances(uow, [till.ledger_account_id])[till.ledger_account_id].balance

    return bank.run(q, readonly=True)  # type: ignore[no-any-return]


def gl_total(bank: Bank, gl_code: str, branch: str) -> int:
    def q(uow: Any) -> int:
        return sum(v for g, _b, _c, v in ledger.gl_balances(uow, uow.business_date, branch) if g == gl_code)

    return bank.run(q, readonly=True)  # type: ignore[no-any-return]


def books_balanced(bank: Bank) -> bool:
    def q(uow: Any) -> bool:
        return ledger.trial_balance(uow).balanced and all(
            ledger.trial_balance(uow, branch_code=b).balanced for b in ledger.branch_tree(uow)
        )

    return bank.run(q, readonly=True)  # type: ignore[no-any-return]


@pytest.fixture
def teller(staff: Staff) -> Actor:
    return staff["teller"].actor


@pytest.fixture
def supervisor(staff: Staff) -> Actor:
    return staff["supervisor"].actor


# ---------------------------------------------------------------- opening: account classes


def test_one_type_i_account_per_person(bank: Bank, teller: Actor) -> None:
    cust = new_customer(bank, teller)
    first = new_account(bank, teller, cust.number)
    assert first.account_class == 1 and first.status == "active" and first.balance == "0.00"
    with pytest.raises(OneTypeOneAccount) as err:
        new_account(bank, teller, cust.number)
    assert first.number in str(err.value) and err.value.code == "TYPE_I_ACCOUNT_EXISTS"
    # Type II and III are how the same person holds more accounts
    second = new_account(bank, teller, cust.number, account_class=2, linked=first.number)
    assert second.account_class == 2


def test_closing_the_type_i_account_allows_a_new_one(bank: Bank, teller: Actor) -> None:
    cust = new_customer(bank, teller)
    first = new_account(bank, teller, cust.number)
    bank.run(accounts.close_account, teller, first.number, accounts.CloseRequest(), key())
    again = new_account(bank, teller, cust.number)
    assert again.number != first.number and again.account_class == 1


def test_linked_account_must_be_the_same_customers_type_i(bank: Bank, teller: Actor) -> None:
    alice, bob = new_customer(bank, teller), new_customer(bank, teller)
    alice_1 = new_account(bank, teller, alice.number)
    bob_1 = new_account(bank, teller, bob.number)
    with pytest.raises(InvalidRequest, match="same customer's open Type I"):
        new_account(bank, teller, alice.number, account_class=2, linked=bob_1.number)
    alice_2 = new_account(bank, teller, alice.number, account_class=2, linked=alice_1.number)
    with pytest.raises(InvalidRequest, match="same customer's open Type I"):
        new_account(bank, teller, alice.number, account_class=3, linked=alice_2.number)


def test_account_numbers_carry_branch_and_luhn_check_digit(bank: Bank, staff: Staff) -> None:
    from corebank.kernel.ids import luhn_valid

    head = new_account(bank, staff["teller"].actor)
    east = new_account(bank, staff["east_teller"].actor)
    assert head.number.startswith("0001") and head.branch_code == "0001"
    assert east.number.startswith("0002") and east.branch_code == "0002"
    assert luhn_valid(head.number) and luhn_valid(east.number)


# ---------------------------------------------------------------- class limits (银发〔2018〕16号)


def _type_ii_with_linked(bank: Bank, teller: Actor, funds: str) -> tuple[str, str]:
    cust = new_customer(bank, teller)
    type1 = new_account(bank, teller, cust.number).number
    type2 = new_account(bank, teller, cust.number, account_class=2, linked=type1).number
    deposit(bank, teller, type2, funds)
    return type1, type2


def test_type_ii_outflow_to_others_capped_at_10000_a_day(bank: Bank, teller: Actor) -> None:
    type1, type2 = _type_ii_with_linked(bank, teller, "40000.00")
    other = new_account(bank, teller).number
    transfer(bank, teller, type2, other, "6000.00")
    transfer(bank, teller, type2, other, "4000.00")  # exactly the daily cap
    before = ledger_state(bank)
    with pytest.raises(ClassLimitExceeded) as err:
        transfer(bank, teller, type2, other, "0.01")
    assert err.value.code == "ACCOUNT_CLASS_LIMIT_EXCEEDED"
    assert ledger_state(bank) == before
    # cash counts against the same limit
    with pytest.raises(ClassLimitExceeded):
        withdraw(bank, teller, type2, "1.00")
    # the linked Type I account is not limited
    transfer(bank, teller, type2, type1, "15000.00")
    transfer(bank, teller, type2, type1, "5000.00")
    assert read(bank, teller, type2).balance == "10000.00"
    assert read(bank, teller, type1).balance == "20000.00"
    assert read(bank, teller, other).balance == "10000.00"


def test_refused_transfer_does_not_use_up_the_class_limit(bank: Bank, teller: Actor) -> None:
    _type1, type2 = _type_ii_with_linked(bank, teller, "500.00")
    other = new_account(bank, teller).number
    with pytest.raises(ledger.InsufficientFunds):
        transfer(bank, teller, type2, other, "9000.00")
    deposit(bank, teller, type2, "9500.00")
    transfer(bank, teller, type2, other, "10000.00")  # the refused 9,000 was not counted


def test_type_iii_balance_and_outflow_caps(bank: Bank, teller: Actor) -> None:
    cust = new_customer(bank, teller)
    type1 = new_account(bank, teller, cust.number).number
    type3 = new_account(bank, teller, cust.number, account_class=3, linked=type1).number
    deposit(bank, teller, type3, "2000.00")
    with pytest.raises(ledger.BalanceCeiling) as err:
        deposit(bank, teller, type3, "0.01")
    assert err.value.code == "BALANCE_LIMIT_EXCEEDED"
    payer = funded_account(bank, teller, "100.00").number
    with pytest.raises(ledger.BalanceCeiling):
        transfer(bank, teller, payer, type3, "0.01")
    other = new_account(bank, teller).number
    transfer(bank, teller, type3, other, "1500.00")
    deposit(bank, teller, type3, "1500.00")
    transfer(bank, teller, type3, other, "500.00")  # 2,000 out today: the cap
    with pytest.raises(ClassLimitExceeded):
        transfer(bank, teller, type3, other, "0.01")
    transfer(bank, teller, type3, type1, "1000.00")  # linked: unlimited
    assert read(bank, teller, type3).balance == "500.00"


def test_class_limit_renews_on_the_next_business_day(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    cust = new_customer(fb.bank, fb.teller)
    type1 = new_account(fb.bank, fb.teller, cust.number).number
    type2 = new_account(fb.bank, fb.teller, cust.number, account_class=2, linked=type1).number
    deposit(fb.bank, fb.teller, type2, "30000.00")
    other = new_account(fb.bank, fb.teller).number
    transfer(fb.bank, fb.teller, type2, other, "10000.00")
    with pytest.raises(ClassLimitExceeded):
        transfer(fb.bank, fb.teller, type2, other, "0.01")
    fb.move_to(fb.business_date() + timedelta(days=1))
    transfer(fb.bank, fb.teller, type2, other, "10000.00")
    with pytest.raises(ClassLimitExceeded):
        transfer(fb.bank, fb.teller, type2, other, "0.01")


# ---------------------------------------------------------------- holds, freezes, blocks


def test_full_freeze_stops_payments_but_not_receipts(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    acc = funded_account(bank, teller, "500.00").number
    other = funded_account(bank, teller, "10.00").number
    with pytest.raises(PermissionDenied):
        bank.run(accounts.freeze, teller, acc, accounts.FreezeRequest(kind="full", reason="court"))
    frz = bank.run(
        accounts.freeze,
        supervisor,
        acc,
        accounts.FreezeRequest(kind="full", reason="court", authority="Haidian court", document_no="2026-17"),
    )
    assert frz.kind == "freeze_full" and frz.status == "active" and frz.authority == "Haidian court"
    r = read(bank, teller, acc)
    assert (r.status, r.balance, r.available_balance) == ("frozen", "500.00", "0.00")
    before = ledger_state(bank)
    with pytest.raises(AccountFrozen):
        transfer(bank, teller, acc, other, "1.00")
    with pytest.raises(AccountFrozen):
        withdraw(bank, teller, acc, "1.00")
    assert ledger_state(bank) == before
    transfer(bank, teller, other, acc, "10.00")  # money still comes in
    released = bank.run(accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(reason="order lifted"))
    assert released.status == "released" and released.released_by == supervisor.username
    assert read(bank, teller, acc).status == "active"
    transfer(bank, teller, acc, other, "510.00")
    assert read(bank, teller, acc).balance == "0.00"


def test_two_full_freezes_need_both_lifted(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    acc = funded_account(bank, teller, "50.00").number
    f1 = bank.run(accounts.freeze, supervisor, acc, accounts.FreezeRequest(kind="full", reason="court A"))
    f2 = bank.run(accounts.freeze, supervisor, acc, accounts.FreezeRequest(kind="full", reason="court B"))
    with pytest.raises(InvalidRequest, match="say which"):
        bank.run(accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(reason="?"))
    bank.run(accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(freeze_id=f1.id, reason="A lifted"))
    assert read(bank, teller, acc).status == "frozen"
    with pytest.raises(HoldNotFound):
        bank.run(
            accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(freeze_id=f1.id, reason="again")
        )
    bank.run(accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(freeze_id=f2.id, reason="B lifted"))
    assert read(bank, teller, acc).status == "active"


def test_partial_freeze_and_hold_reduce_the_available_balance(
    bank: Bank, teller: Actor, supervisor: Actor
) -> None:
    acc = funded_account(bank, teller, "1000.00").number
    other = new_account(bank, teller).number
    frz = bank.run(
        accounts.freeze,
        supervisor,
        acc,
        accounts.FreezeRequest(kind="partial", amount="300.00", reason="tax"),
    )
    hold = bank.run(accounts.place_hold, teller, acc, accounts.HoldRequest(amount="200.00", reason="cheque"))
    r = read(bank, teller, acc)
    assert (r.status, r.balance, r.held, r.available_balance) == ("active", "1000.00", "500.00", "500.00")
    holds = bank.run(accounts.list_holds, teller, acc, readonly=True)
    assert {(h.kind, h.amount) for h in holds} == {("freeze_partial", "300.00"), ("hold", "200.00")}
    with pytest.raises(ledger.InsufficientFunds):
        transfer(bank, teller, acc, other, "500.01")
    transfer(bank, teller, acc, other, "500.00")
    with pytest.raises(HoldNotFound):  # a freeze is not released as a hold
        bank.run(accounts.release_hold, teller, acc, frz.id, "wrong door")
    bank.run(accounts.release_hold, teller, acc, hold.id, "cleared")
    with pytest.raises(HoldNotFound):
        bank.run(accounts.release_hold, teller, acc, hold.id, "twice")
    assert read(bank, teller, acc).available_balance == "200.00"
    bank.run(accounts.unfreeze, supervisor, acc, accounts.UnfreezeRequest(reason="tax paid"))
    r = read(bank, teller, acc)
    assert (r.held, r.available_balance) == ("0.00", "500.00")


def test_hold_above_the_balance_leaves_nothing_available(bank: Bank, teller: Actor) -> None:
    acc = funded_account(bank, teller, "100.00").number
    bank.run(accounts.place_hold, teller, acc, accounts.HoldRequest(amount="150.00", reason="guarantee"))
    r = read(bank, teller, acc)
    assert (r.balance, r.held, r.available_balance) == ("100.00", "150.00", "0.00")
    with pytest.raises(ledger.InsufficientFunds):
        withdraw(bank, teller, acc, "0.01")


def test_debit_and_credit_blocks(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    acc = funded_account(bank, teller, "100.00").number
    other = funded_account(bank, teller, "100.00").number
    bank.run(
        accounts.set_blocks, supervisor, acc, accounts.BlockRequest(debit_blocked=True, reason="只收不付")
    )
    with pytest.raises(DebitBlocked):
        transfer(bank, teller, acc, other, "1.00")
    transfer(bank, teller, other, acc, "1.00")
    bank.run(
        accounts.set_blocks,
        supervisor,
        acc,
        accounts.BlockRequest(debit_blocked=False, credit_blocked=True, reason="只付不收"),
    )
    with pytest.raises(CreditBlocked):
        transfer(bank, teller, other, acc, "1.00")
    with pytest.raises(CreditBlocked):
        deposit(bank, teller, acc, "1.00")
    transfer(bank, teller, acc, other, "101.00")
    assert read(bank, teller, acc).balance == "0.00"


# ---------------------------------------------------------------- closing (销户)


def test_empty_account_closes_at_once_and_then_refuses_money(bank: Bank, teller: Actor) -> None:
    acc = new_account(bank, teller).number
    done = bank.run(accounts.close_account, teller, acc, accounts.CloseRequest(reason="moving"), key())
    assert isinstance(done, accounts.AccountClosedRead)
    assert done.account.status == "closed" and done.account.closed_on is not None and done.entry_id is None
    with pytest.raises(AccountClosed):
        deposit(bank, teller, acc, "1.00")
    payer = funded_account(bank, teller, "5.00").number
    with pytest.raises(AccountClosed):
        transfer(bank, teller, payer, acc, "1.00")
    with pytest.raises(AccountClosed):
        bank.run(accounts.close_account, teller, acc, accounts.CloseRequest(), key())


def test_account_with_a_hold_does_not_close(bank: Bank, teller: Actor) -> None:
    acc = new_account(bank, teller).number
    bank.run(accounts.place_hold, teller, acc, accounts.HoldRequest(amount="1.00", reason="card deposit"))
    with pytest.raises(AccountNotEmpty):
        bank.run(accounts.close_account, teller, acc, accounts.CloseRequest(), key())


def test_closing_with_a_balance_waits_for_a_supervisor_and_settles_to_another_account(
    bank: Bank, teller: Actor, supervisor: Actor
) -> None:
    acc = funded_account(bank, teller, "321.09").number
    target = funded_account(bank, teller, "1.00").number
    with pytest.raises(AccountNotEmpty):
        bank.run(accounts.close_account, teller, acc, accounts.CloseRequest(settle_to="none"), key())
    before = ledger_state(bank)
    pending = bank.run(
        accounts.close_account,
        teller,
        acc,
        accounts.CloseRequest(settle_to="account", to_account=target),
        key(),
    )
    assert isinstance(pending, accounts.PendingApproval)
    after = ledger_state(bank)
    assert (after["entries"], after["balances"]) == (before["entries"], before["balances"])
    assert read(bank, teller, acc).status == "active"
    with pytest.raises(PermissionDenied):  # a teller has no authority to approve
        bank.run(operations.approve, teller, pending.approval_id)
    result = bank.run(operations.approve, supervisor, pending.approval_id, "customer signed")
    assert result.status == "executed" and result.checker == supervisor.username
    assert result.result is not None and result.result["settled_amount"] == "321.09"
    closed = read(bank, teller, acc)
    assert (closed.status, closed.balance) == ("closed", "0.00")
    assert read(bank, teller, target).balance == "322.09"
    with pytest.raises(AccountClosed):
        deposit(bank, teller, acc, "1.00")
    with pytest.raises(ApprovalNotPending):
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert books_balanced(bank)


# ---------------------------------------------------------------- counter cash and authorization (授权)


def test_withdrawal_below_the_threshold_posts_at_once(bank: Bank, teller: Actor) -> None:
    acc = funded_account(bank, teller, "60000.00").number
    till_before = till_balance(bank, teller.username)
    receipt = withdraw(bank, teller, acc, "49999.99")
    assert isinstance(receipt, accounts.CashReceipt)
    assert receipt.balance == "10000.01" and receipt.voucher.startswith("0001-")
    assert till_balance(bank, teller.username) == till_before - 4999999


def test_large_withdrawal_needs_a_supervisor_and_is_paid_from_the_makers_till(
    bank: Bank, staff: Staff, teller: Actor, supervisor: Actor
) -> None:
    acc = funded_account(bank, teller, "80000.00").number
    maker_till, checker_till = till_balance(bank, teller.username), till_balance(bank, supervisor.username)
    before = ledger_state(bank)
    pending = withdraw(bank, teller, acc, "50000.00")
    assert isinstance(pending, accounts.PendingApproval)
    assert "50000.00" in pending.summary
    after = ledger_state(bank)
    assert (after["entries"], after["balances"]) == (before["entries"], before["balances"])
    with pytest.raises(PermissionDenied):  # neither the maker nor another teller has the authority
        bank.run(operations.approve, teller, pending.approval_id)
    with pytest.raises(PermissionDenied):
        bank.run(operations.approve, staff["teller2"].actor, pending.approval_id)
    assert read(bank, teller, acc).balance == "80000.00"
    approved = bank.run(operations.approve, supervisor, pending.approval_id, "ID seen")
    assert approved.status == "executed" and approved.maker == teller.username
    assert read(bank, teller, acc).balance == "30000.00"
    assert till_balance(bank, teller.username) == maker_till - 5000000
    assert till_balance(bank, supervisor.username) == checker_till
    with pytest.raises(ApprovalNotPending):
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert books_balanced(bank)


def test_supervisor_may_not_approve_their_own_withdrawal(bank: Bank, staff: Staff, supervisor: Actor) -> None:
    acc = funded_account(bank, supervisor, "50000.00").number
    maker_till = till_balance(bank, supervisor.username)
    pending = withdraw(bank, supervisor, acc, "50000.00")
    assert isinstance(pending, accounts.PendingApproval)
    with pytest.raises(SelfApproval) as err:
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert err.value.code == "SELF_APPROVAL"
    assert read(bank, supervisor, acc).balance == "50000.00"
    approved = bank.run(operations.approve, staff["manager"].actor, pending.approval_id)
    assert (approved.maker, approved.checker) == (supervisor.username, "manager")
    assert read(bank, supervisor, acc).balance == "0.00"
    assert till_balance(bank, supervisor.username) == maker_till - 5000000


def test_rejected_withdrawal_pays_nothing(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    acc = funded_account(bank, teller, "70000.00").number
    pending = withdraw(bank, teller, acc, "60000.00")
    with pytest.raises(InvalidRequest):
        bank.run(operations.reject, supervisor, pending.approval_id, "  ")
    rejected = bank.run(operations.reject, supervisor, pending.approval_id, "signature does not match")
    assert rejected.status == "rejected"
    with pytest.raises(ApprovalNotPending):
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert read(bank, teller, acc).balance == "70000.00"


def test_withdrawal_retry_returns_the_same_pending_approval(
    bank: Bank, teller: Actor, supervisor: Actor
) -> None:
    acc = funded_account(bank, teller, "55000.00").number
    k = key()
    first = withdraw(bank, teller, acc, "55000.00", k)
    again = withdraw(bank, teller, acc, "55000.00", k)
    assert isinstance(first, accounts.PendingApproval) and again == first
    waiting = bank.run(operations.list_approvals, supervisor, readonly=True)
    assert [a.id for a in waiting].count(first.approval_id) == 1
    bank.run(operations.reject, supervisor, first.approval_id, "customer left")


def test_cash_deposit_retry_posts_once(bank: Bank, teller: Actor) -> None:
    acc = new_account(bank, teller).number
    k, op = key(), accounts.CashOperation(amount="88.88")
    first = bank.run(accounts.cash_deposit, teller, acc, op, k)
    before = ledger_state(bank)
    again = bank.run(accounts.cash_deposit, teller, acc, op, k)
    assert again == first
    assert ledger_state(bank)["entries"] == before["entries"]
    assert read(bank, teller, acc).balance == "88.88"


# ---------------------------------------------------------------- transfers: idempotency


def test_transfer_retry_with_the_same_key_posts_once(bank: Bank, teller: Actor) -> None:
    a = funded_account(bank, teller, "100.00").number
    b = new_account(bank, teller).number
    k = key()
    first = transfer(bank, teller, a, b, "25.00", k, memo="rent")
    before = ledger_state(bank)
    again = transfer(bank, teller, a, b, "25.00", k, memo="rent")
    assert again.entry_id == first.entry_id and again == first
    assert ledger_state(bank) == before  # nothing posted, nothing recorded, nothing audited
    assert read(bank, teller, a).balance == "75.00"
    assert read(bank, teller, b).balance == "25.00"


def test_same_key_with_a_different_request_is_refused(bank: Bank, teller: Actor) -> None:
    a = funded_account(bank, teller, "100.00").number
    b = new_account(bank, teller).number
    k = key()
    transfer(bank, teller, a, b, "25.00", k)
    before = ledger_state(bank)
    with pytest.raises(IdempotencyKeyReused) as err:
        transfer(bank, teller, a, b, "25.01", k)
    assert err.value.code == "IDEMPOTENCY_KEY_REUSED"
    assert ledger_state(bank) == before


def test_transfer_needs_an_idempotency_key(bank: Bank, teller: Actor) -> None:
    a = funded_account(bank, teller, "10.00").number
    b = new_account(bank, teller).number
    cmd = payments.TransferCreate(from_account=a, to_account=b, amount="1.00")
    for bad in (None, "", "   ", "k" * 129):
        with pytest.raises(IdempotencyKeyMissing):
            bank.run(payments.transfer, teller, cmd, bad)


def test_refused_transfer_is_not_remembered_and_may_be_retried(bank: Bank, teller: Actor) -> None:
    a = funded_account(bank, teller, "10.00").number
    b = new_account(bank, teller).number
    k = key()
    with pytest.raises(ledger.InsufficientFunds):
        transfer(bank, teller, a, b, "20.00", k)
    deposit(bank, teller, a, "10.00")
    done = transfer(bank, teller, a, b, "20.00", k)
    assert done.from_balance_after == "0.00"


def test_transfer_to_itself_refused(bank: Bank, teller: Actor) -> None:
    a = funded_account(bank, teller, "10.00").number
    with pytest.raises(accounts.SameAccount):
        transfer(bank, teller, a, a, "1.00")


def test_teller_cannot_pay_out_of_another_branchs_account(bank: Bank, staff: Staff) -> None:
    head = funded_account(bank, staff["teller"].actor, "10.00").number
    east = funded_account(bank, staff["east_teller"].actor, "10.00").number
    with pytest.raises(PermissionDenied):
        transfer(bank, staff["east_teller"].actor, head, east, "1.00")
    # but may pay into it (通存)
    transfer(bank, staff["east_teller"].actor, east, head, "1.00")
    assert read(bank, staff["teller"].actor, head).balance == "11.00"


# ---------------------------------------------------------------- reversal (冲正) under maker-checker


def test_same_day_reversal_after_approval(bank: Bank, staff: Staff, teller: Actor, supervisor: Actor) -> None:
    a = funded_account(bank, teller, "200.00").number
    b = funded_account(bank, staff["east_teller"].actor, "5.00").number
    t = transfer(bank, teller, a, b, "150.00")
    pending = bank.run(
        payments.request_reversal, teller, t.entry_id, payments.ReversalRequest(reason="wrong payee")
    )
    assert pending.entry_id == t.entry_id
    assert read(bank, teller, a).balance == "50.00"  # nothing moves until approved
    with pytest.raises(PermissionDenied):
        bank.run(operations.approve, teller, pending.approval_id)
    done = bank.run(operations.approve, supervisor, pending.approval_id)
    rev_id = done.result["reversal_entry_id"]  # type: ignore[index]
    assert read(bank, teller, a).balance == "200.00"
    assert read(bank, teller, b).balance == "5.00"
    view = bank.run(payments.get_transfer, teller, t.entry_id, readonly=True)
    assert view.status == "reversed" and view.reversed_by == rev_id
    rev = bank.run(ledger.get_entry, rev_id, readonly=True)
    assert rev.reverses_id == t.entry_id and rev.created_by == teller.username
    with pytest.raises(ledger.AlreadyReversed):
        bank.run(payments.request_reversal, teller, t.entry_id, payments.ReversalRequest(reason="again"))
    assert books_balanced(bank)


def test_reversal_requested_by_a_supervisor_needs_another_supervisor(
    bank: Bank, staff: Staff, teller: Actor, supervisor: Actor
) -> None:
    a = funded_account(bank, teller, "20.00").number
    b = new_account(bank, teller).number
    t = transfer(bank, teller, a, b, "20.00")
    pending = bank.run(
        payments.request_reversal, supervisor, t.entry_id, payments.ReversalRequest(reason="dup")
    )
    with pytest.raises(SelfApproval):
        bank.run(operations.approve, supervisor, pending.approval_id)
    bank.run(operations.approve, staff["manager"].actor, pending.approval_id)
    assert read(bank, teller, a).balance == "20.00"


def test_reversal_refused_when_the_payee_already_spent_the_money(
    bank: Bank, teller: Actor, supervisor: Actor
) -> None:
    a = funded_account(bank, teller, "300.00").number
    b = new_account(bank, teller).number
    c = new_account(bank, teller).number
    t = transfer(bank, teller, a, b, "300.00")
    transfer(bank, teller, b, c, "250.00")
    pending = bank.run(
        payments.request_reversal, teller, t.entry_id, payments.ReversalRequest(reason="fraud")
    )
    before = ledger_state(bank)
    with pytest.raises(ledger.InsufficientFunds):
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert ledger_state(bank) == before
    assert (
        bank.run(operations.get_approval, supervisor, pending.approval_id, readonly=True).status == "pending"
    )
    assert [read(bank, teller, n).balance for n in (a, b, c)] == ["0.00", "50.00", "250.00"]
    bank.run(operations.reject, supervisor, pending.approval_id, "payee has spent it; recover by other means")


def test_reversal_refused_when_the_payee_is_frozen(bank: Bank, teller: Actor, supervisor: Actor) -> None:
    a = funded_account(bank, teller, "40.00").number
    b = new_account(bank, teller).number
    t = transfer(bank, teller, a, b, "40.00")
    bank.run(accounts.freeze, supervisor, b, accounts.FreezeRequest(kind="full", reason="police"))
    pending = bank.run(payments.request_reversal, teller, t.entry_id, payments.ReversalRequest(reason="x"))
    before = ledger_state(bank)
    with pytest.raises(ledger.DebitBlocked):
        bank.run(operations.approve, supervisor, pending.approval_id)
    assert ledger_state(bank) == before
    bank.run(operations.reject, supervisor, pending.approval_id, "frozen by police")


def test_reversal_only_on_the_day_of_the_transfer(fresh_bank: FreshBank) -> None:
    fb = fresh_bank
    a = funded_account(fb.bank, fb.teller, "10.00").number
    b = new_account(fb.bank, fb.teller).number
    t = transfer(fb.bank, fb.teller, a, b, "10.00")
    pending = fb.bank.run(
        payments.request_reversal, fb.teller, t.entry_id, payments.ReversalRequest(reason="x")
    )
    fb.move_to(fb.business_date() + timedelta(days=1))
    with pytest.raises(ReversalWindowClosed):
        fb.bank.run(payments.request_reversal, fb.teller, t.entry_id, payments.ReversalRequest(reason="y"))
    # an approval left over from yesterday cannot reverse it either
    with pytest.raises(ReversalWindowClosed):
        fb.bank.run(operations.approve, fb.supervisor, pending.approval_id)
    assert read(fb.bank, fb.teller, b).balance == "10.00"


# ---------------------------------------------------------------- till balancing (轧账)


def _new_teller(bank: Bank, opening_cash: str) -> tuple[Actor, int]:
    name = f"tt{uuid.uuid4().hex[:10]}"
    created = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(username=name, roles=["teller"], branch_code="0001", password="Till-test-pass-1"),
    )
    actor = make_actor(name, created.user.id, ("teller",), "0001", bank.branch_tree())
    till = bank.run(tellers.open_till, actor, tellers.TillOpen(opening_cash=opening_cash))
    assert till.balance == opening_cash and till.status == "open"
    return actor, till.id


def _vault(bank: Bank) -> int:
    return bank.run(  # type: ignore[no-any-return]
        lambda uow: int(tellers.vault_balance(uow, SYSTEM, "0001").balance.replace(".", "")), readonly=True
    )


def test_till_shortage_posts_to_cash_short(bank: Bank) -> None:
    actor, till_id = _new_teller(bank, "10000.00")
    acc = new_account(bank, actor).number
    deposit(bank, actor, acc, "1000.00")
    short_before, over_before, vault_before = (
        gl_total(bank, chart.CASH_SHORT, "0001"),
        gl_total(bank, chart.CASH_OVER, "0001"),
        _vault(bank),
    )
    closed = bank.run(tellers.close_till, actor, till_id, tellers.TillClose(counted="10900.00"))
    assert (closed.status, closed.counted, closed.difference, closed.balance) == (
        "closed",
        "10900.00",
        "-100.00",
        "0.00",
    )
    assert (
        gl_total(bank, chart.CASH_SHORT, "0001") - short_before == 10000
    )  # a debit of 100.00 pending review
    assert gl_total(bank, chart.CASH_OVER, "0001") == over_before
    assert _vault(bank) - vault_before == 1090000  # the counted cash went back to the vault
    with pytest.raises(tellers.TillNotOpen):
        deposit(bank, actor, acc, "1.00")
    assert books_balanced(bank)


def test_till_overage_posts_to_cash_over(bank: Bank) -> None:
    actor, till_id = _new_teller(bank, "5000.00")
    acc = funded_account(bank, actor, "300.00").number
    withdraw(bank, actor, acc, "100.00")
    over_before, short_before = (
        gl_total(bank, chart.CASH_OVER, "0001"),
        gl_total(bank, chart.CASH_SHORT, "0001"),
    )
    closed = bank.run(tellers.close_till, actor, till_id, tellers.TillClose(counted="5200.50"))
    assert (closed.difference, closed.balance) == ("0.50", "0.00")
    assert gl_total(bank, chart.CASH_OVER, "0001") - over_before == -50  # a credit of 0.50 (credit-normal)
    assert gl_total(bank, chart.CASH_SHORT, "0001") == short_before
    assert books_balanced(bank)


def test_balanced_till_closes_without_a_difference_entry(bank: Bank) -> None:
    actor, till_id = _new_teller(bank, "1000.00")
    before = ledger_state(bank)["entries"]
    closed = bank.run(tellers.close_till, actor, till_id, tellers.TillClose(counted="1000.00"))
    assert closed.difference == "0.00"
    assert ledger_state(bank)["entries"] == before + 1  # only the cash back to the vault
    with pytest.raises(TillAlreadyOpen):
        bank.run(tellers.open_till, actor, tellers.TillOpen())  # one till per teller per day
