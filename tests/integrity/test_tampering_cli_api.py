"""Every tampering of the issue, done with the owner's powers on a copy of a real installation, is
detected by `shuangchuang audit verify` (exit status 1, the problem named) and by the auditor's API."""

from __future__ import annotations

import json
from collections.abc import Callable
from decimal import Decimal

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from scoring.store import checkpoints
from scoring.store.models import Application, AuditCheckpoint, AuditEvent, DesignatedBase, Sheet
from tests.integrity.conftest import Install
from tests.integrity.tamper import delete_events_from, edit_and_rechain, resign_checkpoints, truncate_trail


def _last_checkpoint_seq(s: Session) -> int:
    return s.scalar(select(func.max(AuditCheckpoint.seq))) or 0


def test_an_untouched_installation_verifies_and_agrees_with_its_tables(install: Install) -> None:
    result = install.cli("verify", "--state")
    assert result.exit_code == 0, result.output
    with install.session() as s:
        events = s.scalar(select(func.count()).select_from(AuditEvent))
        marks = s.scalar(select(func.count()).select_from(AuditCheckpoint))
    assert f"audit trail intact: {events} events, {marks} keyed checkpoints" in result.output
    assert "live state agrees with the trail" in result.output
    body = install.api("/api/v1/integrity/verify").json()
    # + 1: the auditor's login is itself an audited event
    assert (body["ok"], body["chain"]["problem"], body["chain"]["events"]) == (True, None, events + 1)
    recon = install.api("/api/v1/integrity/reconciliation").json()
    assert (recon["ok"], recon["differences"], recon["checked"]["base"]) == (True, [], 10)


def _delete_tail_past_checkpoint(s: Session) -> None:
    delete_events_from(s, _last_checkpoint_seq(s) - 5)  # new logins (audited) stay short of it


def _rechain(s: Session) -> None:
    edit_and_rechain(s, 10, {"tampered": True})


def _forge(s: Session) -> None:
    _rechain(s)
    key, interval = checkpoints._settings_key_and_interval()
    checkpoints.configure(key="a guess at the audit key, not the real one", interval=interval)
    try:
        resign_checkpoints(s)
    finally:
        checkpoints.configure(key=key.decode(), interval=interval)


TAMPERINGS: dict[str, tuple[Callable[[Session], None], str]] = {
    "tail deleted past a checkpoint": (_delete_tail_past_checkpoint, "missing_tail"),
    "whole trail truncated": (truncate_trail, "truncated"),
    "edited and re-chained": (_rechain, "rechained"),
    "checkpoints re-signed without the key": (_forge, "forged_checkpoint"),
}


@pytest.mark.parametrize("name", list(TAMPERINGS))
def test_each_tampering_of_the_trail_is_named_by_the_cli_and_the_api(install: Install, name: str) -> None:
    tamper, problem = TAMPERINGS[name]
    with install.session() as s:
        tamper(s)
    result = install.cli("verify")
    assert result.exit_code == 1, result.output
    assert f"audit trail BROKEN: {problem}" in result.output
    body = install.api("/api/v1/integrity/verify").json()
    assert (body["ok"], body["chain"]["ok"], body["chain"]["problem"]) == (False, False, problem)
    staff = install.api("/api/v1/audit/verify", user="staff").json()
    assert (staff["ok"], staff["problem"]) == (False, problem)


def test_an_edit_in_the_live_sheet_application_and_base_tables_is_reported(install: Install) -> None:
    with install.session() as s:
        sheet = s.scalars(select(Sheet).where(Sheet.status == "submitted").order_by(Sheet.id)).first()
        app = s.scalars(
            select(Application).where(Application.status == "not_designated").order_by(Application.id)
        ).first()
        base = s.scalars(select(DesignatedBase).order_by(DesignatedBase.id)).first()
        assert sheet and app and base
        code = sorted(sheet.scores)[0]
        trail_scores = dict(sorted(sheet.scores.items()))
        trail_total = format(sheet.total.normalize(), "f")
        ids = (sheet.id, app.id, base.id)
        s.execute(
            text("UPDATE sheets SET scores = :sc, total = :t WHERE id = :i"),
            {"sc": json.dumps(sheet.scores | {code: "0"}), "t": 0, "i": sheet.id},
        )
        s.execute(text("UPDATE applications SET status = 'shortlisted' WHERE id = :i"), {"i": app.id})
        s.execute(text("UPDATE bases SET status = 'revoked' WHERE id = :i"), {"i": base.id})
    expected = [
        {"entity": "application", "entity_id": str(ids[1]), "field": "status",
         "trail": "not_designated", "table": "shortlisted"},
        {"entity": "base", "entity_id": str(ids[2]), "field": "status",
         "trail": "active", "table": "revoked"},
        {"entity": "sheet", "entity_id": str(ids[0]), "field": "scores",
         "trail": _norm(trail_scores), "table": _norm(trail_scores | {code: "0"})},
        {"entity": "sheet", "entity_id": str(ids[0]), "field": "total", "trail": trail_total, "table": "0"},
    ]  # fmt: skip
    # The chain itself is intact: only the replay sees the edits.
    assert install.cli("verify").exit_code == 0
    result = install.cli("verify", "--state", "--json")
    assert result.exit_code == 1, result.output
    assert json.loads(result.stdout)["reconciliation"]["differences"] == expected
    human = install.cli("verify", "--state")
    assert f'base {ids[2]} status: trail "active" / table "revoked"' in human.output
    body = install.api("/api/v1/integrity/reconciliation").json()
    assert (body["ok"], body["differences"]) == (False, expected)
    assert body["message"] == "4 difference(s) between the audit trail and the live tables."


