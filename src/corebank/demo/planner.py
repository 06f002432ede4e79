"""Plans each demo business day as a list of service calls, keeping its own model of the bank so
that every command it asks for is one the rules allow."""

from __future__ import annotations

import random
from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

from corebank import accounts, operations, payments, tellers
from corebank.accounts import AccountOpen, CashOperation, FreezeRequest, HoldRequest, UnfreezeRequest
from corebank.config import Settings
from corebank.customers import CustomerUpdate
from corebank.customers import open_customer as _open_customer
from corebank.customers import update_customer as _update_customer
from corebank.db.uow import UnitOfWork
from corebank.demo.common import (
    B2B_MEMOS,
    BRANCH,
    CLASSES,
    CNY,
    HEAD,
    OPENING_TILL,
    P2P_MEMOS,
    SHOP_MEMOS,
    TELLERS,
    Op,
)
from corebank.demo.people import (
    _Account,
    _cents,
    _Customer,
    _People,
    _text,
    _yuan,
)
from corebank.kernel.money import Money
from corebank.payments import ReversalRequest, TransferCreate
from corebank.security import Actor

# ---------------------------------------------------------------- the planner

_Lift = tuple[_Account, int, bool, Op]  # account, held released, full freeze lifted, the command


class _Planner:
    """Plans each business day as a list of service calls, updating its model of the bank as it goes."""

    def __init__(
        self,
        rng: random.Random,
        staff: dict[str, Actor],
        settings: Settings,
        start: date,
        volume: float,  # float ok: a scale factor
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
