"""The consoles' translation catalogs: find every string the pages show and keep the zh_CN catalogs complete.

    python scripts/i18n.py check               # list strings with no zh_CN translation (exit 1 if any)
    python scripts/i18n.py update --area bank  # add that area's missing strings to web/i18n/zh_CN/bank.po

Strings come from the templates (`_("...")` in Jinja), from the page modules (`_`, `gettext`, `N_`) and from the
title of every business error (error pages show it translated, beside the stable code). Each string belongs to the
area of the first file that uses it; an area's catalog is `src/corebank/web/i18n/zh_CN/<area>.po`, which its owner
translates. English needs no catalog: the msgids are the English text.
"""

from __future__ import annotations

import argparse
import fnmatch
import importlib
import pkgutil
import sys
from collections.abc import Iterator
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parent.parent
WEB = ROOT / "src" / "corebank" / "web"
CATALOGS = WEB / "i18n"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None}
# Areas, by the files that belong to them (first match wins; paths are relative to src/corebank/web).
AREAS: list[tuple[str, list[str]]] = [
    (
        "counter",
        ["templates/console/counter/*", "pages/counter*.py", "pages/voucher*.py", "pages/approvals*.py"],
    ),
    ("backoffice", ["templates/console/backoffice/*", "pages/backoffice*.py"]),
    ("bank", ["templates/bank/*", "pages/bank*.py"]),
    ("base", ["templates/*", "pages/*.py"]),
]


def area_of(rel: str) -> str:
    """The area a file belongs to (base when none claims it)."""
    for area, patterns in AREAS:
        if any(fnmatch.fnmatch(rel, p) for p in patterns):
            if area == "bank" and rel == "templates/bank/base.html":
                return "base"
            return area
    return "base"


def _files() -> Iterator[tuple[str, Path, str]]:
    for path in sorted((WEB / "templates").rglob("*.html")):
        yield path.relative_to(WEB).as_posix(), path, "jinja2"
    for path in sorted((WEB / "pages").glob("*.py")):
        yield path.relative_to(WEB).as_posix(), path, "python"


def error_titles() -> list[str]:
    """The title of every business error class in the code base."""
    import corebank
    from corebank.kernel.errors import CoreBankError

    for info in pkgutil.walk_packages(corebank.__path__, "corebank."):
        if ".migrations" in info.name or info.name.endswith("__main__"):
            continue
        try:
            importlib.import_module(info.name)
        except Exception:  # noqa: S112 - a module that needs optional setup has no titles we can read
            continue
    seen: dict[str, None] = {}
    stack = [CoreBankError]
    while stack:
        cls = stack.pop()
        seen.setdefault(cls.title, None)
        stack.extend(cls.__subclasses__())
    return sorted(seen)


def messages() -> dict[str, str]:
    """msgid -> area, for every string the consoles can show."""
    found: dict[str, str] = {}
    options = {"extensions": "jinja2.ext.i18n", "silent": "false"}
    for rel, path, method in _files():
        for _lineno, msg, _comments, _ctx in extract_from_file(
            method, str(path), keywords=KEYWORDS, options=options if method == "jinja2" else None
        ):
            for m in msg if isinstance(msg, tuple) else (msg,):
                if m:
                    found.setdefault(m, area_of(rel))
    for title in error_titles():
        found.setdefault(title, "errors")
    return found


def translations(locale: str = "zh_CN") -> dict[str, str]:
    """msgid -> msgstr over all of a locale's catalogs."""
    out: dict[str, str] = {}
    for po in sorted((CATALOGS / locale).glob("*.po")):
        with po.open("rb") as f:
            for m in read_po(f, locale=locale):
                if isinstance(m.id, str) and m.id and isinstance(m.string, str) and m.string:
                    out[m.id] = m.string
    return out


def missing(locale: str = "zh_CN") -> dict[str, str]:
    """msgid -> area of the strings with no translation."""
    have = translations(locale)
    return {m: a for m, a in messages().items() if m not in have}


def update(area: str, locale: str = "zh_CN") -> int:
    """Add `area`'s untranslated strings to its catalog (empty msgstr) for its owner to translate."""
    path = CATALOGS / locale / f"{area}.po"
    if path.exists():
        with path.open("rb") as f:
            cat = read_po(f, locale=locale)
    else:
        cat = Catalog(locale=locale, project="CoreBank", fuzzy=False)
    added = 0
    for msgid, a in missing(locale).items():
        if a == area and msgid not in cat:
            cat.add(msgid, "")
            added += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as f:
        write_po(f, cat, width=0, omit_header=False, sort_output=True)
    return added


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("command", choices=["check", "update"])
    ap.add_argument("--area", default="base")
    args = ap.parse_args()
    if args.command == "update":
        print(f"{update(args.area)} strings added to {args.area}.po")
        return 0
    gaps = missing()
    for msgid, area in sorted(gaps.items(), key=lambda kv: (kv[1], kv[0])):
        print(f"{area}: {msgid}")
    print(f"{len(gaps)} strings without a zh_CN translation", file=sys.stderr)
    return 1 if gaps else 0


if __name__ == "__main__":
    sys.exit(main())
