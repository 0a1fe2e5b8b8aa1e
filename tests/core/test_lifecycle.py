"""Every transition table: each allowed move, each refused one (InvalidTransition), and its states."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.core import lifecycle as lc
from scoring.core.errors import InvalidTransition
from scoring.core.i18n import Msg

# table -> (its status enum, the states a record is created in, every allowed move as "from -action-> to")
TABLES: dict[str, tuple[Mapping[tuple[str, str], str], type[StrEnum], set[str], set[str]]] = {
    "application": (
        lc.APPLICATION_TRANSITIONS,
        lc.ApplicationStatus,
        {"draft"},
        {
            "draft -submit-> submitted",
            "returned -submit-> submitted",
            "submitted -recommend-> recommended",
            "submitted -decline-> not_recommended",
            "submitted -return-> returned",
            "recommended -accept-> accepted",
            "recommended -return-> returned",
            "accepted -assign_panel-> under_review",
            "under_review -complete_scoring-> scored",
            "scored -reopen_sheet-> under_review",
            "scored -shortlist-> shortlisted",
            "scored -reject-> not_designated",
            "shortlisted -reject-> not_designated",
            "not_designated -shortlist-> shortlisted",
            "shortlisted -designate-> designated",
        },
    ),
    "sheet": (
        lc.SHEET_TRANSITIONS,
        lc.SheetStatus,
        {"assigned"},
        {
            "assigned -declare-> draft",
            "assigned -decline-> declined",
            "draft -save-> draft",
            "draft -submit-> submitted",
            "submitted -reopen-> draft",
            "assigned -replace-> declined",
            "draft -replace-> declined",
        },
    ),
    "round": (
        lc.ROUND_TRANSITIONS,
        lc.RoundStatus,
        {"draft"},
        {
            "draft -open-> open",
            "open -close_applications-> recommending",
            "recommending -start_review-> reviewing",
            "reviewing -start_deciding-> deciding",
            "deciding -start_notice-> notice",
            "notice -publish-> published",
        },
    ),
    "list_revision": (
        lc.LIST_REVISION_TRANSITIONS,
        lc.ListRevisionStatus,
        {"none"},
        {
            "none -change-> changed",
            "changed -change-> changed",
            "approved -change-> changed",
            "proposed -change-> changed",
            "notice -change-> changed",
            "changed -approve-> approved",
            "approved -approve-> approved",
            "proposed -approve-> approved",
            "approved -propose-> proposed",
            "proposed -confirm-> notice",
        },
    ),
    "base": (
        lc.BASE_TRANSITIONS,
        lc.BaseStatus,
        {"active"},
        {
            "active -order_rectification-> rectifying",
            "rectifying -restore-> active",
            "rectifying -revoke-> revoked",
        },
    ),
    "evaluation": (
        lc.EVALUATION_TRANSITIONS,
        lc.EvaluationStatus,
        {"assigned"},
        {
            "assigned -declare-> draft",
            "assigned -decline-> declined",
            "draft -save-> draft",
            "draft -submit-> submitted",
            "submitted -reopen-> draft",
        },
    ),
    "panel member": (
        lc.PANEL_MEMBER_TRANSITIONS,
        lc.PanelMemberStatus,
        {"active", "reserve"},
        {"reserve -call_up-> active", "active -replace-> replaced"},
    ),
    "publication": (
        lc.PUBLICATION_TRANSITIONS,
        lc.PublicationStatus,
        {"none"},
        {"none -propose-> proposed", "proposed -withdraw-> none", "proposed -confirm-> confirmed"},
    ),
    "objection": (
        lc.OBJECTION_TRANSITIONS,
        lc.ObjectionStatus,
        {"open"},
        {"open -uphold-> upheld", "open -dismiss-> dismissed"},
    ),
    "campaign": (lc.CAMPAIGN_TRANSITIONS, lc.CampaignStatus, {"open"}, {"open -close-> closed"}),
    "rectification": (
        lc.RECTIFICATION_TRANSITIONS,
        lc.RectificationStatus,
        {"open"},
        {
            "open -pass-> passed",
            "open -fail-> failed",
            "passed -close-> closed",
            "failed -close-> closed",
        },
    ),
    "revocation": (
        lc.REVOCATION_TRANSITIONS,
        lc.RevocationStatus,
        {"proposed"},
        {"proposed -confirm-> confirmed"},
    ),
}


def _moves(table: Mapping[tuple[str, str], str]) -> set[str]:
    return {f"{state} -{action}-> {nxt}" for (state, action), nxt in table.items()}


def _actions(table: Mapping[tuple[str, str], str]) -> list[str]:
    return sorted({action for _, action in table})


def test_every_transition_table_of_the_module_is_covered_here() -> None:
    tables = {name for name in vars(lc) if name.endswith("_TRANSITIONS")}
    assert tables == {
        "APPLICATION_TRANSITIONS",
        "SHEET_TRANSITIONS",
        "ROUND_TRANSITIONS",
        "LIST_REVISION_TRANSITIONS",
        "BASE_TRANSITIONS",
        "EVALUATION_TRANSITIONS",
        "PANEL_MEMBER_TRANSITIONS",
        "PUBLICATION_TRANSITIONS",
        "OBJECTION_TRANSITIONS",
        "CAMPAIGN_TRANSITIONS",
        "RECTIFICATION_TRANSITIONS",
        "REVOCATION_TRANSITIONS",
    }
    assert {id(t[0]) for t in TABLES.values()} == {id(getattr(lc, name)) for name in tables}


@pytest.mark.parametrize("name", sorted(TABLES))
def test_the_table_allows_exactly_these_moves(name: str) -> None:
    table, _, _, moves = TABLES[name]
    assert _moves(table) == moves


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_state_and_target_is_a_value_of_the_status_enum(name: str) -> None:
    table, enum, _, _ = TABLES[name]
    values = {member.value for member in enum}
    assert {state for state, _ in table} <= values
    assert set(table.values()) <= values


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_state_is_reachable_from_where_a_record_starts(name: str) -> None:
    table, enum, initial, _ = TABLES[name]
    reached, frontier = set(initial), list(initial)
    while frontier:
        state = frontier.pop()
        for (src, _action), nxt in table.items():
            if src == state and nxt not in reached:
                reached.add(nxt)
                frontier.append(nxt)
    assert reached == {member.value for member in enum}


@pytest.mark.parametrize(
    ("name", "state", "action"),
    [
        (name, state.value, action)
        for name, (table, enum, _, _) in sorted(TABLES.items())
        for state in enum
        for action in _actions(table)
    ],
)
def test_each_state_and_action_moves_or_is_refused_by_name(name: str, state: str, action: str) -> None:
    table = TABLES[name][0]
    if (state, action) in table:
        assert lc.transition(table, state, action) == table[(state, action)]
        assert action in lc.allowed_actions(table, state)
        return
    with pytest.raises(InvalidTransition) as refused:
        lc.transition(table, state, action)
    assert refused.value.code == "invalid_transition"
    assert refused.value.status == 409
    readable_action, readable_state = action.replace("_", " "), state.replace("_", " ")
    assert str(refused.value) == f"Cannot {readable_action}: the record is in state “{readable_state}”."
    assert action not in lc.allowed_actions(table, state)


@given(data=st.data())
def test_any_pair_outside_the_table_is_refused_and_inside_it_moves(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(TABLES)))
    table, enum, _, _ = TABLES[name]
    state = data.draw(st.one_of(st.sampled_from([m.value for m in enum]), st.text(max_size=20)))
    action = data.draw(st.one_of(st.sampled_from(_actions(table)), st.text(max_size=20)))
    if (state, action) in table:
        assert lc.transition(table, state, action) == table[(state, action)]
    else:
        with pytest.raises(InvalidTransition):
            lc.transition(table, state, action)


@given(data=st.data())
def test_a_walk_of_allowed_actions_stays_inside_the_enum(data: st.DataObject) -> None:
    name = data.draw(st.sampled_from(sorted(TABLES)))
    table, enum, initial, _ = TABLES[name]
    state = data.draw(st.sampled_from(sorted(initial)))
    for _ in range(12):
        actions = lc.allowed_actions(table, state)
        if not actions:
            break
        state = lc.transition(table, state, data.draw(st.sampled_from(actions)))
        assert state in {member.value for member in enum}


def test_allowed_actions_are_sorted_and_empty_in_a_final_state() -> None:
    assert lc.allowed_actions(lc.APPLICATION_TRANSITIONS, "scored") == ["reject", "reopen_sheet", "shortlist"]
    assert lc.allowed_actions(lc.APPLICATION_TRANSITIONS, "designated") == []
    assert lc.allowed_actions(lc.ROUND_TRANSITIONS, "no_such_state") == []


@pytest.mark.parametrize("name", sorted(TABLES))
def test_every_state_and_action_named_in_a_refusal_has_a_chinese_name(name: str) -> None:
    table, enum, _, _ = TABLES[name]
    words = {member.value for member in enum} | set(_actions(table))
    untranslated = sorted(w for w in words if Msg(w.replace("_", " ")).render("zh_CN") == w.replace("_", " "))
    assert untranslated == []
