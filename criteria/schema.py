"""The rubric data model: frozen, validated sections, indicators, figures, gates and grade bands.

Over 400 lines: one schema whose cross-field validators (weights, steps, gates, anchors) need each other.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from itertools import pairwise
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Kind = Literal["regional", "university", "enterprise"]
Purpose = Literal["designation", "performance"]
IndicatorKind = Literal["expert", "data"]
FigureType = Literal["count", "percent", "amount"]
# share_at_least: [part, whole] counts, 100 × part ≥ threshold × whole (integers, whole > 0)
# above_reference: [value] strictly greater than references[reference]
# rise_at_least: [previous, current], current − previous ≥ threshold
# at_least: [value] ≥ threshold
RuleOp = Literal["share_at_least", "above_reference", "rise_at_least", "at_least"]

KINDS: tuple[str, ...] = ("regional", "university", "enterprise")
PURPOSES: tuple[str, ...] = ("designation", "performance")
CODE_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
_PLAIN_DECIMAL = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)$", re.ASCII)

# How many figures each operator reads, and whether it compares with a threshold or a reference.
RULE_SHAPES: dict[str, tuple[int, str]] = {
    "share_at_least": (2, "threshold"),
    "above_reference": (1, "reference"),
    "rise_at_least": (2, "threshold"),
    "at_least": (1, "threshold"),
}


class FieldRuleBroken(ValueError):
    """A field value that breaks a named rule (the loader reports `rule` as the issue's rule)."""

    def __init__(self, rule: str, message: str) -> None:
        super().__init__(message)
        self.rule = rule
        self.message = message


def _exact_decimal(value: Any) -> Decimal:
    """Numbers in rubric files are strings or integers; a binary float would hide rounding errors."""
    if isinstance(value, bool):
        raise FieldRuleBroken("not_a_number", "must be a number, not true/false")
    if isinstance(value, float):
        raise FieldRuleBroken(
            "float_not_allowed", 'write decimals as strings ("6.5") or integers, never as TOML floats'
        )
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, Decimal):
        dec = value
    elif isinstance(value, str):
        text = value.strip()
        if not _PLAIN_DECIMAL.match(text):
            raise FieldRuleBroken("not_a_number", 'must be a plain decimal number such as "6.5"')
        try:
            dec = Decimal(text)
        except InvalidOperation as exc:  # pragma: no cover - the pattern already excludes these
            raise FieldRuleBroken("not_a_number", "must be a plain decimal number") from exc
    else:
        raise FieldRuleBroken("not_a_number", "must be a decimal number written as a string or integer")
    if not dec.is_finite():
        raise FieldRuleBroken("not_a_number", "must be a finite number")
    return dec


Dec = Annotated[Decimal, BeforeValidator(_exact_decimal)]
Code = Annotated[str, Field(pattern=CODE_PATTERN.pattern)]
Text = Annotated[str, Field(min_length=1)]


class _Frozen(BaseModel):
    # defer_build: validators built when a rubric is first read, not at every process's start-up
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True, defer_build=True)


class Anchor(_Frozen):
    """A level shown to experts: from `min_share` × max points (inclusive) up to the next level."""

    level: Text
    level_en: Text
    min_share: Dec = Field(ge=0, le=1)
    description_zh: Text
    description_en: Text


DEFAULT_ANCHORS: tuple[Anchor, ...] = (
    Anchor(
        level="优",
        level_en="excellent",
        min_share=Decimal("0.90"),
        description_zh="措施完备、落实到位,成效显著",
        description_en="Complete measures, fully implemented, clear results",
    ),
    Anchor(
        level="良",
        level_en="good",
        min_share=Decimal("0.75"),
        description_zh="措施较完备、基本落实,成效较好",
        description_en="Largely complete measures, mostly implemented, good results",
    ),
    Anchor(
        level="中",
        level_en="fair",
        min_share=Decimal("0.60"),
        description_zh="有相应措施、部分落实,成效一般",
        description_en="Some measures, partly implemented, modest results",
    ),
    Anchor(
        level="差",
        level_en="poor",
        min_share=Decimal("0"),
        description_zh="措施缺失或未落实,成效不明显",
        description_en="Measures missing or not implemented, no clear results",
    ),
)


class Rule(_Frozen):
    """A comparison over declared figures (and a round's reference value)."""

    op: RuleOp
    figures: tuple[Code, ...] = Field(min_length=1)
    threshold: Dec | None = None
    reference: Code | None = None


class Gate(Rule):
    """A hard threshold (一票否决): failing it excludes an application whatever its score."""

    code: Code
    text_zh: Text
    text_en: Text


class FigureComputation(_Frozen):
    """A figure derived from two declared ones instead of declared itself."""

    op: Literal["share", "difference"]  # share: 100 × a ÷ b; difference: a − b
    of: tuple[Code, Code]


