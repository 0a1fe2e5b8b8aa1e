"""The `shuangchuang rubric` commands: list the shipped rubrics, show one, validate a rubric file."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Annotated

import typer

from criteria.load import (
    RubricInvalid,
    dec_str,
    load_rubric,
    rubric_document,
    rubric_version,
    shipped_rubric,
)
from criteria.schema import KINDS, PURPOSES, Rubric

rubric_app = typer.Typer(
    help="评价标准 / rubrics: list the shipped rubrics, show one, validate a rubric file.",
    no_args_is_help=True,
)


def _error(zh: str, en: str) -> None:
    typer.secho(f"错误 / error: {zh} ({en})", err=True, fg="red")
    raise typer.Exit(1)


@rubric_app.command("list")
def list_rubrics() -> None:
    """List the shipped rubrics: purpose, kind, version, title."""
    for purpose in PURPOSES:
        for kind in KINDS:
            rubric = shipped_rubric(kind, purpose)
            typer.echo(f"{purpose:<12} {kind:<11} {rubric_version(rubric)}  {rubric.title_zh}")


@rubric_app.command("show")
def show(
    kind: Annotated[str, typer.Argument(help="regional | university | enterprise")],
    as_json: Annotated[bool, typer.Option("--json", help="print the canonical JSON document")] = False,
    version: Annotated[
        str | None, typer.Option("--version", help="a stored version (default: the shipped one)")
    ] = None,
    purpose: Annotated[str, typer.Option("--purpose", help="designation | performance")] = "designation",
) -> None:
    """Show a rubric: sections with weights, indicators with kind and points, figures, gates."""
    if kind not in KINDS:
        _error(f"未知的基地类别 {kind!r}", f"unknown kind {kind!r}; one of: {', '.join(KINDS)}")
    if purpose not in PURPOSES:
        _error(f"未知的用途 {purpose!r}", f"unknown purpose {purpose!r}; one of: {', '.join(PURPOSES)}")
    rubric = shipped_rubric(kind, purpose)
    if version is not None and version != rubric_version(rubric):
        rubric = _stored_version(kind, purpose, version)
    if as_json:
        typer.echo(json.dumps(rubric_document(rubric), ensure_ascii=False, indent=2))
        return
    for line in render_table(rubric):
        typer.echo(line)


def _stored_version(kind: str, purpose: str, version: str) -> Rubric:
    """A version that is not the shipped one lives only in the database (frozen by a round or import)."""
    from scoring.core.errors import DomainError
    from scoring.services.admin.rubrics import get_version
    from scoring.settings import get_settings
    from scoring.store.db import make_engine, make_sessionmaker, unit_of_work

    engine = make_engine(get_settings().database_url)
    try:
        with unit_of_work(make_sessionmaker(engine)) as session:
            return get_version(session, kind=kind, version=version, purpose=purpose)
    except DomainError as exc:
        _error(exc.message.render("zh_CN"), exc.message.render("en"))
        raise  # pragma: no cover - _error always exits
    finally:
        engine.dispose()


def render_table(rubric: Rubric) -> list[str]:
    """A readable outline of a rubric for the terminal."""
    lines = [
        f"{rubric.title_zh} / {rubric.title_en}",
        f"kind {rubric.kind} · purpose {rubric.purpose} · version {rubric_version(rubric)}",
        "",
        f"{'code':<8} {'kind':<7} {'points':>6}  text",
    ]
    for section in rubric.sections:
        lines.append(
            f"{section.code:<8} {'':<7} {_n(section.weight):>6}  {section.title_zh} / {section.title_en}"
        )
        for ind in section.indicators:
            rule = rubric.rule_of(ind)
            feeds = f"  [{', '.join(rule.figures)}]" if rule is not None else ""
            lines.append(f"  {ind.code:<6} {ind.kind:<7} {_n(ind.max_points):>6}  {ind.text_zh}{feeds}")
    total = sum((s.weight for s in rubric.sections), Decimal(0))
    lines.append(f"{'total':<8} {'':<7} {_n(total):>6}")
    if rubric.figures:
        lines += ["", "figures / 申报数据项:"]
        for fig in rubric.figures:
            lines.append(f"  {fig.code:<22} {fig.type:<8} {fig.name_zh}")
    if rubric.gates:
        lines += ["", "gates / 门槛(一票否决):"]
        for gate in rubric.gates:
            compare = f"reference {gate.reference}" if gate.reference else f"threshold {_n(gate.threshold)}"
            lines.append(f"  {gate.code:<22} {gate.op}({', '.join(gate.figures)}) {compare}")
            lines.append(f"  {'':<22} {gate.text_zh}")
    if rubric.grade_bands:
        lines += ["", "grades / 等级:"]
        for band in rubric.grade_bands:
            lines.append(f"  {band.grade_zh} ({band.grade_en}) ≥ {_n(band.min)}")
    return lines


def _n(value: Decimal | None) -> str:
    return "-" if value is None else dec_str(value)


@rubric_app.command("validate")
def validate(path: Annotated[Path, typer.Argument(help="a rubric TOML file")]) -> None:
    """Validate a rubric file; exit status 1 with every issue listed (in Chinese and English)."""
    if not path.is_file():
        _error(f"文件不存在:{path}", f"no such file: {path}")
    try:
        rubric = load_rubric(path)
    except RubricInvalid as exc:
        typer.secho(f"{path}: {len(exc.issues)} 个问题 / issue(s)", err=True, fg="red")
        for issue in exc.issues:
            where = issue.path or "(file)"
            typer.secho(f"  {where} [{issue.rule}]", err=True, fg="red")
            typer.secho(f"    {issue.message_zh}", err=True)
            typer.secho(f"    {issue.message_en}", err=True)
        raise typer.Exit(1) from None
    typer.echo(
        f"ok: {path} — {rubric.purpose} {rubric.kind}, version {rubric_version(rubric)}, "
        f"{len(rubric.sections)} sections, {len(rubric.indicators())} indicators, {len(rubric.gates)} gates"
    )
