"""Robustness of the proposed list on hand-computed cases: a flip under leave-one-out and other methods,
none where the margin is wide."""

from __future__ import annotations

from decimal import Decimal

from scoring.core.robustness import (
    CALIBRATED,
    LEAVE_OUT,
    METHOD,
    OFF,
    ON,
    Entry,
    Flip,
    Scenario,
    assess,
)


def entry(app_id: int, totals: dict[int, str], data: str = "10", *, gates: bool | None = True) -> Entry:
    """Sheets numbered app_id*10 + expert id, one per expert."""
    sheets = tuple((app_id * 10 + expert, expert, Decimal(t)) for expert, t in sorted(totals.items()))
    return Entry(app_id, sheets, Decimal(data), formal_check_passed=True, gates_passed=gates)


def test_a_narrow_lead_flips_when_one_expert_is_left_out_and_under_the_median() -> None:
    # Mean: A = (90+70+72+80)/4 = 78 (+10 = 88), B = (77+79+78+77)/4 = 77.75 (+10 = 87.75). Quota 1: A on.
    a = entry(1, {1: "90", 2: "70", 3: "72", 4: "80"})
    b = entry(2, {1: "77", 2: "79", 3: "78", 4: "77"})
    verdicts = assess([a, b], method="mean", pass_line=Decimal(60), quota=1)
    assert set(verdicts) == {1, 2}
    va = verdicts[1]
    assert (va.place, va.final_score, va.robust) == (ON, Decimal(88), False)
    # Median: A = (72+80)/2 = 76 → 86; B = (77+78)/2 = 77.5 → 87.5: B ahead.
    # Without expert 1: A = 222/3 = 74 → 84; B = 234/3 = 78 → 88: B ahead.
    # Without expert 2: A = 242/3 = 80.67 (A ahead); without 3: A = 80, B = 77.33; without 4: A = 77.33,
    # B = 78: B ahead. Trimmed mean with 4 sheets is the mean: no change.
    # Calibration: expert 1's difference = (90+77)/2 − (78+77.75)/2 = 83.5 − 77.875 = 5.625, etc.
    assert [f.scenario for f in va.flips] == [
        Scenario(METHOD, "median"),
        Scenario(LEAVE_OUT, 1),
        Scenario(LEAVE_OUT, 4),
    ]
    assert va.flips[1] == Flip(Scenario(LEAVE_OUT, 1), OFF, Decimal(84))
    assert [f.scenario for f in verdicts[2].flips] == [f.scenario for f in va.flips]
    assert verdicts[2].flips[1].place == ON and verdicts[2].flips[1].final_score == Decimal(88)


def test_a_wide_margin_is_not_assessed_and_a_near_one_that_holds_is_robust() -> None:
    # Quota 1: A = 95 far ahead (25 points from the best score off the list); B = 70 off, 25 below A and
    # 10 above the pass line: not near; C = 61 is 1 above the pass line: near, and all its sheets agree,
    # so no method, left-out expert or calibration moves it.
    a = entry(1, {1: "95", 2: "95", 3: "95"}, data="0")
    b = entry(2, {1: "70", 2: "70", 3: "70"}, data="0")
    c = entry(3, {1: "61", 2: "61", 3: "61"}, data="0")
    verdicts = assess([a, b, c], method="trimmed_mean", pass_line=Decimal(60), quota=1)
    assert list(verdicts) == [3]
    assert verdicts[3].place == OFF and verdicts[3].robust


def test_calibration_lifts_an_application_scored_by_a_severe_expert_over_the_pass_line() -> None:
    # Incomplete panels: expert 4 scores A and C only, and severely. Means: A = 178/3 = 59.33 (off),
    # B = 80, C = 196/3 = 65.33. Calibration differences (own mean − mean of those panel means):
    # e1 = 214/3 − 614/9 = 28/9, e2 = 72 − 209/3 = 7/3, e4 = 53 − 187/3 = −28/3.
    # Corrected A = (64 − 28/9 + 64 − 7/3 + 50 + 28/3) / 3 = (178 + 35/9) / 3 = 1637/27 = 60.6296…: on.
    # Median of A's (50, 64, 64) = 64: on as well. Leaving an expert out would leave A two sheets: kept.
    a = entry(1, {1: "64", 2: "64", 4: "50"}, data="0")
    b = entry(2, {1: "80", 2: "80", 3: "80"}, data="0")
    c = entry(3, {1: "70", 3: "70", 4: "56"}, data="0")
    verdicts = assess([a, b, c], method="mean", pass_line=Decimal(60), quota=5)
    assert list(verdicts) == [1]
    v = verdicts[1]
    assert v.place == OFF and not v.robust
    assert [(f.scenario, f.place) for f in v.flips] == [
        (Scenario(METHOD, "median"), ON),
        (Scenario(CALIBRATED, None), ON),
    ]
    assert v.flips[0].final_score == Decimal(64)
    assert v.flips[1].final_score.quantize(Decimal("0.0001")) == Decimal("60.6296")
