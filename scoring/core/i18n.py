"""Translatable messages and the gettext catalogs (English msgids, zh_CN translations).

Every message shown to a user is an English msgid with ``%(name)s`` placeholders. Services build
``Msg`` objects; the edge (API or page) renders them in the caller's language. Catalogs are the
``*.po`` files under ``scoring/locale/<lang>/LC_MESSAGES/``: one file per feature area, merged at
load, compiled in memory by Babel, so they work straight from a source checkout.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Annotated, Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from babel.support import NullTranslations, Translations
from pydantic import PlainSerializer, WithJsonSchema

LOCALES = ("zh_CN", "en")
DEFAULT_LOCALE = "zh_CN"
_LOCALE_DIR = Path(__file__).parents[1] / "locale"


@dataclass(frozen=True)
class Msg:
    """A message not yet translated: an English msgid and its parameters."""

    msgid: str
    params: Mapping[str, Any] = field(default_factory=dict)
    # msgctxt: tells apart one English word with two meanings ("open" the status, "open" the action)
    context: str | None = None

    def render(self, locale: str = DEFAULT_LOCALE) -> str:
        return translate(self.msgid, locale, self.params, context=self.context)

    def __str__(self) -> str:  # English, for logs and exceptions
        return translate(self.msgid, "en", self.params, context=self.context)


# The caller's locale for the current request or command, set by the edge (API middleware, page
# dependency, CLI). Services never take a locale: they return Msg values (or codes), and a read
# model's `Text` field renders in this locale when it is serialised.
current_locale: ContextVar[str] = ContextVar("current_locale", default=DEFAULT_LOCALE)


def render_current(value: Msg | str) -> str:
    return value.render(current_locale.get()) if isinstance(value, Msg) else value


# A translatable text inside a typed read model: a Msg in Python, a string in the caller's language in
# JSON (and in templates through the `t` filter).
Text = Annotated[
    Msg | str,
    PlainSerializer(render_current, return_type=str),
    WithJsonSchema({"type": "string"}),
]


def msg(msgid: str, **params: Any) -> Msg:
    """Shorthand used at raise sites: ``msg("must be at least %(min)s", min=0)``."""
    return Msg(msgid, params)


def pmsg(context: str, msgid: str, **params: Any) -> Msg:
    """A message with a msgctxt: ``pmsg("action", "open")`` is the button, not the status."""
    return Msg(msgid, params, context)


@cache
def translations(locale: str) -> NullTranslations:
    """The merged catalog of one locale; English needs none (msgids are English)."""
    if locale == "en":
        return NullTranslations()
    merged: Translations | None = None
    for po_path in sorted((_LOCALE_DIR / locale / "LC_MESSAGES").glob("*.po")):
        catalog = read_po(_without_language_header(po_path.read_bytes()))
        buf = io.BytesIO()
        write_mo(buf, catalog)
        buf.seek(0)
        part = Translations(buf)
        if merged is None:
            merged = part
        else:
            merged.merge(part)
    return merged if merged is not None else NullTranslations()


def _without_language_header(po: bytes) -> io.BytesIO:
    """The PO file without its Language header. Babel turns that header into a Locale, which loads
    its whole CLDR index (about 2 MiB, kept for the life of the process) into every worker that
    translates a word; a catalog needs only its messages and the Plural-Forms header."""
    lines = po.splitlines(keepends=True)
    return io.BytesIO(b"".join(line for line in lines if not line.startswith(b'"Language:')))


def translate(
    msgid: str, locale: str, params: Mapping[str, Any] | None = None, *, context: str | None = None
) -> str:
    catalog = translations(normalise_locale(locale))
    text = str(catalog.pgettext(context, msgid)) if context else catalog.gettext(msgid)
    if params:
        rendered = {k: (v.render(locale) if isinstance(v, Msg) else v) for k, v in params.items()}
        try:
            return text % rendered
        except (KeyError, ValueError, TypeError):
            return msgid % rendered
    return text


def normalise_locale(value: str | None) -> str:
    """Map 'zh', 'zh-CN', 'zh_Hans', 'en-US' … onto a supported locale."""
    if not value:
        return DEFAULT_LOCALE
    low = value.strip().lower().replace("_", "-")
    if low.startswith("en"):
        return "en"
    return DEFAULT_LOCALE


def negotiate(accept_language: str | None) -> str:
    """Pick the locale from an Accept-Language header, honouring q-values; zh_CN by default."""
    if not accept_language:
        return DEFAULT_LOCALE
    best: tuple[float, str] | None = None
    for part in accept_language.split(","):
        piece = part.strip()
        if not piece:
            continue
        tag, _, q = piece.partition(";q=")
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        low = tag.strip().lower()
        if low.startswith(("zh", "en")) and (best is None or weight > best[0]):
            best = (weight, normalise_locale(low))
    return best[1] if best else DEFAULT_LOCALE
