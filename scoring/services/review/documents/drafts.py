"""The content of each official document, drawn from the recorded data: a draft with its fixed parts
(generated, not editable) and its free-text blocks (defaults staff may edit before issuing)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from scoring.core.aggregate import fmt2
from scoring.core.errors import Conflict, NotFound
from scoring.core.i18n import Msg, msg
from scoring.core.lifecycle import ApplicationStatus as A
from scoring.core.lifecycle import RevocationStatus, RoundStatus, SheetStatus
from scoring.core.vocabulary import DocumentKind as K
from scoring.services.admin import integrity
from scoring.services.designation.rounds import round_rubric
from scoring.services.review import ranking as ranking_service
from scoring.services.review.documents import ISSUER, chinese_date
from scoring.services.review.results_discussions import discussions_of
from scoring.services.review.results_reasons import beijing, beijing_date, decision_records
from scoring.services.review.results_robustness import assess_ranking, expert_names, render_verdict
from scoring.store.models import (
    Application,
    DesignatedBase,
    Expert,
    Organisation,
    Panel,
    PanelMember,
    Rectification,
    Revocation,
    Round,
    Sheet,
)

KIND_ZH = {"regional": "区域", "university": "高校及科研院所", "enterprise": "企业"}
PLACE_ZH = {
    "within_quota": "名额内",
    "tie_at_quota_line": "名额线并列",
    "beyond_quota": "名额外",
    "not_eligible": "不符合条件",
}
STATUS_ZH: dict[str, str] = {
    A.SHORTLISTED: "拟入选",
    A.NOT_DESIGNATED: "未入选",
    A.DESIGNATED: "已认定",
    A.SCORED: "已评分",
}
BLOCK_MAX = 2_000  # characters in one free-text block
BASIS = "根据《石家庄市人民政府办公厅关于推进“双创”示范基地建设的实施意见》（石政办函〔2018〕49号）"


@dataclass
class Draft:
    """What a document says; `blocks` are the free texts (key -> text), everything else is generated."""

    kind: str
    round_id: int | None
    subject_id: int | None
    title: str
    addressee: str
    blocks: dict[str, str]
    day: date
    sections: list[tuple[str, list[str]]] = field(default_factory=list)  # (heading, paragraphs)
    tables: list[tuple[str, list[str], list[list[str]]]] = field(
        default_factory=list
    )  # (caption, head, rows)
    attachments: list[str] = field(default_factory=list)
    signature: str | None = None  # a signature line's label (score sheets)
    block_order: list[str] = field(default_factory=list)

    def render(self, document_no: str) -> bytes:
        # python-docx is loaded when a document is first rendered, not at start-up (~150 ms).
        from scoring.services.review.documents.layout import OfficialDocument

        doc = OfficialDocument()
        doc.masthead(ISSUER, document_no)
        doc.title(self.title)
        if self.addressee:
            doc.addressee(self.addressee)
        for key in self.block_order[:1]:
            doc.body(self.blocks.get(key, ""))
        for heading, paragraphs in self.sections:
            doc.heading(heading)
            for text in paragraphs:
                doc.body(text)
        for key in self.block_order[1:]:
            doc.body(self.blocks.get(key, ""))
        inline = self.tables if not self.attachments else []
        for caption, head, rows in inline:
            doc.heading(caption, level=2)
            doc.table(head, rows)
        if self.signature:
            doc.signature_line(self.signature)
        doc.attachments(self.attachments)
        doc.signature(ISSUER, self.day)
        for i, (caption, head, rows) in enumerate(self.tables if self.attachments else []):
            doc.attachment_page(i + 1 if len(self.attachments) > 1 else None, caption)
            doc.table(head, rows)
        return doc.to_bytes()


def _round(session: Session, round_id: int | None) -> Round:
    rnd = session.get(Round, round_id) if round_id is not None else None
    if rnd is None:
        raise NotFound()
    return rnd


def _not_yet(what: Msg) -> Conflict:
    return Conflict(
        msg("The decision this document records has not been taken yet: %(what)s.", what=what),
        code="decision_not_taken",
    )


def _listed(session: Session, rnd: Round, statuses: tuple[str, ...]) -> list[tuple[str, list[list[str]]]]:
    """Per kind of the round: (kind in words, rows of 序号, name, district, final score) in rank order."""
    out: list[tuple[str, list[list[str]]]] = []
    for kind in rnd.kinds:
        ranking = ranking_service.compute_ranking(session, rnd, kind)
        rows = [r for r in ranking.rows if r.status in statuses]
        out.append(
            (
                KIND_ZH.get(kind, kind),
                [
                    [str(i), r.applicant, r.district or "", fmt2(r.final) or ""]
                    for i, r in enumerate(rows, start=1)
                ],
            )
        )
    return out


def notice(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """公示: the shortlisted list, the notice period and how to object."""
    rnd = _round(session, round_id)
    if rnd.status not in (RoundStatus.NOTICE, RoundStatus.PUBLISHED) or rnd.notice_ends_on is None:
        raise _not_yet(msg("the list has not been confirmed for public notice"))
    listed = _listed(session, rnd, (A.SHORTLISTED, A.DESIGNATED))
    count = sum(len(rows) for _, rows in listed)
    start, end = rnd.notice_starts_on or today, rnd.notice_ends_on
    draft = Draft(
        kind=K.NOTICE,
        round_id=rnd.id,
        subject_id=None,
        title=f"关于{rnd.title}拟认定名单的公示",
        addressee="",
        blocks={
            "intro": f"{BASIS}，经申报、县（市、区）推荐、形式审查、"
            f"专家评审和综合评定，拟认定以下{count}家单位为"
            f"{rnd.year}年度石家庄市“双创”示范基地，现予以公示。",
            "objections": f"公示期为{chinese_date(start)}至{chinese_date(end)}。"
            "对公示名单有异议的，请在公示期内"
            "通过公示页面以书面形式提出，写明异议理由并提供联系方式；逾期不予受理。",
        },
        block_order=["intro", "objections"],
        day=start,
    )
    for kind_zh, rows in listed:
        draft.tables.append(
            (f"{kind_zh}“双创”示范基地拟认定名单", ["序号", "单位名称", "所在县（市、区）", "综合得分"], rows)
        )
    draft.attachments = [caption for caption, _, _ in draft.tables]
    return draft


def designation(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """认定通知 with the designated list."""
    rnd = _round(session, round_id)
    if rnd.status != RoundStatus.PUBLISHED:
        raise _not_yet(msg("the list has not been published"))
    listed = _listed(session, rnd, (A.DESIGNATED,))
    count = sum(len(rows) for _, rows in listed)
    approval = f"，经市政府同意（{rnd.approval_document_no}）" if rnd.approval_document_no else ""
    published = beijing_date(rnd.published_at) or today
    draft = Draft(
        kind=K.DESIGNATION,
        round_id=rnd.id,
        subject_id=None,
        title=f"关于认定{rnd.year}年度石家庄市“双创”示范基地的通知",
        addressee="各县（市、区）发展改革局，有关单位",
        blocks={
            "intro": f"{BASIS}，经专家评审、综合评定和公示{approval}，认定以下{count}家单位为{rnd.year}年度"
            "石家庄市“双创”示范基地。",
            "requirements": "各示范基地要按照建设方案加强平台建设和服务能力，"
            "每年按时报送年度数据，接受年度绩效评价。",
        },
        block_order=["intro", "requirements"],
        day=published,
    )
    anchor = integrity.anchor_of_round(session, rnd.id)
    if anchor is not None:  # generated, not an editable block: the chain head at the publication
        draft.sections.append(("审计日志锚点", [
            f"名单公布时审计日志链头为第{anchor.seq}号事件，锚点：{anchor.anchor}。"
            "持有此锚点者可随时核验此前的审计记录未被改动、删除或重排（见“审计锚点”公开页面）。"
        ]))  # fmt: skip
    for kind_zh, rows in listed:
        draft.tables.append(
            (f"{kind_zh}“双创”示范基地名单", ["序号", "单位名称", "所在县（市、区）", "综合得分"], rows)
        )
    draft.attachments = [caption for caption, _, _ in draft.tables]
    return draft


def review_report(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """评审报告: process, panels, dates, scores, consistency, decisions with reasons, robustness."""
    rnd = _round(session, round_id)
    if rnd.status not in (RoundStatus.DECIDING, RoundStatus.NOTICE, RoundStatus.PUBLISHED):
        raise _not_yet(msg("the panels have not finished scoring"))
    method = {
        "trimmed_mean": "去掉一个最高分和一个最低分后取平均（不足5份取平均）",
        "mean": "取平均",
        "median": "取中位数",
    }.get(rnd.method, rnd.method)
    draft = Draft(
        kind=K.REVIEW_REPORT,
        round_id=rnd.id,
        subject_id=None,
        title=f"{rnd.title}评审报告",
        addressee="",
        blocks={"summary": f"{BASIS}，{rnd.title}已完成专家评审和综合评定，现将评审情况报告如下。"},
        block_order=["summary"],
        day=today,
    )
    process = [
        f"评审方法：专家组得分{method}，加数据指标得分为综合得分；合格线{fmt2(rnd.pass_line)}分；"
        f"离群阈值{fmt2(rnd.outlier_threshold)}分。",
    ]
    if rnd.approval_document_no:
        process.append(
            f"市政府批复：{rnd.approval_document_no}"
            f"（{chinese_date(rnd.approval_date) if rnd.approval_date else ''}）。"
        )
    if rnd.notice_starts_on and rnd.notice_ends_on:
        process.append(f"公示期：{chinese_date(rnd.notice_starts_on)}至{chinese_date(rnd.notice_ends_on)}。")
    draft.sections.append(("一、评审过程", process))
    panels_text: list[str] = []
    scores_rows: list[list[str]] = []
    decisions_rows: list[list[str]] = []
    robust_rows: list[list[str]] = []
    section_rows: list[list[str]] = []
    applicants: dict[int, str] = {}
    for kind in rnd.kinds:
        kind_zh = KIND_ZH.get(kind, kind)
        ranking = ranking_service.compute_ranking(session, rnd, kind)
        applicants.update({r.application_id: r.applicant for r in ranking.rows})
        panel = session.scalars(select(Panel).where(Panel.round_id == rnd.id, Panel.kind == kind)).first()
        members = 0
        if panel is not None:
            members = len(
                session.scalars(
                    select(PanelMember.id).where(
                        PanelMember.panel_id == panel.id, PanelMember.is_reserve.is_(False)
                    )
                ).all()
            )
        sheets = sum(r.sheets_submitted for r in ranking.rows)
        w = ranking.kendall.w
        panels_text.append(
            f"{kind_zh}类：专家组{members}人（抽取于{beijing(panel.drawn_at) if panel else '—'}），"
            f"共提交评分表{sheets}份，申报{len(ranking.rows)}个，名额{ranking.quota}个；"
            f"专家评分一致性（肯德尔W）{fmt2(w) if w is not None else '不适用'}。"
        )
        records = decision_records(
            session,
            round_id=rnd.id,
            application_ids=[r.application_id for r in ranking.rows],
            tied_ids=ranking.tied_ids,
        )
        verdicts = assess_ranking(session, ranking)
        names = expert_names(session, verdicts)
        minimums = (rnd.section_minimums or {}).get(kind) or {}
        if minimums:
            process.append(
                f"{kind_zh}类各部分最低分："
                + "、".join(
                    f"“{sec.title_zh}”{minimums[sec.code]}分"
                    for sec in ranking.rubric.sections
                    if sec.code in minimums
                )
                + "；任一部分得分低于最低分的，不列入推荐名单。"
            )
        for r in ranking.rows:
            for check in r.sections:
                if not check.passed:
                    section_rows.append([kind_zh, r.applicant, check.reason(True).render("zh_CN")])
            scores_rows.append(
                [
                    kind_zh,
                    str(r.rank or "—"),
                    r.applicant,
                    fmt2(r.panel.value) or "—",
                    fmt2(r.data_points) or "—",
                    fmt2(r.final) or "—",
                    PLACE_ZH.get(r.decision, r.decision),
                    STATUS_ZH.get(r.status, r.status),
                ]
            )
            for rec in records[r.application_id]:
                decisions_rows.append(
                    [
                        r.applicant,
                        rec.subject_text.render("zh_CN"),
                        rec.reason or "—",
                        rec.by or "—",
                        beijing(rec.at) or "—",
                    ]
                )
            verdict = verdicts.get(r.application_id)
            if verdict is not None:
                robust_rows.append(
                    [r.applicant, fmt2(verdict.final_score) or "", render_verdict(verdict, names, "zh_CN")]
                )
    draft.sections.append(("二、专家组和评分", panels_text))
    draft.tables.append(
        (
            "综合得分和排名",
            ["类型", "排名", "单位名称", "专家组得分", "数据指标", "综合得分", "名额位置", "状态"],
            scores_rows,
        )
    )
    draft.tables.append(
        ("决定及理由", ["单位名称", "事项", "理由", "决定人", "时间（北京时间）"], decisions_rows)
    )
    talks = discussions_of(session, round_id=rnd.id)
    discussion_rows = [
        [
            applicants.get(d.application_id, str(d.application_id)),
            str(d.sheet_id or "—"),
            d.outcome_text,
            d.reason,
            d.by or "—",
            d.at or "—",
        ]
        for ds in talks.values()
        for d in ds
    ]
    draft.tables.append(
        (
            "专家组讨论记录",
            ["单位名称", "评分表编号", "结果", "理由", "记录人", "时间（北京时间）"],
            discussion_rows,
        )
    )
    draft.tables.append(("名额线和合格线附近排名的稳健性", ["单位名称", "综合得分", "结论"], robust_rows))
    if any((rnd.section_minimums or {}).get(kind) for kind in rnd.kinds):
        draft.tables.append(("未达到部分最低分的申报", ["类型", "单位名称", "说明"], section_rows))
    return draft


def score_sheet(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """One expert's submitted score sheet, with a signature line."""
    found = session.execute(
        select(Sheet, Expert.name, Application, Organisation.name, Round)
        .join(Expert, Expert.id == Sheet.expert_id)
        .join(Application, Application.id == Sheet.application_id)
        .join(Organisation, Organisation.id == Application.organisation_id)
        .join(Round, Round.id == Application.round_id)
        .where(Sheet.id == subject_id)
    ).first()
    if found is None:
        raise NotFound()
    sheet, expert, app, org_name, rnd = found
    if sheet.status != SheetStatus.SUBMITTED:
        raise _not_yet(msg("the score sheet has not been submitted"))
    rubric = round_rubric(session, rnd, app.kind)
    rows = []
    for section in rubric.sections:
        for ind in section.indicators:
            if ind.kind == "expert":
                raw = (sheet.scores or {}).get(ind.code)
                rows.append(
                    [
                        section.title_zh,
                        ind.text_zh,
                        fmt2(ind.max_points) or "",
                        "" if raw is None else str(raw),
                    ]
                )
    rows.append(["合计", "", "", fmt2(sheet.total) or ""])
    draft = Draft(
        kind=K.SCORE_SHEET,
        round_id=rnd.id,
        subject_id=sheet.id,
        title=f"{rnd.title}专家评分表",
        addressee="",
        blocks={
            "remarks": f"评审对象：{org_name}（{KIND_ZH.get(app.kind, app.kind)}类）。评审专家：{expert}。"
            f"提交时间：{beijing(sheet.submitted_at) or '—'}。"
            + (f"评审意见：{sheet.comments}" if sheet.comments else "")
        },
        block_order=["remarks"],
        day=beijing_date(sheet.submitted_at) or today,
        signature="评审专家签名",
    )
    draft.tables.append(("评分明细", ["一级指标", "评分内容", "分值", "得分"], rows))
    return draft


