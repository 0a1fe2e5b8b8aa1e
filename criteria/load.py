"""Load and validate rubric files, render their canonical document, hash versions, list shipped rubrics."""

from __future__ import annotations

import hashlib
import json
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from criteria.schema import (
    KINDS,
    PURPOSES,
    Anchor,
    FieldRuleBroken,
    Figure,
    Gate,
    GradeBand,
    Indicator,
    Issue,
    Rubric,
    RubricRulesBroken,
    Rule,
    Section,
)

RUBRIC_DIR = Path(__file__).parent / "rubrics"
DOCUMENT_LABEL = "<document>"


class RubricInvalid(ValueError):
    """A rubric that breaks one or more rules; `issues` lists every problem found."""

    def __init__(self, issues: list[Issue]) -> None:
        self.issues = issues
        lines = "\n".join(f"  {issue}" for issue in issues)
        super().__init__(f"rubric invalid ({len(issues)} issue(s)):\n{lines}")


# Loading -----------------------------------------------------------------------------------------


def load_rubric(path: str | Path) -> Rubric:
    """Parse and validate a rubric TOML file; RubricInvalid names the file, path and rule of each issue."""
    path = Path(path)
    label = str(path)
    try:
        text = path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        raise RubricInvalid(
            [
                Issue(
                    label,
                    "",
                    "encoding",
                    "文件须为 UTF-8 编码",
                    f"the file is not valid UTF-8 ({exc.reason})",
                )
            ]
        ) from exc
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise RubricInvalid(
            [Issue(label, "", "toml_syntax", f"TOML 语法错误:{exc}", f"TOML syntax error: {exc}")]
        ) from exc
    return _validate(data, label)


def rubric_from_document(document: Mapping[str, Any]) -> Rubric:
    """Re-validate a rubric from its stored document (as written by `rubric_document`)."""
    return _validate(_document_to_input(document), DOCUMENT_LABEL)


def _validate(data: Any, label: str) -> Rubric:
    try:
        return Rubric.model_validate(data)
    except ValidationError as exc:
        raise RubricInvalid(issues_from_validation_error(exc, label)) from exc


def issues_from_validation_error(exc: ValidationError, label: str) -> list[Issue]:
    issues: list[Issue] = []
    errors = exc.errors()
    for err in errors:
        if err["type"] == "too_short" and _has_item_errors(err["loc"], errors):
            continue  # pydantic also says "too short" when every item failed: the item errors say why
        cause = (err.get("ctx") or {}).get("error")
        if isinstance(cause, RubricRulesBroken):
            issues += [Issue(label, i.path, i.rule, i.message_zh, i.message_en) for i in cause.issues]
            continue
        path = _path(err["loc"])
        if isinstance(cause, FieldRuleBroken):
            rule, en = cause.rule, cause.message
            zh = _RULES.get(rule, (rule, "取值不符合要求"))[1]
            issues.append(Issue(label, path, rule, zh, en))
            continue
        rule, zh = _RULES.get(err["type"], (err["type"], "取值不符合要求"))
        en = err["msg"]
        if err["type"] == "literal_error":
            expected = (err.get("ctx") or {}).get("expected", "")
            zh = f"取值须为以下之一:{expected}"
        issues.append(Issue(label, path, rule, zh, en))
    return issues


_RULES: dict[str, tuple[str, str]] = {
    "extra_forbidden": ("unknown_key", "未知的键(请检查拼写)"),
    "missing": ("required", "缺少必填的键"),
    "float_not_allowed": ("float_not_allowed", '小数须写成字符串(如 "6.5")或整数,不得写成 TOML 浮点数'),
    "not_a_number": ("not_a_number", "须为十进制数(字符串或整数)"),
    "string_pattern_mismatch": (
        "code_format",
        "代码只能由小写字母、数字和下划线组成,以字母开头,最长 40 个字符",
    ),
    "literal_error": ("not_allowed", "取值不在允许范围内"),
    "too_short": ("empty", "不能为空"),
    "string_too_short": ("empty", "不能为空"),
    "greater_than": ("out_of_range", "数值超出允许范围"),
    "greater_than_equal": ("out_of_range", "数值超出允许范围"),
    "less_than_equal": ("out_of_range", "数值超出允许范围"),
    "string_type": ("wrong_type", "须为字符串"),
    "bool_type": ("wrong_type", "须为 true 或 false"),
    "bool_parsing": ("wrong_type", "须为 true 或 false"),
    "tuple_type": ("wrong_type", "须为数组"),
    "model_type": ("wrong_type", "须为表(table)"),
    "model_attributes_type": ("wrong_type", "须为表(table)"),
    "dict_type": ("wrong_type", "须为表(table)"),
}


