"""Lay each designation rubric beside the appendix 评价标准要点 and tick off every clause, in order."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from criteria.load import shipped_rubric, shipped_rubrics

# A copy of ../shared/sources/ kept in the repository, so a clean checkout tests on its own.
SOURCE = Path(__file__).resolve().parents[2] / "docs" / "sources" / "shijiazhuang-2018-49.md"
APPENDIX_TITLE = "石家庄市“双创”示范基地评价标准要点"
KIND_HEADINGS = {
    "regional": "一、区域“双创”示范基地",
    "university": "二、高校及科研院所“双创”示范基地",
    "enterprise": "三、企业“双创”示范基地",
}
SECTION_LINE = re.compile(
    r"^[((](?P<number>[一二三四五六七八九十]+)[))](?P<title>[^。]+)。主要评价(?P<body>.+)。$"
)
CLAUSE_WORDS = ("是否", "有无")


def appendix_text() -> str:
    text = SOURCE.read_text(encoding="utf-8")
    # The title appears once in section 五 (《…》(附后)) and again as the appendix's own heading.
    start = text.rindex(APPENDIX_TITLE)
    return text[start:]


def split_clauses(sentence: str) -> list[str]:
    """Split a "主要评价…" sentence at its commas into clauses, one per "是否"/"有无".

    A comma-separated piece without either word continues the clause before it, as in
    "是否积极推进“双创”品牌建设,多渠道扩大“双创”宣传力度".
    """
    pieces = re.split(r"([,,])", sentence)
    clauses: list[str] = []
    for i in range(0, len(pieces), 2):
        piece = pieces[i]
        if any(word in piece for word in CLAUSE_WORDS) or not clauses:
            clauses.append(piece)
        else:
            clauses[-1] += pieces[i - 1] + piece
    return clauses


def appendix_sections(kind: str) -> list[tuple[str, list[str]]]:
    """[(section title, [clause, …])] for one kind, in the appendix's order."""
    text = appendix_text()
    headings = list(KIND_HEADINGS.values())
    start = text.index(KIND_HEADINGS[kind])
    following = [text.index(h) for h in headings if text.index(h) > start]
    block = text[start : min(following) if following else len(text)]
    sections = []
    for line in block.splitlines():
        match = SECTION_LINE.match(line.strip())
        if match:
            sections.append((match["title"], split_clauses(match["body"])))
    return sections


def test_the_clause_splitter_keeps_a_comma_inside_one_clause() -> None:
    assert split_clauses("是否甲,乙,有无丙,是否丁、戊") == ["是否甲,乙", "有无丙", "是否丁、戊"]
    assert split_clauses("本区域研发投入强度是否高于全省平均水平,比重是否提升") == [
        "本区域研发投入强度是否高于全省平均水平",
        "比重是否提升",
    ]


@pytest.mark.parametrize(
    ("kind", "sections", "clauses"), [("regional", 5, 18), ("university", 5, 18), ("enterprise", 4, 11)]
)
def test_the_appendix_has_the_expected_clause_counts(kind: str, sections: int, clauses: int) -> None:
    parsed = appendix_sections(kind)
    assert len(parsed) == sections
    assert sum(len(c) for _, c in parsed) == clauses


@pytest.mark.parametrize("kind", list(KIND_HEADINGS))
def test_every_clause_of_the_appendix_is_one_indicator_in_order(kind: str) -> None:
    rubric = shipped_rubric(kind)
    parsed = appendix_sections(kind)
    assert [title for title, _ in parsed] == [s.title_zh for s in rubric.sections]
    for (title, clauses), section in zip(parsed, rubric.sections, strict=True):
        assert [ind.text_zh for ind in section.indicators] == clauses, title


@pytest.mark.parametrize(("kind", "count"), [("regional", 18), ("university", 18), ("enterprise", 11)])
def test_each_designation_rubric_has_one_indicator_per_clause(kind: str, count: int) -> None:
    assert len(shipped_rubric(kind).indicators()) == count


@pytest.mark.parametrize(
    ("kind", "data_codes"),
    [
        ("regional", ["r5_1", "r5_2", "r5_3"]),
        ("university", ["u5_1", "u5_2", "u5_3"]),
        ("enterprise", ["e4_2"]),
    ],
)
def test_the_quantitative_clauses_are_data_indicators(kind: str, data_codes: list[str]) -> None:
    rubric = shipped_rubric(kind)
    assert [i.code for i in rubric.indicators() if i.kind == "data"] == data_codes


@pytest.mark.parametrize(
    ("kind", "weights"), [("regional", [20] * 5), ("university", [20] * 5), ("enterprise", [25] * 4)]
)
def test_section_weights_are_the_domain_defaults(kind: str, weights: list[int]) -> None:
    assert [s.weight for s in shipped_rubric(kind).sections] == weights


def test_performance_indicators_quote_section_three_of_the_source() -> None:
    text = SOURCE.read_text(encoding="utf-8")
    tasks = text[text.index("三、建设任务") : text.index("四、推进措施")]
    performance = [r for r in shipped_rubrics() if r.purpose == "performance"]
    assert [r.kind for r in performance] == ["regional", "university", "enterprise"]
    for rubric in performance:
        for ind in rubric.indicators():
            assert ind.text_zh in tasks, (rubric.kind, ind.code)
