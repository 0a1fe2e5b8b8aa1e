"""The authorization matrix: every API operation and page route, called by every role with other users' ids.

Over the complete demo (every phase seeded through the real services), each role calls every route
with the ids of objects that belong to someone else: another organisation's application, base and
files, another district's applications, another expert's sheets, another evaluator's evaluations.
A 2xx (or, for a page form, a redirect anywhere but the login page) is "accepted". ALLOWED lists,
for every route, the roles that may be accepted; a route the app serves that is missing from
ALLOWED (or listed there but no longer served) fails the test, so a new route needs a decision.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from scoring.demo import seed_demo
from scoring.settings import Settings
from scoring.store import migrate
from scoring.store.db import make_engine, make_sessionmaker
from scoring.store.models import (
    Application,
    Attachment,
    Campaign,
    DesignatedBase,
    DrawCommitment,
    Evaluation,
    Expert,
    Objection,
    Organisation,
    Panel,
    Registration,
    RoundDocument,
    Sheet,
    User,
)
from scoring.store.models.notifications import Delivery, Notification

ROLES = ("anonymous", "applicant", "county", "expert", "evaluator", "auditor", "staff", "admin")
EVERYONE = frozenset(ROLES)
LOGGED_IN = EVERYONE - {"anonymous"}
STAFF = frozenset({"staff", "admin"})
NOBODY: frozenset[str] = frozenset()

# (method, path) -> the roles that may be accepted when the ids are other users'.
ALLOWED: dict[tuple[str, str], frozenset[str]] = {
    # issues 14 and 18: documents, reasons, robustness, round end
    ("GET", "/favicon.ico"): EVERYONE,
    ("DELETE", "/api/v1/applications/{application_id}"): NOBODY,  # only the applicant's own draft
    ("GET", "/applicant/applications/{application_id}/delete"): NOBODY,  # the confirmation, own draft only
    ("POST", "/applicant/applications/{application_id}/delete"): NOBODY,
    ("GET", "/staff/applications/{application_id}"): STAFF,  # gates, the organisation's record, the check
    ("GET", "/api/v1/documents"): STAFF,
    ("GET", "/api/v1/documents/{document_id}.docx"): NOBODY,  # the demo issued none (tests/documents)
    ("GET", "/api/v1/documents/{document_id}.pdf"): NOBODY,  # the demo issued none (tests/documents)
    ("POST", "/api/v1/documents"): NOBODY,
    ("POST", "/api/v1/documents/preview"): NOBODY,
    ("POST", "/api/v1/documents/preview.docx"): NOBODY,
    ("GET", "/api/v1/rounds/{round_id}/decision-records"): NOBODY,  # needs ?kind= (tests/documents)
    ("GET", "/api/v1/rounds/{round_id}/discussions"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/robustness"): NOBODY,  # needs ?kind= (tests/documents)
    ("GET", "/api/v1/rounds/{round_id}/round-end"): STAFF,
    ("POST", "/api/v1/applications/{application_id}/discussions"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/scoring-deadline"): NOBODY,
    ("POST", "/api/v1/sheets/{sheet_id}/replacement"): NOBODY,
    ("GET", "/staff/documents/{document_id}.docx"): NOBODY,  # the demo issued none (tests/documents)
    ("GET", "/staff/documents/{document_id}.pdf"): NOBODY,  # the demo issued none (tests/documents)
    ("GET", "/staff/rounds/{round_id}/confirm/{action}"): NOBODY,  # not a step of that round now
    ("GET", "/staff/rounds/{round_id}/documents"): STAFF,
    ("GET", "/staff/rounds/{round_id}/round-end"): STAFF,
    ("POST", "/staff/rounds/{round_id}/call-documents"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/scoring-deadline"): NOBODY,
    ("POST", "/staff/sheets/{sheet_id}/replace"): NOBODY,
    # public
    ("GET", "/healthz"): EVERYONE,
    ("GET", "/api/v1/openapi.json"): EVERYONE,
    ("HEAD", "/api/v1/openapi.json"): EVERYONE,
    ("GET", "/api/v1/docs"): EVERYONE,
    ("GET", "/api/v1/redoc"): EVERYONE,
    ("POST", "/api/v1/auth/token"): NOBODY,  # called without valid credentials
    ("GET", "/api/v1/public/notice"): EVERYONE,
    ("POST", "/api/v1/public/objections"): NOBODY,  # an empty objection is refused
    ("GET", "/api/v1/public/bases"): EVERYONE,
    ("GET", "/login"): EVERYONE,
    ("POST", "/login"): NOBODY,
    ("POST", "/logout"): EVERYONE,
    ("GET", "/lang/{code}"): EVERYONE,
    ("GET", "/"): EVERYONE,
    ("GET", "/public/bases"): EVERYONE,
    ("GET", "/public/notice"): EVERYONE,
    ("POST", "/public/objections"): NOBODY,
    # any logged-in caller; lists are filtered to what the caller may see
    ("POST", "/api/v1/auth/logout"): LOGGED_IN,
    ("GET", "/api/v1/me"): LOGGED_IN,
    ("GET", "/api/v1/rubrics"): LOGGED_IN,
    ("GET", "/api/v1/rubrics/{kind}"): LOGGED_IN,
    ("GET", "/api/v1/rounds"): LOGGED_IN,
    ("GET", "/api/v1/rounds/{round_id}"): LOGGED_IN,
    ("GET", "/api/v1/applications"): LOGGED_IN,
    ("GET", "/api/v1/sheets"): STAFF | {"expert"},
    ("GET", "/api/v1/bases"): STAFF | {"applicant"},
    ("GET", "/api/v1/evaluations"): STAFF | {"evaluator"},
    ("GET", "/api/v1/campaigns"): STAFF,
    # writes with an empty body: refused for everyone (validation or permission)
    ("POST", "/api/v1/rounds"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/transition"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/eligibility-check"): NOBODY,
    ("POST", "/api/v1/applications"): NOBODY,
    ("PUT", "/api/v1/applications/{application_id}"): NOBODY,
    ("POST", "/api/v1/applications/{application_id}/submit"): NOBODY,
    ("POST", "/api/v1/applications/{application_id}/recommendation"): NOBODY,
    ("POST", "/api/v1/applications/{application_id}/formal-check"): NOBODY,
    ("POST", "/api/v1/applications/{application_id}/attachments"): NOBODY,
    ("DELETE", "/api/v1/attachments/{attachment_id}"): NOBODY,
    ("POST", "/api/v1/experts"): NOBODY,
    ("PUT", "/api/v1/experts/{expert_id}"): STAFF,  # every field optional
    ("PUT", "/api/v1/rounds/{round_id}/strata/{kind}"): NOBODY,
    ("POST", "/api/v1/panels/{panel_id}/reserves"): NOBODY,
    ("POST", "/api/v1/sheets/{sheet_id}/declaration"): NOBODY,
    ("PUT", "/api/v1/sheets/{sheet_id}"): NOBODY,
    ("POST", "/api/v1/sheets/{sheet_id}/submit"): NOBODY,
    ("POST", "/api/v1/sheets/{sheet_id}/reopen"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/decisions"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/approval"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/publication"): NOBODY,
    ("POST", "/api/v1/objections/{objection_id}/resolution"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/list-revision/approval"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/list-revision"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/figures"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/evidence"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/figure-corrections"): NOBODY,
    ("PUT", "/api/v1/campaigns/{campaign_id}/references"): NOBODY,  # an empty body records nothing
    ("POST", "/staff/campaigns/{campaign_id}/references"): NOBODY,  # an empty form records nothing
    ("POST", "/api/v1/bases/{base_id}/evaluations"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/rectification"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/restore"): STAFF,  # no body
    ("POST", "/api/v1/bases/{base_id}/revocation"): NOBODY,
    ("POST", "/api/v1/bases/{base_id}/revocation/confirm"): NOBODY,
    ("POST", "/api/v1/campaigns"): NOBODY,
    ("POST", "/api/v1/campaigns/{campaign_id}/close"): STAFF,  # no body
    ("POST", "/api/v1/evaluations/{evaluation_id}/declaration"): NOBODY,
    ("PUT", "/api/v1/evaluations/{evaluation_id}"): NOBODY,
    ("POST", "/api/v1/evaluations/{evaluation_id}/submit"): NOBODY,
    # reads of someone else's objects: the city DRC only
    ("GET", "/api/v1/applications/{application_id}"): STAFF,
    ("GET", "/api/v1/attachments/{attachment_id}"): STAFF,
    ("GET", "/api/v1/experts"): STAFF,
    ("GET", "/api/v1/experts/{expert_id}"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/panels"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/strata"): STAFF,
    ("GET", "/api/v1/panels/{panel_id}"): STAFF,
    ("GET", "/api/v1/sheets/{sheet_id}"): STAFF,
    ("GET", "/api/v1/applications/{application_id}/sheets"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/ranking"): STAFF,
    ("GET", "/api/v1/applications/{application_id}/result"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/export.xlsx"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/export.csv"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/publication"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/objections"): STAFF,
    ("GET", "/api/v1/objections/{objection_id}/backfill-candidate"): STAFF,
    ("GET", "/api/v1/bases/due"): STAFF,
    ("GET", "/api/v1/bases/{base_id}"): STAFF,
    ("GET", "/api/v1/bases/{base_id}/figures"): STAFF,
    ("GET", "/api/v1/evaluations/{evaluation_id}"): STAFF,
    ("GET", "/api/v1/audit"): STAFF,
    ("GET", "/api/v1/audit/verify"): STAFF,
    # pages: each role's home, and other users' objects for the city DRC only
    ("GET", "/applicant"): frozenset({"applicant"}),
    ("POST", "/applicant/applications"): NOBODY,
    ("GET", "/applicant/applications/{application_id}"): NOBODY,
    ("POST", "/applicant/applications/{application_id}"): NOBODY,
    ("POST", "/applicant/applications/{application_id}/attachments"): NOBODY,
    ("POST", "/applicant/applications/{application_id}/attachments/{attachment_id}/delete"): NOBODY,
    ("GET", "/files/{attachment_id}"): STAFF,
    ("GET", "/applicant/bases"): frozenset({"applicant"}),
    ("GET", "/applicant/bases/{base_id}"): NOBODY,
    ("POST", "/applicant/bases/{base_id}/figures"): NOBODY,
    ("POST", "/applicant/bases/{base_id}/evidence"): NOBODY,
    ("POST", "/applicant/bases/{base_id}/figure-corrections"): NOBODY,
    ("POST", "/applicant/bases/{base_id}/evidence/{attachment_id}/delete"): NOBODY,
    ("GET", "/county"): frozenset({"county"}),
    ("GET", "/county/applications/{application_id}"): NOBODY,
    ("POST", "/county/applications/{application_id}/recommendation"): NOBODY,
    ("GET", "/expert"): frozenset({"expert"}),
    ("GET", "/expert/sheets/{sheet_id}"): NOBODY,
    ("POST", "/expert/sheets/{sheet_id}/declaration"): NOBODY,
    ("POST", "/expert/sheets/{sheet_id}"): NOBODY,
    ("POST", "/expert/sheets/{sheet_id}/submit"): NOBODY,
    ("GET", "/evaluator"): frozenset({"evaluator"}),
    ("GET", "/evaluator/evaluations/{evaluation_id}"): NOBODY,
    ("POST", "/evaluator/evaluations/{evaluation_id}/declaration"): NOBODY,
    ("POST", "/evaluator/evaluations/{evaluation_id}"): NOBODY,
    ("POST", "/evaluator/evaluations/{evaluation_id}/submit"): NOBODY,
    ("GET", "/staff"): STAFF,
    ("GET", "/staff/rounds/{round_id}"): STAFF,
    ("POST", "/staff/rounds/{round_id}/transition"): NOBODY,
    ("GET", "/staff/rounds/{round_id}/check"): STAFF,
    ("POST", "/staff/applications/{application_id}/check"): NOBODY,
    ("GET", "/staff/experts"): STAFF,
    ("POST", "/staff/experts"): NOBODY,
    ("POST", "/staff/experts/{expert_id}"): STAFF,
    ("GET", "/staff/rounds/{round_id}/panels"): STAFF,
    ("POST", "/staff/rounds/{round_id}/strata"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/draw/commit"): NOBODY,
    ("POST", "/staff/draw-commitments/{commitment_id}/contribute"): NOBODY,
    ("POST", "/staff/draw-commitments/{commitment_id}/reveal"): NOBODY,
    ("GET", "/auditor"): frozenset({"auditor"}),
    ("GET", "/auditor/trail"): frozenset({"auditor"}),
    ("GET", "/auditor/rounds/{round_id}/draws"): frozenset({"auditor"}),
    ("POST", "/staff/panels/{panel_id}/extend"): NOBODY,
    ("GET", "/staff/rounds/{round_id}/ranking"): STAFF,
    ("GET", "/staff/audit"): STAFF,
    ("GET", "/staff/rounds/{round_id}/decision"): STAFF,
    ("POST", "/staff/rounds/{round_id}/decisions"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/approval"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/publication"): NOBODY,
    ("POST", "/staff/objections/{objection_id}/resolve"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/list-revision/approval"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/list-revision"): NOBODY,
    ("GET", "/staff/bases"): STAFF,
    ("GET", "/staff/bases/{base_id}"): STAFF,
    ("POST", "/staff/bases/{base_id}/evaluations"): NOBODY,
    ("POST", "/staff/bases/{base_id}/rectification"): NOBODY,
    ("POST", "/staff/bases/{base_id}/restore"): STAFF,
    ("POST", "/staff/bases/{base_id}/revocation"): NOBODY,
    ("POST", "/staff/bases/{base_id}/revocation/confirm"): NOBODY,
    ("POST", "/staff/campaigns"): NOBODY,
    # onboarding, notifications, integrity: public (the call, its documents, registration, anchors)
    ("GET", "/api/v1/public/anchors"): EVERYONE,
    ("GET", "/api/v1/public/calls"): EVERYONE,
    ("GET", "/api/v1/public/calls/{round_id}"): EVERYONE,
    ("GET", "/api/v1/public/calls/{round_id}/documents/{document_id}"): EVERYONE,
    ("GET", "/call"): EVERYONE,
    ("GET", "/call/{round_id}"): EVERYONE,
    ("GET", "/call/{round_id}/documents/{document_id}"): EVERYONE,
    ("GET", "/public/anchors"): EVERYONE,
    ("GET", "/register"): EVERYONE,
    # onboarding, notifications, integrity: the caller's own inbox, preferences and password
    ("GET", "/account/password"): LOGGED_IN,
    ("GET", "/api/v1/inbox"): LOGGED_IN,
    ("GET", "/api/v1/inbox/preferences"): LOGGED_IN,
    ("GET", "/api/v1/inbox/unread"): LOGGED_IN,
    ("GET", "/inbox"): LOGGED_IN,
    ("GET", "/inbox/preferences"): LOGGED_IN,
    ("POST", "/api/v1/inbox/read"): LOGGED_IN,
    ("POST", "/inbox/preferences"): LOGGED_IN,
    ("POST", "/inbox/read"): LOGGED_IN,
    ("PUT", "/api/v1/inbox/preferences"): LOGGED_IN,
    # onboarding, notifications, integrity: the city DRC (organisations, imports, round set-up,
    # outbox and templates, checkpoints, reconciliation, draw records)
    ("GET", "/admin/organisations"): STAFF,
    ("GET", "/admin/organisations/new"): STAFF,
    ("GET", "/admin/organisations/{organisation_id}"): STAFF,
    ("GET", "/admin/{what}/import"): STAFF,
    ("GET", "/admin/{what}/template.{fmt}"): STAFF,
    ("GET", "/api/v1/expert-pool/import-template"): STAFF,
    ("GET", "/api/v1/notifications/outbox"): STAFF,
    ("GET", "/api/v1/notifications/templates"): STAFF,
    ("GET", "/api/v1/notifications/templates/{kind}"): STAFF,
    ("GET", "/api/v1/organisations"): STAFF,
    ("GET", "/api/v1/organisations/import-template"): STAFF,
    ("GET", "/api/v1/organisations/{organisation_id}"): STAFF,
    ("GET", "/api/v1/rounds/{round_id}/setup"): STAFF,
    ("GET", "/staff/notifications"): STAFF,
    ("GET", "/staff/notifications/templates/{kind}"): STAFF,
    ("GET", "/staff/rounds/new"): STAFF,
    ("GET", "/staff/rounds/{round_id}/setup"): STAFF,
    ("POST", "/admin/organisations/{organisation_id}/status"): STAFF,
    ("POST", "/api/v1/integrity/checkpoints"): STAFF,
    # integrity reads: the city DRC and the (read-only) auditor
    ("GET", "/api/v1/integrity/audit"): STAFF | {"auditor"},
    ("GET", "/api/v1/integrity/checkpoints"): STAFF | {"auditor"},
    ("GET", "/api/v1/integrity/reconciliation"): STAFF | {"auditor"},
    ("GET", "/api/v1/integrity/verify"): STAFF | {"auditor"},
    ("GET", "/api/v1/rounds/{round_id}/draw-records"): STAFF | {"auditor"},
    ("GET", "/api/v1/rounds/{round_id}/draw-records/replay"): STAFF | {"auditor"},
    # accounts: the administrator only
    ("GET", "/admin/accounts"): frozenset({"admin"}),
    ("GET", "/admin/accounts/new"): frozenset({"admin"}),
    ("GET", "/admin/accounts/{user_id}"): frozenset({"admin"}),
    ("GET", "/api/v1/accounts"): frozenset({"admin"}),
    ("GET", "/api/v1/accounts/{user_id}"): frozenset({"admin"}),
    ("POST", "/admin/accounts/{user_id}/reset"): frozenset({"admin"}),
    ("POST", "/admin/accounts/{user_id}/status"): frozenset({"admin"}),
    ("POST", "/api/v1/accounts/{user_id}/password-reset"): frozenset({"admin"}),
    # registrations: the reviewers (a county its district's, the city DRC all); lists filtered
    ("GET", "/api/v1/registrations"): frozenset({"county", "staff"}),
    ("GET", "/registrations"): frozenset({"county", "staff"}),
    # onboarding, notifications, integrity: writes with an empty body, or on others' objects: refused
    ("PATCH", "/api/v1/rounds/{round_id}/setup"): NOBODY,
    ("POST", "/account/password"): NOBODY,
    ("POST", "/admin/accounts/new"): NOBODY,
    ("POST", "/admin/accounts/{user_id}"): NOBODY,
    ("POST", "/admin/organisations/new"): NOBODY,
    ("POST", "/admin/organisations/{organisation_id}"): NOBODY,
    ("POST", "/admin/{what}/import"): NOBODY,
    ("POST", "/admin/{what}/import/commit"): NOBODY,
    ("POST", "/api/v1/accounts"): NOBODY,
    ("POST", "/api/v1/accounts/{user_id}/status"): NOBODY,
    ("POST", "/api/v1/draw-commitments/{commitment_id}/contribution"): NOBODY,
    ("POST", "/api/v1/draw-commitments/{commitment_id}/reveal"): NOBODY,
    ("POST", "/api/v1/expert-pool/import"): NOBODY,
    ("POST", "/api/v1/inbox/{notification_id}/read"): NOBODY,
    ("POST", "/api/v1/me/password"): NOBODY,
    ("POST", "/api/v1/notifications/deliveries/{delivery_id}/retry"): NOBODY,
    ("POST", "/api/v1/organisations"): NOBODY,
    ("POST", "/api/v1/organisations/import"): NOBODY,
    ("POST", "/api/v1/organisations/{organisation_id}/status"): NOBODY,
    ("POST", "/api/v1/registrations"): NOBODY,
    ("POST", "/api/v1/registrations/{registration_id}/decision"): NOBODY,
    ("POST", "/api/v1/rounds/setup"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/deadline-extensions"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/documents"): NOBODY,
    ("POST", "/api/v1/rounds/{round_id}/draw-commitments"): NOBODY,
    ("POST", "/inbox/{notification_id}/read"): NOBODY,
    ("POST", "/register"): NOBODY,
    ("POST", "/registrations/{registration_id}"): NOBODY,
    ("POST", "/staff/notifications/deliveries/{delivery_id}/retry"): NOBODY,
    ("POST", "/staff/rounds/new"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/deadline"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/documents"): NOBODY,
    ("POST", "/staff/rounds/{round_id}/setup"): NOBODY,
    ("PUT", "/api/v1/accounts/{user_id}"): NOBODY,
    ("PUT", "/api/v1/organisations/{organisation_id}"): NOBODY,
}

_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
_PARAM = re.compile(r"\{([a-z_]+)\}")


@dataclass
class Caller:
    role: str
    api: TestClient
    web: TestClient
    csrf: str
    ids: dict[str, Any]


def _served_routes(app: Any) -> list[tuple[str, str]]:
    """Every (method, path) the application serves, as FastAPI itself routes them."""
    from fastapi.routing import iter_route_contexts

    return sorted(
        {
            (method, route.path)
            for route in iter_route_contexts(app.routes)
            for method in (getattr(route, "methods", None) or ())
        }
    )


def _others_ids(session: Session, user: User | None) -> dict[str, Any] | None:
    """Ids of objects that are not the caller's: not its organisation's, district's, sheets or evaluations."""
    org = user.organisation_id if user else None
    district = user.district if user else None
    expert = session.scalar(select(Expert.id).where(Expert.user_id == user.id)) if user else None
    mine_sheets = select(Sheet.application_id).where(Sheet.expert_id == (expert or -1))
    mine_evaluated = select(Evaluation.base_id).where(Evaluation.evaluator_id == (expert or -1))
    application = session.scalars(
        select(Application)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .where(
            Application.organisation_id != (org or -1),
            Organisation.district.is_distinct_from(district) if district else True,
            Application.id.not_in(mine_sheets),
            Application.id.in_(select(Attachment.application_id)),
        )
        .order_by(Application.id.desc())
    ).first()
    base = session.scalars(
        select(DesignatedBase)
        .where(
            DesignatedBase.organisation_id != (org or -1),
            DesignatedBase.district.is_distinct_from(district) if district else True,
            DesignatedBase.id.not_in(mine_evaluated),
        )
        .order_by(DesignatedBase.id)
    ).first()
    if application is None or base is None:
        return None  # this account touches everything of a kind: try another of its role
    attachment = session.scalar(
        select(Attachment.id).where(Attachment.application_id == application.id).limit(1)
    )
    base_file = session.scalar(select(Attachment.id).where(Attachment.base_id.is_not(None)).limit(1))
    sheet = session.scalar(
        select(Sheet.id).where(
            Sheet.expert_id.is_distinct_from(expert), Sheet.application_id == application.id
        )
    ) or session.scalar(select(Sheet.id).where(Sheet.expert_id.is_distinct_from(expert)))
    evaluation = session.scalar(
        select(Evaluation.id)
        .join(DesignatedBase, DesignatedBase.id == Evaluation.base_id)
        .where(
            Evaluation.evaluator_id.is_distinct_from(expert), DesignatedBase.organisation_id != (org or -1)
        )
    )
    return {
        "application_id": application.id,
        "attachment_id": attachment,
        "base_attachment_id": base_file,
        "base_id": base.id,
        "sheet_id": sheet,
        "evaluation_id": evaluation,
        "expert_id": session.scalar(select(Expert.id).where(Expert.id.is_distinct_from(expert)).limit(1)),
        "round_id": application.round_id,
        "panel_id": session.scalar(select(Panel.id).where(Panel.round_id == application.round_id).limit(1))
        or session.scalar(select(Panel.id).limit(1)),
        "campaign_id": session.scalar(select(Campaign.id).limit(1)),
        "objection_id": session.scalar(select(Objection.id).limit(1)),
        "kind": "enterprise",
        "code": "en",
        "action": "start_deciding",
        # onboarding, notifications, integrity: another organisation, another user, another's notice
        "organisation_id": session.scalar(
            select(Organisation.id).where(Organisation.id != (org or -1)).order_by(Organisation.id.desc())
        ),
        "user_id": session.scalar(
            select(User.id)
            .where(User.id != (user.id if user else -1), User.organisation_id.is_distinct_from(org))
            .order_by(User.id.desc())
        ),
        "registration_id": session.scalar(select(Registration.id).limit(1)),
        "document_id": session.scalar(select(RoundDocument.id).limit(1)),
        "notification_id": session.scalar(
            select(Notification.id)
            .where(Notification.recipient_id.is_distinct_from(user.id if user else None))
            .limit(1)
        ),
        "delivery_id": session.scalar(select(Delivery.id).limit(1)),
        "commitment_id": session.scalar(select(DrawCommitment.id).limit(1)),
        "what": "organisations",
        "fmt": "csv",
    }


