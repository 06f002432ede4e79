"""Small helpers shared by the message builders and parsers: elements, amounts, dates, parties."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from functools import lru_cache

from lxml import etree

from corebank.iso20022.errors import XML_AMOUNT, XML_UNSUPPORTED, Iso20022Error
from corebank.kernel.money import MINOR_UNITS

# Domestic clearing: participants are named by their 12-digit bank code under the CNAPS clearing system.
CLEARING_SYSTEM = "CNAPS"
CLEARING_BANK_CODE = "000000000000"
# Text limits of the ISO data types we write.
MAX35 = 35
MAX70 = 70
MAX105 = 105
MAX140 = 140
MAX500 = 500


def document(name_ns: str) -> etree._Element:
    """A new root `Document` element in namespace `name_ns` (the default namespace)."""
    return etree.Element(f"{{{name_ns}}}Document", nsmap={None: name_ns})


def sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    """Append child `tag` (in the parent's namespace) with optional text and attributes."""
    ns = etree.QName(parent).namespace
    child = etree.SubElement(parent, f"{{{ns}}}{tag}" if ns else tag, attrib)
    if text is not None:
        child.text = text
    return child


@lru_cache(maxsize=1024)
def path_of(tag: str, path: str) -> str:
    """Turn "A/B/C" into the Clark-notation path lxml's find() understands, in the namespace of `tag`."""
    ns = tag[1 : tag.index("}")] if tag.startswith("{") else ""
    return "/".join(f"{{{ns}}}{part}" if ns else part for part in path.split("/"))


def find(el: etree._Element | None, path: str) -> etree._Element | None:
    """The first element at `path` below `el` (in el's namespace), or None."""
    if el is None:
        return None
    return el.find(path_of(el.tag, path))


def findall(el: etree._Element, path: str) -> list[etree._Element]:
    """Every element at `path` below `el`."""
    return list(el.iterfind(path_of(el.tag, path)))


def text(el: etree._Element | None, path: str, default: str = "") -> str:
    """The text at `path` below `el`, or `default` when absent."""
    found = find(el, path)
    return found.text or default if found is not None else default


def places(currency: str) -> int:
    """Decimal places written for `currency` (two for CNY; two for a currency the kernel does not list)."""
    return MINOR_UNITS.get(currency, 2)


def amount_text(amount: Decimal, currency: str) -> str:
    """`amount` as ISO text with exactly the currency's decimals ("100.00" for CNY); refuse what would
    change on the way (negative, more decimals than the currency has, not a number)."""
    if isinstance(amount, float | bool) or not isinstance(amount, Decimal | int):
        raise Iso20022Error(XML_AMOUNT, f"amount {amount!r} must be a Decimal")
    value = Decimal(amount)
    if not value.is_finite() or value < 0:
        raise Iso20022Error(XML_AMOUNT, f"amount {amount} must be a finite, non-negative number")
    quantum = Decimal(1).scaleb(-places(currency))
    written = value.quantize(quantum)
    if written != value:
        raise Iso20022Error(XML_AMOUNT, f"amount {amount} has more decimals than {currency} allows")
    return f"{written:f}"


def add_amount(parent: etree._Element, tag: str, amount: Decimal, currency: str) -> etree._Element:
    """Append an amount element with its Ccy attribute."""
    return sub(parent, tag, amount_text(amount, currency), Ccy=currency)


def read_amount(el: etree._Element | None, path: str) -> tuple[Decimal, str]:
    """(amount, currency) of the amount element at `path`."""
    found = find(el, path)
    if found is None:
        raise Iso20022Error(XML_UNSUPPORTED, f"missing amount {path}")
    return decimal_of(found.text or ""), found.get("Ccy", "")


def decimal_of(raw: str) -> Decimal:
    """A schema-valid decimal text as Decimal."""
    try:
        return Decimal(raw.strip())
    except InvalidOperation:
        raise Iso20022Error(XML_UNSUPPORTED, f"{raw!r} is not a decimal number") from None


def datetime_text(value: datetime) -> str:
    """ISODateTime text for `value`."""
    return value.isoformat()


def read_datetime(raw: str) -> datetime:
    """Parse an ISODateTime (a trailing Z is read as UTC)."""
    try:
        return datetime.fromisoformat(raw.strip())
    except ValueError:
        raise Iso20022Error(XML_UNSUPPORTED, f"{raw!r} is not a date and time we can read") from None


def read_date(raw: str) -> date:
    """Parse an ISODate."""
    try:
        return date.fromisoformat(raw.strip()[:10])
    except ValueError:
        raise Iso20022Error(XML_UNSUPPORTED, f"{raw!r} is not a date we can read") from None


def add_party_name(parent: etree._Element, tag: str, name: str) -> etree._Element:
    """Append a PartyIdentification135 with the name (omitted when empty: the schema allows that)."""
    party = sub(parent, tag)
    if name:
        sub(party, "Nm", name)
    return party


def add_account(parent: etree._Element, tag: str, number: str) -> etree._Element | None:
    """Append a cash account identified the domestic way, Id/Othr/Id; nothing when the number is empty."""
    if not number:
        return None
    acct = sub(parent, tag)
    sub(sub(sub(acct, "Id"), "Othr"), "Id", number)
    return acct


def read_account(el: etree._Element | None, tag: str) -> str:
    """The account number under `tag` (Othr/Id, or an IBAN if one was sent)."""
    return text(el, f"{tag}/Id/Othr/Id") or text(el, f"{tag}/Id/IBAN")


def add_agent(parent: etree._Element, tag: str, bank_code: str) -> etree._Element:
    """Append a financial institution named by its bank code under CNAPS (empty FinInstnId if no code)."""
    agent = sub(parent, tag)
    fin = sub(agent, "FinInstnId")
    if bank_code:
        member = sub(fin, "ClrSysMmbId")
        sub(sub(member, "ClrSysId"), "Cd", CLEARING_SYSTEM)
        sub(member, "MmbId", bank_code)
    return agent


def read_agent(el: etree._Element | None, tag: str) -> str:
    """The bank code of the agent under `tag` ("" when absent)."""
    return text(el, f"{tag}/FinInstnId/ClrSysMmbId/MmbId")


def chunks(value: str, size: int) -> list[str]:
    """Split a long text into pieces a repeated MaxNText element can hold."""
    return [value[i : i + size] for i in range(0, len(value), size)]
