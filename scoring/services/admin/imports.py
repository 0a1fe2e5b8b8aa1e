"""Spreadsheet imports (XLSX or CSV): templates, a preview naming every error by row and column, and an
all-or-nothing, idempotent commit. Organisations are keyed by their credit code."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from pydantic import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor, Role
from scoring.core.credit_code import normalise, validate_credit_code
from scoring.core.districts import DISTRICTS
from scoring.core.errors import NotFound, TooLarge, UnsupportedMediaType, ValidationFailed
from scoring.core.i18n import Msg, msg
from scoring.core.permissions.onboarding import can_manage_organisations
from scoring.services.admin.account_admin import USERNAME_RE, one_time_password
from scoring.services.admin.onboarding_schemas import (
    ImportPreview,
    ImportProblem,
    ImportRowOut,
    OneTimeCredential,
    OrganisationIn,
)
from scoring.services.admin.organisations import (
    CREDIT_CODE_RULES,
    DISTRICT_RULE,
    EMAIL_RE,
    KIND_NAMES_ZH,
    CheckedOrganisation,
    add_checked,
    check_organisation,
    update_checked,
)
from scoring.services.admin.passwords import hash_password
from scoring.store import audit
from scoring.store.models import Expert, Organisation, User

MAX_IMPORT_BYTES = 2 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


@dataclass(frozen=True)
class Column:
    field: str
    header: str  # the heading in the template (Chinese, as the users' spreadsheets are)
    required: bool


ORGANISATION_COLUMNS: tuple[Column, ...] = (
    Column("name", "单位名称", True),
    Column("credit_code", "统一社会信用代码", True),
    Column("kind", "单位类型", True),
    Column("district", "所属县（市、区）", True),
    Column("address", "地址", False),
    Column("contact_name", "联系人", False),
    Column("contact_phone", "联系电话", False),
    Column("contact_email", "电子邮箱", False),
)


@dataclass(frozen=True)
class Table:
    headers: list[str]
    rows: list[tuple[int, list[str]]]  # (row number in the sheet, cells)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        # Spreadsheets store typed numbers (a phone number, a code of digits) as binary floats.
        exact = Decimal(repr(value))
        return str(exact.to_integral_value()) if exact == exact.to_integral_value() else str(exact)
    return str(value).strip()


def is_xlsx(content: bytes, filename: str) -> bool:
    return filename.lower().endswith(".xlsx") or content[:4] == b"PK\x03\x04"


def read_table(content: bytes, filename: str) -> Table:
    """The header row and the non-blank rows of the first sheet (XLSX) or of a CSV file."""
    if len(content) > MAX_IMPORT_BYTES:
        raise TooLarge(
            msg("The file is larger than the limit of %(limit)s MB.", limit=MAX_IMPORT_BYTES // (1024 * 1024))
        )
    if is_xlsx(content, filename):
        raw = _xlsx_rows(content)
    elif filename.lower().endswith((".csv", ".txt")) or not filename:
        raw = _csv_rows(content)
    else:
        raise UnsupportedMediaType(msg("Upload an Excel workbook (.xlsx) or a CSV file."))
    if not raw:
        raise ValidationFailed(fields={"file": msg("the file is empty: it needs a header row")})
    headers = [h.replace(" ", "") for h in raw[0]]
    rows = [(n, cells) for n, cells in enumerate(raw[1:], start=2) if any(c for c in cells)]
    if len(rows) > MAX_IMPORT_ROWS:
        raise TooLarge(msg("The file has more than %(limit)s rows.", limit=MAX_IMPORT_ROWS))
    return Table(headers=headers, rows=rows)


def _xlsx_rows(content: bytes) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError):
        raise ValidationFailed(fields={"file": msg("is not a readable Excel workbook (.xlsx)")}) from None
    try:
        sheet = workbook.worksheets[0]
        out: list[list[str]] = []
        for values in sheet.iter_rows(values_only=True):
            out.append([_cell(v) for v in values])
            if len(out) > MAX_IMPORT_ROWS + 1:
                raise TooLarge(msg("The file has more than %(limit)s rows.", limit=MAX_IMPORT_ROWS))
        return out
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> list[list[str]]:
    for encoding in ("utf-8-sig", "gb18030"):  # Excel in China saves CSV as GB18030 (GBK)
        try:
            text = content.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:  # pragma: no cover - gb18030 decodes any byte string
        raise ValidationFailed(fields={"file": msg("is not a readable CSV file")})
    return [[c.strip() for c in row] for row in csv.reader(io.StringIO(text))]


def template(columns: Sequence[Column], fmt: str) -> bytes:
    """An empty import template: the header row (XLSX, or CSV in UTF-8 with a BOM for Excel)."""
    if fmt == "csv":
        text_buf = io.StringIO()
        csv.writer(text_buf).writerow([c.header for c in columns])
        return text_buf.getvalue().encode("utf-8-sig")
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = "导入"
    sheet.append([c.header for c in columns])
    notes = workbook.create_sheet("说明")
    notes.append(["列", "是否必填"])
    for c in columns:
        notes.append([c.header, "必填" if c.required else "选填"])
    if any(c.field == "kind" for c in columns):
        notes.append([])
        notes.append(["单位类型可填"])
        for name in KIND_NAMES_ZH.values():
            notes.append([name])
    buf = io.BytesIO()
    workbook.save(buf)
    return buf.getvalue()


_FIELD_HEADERS = {c.field: c.header for c in ORGANISATION_COLUMNS}


def _records(
    table: Table, columns: Sequence[Column], problems: list[ImportProblem]
) -> list[tuple[int, dict[str, str]]]:
    index = {h: i for i, h in enumerate(table.headers) if h}
    missing = [c for c in columns if c.required and c.header not in index]
    for c in missing:
        problems.append(ImportProblem(row=1, column=c.header, message=msg("this column is missing")))
    if missing:
        return []
    out = []
    for n, cells in table.rows:
        values = {
            c.field: (cells[index[c.header]] if c.header in index and index[c.header] < len(cells) else "")
            for c in columns
        }
        out.append((n, values))
    return out


@dataclass
class _Planned:
    row: int
    checked: CheckedOrganisation
    existing: Organisation | None
    action: str


def _plan_organisations(
    session: Session, content: bytes, filename: str
) -> tuple[list[_Planned], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    records = _records(read_table(content, filename), ORGANISATION_COLUMNS, problems)
    checked_rows: list[tuple[int, CheckedOrganisation]] = []
    for n, values in records:
        row_problems: dict[str, Msg] = {}
        for c in ORGANISATION_COLUMNS:
            if c.required and not values[c.field]:
                row_problems[c.field] = msg("is required")
        try:
            data = OrganisationIn.model_validate(values)
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else "name"
                row_problems.setdefault(field, msg("is too long"))
            data = None
        if data is not None:
            checked, found = check_organisation(data)
            for field, rule in found.items():
                row_problems.setdefault(field, rule)
            if checked is not None and not row_problems:
                checked_rows.append((n, checked))
        for field, rule in row_problems.items():
            problems.append(ImportProblem(row=n, column=_FIELD_HEADERS.get(field, field), message=rule))
    codes = [c.credit_code for _, c in checked_rows]
    names = [c.name for _, c in checked_rows]
    by_code = {
        o.credit_code: o
        for o in session.scalars(select(Organisation).where(Organisation.credit_code.in_(codes)))
    }
    by_name = {o.name: o for o in session.scalars(select(Organisation).where(Organisation.name.in_(names)))}
    seen_codes: dict[str, int] = {}
    seen_names: dict[str, int] = {}
    planned: list[_Planned] = []
    for n, checked in checked_rows:
        if checked.credit_code in seen_codes:
            problems.append(
                ImportProblem(
                    row=n,
                    column=_FIELD_HEADERS["credit_code"],
                    message=msg(
                        "repeats the credit code of row %(row)s", row=seen_codes[checked.credit_code]
                    ),
                )
            )
            continue
        if checked.name in seen_names:
            problems.append(
                ImportProblem(
                    row=n,
                    column=_FIELD_HEADERS["name"],
                    message=msg("repeats the name of row %(row)s", row=seen_names[checked.name]),
                )
            )
            continue
        seen_codes[checked.credit_code] = n
        seen_names[checked.name] = n
        existing = by_code.get(checked.credit_code)
        namesake = by_name.get(checked.name)
        if namesake is not None and namesake is not existing:
            problems.append(
                ImportProblem(
                    row=n,
                    column=_FIELD_HEADERS["name"],
                    message=msg("an organisation with this name but another credit code exists already"),
                )
            )
            continue
        if existing is None:
            action = "create"
        else:
            same = all(getattr(existing, k) == v for k, v in checked.as_dict().items())
            action = "unchanged" if same else "update"
        planned.append(_Planned(row=n, checked=checked, existing=existing, action=action))
    problems.sort(key=lambda p: p.row)
    return planned, problems


def import_organisations(
    session: Session, *, actor: Actor, content: bytes, filename: str, commit: bool
) -> ImportPreview:
    """Preview (commit=False) or apply an import. With any problem nothing is written, commit or not;
    rows equal to what is stored change nothing, so importing the same file twice is harmless."""
    if not can_manage_organisations(actor):
        raise NotFound()
    planned, problems = _plan_organisations(session, content, filename)
    committed = False
    if commit and not problems:
        for item in planned:
            if item.action == "create":
                add_checked(session, actor=actor, checked=item.checked)
            elif item.action == "update":
                assert item.existing is not None
                update_checked(session, actor=actor, org=item.existing, checked=item.checked)
        committed = True
    return ImportPreview(
        rows=[
            ImportRowOut(row=p.row, key=p.checked.credit_code, name=p.checked.name, action=p.action)
            for p in planned
        ],
        problems=problems,
        created=sum(p.action == "create" for p in planned),
        updated=sum(p.action == "update" for p in planned),
        unchanged=sum(p.action == "unchanged" for p in planned),
        committed=committed,
    )


def refusal(preview: ImportPreview) -> ValidationFailed:
    """The API's 422 for a commit with problems: each field path is `row.column`."""
    return ValidationFailed(
        msg("The file has %(count)s errors; nothing was saved.", count=len(preview.problems)),
        fields={f"{p.row}.{p.column}": p.message for p in preview.problems if isinstance(p.message, Msg)},
    )


