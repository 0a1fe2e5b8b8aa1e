"""A rubric file is validated when loaded: one broken file per rule, each issue naming file, path and rule."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import pytest

from criteria.load import RubricInvalid, load_rubric, rubric_document, rubric_from_document
from criteria.schema import DEFAULT_ANCHORS, DEFAULT_GRADE_BANDS, Rubric

VALID = """\
kind = "regional"
purpose = "designation"
title_zh = "测试"
title_en = "Test"

[[figures]]
code = "projects"
name_zh = "项目数"
name_en = "Projects"
type = "count"

[[figures]]
code = "hightech"
name_zh = "高新项目数"
name_en = "High-tech projects"
type = "count"

[[figures]]
code = "intensity"
name_zh = "强度"
name_en = "Intensity"
type = "percent"

[[gates]]
code = "share"
text_zh = "占比达到60%以上"
text_en = "Share of 60% or more"
op = "share_at_least"
figures = ["hightech", "projects"]
threshold = 60

[[sections]]
code = "s1"
title_zh = "一"
title_en = "One"
weight = 50

[[sections.indicators]]
code = "s1_1"
text_zh = "是否甲"
text_en = "Whether A"
kind = "expert"
max_points = 30

[[sections.indicators]]
code = "s1_2"
text_zh = "是否乙"
text_en = "Whether B"
kind = "expert"
max_points = 20

[[sections]]
code = "s2"
title_zh = "二"
title_en = "Two"
weight = 50

[[sections.indicators]]
code = "s2_1"
text_zh = "有无丙"
text_en = "Whether C"
kind = "expert"
max_points = "43.5"

