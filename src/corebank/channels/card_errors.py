"""Errors of debit cards, PIN blocks and ATM/POS terminals."""

from __future__ import annotations

from corebank.kernel.errors import BusinessRuleViolation, Conflict, InvalidRequest, NotFound


class PinBlockInvalid(InvalidRequest):
    """The PIN block does not decrypt to an ISO 9564 format-0 block for this PAN (wrong key, PAN or format)."""

    code = "PIN_BLOCK_INVALID"
    title = "The PIN block is not valid"


class PinFormatInvalid(InvalidRequest):
    code = "PIN_FORMAT_INVALID"
    title = "A card PIN is six digits"


class PinTooWeak(InvalidRequest):
    """000000, 123456, one digit six times, or a plain run up or down: too easy to guess."""

    code = "PIN_TOO_WEAK"
    title = "This PIN is too easy to guess; choose another"


class PinWrong(BusinessRuleViolation):
    """A wrong PIN; the try counts (three in a business day lock the card until the next day)."""

    code = "PIN_WRONG"
    title = "The PIN is wrong"


class PinLocked(BusinessRuleViolation):
    code = "PIN_LOCKED"
    title = "Too many wrong PINs today: the card is locked until the next business day"


class CardNotFound(NotFound):
    code = "CARD_NOT_FOUND"
    title = "No such card"


class CardNotIssuable(BusinessRuleViolation):
    """Cards are issued only on an active personal demand-deposit account in CNY."""

    code = "CARD_NOT_ISSUABLE"
    title = "A debit card cannot be issued on this account"


class CardStateInvalid(Conflict):
    """The card's status does not allow this (activating a lost card, replacing an active one, ...)."""

    code = "CARD_STATE_INVALID"
    title = "The card's status does not allow this"


class CardExpired(BusinessRuleViolation):
    code = "CARD_EXPIRED"
    title = "The card has expired"


class TerminalExists(Conflict):
    code = "TERMINAL_EXISTS"
    title = "A terminal with this id is already registered"


class TerminalNotFound(NotFound):
    code = "TERMINAL_NOT_FOUND"
    title = "No such terminal"


class TerminalKeyInvalid(InvalidRequest):
    code = "TERMINAL_KEY_INVALID"
    title = "A terminal PIN key is a double- or triple-length TDES key: 32 or 48 hex characters"


class TerminalNotAtm(BusinessRuleViolation):
    code = "TERMINAL_NOT_ATM"
    title = "Only an ATM holds cash"
