"""What an application must hold before it may be submitted, and which figures its gates read."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

from criteria.schema import Gate, Rubric
from scoring.core.figure_needs import scored_figure_codes
from scoring.core.i18n import Msg, msg


def gate_figure_codes(rubric: Rubric, gates: Sequence[Gate] | None = None) -> list[str]:
    """The declared figures the gates read (a computed figure stands for the two it is made of),
    in rubric order, each once."""
    codes: list[str] = []
    for gate in rubric.gates if gates is None else gates:
        for code in gate.figures:
            figure = rubric.figure(code)
            for declared in figure.computed.of if figure.computed is not None else (code,):
                if declared not in codes:
                    codes.append(declared)
    return codes


def missing_for_submission(
    rubric: Rubric,
    *,
    title: str,
    plan: str,
    figures: Mapping[str, str],
    narratives: Mapping[str, str],
    evidenced: Collection[str],
) -> dict[str, Msg]:
    """Everything still missing before the application may be submitted, keyed by field path;
    `evidenced` holds the indicator codes that have at least one evidence file."""
    missing: dict[str, Msg] = {}
    required = msg("is required")
    if not title.strip():
        missing["title"] = required
    if not plan.strip():
        missing["plan"] = required
    for code in scored_figure_codes(rubric):  # a data indicator reads it too: missing is not 0
        if figures.get(code) in (None, ""):
            missing[f"figures.{code}"] = required
    for ind in rubric.indicators():
        if ind.kind == "expert" and not narratives.get(ind.code, "").strip():
            missing[f"narratives.{ind.code}"] = required
        if ind.evidence_required and ind.code not in evidenced:
            missing[f"attachments.{ind.code}"] = msg("an evidence file is required")
    return missing
