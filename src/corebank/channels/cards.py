"""Debit cards (借记卡): issue on a personal demand account, activate, change or reset the PIN, report lost,
replace, close; and the two questions the ATM/POS switch asks: whose card is this PAN, and is this PIN right.

The PAN is stored only encrypted with the field cipher and found by its keyed hash; it is shown in full once,
in the answer to issuing the card. The PIN is stored only as an HMAC-SHA256 under a key derived from the bank's
hash key and the card's PAN, so the same PIN on two cards hashes differently and the table alone reveals
nothing. Wrong PINs count per business day: `pin_tries_per_day` of them lock the card until the next day.
"""

from __future__ import annotations

import calendar
import hashlib
import hmac
from datetime import date

from sqlalchemy import case, select, update

from corebank import accounts, customers
from corebank.accounts import PostingAccount
from corebank.channels import registry
from corebank.channels.card_errors import (
    CardExpired,
    CardNotFound,
    CardNotIssuable,
    CardStateInvalid,
    PinBlockInvalid,
    PinFormatInvalid,
    PinLocked,
    PinTooWeak,
    PinWrong,
)
from corebank.channels.card_models import Card
from corebank.channels.card_schemas import (
    CardCheck,
    CardIssue,
    CardIssued,
    CardRead,
    CardReplace,
    PinChange,
    PinOutcome,
    PinReset,
)
from corebank.channels.errors import NotYours
from corebank.channels.pin import decrypt_pin
from corebank.db.base import table_of
from corebank.db.fastsql import FastSQL
from corebank.db.sequences import next_number
from corebank.db.uow import UnitOfWork
from corebank.kernel.errors import InvalidRequest
from corebank.kernel.events import Event
from corebank.kernel.ids import luhn_valid, with_luhn
from corebank.ledger import chart
from corebank.security import Actor, P, cipher_for

PIN_LENGTH = 6
PAN_SEQUENCE = "card_pan"
_cards = table_of(Card)
# The switch speaks for itself in the audit trail when it counts a wrong PIN.
SWITCH = Actor("card-switch", None, (), "0001", "atm")


# ---- PINs and PANs ---------------------------------------------------------------------------------------


def check_pin_strength(pin: str) -> None:
    """Refuse a PIN that is not six digits (PIN_FORMAT_INVALID) or is trivial (PIN_TOO_WEAK): one digit six
    times, or a plain run up or down such as 123456 or 987654."""
    if not (isinstance(pin, str) and pin.isascii() and pin.isdigit() and len(pin) == PIN_LENGTH):
        raise PinFormatInvalid(f"a card PIN is {PIN_LENGTH} digits")
    if len(set(pin)) == 1 or pin in "0123456789" or pin in "9876543210":
        raise PinTooWeak()


def _pin_hash(uow: UnitOfWork, pan: str, pin: str) -> str:
    # The key is bound to the card (its PAN, never reused), so equal PINs on two cards do not hash alike.
    card_key = hmac.new(bytes.fromhex(uow.settings.hash_key), f"card-pin:{pan}".encode(), hashlib.sha256)
    return hmac.new(card_key.digest(), pin.encode(), hashlib.sha256).hexdigest()


def _pin_matches(uow: UnitOfWork, pan: str, pin: str, stored: str) -> bool:
    return hmac.compare_digest(_pin_hash(uow, pan, pin), stored)


def mask_pan(pan: str) -> str:
    """The first six and last four digits of a PAN, the rest starred (as printed on receipts)."""
    return pan[:6] + "*" * (len(pan) - 10) + pan[-4:]


def _new_pan(uow: UnitOfWork) -> str:
    s = uow.settings
    length, bin_ = int(s.card_pan_length), str(s.card_bin)
    if not 16 <= length <= 19 or not bin_.startswith("62") or not bin_.isdigit():
        raise InvalidRequest("card_bin must start with 62 and card_pan_length be 16 to 19")
    width = length - len(bin_) - 1
    seq = next_number(uow, PAN_SEQUENCE)
    if seq >= 10**width:
        raise CardNotIssuable(f"the card numbers under BIN {bin_} are used up")
    # The sequence is the bank's own, independent of accounts, and never goes back: a PAN is never reused.
    return with_luhn(f"{bin_}{seq:0{width}d}")


