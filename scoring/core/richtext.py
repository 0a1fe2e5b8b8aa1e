"""Formatted text of a public call (建设重点, 申报要求) as safe blocks: a small plain-text markup, never HTML.

Lines starting "# " are headings, "- " or "· " bullet items, "1. " or "（一）" numbered items; blank lines
separate paragraphs; "**…**" marks bold. The result is structure with plain strings only, which the
templates escape, so no markup typed by staff can reach a page as HTML (nothing to sanitise away).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

MAX_CHARS = 20_000
_NUMBERED = re.compile(r"^(\d{1,3}[.、)]|[（(][一二三四五六七八九十]{1,3}[）)])\s*")
_BOLD = re.compile(r"\*\*(.+?)\*\*")


@dataclass(frozen=True)
class Run:
    text: str
    bold: bool = False


@dataclass
class Block:
    kind: Literal["h", "p", "ul", "ol"]
    lines: list[list[Run]] = field(default_factory=list)


def runs(text: str) -> list[Run]:
    out: list[Run] = []
    pos = 0
    for match in _BOLD.finditer(text):
        if match.start() > pos:
            out.append(Run(text[pos : match.start()]))
        out.append(Run(match.group(1), bold=True))
        pos = match.end()
    if pos < len(text):
        out.append(Run(text[pos:]))
    return out


def parse(text: str) -> list[Block]:
    """The blocks of a text, in order; control characters other than newlines and tabs are dropped."""
    clean = "".join(ch for ch in text.replace("\r\n", "\n").replace("\r", "\n") if ch in "\n\t" or ch >= " ")
    blocks: list[Block] = []
    for raw in clean.split("\n"):
        line = raw.strip()
        if not line:
            blocks.append(Block("p"))  # a paragraph break; empty blocks are dropped below
            continue
        if line.startswith("# "):
            blocks.append(Block("h", [runs(line[2:].strip())]))
            continue
        kind: Literal["p", "ul", "ol"] = "p"
        if line[:2] in ("- ", "· ", "• "):
            kind, line = "ul", line[2:].strip()
        elif _NUMBERED.match(line):
            kind = "ol"
        last = blocks[-1] if blocks else None
        if last is not None and last.kind == kind and last.lines:
            last.lines.append(runs(line))
        else:
            blocks.append(Block(kind, [runs(line)]))
    return [b for b in blocks if b.lines]
