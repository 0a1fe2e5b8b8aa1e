"""The Jinja2 environment: autoescaping, gettext from the shared catalogs, locale-aware filters."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path
from typing import Any

from babel.numbers import format_decimal
from fastapi.templating import Jinja2Templates
from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
from jinja2.runtime import Context

from scoring.core import timefmt
from scoring.core.i18n import DEFAULT_LOCALE, Msg, current_locale, translate, translations  # noqa: F401
from web import auditwords, fieldlabels
from web.assets import assets

TEMPLATES_DIR = Path(__file__).parent / "templates"
# current_locale (scoring.core.i18n) is set by the page dependency and read by the filters and gettext
# when a template is rendered. The page context also carries `locale`, which wins: FastAPI may run a
# dependency in another thread.


def _locale_of(ctx: Context | None) -> str:
    if ctx is not None:
        value = ctx.get("locale")
        if isinstance(value, str):
            return value
    return current_locale.get()


@pass_context
def _gettext(ctx: Context, message: str, **params: Any) -> str:
    return translate(message, _locale_of(ctx), params or None)


@pass_context
def _pgettext(ctx: Context, context: str, message: str, **params: Any) -> str:
    return translate(message, _locale_of(ctx), params or None, context=context)


@pass_context
def _ngettext(ctx: Context, singular: str, plural: str, n: int, **params: Any) -> str:
    text = translations(_locale_of(ctx)).ngettext(singular, plural, n)
    return text % {"num": n, **params}


def _q(value: Any, places: int) -> Decimal:
    return Decimal(str(value)).quantize(Decimal(1).scaleb(-places), ROUND_HALF_UP)


@pass_context
def fmt_decimal(ctx: Context, value: Any, places: int = 2) -> str:
    if value is None or value == "":
        return "—"
    pattern = "#,##0." + "0" * places if places else "#,##0"
    return format_decimal(_q(value, places), format=pattern, locale=_locale_of(ctx))


@pass_context
def fmt_percent(ctx: Context, value: Any, places: int = 2) -> str:
    return "—" if value is None or value == "" else f"{fmt_decimal(ctx, value, places)}%"


@pass_context
def fmt_date(ctx: Context, value: date | datetime | str | None) -> str:
    return timefmt.format_date(value, _locale_of(ctx))


@pass_context
def fmt_datetime(ctx: Context, value: datetime | str | None, label: bool = False) -> str:
    return timefmt.format_datetime(value, _locale_of(ctx), label=label)


@pass_context
def fmt_text(ctx: Context, value: Any) -> str:
    """A `Text` of a read model (a Msg or a plain string) in the page's locale."""
    return value.render(_locale_of(ctx)) if isinstance(value, Msg) else ("" if value is None else str(value))


@pass_context
def fmt_audit_action(ctx: Context, action: str) -> str:
    return auditwords.action_words(action, _locale_of(ctx))


@pass_context
def fmt_audit_entity(ctx: Context, entity: str) -> str:
    return auditwords.entity_words(entity, _locale_of(ctx))


@pass_context
def _field_label(ctx: Context, path: str, names: dict[str, str] | None = None) -> str:
    return fieldlabels.field_label(path, _locale_of(ctx), names)


def make_templates() -> Jinja2Templates:
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES_DIR)),
        autoescape=select_autoescape(default=True, default_for_string=True),
        extensions=["jinja2.ext.i18n"],
    )
    # Plain callables (not the i18n extension's newstyle wrappers) so they can read the locale from
    # the render context; they %-format their keyword parameters like newstyle gettext does.
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, pgettext=_pgettext)
    env.globals.update(static_url=assets.url, iso_beijing=timefmt.iso_beijing, field_label=_field_label)
    env.filters.update(audit_action=fmt_audit_action, audit_entity=fmt_audit_entity)
    env.filters.update(t=fmt_text, dec=fmt_decimal, pct=fmt_percent, date=fmt_date, datetime=fmt_datetime)
    return Jinja2Templates(env=env)


# The one environment of the site; web.mount re-exports it for the page modules that import it there.
templates = make_templates()