@pytest.fixture(scope="module")
def demo(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[Settings, Engine, list[tuple[str, str, str]]]]:
    from scoring.services.admin import passwords

    passwords.use_fast_hashing()
    tmp = tmp_path_factory.mktemp("matrix")
    db = f"sqlite:///{(tmp / 'demo.sqlite3').as_posix()}"
    migrate.upgrade(db)
    settings = Settings(
        environment="test", var_dir=tmp, database_url=db, secret_key=secrets.token_urlsafe(40)
    )
    engine = make_engine(db)
    seed_demo(make_sessionmaker(engine), settings=settings)
    lines = (tmp / "demo-accounts.txt").read_text(encoding="utf-8").splitlines()
    accounts = [tuple(line.split("\t")) for line in lines if line and not line.startswith("#")]
    yield settings, engine, accounts  # type: ignore[misc]
    engine.dispose()


def _caller(app: Any, engine: Engine, role: str, accounts: list[Any]) -> Caller:
    """The first account of the role for which other users' objects of every kind exist."""
    for account in accounts:
        with Session(engine) as session:
            user = None
            if account is not None:
                user = session.scalar(select(User).where(User.username == account[1]))
            ids = _others_ids(session, user)
        if ids is not None:
            return _logged_in(app, role, account, ids)
    raise AssertionError(f"no {role} account for which others' objects exist")


