"""Synthetic people and companies for the demo, and the planner's model of their accounts."""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from corebank.customers import CustomerCreate, make_resident_id, make_uscc
from corebank.demo.common import (
    BRANCH,
    BRANDS,
    CNY,
    DISTRICTS,
    FEMALE,
    HEAD,
    INDUSTRIES,
    MALE,
    MOBILE_PREFIXES,
    OCCUPATIONS,
    REGIONS,
    ROADS,
    SURNAMES,
)
from corebank.kernel.money import minor_to_text

# ---------------------------------------------------------------- the planner's model of the bank


@dataclass(eq=False, slots=True)
class _Account:
    owner: _Customer
    klass: int
    branch: str
    number: str = ""  # known once the opening command has run
    balance: int = 0  # minor units, as the ledger will hold them
    held: int = 0
    frozen: bool = False
    busy: bool = False  # under a hold or freeze the demo will lift later
    out_day: date | None = None
    out_day_total: int = 0
    out_year: int | None = None
    out_year_total: int = 0

    def available(self) -> int:
        """What may leave the account now."""
        return 0 if self.frozen else self.balance - self.held


@dataclass(eq=False, slots=True)
class _Customer:
    kind: str  # individual | corporate
    create: CustomerCreate
    branch: str
    opens_on: int  # day index
    number: str = ""
    opened: bool = False
    salary: int = 0  # minor units a month (individuals with an employer)
    payday: int = 0  # day of the month (corporates)
    employees: list[_Customer] = field(default_factory=list)
    accounts: list[_Account] = field(default_factory=list)

    @property
    def primary(self) -> _Account:
        """The Type I account."""
        return self.accounts[0]


def _text(minor: int) -> str:
    return minor_to_text(minor, CNY)


def _yuan(rng: random.Random, lo: int, hi: int, step: int = 1) -> int:
    """A whole-yuan amount in [lo, hi] on a `step` grid, in minor units."""
    return rng.randrange(lo, hi + 1, step) * 100


def _cents(rng: random.Random, lo: int, hi: int) -> int:
    """An amount with fen in [lo, hi] yuan, in minor units."""
    return rng.randint(lo * 100, hi * 100)


def org_code(rng: random.Random) -> str:
    """A 9-character organisation code (GB 11714) with its own check character."""
    body = "".join(rng.choice("0123456789") for _ in range(8))
    total = sum(int(c) * w for c, w in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True))
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


class _People:
    """Generates realistic synthetic customers (unique ID numbers and phones)."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.ids: set[str] = set()
        self.phones: set[str] = set()
        self.names: set[str] = set()
        self.surname_weights = [1 / (i + 4) for i in range(len(SURNAMES))]

    def name(self, male: bool) -> str:
        r = self.rng
        chars = MALE if male else FEMALE
        given = r.choice(chars) + (r.choice(chars) if r.random() < 0.65 else "")
        return r.choices(SURNAMES, self.surname_weights)[0] + given

    def mobile(self) -> str:
        while True:
            p = self.rng.choice(MOBILE_PREFIXES) + f"{self.rng.randrange(10**8):08d}"
            if p not in self.phones:
                self.phones.add(p)
                return p

    def address(self, branch: str) -> str:
        r = self.rng
        return (
            f"浙江省杭州市{r.choice(DISTRICTS[branch])}{r.choice(ROADS)}{r.randint(1, 480)}号"
            f"{r.randint(1, 30)}幢{r.randint(1, 3)}单元{r.randint(1, 28)}{r.randint(1, 4):02d}室"
        )

    def individual(self, branch: str, today: date) -> CustomerCreate:
        r = self.rng
        while True:
            region = "330100" if r.random() < 0.5 else r.choice(REGIONS)
            birth = today - timedelta(days=int(r.triangular(18.1, 80, 36) * 365.25))  # most 25 to 50
            id_number = make_resident_id(region, birth, r.randrange(1000))
            if id_number not in self.ids:
                self.ids.add(id_number)
                break
        male = int(id_number[16]) % 2 == 1
        age = (today - birth).days // 365
        occupation = "退休" if age >= 62 else ("学生" if age <= 22 else r.choice(OCCUPATIONS))
        return CustomerCreate(
            type="individual",
            name=self.name(male),
            id_type="resident_id",
            id_number=id_number,
            phone=self.mobile(),
            address=self.address(branch),
            occupation=occupation,
            risk_level=r.choices(("low", "medium", "high"), (90, 9, 1))[0],
        )

    def corporate(self, branch: str) -> CustomerCreate:
        r = self.rng
        while True:
            industry = r.choice(INDUSTRIES)
            name = f"杭州{r.choice(BRANDS)}{industry}有限公司"
            district = r.choice(("330102", "330105", "330106", "330108", "330109", "330110"))
            code = make_uscc("91" + district + org_code(r))
            if name not in self.names and code not in self.ids:
                self.names.add(name)
                self.ids.add(code)
                break
        return CustomerCreate(
            type="corporate",
            name=name,
            id_type="uscc",
            id_number=code,
            phone=f"0571-8{r.randrange(10**7):07d}",
            address=self.address(branch),
            occupation=industry,
            legal_representative=self.name(r.random() < 0.7),
            risk_level=r.choices(("low", "medium"), (85, 15))[0],
        )


def _make_customers(rng: random.Random, n: int, days: int, today: date) -> list[_Customer]:
    """`n` customers (one in twenty a company), 60% opened on the first day and the rest over the period."""
    people = _People(rng)
    n_corp = max(1, n // 20)
    out: list[_Customer] = []
    for i in range(n):
        kind = "corporate" if i % 20 == 7 or (n_corp == 1 and i == 0) else "individual"
        branch = BRANCH if rng.random() < 0.3 else HEAD
        opens_on = 0 if days == 1 or rng.random() < 0.6 else rng.randrange(1, days)
        create = people.corporate(branch) if kind == "corporate" else people.individual(branch, today)
        c = _Customer(kind, create, branch, opens_on)
        if kind == "corporate":
            c.payday = rng.randint(5, 25)
            c.accounts.append(_Account(c, 1, branch))
        else:
            c.accounts.append(_Account(c, 1, branch))
            if rng.random() < 0.42:
                c.accounts.append(_Account(c, 2, branch))
            if rng.random() < 0.12:
                c.accounts.append(_Account(c, 3, branch))
        out.append(c)
    corps = [c for c in out if c.kind == "corporate"]
    for c in out:
        if c.kind == "individual" and c.create.occupation not in ("退休", "学生") and rng.random() < 0.85:
            employer = rng.choice(corps)
            employer.employees.append(c)
            c.salary = _yuan(rng, 4000, 25000, 100)
    return sorted(out, key=lambda c: c.opens_on)
