"""Every message in the code and templates has a zh_CN translation; negotiation picks the language."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir

from scoring.core.i18n import msg, negotiate, pmsg, translations

ROOT = Path(__file__).resolve().parents[2]
KEYWORDS = {
    "msg": None,
    "Msg": None,
    "_": None,
    "gettext": None,
    "_l": None,
    "ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
    "pmsg": ((1, "c"), 2),
}
METHOD_MAP = [("**.py", "python"), ("**/templates/**.html", "jinja2")]
OPTIONS = {"**/templates/**.html": {"extensions": "jinja2.ext.i18n", "silent": "false"}}


def used_msgids() -> dict[tuple[str | None, str], str]:
    """(msgctxt, msgid) → where it is used."""
    found: dict[tuple[str | None, str], str] = {}
    for package in ("scoring", "api", "web", "criteria"):
        base = ROOT / package
        if not base.exists():
            continue
        for filename, lineno, message, _comments, context in extract_from_dir(
            base, METHOD_MAP, OPTIONS, KEYWORDS, strip_comment_tags=True
        ):
            for text in message if isinstance(message, tuple) else (message,):
                if text:
                    found.setdefault((context, text), f"{package}/{filename}:{lineno}")
    return found


def test_every_msgid_has_a_chinese_translation() -> None:
    zh = translations("zh_CN")
    missing = {
        (f"{ctx}|{text}" if ctx else text): where
        for (ctx, text), where in used_msgids().items()
        if (zh.pgettext(ctx, text) if ctx else zh.gettext(text)) == text
    }
    assert not missing, "untranslated:\n" + "\n".join(f"{w}: {t!r}" for t, w in sorted(missing.items()))


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        (None, "zh_CN"),
        ("en", "en"),
        ("en-US,en;q=0.9", "en"),
        ("zh-CN,zh;q=0.9,en;q=0.8", "zh_CN"),
        ("fr-FR", "zh_CN"),
        ("en;q=0.3, zh;q=0.8", "zh_CN"),
        ("garbage;;q=x", "zh_CN"),
    ],
)
def test_accept_language_negotiation(header: str | None, locale: str) -> None:
    assert negotiate(header) == locale


def test_message_renders_with_parameters_in_both_languages() -> None:
    m = msg("must be at least %(min)s characters long", min=8)
    assert m.render("en") == "must be at least 8 characters long"
    assert m.render("zh_CN") == "长度至少为 8 个字符"


def test_a_message_context_tells_apart_one_english_word_with_two_meanings() -> None:
    assert msg("open").render("zh_CN") == "申报中"  # the round's status
    assert pmsg("action", "open").render("zh_CN") == "开始申报"  # the button that opens it
    assert pmsg("rectification", "open").render("zh_CN") == "整改中"
    assert pmsg("action", "open").render("en") == "open"


def test_loading_the_catalogs_leaves_babels_locale_index_unloaded() -> None:
    """A worker that only translates (the API) does not carry babel's CLDR index: about 2 MiB a process.
    In a fresh interpreter, since pages format numbers with babel and load it in this one."""
    import subprocess
    import sys

    probe = (
        "import babel.core; from scoring.core.i18n import translations, translate; "
        "catalog = translations('zh_CN'); "
        "print(translate('is not valid', 'zh_CN'), catalog.plural(5), babel.core._global_data is None)"
    )
    done = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    # Translated, with the catalog's own plural rule (Chinese has one form), and the index never read.
    assert done.stdout.split() == ["无效", "0", "True"]
