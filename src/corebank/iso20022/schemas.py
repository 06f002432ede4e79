"""The six ISO 20022 schemas this bank speaks, loaded once, and the safe way to read a document.

Documents come from outside (clearing, customers' bulk files), so the parser refuses DTDs, entity
expansion and network access: a billion-laughs file or an XXE probe fails as XML_MALFORMED.
"""

from __future__ import annotations

import threading
from pathlib import Path

from lxml import etree

from corebank.iso20022.errors import (
    XML_MALFORMED,
    XML_SCHEMA_INVALID,
    XML_UNKNOWN_MESSAGE,
    XML_WRONG_MESSAGE,
    Iso20022Error,
)

XSD_DIR = Path(__file__).parent / "xsd"
NS_PREFIX = "urn:iso:std:iso:20022:tech:xsd:"

PACS008 = "pacs.008.001.09"
PACS002 = "pacs.002.001.11"
PACS004 = "pacs.004.001.10"
PAIN001 = "pain.001.001.09"
CAMT053 = "camt.053.001.08"
CAMT054 = "camt.054.001.08"
MESSAGES = (PACS008, PACS002, PACS004, PAIN001, CAMT053, CAMT054)

# At most this many schema errors are reported: a broken 100,000-line file must not make a huge answer.
MAX_ERRORS = 20

# Compiled schemas are kept per thread: an lxml validator collects its errors in its own log, so two threads
# validating with one object would read each other's errors.
_local = threading.local()
_documents: dict[str, etree._ElementTree] = {}


def namespace(name: str) -> str:
    """The XML namespace of message `name`, e.g. urn:iso:std:iso:20022:tech:xsd:pacs.008.001.09."""
    return NS_PREFIX + name


def xsd_path(name: str) -> Path:
    """Path of the XSD file of message `name`."""
    return XSD_DIR / f"{name}.xsd"


def fresh_schema(name: str) -> etree.XMLSchema:
    """A newly compiled schema of message `name` (a few milliseconds), with an empty error log: for
    streaming validation, whose errors accumulate in the validator's log."""
    if name not in MESSAGES:
        raise Iso20022Error(XML_UNKNOWN_MESSAGE, f"no schema for message {name!r}")
    doc = _documents.get(name)
    if doc is None:
        doc = _documents.setdefault(name, etree.parse(str(xsd_path(name)), parser=safe_parser()))
    return etree.XMLSchema(doc)


def schema(name: str) -> etree.XMLSchema:
    """The compiled schema of message `name` for this thread (compiled on first use)."""
    cache: dict[str, etree.XMLSchema] | None = getattr(_local, "schemas", None)
    if cache is None:
        cache = _local.schemas = {}
    found = cache.get(name)
    if found is None:
        found = cache[name] = fresh_schema(name)
    return found


def safe_parser() -> etree.XMLParser:
    """A parser that never expands entities, loads DTDs or touches the network."""
    return etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, dtd_validation=False, huge_tree=False
    )


def parse_document(xml: bytes) -> etree._Element:
    """Parse `xml` into its root element; XML_MALFORMED if it is not well-formed or carries a DTD."""
    if not isinstance(xml, bytes | bytearray):
        raise Iso20022Error(XML_MALFORMED, "an ISO 20022 document must be given as bytes")
    try:
        tree = etree.fromstring(bytes(xml), parser=safe_parser()).getroottree()
    except etree.XMLSyntaxError as exc:
        raise Iso20022Error(XML_MALFORMED, f"not well-formed XML: {exc}", [str(exc)]) from None
    if tree.docinfo.doctype:
        raise Iso20022Error(XML_MALFORMED, "documents with a DTD are refused")
    return tree.getroot()


def name_of_root(root: etree._Element) -> str:
    """The message name from the root element's namespace; XML_UNKNOWN_MESSAGE if it is not ours."""
    ns = etree.QName(root).namespace or ""
    name = ns[len(NS_PREFIX) :] if ns.startswith(NS_PREFIX) else ""
    if name not in MESSAGES or etree.QName(root).localname != "Document":
        raise Iso20022Error(
            XML_UNKNOWN_MESSAGE, f"not an ISO 20022 message this bank reads (root {root.tag!r})"
        )
    return name


def message_name(xml: bytes) -> str:
    """Which message `xml` is, e.g. "pacs.008.001.09" (read from the root namespace, not validated)."""
    return name_of_root(parse_document(xml))


def check_valid(root: etree._Element, name: str) -> None:
    """Raise XML_SCHEMA_INVALID (with the first errors, line numbers included) unless `root` is valid."""
    xsd = schema(name)
    if not xsd.validate(root):
        errors = [f"line {e.line}: {e.message}" for e in list(xsd.error_log)[:MAX_ERRORS]]
        raise Iso20022Error(XML_SCHEMA_INVALID, f"the document is not a valid {name}", errors)


def validate(xml: bytes) -> str:
    """Check `xml` against the XSD of the message it claims to be; return that message's name."""
    root = parse_document(xml)
    name = name_of_root(root)
    check_valid(root, name)
    return name


def load(xml: bytes, expected: str) -> etree._Element:
    """Parse and validate a document that must be message `expected`; return its root."""
    root = parse_document(xml)
    name = name_of_root(root)
    if name != expected:
        raise Iso20022Error(XML_WRONG_MESSAGE, f"expected a {expected} document, got a {name}")
    check_valid(root, name)
    return root


def serialize(root: etree._Element) -> bytes:
    """The document as UTF-8 bytes with an XML declaration."""
    return bytes(etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True))
