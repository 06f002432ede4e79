"""Customer use cases: open, find, search, update with history."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from corebank.customers import rules
from corebank.customers.errors import (
    CustomerExists,
    CustomerNotActive,
    CustomerNotFound,
    InvalidIdNumber,
    InvalidPhone,
)
from corebank.customers.models import Customer, CustomerChange
from corebank.customers.schemas import (
    CustomerChangeRead,
    CustomerCreate,
    CustomerRead,
    CustomerRef,
    CustomerUpdate,
)
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import luhn_valid, with_luhn
from corebank.security import Actor, P, cipher_for, mask


def _read(c: Customer) -> CustomerRead:
    return CustomerRead(
        number=c.number,
        type=c.type,
        name=c.name,
        id_type=c.id_type,
        id_number_masked=c.id_masked,
        phone_masked=c.phone_masked,
        birth_date=c.birth_date,
        gender=c.gender,
        address=c.address,
        occupation=c.occupation,
        legal_representative=c.legal_representative,
        risk_level=c.risk_level,
        status=c.status,
        home_branch=c.home_branch,
        version=c.version,
        created_at=c.created_at,
        updated_at=c.updated_at,
    )


def _check_phone(phone: str | None) -> str | None:
    if phone is None or not phone.strip():
        return None
    phone = phone.replace(" ", "")
    problem = rules.phone_problem(phone)
    if problem:
        raise InvalidPhone(problem)
    return phone


def open_customer(uow: UnitOfWork, actor: Actor, cmd: CustomerCreate) -> CustomerRead:
    """Register a customer. One customer per ID document: a second attempt is refused naming the first."""
    actor.require(P.CUSTOMER_WRITE)
    allowed = rules.INDIVIDUAL_ID_TYPES if cmd.type == "individual" else rules.CORPORATE_ID_TYPES
    if cmd.id_type not in allowed:
        raise InvalidIdNumber(f"a {cmd.type} customer is identified by {' or '.join(allowed)}")
    id_number = rules.normalize_id(cmd.id_type, cmd.id_number)
    problem = rules.id_problem(cmd.id_type, id_number)
    if problem:
        raise InvalidIdNumber(problem)
    phone = _check_phone(cmd.phone)
    if cmd.type == "individual" and cmd.id_type == "resident_id" and not phone:
        raise InvalidPhone("an individual customer needs a phone number")
    name = cmd.name.strip()
    if not name:
        raise InvalidRequest("the customer's name is empty")
    cipher = cipher_for(uow.settings)
    id_hash = cipher.index(id_number)
    existing = uow.session.execute(
        select(Customer.number).where(Customer.id_type == cmd.id_type, Customer.id_hash == id_hash)
    ).scalar()
    if existing:
        raise CustomerExists(
            f"customer {existing} already holds this {cmd.id_type}", customer_number=existing
        )
    birth, gender = cmd.birth_date, None
    if cmd.id_type == "resident_id":
        birth, gender = rules.birth_date_and_gender(id_number)
    number = with_luhn(f"8{next_number(uow, 'customer'):08d}")
    c = Customer(
        number=number,
        type=cmd.type,
        name=name,
        id_type=cmd.id_type,
        id_cipher=cipher.encrypt(id_number),
        id_hash=id_hash,
        id_masked=mask(id_number, 3, 4),
        phone_cipher=cipher.encrypt(phone) if phone else None,
        phone_hash=cipher.index(phone) if phone else None,
        phone_masked=mask(phone, 3, 4) if phone else None,
        birth_date=birth,
        gender=gender,
        address=cmd.address,
        occupation=cmd.occupation,
        legal_representative=cmd.legal_representative,
        risk_level=cmd.risk_level,
        status="active",
        home_branch=actor.branch_code,
        version=1,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(c)
    uow.session.flush()
    uow.audit(actor, "customer.open", "customer", number, type=cmd.type, id_type=cmd.id_type)
    uow.publish(Event("CustomerOpened", "customer", number, {"type": cmd.type, "branch": actor.branch_code}))
    return _read(c)


def _load(uow: UnitOfWork, number: str) -> Customer:
    c = uow.session.execute(select(Customer).where(Customer.number == number)).scalar()
    if c is None:
        raise CustomerNotFound(f"no customer {number}")
    return c


def get_customer(uow: UnitOfWork, actor: Actor, number: str) -> CustomerRead:
    """One customer by number (customers are bank-wide: one customer, all branches)."""
    actor.require(P.CUSTOMER_READ)
    return _read(_load(uow, number))


def reveal_id_number(uow: UnitOfWork, actor: Actor, number: str) -> str:
    """The full ID number, decrypted for a permitted reader; the look is audited."""
    actor.require(P.CUSTOMER_WRITE)
    c = _load(uow, number)
    uow.audit(actor, "customer.reveal_id", "customer", number)
    return cipher_for(uow.settings).decrypt(c.id_cipher)


def search_customers(
    uow: UnitOfWork, actor: Actor, query: str, *, limit: int = 20, after_number: str | None = None
) -> list[CustomerRead]:
    """Find customers by customer number, ID number, phone (exact, through the keyed hash) or name (prefix)."""
    actor.require(P.CUSTOMER_READ)
    q = query.strip()
    if not q:
        raise InvalidRequest("say what to search for: a name, customer number, phone or ID number")
    cipher = cipher_for(uow.settings)
    h = cipher.index(rules.normalize_id("", q))
    conds = [
        Customer.id_hash == h,
        Customer.phone_hash == cipher.index(q.replace(" ", "")),
        Customer.name.startswith(q, autoescape=True),
    ]
    if luhn_valid(q):
        conds.append(Customer.number == q)
    stmt = select(Customer).where(or_(*conds))
    if after_number:
        stmt = stmt.where(Customer.number > after_number)
    rows = uow.session.execute(stmt.order_by(Customer.number).limit(min(limit, 200))).scalars()
    return [_read(c) for c in rows]


def update_customer(uow: UnitOfWork, actor: Actor, number: str, cmd: CustomerUpdate) -> CustomerRead:
    """Change a customer's data; every change is kept in the customer's history and audited."""
    actor.require(P.CUSTOMER_WRITE)
    c = _load(uow, number)
    changes: dict[str, list[Any]] = {}
    data = cmd.model_dump(exclude_unset=True)
    if "phone" in data:
        phone = _check_phone(data.pop("phone"))
        if (phone and c.phone_hash != cipher_for(uow.settings).index(phone)) or (not phone and c.phone_hash):
            cipher = cipher_for(uow.settings)
            changes["phone"] = [c.phone_masked, mask(phone, 3, 4) if phone else None]
            c.phone_cipher = cipher.encrypt(phone) if phone else None
            c.phone_hash = cipher.index(phone) if phone else None
            c.phone_masked = mask(phone, 3, 4) if phone else None
    for field, value in data.items():
        if value is None:
            continue
        if field == "name":
            value = value.strip()
        if getattr(c, field) != value:
            changes[field] = [getattr(c, field), value]
            setattr(c, field, value)
    if not changes:
        return _read(c)
    c.version += 1
    c.updated_at = uow.now
    uow.session.add(
        CustomerChange(
            customer_id=c.id,
            version=c.version,
            changed_by=actor.username,
            changed_at=uow.now,
            changes=changes,
        )
    )
    uow.audit(actor, "customer.update", "customer", number, fields=sorted(changes))
    uow.publish(Event("CustomerUpdated", "customer", number, {"fields": sorted(changes)}))
    return _read(c)


def customer_history(uow: UnitOfWork, actor: Actor, number: str) -> list[CustomerChangeRead]:
    """Every change to a customer's data, oldest first."""
    actor.require(P.CUSTOMER_READ)
    c = _load(uow, number)
    rows = uow.session.execute(
        select(CustomerChange).where(CustomerChange.customer_id == c.id).order_by(CustomerChange.version)
    ).scalars()
    return [
        CustomerChangeRead(
            version=r.version,
            changed_by=r.changed_by,
            changed_at=r.changed_at,
            changes={k: [None if x is None else str(x) for x in v] for k, v in r.changes.items()},
        )
        for r in rows
    ]


def customer_ref(uow: UnitOfWork, number: str, *, must_be_active: bool = True) -> CustomerRef:
    """The customer behind `number`, for other areas (opening accounts)."""
    c = _load(uow, number)
    if must_be_active and c.status != "active":
        raise CustomerNotActive(f"customer {number} is {c.status}")
    return CustomerRef(
        id=c.id, number=c.number, type=c.type, name=c.name, status=c.status, home_branch=c.home_branch
    )


def customer_names(uow: UnitOfWork, ids: list[int]) -> dict[int, tuple[str, str]]:
    """(number, name) of customers by internal id."""
    if not ids:
        return {}
    rows = uow.session.execute(
        select(Customer.id, Customer.number, Customer.name).where(Customer.id.in_(ids))
    )
    return {r.id: (r.number, r.name) for r in rows}
