"""Is Russia's offer a trap? The catalogue's rare-earth-trap game answers (issue 11 section 4).

Known answers: /work/notes/rare_earth_analysis.md section 4 (helper I's exhaustive pure-PBE
enumeration, on the two-answer version) and the closed forms below, derived by hand from the
leaf payoffs. With US supply weight w and mu = P(trap) believed (the genuine type honours,
the trap type weaponises an accepted deal), the US's expected payoffs are, after the full
offer: accept (1 - mu)(w/2 - 83/20) - mu 179/40, hedge (1 - mu)(3w/2 - 15/4) + mu(w - 31/8),
decline -1/5, diversify w; after the limited offer: accept (1 - mu)(w/4 - 63/40) - mu 139/80,
hedge (1 - mu)(5w/4 - 51/40) + mu(w - 107/80), decline -1/10, diversify w + 1/10; after no
offer: status quo 0, diversify w + 1/5. Hence accept - hedge = -(w + 2/5 + mu/5) (full) and
-(w + 3/10 + mu/10) (limited), decline - diversify = -(w + 1/5) everywhere: for w > 0 the
US never accepts or keeps the status quo in a PBE, whatever it believes, and the four-answer
game has the two-answer game's PBE. At the default weights (w = 1) diversifying beats hedging
too: one pooling PBE on the full offer, declined with diversification, for every prior. The US
hedges the full offer iff w(1 - mu)/2 - 15/4 - mu/8 >= 0, i.e. mu <= (4w - 30)/(4w + 1),
and the limited offer iff w(1 - mu)/4 - 11/8 - mu/16 >= 0, i.e. mu <= (4w - 22)/(4w + 1):
at w = 40, 130/161 and 138/161 = 6/7.
"""

from __future__ import annotations

import io
from fractions import Fraction
from typing import Any

import pygambit
from click.testing import CliRunner
from test_spe import node_id, to_efg

from negotiation.cli import main
from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario
from negotiation.solvers.pbe import prior_thresholds, solve_pbe
from negotiation.solvers.reduced import reduced_form
from negotiation.solvers.spe import solve_spe, subgame_perfect_completion


def test_solve_rare_earth_trap_answers_in_words() -> None:
    """`negotiation solve rare-earth-trap` says the pooling PBE in words, with its verdict."""
    result = CliRunner().invoke(main, ["solve", "rare-earth-trap"])
    assert result.exit_code == 0, result.output
    flat = " ".join(result.output.split())
    assert "Perfect Bayesian equilibria: 1 set, 1 extreme equilibrium" in flat
    assert (
        "pooling (us 1, russia -7/8): Russia, whatever its type, makes the full offer (Russia "
        "and occupied Ukraine); after Russia makes the full offer (Russia and occupied "
        "Ukraine), United States declines and diversifies; after Russia makes the limited "
        "offer (Russia only) (off the path), United States declines and diversifies whatever "
        "it believes; after Russia makes no offer (off the path), United States diversifies "
        "whatever it believes" in flat
    )
    # The labels are verb phrases (R2 read "Russia the full offer"), in SPE text too.
    assert "Russia makes the full offer (Russia and occupied Ukraine); United States " in flat
    assert "United States keeps the status quo (1/8) or diversifies (7/8)" in flat
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
    hedged = "United States accepts and diversifies (hedges)"
    assert f"(Russia and occupied Ukraine), {hedged}" in inside[0].before
    assert f"(Russia and occupied Ukraine), {hedged}" not in inside[0].after
    assert f"limited offer (Russia only), {hedged}" in inside[1].before
    assert f"limited offer (Russia only), {hedged}" not in inside[1].after


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


def test_the_us_has_the_sequential_games_four_answers() -> None:
    """After an offer the US accepts, hedges, declines or diversifies, as in the sequential game."""
    tree = load_tree("rare-earth-trap")
    sequential = load_tree("rare-earth-sequential")
    for offer in ("full", "limited"):
        assert tree.node(f"tree.trap.{offer}").actions == sequential.node(f"tree.{offer}").actions
        assert tree.node(f"tree.trap.{offer}").actions == (
            "accept",
            "hedge",
            "decline",
            "diversify",
        )
    assert tree.node("tree.genuine.withhold").actions == ("status_quo", "diversify")
    assert reduced_form(tree).game.shape == (32, 81)