def _expiry(on: date, years: int) -> date:
    y = on.year + years
    return date(y, on.month, calendar.monthrange(y, on.month)[1])


def _status(card: Card, today: date) -> str:
    if card.status in ("issued", "active") and card.expiry < today:
        return "expired"
    return card.status


def _locked(uow: UnitOfWork, card: Card) -> bool:
    return card.pin_tries_day == uow.business_date and card.pin_tries >= int(uow.settings.pin_tries_per_day)


def _read(uow: UnitOfWork, card: Card, customer_number: str | None = None) -> CardRead:
    if customer_number is None:
        customer_number = customers.customer_names(uow, [card.customer_id]).get(card.customer_id, ("", ""))[0]
    return CardRead(
        id=card.id,
        pan_masked=card.pan_masked,
        account_number=card.account_number,
        customer_number=customer_number,
        expiry=card.expiry.strftime("%Y-%m"),
        status=_status(card, uow.business_date),
        pin_locked=_locked(uow, card),
        replaced_by=card.replaced_by,
        issued_by=card.issued_by,
        created_at=card.created_at,
        updated_at=card.updated_at,
    )


def _pan_of(uow: UnitOfWork, card: Card) -> str:
    return cipher_for(uow.settings).decrypt(card.pan_cipher)


# ---- loading, with the actor's right to the card -------------------------------------------------------


def _load(uow: UnitOfWork, card_id: int, *, for_update: bool = False) -> Card:
    q = select(Card).where(Card.id == card_id)
    if for_update:
        q = q.with_for_update()
    card = uow.session.execute(q).scalar()
    if card is None:
        raise CardNotFound(f"no card {card_id}")
    return card


def _staff_card(uow: UnitOfWork, actor: Actor, card_id: int, *, for_update: bool = False) -> Card:
    actor.require(P.CARD_OPERATE)
    card = _load(uow, card_id, for_update=for_update)
    acc = accounts.load_for_posting(uow, [card.account_number])[card.account_number]
    actor.require_branch(acc.branch_code)
    return card


def _own_card(uow: UnitOfWork, actor: Actor, card_id: int, *, for_update: bool = False) -> Card:
    if actor.customer_id is None:
        raise NotYours()
    registry.require_open(uow, actor.channel, "card")
    q = select(Card).where(Card.id == card_id, Card.customer_id == actor.customer_id)
    if for_update:
        q = q.with_for_update()
    card = uow.session.execute(q).scalar()
    if card is None:
        # Someone else's card, or none at all: the same answer either way.
        raise NotYours(f"no card {card_id}")
    return card


def _touch(uow: UnitOfWork, card: Card, **values: object) -> None:
    for k, v in values.items():
        setattr(card, k, v)
    card.updated_at = uow.now


# ---- issue ------------------------------------------------------------------------------------------------


def _issue(uow: UnitOfWork, actor: Actor, acc: accounts.PostingAccount, pin: str) -> tuple[Card, str]:
    pan = _new_pan(uow)
    cipher = cipher_for(uow.settings)
    card = Card(
        pan_cipher=cipher.encrypt(pan),
        pan_hash=cipher.index(pan),
        pan_masked=mask_pan(pan),
        account_id=acc.id,
        account_number=acc.number,
        customer_id=acc.customer_id,
        expiry=_expiry(uow.business_date, int(uow.settings.card_valid_years)),
        status="issued",
        pin_hash=_pin_hash(uow, pan, pin),
        pin_tries=0,
        pin_tries_day=None,
        replaced_by=None,
        issued_by=actor.username,
        created_at=uow.now,
        updated_at=uow.now,
    )
    uow.session.add(card)
    uow.session.flush()
    return card, pan


def _issued(card: Card, pan: str) -> CardIssued:
    return CardIssued(
        card_id=card.id,
        pan=pan,
        pan_masked=card.pan_masked,
        account_number=card.account_number,
        expiry=card.expiry.strftime("%Y-%m"),
        status=card.status,
    )


