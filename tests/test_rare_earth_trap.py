"""Is Russia's offer a trap? The catalogue's rare-earth-trap game answers (issue 11 section 4).

Known answers: /work/notes/rare_earth_analysis.md section 4 (helper I's exhaustive pure-PBE
enumeration): at the default weights one pooling PBE on the full offer, declined with
diversification, for every prior; with US supply weight w the US hedges the limited offer
iff P(trap) < (4w - 22)/(4w + 1) and the full offer iff P(trap) < (4w - 30)/(4w + 1).
"""

from __future__ import annotations

from fractions import Fraction

from click.testing import CliRunner

from negotiation.cli import main
from negotiation.model.catalogue import load_tree
from negotiation.solvers.pbe import prior_thresholds, solve_pbe


def test_solve_rare_earth_trap_answers_in_words() -> None:
    """`negotiation solve rare-earth-trap` says the pooling PBE in words, with its verdict."""
    result = CliRunner().invoke(main, ["solve", "rare-earth-trap"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Perfect Bayesian equilibria: 1 set, 1 extreme equilibrium" in flat
    assert (
        "pooling (us 1, russia -7/8): both types of Russia choose the full offer (Russia and "
        "occupied Ukraine); after the full offer (Russia and occupied Ukraine) United States "
        "chooses decline and diversify" in flat
    )
    assert "survives the Intuitive Criterion" in flat


def test_default_answer_is_the_same_pooling_pbe_at_every_prior() -> None:
    """At the default weights the prior does not change the answer: no threshold inside (0, 1)."""
    tree = load_tree("rare-earth-trap")
    solution = solve_pbe(tree, nash=False)
    assert [(s.kind, s.payoff_range) for s in solution.sets] == [
        ("pooling", ((Fraction(1), Fraction(1)), (Fraction(-7, 8), Fraction(-7, 8))))
    ]
    thresholds = prior_thresholds(tree, "types.russia.trap", ["0", "0.5", "1"])
    assert [t.value for t in thresholds if 0 < t.low < 1] == []


def test_prior_thresholds_at_supply_weight_40_are_exact() -> None:
    """With US supply weight 40 the prior thresholds are exactly 130/161 and 138/161.

    Closed forms (analysis section 4): the US hedges the full offer iff P(trap) <
    (4w - 30)/(4w + 1) and the limited offer iff P(trap) < (4w - 22)/(4w + 1).
    """
    tree = load_tree("rare-earth-trap", [("weights.us.supply_security", 40)])
    thresholds = prior_thresholds(tree, "types.russia.trap", ["0", "0.5", "1"])
    inside = [t for t in thresholds if 0 < t.low < 1]
    assert all(t.exact for t in inside)
    assert [t.value for t in inside] == [Fraction(130, 161), Fraction(138, 161)]
    assert "hedge (accept and diversify)" in inside[0].before
    assert "limited offer (Russia only) United States chooses hedge" in inside[1].before
    assert "limited offer (Russia only) United States chooses hedge" not in inside[1].after


def test_no_separating_equilibrium() -> None:
    """No offer separates the types, at the defaults and where the US would take a deal (w=40)."""
    for w in (None, 40):
        for p in ("0.2", "0.5", "0.8"):
            values = [("types.russia.trap", p)] + (
                [] if w is None else [("weights.us.supply_security", w)]
            )
            solution = solve_pbe(load_tree("rare-earth-trap", values), nash=False)
            assert solution.computed
            assert solution.sets
            assert all(s.kind == "pooling" for s in solution.sets), (w, p)
