"""The built-in rare-earth scenario: traceable numbers, required criteria, plausible answer."""

from __future__ import annotations

import re

from negotiation import catalogue, load, solve

CRITERIA = {
    "supply_security",  # against Chinese dominance
    "legitimacy",  # international-law cost of recognising annexation
    "alliance_cohesion",
    "russia_dependence",  # swapping dependence on China for dependence on Russia
    "diversification_cost",
    "russian_revenue",  # revenue under sanctions
    "wedge",  # between the US and its allies
}


def test_players_strategies_and_criteria_match_the_brief() -> None:
    """US: accept/reject/diversify; Russia: full/limited/withhold; the seven criteria."""
    scenario = load("rare-earth")
    us, russia = scenario.players
    assert (us.id, us.strategy_ids) == ("us", ("accept", "reject", "diversify"))
    assert (russia.id, russia.strategy_ids) == ("russia", ("full", "limited", "withhold"))
    assert {c.id for c in scenario.criteria} == CRITERIA


def test_every_number_carries_a_comment() -> None:
    """Each score row and each weight line in the file has a comment tying it to the article."""
    lines = catalogue()["rare-earth"].read_text().splitlines()
    numeric = [
        line
        for line in lines
        if re.match(r"\s*\[\s*-?\d", line) or re.match(r"\s*[a-z_]+\s*=\s*-?\d", line)
    ]
    assert len(numeric) == 7 * 3 + 6 + 5  # 7 criteria x 3 rows, 6 US and 5 Russian weights
    uncommented = [line for line in numeric if "#" not in line]
    assert uncommented == []
    cited = [line for line in numeric if "[A:" in line or "'" in line]
    assert len(cited) >= len(numeric) // 2  # most comments quote the article itself


def test_default_equilibrium_is_diversify_against_the_full_offer() -> None:
    """At the default weights the unique equilibrium is (diversify, full offer), pure."""
    solution = solve(load("rare-earth"))
    assert not solution.degenerate
    (eq,) = solution.equilibria
    assert eq.support == ((2,), (0,))
    assert eq.pure


def test_heavy_supply_security_makes_accepting_the_full_offer_an_equilibrium() -> None:
    """Weighing supply security 4.5 times the law flips the US to accept (README's claim).

    By hand: accept vs full = 4.5 x 2 - 2 - 1.6 - 1.6 - 0.6 = 3.2 > diversify = 4.5 x 0.5
    + 0.8 - 0.6 = 2.45 > reject = 0; Russia's best reply to accept is full (8 > 3.5 > 0.75).
    """
    solution = solve(load("rare-earth", {"weights.us.supply_security": "4.5"}))
    assert [e.support for e in solution.equilibria] == [((0,), (0,))]


def test_supply_security_weight_four_is_the_degenerate_threshold() -> None:
    """At weight 4 the US is indifferent between accept and diversify against the full offer.

    By hand: accept vs full = 4 x 2 - 2 - 1.6 - 1.6 - 0.6 = 2.2 = diversify = 4 x 0.5 + 0.8
    - 0.6, so every mix of the two against the full offer is an equilibrium: one component,
    one maximal Nash subset with both pure US strategies as its extreme points.
    """
    solution = solve(load("rare-earth", {"weights.us.supply_security": 4}))
    assert solution.degenerate
    assert [e.support for e in solution.equilibria] == [((0,), (0,)), ((2,), (0,))]
    (component,) = solution.components
    assert component.equilibria == (0, 1)
    assert len(component.subsets) == 1