def _logged_in(app: Any, role: str, account: tuple[str, str, str] | None, ids: dict[str, Any]) -> Caller:
    api = TestClient(app, raise_server_exceptions=False)
    web = TestClient(app, raise_server_exceptions=False, follow_redirects=False)
    if account is not None:
        _role, username, password = account
        token = api.post("/api/v1/auth/token", json={"username": username, "password": password})
        assert token.status_code == 200, token.text
        api.headers["Authorization"] = f"Bearer {token.json()['access_token']}"
        login_form = _CSRF.search(web.get("/login").text)
        assert login_form
        done = web.post(
            "/login", data={"username": username, "password": password, "csrf_token": login_form.group(1)}
        )
        assert done.status_code == 303, done.text
    home = web.get("/login" if account is None else "/")
    found = _CSRF.search(home.text)
    csrf = found.group(1) if found else ""
    return Caller(role, api, web, csrf, ids)


def _call(caller: Caller, method: str, path: str) -> tuple[int, str]:
    ids = dict(caller.ids)
    if "/bases/" in path and "attachment_id" in path:
        ids["attachment_id"] = ids["base_attachment_id"]
    if "/notifications/templates/" in path:
        ids["kind"] = "panel_assigned"
    url = _PARAM.sub(lambda m: str(ids[m.group(1)]), path)
    if path.endswith(("/ranking", "/export.csv", "/export.xlsx")):
        url += "?kind=enterprise"
    page = not path.startswith("/api/") and path != "/healthz"
    if page:
        data = {"csrf_token": caller.csrf} if method == "POST" else None
        resp = caller.web.request(method, url, data=data)
    else:
        body = {} if method in ("POST", "PUT") else None
        resp = caller.api.request(method, url, json=body)
    return resp.status_code, resp.headers.get("location", "")


