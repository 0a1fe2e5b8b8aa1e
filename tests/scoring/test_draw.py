"""The random panel draw: reproducible from its seed, conflicts never assigned, reserves, replacements."""

from __future__ import annotations

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from scoring.core.draw import (
    DrawApplication,
    DrawResult,
    Exclusion,
    InvalidPanelSize,
    PoolExpert,
    PoolTooSmall,
    conflict_reasons,
    draw_order,
    draw_panel,
    next_reserve,
    validate_panel_size,
)

SEED = 20240501
# random.Random(20240501).shuffle of experts 1..10 gives this order; pinned so a stored draw replays
ORDER = [2, 6, 8, 4, 1, 9, 3, 10, 5, 7]

POOL = [
    PoolExpert(1, None, None),
    PoolExpert(2, 100, "长安区"),
    PoolExpert(3, 600, "裕华区"),
    PoolExpert(4, 400, "新华区"),
    PoolExpert(5, None, "桥东区"),
    PoolExpert(6, 200, "桥西区"),
    PoolExpert(7, None, None),
    PoolExpert(8, 300, "长安区", frozenset({400})),
    PoolExpert(9, 500, "裕华区"),
    PoolExpert(10, None, None),
]
APPS = [
    DrawApplication(11, org_id=100, district="长安区"),
    DrawApplication(12, org_id=400, district="新华区"),
    DrawApplication(13, org_id=700, district="桥西区"),
]


def test_the_order_is_a_seeded_shuffle_of_the_pool_sorted_by_id() -> None:
    assert [e.expert_id for e in draw_order(POOL, SEED)] == ORDER
    assert [e.expert_id for e in draw_order(reversed(POOL), SEED)] == ORDER
    assert [e.expert_id for e in draw_order(POOL, SEED + 1)] != ORDER


def test_regional_draw_excludes_same_affiliation_same_district_and_declared_conflicts() -> None:
    result = draw_panel(POOL, APPS, kind="regional", size=3, reserves=2, seed=SEED)
    assert result == DrawResult(
        seed=SEED,
        kind="regional",
        size=3,
        reserves_requested=2,
        pool=tuple(range(1, 11)),
        members=(2, 6, 8),
        reserves=(4, 1),
        assignments={
            11: (6, 4, 1),  # 2 same affiliation and district, 8 same district: topped up by both reserves
            12: (2, 6, 1),  # 8 declared a conflict with org 400, 4 is from org 400 and its district
            13: (2, 8, 4),  # 6 is from 桥西区
        },
        exclusions=(
            Exclusion(2, 11, "same_affiliation"),
            Exclusion(2, 11, "same_district"),
            Exclusion(8, 11, "same_district"),
            Exclusion(4, 12, "same_affiliation"),
            Exclusion(4, 12, "same_district"),
            Exclusion(8, 12, "declared_conflict"),
            Exclusion(6, 13, "same_district"),
        ),
    )


def test_same_district_is_no_conflict_for_university_and_enterprise_bases() -> None:
    for kind in ("university", "enterprise"):
        result = draw_panel(POOL, APPS, kind=kind, size=3, reserves=2, seed=SEED)
        assert result.assignments == {11: (6, 8, 4), 12: (2, 6, 1), 13: (2, 6, 8)}
        assert result.exclusions == (
            Exclusion(2, 11, "same_affiliation"),
            Exclusion(4, 12, "same_affiliation"),
            Exclusion(8, 12, "declared_conflict"),
        )


def test_conflict_reasons_need_both_districts_known() -> None:
    nowhere = PoolExpert(1, None, None)
    assert conflict_reasons(nowhere, DrawApplication(5, 100, None), kind="regional") == ()
    assert (
        conflict_reasons(PoolExpert(1, None, "长安区"), DrawApplication(5, 100, None), kind="regional") == ()
    )
    assert conflict_reasons(nowhere, DrawApplication(5, 100, "长安区"), kind="regional") == ()


def test_without_conflicts_every_application_gets_the_members() -> None:
    pool = [PoolExpert(i, None, None) for i in range(1, 11)]
    apps = [DrawApplication(a, org_id=1000 + a, district=None) for a in (3, 1, 2)]
    result = draw_panel(pool, apps, kind="enterprise", size=5, reserves=2, seed=SEED)
    assert result.members == tuple(ORDER[:5])
    assert result.reserves == tuple(ORDER[5:7])
    assert result.assignments == {1: tuple(ORDER[:5]), 2: tuple(ORDER[:5]), 3: tuple(ORDER[:5])}
    assert result.exclusions == ()


