"""The product factory on a real database: define a product, post its rates under maker-checker, sell it,
change it, retire it — and every bad request refused with its code, changing nothing."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from corebank import accounts, operations, products
from corebank.bootstrap import Bank
from corebank.db.models import AuditRecord
from corebank.kernel.errors import CoreBankError
from corebank.operations.models import Approval
from corebank.products import ProductCreate, ProductUpdate, RateChange, RateLine
from corebank.products.models import Product, ProductRate
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate
from tests.conftest import START_DATE
from tests.factories import Staff, deposit, ledger_state, new_account, new_customer
from tests.integration.conftest import FreshBank


def _person(bank: Bank, role: str) -> Actor:
    name = f"pf_{role[:4]}_{uuid.uuid4().hex[:6]}"
    created = bank.run(
        security.create_user,
        SYSTEM,
        UserCreate(username=name, roles=[role], branch_code="0001", password="Product-pass-2026"),
    )
    return make_actor(name, created.user.id, (role,), "0001", bank.branch_tree())


@pytest.fixture(scope="module")
def pm(bank: Bank, staff: Staff) -> tuple[Actor, Actor]:
    """Two product managers at head office: a maker and a checker."""
    return _person(bank, "product_manager"), _person(bank, "product_manager")


def _code(prefix: str) -> str:
    return f"{prefix}_{uuid.uuid4().hex[:8].upper()}"


def time_product(product_code: str, **overrides: Any) -> ProductCreate:
    body: dict[str, Any] = dict(
        code=product_code,
        name="Green time deposit",
        name_zh="绿色定期",
        kind="time_deposit",
        currency="CNY",
        gl_code="2012",
        terms=["12M", "24M"],
        min_opening_amount="50.00",
        min_balance="50.00",
        max_partial_withdrawals=1,
        rollover_options=["none", "principal"],
        channels=["counter", "mobile"],
        account_classes=[1, 2],
        demand_product_code="DEMAND_CNY",
        fees={"certificate_reissue": "10.00"},
    )
    body.update(overrides)
    return ProductCreate(**body)


def demand_product(code: str) -> ProductCreate:
    return ProductCreate(
        code=code,
        name="Pension demand deposit",
        name_zh="养老活期",
        kind="demand_deposit",
        currency="CNY",
        gl_code="2011",
        customer_types=["individual"],
        channels=["counter"],
    )


def change(day: date, *lines: tuple[str, str] | tuple[str, str, str]) -> RateChange:
    return RateChange(
        effective_date=day,
        rates=[RateLine(term=x[0], annual_rate=x[1], min_amount=x[2] if len(x) > 2 else "0") for x in lines],
    )


def fails(code: str, fn: Callable[[], object]) -> CoreBankError:
    with pytest.raises(CoreBankError) as info:
        fn()
    assert info.value.code == code, info.value.detail
    return info.value


def counts(bank: Bank) -> dict[str, int]:
    def read(uow: Any) -> dict[str, int]:
        s = uow.session
        return {
            "products": s.execute(select(func.count()).select_from(Product)).scalar(),
            "rates": s.execute(select(func.count()).select_from(ProductRate)).scalar(),
            "approvals": s.execute(select(func.count()).select_from(Approval)).scalar(),
            "audit": s.execute(select(func.count()).select_from(AuditRecord)).scalar(),
        }

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]


def audit_actions(bank: Bank, code: str) -> list[tuple[str, str]]:
    def read(uow: Any) -> list[tuple[str, str]]:
        q = (
            select(AuditRecord.action, AuditRecord.actor)
            .where(AuditRecord.object_type == "product", AuditRecord.object_id == code)
            .order_by(AuditRecord.seq)
        )
        return [tuple(r) for r in uow.session.execute(q).all()]  # type: ignore[misc]

    return bank.run(read, readonly=True)  # type: ignore[no-any-return]


def post_rates(bank: Bank, maker: Actor, checker: Actor, code: str, cmd: RateChange) -> Any:
    pending = bank.run(products.propose_rates, maker, code, cmd)
    return bank.run(products.approve_rate_change, checker, pending.approval_id)


# ---------------------------------------------------------------- define


def test_a_new_product_starts_as_a_draft_with_its_parameters(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    maker, _ = pm
    code = _code("GREEN")
    p = bank.run(products.create_product, maker, time_product(code))
    assert (p.code, p.status, p.kind, p.gl_code) == (code, "draft", "time_deposit", "2012")
    assert p.terms == ["12M", "24M"] and p.min_opening_amount == "50.00" and p.min_balance == "50.00"
    assert p.rollover_options == ["none", "principal"] and p.channels == ["counter", "mobile"]
    assert p.account_classes == [1, 2] and p.fees == {"certificate_reissue": "10.00"}
    assert p.interest_method == "at_withdrawal" and p.demand_product_code == "DEMAND_CNY"
    # Stored in minor units; the deposits area reads the same parameters.
    dp = bank.run(products.deposit_product, code, readonly=True)
    assert (dp.min_opening_amount, dp.fees, dp.on_sale) == (5_000, {"certificate_reissue": 1_000}, False)
    assert bank.run(products.get_product, maker, code, readonly=True) == p
    assert code in {x.code for x in bank.run(products.list_products, maker, readonly=True)}
    assert audit_actions(bank, code) == [("product.create", maker.username)]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [
        ({"kind": "savings_bond"}, "INVALID_PRODUCT"),
        ({"currency": "XAU"}, "UNSUPPORTED_CURRENCY"),
        ({"gl_code": "9999"}, "INVALID_PRODUCT"),
        ({"gl_code": "1002"}, "INVALID_PRODUCT"),  # teller cash: an asset
        ({"gl_code": "2231"}, "INVALID_PRODUCT"),  # interest payable: a liability without sub-ledger
        ({"terms": ["7D"]}, "INVALID_TERM"),
        ({"terms": []}, "INVALID_TERM"),
        ({"terms": ["12M", "12M"]}, "INVALID_TERM"),
        ({"min_opening_amount": "50.001"}, "INVALID_AMOUNT"),
        ({"min_opening_amount": "-1.00"}, "INVALID_AMOUNT"),
        ({"channels": ["fax"]}, "INVALID_PRODUCT"),
        ({"account_classes": [4]}, "INVALID_PRODUCT"),
        ({"demand_product_code": "TIME_CNY"}, "INVALID_PRODUCT"),
        ({"demand_product_code": None}, "INVALID_PRODUCT"),
        ({"code": "lower case"}, "INVALID_PRODUCT"),
    ],
)
def test_a_bad_definition_is_refused_and_nothing_is_created(
    bank: Bank, pm: tuple[Actor, Actor], overrides: dict[str, Any], error: str
) -> None:
    before = counts(bank)
    fails(error, lambda: bank.run(products.create_product, pm[0], time_product(_code("BAD"), **overrides)))
    assert counts(bank) == before


def test_a_demand_product_has_no_terms(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    cmd = demand_product(_code("DEM")).model_copy(update={"terms": ["3M"]})
    fails("INVALID_TERM", lambda: bank.run(products.create_product, pm[0], cmd))


def test_a_product_code_is_defined_once(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    before = counts(bank)
    fails("PRODUCT_EXISTS", lambda: bank.run(products.create_product, pm[0], time_product("TIME_CNY")))
    assert counts(bank) == before


def test_a_teller_may_not_define_products(bank: Bank, staff: Staff) -> None:
    fails(
        "PERMISSION_DENIED",
        lambda: bank.run(products.create_product, staff["teller"].actor, time_product(_code("T"))),
    )


def test_a_draft_is_not_activated_without_a_rate_for_every_term(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    maker, checker = pm
    code = _code("NORATE")
    bank.run(products.create_product, maker, time_product(code))
    err = fails("RATES_MISSING", lambda: bank.run(products.activate_product, maker, code))
    assert "12M, 24M" in err.detail
    post_rates(bank, maker, checker, code, change(START_DATE, ("12M", "1.60")))
    err = fails("RATES_MISSING", lambda: bank.run(products.activate_product, maker, code))
    assert "24M" in err.detail and "12M" not in err.detail
    assert bank.run(products.get_product, maker, code, readonly=True).status == "draft"


# ---------------------------------------------------------------- rates under maker-checker


def test_a_rate_change_waits_for_a_second_product_manager(
    bank: Bank, staff: Staff, pm: tuple[Actor, Actor]
) -> None:
    maker, checker = pm
    code = _code("MC")
    bank.run(products.create_product, maker, time_product(code))
    before = counts(bank)
    pending = bank.run(
        products.propose_rates, maker, code, change(START_DATE, ("12M", "1.55"), ("24M", "2.15"))
    )
    assert pending.status == "pending_approval"
    assert pending.summary == f"rates of {code} from {START_DATE}: 12M 1.55%, 24M 2.15%"
    after = counts(bank)
    assert after["rates"] == before["rates"]  # nothing posted before the approval
    assert after["approvals"] == before["approvals"] + 1
    assert bank.run(products.list_rates, maker, code, readonly=True) == []

    # The maker cannot approve their own change; a supervisor lacks the product permission.
    fails("SELF_APPROVAL", lambda: bank.run(operations.approve, maker, pending.approval_id))
    fails(
        "PERMISSION_DENIED",
        lambda: bank.run(operations.approve, staff["supervisor"].actor, pending.approval_id),
    )
    assert counts(bank)["rates"] == before["rates"]

    done = bank.run(operations.approve, checker, pending.approval_id, "board minute 2026-07")
    assert (done.status, done.maker, done.checker) == ("executed", maker.username, checker.username)
    rates = bank.run(products.list_rates, maker, code, readonly=True)
    assert [(r.term, r.annual_rate, r.min_amount, r.effective_date) for r in rates] == [
        ("12M", "1.55", "0.00", START_DATE),
        ("24M", "2.15", "0.00", START_DATE),
    ]
    assert {(r.created_by, r.approved_by) for r in rates} == {(maker.username, checker.username)}
    assert bank.run(products.rate_on, code, "12M", START_DATE, readonly=True) == Decimal("1.55")
    actions = audit_actions(bank, code)
    assert ("product.rates.propose", maker.username) in actions
    assert ("product.rates.post", checker.username) in actions

    # With every term rated, the draft goes on sale.
    assert bank.run(products.activate_product, maker, code).status == "active"
    assert bank.run(products.deposit_product, code, readonly=True).on_sale
    fails("PRODUCT_STATUS", lambda: bank.run(products.activate_product, maker, code))


def test_a_new_rate_applies_from_its_date_and_the_history_is_kept(
    bank: Bank, pm: tuple[Actor, Actor]
) -> None:
    maker, checker = pm
    code = _code("HIST")
    bank.run(products.create_product, maker, time_product(code, terms=["12M"]))
    post_rates(bank, maker, checker, code, change(START_DATE, ("12M", "1.50")))
    later = START_DATE + timedelta(days=10)
    post_rates(bank, maker, checker, code, change(later, ("12M", "1.35")))

    def rate(day: date) -> Decimal:
        return bank.run(products.rate_on, code, "12M", day, readonly=True)  # type: ignore[no-any-return]

    assert rate(START_DATE) == Decimal("1.50")
    assert rate(later - timedelta(days=1)) == Decimal("1.50")  # the old rate up to the day before
    assert rate(later) == Decimal("1.35")
    assert rate(later + timedelta(days=400)) == Decimal("1.35")
    history = bank.run(products.list_rates, maker, code, "12M", readonly=True)
    assert [(r.effective_date, r.annual_rate) for r in history] == [(later, "1.35"), (START_DATE, "1.50")]


def test_rates_may_be_tiered_by_balance(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    maker, checker = pm
    code = _code("TIER")
    bank.run(products.create_product, maker, time_product(code, terms=["12M"]))
    post_rates(bank, maker, checker, code, change(START_DATE, ("12M", "1.50"), ("12M", "1.8", "200000.00")))
    assert bank.run(products.rate_on, code, "12M", START_DATE, 19_999_999, readonly=True) == Decimal("1.50")
    assert bank.run(products.rate_on, code, "12M", START_DATE, 20_000_000, readonly=True) == Decimal("1.80")


@pytest.mark.parametrize(
    ("cmd", "error"),
    [
        (change(START_DATE - timedelta(days=1), ("12M", "1.55")), "RATE_DATE_IN_PAST"),
        (change(START_DATE, ("36M", "2.60")), "TERM_NOT_OFFERED"),
        (change(START_DATE, ("demand", "0.30")), "TERM_NOT_OFFERED"),
        (change(START_DATE, ("12M", "1.55"), ("12M", "1.60")), "DUPLICATE_RATE"),
        (change(START_DATE, ("12M", "100")), "INVALID_RATE"),
        (change(START_DATE, ("12M", "-0.10")), "INVALID_RATE"),
        (change(START_DATE, ("12M", "1.55555")), "INVALID_RATE"),
        (change(START_DATE, ("12M", "one")), "INVALID_RATE"),
        (change(START_DATE, ("12M", "1.55", "10.001")), "INVALID_AMOUNT"),
    ],
)
def test_a_bad_rate_change_is_refused_and_nothing_is_written(
    bank: Bank, pm: tuple[Actor, Actor], cmd: RateChange, error: str
) -> None:
    code = _code("BADRATE")
    bank.run(products.create_product, pm[0], time_product(code))
    before = counts(bank)
    fails(error, lambda: bank.run(products.propose_rates, pm[0], code, cmd))
    assert counts(bank) == before  # no approval, no rate, no audit record


def test_a_rate_already_posted_for_that_date_is_not_posted_twice(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    maker, checker = pm
    code = _code("TWICE")
    bank.run(products.create_product, maker, time_product(code, terms=["12M"]))
    first = bank.run(products.propose_rates, maker, code, change(START_DATE, ("12M", "1.50")))
    second = bank.run(products.propose_rates, maker, code, change(START_DATE, ("12M", "1.70")))
    bank.run(operations.approve, checker, first.approval_id)
    before = counts(bank)
    fails("DUPLICATE_RATE", lambda: bank.run(operations.approve, checker, second.approval_id))
    assert counts(bank) == before
    assert bank.run(operations.get_approval, checker, second.approval_id, readonly=True).status == "pending"
    fails(
        "DUPLICATE_RATE",
        lambda: bank.run(products.propose_rates, maker, code, change(START_DATE, ("12M", "2"))),
    )


# ---------------------------------------------------------------- change and retire


def test_a_product_manager_changes_parameters_but_not_its_identity(
    bank: Bank, pm: tuple[Actor, Actor]
) -> None:
    maker, checker = pm
    code = _code("CHG")
    bank.run(products.create_product, maker, time_product(code, terms=["12M"]))
    p = bank.run(
        products.update_product, maker, code, ProductUpdate(min_opening_amount="100.00", channels=["counter"])
    )
    assert (p.min_opening_amount, p.channels, p.terms) == ("100.00", ["counter"], ["12M"])
    assert audit_actions(bank, code)[-1] == ("product.update", maker.username)
    with pytest.raises(ValueError):
        ProductUpdate(kind="demand_deposit")  # type: ignore[call-arg]
    before = counts(bank)
    fails("INVALID_TERM", lambda: bank.run(products.update_product, maker, code, ProductUpdate(terms=["1D"])))
    fails("INVALID_PRODUCT", lambda: bank.run(products.update_product, maker, code, ProductUpdate(name=None)))
    fails("INVALID_PRODUCT", lambda: bank.run(products.update_product, maker, code, ProductUpdate()))
    assert counts(bank) == before
    # Once on sale, a new term needs its rate before it is offered.
    post_rates(bank, maker, checker, code, change(START_DATE, ("12M", "1.50")))
    bank.run(products.activate_product, maker, code)
    fails(
        "RATES_MISSING",
        lambda: bank.run(products.update_product, maker, code, ProductUpdate(terms=["12M", "24M"])),
    )


def test_a_retired_product_sells_no_more_but_serves_its_accounts(
    bank: Bank, staff: Staff, pm: tuple[Actor, Actor]
) -> None:
    maker, checker = pm
    teller = staff["teller"].actor
    code = _code("PENSION")
    bank.run(products.create_product, maker, demand_product(code))
    fails("RATES_MISSING", lambda: bank.run(products.activate_product, maker, code))
    post_rates(bank, maker, checker, code, change(START_DATE, ("demand", "0.30")))
    bank.run(products.activate_product, maker, code)
    acc = new_account(bank, teller, product_code=code)
    deposit(bank, teller, acc.number, "1000.00")

    retired = bank.run(products.retire_product, maker, code)
    assert retired.status == "retired"
    assert audit_actions(bank, code)[-2:] == [
        ("product.activate", maker.username),
        ("product.retire", maker.username),
    ]

    # No new account ...
    customer = new_customer(bank, teller)
    before = ledger_state(bank)
    fails(
        "PRODUCT_NOT_AVAILABLE",
        lambda: bank.run(
            accounts.open_account,
            teller,
            accounts.AccountOpen(customer_number=customer.number, product_code=code, account_class=1),
        ),
    )
    assert ledger_state(bank) == before
    # ... while the old account still takes deposits and pays withdrawals, and still earns its rate.
    assert deposit(bank, teller, acc.number, "250.50").balance == "1250.50"
    paid = bank.run(
        accounts.cash_withdrawal,
        teller,
        acc.number,
        accounts.CashOperation(amount="200.25", currency="CNY"),
        f"pf-wd-{uuid.uuid4().hex}",
    )
    assert isinstance(paid, accounts.CashReceipt) and paid.balance == "1050.25"
    assert bank.run(accounts.get_account, teller, acc.number, readonly=True).balance == "1050.25"
    assert bank.run(products.rate_on, code, "demand", START_DATE, readonly=True) == Decimal("0.30")

    # A retired product no longer changes, nor do its rates.
    before_counts = counts(bank)
    fails("PRODUCT_RETIRED", lambda: bank.run(products.update_product, maker, code, ProductUpdate(name="X")))
    fails(
        "PRODUCT_RETIRED",
        lambda: bank.run(products.propose_rates, maker, code, change(START_DATE, ("demand", "0.25"))),
    )
    fails("PRODUCT_STATUS", lambda: bank.run(products.retire_product, maker, code))
    assert counts(bank) == before_counts


def test_a_draft_is_not_retired(bank: Bank, pm: tuple[Actor, Actor]) -> None:
    code = _code("DR")
    bank.run(products.create_product, pm[0], time_product(code))
    fails("PRODUCT_STATUS", lambda: bank.run(products.retire_product, pm[0], code))
    fails("PRODUCT_NOT_FOUND", lambda: bank.run(products.retire_product, pm[0], "NO_SUCH_PRODUCT"))


# ---------------------------------------------------------------- the date moves on before the approval


def test_a_rate_change_whose_date_passed_before_approval_is_refused(fresh_bank: FreshBank) -> None:
    bank = fresh_bank.bank
    maker = fresh_bank.add_staff("pf_maker", "product_manager", "0001")
    checker = fresh_bank.add_staff("pf_checker", "product_manager", "0001")
    today = fresh_bank.business_date()
    pending = bank.run(
        products.propose_rates, maker, "TIME_CNY", change(today + timedelta(days=1), ("12M", "1.45"))
    )
    fresh_bank.move_to(today + timedelta(days=2))
    before = counts(bank)
    fails("RATE_DATE_IN_PAST", lambda: bank.run(operations.approve, checker, pending.approval_id))
    assert counts(bank) == before
    assert bank.run(products.rate_on, "TIME_CNY", "12M", today + timedelta(days=5), readonly=True) == Decimal(
        "1.50"
    )
    rejected = bank.run(operations.reject, checker, pending.approval_id, "the date has passed")
    assert rejected.status == "rejected"


def test_a_product_sells_only_on_its_channels_and_to_its_account_classes(
    bank: Bank, staff: Staff, pm: tuple[Actor, Actor]
) -> None:
    maker, checker = pm
    teller = staff["teller"].actor
    online = _code("ONLINE")
    bank.run(
        products.create_product, maker, demand_product(online).model_copy(update={"channels": ["mobile"]})
    )
    post_rates(bank, maker, checker, online, change(START_DATE, ("demand", "0.30")))
    bank.run(products.activate_product, maker, online)
    type3 = _code("TYPE3")
    bank.run(
        products.create_product,
        maker,
        demand_product(type3).model_copy(update={"account_classes": [3]}),
    )
    post_rates(bank, maker, checker, type3, change(START_DATE, ("demand", "0.30")))
    bank.run(products.activate_product, maker, type3)
    customer = new_customer(bank, teller)
    before = ledger_state(bank)
    refused = fails(
        "PRODUCT_NOT_AVAILABLE", lambda: new_account(bank, teller, customer.number, product_code=online)
    )
    assert "counter channel" in refused.detail
    refused = fails(
        "PRODUCT_NOT_AVAILABLE",
        lambda: new_account(bank, teller, customer.number, account_class=1, product_code=type3),
    )
    assert "Type 1" in refused.detail
    assert ledger_state(bank) == before
    held = new_account(bank, teller, customer.number, account_class=3, product_code=type3)
    assert held.account_class == 3
