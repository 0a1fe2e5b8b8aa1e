"""The GB/T 9704-2012 layout of an official document (党政机关公文格式) as DOCX, via python-docx.

A4, margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; 22 lines of 28 characters; 版头 with the
issuing organ's mark in red 小标宋, the 发文字号 centred below it and a red separator line; the title in
2号 小标宋; 主送机关, body and 附件说明 in 3号 仿宋 (first-level headings 黑体, second-level 楷体); the
落款 and the 成文日期 in Arabic numerals right-aligned; page numbers "— 1 —" in 4号 宋体.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from docx.text.run import Run

from scoring.services.review.documents import chinese_date

# Fonts as GB/T 9704-2012 names them (7.1, 7.2, 7.3): 小标宋体, 仿宋体, 黑体, 楷体, 宋体.
FONT_MARK = "方正小标宋简体"  # 发文机关标志
FONT_TITLE = "方正小标宋简体"
FONT_BODY = "仿宋_GB2312"
FONT_H1 = "黑体"
FONT_H2 = "楷体_GB2312"
FONT_PAGE = "宋体"
SIZE_2 = Pt(22)  # 二号
SIZE_3 = Pt(16)  # 三号
SIZE_4 = Pt(14)  # 四号
SIZE_TABLE = Pt(12)  # 小四, for tables in an attachment
RED = RGBColor(0xE6, 0x00, 0x12)
LINE = Pt(28.95)  # 22 lines on the 225 mm type area


def _fonts(run: Run, name: str, size: Pt, *, bold: bool = False, color: RGBColor | None = None) -> None:
    run.font.name = name
    run.font.size = size
    run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        r_pr.insert(0, fonts)
    for attr in ("w:ascii", "w:hAnsi", "w:eastAsia", "w:cs"):
        fonts.set(qn(attr), name)


def _spacing(p: Paragraph, *, exact: Pt = LINE) -> None:
    fmt = p.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = exact
    fmt.space_before = Pt(0)
    fmt.space_after = Pt(0)


def _bottom_border(p: Paragraph, color: str = "E60012", size: int = 12) -> None:
    p_pr = p._p.get_or_add_pPr()
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    bottom.set(qn("w:val"), "single")
    bottom.set(qn("w:sz"), str(size))
    bottom.set(qn("w:space"), "1")
    bottom.set(qn("w:color"), color)
    borders.append(bottom)
    p_pr.append(borders)


class OfficialDocument:
    """Builds one document top to bottom in the order of the standard's elements."""

    def __init__(self) -> None:
        self.doc = Document()
        section = self.doc.sections[0]
        section.page_width, section.page_height = Mm(210), Mm(297)
        section.top_margin, section.bottom_margin = Mm(37), Mm(35)
        section.left_margin, section.right_margin = Mm(28), Mm(26)
        section.start_type = WD_SECTION.NEW_PAGE
        normal = self.doc.styles["Normal"]
        normal.font.name = FONT_BODY
        normal.font.size = SIZE_3
        normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT_BODY)
        self._page_numbers()

    def _page_numbers(self) -> None:
        footer = self.doc.sections[0].footer
        p = footer.paragraphs[0]
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _fonts(p.add_run("— "), FONT_PAGE, SIZE_4)
        run = p.add_run()
        _fonts(run, FONT_PAGE, SIZE_4)
        for kind, text in (("begin", None), (None, " PAGE "), ("end", None)):
            if kind is not None:
                fld = OxmlElement("w:fldChar")
                fld.set(qn("w:fldCharType"), kind)
                run._r.append(fld)
            else:
                instr = OxmlElement("w:instrText")
                instr.set(qn("xml:space"), "preserve")
                instr.text = text
                run._r.append(instr)
        _fonts(p.add_run(" —"), FONT_PAGE, SIZE_4)

    def paragraph(
        self,
        text: str = "",
        *,
        font: str = FONT_BODY,
        size: Pt = SIZE_3,
        align: WD_ALIGN_PARAGRAPH | None = None,
        indent: bool = True,
        bold: bool = False,
        color: RGBColor | None = None,
    ) -> Paragraph:
        p = self.doc.add_paragraph()
        _spacing(p)
        if align is not None:
            p.alignment = align
        if indent and align is None:
            p.paragraph_format.first_line_indent = Pt(size.pt * 2)  # 首行缩进二字
        if text:
            _fonts(p.add_run(text), font, size, bold=bold, color=color)
        return p

    def masthead(self, issuer: str, document_no: str) -> None:
        """版头: the organ's mark in red, the 发文字号 centred, then the red separator line."""
        mark = self.paragraph(f"{issuer}文件", font=FONT_MARK, size=Pt(36), align=WD_ALIGN_PARAGRAPH.CENTER,
                              color=RED)  # fmt: skip
        _spacing(mark, exact=Pt(48))
        self.paragraph()
        self.paragraph()
        number = self.paragraph(document_no, align=WD_ALIGN_PARAGRAPH.CENTER)
        _bottom_border(number)
        self.paragraph()

    def title(self, text: str) -> None:
        p = self.paragraph(text, font=FONT_TITLE, size=SIZE_2, align=WD_ALIGN_PARAGRAPH.CENTER)
        _spacing(p, exact=Pt(35))
        self.paragraph()

    def addressee(self, text: str) -> None:
        """主送机关: flush left, followed by a full-width colon."""
        self.paragraph(f"{text}：", indent=False)

    def heading(self, text: str, level: int = 1) -> None:
        self.paragraph(text, font=FONT_H1 if level == 1 else FONT_H2)

    def body(self, text: str) -> None:
        for line in text.splitlines() or [""]:
            if line.strip():
                self.paragraph(line.strip())

    def table(self, header: Sequence[str], rows: Sequence[Sequence[str]]) -> None:
        table = self.doc.add_table(rows=1, cols=len(header))
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for cell, text in zip(table.rows[0].cells, header, strict=True):
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
            _fonts(cell.paragraphs[0].add_run(text), FONT_H1, SIZE_TABLE)
        for values in rows:
            cells = table.add_row().cells
            for cell, text in zip(cells, values, strict=True):
                _fonts(cell.paragraphs[0].add_run(text), FONT_BODY, SIZE_TABLE)

    def attachments(self, names: Sequence[str]) -> None:
        """附件说明: "附件：1. …" under the body, one attachment per line, numbered when more than one."""
        if not names:
            return
        self.paragraph()
        if len(names) == 1:
            self.paragraph(f"附件：{names[0]}")
            return
        for i, name in enumerate(names, start=1):
            self.paragraph(f"附件：{i}. {name}" if i == 1 else f"　　　{i}. {name}")

    def signature(self, issuer: str, day: date) -> None:
        """落款 and 成文日期, right-aligned with four characters' space on the right (7.3.5.1)."""
        self.paragraph()
        self.paragraph()
        for text in (issuer, chinese_date(day)):
            p = self.paragraph(text, align=WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(SIZE_3.pt * 4)

    def signature_line(self, label: str) -> None:
        self.paragraph()
        self.paragraph(f"{label}：____________________　　日期：__________", indent=False)

    def attachment_page(self, number: int | None, title: str) -> None:
        """An attachment starts on a new page: "附件" (黑体) at the top left, then its title."""
        self.doc.add_page_break()
        self.paragraph("附件" if number is None else f"附件{number}", font=FONT_H1, indent=False)
        self.title(title)

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()