def _accepted(status: int, location: str) -> bool:
    return 200 <= status < 300 or (300 <= status < 400 and not location.startswith("/login"))


def test_every_route_is_in_the_matrix(demo: Any) -> None:
    from api.app import create_app

    settings, engine, _ = demo
    served = set(_served_routes(create_app(settings, engine=engine)))
    assert sorted(served - set(ALLOWED)) == [], "routes without a decision in ALLOWED"
    assert sorted(set(ALLOWED) - served) == [], "ALLOWED lists routes that are no longer served"


def test_no_role_is_accepted_on_other_users_objects_beyond_the_matrix(demo: Any) -> None:
    from api.app import create_app

    settings, engine, accounts = demo
    app = create_app(settings, engine=engine)
    by_role: dict[str, list[tuple[str, str, str]]] = {}
    for account in accounts:
        by_role.setdefault(account[0], []).append(account)
    routes = sorted(_served_routes(app), key=lambda r: r[1] in ("/logout", "/api/v1/auth/logout"))
    unexpected: list[str] = []
    calls = 0
    for role in ROLES:
        caller = _caller(app, engine, role, by_role.get(role, [None]))
        for method, path in routes:
            status, location = _call(caller, method, path)
            calls += 1
            if status >= 500:
                unexpected.append(f"{role:<10} {method} {path}: {status}")
            elif _accepted(status, location) != (role in ALLOWED[(method, path)]):
                unexpected.append(f"{role:<10} {method} {path}: {status} {location}")
    assert unexpected == [], "\n".join(unexpected)
    assert calls == len(ROLES) * len(routes)


