"""The built-in rare-earth scenario: traceable numbers, required criteria, plausible answer.

Known answers are derived by hand from games/rare_earth.toml (weights x scores; issue 10 §4
fixed the file so that Russia's offer is no longer dominant by construction) and checked with
the exact solver.
"""

from __future__ import annotations

import re
from fractions import Fraction

from negotiation import catalogue, load, payoff_matrices, solve

CRITERIA = {
    "supply_security",  # non-Chinese supply, the US's own diversification = 1
    "legitimacy",  # international-law cost of recognising annexation
    "alliance_cohesion",  # the one measure of the split Russia seeks (the old wedge folded in)
    "russia_dependence",  # swapping dependence on China for dependence on Russia
    "diversification_cost",
    "russian_revenue",  # revenue under sanctions
    "sanctions",  # relief from sanctions, which a deal needs
    "china_relations",  # Russia's standing with Beijing
    "deposit_control",  # Russian control of its (and occupied Ukraine's) deposits
}


def test_players_strategies_and_criteria_match_the_brief() -> None:
    """US: accept/reject/diversify; Russia: full/limited/withhold; the nine criteria."""
    scenario = load("rare-earth")
    us, russia = scenario.players
    assert (us.id, us.strategy_ids) == ("us", ("accept", "reject", "diversify"))
    assert (russia.id, russia.strategy_ids) == ("russia", ("full", "limited", "withhold"))
    assert {c.id for c in scenario.criteria} == CRITERIA


def test_every_number_carries_a_comment() -> None:
    """Each score row and each weight line in the file has a comment tying it to a source."""
    lines = catalogue()["rare-earth"].read_text().splitlines()
    numeric = [
        line
        for line in lines
        if re.match(r"\s*\[\s*-?\d", line) or re.match(r"\s*[a-z_]+\s*=\s*-?\d", line)
    ]
    assert len(numeric) == 9 * 3 + 6 + 7  # 9 criteria x 3 rows, 6 US and 7 Russian weights
    uncommented = [line for line in numeric if "#" not in line]
    assert uncommented == []
    cited = [line for line in numeric if "[A" in line or "[F" in line or "'" in line]
    assert len(cited) >= len(numeric) // 2  # most comments quote the article or a figure


def test_default_equilibrium_is_diversify_against_the_full_offer() -> None:
    """At the default weights the unique equilibrium is (diversify, full offer), payoffs 1, -7/8.

    By hand: diversify vs full = 1 x 1 + 0.8 x 0.75 - 0.6 x 1 = 1; Russia against diversify:
    full = -1 x 0.75 + 0.5 x (-0.25) = -7/8 > limited = -7/8 - 1/8 = -1.
    """
    solution = solve(load("rare-earth"))
    assert not solution.degenerate
    (eq,) = solution.equilibria
    assert eq.support == ((2,), (0,))
    assert eq.pure
    assert eq.payoffs == (Fraction(1), Fraction(-7, 8))


def test_no_supply_weight_makes_the_us_accept() -> None:
    """Diversify strictly dominates accept for every supply-security weight s >= 0.

    By hand, diversify minus accept is affine in s with slope (1 - 1/2, 1 - 1/4, 1 - 0) > 0
    against (full, limited, withhold) and value (4.15, 1.675, 0.2) > 0 at s = 0, so the US's
    own programme (supply 1) always beats Russian ore (at most 1/2): checked at 0 and 1000.
    """
    for weight in ("0", "1000"):
        game = payoff_matrices(load("rare-earth", {"weights.us.supply_security": weight}))
        accept, _, diversify = game.A
        assert all(d > a for a, d in zip(accept, diversify, strict=True))
    zero = payoff_matrices(load("rare-earth", {"weights.us.supply_security": "0"})).A
    gaps = [d - a for a, d in zip(zero[0], zero[2], strict=True)]
    assert gaps == [Fraction(83, 20), Fraction(67, 40), Fraction(1, 5)]


def test_diversification_cost_nine_fifths_is_the_degenerate_threshold() -> None:
    """At cost weight 9/5 the US is indifferent between reject and diversify against the full offer.

    By hand against the full offer: reject = 0.8 x (-0.25) = -1/5, diversify = 1 + 0.8 x 0.75 - c
    = 8/5 - c; equal at c = 9/5, where every mix of the two against the full offer is an
    equilibrium (one component). Russia's full offer stays the best reply to both (1/8 > 0 = 0
    against reject, -7/8 > -1 = -1 against diversify).
    """
    solution = solve(load("rare-earth", {"weights.us.diversification_cost": "9/5"}))
    assert solution.degenerate
    assert [e.support for e in solution.equilibria] == [((1,), (0,)), ((2,), (0,))]
    (component,) = solution.components
    assert component.equilibria == (0, 1)


def test_above_nine_fifths_the_us_rejects_the_full_offer() -> None:
    """At cost weight 2 the only equilibrium is (reject, full offer); the game is degenerate.

    By hand: reject = -1/5 > diversify = 8/5 - 2 = -2/5 against the full offer. Degenerate
    because accept and reject are the same act against no offer (payoff 0 each), above
    diversify's 9/5 - c there.
    """
    solution = solve(load("rare-earth", {"weights.us.diversification_cost": "2"}))
    assert solution.degenerate
    assert [e.support for e in solution.equilibria] == [((1,), (0,))]


def test_russia_withholds_above_a_china_weight_of_one() -> None:
    """Russia's choice moves with its own weights: no offer above a China weight w of exactly 1.

    By hand against a diversifying US: full = -0.75 - 0.25 w, limited = -0.875 - 0.25 w,
    withhold = -1 (its cohesion score 1 x weight -1), so full = withhold at w = 1. This is the
    test that the full offer is no longer dominant by construction (issue 10 §4).
    """
    path = "weights.russia.china_relations"
    below = solve(load("rare-earth", {path: "0.9"}))
    at = solve(load("rare-earth", {path: "1"}))
    above = solve(load("rare-earth", {path: "1.1"}))
    assert [e.support for e in below.equilibria] == [((2,), (0,))]
    assert at.degenerate
    assert [e.support for e in at.equilibria] == [((2,), (0,)), ((2,), (2,))]
    assert [e.support for e in above.equilibria] == [((2,), (2,))]
