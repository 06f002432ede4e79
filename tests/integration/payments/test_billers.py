"""Billers and bill payment: a customer pays an electricity bill whose reference carries a Luhn check digit;
the payer is debited and the biller's settlement account credited with exactly the amount; a wrong reference,
an amount outside the biller's range, a bad rule or a second biller with the same code are refused and change
nothing; a retried payment posts once."""

from __future__ import annotations

import pytest

from corebank.bootstrap import Bank
from corebank.kernel.errors import CoreBankError
from corebank.kernel.ids import with_luhn
from corebank.ledger import chart
from corebank.payments import billers
from corebank.payments.mandate_schemas import BillerCreate, BillPaymentCreate
from tests.factories import Staff, funded_account, new_account
from tests.integration.payments.mandate_support import account_id, balance, biller, entry_legs, mandate_state


def _refused(code: str, bank: Bank, fn, *args) -> None:  # type: ignore[no-untyped-def]
    before = mandate_state(bank)
    with pytest.raises(CoreBankError) as info:
        bank.run(fn, *args)
    assert info.value.code == code, info.value
    assert mandate_state(bank) == before


def test_reference_rules() -> None:
    good = with_luhn("123456789")
    assert billers.reference_fits(r"[0-9]{10}", "luhn", good)
    assert not billers.reference_fits(r"[0-9]{10}", "luhn", good[:-1] + str((int(good[-1]) + 1) % 10))
    assert not billers.reference_fits(r"[0-9]{10}", "none", good + "1")  # the whole reference must match
    assert billers.mod97_valid("GB82WEST12345698765432"[4:] + "161182")  # an IBAN, rearranged
    base = "20261234"
    check = 98 - int(base) * 100 % 97
    assert billers.reference_fits(r"[0-9]{10}", "mod97", f"{base}{check:02d}")
    assert not billers.reference_fits(r"[0-9]{10}", "mod97", f"{base}{(check + 1) % 100:02d}")


def test_bill_payment_posts_payer_to_biller(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    power, settlement = biller(bank, accountant, teller)
    assert power.check_digit == "luhn" and power.min_amount == "1.00" and power.max_amount == "5000.00"
    payer = funded_account(bank, teller, "1000.00")
    ref = with_luhn("400100200")
    paid = bank.run(
        billers.pay_bill,
        teller,
        BillPaymentCreate(from_account=payer.number, biller_code=power.code, reference=ref, amount="86.40"),
        "bill-1",
    )
    assert (paid.amount, paid.reference, paid.from_balance_after) == ("86.40", ref, "913.60")
    assert balance(bank, payer.number) == 91_360
    assert balance(bank, settlement) == 8_640
    assert sorted(entry_legs(bank, paid.entry_id)) == sorted(
        [
            (chart.DEMAND_DEPOSITS, account_id(bank, payer.number), 8_640),
            (chart.DEMAND_DEPOSITS, account_id(bank, settlement), -8_640),
        ]
    )
    # The same request again with the same key: the first answer, nothing posted twice.
    before = mandate_state(bank)
    again = bank.run(
        billers.pay_bill,
        teller,
        BillPaymentCreate(from_account=payer.number, biller_code=power.code, reference=ref, amount="86.40"),
        "bill-1",
    )
    assert again == paid
    assert mandate_state(bank) == before
    # The key with another body is refused.
    _refused(
        "IDEMPOTENCY_KEY_REUSED",
        bank,
        billers.pay_bill,
        teller,
        BillPaymentCreate(from_account=payer.number, biller_code=power.code, reference=ref, amount="86.41"),
        "bill-1",
    )


def test_bill_payment_refusals_change_nothing(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    power, _settlement = biller(bank, accountant, teller, min_amount="10.00", max_amount="500.00")
    payer = funded_account(bank, teller, "300.00")
    good = with_luhn("400100300")
    bad_digit = good[:-1] + str((int(good[-1]) + 3) % 10)

    def pay(ref: str, amount: str, code: str = power.code) -> BillPaymentCreate:
        return BillPaymentCreate(from_account=payer.number, biller_code=code, reference=ref, amount=amount)

    _refused("BILLER_REFERENCE_INVALID", bank, billers.pay_bill, teller, pay(bad_digit, "50.00"), "r-1")
    _refused("BILLER_REFERENCE_INVALID", bank, billers.pay_bill, teller, pay("12345", "50.00"), "r-2")
    _refused("BILLER_AMOUNT_OUT_OF_RANGE", bank, billers.pay_bill, teller, pay(good, "9.99"), "r-3")
    _refused("BILLER_AMOUNT_OUT_OF_RANGE", bank, billers.pay_bill, teller, pay(good, "500.01"), "r-4")
    _refused("BILLER_NOT_FOUND", bank, billers.pay_bill, teller, pay(good, "50.00", "NO_SUCH"), "r-5")
    _refused("INSUFFICIENT_FUNDS", bank, billers.pay_bill, teller, pay(good, "500.00"), "r-6")
    _refused("INVALID_AMOUNT", bank, billers.pay_bill, teller, pay(good, "0.00"), "r-7")
    _refused("IDEMPOTENCY_KEY_REQUIRED", bank, billers.pay_bill, teller, pay(good, "50.00"), None)
    # An accountant may not pay bills for customers; a teller of another branch may not debit this account.
    _refused("PERMISSION_DENIED", bank, billers.pay_bill, staff["auditor"].actor, pay(good, "50.00"), "r-8")
    _refused(
        "OUT_OF_BRANCH_SCOPE", bank, billers.pay_bill, staff["east_teller"].actor, pay(good, "50.00"), "r-9"
    )


def test_biller_registration_refusals(bank: Bank, staff: Staff) -> None:
    teller, accountant = staff["teller"].actor, staff["accountant"].actor
    power, _settlement = biller(bank, accountant, teller)
    account = new_account(bank, teller).number

    def cmd(**over: object) -> BillerCreate:
        fields: dict[str, object] = dict(
            code="TELECOM_X",
            name="Telecom",
            category="telecom",
            settlement_account=account,
            reference_pattern=r"1[3-9][0-9]{9}",
        )
        fields.update(over)
        return BillerCreate(**fields)

    _refused("PERMISSION_DENIED", bank, billers.register_biller, teller, cmd())
    _refused("BILLER_RULE_INVALID", bank, billers.register_biller, accountant, cmd(reference_pattern="[0-9"))
    _refused(
        "BILLER_RULE_INVALID",
        bank,
        billers.register_biller,
        accountant,
        cmd(min_amount="100.00", max_amount="10.00"),
    )
    _refused("BILLER_EXISTS", bank, billers.register_biller, accountant, cmd(code=power.code))
    _refused(
        "ACCOUNT_NOT_FOUND", bank, billers.register_biller, accountant, cmd(settlement_account="62009999999")
    )
    made = bank.run(billers.register_biller, accountant, cmd())
    assert made.code == "TELECOM_X" and made.max_amount is None and made.status == "active"
    listed = bank.run(billers.list_billers, teller, "telecom", readonly=True)
    assert "TELECOM_X" in [b.code for b in listed] and power.code not in [b.code for b in listed]


def test_standard_billers_make_valid_registrations() -> None:
    for std in billers.STANDARD_BILLERS:
        cmd = std.command("6200000000000001")
        assert cmd.code == std.code and cmd.settlement_account == "6200000000000001"
