"""`shuangchuang rubric list | show | validate` against the shipped rubrics and broken files."""

from __future__ import annotations

import json
from pathlib import Path

from typer.testing import CliRunner

from criteria.load import rubric_document, rubric_path, rubric_version, shipped_rubric
from scoring.cli.rubric import rubric_app

runner = CliRunner()


def test_list_shows_every_shipped_rubric_with_its_version() -> None:
    result = runner.invoke(rubric_app, ["list"])
    assert result.exit_code == 0
    lines = result.output.splitlines()
    assert len(lines) == 6
    regional = rubric_version(shipped_rubric("regional"))
    assert lines[0] == f"designation  regional    {regional}  区域“双创”示范基地评价标准"
    assert lines[5].startswith("performance  enterprise  ")


def test_show_prints_sections_indicators_and_gates() -> None:
    result = runner.invoke(rubric_app, ["show", "regional"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert f"version {rubric_version(shipped_rubric('regional'))}" in out
    assert "r3       " in out and "20  拓宽融资渠道 / Wider financing channels" in out
    assert "  r3_2   expert     6.5  有无构建多层次创新创业投融资服务体系" in out
    assert "  r5_3   data       6.5  重点建设项目中高新技术及战略性新兴产业项目占比是否达到60%以上" in out
    assert (
        "key_project_share      share_at_least(key_projects_hightech, key_projects_total) threshold 60" in out
    )
    assert "rd_intensity           above_reference(rd_intensity) reference rd_intensity_reference" in out
    assert "\ntotal               100\n" in out


def test_show_json_prints_exactly_the_document() -> None:
    result = runner.invoke(rubric_app, ["show", "enterprise", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == rubric_document(shipped_rubric("enterprise"))


def test_show_a_performance_rubric_lists_its_grades() -> None:
    result = runner.invoke(rubric_app, ["show", "university", "--purpose", "performance"])
    assert result.exit_code == 0
    assert "优秀 (excellent) ≥ 85" in result.output
    assert "不合格 (fail) ≥ 0" in result.output


def test_show_the_shipped_version_by_its_hash() -> None:
    version = rubric_version(shipped_rubric("university"))
    result = runner.invoke(rubric_app, ["show", "university", "--version", version, "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output)["version"] == version


def test_show_an_unknown_kind_fails() -> None:
    result = runner.invoke(rubric_app, ["show", "county"])
    assert result.exit_code == 1
    assert "unknown kind 'county'" in result.output


def test_validate_accepts_a_shipped_file() -> None:
    result = runner.invoke(rubric_app, ["validate", str(rubric_path("regional"))])
    assert result.exit_code == 0
    assert "18 indicators, 3 gates" in result.output


def test_validate_lists_every_issue_in_both_languages(tmp_path: Path) -> None:
    text = rubric_path("enterprise").read_text(encoding="utf-8")
    text = text.replace(
        'max_points = "12.5"\ngate = "rd_platform"', 'max_points = 12.5\ngate = "rd_platform"'
    )
    text = text.replace('code = "e1_2"', 'code = "e1_2"\nweighting = 1')
    path = tmp_path / "enterprise.toml"
    path.write_text(text, encoding="utf-8")
    result = runner.invoke(rubric_app, ["validate", str(path)])
    assert result.exit_code == 1
    out = result.output
    assert f"{path}: 2 个问题 / issue(s)" in out
    assert "sections[3].indicators[1].max_points [float_not_allowed]" in out
    assert "sections[0].indicators[1].weighting [unknown_key]" in out
    assert "未知的键(请检查拼写)" in out
    assert "Extra inputs are not permitted" in out


def test_validate_a_missing_file_fails() -> None:
    result = runner.invoke(rubric_app, ["validate", "/nonexistent/rubric.toml"])
    assert result.exit_code == 1
    assert "no such file" in result.output