EXPERT_COLUMNS: tuple[Column, ...] = (
    Column("name", "姓名", True),
    Column("title", "职称", False),
    Column("fields", "专业领域", True),
    Column("credit_code", "工作单位统一社会信用代码", True),
    Column("district", "所属县（市、区）", False),
    Column("phone", "手机", True),
    Column("email", "电子邮箱", False),
    Column("username", "用户名", False),
)
_EXPERT_HEADERS = {c.field: c.header for c in EXPERT_COLUMNS}
_FIELD_SPLIT = re.compile(r"[、,，;；/]+")
_MOBILE = re.compile(r"^1\d{10}$")


@dataclass
class _PlannedExpert:
    row: int
    username: str
    values: dict[str, Any]
    existing: Expert | None
    action: str


def _expert_username(values: dict[str, str]) -> str:
    return values["username"] or f"e{values['phone']}"


def _plan_experts(
    session: Session, content: bytes, filename: str
) -> tuple[list[_PlannedExpert], list[ImportProblem]]:
    problems: list[ImportProblem] = []
    records = _records(read_table(content, filename), EXPERT_COLUMNS, problems)
    codes = {normalise(v["credit_code"]) for _, v in records}
    orgs = {
        o.credit_code: o
        for o in session.scalars(select(Organisation).where(Organisation.credit_code.in_(codes)))
    }
    names = {_expert_username(v) for _, v in records}
    users = {u.username: u for u in session.scalars(select(User).where(User.username.in_(names)))}
    pool = {
        e.user_id: e
        for e in session.scalars(select(Expert).where(Expert.user_id.in_([u.id for u in users.values()])))
    }
    seen: dict[str, int] = {}
    planned: list[_PlannedExpert] = []
    for n, values in records:
        row: dict[str, Msg] = {}
        for c in EXPERT_COLUMNS:
            if c.required and not values[c.field]:
                row[c.field] = msg("is required")
        if values["name"] and len(values["name"]) > 100:
            row["name"] = msg("is too long")
        fields = [f.strip() for f in _FIELD_SPLIT.split(values["fields"]) if f.strip()]
        if values["fields"] and (len(fields) > 20 or any(len(f) > 50 for f in fields)):
            row["fields"] = msg("at most 20 fields of at most 50 characters each")
        org = orgs.get(normalise(values["credit_code"]))
        if values["credit_code"] and org is None:
            code_rule = validate_credit_code(values["credit_code"])
            row["credit_code"] = (
                CREDIT_CODE_RULES[code_rule]
                if code_rule is not None
                else msg("no organisation is registered with this credit code")
            )
        district = values["district"] or None
        if district is not None and district not in DISTRICTS:
            row["district"] = DISTRICT_RULE
        if values["phone"] and not _MOBILE.match(values["phone"]):
            row["phone"] = msg("must be an 11-digit mobile number")
        if values["email"] and not EMAIL_RE.match(values["email"]):
            row["email"] = msg("must be an e-mail address")
        username = _expert_username(values)
        if values["username"] and not USERNAME_RE.match(values["username"]):
            row["username"] = msg("must be 3 to 64 letters, digits, dots, hyphens or underscores")
        if not row and username in seen:
            row["username" if values["username"] else "phone"] = msg(
                "repeats the expert of row %(row)s", row=seen[username]
            )
        user = users.get(username)
        existing = pool.get(user.id) if user is not None else None
        if not row and user is not None and existing is None:
            row["username" if values["username"] else "phone"] = msg(
                "belongs to an account that is not in the expert pool"
            )
        for field, rule in row.items():
            problems.append(ImportProblem(row=n, column=_EXPERT_HEADERS[field], message=rule))
        if row:
            continue
        seen[username] = n
        assert org is not None
        stored = {
            "name": values["name"],
            "title": values["title"],
            "fields": fields,
            "organisation_id": org.id,
            "district": district,
            "phone": values["phone"],
            "email": values["email"],
        }
        if existing is None:
            action = "create"
        else:
            same = all(getattr(existing, k) == v for k, v in stored.items())
            action = "unchanged" if same else "update"
        planned.append(
            _PlannedExpert(row=n, username=username, values=stored, existing=existing, action=action)
        )
    problems.sort(key=lambda p: p.row)
    return planned, problems