def test_accepting_and_the_status_quo_are_never_sequentially_rational() -> None:
    """The closed forms: accept - hedge = -(w + 2/5 + mu/5), decline - diversify = -(w + 1/5).

    Checked exactly on the leaf payoffs at w = 1 and w = 40 for every belief vertex (mu = 0
    is the genuine node, mu = 1 the trap node; the differences are affine in mu).
    """
    for w in (1, 40):
        tree = load_tree("rare-earth-trap", [("weights.us.supply_security", w)])

        def us(node: str, tree: TreeScenario = tree) -> Fraction:
            return tree.node(node).payoffs[0]

        for offer, gap, slope in (
            ("full", Fraction(2, 5), Fraction(1, 5)),
            ("limited", Fraction(3, 10), Fraction(1, 10)),
        ):
            honest = us(f"tree.genuine.{offer}.accept.honour") - us(
                f"tree.genuine.{offer}.hedge.honour"
            )
            trap = us(f"tree.trap.{offer}.accept.weaponise") - us(
                f"tree.trap.{offer}.hedge.weaponise"
            )
            assert (honest, trap) == (-(w + gap), -(w + gap + slope))
            decline = us(f"tree.trap.{offer}.decline") - us(f"tree.trap.{offer}.diversify")
            assert decline == -(w + Fraction(1, 5))
        assert us("tree.trap.withhold.status_quo") - us("tree.trap.withhold.diversify") == -(
            w + Fraction(1, 5)
        )


def test_solve_pbe_and_spe_on_the_four_answer_tree() -> None:
    """Both solvers answer on the 32x81 form, which solve_spe could not finish before.

    Its time (about 2 s) is a measured figure for the notes, not an assertion here.

    The subgame-perfect equilibria are 10, every one paying the PBE's (1, -7/8): in the
    others the US mixes accepting or the status quo in after offers never made, which
    subgame perfection allows (no proper subgame holds the US's sets) and sequential
    rationality does not.
    """
    tree = load_tree("rare-earth-trap")
    spe = solve_spe(tree)
    pbe = solve_pbe(tree, nash=False)
    assert len(spe.equilibria) == 10
    assert {e.payoffs for e in spe.equilibria} == {(Fraction(1), Fraction(-7, 8))}
    assert [s.payoff_range for s in pbe.sets] == [
        ((Fraction(1), Fraction(1)), (Fraction(-7, 8), Fraction(-7, 8)))
    ]


def test_pure_subgame_perfect_equilibria_agree_with_gambit() -> None:
    """Gambit's pure Nash equilibria of the 32x81 form that extend to SPE are ours, exactly.

    pygambit enumerates every pure equilibrium of its own reduced strategic form of the .efg;
    those whose behaviour extends to a subgame-perfect profile (decided by
    subgame_perfect_completion) are exactly solve_spe's pure equilibria, read as plans.
    """
    for w in (1, 40):
        tree = load_tree("rare-earth-trap", [("weights.us.supply_security", w)])
        game = pygambit.read_efg(io.StringIO(to_efg(tree)))
        theirs = set()
        for profile in pygambit.nash.enumpure_solve(game).equilibria:
            fixed: dict[int, tuple[Fraction, ...]] = {}
            for player in game.players:
                (chosen,) = [s for s in game.get_strategies(player) if profile[player][s] == 1]
                for history, action in game.get_behavior(player, chosen).items():
                    info = tree.infosets[tree.node(node_id(history.actions)).infoset]
                    k = info.actions.index(action)
                    fixed[info.index] = tuple(
                        Fraction(int(j == k)) for j in range(len(info.actions))
                    )
            if subgame_perfect_completion(tree, fixed)[0]:
                theirs.add(frozenset(fixed.items()))
        ours = set()
        for e in solve_spe(tree).equilibria:
            if not e.pure:
                continue
            moves = {}
            for info in tree.infosets:
                beta = e.behaviour[info.index]
                if beta is not None and _reachable_by_own_moves(tree, e.behaviour, info.index):
                    moves[info.index] = beta
            ours.add(frozenset(moves.items()))
        assert ours == theirs
        assert ours


def _reachable_by_own_moves(tree: TreeScenario, behaviour: Any, info: int) -> bool:
    """Whether the mover's own earlier moves (as in a reduced plan) allow reaching the set."""
    return all(behaviour[j][a] == 1 for j, a in tree.infosets[info].sequence)
