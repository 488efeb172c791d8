"""The pure scoring module with plain data: rule kinds, scheme validation, ranks, property tests."""

from decimal import Decimal as D

from hypothesis import given
from hypothesis import strategies as st

from evaluation import scoring as s

LIN = s.Rule(s.LINEAR, low=D("0.5"), high=D(1))
BANDS = s.Rule(
    s.BANDED, bands=(s.Band(D(0), D("0.6"), D(0)), s.Band(D("0.6"), D("0.9"), D("0.5")), s.Band(D("0.9"), D(1), D(1)))
)
DED = s.Rule(s.DEDUCTION, per_event=D(2), cap=D(6))


def scheme(*components: s.Component, total: D = D(100)) -> s.Scheme:
    return s.Scheme(total=total, components=components)


def std() -> s.Scheme:
    return scheme(
        s.Component("delivery", "任务推进", D(50), LIN),
        s.Component("reports", "报送纪律", D(30), BANDS),
        s.Component("escalations", "督办升级", D(20), DED),
    )


def test_linear_clamps_and_interpolates():
    assert LIN.points(D("0.75"), D(10)) == D(5)
    assert LIN.points(D("0.2"), D(10)) == 0
    assert LIN.points(D("1.5"), D(10)) == D(10)
    falling = s.Rule(s.LINEAR, low=D("0.3"), high=D(0))  # smaller lag scores higher
    assert falling.points(D(0), D(10)) == D(10)


def test_banded_uses_half_open_bands_and_edges():
    assert BANDS.points(D("0.6"), D(30)) == D(15)
    assert BANDS.points(D("0.59"), D(30)) == 0
    assert BANDS.points(D(1), D(30)) == D(30)  # the top edge belongs to the last band


def test_deduction_per_event_capped():
    assert DED.points(D(0), D(20)) == D(20)
    assert DED.points(D(2), D(20)) == D(16)
    assert DED.points(D(10), D(20)) == D(14)


def test_valid_scheme_has_no_problems():
    assert s.scheme_problems(std()) == []


def test_weights_not_summing_to_total_named():
    bad = scheme(s.Component("delivery", "任务推进", D(50), LIN), s.Component("reports", "报送纪律", D(30), BANDS))
    problems = s.scheme_problems(bad)
    assert [p.field for p in problems] == ["weights"]
    assert problems[0].text() == "The weights add up to 80, not the total 100."


def test_overlapping_bands_refused():
    rule = s.Rule(s.BANDED, bands=(s.Band(D(0), D("0.7"), D(0)), s.Band(D("0.6"), D(1), D(1))))
    problems = s.rule_problems(rule, D(30), "reports")
    assert len(problems) == 1 and "overlap" in problems[0].text()
    assert problems[0].text() == "Bands 0–0.7 and 0.6–1 overlap."


def test_other_bad_rules():
    assert s.rule_problems(s.Rule(s.LINEAR, low=D(1), high=D(1)), D(5), "x")
    assert s.rule_problems(s.Rule(s.DEDUCTION, per_event=D(0)), D(5), "x")
    assert s.rule_problems(s.Rule(s.DEDUCTION, per_event=D(1), cap=D(9)), D(5), "x")
    assert s.rule_problems(s.Rule(s.BANDED, bands=(s.Band(D(0), D(1), D(2)),)), D(5), "x")
    assert s.rule_problems(s.Rule(s.BANDED), D(5), "x")


def test_rule_round_trips_through_data():
    for rule in (LIN, BANDS, DED):
        assert s.Rule.from_data(rule.to_data()) == rule


def test_compute_ranks_with_ties_in_name_order():
    units = [
        s.UnitInput(1, "b", {"delivery": D(1), "reports": D(1), "escalations": D(0)}),
        s.UnitInput(2, "a", {"delivery": D(1), "reports": D(1), "escalations": D(0)}),
        s.UnitInput(3, "c", {"delivery": D("0.75"), "reports": D("0.7"), "escalations": D(1)}),
    ]
    table = s.compute(std(), units)
    assert [(u.unit_id, u.rank, u.total) for u in table] == [(2, 1, D(100)), (1, 1, D(100)), (3, 3, D("58.00"))]


