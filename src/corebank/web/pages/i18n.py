"""Languages of the consoles: Chinese (zh_CN, the default) and English, from Babel catalogs.

Each area keeps its own catalog, `web/i18n/<locale>/<area>.po`; the catalogs of a locale are read once and merged.
The msgids are the English text, so English needs no catalog. The request's locale lives in a context variable
that `_` and the Jinja i18n extension read, so one template renders in either language.
"""

from __future__ import annotations

import contextvars
import functools
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LOCALES = ("zh_CN", "en")
DEFAULT = "zh_CN"
CATALOGS = Path(__file__).resolve().parent.parent / "i18n"
LANGUAGE_NAMES = {"zh_CN": "中文", "en": "English"}

_locale: contextvars.ContextVar[str] = contextvars.ContextVar("corebank_locale", default=DEFAULT)


def normalize(value: str | None) -> str | None:
    """A supported locale for `value` ("zh", "zh-CN", "en-US" ...), or None."""
    if not value:
        return None
    v = value.strip().replace("-", "_").lower()
    if v.startswith("zh"):
        return "zh_CN"
    if v.startswith("en"):
        return "en"
    return None


def from_accept_language(header: str | None) -> str:
    """The first supported language a browser's Accept-Language names, or the default."""
    for part in (header or "").split(","):
        found = normalize(part.split(";")[0])
        if found:
            return found
    return DEFAULT


@functools.cache
def catalog(locale: str) -> dict[str, str]:
    """msgid -> translation for `locale`, merged from every area's catalog (read once per process)."""
    messages: dict[str, str] = {}
    folder = CATALOGS / locale
    for po in sorted(folder.glob("*.po")) if folder.is_dir() else ():
        with po.open("rb") as f:
            for m in read_po(f, locale=locale):
                if m.id and m.string and isinstance(m.id, str) and isinstance(m.string, str):
                    messages[m.id] = m.string
    return messages


def set_locale(locale: str) -> contextvars.Token[str]:
    """Make `locale` the current request's language."""
    return _locale.set(locale if locale in LOCALES else DEFAULT)


def current() -> str:
    """The current request's language."""
    return _locale.get()


def gettext(message: str) -> str:
    """`message` in the current language (the English msgid when there is no translation)."""
    return catalog(_locale.get()).get(message, message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form; Chinese has one form, so its catalog translates both ids the same."""
    return gettext(singular if n == 1 else plural)


_ = gettext


def money(amount: Decimal | int | str | None, currency: str = "") -> str:
    """An amount with two decimals and grouping in the current language, e.g. 1,234.50 (never a float)."""
    if amount is None or amount == "":
        return ""
    value = Decimal(str(amount))
    text = format_decimal(value, format="#,##0.00", locale=Locale.parse(_locale.get()))
    return f"{text} {currency}".strip()


def day(value: date | datetime | str | None) -> str:
    """A date as YYYY-MM-DD: one form in both languages, the one tellers and vouchers use."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value[:10]
    return value.strftime("%Y-%m-%d")


def moment(value: datetime | str | None) -> str:
    """A date and time to the second."""
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value.replace("T", " ")[:19]
    return value.strftime("%Y-%m-%d %H:%M:%S")