def test_reserves_are_extended_along_the_order_when_the_requested_ones_do_not_cover_an_application() -> None:
    # members 2, 6, 8; application 11 excludes 2 and 8, so its 3 experts reach 4 and then 1 in the order
    result = draw_panel(POOL, APPS, kind="regional", size=3, reserves=0, seed=SEED)
    assert result.members == (2, 6, 8)
    assert result.reserves == (4, 1)
    assert result.reserves_requested == 0
    assert result.assignments[11] == (6, 4, 1)


def test_a_pool_smaller_than_members_plus_reserves_gives_what_it_has() -> None:
    pool = [PoolExpert(i, None, None) for i in range(1, 5)]
    result = draw_panel(pool, [], kind="university", size=3, reserves=5, seed=1)
    assert len(result.members) == 3
    assert len(result.reserves) == 1
    assert set(result.members + result.reserves) == {1, 2, 3, 4}


def test_pool_too_small_says_how_many_eligible_experts_each_application_lacks() -> None:
    pool = [
        PoolExpert(1, None, "长安区"),
        PoolExpert(2, None, "长安区"),
        PoolExpert(3, None, "长安区"),
        PoolExpert(4, 900, "新华区"),
    ]
    apps = [
        DrawApplication(10, org_id=1, district="长安区"),  # only expert 4: 2 missing
        DrawApplication(11, org_id=2, district="新华区"),  # experts 1, 2, 3: covered
        DrawApplication(12, org_id=900, district="长安区"),  # nobody: 3 missing
    ]
    with pytest.raises(PoolTooSmall) as caught:
        draw_panel(pool, apps, kind="regional", size=3, reserves=1, seed=5)
    assert caught.value.missing_by_application == {10: 2, 12: 3}
    assert caught.value.total_missing == 5
    assert caught.value.more_experts_needed == 3
    assert isinstance(caught.value, ValueError)
    assert "5 missing over 2 application(s), at least 3 more expert(s) needed" in str(caught.value)


def test_pool_with_fewer_experts_than_the_panel_size_is_too_small_even_without_applications() -> None:
    with pytest.raises(PoolTooSmall) as caught:
        draw_panel(
            [PoolExpert(1, None, None), PoolExpert(2, None, None)],
            [],
            kind="enterprise",
            size=3,
            reserves=0,
            seed=1,
        )
    assert caught.value.missing_by_application == {}
    assert caught.value.more_experts_needed == 1


@pytest.mark.parametrize(
    ("kwargs", "match"),
    [
        ({"kind": "Regional"}, "unknown kind"),
        ({"size": 0}, "size"),
        ({"reserves": -1}, "reserves"),
        ({"seed": -1}, "seed"),
        ({"seed": 2**63}, "seed"),
    ],
)
def test_draw_refuses_bad_parameters(kwargs: dict[str, object], match: str) -> None:
    params: dict[str, object] = {"kind": "regional", "size": 3, "reserves": 1, "seed": 1} | kwargs
    with pytest.raises(ValueError, match=match):
        draw_panel(POOL, APPS, **params)  # type: ignore[arg-type]


def test_draw_refuses_an_expert_or_application_given_twice() -> None:
    with pytest.raises(ValueError, match="expert 1 given twice"):
        draw_panel([*POOL, PoolExpert(1, None, None)], APPS, kind="regional", size=3, reserves=1, seed=1)
    with pytest.raises(ValueError, match="application 11 given twice"):
        draw_panel(POOL, [*APPS, APPS[0]], kind="regional", size=3, reserves=1, seed=1)


def test_result_round_trips_through_its_json_form() -> None:
    result = draw_panel(POOL, APPS, kind="regional", size=3, reserves=2, seed=SEED)
    data = result.as_dict()
    assert data["assignments"] == {"11": [6, 4, 1], "12": [2, 6, 1], "13": [2, 8, 4]}
    assert data["exclusions"][0] == {"expert_id": 2, "application_id": 11, "reason": "same_affiliation"}
    assert DrawResult.from_dict(data) == result


def test_next_reserve_skips_conflicted_and_busy_experts_in_reserve_order() -> None:
    reserves = (4, 1, 9, 3)
    # 4 has a conflict with 11, 1 already holds a sheet for 11; 9's conflict is with another application
    assert next_reserve(reserves, 11, {1, 6}, [(4, 11), (9, 12)]) == 9
    assert next_reserve(reserves, 11, {1, 9}, [Exclusion(4, 11, "same_district")]) == 3
    assert next_reserve(reserves, 11, {1, 3, 9}, [(4, 11)]) is None
    assert next_reserve((), 11, set(), []) is None