class Figure(_Frozen):
    code: Code
    name_zh: Text
    name_en: Text
    type: FigureType
    unit: str = ""
    unit_en: str = ""
    note_zh: str = ""
    note_en: str = ""
    computed: FigureComputation | None = None

    @property
    def declared(self) -> bool:
        return self.computed is None


class Indicator(_Frozen):
    code: Code
    text_zh: Text  # the clause's wording in the source
    text_en: Text
    kind: IndicatorKind
    max_points: Dec = Field(gt=0)
    step: Dec = Field(default=Decimal("0.5"), gt=0)
    anchors: tuple[Anchor, ...] = DEFAULT_ANCHORS
    evidence_required: bool = True
    gate: Code | None = None  # data indicators: full points when this gate passes …
    rule: Rule | None = None  # … or when this rule holds


class Section(_Frozen):
    code: Code
    title_zh: Text
    title_en: Text
    weight: Dec = Field(gt=0)
    indicators: tuple[Indicator, ...] = Field(min_length=1)


class GradeBand(_Frozen):
    """A performance grade: from `min` points (inclusive) up to the next band."""

    code: Code
    grade_zh: Text
    grade_en: Text
    min: Dec = Field(ge=0, le=100)


DEFAULT_GRADE_BANDS: tuple[GradeBand, ...] = (
    GradeBand(code="excellent", grade_zh="优秀", grade_en="excellent", min=Decimal("85")),
    GradeBand(code="pass", grade_zh="合格", grade_en="pass", min=Decimal("60")),
    GradeBand(code="fail", grade_zh="不合格", grade_en="fail", min=Decimal("0")),
)


@dataclass(frozen=True)
class Issue:
    """One problem in a rubric: where it is, which rule it breaks, what to do (in both languages)."""

    file: str
    path: str
    rule: str
    message_zh: str
    message_en: str

    def __str__(self) -> str:
        where = f"{self.file}: " if self.file else ""
        return f"{where}{self.path or '(root)'} [{self.rule}] {self.message_zh} / {self.message_en}"