def _security_headers_problems(label: str, resp: Any, *, logged_in: bool) -> list[str]:
    from api.edge.downloads import DOWNLOAD_CSP, PREVIEW_CSP
    from api.edge.headers import CSP, DOCS_CSP

    h = resp.headers
    wanted = {
        "x-frame-options": "DENY",
        "x-content-type-options": "nosniff",
        "referrer-policy": "same-origin",
        "cross-origin-opener-policy": "same-origin",
    }
    problems = [f"{label}: {k}={h.get(k)!r}" for k, v in wanted.items() if h.get(k) != v]
    if h.get("content-security-policy") not in (CSP, DOCS_CSP, DOWNLOAD_CSP, PREVIEW_CSP):
        problems.append(f"{label}: content-security-policy={h.get('content-security-policy')!r}")
    if "frame-ancestors 'none'" not in h.get("content-security-policy", ""):
        problems.append(f"{label}: may be framed")
    if "camera=()" not in h.get("permissions-policy", ""):
        problems.append(f"{label}: permissions-policy={h.get('permissions-policy')!r}")
    if (logged_in or "set-cookie" in h) and "no-store" not in h.get("cache-control", ""):
        problems.append(f"{label}: cache-control={h.get('cache-control')!r}")
    return problems


def test_every_kind_of_response_carries_the_security_headers_for_every_role(demo: Any) -> None:
    """JSON, pages, files, errors, redirects, 404/405 and HEAD, as each role (issue 16, "Headers")."""
    from api.app import create_app

    settings, engine, accounts = demo
    app = create_app(settings, engine=engine)
    by_role: dict[str, list[tuple[str, str, str]]] = {}
    for account in accounts:
        by_role.setdefault(account[0], []).append(account)
    problems: list[str] = []
    seen: set[tuple[str, int | str]] = set()
    for role in ROLES:
        caller = _caller(app, engine, role, by_role.get(role, [None]))
        ids = caller.ids
        api_calls = [
            ("GET", "/api/v1/me"),
            ("GET", "/api/v1/public/bases"),
            ("GET", "/api/v1/openapi.json"),
            ("GET", f"/api/v1/applications/{ids['application_id']}"),
            ("GET", "/api/v1/applications/999999999"),
            ("GET", "/api/v1/applications/not-a-number"),
            ("PUT", "/api/v1/me"),
            ("GET", f"/api/v1/attachments/{ids['attachment_id']}"),
            ("GET", f"/api/v1/rounds/{ids['round_id']}/export.csv?kind=enterprise"),
            ("HEAD", "/api/v1/public/bases"),
            ("GET", "/healthz"),
        ]
        page_calls = [
            ("GET", "/"),
            ("GET", "/login"),
            ("GET", "/staff"),
            ("GET", "/lang/en"),
            ("GET", f"/files/{ids['attachment_id']}"),
            ("GET", "/no-such-page"),
            ("PUT", "/login"),
            ("HEAD", "/"),
            ("GET", "/api/v1/docs"),
            ("GET", "/static/css/app.css"),
        ]
        for client, calls in ((caller.api, api_calls), (caller.web, page_calls)):
            for method, url in calls:
                resp = client.request(method, url, follow_redirects=False)
                seen.add(("status", resp.status_code))
                seen.add(("type", resp.headers.get("content-type", "").split(";")[0]))
                credentials = role != "anonymous" and not url.startswith("/static/")
                problems += _security_headers_problems(
                    f"{role} {method} {url} -> {resp.status_code}", resp, logged_in=credentials
                )
    assert problems == []
    # The walk met every kind of response it means to check.
    for status in (200, 303, 401, 404, 405, 422):
        assert ("status", status) in seen, status
    for media in ("application/json", "text/html", "application/pdf", "text/csv", "text/css"):
        assert ("type", media) in seen, media