def _norm(scores: dict[str, str]) -> dict[str, str]:
    return {k: format(Decimal(v).normalize(), "f") for k, v in sorted(scores.items())}


def test_a_tail_deleted_after_the_last_checkpoint_is_caught_by_the_replay(install: Install) -> None:
    with install.session() as s:
        last = s.scalar(select(func.max(AuditEvent.id))) or 0
        first = max(_last_checkpoint_seq(s) + 1, last - 2)  # at most the last three, all past the checkpoint
        tail = list(s.execute(select(AuditEvent.entity, AuditEvent.entity_id).where(AuditEvent.id >= first)))
        delete_events_from(s, first)
    assert install.cli("verify").exit_code == 0  # stated limit: the chain alone cannot see it
    result = install.cli("verify", "--state", "--json")
    assert result.exit_code == 1
    diffs = json.loads(result.stdout)["reconciliation"]["differences"]
    # The replay covers sheets, applications, bases and publications; the demo ends on an application.
    reconciled = {(e, eid) for e, eid in tail if e in ("sheet", "application", "base", "publication")}
    assert reconciled, tail
    assert {(d["entity"], d["entity_id"]) for d in diffs} == reconciled
    body = install.api("/api/v1/integrity/reconciliation").json()
    assert body["differences"] == diffs


def _anchor(install: Install) -> str:
    anchors = install.api("/api/v1/public/anchors").json()
    assert [a["reason"] for a in anchors] == ["publication"]
    return str(anchors[0]["anchor"])


def test_a_saved_anchor_holds_on_an_untouched_trail(install: Install) -> None:
    anchor = _anchor(install)
    result = install.cli("verify", "--anchor", anchor)
    assert result.exit_code == 0, result.output
    assert f"anchor {anchor.split(':')[0]}:" in result.output and "holds" in result.output
    body = install.api(f"/api/v1/integrity/verify?anchor={anchor}").json()
    assert body["anchor"] | {"message": None} == {
        "ok": True, "seq": int(anchor.split(":")[0]), "hash": anchor.split(":")[1], "problem": None,
        "trail_hash": anchor.split(":")[1], "published": True, "message": None,
    }  # fmt: skip


def test_a_rewrite_before_the_anchor_is_caught_even_by_someone_holding_the_key(install: Install) -> None:
    anchor = _anchor(install)
    with install.session() as s:
        edit_and_rechain(s, 10, {"tampered": True})
        resign_checkpoints(s)  # the key leaked: the checkpoints are no help any more
    assert install.cli("verify").exit_code == 0
    result = install.cli("verify", "--anchor", anchor)
    assert result.exit_code == 1
    assert "does NOT hold: anchor_mismatch" in result.output
    body = install.api(f"/api/v1/integrity/verify?anchor={anchor}").json()
    assert (body["ok"], body["chain"]["ok"], body["anchor"]["problem"]) == (False, True, "anchor_mismatch")


@pytest.mark.parametrize(
    ("make", "problem"),
    [
        (lambda seq, h: f"{seq}:{'ab' * 32}", "anchor_mismatch"),  # another installation's anchor
        (lambda seq, h: f"{seq + 10_000}:{h}", "anchor_beyond_head"),
    ],
)
def test_an_anchor_this_trail_does_not_pass_through_is_refused_naming_the_rule(
    install: Install, make: Callable[[int, str], str], problem: str
) -> None:
    seq, h = _anchor(install).split(":")
    anchor = make(int(seq), h)
    result = install.cli("verify", "--anchor", anchor)
    assert result.exit_code == 1 and f"does NOT hold: {problem}" in result.output
    body = install.api(f"/api/v1/integrity/verify?anchor={anchor}").json()
    assert (body["ok"], body["anchor"]["problem"], body["anchor"]["published"]) == (False, problem, False)
    assert "another installation" in body["anchor"]["message"]


def test_a_malformed_anchor_is_refused_and_changes_nothing(install: Install) -> None:
    before = install.events()
    result = install.cli("verify", "--anchor", "12:not-a-hash")
    assert result.exit_code == 2
    assert "(must be SEQ:HASH — an event number, a colon and 64 hexadecimal digits)" in result.output
    resp = install.api("/api/v1/integrity/verify?anchor=12:not-a-hash")
    assert resp.status_code == 422
    assert resp.json()["error"]["fields"] == {
        "anchor": "must be SEQ:HASH — an event number, a colon and 64 hexadecimal digits"
    }
    assert install.events() == before + 1  # the API login only
