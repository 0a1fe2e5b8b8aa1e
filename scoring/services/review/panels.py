"""Random panel draws (随机抽取) with conflicts excluded, reserves called in when an expert declines.

The draw itself is pure (scoring.core.draw); this module feeds it the active pool and the round's
accepted applications, stores what it drew (with its inputs, so it can be replayed from the seed),
creates one sheet per assignment and moves the applications under review.

Over 400 lines: drawing, extending and replacing reserves share the panel's stored draw inputs;
splitting them would spread one replayable record over modules.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from scoring.core.actors import Actor
from scoring.core.draw import (
    DECLARED_CONFLICT,
    SAME_AFFILIATION,
    SAME_DISTRICT,
    DrawApplication,
    DrawResult,
    InvalidPanelSize,
    PoolExpert,
    PoolTooSmall,
    conflict_reasons,
    draw_panel,
    next_reserve,
    validate_panel_size,
)
from scoring.core.errors import Conflict, InvalidTransition, NotFound, ValidationFailed, invalid
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import APPLICATION_TRANSITIONS, ApplicationStatus, SheetStatus, transition
from scoring.core.permissions.review import can_manage_review
from scoring.services.admin.notifications import events as notices
from scoring.services.review.schemas import DrawIn, Exclusion, ExpertRef, ExtendIn, PanelOut
from scoring.store import audit
from scoring.store.db import utcnow
from scoring.store.models import (
    Application,
    Expert,
    Organisation,
    Panel,
    PanelExclusion,
    PanelMember,
    Round,
    Sheet,
    User,
)

SEED_BITS = 48  # a fresh seed fits a JavaScript number exactly, so every client can show and re-enter it
REASON_TEXT: dict[str, Msg] = {
    SAME_AFFILIATION: msg("works for the applicant"),
    SAME_DISTRICT: msg("is from the same district as the applicant (regional bases)"),
    DECLARED_CONFLICT: msg("declared a conflict of interest with the applicant"),
}


# ---- shared with the sheets service ------------------------------------------------------------


def move_application(
    session: Session, *, actor: Actor, app: Application, action: str, reason: str | None = None
) -> None:
    """One review transition of an application (assign_panel, complete_scoring, reopen_sheet), audited."""
    before = app.status
    app.status = transition(APPLICATION_TRANSITIONS, app.status, action)
    app.version += 1
    app.updated_at = utcnow()
    session.flush()
    audit.record(
        session,
        actor=actor,
        action=f"application.{action}",
        entity="application",
        entity_id=app.id,
        before={"status": before},
        after={"status": app.status, "version": app.version},
        reason=reason,
    )


# ---- inputs of a draw --------------------------------------------------------------------------


def _pool_expert(expert: Expert) -> PoolExpert:
    return PoolExpert(
        expert_id=expert.id,
        affiliation_org_id=expert.organisation_id,
        district=expert.district,
        declared_conflict_org_ids=frozenset(expert.declared_conflict_org_ids),
        fields=frozenset(expert.fields or ()),
    )


def eligible_pool(session: Session) -> list[PoolExpert]:
    """Active pool experts (not evaluators) with an active login: they can sign and score online."""
    rows = session.scalars(
        select(Expert)
        .join(User, User.id == Expert.user_id)
        .where(Expert.pool == "expert", Expert.is_active.is_(True), User.is_active.is_(True))
        .order_by(Expert.id)
    )
    return [_pool_expert(e) for e in rows]


def _draw_application(app_id: int, org_id: int, district: str | None) -> DrawApplication:
    return DrawApplication(application_id=app_id, org_id=org_id, district=district)


def _accepted_applications(session: Session, *, round_id: int, kind: str) -> list[Application]:
    return list(
        session.scalars(
            select(Application)
            .where(
                Application.round_id == round_id,
                Application.kind == kind,
                Application.status == ApplicationStatus.ACCEPTED,
            )
            .order_by(Application.id)
            .with_for_update()
        )
    )


def _districts(session: Session, org_ids: Iterable[int]) -> dict[int, str | None]:
    ids = set(org_ids)
    if not ids:
        return {}
    return {
        i: d
        for i, d in session.execute(
            select(Organisation.id, Organisation.district).where(Organisation.id.in_(ids))
        )
    }


def _inputs_doc(pool: Sequence[PoolExpert], apps: Sequence[DrawApplication]) -> dict[str, Any]:
    return {
        "pool": [
            {
                "expert_id": e.expert_id,
                "affiliation_org_id": e.affiliation_org_id,
                "district": e.district,
                "declared_conflict_org_ids": sorted(e.declared_conflict_org_ids),
                "fields": sorted(e.fields),
            }
            for e in pool
        ],
        "applications": [
            {"application_id": a.application_id, "org_id": a.org_id, "district": a.district} for a in apps
        ],
    }


def _inputs_from_doc(doc: dict[str, Any]) -> tuple[list[PoolExpert], list[DrawApplication]]:
    pool = [
        PoolExpert(
            expert_id=int(e["expert_id"]),
            affiliation_org_id=e["affiliation_org_id"],
            district=e["district"],
            declared_conflict_org_ids=frozenset(int(x) for x in e["declared_conflict_org_ids"]),
            fields=frozenset(e.get("fields", ())),
        )
        for e in doc["pool"]
    ]
    apps = [
        _draw_application(int(a["application_id"]), int(a["org_id"]), a["district"])
        for a in doc["applications"]
    ]
    return pool, apps


# ---- the draw ----------------------------------------------------------------------------------


def _size_problem(exc: InvalidPanelSize) -> Msg:
    if exc.problem == "even":
        return msg("must be an odd number, so that a panel always has a majority")
    return msg("must be between %(min)s and %(max)s", min=exc.min_size, max=exc.max_size)


def _pool_too_small(exc: PoolTooSmall) -> Conflict:
    return Conflict(
        msg(
            "The expert pool is too small for this draw: %(missing)s eligible expert(s) are missing "
            "(at least %(needed)s more expert(s) without a conflict are needed). Add experts to the pool "
            "or choose a smaller panel.",
            missing=exc.total_missing or exc.size - exc.pool_size,
            needed=exc.more_experts_needed,
        ),
        fields={
            f"applications.{app_id}": msg("%(count)s eligible expert(s) missing", count=n)
            for app_id, n in exc.missing_by_application.items()
        },
        code="pool_too_small",
    )


def draw(session: Session, *, actor: Actor, round_id: int, data: DrawIn) -> Panel:
    """Draw the panel of one kind of a round in review and hand out the sheets."""
    if not can_manage_review(actor):
        raise NotFound()
    rnd = session.scalar(select(Round).where(Round.id == round_id).with_for_update())
    if rnd is None:
        raise NotFound()
    if data.kind not in rnd.kinds:
        raise invalid("kind", msg("is not a kind this round opens"))
    size = rnd.panel_size if data.size is None else data.size
    try:
        validate_panel_size(size)
    except InvalidPanelSize as exc:
        raise invalid("size", _size_problem(exc)) from None
    reserves = rnd.reserves if data.reserves is None else data.reserves
    if rnd.status != "reviewing":
        raise InvalidTransition(
            msg(
                "Panels are drawn while the round is in review; it is now “%(state)s”.",
                state=Msg(rnd.status.replace("_", " ")),
            )
        )
    existing = session.scalar(select(Panel.id).where(Panel.round_id == rnd.id, Panel.kind == data.kind))
    if existing is not None:
        raise Conflict(
            msg("A panel has already been drawn for this kind in this round (panel %(id)s).", id=existing),
            code="panel_exists",
        )
    apps = _accepted_applications(session, round_id=rnd.id, kind=data.kind)
    if not apps:
        raise Conflict(
            msg("No application of this kind has passed the formal check in this round: nothing to review."),
            code="nothing_to_review",
        )
    districts = _districts(session, (a.organisation_id for a in apps))
    draw_apps = [_draw_application(a.id, a.organisation_id, districts.get(a.organisation_id)) for a in apps]
    pool = eligible_pool(session)
    seed = data.seed if data.seed is not None else secrets.randbits(SEED_BITS)
    try:
        result = draw_panel(
            pool, draw_apps, kind=data.kind, size=size, reserves=reserves, seed=seed, strata=data.strata
        )
    except PoolTooSmall as exc:
        raise _pool_too_small(exc) from None

    panel = Panel(
        round_id=rnd.id,
        kind=data.kind,
        size=size,
        reserves=len(result.reserves),
        seed=seed,
        result=result.as_dict()
        | {"inputs": _inputs_doc(pool, draw_apps), "replacements": [], "strata": data.strata or {}},
        drawn_by_id=actor.user_id,
    )
    session.add(panel)
    session.flush()
    session.add_all(
        PanelMember(panel_id=panel.id, expert_id=expert_id, position=i, is_reserve=i > size)
        for i, expert_id in enumerate(result.members + result.reserves, start=1)
    )
    session.add_all(
        PanelExclusion(
            panel_id=panel.id, expert_id=e.expert_id, application_id=e.application_id, reason=e.reason
        )
        for e in result.exclusions
    )
    sheets = [
        Sheet(panel_id=panel.id, application_id=app_id, expert_id=expert_id, status=SheetStatus.ASSIGNED)
        for app_id, expert_ids in result.assignments.items()
        for expert_id in expert_ids
    ]
    session.add_all(sheets)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="panel.draw",
        entity="panel",
        entity_id=panel.id,
        after={
            "round_id": rnd.id,
            "kind": data.kind,
            "seed": seed,
            "size": size,
            "reserves_requested": reserves,
            "members": list(result.members),
            "reserves": list(result.reserves),
            "exclusions": [
                {"expert_id": e.expert_id, "application_id": e.application_id, "reason": e.reason}
                for e in result.exclusions
            ],
            "assignments": {str(k): list(v) for k, v in result.assignments.items()},
            "sheets": len(sheets),
        },
    )
    notices.sheets_assigned(session, sheets)
    for app in apps:
        move_application(session, actor=actor, app=app, action="assign_panel")
    return panel


# ---- replacements ------------------------------------------------------------------------------


def _fill(session: Session, *, panel: Panel, application: Application, wanted: int) -> list[Sheet]:
    """Up to `wanted` new sheets for an application from the panel's reserves, in reserve order.

    Skips reserves who hold any sheet for it (declined ones included), who have a conflict with it
    (recorded at the draw, or from their current affiliation, district and declarations), or who
    have left the pool.
    """
    reserve_ids = list(
        session.scalars(
            select(PanelMember.expert_id)
            .where(PanelMember.panel_id == panel.id, PanelMember.is_reserve.is_(True))
            .order_by(PanelMember.position)
        )
    )
    busy = set(session.scalars(select(Sheet.expert_id).where(Sheet.application_id == application.id)))
    conflicts: set[tuple[int, int]] = {
        (expert_id, application.id)
        for expert_id in session.scalars(
            select(PanelExclusion.expert_id).where(
                PanelExclusion.panel_id == panel.id, PanelExclusion.application_id == application.id
            )
        )
    }
    org = session.get(Organisation, application.organisation_id)
    target = _draw_application(application.id, application.organisation_id, org.district if org else None)
    for expert in session.scalars(select(Expert).where(Expert.id.in_(reserve_ids))):
        if not expert.is_active or conflict_reasons(_pool_expert(expert), target, kind=panel.kind):
            conflicts.add((expert.id, application.id))
    added: list[Sheet] = []
    for _ in range(wanted):
        candidate = next_reserve(reserve_ids, application.id, busy, conflicts)
        if candidate is None:
            break
        sheet = Sheet(
            panel_id=panel.id, application_id=application.id, expert_id=candidate, status=SheetStatus.ASSIGNED
        )
        session.add(sheet)
        busy.add(candidate)
        added.append(sheet)
    session.flush()
    return added


def _note_replacements(panel: Panel, entries: list[dict[str, Any]]) -> None:
    result = dict(panel.result)
    result["replacements"] = [*result.get("replacements", []), *entries]
    panel.result = result  # reassigned, so the JSON column is written


def replace_declined(session: Session, *, sheet: Sheet, application: Application) -> Sheet | None:
    """The next reserve's new sheet for the application of a declined sheet, or None if none is left.

    Part of the declaration's change (the caller audits it); the panel row is locked so two declines
    at once append their replacements one after the other.
    """
    panel = session.scalar(
        select(Panel)
        .where(Panel.id == sheet.panel_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    assert panel is not None  # foreign key
    added = _fill(session, panel=panel, application=application, wanted=1)
    replacement = added[0] if added else None
    _note_replacements(
        panel,
        [
            {
                "application_id": application.id,
                "declined_sheet_id": sheet.id,
                "declined_expert_id": sheet.expert_id,
                "expert_id": replacement.expert_id if replacement else None,
                "sheet_id": replacement.id if replacement else None,
                "at": utcnow().isoformat(),
            }
        ],
    )
    notices.sheets_assigned(session, added)
    session.flush()
    return replacement


def extend_panel(session: Session, *, actor: Actor, panel_id: int, data: ExtendIn) -> list[Sheet]:
    """Add pool experts as further reserves, then give every short application its missing sheets."""
    if not can_manage_review(actor):
        raise NotFound()
    panel = session.scalar(select(Panel).where(Panel.id == panel_id).with_for_update())
    if panel is None:
        raise NotFound()
    on_panel = set(session.scalars(select(PanelMember.expert_id).where(PanelMember.panel_id == panel.id)))
    eligible = {e.expert_id for e in eligible_pool(session)}
    problems: dict[str, Msg] = {}
    for i, expert_id in enumerate(data.expert_ids):
        if expert_id in on_panel or data.expert_ids.index(expert_id) != i:
            problems[f"expert_ids.{i}"] = msg("is already on this panel")
        elif expert_id not in eligible:
            problems[f"expert_ids.{i}"] = msg("is not an active expert of the pool")
    if problems:
        raise ValidationFailed(fields=problems)
    last = session.scalar(select(func.max(PanelMember.position)).where(PanelMember.panel_id == panel.id)) or 0
    session.add_all(
        PanelMember(panel_id=panel.id, expert_id=expert_id, position=last + i, is_reserve=True)
        for i, expert_id in enumerate(data.expert_ids, start=1)
    )
    session.flush()
    panel.reserves += len(data.expert_ids)
    apps = session.scalars(
        select(Application)
        .where(
            Application.id.in_(select(Sheet.application_id).where(Sheet.panel_id == panel.id)),
            Application.status.in_(("under_review", "scored")),
        )
        .order_by(Application.id)
        .with_for_update()
    )
    added: list[Sheet] = []
    reopened: list[Application] = []
    for app in apps:
        counted = session.scalar(
            select(func.count())
            .select_from(Sheet)
            .where(Sheet.application_id == app.id, Sheet.status != "declined")
        )
        short = panel.size - (counted or 0)
        if short > 0:
            new = _fill(session, panel=panel, application=app, wanted=short)
            added += new
            if new and app.status == ApplicationStatus.SCORED:
                reopened.append(app)
    _note_replacements(
        panel,
        [
            {
                "application_id": s.application_id,
                "expert_id": s.expert_id,
                "sheet_id": s.id,
                "at": utcnow().isoformat(),
            }
            for s in added
        ],
    )
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="panel.extend",
        entity="panel",
        entity_id=panel.id,
        after={
            "added_reserves": list(data.expert_ids),
            "sheets": [
                {"id": s.id, "application_id": s.application_id, "expert_id": s.expert_id} for s in added
            ],
        },
    )
    notices.sheets_assigned(session, added)
    for app in reopened:
        move_application(session, actor=actor, app=app, action="reopen_sheet", reason="panel extended")
    return added


# ---- reading -----------------------------------------------------------------------------------


def replay(panel: Panel) -> bool:
    """Whether drawing again from the stored seed over the stored inputs gives the stored draw."""
    stored = panel.result
    try:
        pool, apps = _inputs_from_doc(stored["inputs"])
        again = draw_panel(
            pool,
            apps,
            kind=panel.kind,
            size=int(stored["size"]),
            reserves=int(stored["reserves_requested"]),
            seed=panel.seed,
            strata=stored.get("strata") or None,
        )
        return again == DrawResult.from_dict(stored) and int(stored["seed"]) == panel.seed
    except (KeyError, TypeError, ValueError):
        return False


@dataclass(frozen=True)
class PanelView:
    panel: Panel
    members: list[tuple[int, str, bool]]  # (expert id, name, is reserve) in position order
    exclusions: list[tuple[int, str, int, str]]  # (expert id, name, application id, reason)
    sheets: int
    reproducible: bool


def get_panel(session: Session, *, actor: Actor, panel_id: int) -> PanelView:
    if not can_manage_review(actor):
        raise NotFound()
    panel = session.get(Panel, panel_id)
    if panel is None:
        raise NotFound()
    return _view(session, panel)


def list_panels(session: Session, *, actor: Actor, round_id: int) -> list[PanelView]:
    if not can_manage_review(actor):
        raise NotFound()
    if session.get(Round, round_id) is None:
        raise NotFound()
    panels = session.scalars(select(Panel).where(Panel.round_id == round_id).order_by(Panel.id))
    return [_view(session, p) for p in panels]


def _view(session: Session, panel: Panel) -> PanelView:
    members = [
        (expert_id, name, is_reserve)
        for expert_id, name, is_reserve in session.execute(
            select(PanelMember.expert_id, Expert.name, PanelMember.is_reserve)
            .join(Expert, Expert.id == PanelMember.expert_id)
            .where(PanelMember.panel_id == panel.id)
            .order_by(PanelMember.position)
        )
    ]
    exclusions = [
        (expert_id, name, app_id, reason)
        for expert_id, name, app_id, reason in session.execute(
            select(
                PanelExclusion.expert_id, Expert.name, PanelExclusion.application_id, PanelExclusion.reason
            )
            .join(Expert, Expert.id == PanelExclusion.expert_id)
            .where(PanelExclusion.panel_id == panel.id)
            .order_by(PanelExclusion.application_id, PanelExclusion.expert_id, PanelExclusion.id)
        )
    ]
    sheets = session.scalar(select(func.count()).select_from(Sheet).where(Sheet.panel_id == panel.id)) or 0
    return PanelView(panel, members, exclusions, sheets, replay(panel))


def panel_out(view: PanelView) -> PanelOut:
    panel = view.panel
    return PanelOut(
        panel_id=panel.id,
        round_id=panel.round_id,
        kind=panel.kind,
        size=panel.size,
        seed=panel.seed,
        experts=[ExpertRef(id=i, name=n) for i, n, reserve in view.members if not reserve],
        reserves=[ExpertRef(id=i, name=n) for i, n, reserve in view.members if reserve],
        excluded=[
            Exclusion(
                expert=ExpertRef(id=i, name=n),
                application_id=app_id,
                reason=reason,
                reason_text=REASON_TEXT.get(reason, reason),
            )
            for i, n, app_id, reason in view.exclusions
        ],
        assignments={k: list(v) for k, v in panel.result.get("assignments", {}).items()},
        replacements=list(panel.result.get("replacements", [])),
        sheets=view.sheets,
        drawn_at=panel.drawn_at,
        drawn_by_id=panel.drawn_by_id,
        reproducible=view.reproducible,
    )
