"""Inputs and typed read models of onboarding: organisations, accounts, imports, registrations."""

from __future__ import annotations

from datetime import datetime

from pydantic import ConfigDict, Field, StrictBool

from scoring.core.i18n import Text
from scoring.core.ids import RowId
from scoring.core.schema import Schema


class _In(Schema):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class OrganisationIn(_In):
    """An organisation as typed in a form, a request or a spreadsheet row; the service checks the rules."""

    name: str = Field(default="", max_length=200)
    credit_code: str = Field(default="", max_length=64)
    kind: str = Field(default="", max_length=32)
    district: str | None = Field(default=None, max_length=32)
    address: str = Field(default="", max_length=300)
    contact_name: str = Field(default="", max_length=100)
    contact_phone: str = Field(default="", max_length=32)
    contact_email: str = Field(default="", max_length=200)


class OrganisationStatusIn(_In):
    active: StrictBool
    reason: str = Field(default="", max_length=500)


class OrganisationOut(Schema):
    id: int
    name: str
    credit_code: str
    kind: str
    district: str | None
    address: str
    contact_name: str
    contact_phone: str
    contact_email: str
    is_active: bool
    created_at: datetime


class OrganisationPage(Schema):
    items: list[OrganisationOut]
    next_cursor: int | None


class ImportProblem(Schema):
    """One refusal in a spreadsheet: its row as the spreadsheet numbers it (the header is row 1)."""

    row: int
    column: str
    message: Text


class ImportRowOut(Schema):
    row: int
    key: str  # the credit code (organisations) or the username (experts)
    name: str
    action: str  # create | update | unchanged


class OneTimeCredential(Schema):
    """A new account's one-time password, shown once to whoever ran the import."""

    username: str
    name: str
    password: str


class ImportPreview(Schema):
    """What a commit would do; `problems` non-empty means a commit saves nothing."""

    rows: list[ImportRowOut]
    problems: list[ImportProblem]
    created: int
    updated: int
    unchanged: int
    committed: bool
    credentials: list[OneTimeCredential] = []  # noqa: RUF012 (pydantic copies defaults)


class AccountIn(_In):
    username: str = Field(max_length=64)
    display_name: str = Field(default="", max_length=100)
    role: str = Field(max_length=16)
    organisation_id: RowId | None = None
    district: str | None = Field(default=None, max_length=32)
    # None: a one-time password is generated, shown once and must be changed at first login.
    password: str | None = Field(default=None, max_length=256, repr=False)


class AccountUpdate(_In):
    display_name: str | None = Field(default=None, max_length=100)
    role: str | None = Field(default=None, max_length=16)
    organisation_id: RowId | None = None
    district: str | None = Field(default=None, max_length=32)


class AccountStatusIn(_In):
    active: StrictBool


class AccountOut(Schema):
    id: int
    username: str
    display_name: str
    role: str
    organisation_id: int | None
    organisation_name: str | None
    district: str | None
    is_active: bool
    must_change_password: bool
    last_login_at: datetime | None
    created_at: datetime


class AccountPage(Schema):
    items: list[AccountOut]
    next_cursor: int | None


class AccountCreated(Schema):
    """A new account; `one_time_password` is shown this once and never stored in clear."""

    account: AccountOut
    one_time_password: str | None


class PasswordResetOut(Schema):
    account: AccountOut
    one_time_password: str


class PasswordChangeIn(Schema):
    model_config = ConfigDict(extra="forbid")  # passwords are taken as typed, spaces included

    current_password: str = Field(max_length=256, repr=False)
    new_password: str = Field(max_length=256, repr=False)
