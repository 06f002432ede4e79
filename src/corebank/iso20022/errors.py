"""The one error type of the ISO 20022 package: a refused document, with a stable code and the details."""

from __future__ import annotations

from corebank.kernel.errors import InvalidRequest

XML_MALFORMED = "XML_MALFORMED"  # not well-formed XML (or a DTD/entity trick we refuse)
XML_SCHEMA_INVALID = "XML_SCHEMA_INVALID"  # well-formed but not valid against the message's XSD
XML_UNKNOWN_MESSAGE = "XML_UNKNOWN_MESSAGE"  # the root namespace is none of the messages we know
XML_WRONG_MESSAGE = "XML_WRONG_MESSAGE"  # a known message, but not the one this parser reads
XML_COUNT = "XML_COUNT"  # GrpHdr/NbOfTxs differs from the transactions in a pacs message
XML_UNSUPPORTED = "XML_UNSUPPORTED"  # valid ISO 20022, but uses something this bank does not (channel, ...)
XML_AMOUNT = "XML_AMOUNT"  # an amount a builder cannot write (negative, too many decimals for the currency)
PAIN001_COUNT = "PAIN001_COUNT"  # NbOfTxs of the group or of a PmtInf differs from its transactions
PAIN001_CONTROL_SUM = "PAIN001_CONTROL_SUM"  # CtrlSum of the group or of a PmtInf differs from the amounts
PAIN001_CURRENCY = "PAIN001_CURRENCY"  # lines in more than one currency, or an equivalent (FX) amount
PAIN001_AMOUNT = "PAIN001_AMOUNT"  # an amount with more decimals than its currency has

CODES = frozenset(
    {
        XML_MALFORMED,
        XML_SCHEMA_INVALID,
        XML_UNKNOWN_MESSAGE,
        XML_WRONG_MESSAGE,
        XML_COUNT,
        XML_UNSUPPORTED,
        XML_AMOUNT,
        PAIN001_COUNT,
        PAIN001_CONTROL_SUM,
        PAIN001_CURRENCY,
        PAIN001_AMOUNT,
    }
)


class Iso20022Error(InvalidRequest):
    """An ISO 20022 document was refused. `code` says why (see CODES); `errors` lists the details.

    One class with a per-instance code (rather than a class per code) because the callers mostly pass the
    code on unchanged: to a problem+json answer, a bulk file's status, a reject reason.
    """

    code = "XML_INVALID"
    title = "The ISO 20022 document is not acceptable"

    def __init__(self, code: str, detail: str = "", errors: list[str] | None = None) -> None:
        self.errors: list[str] = list(errors or [])
        super().__init__(detail, errors=self.errors)
        self.code = code  # type: ignore[misc]
