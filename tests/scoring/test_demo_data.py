"""The demo data is consistent: valid codes, known districts and figure codes, the promised boundary cases."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from itertools import combinations

import pytest

from scoring.core.actors import Role
from scoring.core.credit_code import validate_credit_code
from scoring.core.districts import COUNTIES, DISTRICT_SLUGS, DISTRICTS, DIVISION_CODES, MANAGEMENT_COMMITTEES
from scoring.core.figures import RD_REFERENCE_KEY, resolve_references
from scoring.demo.data import (
    DEMO,
    EXPERT_FIELDS,
    FIGURE_CODES,
    DemoApplication,
    DemoExpert,
)
from scoring.services.admin.accounts import ORG_KINDS, USERNAME_RE

APPLICANT_ORG_KIND = {"regional": "government", "university": "university", "enterprise": "enterprise"}
TITLE_ENDING = {
    "regional": "区域“双创”示范基地建设申请",
    "university": "高校及科研院所“双创”示范基地建设申请",
    "enterprise": "企业“双创”示范基地建设申请",
}
PERCENT_FIGURES = {"rd_intensity", "hightech_share_prev", "hightech_share"}


def _figures(app: DemoApplication) -> dict[str, Decimal]:
    return {code: Decimal(value) for code, value in app.figures.items()}


def _failing_figures(app: DemoApplication, rd_reference: Decimal) -> set[str]:
    """The gates of DOMAIN.md §2, restated here only to check the data's own `fails_on` marks."""
    f = _figures(app)
    failing: set[str] = set()
    if app.kind == "regional":
        if not 100 * f["key_projects_hightech"] >= 60 * f["key_projects_total"] > 0:
            failing.add("key_projects_hightech")
        if not f["rd_intensity"] > rd_reference:
            failing.add("rd_intensity")
        if not f["hightech_share"] - f["hightech_share_prev"] >= Decimal("1.0"):
            failing.add("hightech_share")
    else:
        code = FIGURE_CODES[app.kind][0]  # the gate's figure; the others feed data indicators only
        if not f[code] >= 1:
            failing.add(code)
    return failing


def _conflicted(expert: DemoExpert, app: DemoApplication) -> bool:
    applicant = DEMO.organisation(app.organisation)
    return (
        expert.affiliation == applicant.key
        or applicant.key in expert.declared_conflicts
        or (app.kind == "regional" and expert.district is not None and expert.district == applicant.district)
    )


def test_districts_are_the_22_counties_and_3_management_committees() -> None:
    assert len(COUNTIES) == 22
    assert MANAGEMENT_COMMITTEES == ("高新区", "循环化工园区", "综合保税区")
    assert DISTRICTS == COUNTIES + MANAGEMENT_COMMITTEES
    assert len(set(DISTRICTS)) == 25
    assert DEMO.districts == DISTRICTS
    assert set(DIVISION_CODES) == set(DISTRICTS)
    assert set(DISTRICT_SLUGS) == set(DISTRICTS)
    assert len(set(DISTRICT_SLUGS.values())) == 25


def test_every_organisation_has_a_valid_unique_credit_code() -> None:
    codes = [org.credit_code for org in DEMO.organisations]
    assert [validate_credit_code(code) for code in codes] == [None] * len(codes)
    assert len(set(codes)) == len(codes)
    assert len({org.name for org in DEMO.organisations}) == len(codes)
    assert len({org.key for org in DEMO.organisations}) == len(codes)


def test_organisations_have_known_kinds_and_districts() -> None:
    for org in DEMO.organisations:
        assert org.kind in ORG_KINDS
        assert org.district is None or org.district in DISTRICTS
        if org.kind in ("government", "enterprise") and org.district is not None:
            # Registered locally: the division code in the credit code is the district's.
            assert org.credit_code[2:8] == DIVISION_CODES[org.district], org.name
    with pytest.raises(KeyError):
        DEMO.organisation("nowhere")


