"""The demo bank behind `corebank init --demo` and `corebank demo`: a second branch, staff in every role,
1,000 customers with about 1,500 accounts, and 60 business days of counter work ending on today's date.

Every change goes through the real service functions, so the demo obeys the same rules as a teller would.
It is deterministic: one seeded generator decides everything (only wall-clock timestamps differ between
runs). To be fast, many commands share one transaction (services never commit). Because a refused command
rolls back its whole batch, the planner keeps its own model of every balance, hold, till and class limit,
and only asks for what the rules allow.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Literal, Protocol

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from sqlalchemy import func, select, update

from corebank import accounts, ledger, operations, payments, tellers
from corebank.accounts import AccountOpen, CashOperation, FreezeRequest, HoldRequest, UnfreezeRequest
from corebank.accounts.models import DepositAccount
from corebank.config import Settings
from corebank.customers import CustomerCreate, CustomerUpdate, make_resident_id, make_uscc
from corebank.customers import open_customer as _open_customer
from corebank.customers import update_customer as _update_customer
from corebank.customers.models import Customer
from corebank.db.models import BankState
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.money import Money, minor_to_text
from corebank.ledger import EntryDraft, Leg, chart
from corebank.ledger.models import JournalEntry
from corebank.payments import ReversalRequest, TransferCreate
from corebank.security import SYSTEM, Actor, make_actor
from corebank.security import service as security
from corebank.security.schemas import UserCreate

DEMO_DAYS = 60
DEMO_CUSTOMERS = 1000
DEMO_PASSWORD = "Demo-pass-2026"  # development demo only: printed at the end of the load
SEED = 20261122
CNY = "CNY"
HEAD = "0001"  # head office, as `corebank init` creates it
BRANCH = "0002"
TELLERS = ("teller01", "teller02", "teller21", "teller22")  # who works a till every day
CLASSES: dict[int, Literal[1, 2, 3]] = {1: 1, 2: 2, 3: 3}
BRANCH_FUNDING = 200_000_000  # minor units: 2,000,000.00 of vault cash allocated from head office
CHUNK = 250  # commands per transaction

# username, role, branch, full name
STAFF = (
    ("admin01", "admin", HEAD, "周建国"),
    ("manager01", "branch_manager", HEAD, "郑海燕"),
    ("supervisor01", "supervisor", HEAD, "王立新"),
    ("teller01", "teller", HEAD, "李晓雯"),
    ("teller02", "teller", HEAD, "陈思远"),
    ("accountant01", "accountant", HEAD, "林佳慧"),
    ("credit01", "credit_officer", HEAD, "赵志强"),
    ("risk01", "risk_officer", HEAD, "孙明哲"),
    ("auditor01", "auditor", HEAD, "何静怡"),
    ("manager21", "branch_manager", BRANCH, "吴国平"),
    ("supervisor21", "supervisor", BRANCH, "徐丽娟"),
    ("teller21", "teller", BRANCH, "张雨萱"),
    ("teller22", "teller", BRANCH, "刘浩然"),
)
OPENING_TILL = {HEAD: 20_000_000, BRANCH: 15_000_000}  # minor units taken from the vault each morning


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


# Synthetic people. Region codes are city level (XX0100): the ID validator knows them for every birth year.
REGIONS = _words(
    "110100 120100 310100 320100 330100 340100 350100 370100 410100 420100 430100 440100 510100 610100"
)
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
    "姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆旭宁龙林阳建国志成文博天翔子豪宏亮晨轩哲睿"
FEMALE = "芳娜敏静丽艳娟霞秀英玲桂兰梅琳雪慧婷颖倩琪欣怡佳悦萍红燕丹蕾薇雅晶洁璐瑶"
DISTRICTS = {HEAD: ("西湖区", "上城区", "拱墅区", "余杭区"), BRANCH: ("滨江区", "萧山区", "钱塘区")}
ROADS = _words(
    "文一路 文二路 天目山路 延安路 解放路 凤起路 庆春路 江南大道 滨盛路 莫干山路 古墩路 紫金港路 建国路"
)
OCCUPATIONS = _words(
    "教师 工程师 医生 护士 会计 销售 个体工商户 公务员 司机 厨师 程序员 设计师 律师 退休 学生 自由职业 "
    "工人 快递员 服务员 银行职员 店主 保安 研究员 编辑"
)
MOBILE_PREFIXES = _words("130 131 132 135 136 137 138 139 150 151 152 158 159 177 186 187 188 189 199")
BRANDS = _words(
    "恒通 华信 鑫源 瑞丰 中联 宏达 金诚 汇通 东方 新世纪 天成 博远 嘉禾 永盛 正泰 海川 凯越 明德 "
    "同创 锦程 和美 兴业 长青 卓越 润泽"
)
INDUSTRIES = _words(
    "科技 贸易 餐饮管理 建筑工程 物流 食品 服装 医药 文化传媒 电子 家居 教育咨询 汽车服务 印务"
)
P2P_MEMOS = ("房租", "还款", "生活费", "红包", "AA聚餐", "学费", "借款", "份子钱")
SHOP_MEMOS = ("购物", "餐费", "物业费", "培训费", "维修费", "水电费")
B2B_MEMOS = ("货款", "服务费", "租金", "运费", "设备款")

Op = Callable[[UnitOfWork], object]


class DemoBank(Protocol):
    """What the demo needs of a bank (`corebank.bootstrap.Bank` provides it)."""

    settings: Settings
    _tree_at: float

    def run(self, fn: Any, *args: Any, readonly: bool = False, **kwargs: Any) -> Any:
        """Run one command in its own transaction."""

    def branch_tree(self) -> dict[str, str | None]:
        """Branch code -> parent code."""


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


def _org_code(rng: random.Random) -> str:
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
            code = make_uscc("91" + district + _org_code(r))
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


# ---------------------------------------------------------------- the planner

_Lift = tuple[_Account, int, bool, Op]  # account, held released, full freeze lifted, the command


class _Planner:
    """Plans each business day as a list of service calls, updating its model of the bank as it goes."""

    def __init__(
        self, rng: random.Random, staff: dict[str, Actor], settings: Settings, start: date, volume: float
    ):
        self.rng = rng
        self.staff = staff
        self.start = start
        self.volume = volume
        self.ops: list[tuple[int, Op]] = []  # (customers the op opens, op)
        self.day = 0
        self.seq = 0
        self.till: dict[str, int] = {}
        self.vault: dict[str, int] = {}
        self.individuals: list[_Customer] = []
        self.corporates: list[_Customer] = []
        self.lifts: dict[int, list[_Lift]] = {}

        def minor(d: Decimal) -> int:
            return Money.of(d, CNY).to_minor()

        self.approval_threshold = minor(settings.withdrawal_approval_threshold)
        self.caps = {
            2: (minor(settings.class2_daily_outflow), minor(settings.class2_yearly_outflow)),
            3: (minor(settings.class3_daily_outflow), minor(settings.class3_yearly_outflow)),
        }
        self.class3_max = minor(settings.class3_max_balance)

    @property
    def bd(self) -> date:
        return self.start + timedelta(days=self.day)

    def key(self) -> str:
        self.seq += 1
        return f"demo-{self.day}-{self.seq}"

    def add(self, op: Op, opened: int = 0) -> None:
        self.ops.append((opened, op))

    def teller(self, branch: str) -> Actor:
        return self.staff[
            self.rng.choice(("teller01", "teller02") if branch == HEAD else ("teller21", "teller22"))
        ]

    def checker(self, branch: str) -> Actor:
        """A supervisor, now and then the branch manager, of `branch`."""
        manager = self.rng.random() < 0.2
        if branch == HEAD:
            return self.staff["manager01" if manager else "supervisor01"]
        return self.staff["manager21" if manager else "supervisor21"]

    # ---- the rules a command must pass, on the planner's model

    def can_pay(self, acc: _Account, amount: int, to: _Account | None) -> bool:
        if amount <= 0 or acc.available() < amount:
            return False
        if acc.klass == 1 or to is acc.owner.primary:
            return True
        day_cap, year_cap = self.caps[acc.klass]
        day = acc.out_day_total if acc.out_day == self.bd else 0
        year = acc.out_year_total if acc.out_year == self.bd.year else 0
        return day + amount <= day_cap and year + amount <= year_cap

    def can_receive(self, acc: _Account, amount: int) -> bool:
        return acc.klass != 3 or acc.balance + amount <= self.class3_max

    def _debit(self, acc: _Account, amount: int, to: _Account | None) -> None:
        acc.balance -= amount
        if acc.klass != 1 and to is not acc.owner.primary:  # Type II/III outflow limits (银发〔2018〕16号)
            bd = self.bd
            acc.out_day_total = (acc.out_day_total if acc.out_day == bd else 0) + amount
            acc.out_year_total = (acc.out_year_total if acc.out_year == bd.year else 0) + amount
            acc.out_day, acc.out_year = bd, bd.year

    # ---- counter commands

    def open_tills(self) -> None:
        for name in TELLERS:
            actor = self.staff[name]
            cash = min(OPENING_TILL[actor.branch_code], self.vault[actor.branch_code])
            self.vault[actor.branch_code] -= cash
            self.till[name] = cash
            cmd = tellers.TillOpen(currency=CNY, opening_cash=_text(cash) if cash else None)

            def open_till(uow: UnitOfWork, a: Actor = actor, c: tellers.TillOpen = cmd) -> object:
                return tellers.open_till(uow, a, c)

            self.add(open_till)

    def close_tills(self, differences: dict[str, int]) -> None:
        """Balance every till (轧账): counted cash equals the system, except the planned 长短款."""
        for name in TELLERS:
            actor = self.staff[name]
            counted = self.till[name] + differences.get(name, 0)
            self.vault[actor.branch_code] += counted
            self.till[name] = 0
            cmd = tellers.TillClose(counted=_text(counted), currency=CNY)

            def close(uow: UnitOfWork, a: Actor = actor, c: tellers.TillClose = cmd) -> object:
                return tellers.close_till(uow, a, tellers.current_till(uow, a.username, CNY).id, c)

            self.add(close)

    def ensure_till_cash(self, teller: Actor, amount: int) -> bool:
        """Top the till up from the vault when it cannot pay `amount`; False when the vault cannot either."""
        if self.till[teller.username] >= amount:
            return True
        need = amount - self.till[teller.username] + 10_000_000
        if self.vault[teller.branch_code] < need:
            return False
        self.vault[teller.branch_code] -= need
        self.till[teller.username] += need
        cmd, key = tellers.CashMove(amount=_text(need), currency=CNY), self.key()

        def take(uow: UnitOfWork) -> object:
            return tellers.take_from_vault(
                uow, teller, tellers.current_till(uow, teller.username, CNY).id, cmd, key
            )

        self.add(take)
        return True

    def onboard(self, c: _Customer) -> None:
        """Open the customer and their accounts at their branch's counter, with a first deposit."""
        t = self.teller(c.branch)
        product = "CORP_DEMAND_CNY" if c.kind == "corporate" else "DEMAND_CNY"

        def open_all(uow: UnitOfWork) -> object:
            c.number = _open_customer(uow, t, c.create).number
            for acc in c.accounts:
                cmd = AccountOpen(
                    customer_number=c.number,
                    product_code=product,
                    account_class=CLASSES[acc.klass],
                    linked_account=c.primary.number if acc.klass != 1 else None,
                )
                acc.number = accounts.open_account(uow, t, cmd).number
            return c.number

        self.add(open_all, opened=1)
        c.opened = True
        (self.corporates if c.kind == "corporate" else self.individuals).append(c)
        r = self.rng
        if c.kind == "corporate":
            first = _yuan(r, 100_000, 3_000_000, 1000)
        else:
            lo, hi = r.choices(
                ((1_000, 20_000), (20_000, 100_000), (100_000, 500_000), (500_000, 2_000_000)),
                (50, 35, 12, 3),
            )[0]
            first = _yuan(r, lo, hi, 100)
        self.deposit(t, c.primary, first, "开户存入")
        for acc in c.accounts[1:]:
            amount = _yuan(r, 200, 1_800, 100) if acc.klass == 3 else _yuan(r, 1_000, 10_000, 100)
            amount = min(amount, c.primary.available() // 2 // 10_000 * 10_000)
            if amount > 0:
                self.transfer(t, c.primary, acc, amount, "转入")

    def deposit(self, teller: Actor, acc: _Account, amount: int, memo: str) -> None:
        self.till[teller.username] += amount
        acc.balance += amount
        cmd, key = CashOperation(amount=_text(amount), currency=CNY, memo=memo), self.key()
        self.add(lambda uow: accounts.cash_deposit(uow, teller, acc.number, cmd, key))

    def withdraw(self, acc: _Account, amount: int, memo: str) -> None:
        """Cash out at the account's branch; at or above the threshold a supervisor authorizes (授权)."""
        teller = self.teller(acc.branch)
        if not self.can_pay(acc, amount, None) or not self.ensure_till_cash(teller, amount):
            return
        cmd, key = CashOperation(amount=_text(amount), currency=CNY, memo=memo), self.key()
        if amount < self.approval_threshold:
            self.till[teller.username] -= amount
            self._debit(acc, amount, None)
            self.add(lambda uow: accounts.cash_withdrawal(uow, teller, acc.number, cmd, key))
            return
        checker, refuse = self.checker(acc.branch), self.rng.random() < 0.15
        if not refuse:
            self.till[teller.username] -= amount
            self._debit(acc, amount, None)

        def authorized(uow: UnitOfWork) -> object:
            pending = accounts.cash_withdrawal(uow, teller, acc.number, cmd, key)
            assert isinstance(pending, accounts.PendingApproval)
            if refuse:
                return operations.reject(uow, checker, pending.approval_id, "客户身份核实未通过")
            return operations.approve(uow, checker, pending.approval_id, "已核实身份")

        self.add(authorized)

    def transfer(
        self, teller: Actor, payer: _Account, payee: _Account, amount: int, memo: str, reverse: bool = False
    ) -> None:
        """A transfer; with `reverse` the customer asks the same day to undo it (冲正, a supervisor approves)."""
        self._debit(payer, amount, payee)
        payee.balance += amount
        key, checker = self.key(), self.checker(teller.branch_code) if reverse else None
        if reverse:
            payer.balance += amount
            payee.balance -= amount

        def run(uow: UnitOfWork) -> object:
            cmd = TransferCreate(
                from_account=payer.number,
                to_account=payee.number,
                amount=_text(amount),
                currency=CNY,
                memo=memo,
            )
            done = payments.transfer(uow, teller, cmd, key)
            if checker is not None:
                why = ReversalRequest(reason="客户申请:转账金额错误")
                pending = payments.request_reversal(uow, teller, done.entry_id, why)
                operations.approve(uow, checker, pending.approval_id, "同意冲正")
            return done

        self.add(run)

    def hold(self, acc: _Account, amount: int, lift_on: int) -> None:
        """A hold (止付) placed by a teller and released some days later."""
        teller, ref = self.teller(acc.branch), [0]
        acc.held += amount
        acc.busy = True
        cmd = HoldRequest(amount=_text(amount), reason="客户挂失存折,临时止付")

        def place(uow: UnitOfWork) -> object:
            ref[0] = accounts.place_hold(uow, teller, acc.number, cmd).id
            return ref[0]

        def lift(uow: UnitOfWork) -> object:
            return accounts.release_hold(uow, teller, acc.number, ref[0], "客户补办完成")

        self.add(place)
        self.lifts.setdefault(lift_on, []).append((acc, amount, False, lift))

    def freeze(self, acc: _Account, amount: int | None, lift_on: int) -> None:
        """A court's partial freeze (部分冻结) executed by a supervisor, or with no amount a full freeze the
        police ask for, executed by the risk officer; both lifted some days later."""
        full = amount is None
        officer = self.staff["risk01"] if full else self.checker(acc.branch)
        ref, n, year = [0], self.rng.randint(100, 9999), self.bd.year
        acc.busy = True
        acc.frozen = acc.frozen or full
        acc.held += amount or 0
        cmd = FreezeRequest(
            kind="full" if full else "partial",
            amount=None if amount is None else _text(amount),
            reason="涉嫌电信网络诈骗,公安机关要求冻结" if full else "协助执行:财产保全",
            authority="杭州市公安局滨江区分局" if full else "杭州市西湖区人民法院",
            document_no=f"杭公(滨)冻字〔{year}〕{n}号" if full else f"({year})浙0106执保{n}号",
        )

        def place(uow: UnitOfWork) -> object:
            ref[0] = accounts.freeze(uow, officer, acc.number, cmd).id
            return ref[0]

        def lift(uow: UnitOfWork) -> object:
            return accounts.unfreeze(
                uow, officer, acc.number, UnfreezeRequest(freeze_id=ref[0], reason="解除冻结")
            )

        self.add(place)
        self.lifts.setdefault(lift_on, []).append((acc, amount or 0, full, lift))

    def lift_due(self) -> None:
        """Release the holds and freezes that fall due today."""
        for acc, held, full, op in self.lifts.pop(self.day, []):
            acc.held -= held
            acc.frozen = acc.frozen and not full
            acc.busy = False
            self.add(op)

    # ---- a business day

    def plan_day(self, newcomers: list[_Customer], differences: dict[str, int]) -> None:
        """Tills open, new customers, payroll, the day's counter work in random order, tills balanced, day closed."""
        r = self.rng
        self.open_tills()
        self.lift_due()
        for c in newcomers:
            self.onboard(c)
        for corp in self.corporates:
            if corp.payday == self.bd.day:
                self.payroll(corp)
        scale = (0.6 if self.bd.weekday() >= 5 else 1.0) * self.volume
        mix = {
            self.cash_in: 36,
            self.cash_out: 34,
            self.p2p: 45,
            self.shop: 20,
            self.b2b: 6,
            self.takings: 8,
            self.petty_cash: 3,
            self.top_up: 10,
            self.spend: 9,
            self.sweep: 3,
            self.update_customer: 0.6,
            self.big_withdrawal: 0.4,
            self.hold_one: 0.3,
            self.freeze_one: 0.15,
            self.mistaken_transfer: 0.2,
        }
        events: list[Callable[[], None]] = []
        for event, per_day in mix.items():
            n = per_day * scale if per_day >= 1 else per_day
            events += [event] * (int(n) + (1 if r.random() < n - int(n) else 0))
        r.shuffle(events)
        if self.individuals:
            for event in events:
                event()
        self.close_tills(differences)
        bd = self.bd
        self.add(lambda uow: _close_day(uow, bd))

    def _individual(self, amount: int, ok: Callable[[_Account], bool] | None = None) -> _Account | None:
        """A random individual's Type I account that can pay `amount` (a few tries, then give up)."""
        for _ in range(12):
            acc = self.rng.choice(self.individuals).primary
            if self.can_pay(acc, amount, None) and (ok is None or ok(acc)):
                return acc
        return None

    def _other(self, pool: list[_Customer], payer: _Account) -> _Account | None:
        payee = self.rng.choice(pool).primary
        return None if payee.owner is payer.owner else payee

    def cash_in(self) -> None:
        r = self.rng
        acc = r.choice(self.individuals).primary
        lo, hi, step = r.choices(
            ((200, 5_000, 100), (5_000, 30_000, 100), (30_000, 100_000, 1000)), (70, 25, 5)
        )[0]
        other = BRANCH if acc.branch == HEAD else HEAD
        teller = self.teller(acc.branch if r.random() < 0.9 else other)  # 通存: any branch takes deposits
        self.deposit(teller, acc, _yuan(r, lo, hi, step), r.choice(("存现", "工资存入", "经营收入", "")))

    def cash_out(self) -> None:
        r = self.rng
        amount = _yuan(r, 100, 3_000, 100) if r.random() < 0.8 else _yuan(r, 3_000, 20_000, 100)
        acc = self._individual(amount)
        if acc is not None:
            self.withdraw(acc, amount, "取现")

    def big_withdrawal(self) -> None:
        amount = _yuan(self.rng, 50_000, 150_000, 1000)
        rich = [c.primary for c in self.individuals if self.can_pay(c.primary, amount, None)]
        if rich:
            self.withdraw(self.rng.choice(rich), amount, "大额取现:购车")

    def p2p(self, reverse: bool = False) -> None:
        r = self.rng
        amount = _yuan(r, 1_500, 6_000, 100) if r.random() < 0.3 else _cents(r, 20, 3_000)
        payer = self._individual(amount)
        payee = payer and self._other(self.individuals, payer)
        if payer is None or payee is None or (reverse and payee.frozen):
            return
        self.transfer(self.teller(payer.branch), payer, payee, amount, r.choice(P2P_MEMOS), reverse)

    def mistaken_transfer(self) -> None:
        self.p2p(reverse=True)

    def shop(self) -> None:
        r = self.rng
        amount = _cents(r, 20, 3_000)
        payer = self._individual(amount)
        if payer is not None and self.corporates:
            payee = r.choice(self.corporates).primary
            self.transfer(self.teller(payer.branch), payer, payee, amount, r.choice(SHOP_MEMOS))

    def b2b(self) -> None:
        r = self.rng
        if len(self.corporates) < 2:
            return
        payer = r.choice(self.corporates).primary
        payee = self._other(self.corporates, payer)
        amount = _cents(r, 5_000, 200_000)
        if payee is not None and self.can_pay(payer, amount, payee):
            self.transfer(self.teller(payer.branch), payer, payee, amount, r.choice(B2B_MEMOS))

    def takings(self) -> None:
        if self.corporates:
            acc = self.rng.choice(self.corporates).primary
            self.deposit(self.teller(acc.branch), acc, _cents(self.rng, 3_000, 80_000), "营业款")

    def petty_cash(self) -> None:
        if self.corporates:
            acc = self.rng.choice(self.corporates).primary
            self.withdraw(acc, _yuan(self.rng, 2_000, 20_000, 100), "备用金")

    def payroll(self, corp: _Customer) -> None:
        """代发工资: the company pays its employees; it pays in the week's takings first when short."""
        staff = [e for e in corp.employees if e.opened]
        total = sum(e.salary for e in staff)
        if not staff or corp.primary.frozen:
            return
        teller = self.teller(corp.branch)
        if corp.primary.available() < total:
            top_up = total - corp.primary.available() + _yuan(self.rng, 10_000, 100_000, 1000)
            self.deposit(teller, corp.primary, top_up, "营业款")
        for e in staff:
            self.transfer(teller, corp.primary, e.primary, e.salary, f"代发工资 {self.bd:%Y-%m}")

    def _with_extras(self) -> list[_Account]:
        for _ in range(12):
            c = self.rng.choice(self.individuals)
            if len(c.accounts) > 1:
                return c.accounts[1:]
        return []

    def top_up(self) -> None:
        """Type I pays into the customer's own Type II or III (no class limit applies)."""
        r = self.rng
        extras = self._with_extras()
        if not extras:
            return
        acc = r.choice(extras)
        amount = _yuan(r, 500, 5_000, 100)
        if acc.klass == 3:
            amount = min(_yuan(r, 100, 1_000, 100), (self.class3_max - acc.balance) // 10_000 * 10_000)
        if amount > 0 and self.can_pay(acc.owner.primary, amount, acc) and self.can_receive(acc, amount):
            self.transfer(self.teller(acc.branch), acc.owner.primary, acc, amount, "转入")

    def spend(self) -> None:
        """A Type II or III pays a merchant, within its daily and yearly outflow limits."""
        r = self.rng
        extras = self._with_extras()
        if not extras or not self.corporates:
            return
        acc = r.choice(extras)
        amount = _cents(r, 20, 2_000) if acc.klass == 2 else _cents(r, 10, 300)
        payee = r.choice(self.corporates).primary
        if self.can_pay(acc, amount, payee):
            self.transfer(self.teller(acc.branch), acc, payee, amount, r.choice(("网购", "扫码支付", "缴费")))

    def sweep(self) -> None:
        """A Type II pays back into its own Type I."""
        extras = [a for a in self._with_extras() if a.klass == 2]
        if extras:
            acc = extras[0]
            amount = min(_yuan(self.rng, 100, 2_000, 100), acc.available() // 100 * 100)
            if amount > 0 and self.can_pay(acc, amount, acc.owner.primary):
                self.transfer(self.teller(acc.branch), acc, acc.owner.primary, amount, "转回")

    def hold_one(self) -> None:
        acc = self._individual(100_000, lambda a: not a.busy)
        if acc is not None:
            self.hold(acc, acc.available() // 2 // 100 * 100, self.day + self.rng.randint(1, 4))

    def freeze_one(self) -> None:
        r = self.rng
        full = r.random() < 0.4
        pool = self.individuals if full or not self.corporates or r.random() < 0.6 else self.corporates
        acc = r.choice(pool).primary
        if acc.busy or acc.frozen or acc.available() < 100_000:
            return
        amount = None if full else acc.available() * r.randint(30, 80) // 100 // 100 * 100
        self.freeze(acc, amount, self.day + r.randint(3, 12))

    def update_customer(self) -> None:
        """A customer changes their phone or address at the counter (kept in the customer's history)."""
        r = self.rng
        c = r.choice(self.individuals)
        people = _People(r)
        cmd = (
            CustomerUpdate(phone=people.mobile())
            if r.random() < 0.5
            else CustomerUpdate(address=people.address(c.branch))
        )
        teller = self.teller(c.branch)
        self.add(lambda uow: _update_customer(uow, teller, c.number, cmd))


# ---------------------------------------------------------------- loading


def _run_ops(uow: UnitOfWork, ops: list[Op]) -> None:
    for op in ops:
        op(uow)


def _close_day(uow: UnitOfWork, business_date: date) -> None:
    """The demo's stand-in for end of day until the end-of-day runner exists: snapshot the GL balances of
    `business_date` and move the bank to the next business date."""
    ledger.snapshot_gl_balances(uow, business_date)
    moved = uow.session.execute(
        update(BankState)
        .where(BankState.id == 1, BankState.business_date == business_date)
        .values(business_date=business_date + timedelta(days=1))
    )
    if moved.rowcount != 1:  # type: ignore[attr-defined]
        raise InvalidRequest(f"the business date is not {business_date}")
    uow.audit(SYSTEM, "demo.close_day", "bank", uow.settings.bank_code, business_date=str(business_date))


def _set_up(uow: UnitOfWork) -> tuple[dict[str, int], dict[str, int]]:
    """Branch 0002 with a vault funded from head office (现金调拨), and the demo staff.
    Returns user ids by username and vault cash by branch."""
    if BRANCH not in ledger.branch_tree(uow):
        ledger.add_branch(uow, BRANCH, "Riverside branch", HEAD, "branch")
    tellers.open_vault(uow, BRANCH, CNY)
    head, branch = tellers.vault_account(uow, HEAD, CNY), tellers.vault_account(uow, BRANCH, CNY)
    cash = Money.from_minor(BRANCH_FUNDING, CNY)
    ledger.post(
        uow,
        EntryDraft(
            "vault_transfer",
            (
                Leg.debit(chart.VAULT_CASH, BRANCH, cash, branch),
                Leg.credit(chart.VAULT_CASH, HEAD, cash, head),
            ),
            memo="cash allocation (现金调拨): head office to Riverside branch",
            reference=tellers.voucher_number(uow, HEAD),
        ),
        by="system",
        channel="system",
    )
    existing = {u.username: u.id for u in security.list_users(uow, SYSTEM)}
    ids = {}
    for username, role, branch_code, full_name in STAFF:
        if username not in existing:
            cmd = UserCreate(
                username=username,
                roles=[role],
                branch_code=branch_code,
                full_name=full_name,
                password=DEMO_PASSWORD,
            )
            existing[username] = security.create_user(uow, SYSTEM, cmd).user.id
        ids[username] = existing[username]
    vaults = ledger.balances(uow, [head, branch])
    return ids, {HEAD: vaults[head].balance, BRANCH: vaults[branch].balance}


def _count(uow: UnitOfWork) -> dict[str, int]:
    s = uow.session
    return {
        "customers": int(s.execute(select(func.count()).select_from(Customer)).scalar_one()),
        "accounts": int(s.execute(select(func.count()).select_from(DepositAccount)).scalar_one()),
        "entries": int(s.execute(select(func.count()).select_from(JournalEntry)).scalar_one()),
    }


def is_empty(bank: DemoBank) -> bool:
    """True when the bank has no customers yet (the demo loads only into such a bank)."""
    counts: dict[str, int] = bank.run(_count, readonly=True)
    return counts["customers"] == 0


def load(
    bank: DemoBank, console: Console | None = None, *, customers: int = DEMO_CUSTOMERS, days: int = DEMO_DAYS
) -> str:
    """Load the demo into an initialized bank with no customers: a second branch, staff, `customers`
    customers and `days` business days of activity from the current business date on (which ends `days`
    later). Returns a one-line summary; prints the staff and their password to `console` when given."""
    rng = random.Random(SEED)
    start: date = bank.run(lambda uow: uow.business_date, readonly=True)
    ids, vaults = bank.run(_set_up)
    bank._tree_at = 0  # the branch cache must see branch 0002
    tree = bank.branch_tree()
    staff = {u: make_actor(u, ids[u], (role,), br, tree) for u, role, br, _n in STAFF}
    people = _make_customers(rng, customers, days, start)
    planner = _Planner(rng, staff, bank.settings, start, volume=customers / DEMO_CUSTOMERS)
    planner.vault.update(vaults)
    arrivals: dict[int, list[_Customer]] = {}
    for c in people:
        arrivals.setdefault(c.opens_on, []).append(c)
    # Two till differences (长短款) to show: a short and an over.
    differences: dict[int, dict[str, int]] = {}
    differences.setdefault(days // 3, {})["teller02"] = -5_000
    differences.setdefault(2 * days // 3, {})["teller21"] = 10_000
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=console, disable=console is None) as progress:
        day_task = progress.add_task("business days", total=days)
        customer_task = progress.add_task("customers", total=customers)
        for d in range(days):
            planner.day = d
            planner.plan_day(arrivals.get(d, []), differences.get(d, {}))
            ops, planner.ops = planner.ops, []
            for i in range(0, len(ops), CHUNK):
                chunk = ops[i : i + CHUNK]
                bank.run(_run_ops, [op for _w, op in chunk])
                progress.advance(customer_task, sum(w for w, _op in chunk))
            progress.advance(day_task)
    counts = bank.run(_count, readonly=True)
    if console is not None:
        table = Table(title=f"demo staff (development only) — password for all: {DEMO_PASSWORD}")
        for col in ("username", "role", "branch", "name"):
            table.add_column(col)
        for row in STAFF:
            table.add_row(*row)
        console.print(table)
    return (
        f"2 branches, {len(STAFF)} staff (password {DEMO_PASSWORD}), {counts['customers']} customers, "
        f"{counts['accounts']} accounts, {days} days, {counts['entries']} entries"
    )