def rectification(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """整改通知书 to a base, from its rectification order."""
    found = session.execute(
        select(Rectification, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Rectification.base_id)
        .where(Rectification.id == subject_id)
    ).first()
    if found is None:
        raise NotFound()
    order, base = found
    return Draft(
        kind=K.RECTIFICATION,
        round_id=base.round_id,
        subject_id=order.id,
        title=f"关于{base.name}限期整改的通知",
        addressee=base.name,
        blocks={
            "reasons": f"经年度绩效评价，你单位存在以下问题：{order.reasons}",
            "requirements": f"请于{chinese_date(order.deadline)}前完成整改，并报送整改报告。"
            "整改期满后将组织复评，"
            "复评不合格的，将依程序撤销“双创”示范基地称号。",
        },
        block_order=["reasons", "requirements"],
        day=beijing_date(order.issued_at) or today,
    )


def revocation(session: Session, round_id: int | None, subject_id: int | None, today: date) -> Draft:
    """撤销决定 of a base's title, once the revocation is confirmed."""
    found = session.execute(
        select(Revocation, DesignatedBase)
        .join(DesignatedBase, DesignatedBase.id == Revocation.base_id)
        .where(Revocation.id == subject_id)
    ).first()
    if found is None:
        raise NotFound()
    rev, base = found
    if rev.status != RevocationStatus.CONFIRMED:
        raise _not_yet(msg("the revocation has not been confirmed"))
    return Draft(
        kind=K.REVOCATION,
        round_id=base.round_id,
        subject_id=rev.id,
        title=f"关于撤销{base.name}“双创”示范基地称号的决定",
        addressee=base.name,
        blocks={
            "body": f"{base.name}于{chinese_date(base.designated_on)}"
            f"被认定为石家庄市“双创”示范基地（{base.document_no}）。"
            f"{rev.reason}。经研究，决定撤销其“双创”示范基地称号。",
        },
        block_order=["body"],
        day=rev.decided_on or beijing_date(rev.confirmed_at) or today,
    )


BUILDERS = {
    K.NOTICE: notice,
    K.DESIGNATION: designation,
    K.REVIEW_REPORT: review_report,
    K.SCORE_SHEET: score_sheet,
    K.RECTIFICATION: rectification,
    K.REVOCATION: revocation,
}