def issue_card(uow: UnitOfWork, actor: Actor, cmd: CardIssue) -> CardIssued:
    """Issue a debit card on an active personal demand account in CNY, with the PIN the holder chose; the
    card starts `issued` and works once activated. The answer is the only place the full PAN is shown."""
    actor.require(P.CARD_OPERATE)
    check_pin_strength(cmd.pin)
    acc = accounts.load_for_posting(uow, [cmd.account_number])[cmd.account_number]
    actor.require_branch(acc.branch_code)
    if acc.gl_code != chart.DEMAND_DEPOSITS:
        raise CardNotIssuable(f"account {acc.number} is not a personal demand deposit account")
    if acc.currency != "CNY":
        raise CardNotIssuable(f"account {acc.number} is in {acc.currency}; debit cards draw on CNY accounts")
    if acc.status != "active":
        raise CardNotIssuable(f"account {acc.number} is {acc.status}")
    number = customers.customer_names(uow, [acc.customer_id])[acc.customer_id][0]
    if customers.customer_ref(uow, number, must_be_active=False).type != "individual":
        raise CardNotIssuable("debit cards are issued on personal accounts only")
    card, pan = _issue(uow, actor, acc, cmd.pin)
    uow.audit(actor, "card.issue", "card", card.id, account=acc.number, pan=card.pan_masked)
    uow.publish(Event("CardIssued", "card", str(card.id), {"account": acc.number, "customer": number}))
    return _issued(card, pan)


# ---- state changes ----------------------------------------------------------------------------------------


def _activate(uow: UnitOfWork, actor: Actor, card: Card) -> CardRead:
    if card.status != "issued":
        raise CardStateInvalid(f"card {card.id} is {card.status}; only an issued card is activated")
    if card.expiry < uow.business_date:
        raise CardExpired(f"card {card.id} expired at the end of {card.expiry:%Y-%m}")
    _touch(uow, card, status="active")
    uow.audit(actor, "card.activate", "card", card.id, pan=card.pan_masked)
    return _read(uow, card)


