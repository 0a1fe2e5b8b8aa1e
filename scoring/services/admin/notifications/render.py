"""Rendering a message from its kind's Jinja template in one locale: subject, body and link.

Message templates are domain content (what a notice says), so they live here beside their kinds;
a sandboxed environment with strict undefined values renders only the parameters a message carries.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from jinja2 import FileSystemLoader, StrictUndefined, TemplateError
from jinja2.sandbox import SandboxedEnvironment

from scoring.core.i18n import LOCALES, normalise_locale
from scoring.services.admin.notifications.kinds import NoticeKind

TEMPLATE_DIR = Path(__file__).parent / "templates"
CHINA_TZ = ZoneInfo("Asia/Shanghai")

_KIND_NAMES = {
    "zh_CN": {"regional": "区域“双创”示范基地", "university": "高校及科研院所“双创”示范基地",
              "enterprise": "企业“双创”示范基地"},
    "en": {"regional": "regional demonstration base", "university": "university and research institute base",
           "enterprise": "enterprise demonstration base"},
}  # fmt: skip


class RenderError(Exception):
    """A template that could not be rendered: reported to staff, never raised into a state change."""


@dataclass(frozen=True)
class Rendered:
    subject: str
    body: str
    link: str


def _fmt_date(value: Any, locale: str) -> str:
    if value in (None, ""):
        return "—"
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    if isinstance(day, datetime):
        day = day.astimezone(CHINA_TZ).date()
    return format_date(day, format="long" if locale != "en" else "medium", locale=locale)


def _fmt_datetime(value: Any, locale: str) -> str:
    if value in (None, ""):
        return "—"
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return format_datetime(moment.astimezone(CHINA_TZ), format="yyyy-MM-dd HH:mm", locale=locale)


@cache
def environment(locale: str) -> SandboxedEnvironment:
    env = SandboxedEnvironment(
        loader=FileSystemLoader(str(TEMPLATE_DIR / locale)),
        undefined=StrictUndefined,
        autoescape=False,  # plain-text messages; the inbox page escapes them when it shows them
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=False,
    )
    env.filters["date"] = lambda v: _fmt_date(v, locale)
    env.filters["datetime"] = lambda v: _fmt_datetime(v, locale)
    env.filters["kind_name"] = lambda v: _KIND_NAMES[locale].get(str(v), str(v))
    return env


def template_name(kind: NoticeKind | str) -> str:
    return f"{NoticeKind(kind).value}.txt"


def template_source(kind: NoticeKind | str, locale: str) -> str:
    return (TEMPLATE_DIR / normalise_locale(locale) / template_name(kind)).read_text(encoding="utf-8")


def render(
    kind: NoticeKind | str, params: Mapping[str, Any], *, locale: str, link: str = "", base_url: str = ""
) -> Rendered:
    """Subject and body in `locale`; a relative link made absolute with `base_url` (for email)."""
    loc = normalise_locale(locale)
    try:
        template = environment(loc).get_template(template_name(kind))
        ctx = template.new_context({**params, "link": base_url.rstrip("/") + link if link else ""})
        subject = "".join(template.blocks["subject"](ctx)).strip()
        body = "".join(template.blocks["body"](ctx)).strip()
    except (TemplateError, KeyError, ValueError, TypeError) as exc:
        raise RenderError(f"{kind} ({loc}): {type(exc).__name__}: {exc}") from exc
    if not subject or "\n" in subject:
        raise RenderError(f"{kind} ({loc}): the subject must be one non-empty line")
    return Rendered(subject=subject, body=body, link=link)


def all_templates() -> list[tuple[NoticeKind, str]]:
    return [(k, loc) for k in NoticeKind for loc in LOCALES]