class RubricRulesBroken(ValueError):
    """Raised by the model validator with every cross-field problem found, not just the first."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(str(i) for i in issues))
        self.issues = issues


class Rubric(_Frozen):
    kind: Kind
    purpose: Purpose
    title_zh: Text
    title_en: Text
    sections: tuple[Section, ...] = Field(min_length=1)
    figures: tuple[Figure, ...] = ()
    gates: tuple[Gate, ...] = ()
    grade_bands: tuple[GradeBand, ...] | None = None

    @model_validator(mode="before")
    @classmethod
    def _default_grade_bands(cls, data: Any) -> Any:
        if (
            isinstance(data, dict)
            and data.get("purpose") == "performance"
            and data.get("grade_bands") is None
        ):
            return {**data, "grade_bands": DEFAULT_GRADE_BANDS}
        return data

    @model_validator(mode="after")
    def _check_rules(self) -> Rubric:
        issues = rubric_rule_issues(self)
        if issues:
            raise RubricRulesBroken(issues)
        return self

    # Lookups -----------------------------------------------------------------------------------
    def indicators(self) -> list[Indicator]:
        return [ind for section in self.sections for ind in section.indicators]

    def indicator(self, code: str) -> Indicator:
        for ind in self.indicators():
            if ind.code == code:
                return ind
        raise KeyError(code)

    def figure(self, code: str) -> Figure:
        for fig in self.figures:
            if fig.code == code:
                return fig
        raise KeyError(code)

    def gate(self, code: str) -> Gate:
        for gate in self.gates:
            if gate.code == code:
                return gate
        raise KeyError(code)

    def declared_figures(self) -> list[Figure]:
        return [fig for fig in self.figures if fig.declared]

    def rule_of(self, indicator: Indicator) -> Rule | None:
        """The rule that awards a data indicator its points (its own, or the gate it names)."""
        if indicator.rule is not None:
            return indicator.rule
        if indicator.gate is not None:
            return self.gate(indicator.gate)
        return None


# Cross-field rules ---------------------------------------------------------------------------------


def _issue(path: str, rule: str, zh: str, en: str) -> Issue:
    return Issue(file="", path=path, rule=rule, message_zh=zh, message_en=en)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f") if value else "0"


def _duplicates(codes: list[tuple[str, str]], what_zh: str, what_en: str) -> list[Issue]:
    seen: dict[str, str] = {}
    out: list[Issue] = []
    for path, code in codes:
        if code in seen:
            out.append(
                _issue(
                    path,
                    "duplicate_code",
                    f"{what_zh}代码 “{code}” 重复(已用于 {seen[code]})",
                    f"{what_en} code '{code}' is used twice (first at {seen[code]})",
                )
            )
        else:
            seen[code] = path
    return out


def _rule_issues(rule: Rule, path: str, figures: dict[str, Figure]) -> list[Issue]:
    out: list[Issue] = []
    arity, compares_with = RULE_SHAPES[rule.op]
    if len(rule.figures) != arity:
        out.append(
            _issue(
                f"{path}.figures",
                "rule_shape",
                f"运算 {rule.op} 需要 {arity} 个数据项,实际为 {len(rule.figures)} 个",
                f"operator {rule.op} reads {arity} figure(s), got {len(rule.figures)}",
            )
        )
    if compares_with == "threshold":
        if rule.threshold is None:
            out.append(
                _issue(
                    f"{path}.threshold",
                    "rule_shape",
                    f"运算 {rule.op} 需要阈值 threshold",
                    f"operator {rule.op} needs a threshold",
                )
            )
        if rule.reference is not None:
            out.append(
                _issue(
                    f"{path}.reference",
                    "rule_shape",
                    f"运算 {rule.op} 与阈值比较,不读取参照值",
                    f"operator {rule.op} compares with a threshold, not a reference",
                )
            )
    else:
        if rule.reference is None:
            out.append(
                _issue(
                    f"{path}.reference",
                    "rule_shape",
                    f"运算 {rule.op} 需要参照值键 reference",
                    f"operator {rule.op} needs a reference key",
                )
            )
        if rule.threshold is not None:
            out.append(
                _issue(
                    f"{path}.threshold",
                    "rule_shape",
                    f"运算 {rule.op} 与参照值比较,不使用阈值",
                    f"operator {rule.op} compares with a reference, not a threshold",
                )
            )
    for i, code in enumerate(rule.figures):
        # Rules read what the applicant declares (and staff verify), never a derived figure.
        if code not in figures or not figures[code].declared:
            out.append(
                _issue(
                    f"{path}.figures[{i}]",
                    "unknown_figure",
                    f"数据项 “{code}” 不是 figures 中声明的申报数据项",
                    f"'{code}' is not a declared figure (see figures)",
                )
            )
    if rule.op == "share_at_least":
        # The share is computed in integers, so both figures must be counts.
        for i, code in enumerate(rule.figures):
            fig = figures.get(code)
            if fig is not None and fig.type != "count":
                out.append(
                    _issue(
                        f"{path}.figures[{i}]",
                        "rule_shape",
                        f"占比运算只能读取计数型数据项,“{code}” 的类型为 {fig.type}",
                        f"a share reads count figures only; '{code}' is a {fig.type}",
                    )
                )
    return out


def _anchor_issues(anchors: tuple[Anchor, ...], path: str) -> list[Issue]:
    out: list[Issue] = []
    if not anchors:
        return [_issue(path, "anchors", "至少需要一个评分档次", "at least one level anchor is needed")]
    shares = [a.min_share for a in anchors]
    if any(b >= a for a, b in pairwise(shares)):
        out.append(
            _issue(
                path,
                "anchors",
                "评分档次须按下限从高到低排列且互不相同",
                "level anchors must be listed from the highest lower bound down, without repeats",
            )
        )
    if shares[-1] != 0:
        out.append(
            _issue(
                f"{path}[{len(anchors) - 1}].min_share",
                "anchors",
                "最低档次的下限必须为 0",
                "the lowest level anchor must start at 0",
            )
        )
    out += _duplicates([(f"{path}[{i}].level", a.level) for i, a in enumerate(anchors)], "档次", "level")
    return out


def rubric_rule_issues(rubric: Rubric) -> list[Issue]:
    """Every cross-field rule a well-formed rubric keeps; an empty list means it is valid."""
    out: list[Issue] = []
    figures = {f.code: f for f in rubric.figures}
    gates = {g.code: g for g in rubric.gates}

    total = sum((s.weight for s in rubric.sections), Decimal(0))
    if total != 100:
        out.append(
            _issue(
                "sections",
                "weights_total",
                f"各部分权重之和须为 100,实际为 {_plain(total)}",
                f"section weights must add up to 100, they add up to {_plain(total)}",
            )
        )

    out += _duplicates(
        [(f"sections[{i}].code", s.code) for i, s in enumerate(rubric.sections)], "部分", "section"
    )
    out += _duplicates(
        [
            (f"sections[{i}].indicators[{j}].code", ind.code)
            for i, s in enumerate(rubric.sections)
            for j, ind in enumerate(s.indicators)
        ],
        "指标",
        "indicator",
    )
    out += _duplicates(
        [(f"figures[{i}].code", f.code) for i, f in enumerate(rubric.figures)], "数据项", "figure"
    )
    out += _duplicates([(f"gates[{i}].code", g.code) for i, g in enumerate(rubric.gates)], "门槛", "gate")

    for i, section in enumerate(rubric.sections):
        spath = f"sections[{i}]"
        points = sum((ind.max_points for ind in section.indicators), Decimal(0))
        if points != section.weight:
            out.append(
                _issue(
                    f"{spath}.indicators",
                    "section_points",
                    f"部分 “{section.code}” 各指标分值之和为 {_plain(points)},须等于该部分权重 "
                    f"{_plain(section.weight)}",
                    f"the indicators of section '{section.code}' add up to {_plain(points)} points, "
                    f"not its weight {_plain(section.weight)}",
                )
            )
        for j, ind in enumerate(section.indicators):
            ipath = f"{spath}.indicators[{j}]"
            if ind.max_points % ind.step != 0:
                out.append(
                    _issue(
                        f"{ipath}.max_points",
                        "off_step",
                        f"满分 {_plain(ind.max_points)} 不是步长 {_plain(ind.step)} 的整数倍",
                        f"max points {_plain(ind.max_points)} are not a whole multiple of the step "
                        f"{_plain(ind.step)}",
                    )
                )
            out += _anchor_issues(ind.anchors, f"{ipath}.anchors")
            out += _indicator_rule_issues(ind, ipath, figures, gates)

    for i, fig in enumerate(rubric.figures):
        if fig.computed is not None:
            out += _computation_issues(fig, f"figures[{i}].computed", figures)

    for i, gate in enumerate(rubric.gates):
        out += _rule_issues(gate, f"gates[{i}]", figures)

    out += _grade_band_issues(rubric)
    return out


def _indicator_rule_issues(
    ind: Indicator, ipath: str, figures: dict[str, Figure], gates: dict[str, Gate]
) -> list[Issue]:
    out: list[Issue] = []
    if ind.kind == "expert":
        if ind.gate is not None or ind.rule is not None:
            out.append(
                _issue(
                    ipath,
                    "data_rule",
                    "专家评分指标不得设置 gate 或 rule",
                    "an expert indicator has no gate or rule (experts score it)",
                )
            )
        return out
    if (ind.gate is None) == (ind.rule is None):
        out.append(
            _issue(
                ipath,
                "data_rule",
                "数据指标须且只须指定 gate 或 rule 之一",
                "a data indicator names exactly one of gate or rule",
            )
        )
    if ind.gate is not None and ind.gate not in gates:
        out.append(
            _issue(
                f"{ipath}.gate",
                "unknown_gate",
                f"门槛 “{ind.gate}” 未在 gates 中定义",
                f"gate '{ind.gate}' is not defined in gates",
            )
        )
    if ind.rule is not None:
        out += _rule_issues(ind.rule, f"{ipath}.rule", figures)
    return out


def _computation_issues(fig: Figure, path: str, figures: dict[str, Figure]) -> list[Issue]:
    assert fig.computed is not None
    out: list[Issue] = []
    for k, code in enumerate(fig.computed.of):
        source = figures.get(code)
        if source is None or source.computed is not None:
            out.append(
                _issue(
                    f"{path}.of[{k}]",
                    "unknown_figure",
                    f"计算所用的 “{code}” 不是已声明的申报数据项",
                    f"'{code}' used in the computation is not a declared figure",
                )
            )
    if fig.computed.op == "share" and fig.type != "percent":
        out.append(
            _issue(
                f"{path}.op",
                "rule_shape",
                "占比计算的结果须为百分比类型",
                "a computed share must be a percent figure",
            )
        )
    return out


def _grade_band_issues(rubric: Rubric) -> list[Issue]:
    bands = rubric.grade_bands
    if rubric.purpose == "designation":
        if bands:
            return [
                _issue(
                    "grade_bands",
                    "grade_bands",
                    "评选(认定)评价标准不设绩效等级",
                    "a designation rubric has no grade bands (they belong to performance rubrics)",
                )
            ]
        return []
    out: list[Issue] = []
    if not bands:
        return [
            _issue(
                "grade_bands", "grade_bands", "绩效评价标准须设等级", "a performance rubric needs grade bands"
            )
        ]
    mins = [b.min for b in bands]
    if any(b >= a for a, b in pairwise(mins)):
        out.append(
            _issue(
                "grade_bands",
                "grade_bands",
                "等级须按下限从高到低排列且互不相同",
                "grade bands must be listed from the highest lower bound down, without repeats",
            )
        )
    if mins[-1] != 0:
        out.append(
            _issue(
                f"grade_bands[{len(bands) - 1}].min",
                "grade_bands",
                "最低等级的下限必须为 0",
                "the lowest grade band must start at 0",
            )
        )
    out += _duplicates([(f"grade_bands[{i}].code", b.code) for i, b in enumerate(bands)], "等级", "grade")
    return out