def _has_item_errors(loc: tuple[int | str, ...], errors: list[Any]) -> bool:
    return any(len(e["loc"]) > len(loc) and tuple(e["loc"][: len(loc)]) == tuple(loc) for e in errors)


def _path(loc: Iterable[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else part
    return out


# The canonical document --------------------------------------------------------------------------


def dec_str(value: Decimal) -> str:
    """Canonical decimal text: no exponent, no trailing zeros ("6.5", "20", "0.9")."""
    if value == 0:
        return "0"
    text = format(value.normalize(), "f")
    return text


def _rule_doc(rule: Rule) -> dict[str, Any]:
    doc: dict[str, Any] = {"op": rule.op, "figures": list(rule.figures)}
    if len(rule.figures) == 1:
        doc["figure"] = rule.figures[0]
    if rule.threshold is not None:
        doc["threshold"] = dec_str(rule.threshold)
    if rule.reference is not None:
        doc["reference"] = rule.reference
    return doc


def _anchor_doc(anchor: Anchor, max_points: Decimal) -> dict[str, Any]:
    return {
        "level": anchor.level,
        "level_en": anchor.level_en,
        "min_share": dec_str(anchor.min_share),
        "min_points": dec_str(anchor.min_share * max_points),
        "description": anchor.description_zh,
        "description_en": anchor.description_en,
    }


def _indicator_doc(rubric: Rubric, ind: Indicator) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": ind.code,
        "text": ind.text_zh,
        "text_en": ind.text_en,
        "kind": ind.kind,
        "max_points": dec_str(ind.max_points),
        "step": dec_str(ind.step),
        "anchors": [_anchor_doc(a, ind.max_points) for a in ind.anchors],
        "evidence_required": ind.evidence_required,
    }
    if ind.gate is not None:
        doc["gate"] = ind.gate
    if ind.rule is not None:
        doc["rule"] = _rule_doc(ind.rule)
    rule = rubric.rule_of(ind)
    if rule is not None:  # derived, for readers: which declared figures feed this indicator
        doc["figures"] = list(rule.figures)
        if len(rule.figures) == 1:
            doc["figure"] = rule.figures[0]
    return doc


def _section_doc(rubric: Rubric, section: Section) -> dict[str, Any]:
    return {
        "code": section.code,
        "title": section.title_zh,
        "title_en": section.title_en,
        "weight": dec_str(section.weight),
        "indicators": [_indicator_doc(rubric, ind) for ind in section.indicators],
    }


def _figure_doc(fig: Figure) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "code": fig.code,
        "name": fig.name_zh,
        "name_en": fig.name_en,
        "type": fig.type,
        "unit": fig.unit,
        "unit_en": fig.unit_en,
        "note": fig.note_zh,
        "note_en": fig.note_en,
        "declared": fig.declared,
    }
    if fig.computed is not None:
        doc["computed"] = {"op": fig.computed.op, "of": list(fig.computed.of)}
    return doc


def _gate_doc(gate: Gate) -> dict[str, Any]:
    return {"code": gate.code, "text": gate.text_zh, "text_en": gate.text_en, **_rule_doc(gate)}


def _band_doc(band: GradeBand) -> dict[str, Any]:
    return {"code": band.code, "grade": band.grade_zh, "grade_en": band.grade_en, "min": dec_str(band.min)}