[[sections.indicators]]
code = "s2_2"
text_zh = "占比是否达到60%以上"
text_en = "Whether the share is 60% or more"
kind = "data"
max_points = "6.5"
gate = "share"
"""


def write(tmp_path: Path, text: str, name: str = "rubric.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def broken(old: str, new: str, base: str = VALID) -> str:
    assert base.count(old) == 1, old
    return base.replace(old, new)


def issues_of(path: Path) -> set[tuple[str, str]]:
    with pytest.raises(RubricInvalid) as excinfo:
        load_rubric(path)
    assert all(issue.file == str(path) for issue in excinfo.value.issues)
    return {(issue.path, issue.rule) for issue in excinfo.value.issues}


def test_the_valid_base_file_loads(tmp_path: Path) -> None:
    rubric = load_rubric(write(tmp_path, VALID))
    assert rubric.indicator("s2_1").max_points == Decimal("43.5")
    assert rubric.indicator("s1_1").step == Decimal("0.5")
    assert rubric.indicator("s1_1").anchors == DEFAULT_ANCHORS
    assert rubric.grade_bands is None


CASES = {
    "unknown_key": (
        (
            'weight = 50\n\n[[sections.indicators]]\ncode = "s1_1"',
            'weigth = 50\n\n[[sections.indicators]]\ncode = "s1_1"',
        ),
        {("sections[0].weigth", "unknown_key"), ("sections[0].weight", "required")},
    ),
    "required": (
        ('text_en = "Whether B"\n', ""),
        {("sections[0].indicators[1].text_en", "required")},
    ),
    "float_not_allowed": (
        ('max_points = "6.5"', "max_points = 6.5"),
        {("sections[1].indicators[1].max_points", "float_not_allowed")},
    ),
    "not_a_number": (
        ('max_points = "43.5"', 'max_points = "4.35e1"'),
        {("sections[1].indicators[0].max_points", "not_a_number")},
    ),
    "weights_total": (
        (
            'weight = 50\n\n[[sections.indicators]]\ncode = "s2_1"',
            'weight = 40\n\n[[sections.indicators]]\ncode = "s2_1"',
        ),
        {("sections", "weights_total"), ("sections[1].indicators", "section_points")},
    ),
    "section_points": (
        ("max_points = 20", "max_points = 19"),
        {("sections[0].indicators", "section_points")},
    ),
    "duplicate_code": (
        ('code = "s2_1"', 'code = "s1_1"'),
        {("sections[1].indicators[0].code", "duplicate_code")},
    ),
    "off_step": (
        ("max_points = 20", 'max_points = 20\nstep = "3"'),
        {("sections[0].indicators[1].max_points", "off_step")},
    ),
    "unknown_figure": (
        ('figures = ["hightech", "projects"]', 'figures = ["hightech", "project_count"]'),
        {("gates[0].figures[1]", "unknown_figure")},
    ),
    "unknown_gate": (
        ('gate = "share"', 'gate = "shares"'),
        {("sections[1].indicators[1].gate", "unknown_gate")},
    ),
    "data_rule": (
        ('kind = "expert"\nmax_points = 20', 'kind = "expert"\nmax_points = 20\ngate = "share"'),
        {("sections[0].indicators[1]", "data_rule")},
    ),
    "rule_shape": (
        ('op = "share_at_least"', 'op = "above_reference"'),
        {
            ("gates[0].figures", "rule_shape"),
            ("gates[0].reference", "rule_shape"),
            ("gates[0].threshold", "rule_shape"),
        },
    ),
    "code_format": (
        ('code = "s1_2"', 'code = "S1.2"'),
        {("sections[0].indicators[1].code", "code_format")},
    ),
    "not_allowed": (
        ('kind = "regional"', 'kind = "county"'),
        {("kind", "not_allowed")},
    ),
    "grade_bands": (
        (
            'title_en = "Test"\n',
            'title_en = "Test"\n\n[[grade_bands]]\ncode = "pass"\ngrade_zh = "合格"\n'
            'grade_en = "pass"\nmin = 0\n',
        ),
        {("grade_bands", "grade_bands")},
    ),
    "anchors": (
        (
            'text_en = "Whether B"\n',
            'text_en = "Whether B"\nanchors = [\n'
            '  { level = "好", level_en = "good", min_share = "0.5",'
            ' description_zh = "好", description_en = "good" },\n'
            '  { level = "差", level_en = "poor", min_share = "0.1",'
            ' description_zh = "差", description_en = "poor" },\n'
            "]\n",
        ),
        {("sections[0].indicators[1].anchors[1].min_share", "anchors")},
    ),
    "out_of_range": (
        ("max_points = 30", "max_points = -30"),
        {("sections[0].indicators[0].max_points", "out_of_range"), ("sections", "weights_total")},
    ),
}


@pytest.mark.parametrize("rule", list(CASES))
def test_a_broken_file_names_the_path_and_the_rule(tmp_path: Path, rule: str) -> None:
    (old, new), expected = CASES[rule]
    found = issues_of(write(tmp_path, broken(old, new)))
    if rule == "out_of_range":  # field errors stop before the cross-field checks run
        expected = {("sections[0].indicators[0].max_points", "out_of_range")}
    assert found == expected


def test_a_toml_syntax_error_is_reported_with_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, broken('title_en = "Test"', 'title_en = "Test'))
    assert issues_of(path) == {("", "toml_syntax")}


def test_a_file_that_is_not_utf8_is_reported(tmp_path: Path) -> None:
    path = tmp_path / "gbk.toml"
    path.write_bytes(VALID.encode("gb18030"))
    assert issues_of(path) == {("", "encoding")}


def test_a_data_indicator_rule_must_name_declared_figures(tmp_path: Path) -> None:
    text = broken('gate = "share"', 'rule = { op = "at_least", figures = ["platforms"], threshold = 1 }')
    assert issues_of(write(tmp_path, text)) == {
        ("sections[1].indicators[1].rule.figures[0]", "unknown_figure")
    }


COMPUTED_SHARE = """
[[figures]]
code = "share_pct"
name_zh = "占比"
name_en = "Share"
type = "percent"
computed = { op = "share", of = ["hightech", "%s"] }
"""


def test_a_computed_figure_is_derived_from_declared_figures(tmp_path: Path) -> None:
    rubric = load_rubric(write(tmp_path, VALID + COMPUTED_SHARE % "projects"))
    assert not rubric.figure("share_pct").declared
    assert [f.code for f in rubric.declared_figures()] == ["projects", "hightech", "intensity"]
    document = rubric_document(rubric)
    assert document["figures"][3]["computed"] == {"op": "share", "of": ["hightech", "projects"]}
    assert document["figures"][3]["declared"] is False
    assert rubric_from_document(document) == rubric


def test_a_computed_figure_must_use_declared_figures(tmp_path: Path) -> None:
    path = write(tmp_path, VALID + COMPUTED_SHARE % "buildings")
    assert issues_of(path) == {("figures[3].computed.of[1]", "unknown_figure")}


def test_a_gate_cannot_read_a_computed_figure(tmp_path: Path) -> None:
    text = VALID + COMPUTED_SHARE % "projects"
    text = broken(
        'gate = "share"', 'rule = { op = "at_least", figures = ["share_pct"], threshold = 60 }', text
    )
    path = write(tmp_path, text)
    assert issues_of(path) == {("sections[1].indicators[1].rule.figures[0]", "unknown_figure")}


def test_a_data_indicator_needs_a_gate_or_a_rule(tmp_path: Path) -> None:
    text = broken('gate = "share"\n', "")
    assert issues_of(write(tmp_path, text)) == {("sections[1].indicators[1]", "data_rule")}


def test_a_share_gate_reads_counts_only(tmp_path: Path) -> None:
    text = broken('figures = ["hightech", "projects"]', 'figures = ["hightech", "intensity"]')
    assert issues_of(write(tmp_path, text)) == {("gates[0].figures[1]", "rule_shape")}


def test_a_performance_rubric_needs_bands_that_reach_zero(tmp_path: Path) -> None:
    text = broken('purpose = "designation"', 'purpose = "performance"')
    text = broken(
        'title_en = "Test"\n',
        'title_en = "Test"\n\n[[grade_bands]]\ncode = "excellent"\ngrade_zh = "优秀"\n'
        'grade_en = "excellent"\nmin = 85\n'
        '\n[[grade_bands]]\ncode = "pass"\ngrade_zh = "合格"\ngrade_en = "pass"\nmin = 60\n',
        text,
    )
    assert issues_of(write(tmp_path, text)) == {("grade_bands[1].min", "grade_bands")}


def test_a_performance_rubric_without_bands_gets_the_domain_defaults(tmp_path: Path) -> None:
    rubric = load_rubric(write(tmp_path, broken('purpose = "designation"', 'purpose = "performance"')))
    assert rubric.grade_bands == DEFAULT_GRADE_BANDS
    assert [(b.grade_zh, b.min) for b in DEFAULT_GRADE_BANDS] == [
        ("优秀", Decimal("85")),
        ("合格", Decimal("60")),
        ("不合格", Decimal("0")),
    ]


def test_every_issue_is_listed_not_only_the_first(tmp_path: Path) -> None:
    text = broken("max_points = 30", "max_points = 30.0")
    text = broken('kind = "regional"', 'kind = "county"', text)
    text = broken('text_zh = "是否乙"\n', 'text_zh = "是否乙"\ncolour = "red"\n', text)
    assert issues_of(write(tmp_path, text)) == {
        ("sections[0].indicators[0].max_points", "float_not_allowed"),
        ("kind", "not_allowed"),
        ("sections[0].indicators[1].colour", "unknown_key"),
    }


def test_every_cross_field_issue_is_listed_not_only_the_first(tmp_path: Path) -> None:
    text = broken('code = "s2_1"', 'code = "s1_1"')
    text = broken('gate = "share"', 'gate = "shares"', text)
    text = broken("max_points = 20", "max_points = 19", text)
    assert issues_of(write(tmp_path, text)) == {
        ("sections[1].indicators[0].code", "duplicate_code"),
        ("sections[1].indicators[1].gate", "unknown_gate"),
        ("sections[0].indicators", "section_points"),
    }


def test_the_error_message_names_file_path_and_rule_in_both_languages(tmp_path: Path) -> None:
    path = write(tmp_path, broken("max_points = 20", "max_points = 19"))
    with pytest.raises(RubricInvalid) as excinfo:
        load_rubric(path)
    (issue,) = excinfo.value.issues
    assert issue.message_zh == "部分 “s1” 各指标分值之和为 49,须等于该部分权重 50"
    assert issue.message_en == "the indicators of section 's1' add up to 49 points, not its weight 50"
    assert f"{path}: sections[0].indicators [section_points]" in str(excinfo.value)


def test_a_stored_document_is_validated_again(tmp_path: Path) -> None:
    document = rubric_document(load_rubric(write(tmp_path, VALID)))
    document["sections"][0]["indicators"][0]["max_points"] = "31"
    document["sections"][0]["indicators"][1]["bonus"] = "1"
    with pytest.raises(RubricInvalid) as excinfo:
        rubric_from_document(document)
    assert {(i.file, i.path, i.rule) for i in excinfo.value.issues} == {
        ("<document>", "sections[0].indicators[1].bonus", "unknown_key"),
    }
    del document["sections"][0]["indicators"][1]["bonus"]
    with pytest.raises(RubricInvalid) as excinfo:
        rubric_from_document(document)
    assert {(i.path, i.rule) for i in excinfo.value.issues} == {("sections[0].indicators", "section_points")}


def test_models_refuse_floats_when_built_in_code() -> None:
    with pytest.raises(ValueError, match="float"):
        Rubric.model_validate(
            {
                "kind": "regional",
                "purpose": "designation",
                "title_zh": "x",
                "title_en": "x",
                "sections": [
                    {
                        "code": "s1",
                        "title_zh": "x",
                        "title_en": "x",
                        "weight": 100.0,
                        "indicators": [
                            {"code": "a", "text_zh": "x", "text_en": "x", "kind": "expert", "max_points": 100}
                        ],
                    }
                ],
            }
        )