def test_applicants_are_of_the_kind_their_application_needs() -> None:
    assert Counter(app.kind for app in DEMO.applications) == {"regional": 8, "university": 6, "enterprise": 6}
    assert len({app.organisation for app in DEMO.applications}) == 20
    for app in DEMO.applications:
        org = DEMO.organisation(app.organisation)
        assert org.kind == APPLICANT_ORG_KIND[app.kind]
        assert org.district in DISTRICTS
        assert app.title.endswith(TITLE_ENDING[app.kind])
        if app.kind != "regional":
            assert app.title == org.name + TITLE_ENDING[app.kind]
        assert 2 <= app.plan.count("。") <= 4, app.key
    assert DEMO.applications_of("university") == tuple(a for a in DEMO.applications if a.kind == "university")


def test_figures_use_exactly_the_codes_of_their_kind_as_decimal_strings() -> None:
    for app in DEMO.applications:
        assert tuple(app.figures) == FIGURE_CODES[app.kind]
        for code, value in app.figures.items():
            assert isinstance(value, str)
            dec = Decimal(value)
            if code in PERCENT_FIGURES:
                assert dec.as_tuple().exponent == -2, (app.key, code)
            else:
                assert dec == dec.to_integral_value() and "." not in value, (app.key, code)


def test_round_references_are_the_2022_rd_intensities() -> None:
    refs = resolve_references(DEMO.round.references)
    assert refs["provincial_rd_intensity"] == Decimal("2.00")
    assert refs["city_rd_intensity"] == Decimal("2.52")
    assert refs[RD_REFERENCE_KEY] == Decimal("2.00")
    assert (DEMO.round.year, DEMO.round.data_year) == (2023, 2022)
    assert dict(DEMO.round.quotas) == {"regional": 4, "university": 3, "enterprise": 3}


def test_key_project_share_of_exactly_60_percent_is_present_and_passes() -> None:
    exact = [
        app
        for app in DEMO.applications_of("regional")
        if 100 * _figures(app)["key_projects_hightech"] == 60 * _figures(app)["key_projects_total"]
    ]
    assert [(a.key, a.figures["key_projects_hightech"], a.figures["key_projects_total"]) for a in exact] == [
        ("luquan", "30", "50")
    ]
    assert exact[0].fails_on == ()


def test_rd_intensity_equal_to_the_reference_is_present_and_fails() -> None:
    equal = [app for app in DEMO.applications_of("regional") if app.figures["rd_intensity"] == "2.00"]
    assert [(a.key, a.fails_on) for a in equal] == [("xinle", ("rd_intensity",))]


def test_high_tech_share_rise_short_of_one_point_is_present_and_fails() -> None:
    rises = {
        app.key: _figures(app)["hightech_share"] - _figures(app)["hightech_share_prev"]
        for app in DEMO.applications_of("regional")
    }
    assert rises["xinji"] == Decimal("0.80")
    assert rises["gaocheng"] == Decimal("1.00")  # exactly one point passes
    assert sorted(k for k, r in rises.items() if r < 1) == ["xinji"]


def test_passing_regional_figures_are_plausible() -> None:
    for app in DEMO.applications_of("regional"):
        f = _figures(app)
        assert 20 <= f["key_projects_total"] <= 80
        assert Decimal("2.00") <= f["rd_intensity"] <= Decimal("4.50")
        assert Decimal("20") <= f["hightech_share_prev"] < f["hightech_share"] <= Decimal("40")


def test_fails_on_marks_exactly_the_gates_the_figures_fail() -> None:
    reference = resolve_references(DEMO.round.references)[RD_REFERENCE_KEY]
    failing = {app.key: _failing_figures(app, reference) for app in DEMO.applications}
    assert failing == {app.key: set(app.fails_on) for app in DEMO.applications}
    assert {k: v for k, v in failing.items() if v} == {
        "xinji": {"hightech_share"},
        "xinle": {"rd_intensity"},
        "hutuo": {"innovation_platforms"},
        "shuheng": {"rd_platforms"},
    }


