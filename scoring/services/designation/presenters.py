"""Read models of the designation phase built from rows: rounds, gates, attachments, applications."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from scoring.core.gates import GateResult
from scoring.services.designation.schemas import (
    ApplicationOut,
    ApplicationSummary,
    AttachmentOut,
    DeadlinesOut,
    GateOut,
    OrganisationRef,
    RoundOut,
    Wording,
)
from scoring.store.models import Application, Attachment, Organisation, Round


@dataclass(frozen=True)
class ApplicationView:
    """What the detail page and the API show of one application (rows, before presentation)."""

    application: Application
    organisation: Organisation
    gates: list[GateResult]
    attachments: list[Attachment]


def iso(value: datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def points(value: Decimal) -> Decimal:
    """Points as shown: two places ("60.00"); inputs allow at most two, so this is exact."""
    return value.quantize(Decimal("0.01"))


def round_out(row: Round) -> RoundOut:
    return RoundOut(
        id=row.id,
        year=row.year,
        title=row.title,
        kinds=list(row.kinds),
        rubric_versions=dict(row.rubric_versions),
        references=dict(row.references),
        method=row.method,
        panel_size=row.panel_size,
        reserves=row.reserves,
        pass_line=points(row.pass_line),
        quotas=dict(row.quotas),
        outlier_threshold=points(row.outlier_threshold),
        deadlines=DeadlinesOut(
            application=iso(row.application_deadline),
            recommendation=iso(row.recommendation_deadline),
            scoring=iso(row.scoring_deadline),
        ),
        notice_days=row.notice_days,
        cooling_off_years=row.cooling_off_years,
        status=row.status,
        version=row.version,
    )


def gate_view(gate: GateResult) -> GateOut:
    return GateOut(
        code=gate.code,
        result=gate.result,
        detail=gate.detail,
        text=Wording(zh=gate.text_zh, en=gate.text_en),
        reason=gate.reason,
    )


def attachment_view(att: Attachment) -> AttachmentOut:
    return AttachmentOut(
        id=att.id,
        indicator_code=att.indicator_code,
        name=att.original_name,
        content_type=att.content_type,
        size=att.size_bytes,
        sha256=att.sha256,
        uploaded_at=iso(att.uploaded_at),
    )


def organisation_ref(org: Organisation) -> OrganisationRef:
    return OrganisationRef(id=org.id, name=org.name, district=org.district)


def _summary_fields(app: Application, org: Organisation) -> dict[str, Any]:
    return {
        "id": app.id,
        "round_id": app.round_id,
        "kind": app.kind,
        "organisation": organisation_ref(org),
        "title": app.title,
        "status": app.status,
        "status_reason": app.status_reason,
        "submitted_at": iso(app.submitted_at),
        "updated_at": iso(app.updated_at),
        "version": app.version,
    }


def application_summary(app: Application, org: Organisation) -> ApplicationSummary:
    return ApplicationSummary(**_summary_fields(app, org))


def application_out(view: ApplicationView) -> ApplicationOut:
    app = view.application
    return ApplicationOut(
        **_summary_fields(app, view.organisation),
        plan=app.plan,
        narratives=dict(app.narratives),
        figures=dict(app.figures),
        verified_figures=dict(app.verified_figures),
        gates=[gate_view(g) for g in view.gates],
        attachments=[attachment_view(a) for a in view.attachments],
        files_bytes=app.files_bytes,
        recommended_at=iso(app.recommended_at),
        checked_at=iso(app.checked_at),
        created_at=iso(app.created_at),
    )
