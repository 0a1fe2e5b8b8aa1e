"""Typed ORM models. Relationships are lazy="raise" so a missing eager load fails loudly in tests."""

from scoring.store.models import notifications as notifications  # registers the notification tables
from scoring.store.models.accounts import AuthSession, Organisation, User
from scoring.store.models.aggregates import PanelAggregate
from scoring.store.models.audit import AuditEvent
from scoring.store.models.bases import (
    BaseEvent,
    BaseFigureCorrection,
    BaseYearFigures,
    Campaign,
    DesignatedBase,
    Evaluation,
    Rectification,
    Revocation,
)
from scoring.store.models.documents import IssuedDocument, PanelDiscussion
from scoring.store.models.integrity import AuditCheckpoint, DrawCommitment
from scoring.store.models.onboarding import Registration, RoundDocument
from scoring.store.models.panels import Expert, Panel, PanelExclusion, PanelMember, Sheet
from scoring.store.models.rounds import Application, Attachment, Objection, Round
from scoring.store.models.rubrics import RubricVersion
from scoring.store.models.security import LoginThrottle

__all__ = [
    "Application",
    "Attachment",
    "AuditCheckpoint",
    "AuditEvent",
    "AuthSession",
    "BaseEvent",
    "BaseFigureCorrection",
    "BaseYearFigures",
    "Campaign",
    "DesignatedBase",
    "DrawCommitment",
    "Evaluation",
    "Expert",
    "IssuedDocument",
    "LoginThrottle",
    "Objection",
    "Organisation",
    "Panel",
    "PanelAggregate",
    "PanelDiscussion",
    "PanelExclusion",
    "PanelMember",
    "Rectification",
    "Registration",
    "Revocation",
    "Round",
    "RoundDocument",
    "RubricVersion",
    "Sheet",
    "User",
]
