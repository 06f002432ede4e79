"""Collateral (抵押物/质押物) and guarantors (保证人) through the service layer: registering and revaluing with the
history kept, pledging one collateral to several applications within its value, refusals that change nothing,
guarantors, the release rules against a contracted loan, the cover at default and product caps, and the LTV
message a credit officer reads. The shared bank's business date (2026-03-02) never moves here."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank.bootstrap import Bank
from corebank.db.models import AuditRecord
from corebank.kernel.errors import CoreBankError
from corebank.kernel.ids import luhn_valid
from corebank.loans import applications, collateral
from corebank.loans.collateral_models import CollateralPledge, CollateralValuation, LoanGuarantor
from corebank.loans.collateral_schemas import (
    CollateralCreate,
    CollateralRead,
    CollateralRevalue,
    GuarantorCreate,
    PledgeCreate,
)
from corebank.loans.models import Loan
from corebank.loans.schemas import ApplicationCreate, ApprovalTerms
from corebank.security import Actor, make_actor
from tests.factories import Staff, deposit, new_account, new_customer

TODAY = date(2026, 3, 2)


@pytest.fixture(scope="module")
def officer(staff: Staff) -> Actor:
    return staff["credit"].actor


@pytest.fixture(scope="module")
def teller(staff: Staff) -> Actor:
    return staff["teller"].actor


def code_of(exc: pytest.ExceptionInfo[CoreBankError]) -> str:
    return exc.value.code


def borrower(bank: Bank, teller: Actor) -> str:
    return new_customer(bank, teller).number


def apply(
    bank: Bank,
    officer: Actor,
    customer_number: str,
    *,
    amount: str = "800000.00",
    product: str = "MORTGAGE_CNY",
    repay_account: str | None = None,
) -> int:
    """A submitted mortgage application through the loans area's own service."""
    read = bank.run(
        applications.create_application,
        officer,
        ApplicationCreate(
            customer_number=customer_number,
            product_code=product,
            amount=amount,
            term_months=240,
            method="equal_installment",
            purpose="buy a flat to live in",
            monthly_income="60000.00",
            employment="civil_servant",
            employment_years=10,
            repay_account=repay_account,
        ),
    )
    return read.application_id


def register(
    bank: Bank,
    officer: Actor,
    owner: str,
    *,
    kind: str = "housing",
    value: str = "1000000.00",
    valuation_date: date = TODAY,
) -> CollateralRead:
    return bank.run(
        collateral.register_collateral,
        officer,
        CollateralCreate(
            type=kind,
            description=f"{kind} at 8 Lujiazui Ring Road",
            owner_customer_number=owner,
            value=value,
            valuation_date=valuation_date,
            valuer="Shanghai Appraisal Co.",
        ),
    )


def pledge(bank: Bank, officer: Actor, application_id: int, number: str, amount: str | None = None) -> Any:
    return bank.run(
        collateral.pledge,
        officer,
        application_id,
        PledgeCreate(collateral_number=number, pledged_amount=amount),
    )


def count(bank: Bank, model: Any) -> int:
    return bank.run(  # type: ignore[no-any-return]
        lambda uow: uow.session.execute(select(func.count()).select_from(model)).scalar(), readonly=True
    )


def audit_actions(bank: Bank, object_id: str | int) -> list[str]:
    def read(uow: Any) -> list[str]:
        rows = uow.session.execute(
            select(AuditRecord.action)
            .where(AuditRecord.object_id == str(object_id))
            .order_by(AuditRecord.seq)
        )
        return [r[0] for r in rows]

    return bank.run(read, readonly=True)


def snapshot(bank: Bank) -> tuple[int, int, int, int]:
    """What a refused command must leave untouched: pledge, guarantee, valuation and audit rows."""
    return (
        count(bank, CollateralPledge),
        count(bank, LoanGuarantor),
        count(bank, CollateralValuation),
        count(bank, AuditRecord),
    )


# ---------------------------------------------------------------------------------------------------- register