def import_experts(
    session: Session, *, actor: Actor, content: bytes, filename: str, commit: bool
) -> ImportPreview:
    """Preview or apply an expert-pool import, keyed by username (default: "e" + mobile number). New
    experts get an account with a one-time password, returned this once in `credentials`."""
    if not can_manage_organisations(actor):
        raise NotFound()
    planned, problems = _plan_experts(session, content, filename)
    credentials: list[OneTimeCredential] = []
    committed = False
    if commit and not problems:
        for item in planned:
            if item.action == "create":
                temporary = one_time_password()
                user = User(
                    username=item.username,
                    display_name=item.values["name"],
                    password_hash=hash_password(temporary),
                    role=Role.EXPERT.value,
                    must_change_password=True,
                )
                session.add(user)
                session.flush()
                expert = Expert(user_id=user.id, pool="expert", declared_conflict_org_ids=[], **item.values)
                session.add(expert)
                session.flush()
                audit.record(
                    session,
                    actor=actor,
                    action="expert.import",
                    entity="expert",
                    entity_id=expert.id,
                    after={**item.values, "username": user.username, "one_time_password": True},
                )
                credentials.append(
                    OneTimeCredential(username=user.username, name=user.display_name, password=temporary)
                )
            elif item.action == "update":
                assert item.existing is not None
                before = {k: getattr(item.existing, k) for k in item.values}
                for key, value in item.values.items():
                    setattr(item.existing, key, value)
                session.flush()
                audit.record(
                    session,
                    actor=actor,
                    action="expert.update",
                    entity="expert",
                    entity_id=item.existing.id,
                    before={k: v for k, v in before.items() if item.values[k] != v},
                    after={k: v for k, v in item.values.items() if before[k] != v},
                )
        committed = True
    return ImportPreview(
        rows=[
            ImportRowOut(row=p.row, key=p.username, name=p.values["name"], action=p.action) for p in planned
        ],
        problems=problems,
        created=sum(p.action == "create" for p in planned),
        updated=sum(p.action == "update" for p in planned),
        unchanged=sum(p.action == "unchanged" for p in planned),
        committed=committed,
        credentials=credentials,
    )
