"""The staff page that answers "why am I not on the list?": decisions with reasons, who and when,
robustness, and official documents previewed, edited and issued through a form."""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from typing import Any

import docx
from sqlalchemy.orm import Session

from tests.documents.test_official_documents import _decided, _notice
from tests.ranking.conftest import World
from tests.web.conftest import page_as  # noqa: F401  (fixture)


def test_staff_see_reasons_robustness_and_issue_the_notice_from_one_page(
    make_world: Callable[..., World],
    session: Session,
    make_person: Callable[..., Any],
    page_as: Callable[..., Any],  # noqa: F811
) -> None:
    staff = make_person("staff")
    w, _a, _b = _decided(make_world, session, staff)
    _notice(w)
    client = page_as(staff)
    url = f"/staff/rounds/{w.round.id}/documents"
    page = client.get(url)
    assert page.status_code == 200
    assert "乙公司专利转化更多，专家组复议后调整" in page.text and staff.user.display_name in page.text
    assert "决定与拟推荐名单不同" in page.text
    assert "敏感： 按评分表的中位数计分：在名单外（86.00分）" in page.text

    draft = client.get(f"{url}?kind=notice")
    assert "关于2026年度双创示范基地评选拟认定名单的公示" in draft.text
    # The editable blocks are labelled in words, not by their keys.
    assert '<label for="block-intro">开头段落</label>' in draft.text
    assert '<label for="block-objections">异议方式</label>' in draft.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', draft.text)
    assert csrf is not None
    form = {
        "csrf_token": csrf.group(1),
        "kind": "notice",
        "blocks.intro": "字" * 2001,
        "document_no": "石发改〔2026〕9号",
    }
    refused = client.post(url, data=form, follow_redirects=False)
    assert refused.status_code == 422 and "不得超过2000个字符" in refused.text
    form["blocks.intro"] = "拟认定乙科技有限公司，现予以公示。"
    issued = client.post(url, data=form, follow_redirects=False)
    assert issued.status_code == 303, issued.text
    listing = client.get(issued.headers["location"])
    assert "文件已印发。" in listing.text and "石发改〔2026〕9号" in listing.text
    link = re.search(r'href="(/staff/documents/\d+\.docx)"', listing.text)
    assert link is not None
    document = docx.Document(io.BytesIO(client.get(link.group(1)).content))
    texts = [p.text for p in document.paragraphs]
    assert "石发改〔2026〕9号" in texts and "拟认定乙科技有限公司，现予以公示。" in texts

    applicant = page_as(make_person("expert"))
    assert applicant.get(url).status_code in (403, 404)
