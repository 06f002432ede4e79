"""Every string the consoles show has a Chinese translation, and a page speaks the language it was asked for."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from corebank.web.pages import i18n

ROOT = Path(__file__).resolve().parents[2]


def _tool():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("corebank_i18n_tool", ROOT / "scripts" / "i18n.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_string_the_consoles_show_has_a_zh_cn_translation() -> None:
    tool = _tool()
    found = tool.messages()
    assert len(found) > 200  # the templates, the page modules and the error titles were all read
    gaps = tool.missing("zh_CN")
    assert not gaps, (
        f"{len(gaps)} strings need a zh_CN translation (python scripts/i18n.py check): {sorted(gaps)[:20]}"
    )


def test_gettext_follows_the_request_locale_and_english_is_the_msgid() -> None:
    token = i18n.set_locale("zh_CN")
    try:
        assert i18n.gettext("Sign in") == "登录"
        i18n.set_locale("en")
        assert i18n.gettext("Sign in") == "Sign in"
        assert i18n.gettext("a string nobody translated") == "a string nobody translated"
    finally:
        i18n._locale.reset(token)


def test_amounts_are_formatted_from_decimal_with_two_places_and_grouping() -> None:
    token = i18n.set_locale("en")
    try:
        assert i18n.money("1234567.5", "CNY") == "1,234,567.50 CNY"
        assert i18n.money(0) == "0.00"
        assert i18n.money("-0.05") == "-0.05"
    finally:
        i18n._locale.reset(token)


def test_browser_languages_map_to_the_two_supported_locales() -> None:
    assert i18n.from_accept_language("en-US,en;q=0.9") == "en"
    assert i18n.from_accept_language("zh-CN,zh;q=0.9,en;q=0.8") == "zh_CN"
    assert i18n.from_accept_language("fr-FR") == "zh_CN"
    assert i18n.normalize("EN") == "en" and i18n.normalize("de") is None