def test_score_profiles_spread_around_the_pass_line() -> None:
    qualities = [app.quality for app in DEMO.applications]
    assert all(Decimal("0.55") <= q <= Decimal("0.95") for q in qualities)
    assert any(q < Decimal("0.60") for q in qualities) and any(q >= Decimal("0.85") for q in qualities)
    assert [app.key for app in DEMO.applications if app.outlier] == ["stdu"]


def test_the_tie_pair_straddles_the_regional_quota_line() -> None:
    groups = Counter(app.tie_group for app in DEMO.applications if app.tie_group)
    assert groups == {"regional-quota-line": 2}
    tied = [app for app in DEMO.applications if app.tie_group]
    assert {app.kind for app in tied} == {"regional"}
    assert tied[0].quality == tied[1].quality
    eligible = sorted(
        (a for a in DEMO.applications_of("regional") if not a.fails_on and a.quality >= Decimal("0.60")),
        key=lambda a: a.quality,
        reverse=True,
    )
    quota = DEMO.round.quotas["regional"]
    assert {a.key for a in eligible[quota - 1 : quota + 1]} == {a.key for a in tied}


def test_experts_are_well_formed() -> None:
    assert [e.key for e in DEMO.experts] == [f"expert{n:02d}" for n in range(1, 31)]
    assert len({e.name for e in DEMO.experts}) == 30
    for expert in DEMO.experts:
        assert expert.title in ("教授", "研究员", "正高级工程师", "高级经济师")
        assert expert.fields and set(expert.fields) <= set(EXPERT_FIELDS)
        assert expert.district == DEMO.organisation(expert.affiliation).district
    applicants = {app.organisation for app in DEMO.applications}
    declared = [(e.key, e.declared_conflicts) for e in DEMO.experts if e.declared_conflicts]
    assert len(declared) == 2
    assert all(len(c) == 1 and c[0] in applicants for _, c in declared)


def test_panels_of_5_plus_2_reserves_can_be_drawn_for_every_kind_even_disjointly() -> None:
    need = DEMO.round.panel_size + DEMO.round.reserves
    clean = {
        kind: {e.key for e in DEMO.experts if not any(_conflicted(e, a) for a in DEMO.applications_of(kind))}
        for kind in DEMO.round.kinds
    }
    # Hall's condition: any set of kinds together has enough conflict-free experts for all of them.
    for r in range(1, len(clean) + 1):
        for kinds in combinations(clean, r):
            assert len(set().union(*(clean[k] for k in kinds))) >= need * r, kinds


def test_evaluators_belong_to_distinct_evaluator_organisations() -> None:
    assert [e.key for e in DEMO.evaluators] == ["evaluator1", "evaluator2", "evaluator3"]
    orgs = [DEMO.organisation(e.organisation) for e in DEMO.evaluators]
    assert {o.kind for o in orgs} == {"evaluator"}
    assert len({o.key for o in orgs}) == 3


def test_usernames_are_unique_and_well_formed() -> None:
    usernames = [a.username for a in DEMO.accounts]
    assert len(set(usernames)) == len(usernames)
    assert all(USERNAME_RE.match(u) for u in usernames)
    assert {"staff", "staff2", "admin", "expert01", "expert30", "evaluator1", "evaluator3"} <= set(usernames)


def test_accounts_cover_every_role_and_scope() -> None:
    roles = Counter(a.role for a in DEMO.accounts)
    assert set(roles) == {r.value for r in Role}
    assert (roles["staff"], roles["admin"], roles["expert"], roles["evaluator"]) == (2, 1, 30, 3)
    for account in DEMO.accounts:
        assert account.district is None or account.district in DISTRICTS
        if account.organisation is not None:
            DEMO.organisation(account.organisation)
    county = {a.district: a.username for a in DEMO.accounts if a.role == "county"}
    applicant_districts = {DEMO.organisation(app.organisation).district for app in DEMO.applications}
    assert set(county) == applicant_districts
    assert county["正定县"] == "county_zhengding"
    applicants = {a.organisation: a.username for a in DEMO.accounts if a.role == "applicant"}
    assert applicants == {app.organisation: f"app_{app.organisation}" for app in DEMO.applications}
