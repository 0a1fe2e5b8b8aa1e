"""An applicant organisation's record, for the city DRC's formal check and application pages: its past
applications (with the final score once the round is published), its bases, rectifications and revocations."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from pydantic import ConfigDict
from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.errors import NotFound
from scoring.core.lifecycle import RoundStatus
from scoring.core.permissions.designation import can_formal_check
from scoring.core.schema import Schema
from scoring.services.review import ranking as ranking_service
from scoring.store.models import Application, DesignatedBase, Organisation, Rectification, Revocation, Round

_FROZEN = ConfigDict(frozen=True)


class PastApplication(Schema):
    model_config = _FROZEN

    id: int
    round_id: int
    round_title: str
    year: int
    kind: str
    title: str
    status: str
    status_reason: str | None
    final_score: Decimal | None  # only once the round's list is published; exact, shown to 2 places


class BaseRecord(Schema):
    model_config = _FROZEN

    id: int
    kind: str
    name: str
    status: str
    designated_on: date
    document_no: str
    revoked_on: date | None
    revocation_document_no: str | None


class RectificationRecord(Schema):
    model_config = _FROZEN

    id: int
    base_id: int
    base_name: str
    reasons: str
    deadline: date
    status: str
    issued_on: date


class RevocationRecord(Schema):
    model_config = _FROZEN

    id: int
    base_id: int
    base_name: str
    reason: str
    status: str
    proposed_on: date
    document_no: str | None
    decided_on: date | None


class OrganisationHistory(Schema):
    model_config = _FROZEN

    organisation_id: int
    name: str
    applications: list[PastApplication]
    bases: list[BaseRecord]
    rectifications: list[RectificationRecord]
    revocations: list[RevocationRecord]

    @property
    def empty(self) -> bool:
        return not (self.applications or self.bases or self.rectifications or self.revocations)


def organisation_history(
    session: Session, *, actor: Actor, organisation_id: int, except_application_id: int | None = None
) -> OrganisationHistory:
    """City staff only (anyone else: 404). Newest first; the application being checked left out."""
    org = session.get(Organisation, organisation_id)
    if not can_formal_check(actor) or org is None:
        raise NotFound()
    apps = session.execute(
        select(Application, Round)
        .join(Round, Round.id == Application.round_id)
        .where(Application.organisation_id == organisation_id)
        .order_by(Round.year.desc(), Application.id.desc())
    ).all()
    past = [
        PastApplication(
            id=app.id,
            round_id=rnd.id,
            round_title=rnd.title,
            year=rnd.year,
            kind=app.kind,
            title=app.title,
            status=app.status,
            status_reason=app.status_reason,
            final_score=_published_final(session, rnd, app),
        )
        for app, rnd in apps
        if app.id != except_application_id
    ]
    bases = list(
        session.scalars(
            select(DesignatedBase)
            .where(DesignatedBase.organisation_id == organisation_id)
            .order_by(DesignatedBase.designated_on.desc(), DesignatedBase.id.desc())
        )
    )
    names = {b.id: b.name for b in bases}
    ids = list(names)
    rects = (
        session.scalars(
            select(Rectification).where(Rectification.base_id.in_(ids)).order_by(Rectification.id.desc())
        ).all()
        if ids
        else []
    )
    revs = (
        session.scalars(
            select(Revocation).where(Revocation.base_id.in_(ids)).order_by(Revocation.id.desc())
        ).all()
        if ids
        else []
    )
    return OrganisationHistory(
        organisation_id=org.id,
        name=org.name,
        applications=past,
        bases=[
            BaseRecord(
                id=b.id,
                kind=b.kind,
                name=b.name,
                status=b.status,
                designated_on=b.designated_on,
                document_no=b.document_no,
                revoked_on=b.revoked_on,
                revocation_document_no=b.revocation_document_no,
            )
            for b in bases
        ],
        rectifications=[
            RectificationRecord(
                id=r.id,
                base_id=r.base_id,
                base_name=names[r.base_id],
                reasons=r.reasons,
                deadline=r.deadline,
                status=r.status,
                issued_on=r.issued_at.date(),
            )
            for r in rects
        ],
        revocations=[
            RevocationRecord(
                id=v.id,
                base_id=v.base_id,
                base_name=names[v.base_id],
                reason=v.reason,
                status=v.status,
                proposed_on=v.proposed_at.date(),
                document_no=v.document_no,
                decided_on=v.decided_on,
            )
            for v in revs
        ],
    )


def _published_final(session: Session, rnd: Round, app: Application) -> Decimal | None:
    """The final score as published (the round's list is out); before that, none is shown."""
    if rnd.status != RoundStatus.PUBLISHED:
        return None
    row = ranking_service.compute_ranking(session, rnd, app.kind).row(app.id)
    return row.final if row is not None else None
