"""What an application must hold before submission, checked against the shipped rubrics."""

from __future__ import annotations

from criteria.load import shipped_rubric
from scoring.core.submission import gate_figure_codes, missing_for_submission


def test_the_gates_read_declared_figures_with_a_computed_one_standing_for_its_parts() -> None:
    assert gate_figure_codes(shipped_rubric("regional")) == [
        "key_projects_hightech",
        "key_projects_total",
        "rd_intensity",
        "hightech_share_prev",
        "hightech_share",
    ]
    assert gate_figure_codes(shipped_rubric("university")) == ["innovation_platforms"]


def test_an_empty_enterprise_application_misses_every_required_part() -> None:
    rubric = shipped_rubric("enterprise")
    missing = missing_for_submission(rubric, title=" ", plan="", figures={}, narratives={}, evidenced=())
    expert = ["e1_1", "e1_2", "e1_3", "e1_4", "e2_1", "e3_1", "e3_2", "e3_3", "e3_4", "e4_1"]
    assert {path: str(rule) for path, rule in missing.items()} == {
        "title": "is required",
        "plan": "is required",
        "figures.rd_platforms": "is required",
        **{f"narratives.{code}": "is required" for code in expert},
        **{f"attachments.{code}": "an evidence file is required" for code in [*expert, "e4_2"]},
    }


def test_a_complete_application_misses_nothing() -> None:
    rubric = shipped_rubric("enterprise")
    codes = [ind.code for ind in rubric.indicators()]
    assert (
        missing_for_submission(
            rubric,
            title="某企业双创示范基地",
            plan="建设方案",
            figures={"rd_platforms": "3"},
            narratives={code: "说明" for code in codes},
            evidenced=set(codes),
        )
        == {}
    )


def test_a_blank_figure_or_narrative_counts_as_missing() -> None:
    rubric = shipped_rubric("enterprise")
    codes = [ind.code for ind in rubric.indicators()]
    missing = missing_for_submission(
        rubric,
        title="某企业",
        plan="方案",
        figures={"rd_platforms": ""},
        narratives={code: "说明" for code in codes} | {"e1_1": "   "},
        evidenced=set(codes),
    )
    assert sorted(missing) == ["figures.rd_platforms", "narratives.e1_1"]
