"""Who is acting: a plain value built from a user at the edge, handed to every service."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    APPLICANT = "applicant"
    COUNTY = "county"
    EXPERT = "expert"
    EVALUATOR = "evaluator"
    STAFF = "staff"
    ADMIN = "admin"
    AUDITOR = "auditor"  # reads the audit trail, draw records, verification, reconciliation; nothing else


ROLE_NAMES_ZH = {
    Role.APPLICANT: "申报单位",
    Role.COUNTY: "县级发改部门",
    Role.EXPERT: "评审专家",
    Role.EVALUATOR: "第三方评估机构",
    Role.STAFF: "市发改委工作人员",
    Role.ADMIN: "系统管理员",
    Role.AUDITOR: "审计员",
}


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    role: Role
    organisation_id: int | None = None
    district: str | None = None
    display_name: str = ""
    must_change_password: bool = False  # a one-time password: only the password change is open

    @property
    def is_staff(self) -> bool:
        # Admins manage accounts and may do everything staff do.
        return self.role in (Role.STAFF, Role.ADMIN)


SYSTEM = Actor(user_id=None, username="system", role=Role.ADMIN, display_name="system")