def test_a_flat_is_registered_with_its_first_valuation_and_audited(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner, valuation_date=TODAY - timedelta(days=10))
    assert luhn_valid(c.collateral_number) and c.collateral_number.startswith("000141")
    assert (c.type, c.value, c.pledged, c.available, c.status) == (
        "housing",
        "1000000.00",
        "0.00",
        "1000000.00",
        "active",
    )
    assert (c.owner_customer_number, c.branch_code, c.registered_on) == (owner, "0001", TODAY)
    detail = bank.run(collateral.get_collateral, officer, c.collateral_number, readonly=True)
    assert [(v.value, v.valuation_date, v.valuer) for v in detail.valuations] == [
        ("1000000.00", TODAY - timedelta(days=10), "Shanghai Appraisal Co.")
    ]
    assert detail.pledges == []
    assert audit_actions(bank, c.collateral_number) == ["collateral.register"]


@pytest.mark.parametrize(
    ("overrides", "code"),
    [
        ({"type": "painting"}, "INVALID_COLLATERAL"),
        ({"value": "0.00"}, "INVALID_AMOUNT"),
        ({"value": "-5.00"}, "INVALID_AMOUNT"),
        ({"valuation_date": TODAY + timedelta(days=1)}, "INVALID_COLLATERAL"),
        ({"owner_customer_number": "800000000"}, "CUSTOMER_NOT_FOUND"),
    ],
)
def test_registration_refusals_change_nothing(
    bank: Bank, officer: Actor, teller: Actor, overrides: dict[str, Any], code: str
) -> None:
    body: dict[str, Any] = {
        "type": "vehicle",
        "description": "BYD Han, plate 沪A12345",
        "owner_customer_number": borrower(bank, teller),
        "value": "200000.00",
        "valuation_date": TODAY,
        "valuer": "the bank",
        **overrides,
    }
    before = snapshot(bank)
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.register_collateral, officer, CollateralCreate(**body))
    assert code_of(exc) == code
    assert snapshot(bank) == before


def test_a_teller_cannot_register_collateral(bank: Bank, teller: Actor) -> None:
    with pytest.raises(CoreBankError) as exc:
        register(bank, teller, borrower(bank, teller))
    assert code_of(exc) == "PERMISSION_DENIED"


