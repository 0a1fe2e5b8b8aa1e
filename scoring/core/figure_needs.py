"""Which declared figures an application must give: every figure a gate or a data indicator reads.

A declared 0 is a value; a missing figure would silently score 0 points, so it is required instead.
"""

from __future__ import annotations

from collections.abc import Iterable

from criteria.schema import Rubric, Rule


def _rules(rubric: Rubric) -> Iterable[Rule]:
    gates = {gate.code: gate for gate in rubric.gates}
    yield from rubric.gates
    for ind in rubric.indicators():
        if ind.rule is not None:
            yield ind.rule
        if ind.gate is not None and ind.gate in gates:
            yield gates[ind.gate]


def scored_figure_codes(rubric: Rubric) -> list[str]:
    """The declared figures the gates and data indicators read (a computed figure stands for the two
    it is made of), in the order first read, each once."""
    codes: list[str] = []
    for rule in _rules(rubric):
        for code in rule.figures:
            figure = rubric.figure(code)
            for declared in figure.computed.of if figure.computed is not None else (code,):
                if declared not in codes:
                    codes.append(declared)
    return codes
