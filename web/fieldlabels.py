"""The words for a form field in an error summary, so no page shows a field's key ("title:", "scores.x")."""

from __future__ import annotations

from scoring.core.i18n import Msg, pmsg

# pmsg literals, so the message extractor (and tests/foundation/test_i18n.py) sees every one of them
LABELS: dict[str, Msg] = {
    "title": pmsg("field", "title"),
    "reason": pmsg("field", "reason"),
    "reasons": pmsg("field", "reasons"),
    "comments": pmsg("field", "comments"),
    "plan": pmsg("field", "plan"),
    "name": pmsg("field", "name"),
    "contact": pmsg("field", "contact"),
    "text": pmsg("field", "text"),
    "kind": pmsg("field", "kind"),
    "year": pmsg("field", "year"),
    "round_id": pmsg("field", "round"),
    "application_id": pmsg("field", "application"),
    "campaign_id": pmsg("field", "campaign"),
    "district": pmsg("field", "district"),
    "document_no": pmsg("field", "document number"),
    "approved_on": pmsg("field", "approval date"),
    "decided_on": pmsg("field", "decision date"),
    "deadline": pmsg("field", "deadline"),
    "figures_year": pmsg("field", "year of the figures"),
    "indicator_code": pmsg("field", "indicator"),
    "file": pmsg("field", "file"),
    "username": pmsg("field", "user name"),
    "password": pmsg("field", "password"),
    "credit_code": pmsg("field", "unified social credit code"),
    "pool": pmsg("field", "expert pool"),
    "fields": pmsg("field", "fields of expertise"),
    "size": pmsg("field", "panel size"),
    "reserves": pmsg("field", "reserve experts"),
    "cooling_off_years": pmsg("field", "cooling-off period after a revocation"),
    "seed": pmsg("field", "draw seed"),
    "decision": pmsg("field", "decision"),
    "designate": pmsg("field", "designated applications"),
    "no_conflict": pmsg("field", "declaration"),
    "declared_conflict_org_ids": pmsg("field", "declared conflicts"),
    "expert_ids": pmsg("field", "experts"),
    "evaluator_ids": pmsg("field", "evaluators"),
    "excellent": pmsg("field", "threshold for excellent"),
    "pass": pmsg("field", "threshold for pass"),
    "purpose": pmsg("field", "purpose"),
    "status": pmsg("field", "status"),
    "version": pmsg("field", "version"),
    "action": pmsg("field", "action"),
    "scores": pmsg("field", "scores"),
    "figures": pmsg("field", "declared figures"),
    "narratives": pmsg("field", "narratives"),
    "references": pmsg("field", "reference values"),
    "quotas": pmsg("field", "quotas"),
    "deadlines": pmsg("field", "deadlines"),
    "kinds": pmsg("field", "kinds"),
    "strata": pmsg("field", "expert fields of the panel"),
    "secret": pmsg("field", "secret of the commitment"),
}
# Paths whose second part is the user's own word (an expert field), shown as it was typed.
FREE_KEYS = frozenset({"strata"})


def field_label(path: str, locale: str, names: dict[str, str] | None = None) -> str:
    """`title` → 「名称」; `scores.r1_1` → 「评分 · <indicator name>」 given `names`, else 「评分」."""
    head, _, rest = path.partition(".")
    if rest and names and rest in names:
        group = LABELS.get(head)
        return f"{group.render(locale)} · {names[rest]}" if group else names[rest]
    if rest and head in FREE_KEYS:
        return f"{LABELS[head].render(locale)} · {rest}"
    label = LABELS.get(path) or LABELS.get(head) or LABELS.get(path.rpartition(".")[2])
    return label.render(locale) if label is not None else ""