def _content(rubric: Rubric) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "kind": rubric.kind,
        "purpose": rubric.purpose,
        "title": rubric.title_zh,
        "title_en": rubric.title_en,
        "sections": [_section_doc(rubric, s) for s in rubric.sections],
        "figures": [_figure_doc(f) for f in rubric.figures],
        "gates": [_gate_doc(g) for g in rubric.gates],
    }
    if rubric.grade_bands is not None:
        doc["grade_bands"] = [_band_doc(b) for b in rubric.grade_bands]
    return doc


def canonical_json(content: Mapping[str, Any]) -> bytes:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def rubric_version(rubric: Rubric) -> str:
    """First 16 hex digits of the SHA-256 of the canonical content: same content, same version."""
    return hashlib.sha256(canonical_json(_content(rubric))).hexdigest()[:16]


def rubric_document(rubric: Rubric) -> dict[str, Any]:
    """The JSON-ready document of a rubric (decimals as strings), with its version."""
    content = _content(rubric)
    return {"version": rubric_version(rubric), **content}


# Document → model input: rename the document's keys back and drop what it derives.
_RENAME: dict[str, dict[str, str]] = {
    "rubric": {"title": "title_zh"},
    "section": {"title": "title_zh"},
    "indicator": {"text": "text_zh"},
    "anchor": {"description": "description_zh"},
    "figure": {"name": "name_zh", "note": "note_zh"},
    "gate": {"text": "text_zh"},
    "rule": {},
    "band": {"grade": "grade_zh"},
}
_DERIVED: dict[str, set[str]] = {
    "rubric": {"version"},
    "section": set(),
    "indicator": {"figures", "figure"},
    "anchor": {"min_points"},
    "figure": {"declared"},
    "gate": {"figure"},
    "rule": {"figure"},
    "band": set(),
}


def _renamed(obj: Any, level: str) -> Any:
    if not isinstance(obj, Mapping):
        return obj
    rename, derived = _RENAME[level], _DERIVED[level]
    return {rename.get(k, k): v for k, v in obj.items() if k not in derived}


def _each(items: Any, level: str) -> Any:
    if not isinstance(items, list | tuple):
        return items
    return [_renamed(item, level) for item in items]


def _document_to_input(document: Mapping[str, Any]) -> Any:
    data = _renamed(document, "rubric")
    if not isinstance(data, dict):
        return data
    sections = _each(data.get("sections"), "section")
    if isinstance(sections, list):
        for section in sections:
            if isinstance(section, dict) and "indicators" in section:
                indicators = _each(section["indicators"], "indicator")
                if isinstance(indicators, list):
                    for ind in indicators:
                        if isinstance(ind, dict):
                            if "anchors" in ind:
                                ind["anchors"] = _each(ind["anchors"], "anchor")
                            if "rule" in ind:
                                ind["rule"] = _renamed(ind["rule"], "rule")
                section["indicators"] = indicators
        data["sections"] = sections
    for key, level in (("figures", "figure"), ("gates", "gate"), ("grade_bands", "band")):
        if key in data:
            data[key] = _each(data[key], level)
    return data


# Shipped rubrics ---------------------------------------------------------------------------------


def rubric_path(kind: str, purpose: str = "designation") -> Path:
    name = f"{kind}.toml" if purpose == "designation" else f"{purpose}-{kind}.toml"
    return RUBRIC_DIR / name


@cache
def shipped_rubric(kind: str, purpose: str = "designation") -> Rubric:
    """The rubric shipped with the code for a kind and purpose; KeyError for an unknown pair."""
    if kind not in KINDS or purpose not in PURPOSES:
        raise KeyError(f"no shipped rubric for kind={kind!r} purpose={purpose!r}")
    return load_rubric(rubric_path(kind, purpose))


def shipped_rubrics() -> list[Rubric]:
    """All shipped rubrics: the designation rubrics of each kind, then the performance rubrics."""
    return [shipped_rubric(kind, purpose) for purpose in PURPOSES for kind in KINDS]