def test_bonus_capped_deduction_subtracted_and_overrides_win():
    u = s.UnitInput(1, "a", {"delivery": D("0.5")}, bonus=D(9), deduction=D(3), overrides={"delivery": D(40)})
    score = s.score_unit(std(), u)
    assert score.points["delivery"] == D(40)
    assert score.total == D(40) + D(30) + D(20) + D(5) - D(3)


def test_nothing_to_score_gives_full_points():
    assert s.score_unit(std(), s.UnitInput(1, "a", {})).total == D(100)


def test_rank_changes_and_weighted_months():
    table = s.compute(std(), [s.UnitInput(1, "a", {}), s.UnitInput(2, "b", {"delivery": D(0)})])
    assert s.rank_changes(table, {1: 2, 3: 1}) == {1: 1, 2: None}
    assert s.weighted_months([(D(1), {1: D(90)}), (D(3), {1: D(70), 2: D(80)})]) == {1: D("75.00"), 2: D("80.00")}


def test_input_helpers():
    assert s.on_time_share(0, 0, 0) is None
    assert s.on_time_share(2, 2, 0) == D("0.75")
    assert s.delivery_share([]) is None
    assert s.delivery_share([(D(1), "green"), (D(1), "yellow"), (D(2), "red")]) == D("0.4")


# --- properties -----------------------------------------------------------------------------------

counts = st.integers(min_value=0, max_value=60)
shares = st.decimals(min_value=0, max_value=1, places=3)


@given(counts, counts, counts, st.decimals(min_value=0, max_value=1, places=2))
def test_adding_an_on_time_report_never_lowers_the_score(on_time, late, missing, late_credit):
    sch = scheme(s.Component("delivery", "任务推进", D(60), LIN), s.Component("reports", "报送纪律", D(40), BANDS))
    for rule in (LIN, BANDS):
        sch = scheme(s.Component("reports", "报送纪律", D(100), rule))
        before = s.on_time_share(on_time, late, missing, late_credit=late_credit)
        after = s.on_time_share(on_time + 1, late, missing, late_credit=late_credit)
        a = s.score_unit(sch, s.UnitInput(1, "a", {"reports": before})).total
        b = s.score_unit(sch, s.UnitInput(1, "a", {"reports": after})).total
        assert b >= a


@given(st.lists(st.integers(min_value=1, max_value=40), min_size=1, max_size=8))
def test_weights_sum_to_the_total_exactly_when_valid(weights):
    comps = tuple(s.Component(f"c{i}", f"c{i}", D(w), LIN) for i, w in enumerate(weights))
    ok = not s.scheme_problems(scheme(*comps, total=D(sum(weights))))
    off = s.scheme_problems(scheme(*comps, total=D(sum(weights) + 1)))
    assert ok and [p.field for p in off] == ["weights"]


@given(
    st.lists(st.tuples(shares, shares, st.integers(min_value=0, max_value=5)), min_size=1, max_size=30), st.randoms()
)
def test_ranks_do_not_depend_on_input_order(rows, rnd):
    units = [
        s.UnitInput(i, f"u{i:03}", {"delivery": a, "reports": b, "escalations": D(e)})
        for i, (a, b, e) in enumerate(rows)
    ]
    first = s.compute(std(), units)
    shuffled = list(units)
    rnd.shuffle(shuffled)
    assert s.compute(std(), shuffled) == first
    # Every score lies within 0..total and ranks never decrease down the table.
    assert all(D(0) <= u.total <= D(100) for u in first)
    assert [u.rank for u in first] == sorted(u.rank for u in first)
