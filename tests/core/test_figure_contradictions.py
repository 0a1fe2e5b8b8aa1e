"""Figures that contradict each other: a part larger than its total, named with both figures."""

from __future__ import annotations

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from criteria.load import shipped_rubric
from scoring.core.figures import contradictions, share_pairs

REGIONAL = shipped_rubric("regional")
ENTERPRISE = shipped_rubric("enterprise")


def test_the_pairs_are_the_share_rules_figures() -> None:
    assert share_pairs(REGIONAL) == [("key_projects_hightech", "key_projects_total")]
    assert share_pairs(ENTERPRISE) == []


def test_sixty_of_fifty_names_both_figures_and_both_values() -> None:
    found = contradictions(REGIONAL, {"key_projects_hightech": D("60"), "key_projects_total": D("50")})
    assert list(found) == ["figures.key_projects_hightech"]
    problem = found["figures.key_projects_hightech"]
    assert problem.render("zh_CN") == (
        "“其中高新技术及战略性新兴产业项目数”（60）大于“重点建设项目数”（50），"
        "而前者是后者的一部分，两项数据相互矛盾，请更正其中一项"
    )
    assert problem.render("en") == (
        "“Of which high-tech and strategic emerging industry projects” (60) is larger than "
        "“Key construction projects” (50), of which it is a part: the two figures contradict each "
        "other; correct one of them"
    )


def test_a_missing_figure_contradicts_nothing() -> None:
    assert contradictions(REGIONAL, {"key_projects_hightech": D("60"), "key_projects_total": None}) == {}
    assert contradictions(REGIONAL, {"key_projects_hightech": D("60")}) == {}


@given(total=st.integers(min_value=0, max_value=10_000), over=st.integers(min_value=-10_000, max_value=10))
def test_only_a_part_above_its_total_contradicts(total: int, over: int) -> None:
    part = max(0, total + over)
    found = contradictions(REGIONAL, {"key_projects_hightech": D(part), "key_projects_total": D(total)})
    assert (list(found) == ["figures.key_projects_hightech"]) is (part > total)