def activate_card(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """Activate an issued card at the counter."""
    return _activate(uow, actor, _staff_card(uow, actor, card_id, for_update=True))


def activate_my_card(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """The holder activates their own issued card on an e-channel."""
    return _activate(uow, actor, _own_card(uow, actor, card_id, for_update=True))


def _report_lost(uow: UnitOfWork, actor: Actor, card: Card) -> CardRead:
    if card.status not in ("issued", "active"):
        raise CardStateInvalid(f"card {card.id} is {card.status}; it cannot be reported lost")
    _touch(uow, card, status="lost")
    uow.audit(actor, "card.loss", "card", card.id, pan=card.pan_masked)
    uow.publish(Event("CardReportedLost", "card", str(card.id), {"account": card.account_number}))
    return _read(uow, card)


def report_lost(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """Report a card lost (挂失) at the counter: it stops working at once."""
    return _report_lost(uow, actor, _staff_card(uow, actor, card_id, for_update=True))


def report_my_card_lost(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """The holder reports their own card lost on an e-channel: it stops working at once."""
    return _report_lost(uow, actor, _own_card(uow, actor, card_id, for_update=True))


def replace_card(uow: UnitOfWork, actor: Actor, card_id: int, cmd: CardReplace) -> CardIssued:
    """Replace (补卡) a card reported lost, or a damaged one the holder hands in: a new PAN on the same
    account with the PIN set at the counter; the old card becomes `replaced` and never works again."""
    check_pin_strength(cmd.pin)
    old = _staff_card(uow, actor, card_id, for_update=True)
    if cmd.reason == "lost" and old.status != "lost":
        raise CardStateInvalid(f"card {old.id} is {old.status}; report it lost before replacing it as lost")
    if cmd.reason == "damaged" and old.status not in ("issued", "active"):
        raise CardStateInvalid(f"card {old.id} is {old.status}; it cannot be replaced as damaged")
    acc = accounts.load_for_posting(uow, [old.account_number])[old.account_number]
    if acc.status == "closed":
        raise CardNotIssuable(f"account {acc.number} is closed")
    new, pan = _issue(uow, actor, acc, cmd.pin)
    _touch(uow, old, status="replaced", replaced_by=new.id)
    uow.audit(actor, "card.replace", "card", old.id, reason=cmd.reason, new_card=new.id, pan=new.pan_masked)
    uow.publish(Event("CardReplaced", "card", str(old.id), {"new_card": new.id, "account": acc.number}))
    return _issued(new, pan)


def close_card(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """Close (销卡) a card for good; the account stays open."""
    card = _staff_card(uow, actor, card_id, for_update=True)
    if card.status in ("replaced", "closed"):
        raise CardStateInvalid(f"card {card.id} is already {card.status}")
    _touch(uow, card, status="closed")
    uow.audit(actor, "card.close", "card", card.id, pan=card.pan_masked)
    return _read(uow, card)


def reset_pin(uow: UnitOfWork, actor: Actor, card_id: int, cmd: PinReset) -> CardRead:
    """Set a new PIN at the counter (the holder proved who they are there); today's wrong tries are forgotten."""
    check_pin_strength(cmd.new_pin)
    card = _staff_card(uow, actor, card_id, for_update=True)
    if card.status not in ("issued", "active"):
        raise CardStateInvalid(f"card {card.id} is {card.status}")
    _touch(
        uow, card, pin_hash=_pin_hash(uow, _pan_of(uow, card), cmd.new_pin), pin_tries=0, pin_tries_day=None
    )
    uow.audit(actor, "card.pin_reset", "card", card.id, pan=card.pan_masked)
    return _read(uow, card)


def _count_wrong_pin(uow: UnitOfWork, actor: Actor, card_id: int, pan_masked: str) -> bool:
    """Count a wrong PIN against today; True when it locks the card for the rest of the day."""
    bd = uow.business_date
    today = case((_cards.c.pin_tries_day == bd, _cards.c.pin_tries), else_=0)
    tries = uow.conn.execute(
        update(_cards)
        .where(_cards.c.id == card_id)
        .values(pin_tries=today + 1, pin_tries_day=bd, updated_at=uow.now)
        .returning(_cards.c.pin_tries)
    ).scalar_one()
    locked = tries >= int(uow.settings.pin_tries_per_day)
    uow.audit(actor, "card.pin_wrong", "card", card_id, pan=pan_masked, tries=tries, locked=locked)
    return bool(locked)


def change_my_pin(uow: UnitOfWork, actor: Actor, card_id: int, cmd: PinChange) -> PinOutcome:
    """The holder changes their PIN, proving the old one. A wrong old PIN counts a try: the outcome carries
    the error, to be raised after the try is committed (PIN_WRONG, or PIN_LOCKED once the day's tries are up)."""
    check_pin_strength(cmd.new_pin)
    card = _own_card(uow, actor, card_id, for_update=True)
    if card.status != "active":
        raise CardStateInvalid(f"card {card.id} is {card.status}")
    if card.expiry < uow.business_date:
        raise CardExpired()
    if _locked(uow, card):
        raise PinLocked()
    pan = _pan_of(uow, card)
    if not _pin_matches(uow, pan, cmd.old_pin, card.pin_hash):
        locked = _count_wrong_pin(uow, actor, card.id, card.pan_masked)
        return PinOutcome(None, PinLocked() if locked else PinWrong())
    _touch(uow, card, pin_hash=_pin_hash(uow, pan, cmd.new_pin))
    uow.audit(actor, "card.pin_change", "card", card.id, pan=card.pan_masked)
    return PinOutcome(_read(uow, card), None)


# ---- reads ------------------------------------------------------------------------------------------------


def get_card(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """A card (PAN masked), if its account is within the actor's branches."""
    return _read(uow, _staff_card(uow, actor, card_id))


def cards_of_account(uow: UnitOfWork, actor: Actor, account_number: str) -> list[CardRead]:
    """Every card ever issued on an account, newest first."""
    actor.require(P.CARD_OPERATE)
    acc = accounts.load_for_posting(uow, [account_number])[account_number]
    actor.require_branch(acc.branch_code)
    rows = uow.session.execute(
        select(Card).where(Card.account_id == acc.id).order_by(Card.id.desc())
    ).scalars()
    number = customers.customer_names(uow, [acc.customer_id]).get(acc.customer_id, ("", ""))[0]
    return [_read(uow, c, number) for c in rows]


def my_cards(uow: UnitOfWork, actor: Actor) -> list[CardRead]:
    """The customer's own cards (PAN masked), newest first."""
    if actor.customer_id is None:
        return []
    registry.require_open(uow, actor.channel, "card")
    rows = uow.session.execute(
        select(Card).where(Card.customer_id == actor.customer_id).order_by(Card.id.desc())
    ).scalars()
    number = customers.customer_names(uow, [actor.customer_id]).get(actor.customer_id, ("", ""))[0]
    return [_read(uow, c, number) for c in rows]


def my_card(uow: UnitOfWork, actor: Actor, card_id: int) -> CardRead:
    """One of the customer's own cards (PAN masked); someone else's is not found."""
    return _read(uow, _own_card(uow, actor, card_id))


# ---- the switch's questions --------------------------------------------------------------------------------

# The switch's card read, run for every ATM and POS request: plain SQL on the driver's cursor (see db.fastsql).
_BY_PAN = FastSQL("""
    SELECT id, customer_id, account_id, account_number, status, expiry, pin_hash, pin_tries, pin_tries_day,
           pan_masked
      FROM cards WHERE pan_hash = :pan_hash
""")


def _date(value: object) -> date:
    # SQLite hands dates back from the driver as ISO text, PostgreSQL as dates.
    return value if isinstance(value, date) else date.fromisoformat(str(value))


def owner_of_pan(uow: UnitOfWork, pan: str) -> int | None:
    """The customer id behind an active, unexpired card with this PAN; None for any other PAN."""
    if not luhn_valid(pan):
        return None
    row = uow.conn.execute(
        select(_cards.c.customer_id, _cards.c.expiry).where(
            _cards.c.pan_hash == cipher_for(uow.settings).index(pan), _cards.c.status == "active"
        )
    ).first()
    if row is None or row.expiry < uow.business_date:
        return None
    return int(row.customer_id)


def check_pin(uow: UnitOfWork, pan: str, pin_block_hex: str, pin_key: bytes) -> CardCheck:
    """Check a card and the PIN in its encrypted format-0 PIN block (ISO 8583 field 52) under the terminal's
    PIN key; answer with an ISO 8583 response code, never raising for these outcomes. A wrong PIN (or a block
    that does not decrypt) counts a try: run this in its own unit of work so that the count commits whatever
    the transaction that follows does. The PIN is compared as a keyed hash and forgotten at once."""
    return check_pin_for_posting(uow, pan, pin_block_hex, pin_key)[0]


def check_pin_for_posting(
    uow: UnitOfWork, pan: str, pin_block_hex: str, pin_key: bytes
) -> tuple[CardCheck, PostingAccount | None]:
    """`check_pin`, and the card's account as `accounts.load_for_posting` read it for the check (None for an
    unknown or lost card): a switch that books in the same transaction need not read it again. A wrong PIN is
    counted in the caller's transaction, so that transaction must commit when the answer is 55 or 75 (return
    the answer from the unit of work; do not raise)."""
    if not (13 <= len(pan) <= 19) or not luhn_valid(pan):
        return CardCheck("14"), None
    cursor = _BY_PAN.execute(uow, {"pan_hash": cipher_for(uow.settings).index(pan)})
    r = cursor.fetchone()
    cursor.close()
    if r is None:
        return CardCheck("14"), None
    card_id, customer_id, account_id, account_number, status, expiry, pin_hash, tries, tries_day, masked = r

    def answer(code: str, acc: PostingAccount | None = None) -> tuple[CardCheck, PostingAccount | None]:
        klass = acc.account_class if acc is not None else 0
        return CardCheck(code, card_id, customer_id, account_id, account_number, klass, masked), acc

    if status == "lost":
        return answer("41")
    if status != "active":  # issued (not yet activated), replaced, closed
        return answer("57")
    # The account is read before the business date is asked for: the same query brings the date along.
    acc = accounts.load_for_posting(uow, [account_number])[account_number]
    bd = uow.business_date
    if _date(expiry) < bd:
        return answer("54", acc)
    if tries_day is not None and _date(tries_day) == bd and tries >= int(uow.settings.pin_tries_per_day):
        return answer("75", acc)
    try:
        ok = _pin_matches(uow, pan, decrypt_pin(pin_block_hex, pan, pin_key), pin_hash)
    except PinBlockInvalid:
        ok = False  # a block that does not decrypt for this card is a wrong PIN, and counts as one
    if not ok:
        return answer("75" if _count_wrong_pin(uow, SWITCH, card_id, masked) else "55", acc)
    return answer("00", acc)
