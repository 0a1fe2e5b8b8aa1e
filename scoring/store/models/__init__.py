"""Typed ORM models. Relationships are lazy="raise" so a missing eager load fails loudly in tests."""

from scoring.store.models.accounts import AuthSession, Organisation, User
from scoring.store.models.audit import AuditEvent
from scoring.store.models.bases import (
    BaseEvent,
    BaseYearFigures,
    Campaign,
    DesignatedBase,
    Evaluation,
    Rectification,
    Revocation,
)
from scoring.store.models.documents import IssuedDocument, PanelDiscussion
from scoring.store.models.panels import Expert, Panel, PanelExclusion, PanelMember, Sheet
from scoring.store.models.rounds import Application, Attachment, Objection, Round
from scoring.store.models.rubrics import RubricVersion

__all__ = [
    "Application",
    "Attachment",
    "AuditEvent",
    "AuthSession",
    "BaseEvent",
    "BaseYearFigures",
    "Campaign",
    "DesignatedBase",
    "Evaluation",
    "Expert",
    "IssuedDocument",
    "Objection",
    "Organisation",
    "Panel",
    "PanelDiscussion",
    "PanelExclusion",
    "PanelMember",
    "Rectification",
    "Revocation",
    "Round",
    "RubricVersion",
    "Sheet",
    "User",
]