def test_a_revaluation_adds_to_the_history_and_older_ones_are_refused(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    c = register(bank, officer, borrower(bank, teller), valuation_date=TODAY - timedelta(days=30))
    detail = bank.run(
        collateral.revalue_collateral,
        officer,
        c.collateral_number,
        CollateralRevalue(
            value="1200000.00", valuation_date=TODAY, valuer="Shanghai Appraisal Co.", note="2026"
        ),
    )
    assert (detail.value, detail.valuation_date) == ("1200000.00", TODAY)
    assert [v.value for v in detail.valuations] == ["1000000.00", "1200000.00"]
    assert detail.valuations[1].note == "2026"
    before = snapshot(bank)
    with pytest.raises(CoreBankError) as exc:
        bank.run(
            collateral.revalue_collateral,
            officer,
            c.collateral_number,
            CollateralRevalue(value="900000.00", valuation_date=TODAY - timedelta(days=1), valuer="x"),
        )
    assert code_of(exc) == "INVALID_COLLATERAL"
    assert snapshot(bank) == before
    assert audit_actions(bank, c.collateral_number) == ["collateral.register", "collateral.revalue"]


# ---------------------------------------------------------------------------------------------------- pledges


def test_one_flat_secures_two_applications_within_its_value(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    first = apply(bank, officer, owner)
    second = apply(bank, officer, borrower(bank, teller), amount="300000.00")  # a third-party mortgage
    p1 = pledge(bank, officer, first, c.collateral_number, "600000.00")
    p2 = pledge(bank, officer, second, c.collateral_number, "400000.00")
    assert (p1.pledged_amount, p1.application_id, p1.status) == ("600000.00", first, "active")
    assert (p2.application_status, p2.loan_id, p2.collateral_type) == ("submitted", None, "housing")
    detail = bank.run(collateral.get_collateral, officer, c.collateral_number, readonly=True)
    assert (detail.pledged, detail.available) == ("1000000.00", "0.00")
    assert [p.application_id for p in detail.pledges] == [first, second]
    assert audit_actions(bank, c.collateral_number)[-2:] == ["collateral.pledge", "collateral.pledge"]


def test_an_overpledge_is_refused_and_nothing_changes(bank: Bank, officer: Actor, teller: Actor) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    pledge(bank, officer, apply(bank, officer, owner), c.collateral_number, "700000.00")
    other = apply(bank, officer, borrower(bank, teller))
    before = snapshot(bank)
    with pytest.raises(CoreBankError) as exc:
        pledge(bank, officer, other, c.collateral_number, "300000.01")
    assert code_of(exc) == "COLLATERAL_OVERPLEDGED"
    assert "at most 300000.00 more" in exc.value.detail
    with pytest.raises(CoreBankError) as exc:
        pledge(bank, officer, other, c.collateral_number)  # the default is the whole value
    assert code_of(exc) == "COLLATERAL_OVERPLEDGED"
    assert snapshot(bank) == before
    assert pledge(bank, officer, other, c.collateral_number, "300000.00").pledged_amount == "300000.00"


def test_pledge_refusals(bank: Bank, officer: Actor, teller: Actor) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner, value="500000.00")
    app = apply(bank, officer, owner)
    assert pledge(bank, officer, app, c.collateral_number).pledged_amount == "500000.00"  # whole value
    other = apply(bank, officer, borrower(bank, teller))
    before = snapshot(bank)
    cases = [
        (lambda: pledge(bank, officer, other, c.collateral_number, "0.01"), "COLLATERAL_OVERPLEDGED"),
        (lambda: pledge(bank, officer, other, "0001419999999999"), "COLLATERAL_NOT_FOUND"),
        (lambda: pledge(bank, officer, 99_999_999, c.collateral_number), "APPLICATION_NOT_FOUND"),
        (lambda: pledge(bank, officer, other, c.collateral_number, "0.00"), "INVALID_AMOUNT"),
    ]
    for call, code in cases:
        with pytest.raises(CoreBankError) as exc:
            call()
        assert code_of(exc) == code
    assert snapshot(bank) == before


def test_the_same_collateral_twice_on_one_application_is_refused(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    app = apply(bank, officer, owner)
    pledge(bank, officer, app, c.collateral_number, "100000.00")
    with pytest.raises(CoreBankError) as exc:
        pledge(bank, officer, app, c.collateral_number, "100000.00")
    assert code_of(exc) == "INVALID_COLLATERAL"


def test_a_cancelled_application_takes_no_security(bank: Bank, officer: Actor, teller: Actor) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    app = apply(bank, officer, owner)
    bank.run(applications.cancel_application, officer, app)
    for call in (
        lambda: pledge(bank, officer, app, c.collateral_number),
        lambda: bank.run(
            collateral.add_guarantor,
            officer,
            app,
            GuarantorCreate(customer_number=borrower(bank, teller), guaranteed_amount="1000.00"),
        ),
    ):
        with pytest.raises(CoreBankError) as exc:
            call()
        assert code_of(exc) == "APPLICATION_CLOSED"


# ---------------------------------------------------------------------------------------------------- guarantors


def test_the_borrower_cannot_guarantee_their_own_loan(bank: Bank, officer: Actor, teller: Actor) -> None:
    owner = borrower(bank, teller)
    app = apply(bank, officer, owner)
    bad = [
        GuarantorCreate(customer_number=owner, guaranteed_amount="100000.00"),
        GuarantorCreate(customer_number=borrower(bank, teller), guaranteed_amount="800000.01"),
        GuarantorCreate(customer_number=borrower(bank, teller), guaranteed_amount="1.00", kind="moral"),
    ]
    before = snapshot(bank)
    for cmd in bad:
        with pytest.raises(CoreBankError) as exc:
            bank.run(collateral.add_guarantor, officer, app, cmd)
        assert code_of(exc) == "INVALID_GUARANTOR", cmd
    assert snapshot(bank) == before
    friend = borrower(bank, teller)
    g = bank.run(
        collateral.add_guarantor,
        officer,
        app,
        GuarantorCreate(customer_number=friend, guaranteed_amount="200000.00", kind="general"),
    )
    assert (g.customer_number, g.guaranteed_amount, g.kind, g.status) == (
        friend,
        "200000.00",
        "general",
        "active",
    )
    with pytest.raises(CoreBankError) as exc:
        bank.run(
            collateral.add_guarantor,
            officer,
            app,
            GuarantorCreate(customer_number=friend, guaranteed_amount="1.00"),
        )
    assert code_of(exc) == "INVALID_GUARANTOR"
    assert audit_actions(bank, app)[-1] == "loan_guarantor.add"
    security = bank.run(collateral.application_security, officer, app, readonly=True)
    assert (security.guaranteed, [x.customer_number for x in security.guarantors]) == ("200000.00", [friend])
    released = bank.run(collateral.release_guarantor, officer, app, g.id)
    assert released.status == "released"
    assert bank.run(collateral.application_security, officer, app, readonly=True).guaranteed == "0.00"


# ---------------------------------------------------------------------------------------------------- release


def contracted_loan(bank: Bank, staff: Staff, owner: str, number: str, amount: str = "600000.00") -> Loan:
    """Apply for a mortgage secured by collateral `number`, score it, and have the approver approve it."""
    officer, teller = staff["credit"].actor, staff["teller"].actor
    acc = new_account(bank, teller, owner)
    deposit(bank, teller, acc.number, "5000.00")
    app = apply(bank, officer, owner, amount=amount, repay_account=acc.number)
    pledge(bank, officer, app, number, "900000.00")
    bank.run(applications.score_application, officer, app)
    read = bank.run(applications.approve_application, staff["approver"].actor, app, ApprovalTerms())
    return bank.run(  # type: ignore[no-any-return]
        lambda uow: uow.session.execute(
            select(Loan).where(Loan.loan_number == read.loan_number)
        ).scalar_one(),
        readonly=True,
    )


def test_collateral_securing_a_contracted_loan_stays_until_the_loan_closes(
    bank: Bank, staff: Staff, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    loan = contracted_loan(bank, staff, owner, c.collateral_number)
    detail = bank.run(collateral.get_collateral, officer, c.collateral_number, readonly=True)
    (p,) = detail.pledges
    assert (p.loan_id, p.loan_number, p.loan_status, p.application_status) == (
        loan.id,
        loan.loan_number,
        "contracted",
        "approved",
    )
    cover = bank.run(collateral.cover_for_loan, loan.id, {"housing": Decimal("0.70")}, readonly=True)
    assert (cover.collateral_value, cover.lendable_value) == (90_000_000, 63_000_000)
    before = snapshot(bank)
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.release_collateral, officer, c.collateral_number)
    assert code_of(exc) == "COLLATERAL_IN_USE" and loan.loan_number in exc.value.detail
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.release_pledge, officer, p.application_id, p.id)
    assert code_of(exc) == "COLLATERAL_IN_USE" and loan.loan_number in exc.value.detail
    assert snapshot(bank) == before

    def close(uow: Any) -> None:
        uow.session.get(Loan, loan.id).status = "closed"

    bank.run(close)
    released = bank.run(collateral.release_collateral, officer, c.collateral_number)
    assert (released.status, released.released_on, released.pledged) == ("released", TODAY, "0.00")
    after = bank.run(collateral.get_collateral, officer, c.collateral_number, readonly=True)
    assert [(x.status, x.released_on) for x in after.pledges] == [("released", TODAY)]
    assert audit_actions(bank, c.collateral_number)[-1] == "collateral.release"
    with pytest.raises(CoreBankError) as exc:
        pledge(bank, officer, apply(bank, officer, owner), c.collateral_number)
    assert code_of(exc) == "COLLATERAL_RELEASED"
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.release_collateral, officer, c.collateral_number)
    assert code_of(exc) == "COLLATERAL_RELEASED"