def test_next_reserve_from_a_draw_result_uses_its_exclusions() -> None:
    result = draw_panel(POOL, APPS, kind="regional", size=3, reserves=3, seed=SEED)
    assert result.reserves == (4, 1, 9)
    # expert 2 declines application 13 (sheets held by 2, 8, 4): 4 is busy, 1 is next
    assert next_reserve(result, 13, set(result.assignments[13]), result.exclusions) == 1
    # for application 12, 4 is excluded and 1 already scores it: 9
    assert next_reserve(result, 12, set(result.assignments[12]), result.exclusions) == 9


@pytest.mark.parametrize("size", [5, 7])
def test_validate_panel_size_accepts_odd_sizes_from_five_to_seven(size: int) -> None:
    validate_panel_size(size)  # no exception


@pytest.mark.parametrize(
    ("size", "problem"),
    [
        (3, "out_of_range"),
        (9, "out_of_range"),
        (6, "even"),
        (5.0, "not_an_integer"),
        (True, "not_an_integer"),
    ],
)
def test_validate_panel_size_refuses(size: object, problem: str) -> None:
    with pytest.raises(InvalidPanelSize) as caught:
        validate_panel_size(size)
    assert caught.value.problem == problem
    assert (caught.value.min_size, caught.value.max_size) == (5, 7)
    assert isinstance(caught.value, ValueError)


def test_validate_panel_size_takes_the_rounds_bounds() -> None:
    validate_panel_size(3, min_size=3, max_size=9)
    validate_panel_size(4, min_size=3, max_size=9, require_odd=False)
    with pytest.raises(InvalidPanelSize):
        validate_panel_size(11, min_size=3, max_size=9)
    with pytest.raises(ValueError, match="bounds"):
        validate_panel_size(5, min_size=7, max_size=5)


ORGS = st.sampled_from([1, 2, 3, 4])
DISTRICTS = st.sampled_from([None, "长安区", "桥西区", "新华区"])
experts = st.lists(
    st.builds(
        PoolExpert,
        st.integers(min_value=1, max_value=60),
        st.one_of(st.none(), ORGS),
        DISTRICTS,
        st.frozensets(ORGS, max_size=2),
    ),
    max_size=14,
    unique_by=lambda e: e.expert_id,
)
applications = st.lists(
    st.builds(DrawApplication, st.integers(min_value=100, max_value=160), ORGS, DISTRICTS),
    max_size=6,
    unique_by=lambda a: a.application_id,
)


@given(
    experts,
    applications,
    st.sampled_from(["regional", "university", "enterprise"]),
    st.integers(min_value=1, max_value=5),
    st.integers(min_value=0, max_value=4),
    st.integers(min_value=0, max_value=2**63 - 1),
    st.data(),
)
def test_conflicts_are_never_assigned_and_the_draw_ignores_input_order(
    pool: list[PoolExpert],
    apps: list[DrawApplication],
    kind: str,
    size: int,
    reserves: int,
    seed: int,
    data: st.DataObject,
) -> None:
    eligible = {
        a.application_id: [e.expert_id for e in pool if not conflict_reasons(e, a, kind=kind)] for a in apps
    }
    try:
        result = draw_panel(pool, apps, kind=kind, size=size, reserves=reserves, seed=seed)
    except PoolTooSmall as error:
        event("pool too small")
        expected = {a: size - len(ids) for a, ids in eligible.items() if len(ids) < size}
        assert error.missing_by_application == expected
        assert expected or len(pool) < size
        return
    shuffled = draw_panel(
        data.draw(st.permutations(pool)),
        data.draw(st.permutations(apps)),
        kind=kind,
        size=size,
        reserves=reserves,
        seed=seed,
    )
    assert shuffled == result
    event("drawn", payload="extended" if len(result.reserves) > reserves else "as requested")

    order = [e.expert_id for e in draw_order(pool, seed)]
    panel = result.members + result.reserves
    assert list(panel) == order[: len(panel)]
    assert len(result.members) == size
    assert len(result.reserves) >= min(reserves, len(pool) - size)
    by_id = {e.expert_id: e for e in pool}
    for app in apps:
        assigned = result.assignments[app.application_id]
        assert len(assigned) == len(set(assigned)) == size
        assert all(not conflict_reasons(by_id[x], app, kind=kind) for x in assigned)
        # the first `size` eligible experts of the panel order: members first, then reserves in order
        assert list(assigned) == [x for x in panel if x in eligible[app.application_id]][:size]
    expected_exclusions = {
        (x, app.application_id, reason)
        for x in panel
        for app in apps
        for reason in conflict_reasons(by_id[x], app, kind=kind)
    }
    assert {(e.expert_id, e.application_id, e.reason) for e in result.exclusions} == expected_exclusions
    # extended reserves stop as soon as every application is covered
    if len(result.reserves) > reserves:
        shorter = panel[:-1]
        assert any(len([x for x in shorter if x in eligible[a.application_id]]) < size for a in apps)
