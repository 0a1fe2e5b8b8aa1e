"""A rubric's version is the hash of its canonical content: the same content always gives the same version."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from criteria.load import (
    canonical_json,
    load_rubric,
    rubric_document,
    rubric_from_document,
    rubric_path,
    rubric_version,
    shipped_rubric,
    shipped_rubrics,
)
from criteria.schema import Rubric

# Pinned: a shipped rubric that changes gets a new version, and rounds that froze the old one keep it.
# Changing a rubric file is a deliberate act: update the pin in the same change, and say why.
SHIPPED_VERSIONS = {
    ("regional", "designation"): "08bce114b93721c2",
    ("university", "designation"): "ac3f4b48bdb361f8",
    ("enterprise", "designation"): "bf15787f931ea3a3",
    ("regional", "performance"): "aa08597a8a67f234",
    ("university", "performance"): "42b058cf785802a6",
    ("enterprise", "performance"): "17c45fad2e4f78ab",
}


def ids(rubric: Rubric) -> str:
    return f"{rubric.purpose}-{rubric.kind}"


@pytest.mark.parametrize("rubric", shipped_rubrics(), ids=ids)
def test_shipped_versions_are_stable(rubric: Rubric) -> None:
    assert rubric_version(rubric) == SHIPPED_VERSIONS[(rubric.kind, rubric.purpose)]


@pytest.mark.parametrize("rubric", shipped_rubrics(), ids=ids)
def test_loading_the_same_file_twice_gives_the_same_version(rubric: Rubric) -> None:
    again = load_rubric(rubric_path(rubric.kind, rubric.purpose))
    assert again == rubric
    assert rubric_version(again) == rubric_version(rubric)
    assert re.fullmatch(r"[0-9a-f]{16}", rubric_version(rubric))


@pytest.mark.parametrize("rubric", shipped_rubrics(), ids=ids)
def test_the_stored_document_round_trips_to_the_same_rubric_and_version(rubric: Rubric) -> None:
    document = rubric_document(rubric)
    stored = json.loads(json.dumps(document))  # as a JSON column gives it back
    again = rubric_from_document(stored)
    assert again == rubric
    assert rubric_version(again) == document["version"]


def test_comments_layout_key_order_and_number_spelling_do_not_change_the_version(tmp_path: Path) -> None:
    original = rubric_path("enterprise").read_text(encoding="utf-8")
    variant = "# a different comment\n\n" + original.replace(
        'max_points = "6.5"', 'max_points   =   "6.50"'
    ).replace("max_points = 6\n", 'max_points = "6.0"\n').replace(
        'kind = "enterprise"\npurpose = "designation"', 'purpose = "designation"\nkind = "enterprise"'
    )
    assert variant != original
    path = tmp_path / "enterprise.toml"
    path.write_text(variant, encoding="utf-8")
    assert rubric_version(load_rubric(path)) == rubric_version(shipped_rubric("enterprise"))


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("有无培育创客文化", "有无培养创客文化"),  # one character of a clause
        (
            'max_points = "12.5"\n\n[[sections.indicators]]',
            'max_points = "12.5"\nstep = "0.25"\n\n[[sections.indicators]]',
        ),
        ("threshold = 1", "threshold = 2"),
        ('title_en = "Building 双创 support platforms"', 'title_en = "Building 双创 platforms"'),
    ],
)
def test_any_change_of_content_gives_a_new_version(tmp_path: Path, old: str, new: str) -> None:
    original = rubric_path("enterprise").read_text(encoding="utf-8")
    assert original.count(old) == 1
    path = tmp_path / "enterprise.toml"
    path.write_text(original.replace(old, new), encoding="utf-8")
    assert rubric_version(load_rubric(path)) != rubric_version(shipped_rubric("enterprise"))


def test_the_version_is_the_sha256_of_the_canonical_content_without_the_version() -> None:
    import hashlib

    rubric = shipped_rubric("regional")
    document = rubric_document(rubric)
    content = {k: v for k, v in document.items() if k != "version"}
    assert document["version"] == hashlib.sha256(canonical_json(content)).hexdigest()[:16]
    assert b" " not in canonical_json({"a": 1, "b": [1, 2]})
    assert canonical_json({"b": 1, "a": 2}) == b'{"a":2,"b":1}'


def test_the_document_carries_the_api_shape_with_decimals_as_strings() -> None:
    document = rubric_document(shipped_rubric("regional"))
    assert {"kind", "version", "title", "sections", "gates"} <= set(document)
    section = document["sections"][4]
    assert (section["code"], section["title"], section["weight"]) == ("r5", "提升支撑能力", "20")
    indicator = section["indicators"][0]
    assert indicator["code"] == "r5_1"
    assert indicator["kind"] == "data"
    assert indicator["max_points"] == "7"
    assert indicator["figure"] == "rd_intensity"
    assert indicator["gate"] == "rd_intensity"
    gate = document["gates"][0]
    assert gate == {
        "code": "key_project_share",
        "text": "重点建设项目中高新技术及战略性新兴产业项目占比达到60%以上",
        "text_en": "High-tech and strategic emerging industry projects are 60% or more of the key "
        "construction projects",
        "op": "share_at_least",
        "figures": ["key_projects_hightech", "key_projects_total"],
        "threshold": "60",
    }
    assert document["gates"][1]["reference"] == "rd_intensity_reference"
    anchors = document["sections"][0]["indicators"][0]["anchors"]
    assert [(a["level"], a["min_points"]) for a in anchors] == [
        ("优", "4.5"),
        ("良", "3.75"),
        ("中", "3"),
        ("差", "0"),
    ]

    def no_floats(value: object) -> None:
        assert not isinstance(value, float)
        if isinstance(value, dict):
            for v in value.values():
                no_floats(v)
        elif isinstance(value, list):
            for v in value:
                no_floats(v)

    no_floats(document)


def test_performance_documents_carry_grade_bands() -> None:
    document = rubric_document(shipped_rubric("university", "performance"))
    assert document["grade_bands"] == [
        {"code": "excellent", "grade": "优秀", "grade_en": "excellent", "min": "85"},
        {"code": "pass", "grade": "合格", "grade_en": "pass", "min": "60"},
        {"code": "fail", "grade": "不合格", "grade_en": "fail", "min": "0"},
    ]
    assert "grade_bands" not in rubric_document(shipped_rubric("university"))


def test_shipped_rubrics_are_cached_and_unknown_ones_refused() -> None:
    assert shipped_rubric("regional") is shipped_rubric("regional")
    with pytest.raises(KeyError):
        shipped_rubric("county")
    with pytest.raises(KeyError):
        shipped_rubric("regional", "review")