def test_a_pledge_released_from_an_open_application_frees_the_value(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    app = apply(bank, officer, owner)
    p = pledge(bank, officer, app, c.collateral_number)
    released = bank.run(collateral.release_pledge, officer, app, p.id)
    assert (released.status, released.released_on) == ("released", TODAY)
    assert bank.run(collateral.get_collateral, officer, c.collateral_number, readonly=True).available == (
        "1000000.00"
    )
    assert pledge(bank, officer, apply(bank, officer, owner), c.collateral_number).status == "active"
    assert audit_actions(bank, c.collateral_number).count("collateral.pledge_release") == 1


def test_the_approval_refuses_a_loan_above_the_lendable_value(
    bank: Bank, staff: Staff, teller: Actor
) -> None:
    officer = staff["credit"].actor
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    acc = new_account(bank, teller, owner)
    app = apply(bank, officer, owner, amount="800000.00", repay_account=acc.number)
    pledge(bank, officer, app, c.collateral_number)
    bank.run(applications.score_application, officer, app)
    with pytest.raises(CoreBankError) as exc:
        bank.run(applications.approve_application, staff["approver"].actor, app, ApprovalTerms())
    assert code_of(exc) == "LTV_EXCEEDED"
    assert exc.value.detail == (
        "loan 800,000.00 exceeds the lendable value 700,000.00 of its collateral (LTV cap housing 70 %)"
    )


# ---------------------------------------------------------------------------------------------------- cover


def test_cover_at_the_default_caps_and_at_a_products_caps(bank: Bank, officer: Actor, teller: Actor) -> None:
    owner = borrower(bank, teller)
    flat = register(bank, officer, owner)
    car = register(bank, officer, owner, kind="vehicle", value="200000.00")
    app = apply(bank, officer, owner)
    pledge(bank, officer, app, flat.collateral_number, "800000.00")
    pledge(bank, officer, app, car.collateral_number, "150000.01")
    bank.run(
        collateral.add_guarantor,
        officer,
        app,
        GuarantorCreate(customer_number=borrower(bank, teller), guaranteed_amount="100000.00"),
    )
    cover = bank.run(collateral.cover_for_application, app, readonly=True)
    # 800,000.00 × 0.70 + 150,000.01 × 0.50 = 560,000.00 + 75,000.005 → 75,000.01 (half up)
    assert (cover.collateral_value, cover.lendable_value, cover.guaranteed) == (
        95_000_001,
        63_500_001,
        10_000_000,
    )
    assert [(x.type, x.cap, x.lendable) for x in cover.lines] == [
        ("housing", Decimal("0.70"), 56_000_000),
        ("vehicle", Decimal("0.50"), 7_500_001),
    ]
    overridden = bank.run(
        collateral.cover_for_application, app, {"housing": Decimal("0.60"), "vehicle": "0.80"}, readonly=True
    )
    assert overridden.lendable_value == 48_000_000 + 12_000_001
    security = bank.run(collateral.application_security, officer, app, readonly=True)
    # MORTGAGE_CNY caps housing at 0.70 and leaves vehicles at the default.
    assert (security.collateral_value, security.lendable_value) == ("950000.01", "635000.01")
    for bad in ({"housing": 0.7}, {"housing": "1.5"}, {"yacht": "0.5"}):
        with pytest.raises(CoreBankError) as exc:
            collateral.ltv_caps(bad)  # type: ignore[arg-type]
        assert code_of(exc) == "INVALID_LOAN_PRODUCT"


def test_a_fall_in_value_shrinks_the_cover_of_every_loan_it_secures(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    c = register(bank, officer, owner)
    a, b = apply(bank, officer, owner), apply(bank, officer, borrower(bank, teller))
    pledge(bank, officer, a, c.collateral_number, "600000.00")
    pledge(bank, officer, b, c.collateral_number, "400000.00")
    detail = bank.run(
        collateral.revalue_collateral,
        officer,
        c.collateral_number,
        CollateralRevalue(value="500000.00", valuation_date=TODAY, valuer="the bank"),
    )
    assert (detail.value, detail.pledged, detail.available) == ("500000.00", "1000000.00", "-500000.00")
    cover_a = bank.run(collateral.cover_for_application, a, readonly=True)
    cover_b = bank.run(collateral.cover_for_application, b, readonly=True)
    assert (cover_a.collateral_value, cover_b.collateral_value) == (30_000_000, 20_000_000)
    assert (cover_a.lendable_value, cover_b.lendable_value) == (21_000_000, 14_000_000)


def test_the_ltv_message_names_the_amounts_and_caps() -> None:
    cover = collateral.Cover(
        collateral_value=100_000_000,
        lendable_value=70_000_000,
        guaranteed=0,
        lines=(
            collateral.CoverLine("0001410001000011", "housing", 100_000_000, Decimal("0.70"), 70_000_000),
        ),
    )
    collateral.check_ltv(70_000_000, cover)  # exactly the lendable value is allowed
    with pytest.raises(CoreBankError) as exc:
        collateral.check_ltv(80_000_000, cover)
    assert exc.value.code == "LTV_EXCEEDED" and exc.value.status == 409
    assert exc.value.detail == (
        "loan 800,000.00 exceeds the lendable value 700,000.00 of its collateral (LTV cap housing 70 %)"
    )
    mixed = collateral.Cover(
        0,
        0,
        0,
        (
            collateral.CoverLine("a", "vehicle", 0, Decimal("0.5"), 0),
            collateral.CoverLine("b", "equipment", 0, Decimal("0.625"), 0),
        ),
    )
    with pytest.raises(CoreBankError) as exc:
        collateral.check_ltv(1, mixed)
    assert exc.value.detail.endswith("(LTV cap vehicle 50 %, equipment 62.5 %)")
    with pytest.raises(CoreBankError) as exc:
        collateral.check_ltv(1, collateral.Cover(0, 0, 0))
    assert (
        exc.value.detail
        == "loan 0.01 exceeds the lendable value 0.00 of its collateral (no collateral is pledged)"
    )
    assert collateral.lendable(1, Decimal("0.5")) == 1 and collateral.lendable(3, Decimal("0.5")) == 2


# ---------------------------------------------------------------------------------------------------- reads


def test_listing_by_owner_pages_and_keeps_to_the_branch_scope(
    bank: Bank, officer: Actor, teller: Actor
) -> None:
    owner = borrower(bank, teller)
    numbers = [register(bank, officer, owner, value=f"{n}00000.00").collateral_number for n in (1, 2, 3)]
    page = bank.run(collateral.list_collateral, officer, owner, limit=2, readonly=True)
    assert [x.collateral_number for x in page.items] == numbers[:2] and page.next_cursor
    rest = bank.run(collateral.list_collateral, officer, owner, cursor=page.next_cursor, readonly=True)
    assert [x.collateral_number for x in rest.items] == numbers[2:] and rest.next_cursor is None
    east = make_actor("east_credit", None, ("credit_officer",), "0002", bank.branch_tree())
    assert bank.run(collateral.list_collateral, east, owner, readonly=True).items == []
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.get_collateral, east, numbers[0], readonly=True)
    assert code_of(exc) == "OUT_OF_BRANCH_SCOPE"
    with pytest.raises(CoreBankError) as exc:
        bank.run(collateral.list_collateral, officer, owner, cursor="abc", readonly=True)
    assert code_of(exc) == "INVALID_REQUEST"


def test_attach_to_loan_is_a_no_op_for_an_application_without_security(bank: Bank) -> None:
    audits = count(bank, AuditRecord)
    bank.run(collateral.attach_to_loan, 99_999_999, 1)
    assert count(bank, AuditRecord) == audits
