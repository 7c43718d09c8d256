"""Perfect Bayesian equilibria: known answers, the Intuitive Criterion, thresholds, Gambit."""

from __future__ import annotations

import itertools
import json
import random
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from negotiation.errors import ScenarioError
from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario
from negotiation.model.types import read_tree, tree_from_dict
from negotiation.solvers.pbe import (
    PBESolution,
    PerfectBayesian,
    linprog,
    pbe_document,
    pbe_text,
    prior_thresholds,
    solve_pbe,
    verify_assessment,
)
from negotiation.solvers.reduced import Fragment, solve_reduced

TYPES = Path(__file__).parent / "trees" / "types"
TREES = Path(__file__).parent / "trees"
F = Fraction


def load(name: str, **overrides: Any) -> TreeScenario:
    """A tree from tests/trees/types/, overrides as keyword arguments (__ for .)."""
    return read_tree(
        TYPES / f"{name}.toml", {k.replace("__", "."): v for k, v in overrides.items()}
    )


def at(tree: TreeScenario, e: PerfectBayesian, node: str) -> dict[str, Fraction]:
    """Behaviour of an equilibrium at a decision node, by action id."""
    n = tree.node(node)
    return dict(zip(n.actions, e.behaviour[n.infoset], strict=True))


def off_path(tree: TreeScenario, e: PerfectBayesian, infoset: str) -> dict[str, Any]:
    """The admissible belief interval of each node at an unreached information set."""
    (i,) = [k.index for k in tree.infosets if k.id == infoset]
    return {tree.nodes[v].id: r for v, r in e.off_path[i].items()}


def in_hull(point: Sequence[Fraction], points: Sequence[Sequence[Fraction]]) -> bool:
    """Whether a point is a convex combination of points (exact LP feasibility)."""
    A_eq = [[p[d] for p in points] for d in range(len(point))] + [[F(1)] * len(points)]
    return linprog([F(0)] * len(points), A_eq=A_eq, b_eq=[*point, F(1)]) is not None


def flat(behaviour: Sequence[Sequence[Fraction]]) -> list[Fraction]:
    """A behaviour profile as one vector."""
    return [x for beta in behaviour for x in beta]


def in_solution(solution: PBESolution, behaviour: Sequence[Sequence[Fraction]]) -> bool:
    """Whether a behaviour profile lies in one of the solution's PBE sets."""
    return any(
        in_hull(flat(behaviour), [flat(solution.equilibria[k].behaviour) for k in s.equilibria])
        for s in solution.sets
    )


# -- Beer-Quiche (Cho and Kreps 1987) ------------------------------------------------------------


def test_beer_quiche_has_two_pooling_continua_and_no_separating_equilibrium() -> None:
    """Beer-Quiche at P(strong) = 0.9 has two pooling continua and no separating PBE.

    Cho and Kreps (1987, section II): pooling on beer pays (2.9, 0.9), pooling on quiche
    (2.1, 0.9), each a continuum over the receiver's threat off the path.

    By hand: pooling on beer, the receiver's posterior after beer is the prior (strong 0.9)
    so it does not duel (0.9 > 0.1); the weak sender then gets 2, and ordering quiche would
    pay it 1 + 2(1 - q) with q the chance of a duel after quiche, so q >= 1/2, a duel being
    a best reply iff the receiver believes weak with probability >= 1/2. Sender:
    0.9 x 3 + 0.1 x 2 = 2.9. No separating equilibrium: whichever breakfast reveals the weak
    type is met by a duel, and the weak type gains 1 by copying the strong one.
    """
    tree = load("beer_quiche")
    solution = solve_pbe(tree)
    assert solution.computed
    assert solution.signalling
    assert [(s.kind, s.payoff_range) for s in solution.sets] == [
        ("pooling", ((F(29, 10), F(29, 10)), (F(9, 10), F(9, 10)))),
        ("pooling", ((F(21, 10), F(21, 10)), (F(9, 10), F(9, 10)))),
    ]
    assert {e.kind for e in solution.equilibria} == {"pooling"}
    beer, quiche = solution.sets
    # Each continuum: the receiver duels after the unsent breakfast with probability 1 or 1/2
    # at its ends, and every mixture between (a segment).
    for s, sent, unsent in ((beer, "beer", "quiche"), (quiche, "quiche", "beer")):
        ends = [solution.equilibria[k] for k in s.equilibria]
        assert len(ends) == 2
        for e in ends:
            assert at(tree, e, "tree.strong") == at(tree, e, "tree.weak")
            assert at(tree, e, "tree.strong")[sent] == 1
            assert at(tree, e, f"tree.strong.{sent}") == {"duel": 0, "no_duel": 1}
        assert [at(tree, e, f"tree.strong.{unsent}")["duel"] for e in ends] == [1, F(1, 2)]
        assert [off_path(tree, e, unsent)[f"tree.weak.{unsent}"] for e in ends] == [
            (F(1, 2), 1),
            (F(1, 2), F(1, 2)),
        ]
        assert s.point.sequential
        assert all(e.sequential for e in ends)


def test_only_beer_pooling_survives_the_intuitive_criterion() -> None:
    """Only beer pooling survives the Intuitive Criterion; strong ordering beer breaks quiche.

    Cho and Kreps (1987, section IV).

    By hand: in quiche pooling the strong type gets 2 and the weak 3; beer could bring the
    weak type at most 2 < 3, so it is equilibrium-dominated, while the receiver's only best
    reply to a strong sender, no duel, gives the strong type 1 + 2 = 3 > 2. In beer pooling
    quiche could bring the strong type at most 2 < 3; the weak type, the only one left, is
    met by a duel and gets 1 < 2: nobody deviates.
    """
    solution = solve_pbe(load("beer_quiche"))
    beer, quiche = solution.sets
    assert beer.intuitive is True
    assert quiche.intuitive is False
    for k in quiche.equilibria:
        broken = solution.equilibria[k].broken_by
        assert [(d.message, d.type) for d in broken] == [("beer", "strong")]
        assert (
            "fails the Intuitive Criterion (the strong type would deviate: sender chooses beer)"
            in solution.equilibria[k].description
        )
    assert all(solution.equilibria[k].intuitive for k in beer.equilibria)


def test_beer_quiche_in_words() -> None:
    """The sentences read the catalogue's verb-phrase labels: who orders what, what is believed.

    Action labels are verb phrases (docs/reference/scenario-format.md), so a player's label
    followed by one is a clause; a mixture says each action's probability, a set (whose
    probabilities vary over it) says the actions only.
    """
    solution = solve_pbe(load_tree("beer-quiche"))
    words = [e.description for e in solution.equilibria]
    assert words[0] == (
        "Sender, whatever its type, orders beer; after Sender orders beer, Receiver does not "
        "duel; after Sender orders quiche (off the path), Receiver believes weak with "
        "probability at least 1/2 and duels; survives the Intuitive Criterion"
    )
    assert words[1] == (
        "Sender, whatever its type, orders beer; after Sender orders beer, Receiver does not "
        "duel; after Sender orders quiche (off the path), Receiver believes strong with "
        "probability 1/2 and duels (1/2) or does not duel (1/2); survives the Intuitive "
        "Criterion"
    )
    assert words[2].endswith(
        "fails the Intuitive Criterion (the strong type would deviate: Sender orders beer)"
    )
    assert solution.sets[1].pattern == (
        "Sender, whatever its type, orders quiche; after Sender orders beer (off the path), "
        "Receiver believes strong with probability 1/2 and duels or does not duel, at random; "
        "after Sender orders quiche, Receiver does not duel"
    )


def test_unlabelled_actions_read_chooses_their_id() -> None:
    """An action without a label (its label is its id) reads 'chooses <id>' after the player."""
    words = solve_pbe(load("beer_quiche")).equilibria[0].description
    assert words.startswith("sender, whatever its type, chooses beer; after sender chooses beer")


def test_beer_quiche_with_a_low_prior_has_one_semi_separating_equilibrium() -> None:
    """With P(strong) = 0.1 the unique PBE is semi-separating (hybrid).

    The strong type has beer, the weak one has beer with probability 1/9, the receiver
    duels after beer with probability 1/2.

    By hand: pooling fails (the posterior after the pooled breakfast, weak 0.9, brings a
    duel, and the weak type then prefers quiche), and so does separating (see the previous
    tests). In the hybrid, the receiver mixes after beer only if indifferent, i.e.
    P(strong | beer) = 0.1 / (0.1 + 0.9 s) = 1/2, so s = 1/9; the weak type mixes only if
    indifferent, 2 (1 - d) = 1 + 0 (quiche reveals it and brings a duel), so d = 1/2; the
    strong type gets 1 + 2 x 1/2 = 2 from beer > 0 from quiche. Payoffs: sender
    0.1 x 2 + 0.9 x 1 = 1.1; receiver 0.2 x 1/2 + 0.8 x 1 = 0.9.
    """
    tree = load("beer_quiche", types__sender__strong="0.1")
    solution = solve_pbe(tree)
    (e,) = solution.equilibria
    assert e.kind == "hybrid"
    assert at(tree, e, "tree.strong") == {"beer": 1, "quiche": 0}
    assert at(tree, e, "tree.weak") == {"beer": F(1, 9), "quiche": F(8, 9)}
    assert at(tree, e, "tree.weak.beer") == {"duel": F(1, 2), "no_duel": F(1, 2)}
    assert at(tree, e, "tree.weak.quiche") == {"duel": 1, "no_duel": 0}
    assert e.payoffs == (F(11, 10), F(9, 10))
    beer = tree.infosets[tree.node("tree.weak.beer").infoset].index
    assert {tree.nodes[v].id: b for v, b in e.beliefs[beer].items()} == {
        "tree.strong.beer": F(1, 2),
        "tree.weak.beer": F(1, 2),
    }
    assert e.off_path == {}
    assert e.intuitive is True  # nothing is off the path


def test_beer_quiche_prior_thresholds_are_exact() -> None:
    """Along P(strong) the PBE change exactly at 1/2 (hybrid below, both poolings above).

    The sweep 0, 0.1, ..., 1 also reports its ends, where a type has prior 0.
    """
    tree = load("beer_quiche")
    thresholds = prior_thresholds(tree, "types.sender.strong", [F(k, 10) for k in range(11)])
    assert [(t.value, t.exact) for t in thresholds] == [(0, True), (F(1, 2), True), (1, True)]
    middle = thresholds[1]
    assert middle.before.startswith(
        "hybrid: sender (strong) chooses beer; sender (weak) chooses beer or chooses quiche, "
        "at random; "
    )
    assert middle.after.count("pooling") == 2
    assert "(not intuitive)" in middle.after


def test_typed_and_hand_written_scenarios_give_the_same_answers() -> None:
    """The [types] file and the hand-written chance node with infosets: identical documents."""
    typed = pbe_document(solve_pbe(load("beer_quiche")))
    plain = pbe_document(solve_pbe(read_tree(TYPES / "beer_quiche_tree.toml")))
    assert typed == plain
    for strong in ("0.1", "0.5"):
        typed = pbe_document(solve_pbe(load("beer_quiche", types__sender__strong=strong)))
        plain = pbe_document(
            solve_pbe(read_tree(TYPES / "beer_quiche_tree.toml", {"tree.chance.strong": strong}))
        )
        assert typed == plain


# -- the trust game with an honest type (Kreps and Wilson 1982) -----------------------------------


def test_trust_game_threshold_prior_is_one_third() -> None:
    """The truster trusts iff P(honest) >= 1/3.

    By hand (payoffs of Kreps's trust game): the honest type honours (10 > 5), the
    opportunist abuses (15 > 10), so trusting pays 10 p - 5 (1 - p) = 15 p - 5 against 0
    for not trusting: trust iff p >= 1/3, indifference (any mixture) at p = 1/3 exactly.
    """
    tree = load("trust_honest")
    thresholds = prior_thresholds(tree, "types.trustee.honest", [F(k, 7) for k in range(8)])
    assert [t.value for t in thresholds if 0 < t.low < 1] == [F(1, 3)]
    (t,) = [t for t in thresholds if 0 < t.low < 1]
    tail = "trustee (honest) chooses honor; {}trustee (opportunist) chooses abuse"
    assert t.before == (
        "pooling: truster does not trust; off the path " + tail.format("off the path ")
    )
    assert t.after == "pooling: truster chooses trust; " + tail.format("")
    assert t.at == "pooling: truster does not trust or chooses trust, at random; " + tail.format("")
    low = solve_pbe(load("trust_honest", types__trustee__honest="0.25"))
    (e,) = low.equilibria
    assert e.payoffs == (0, 0)
    assert e.description == (
        "truster does not trust; off the path trustee (honest) chooses honor; off the "
        "path trustee (opportunist) chooses abuse"
    )
    high = solve_pbe(load("trust_honest", types__trustee__honest="0.5"))
    assert [e.payoffs for e in high.equilibria] == [(F(5, 2), F(25, 2))]
    tie = solve_pbe(load("trust_honest", types__trustee__honest="1/3"))
    assert len(tie.sets) == 1
    assert sorted(e.payoffs[1] for e in tie.equilibria) == [0, F(40, 3)]


def test_a_threshold_in_a_payoff_is_bracketed_and_said_not_exact() -> None:
    """Sweeping a payoff (not the prior), the change is bracketed by exact bisection.

    At P(honest) = 1/4 trusting pays 10 / 4 + 3 x / 4 for an abused truster's payoff x:
    the truster trusts iff x >= -10/3.
    """
    tree = load("trust_honest")
    (t,) = prior_thresholds(tree, "tree.trust.abuse.payoffs.truster", [-10, -5, 0], bisections=20)
    assert not t.exact
    assert t.value is None
    assert t.low <= F(-10, 3) <= t.high
    assert t.high - t.low == F(5, 2**20)
    assert "does not trust" in t.before
    assert "truster chooses trust" in t.after


def test_a_nash_equilibrium_resting_on_a_non_credible_threat_is_no_pbe() -> None:
    """Of a continuum of Nash equilibria below 1/3, only the credible one is a PBE.

    When nobody trusts, any plans of the trustee's types are a Nash equilibrium; only the
    one where each type acts optimally is sequentially rational.
    """
    solution = solve_pbe(load("trust_honest"))
    assert solution.nash is not None
    assert len(solution.nash.solution.pairs) == 6
    assert len(solution.nash.components) == 1
    assert len(solution.equilibria) == 1


# -- Spence's job market (Spence 1973) -------------------------------------------------------------


def test_job_market_has_separating_pooling_and_hybrid_equilibria() -> None:
    """P(high) = 1/2: separating, hybrid, and a pooling continuum on no education.

    By hand: separating, the high type educates (4 - 1 = 3 as manager > 1 as clerk) and
    the low one does not (1 > 4 - 4 = 0): payoffs 2 and 2. Pooling on no education, the
    firm's posterior 1/2 >= 1/3 makes the worker a manager (3/2 > 1): both get 4, which
    education (at most 3 and 0) cannot beat, so any belief and reply after education works.
    Hybrid: the high type mixes so that P(high | none) = 1/3 (educating with probability
    1/2) and the firm, indifferent, makes it a manager with probability 2/3, leaving the
    high type indifferent (4 x 2/3 + 1/3 = 3).
    """
    tree = load("spence")
    solution = solve_pbe(tree)
    kinds = [(s.kind, s.payoff_range) for s in solution.sets]
    assert kinds == [
        ("separating", ((2, 2), (2, 2))),
        ("hybrid", ((3, 3), (F(3, 2), F(3, 2)))),
        ("pooling", ((4, 4), (F(3, 2), F(3, 2)))),
    ]
    hybrid = solution.equilibria[solution.sets[1].equilibria[0]]
    assert at(tree, hybrid, "tree.high") == {"educate": F(1, 2), "none": F(1, 2)}
    assert at(tree, hybrid, "tree.high.none") == {"manager": F(2, 3), "clerk": F(1, 3)}
    pooling = [solution.equilibria[k] for k in solution.sets[2].equilibria]
    assert [off_path(tree, e, "educate")["tree.high.educate"] for e in pooling] == [
        (F(1, 3), 1),
        (0, F(1, 3)),
    ]
    assert all(s.intuitive for s in solution.sets)


def test_job_market_pooling_below_one_third_fails_the_intuitive_criterion() -> None:
    """At P(high) = 1/4 pooling on no education fails the Intuitive Criterion.

    The pooling is held up by the belief that an educated worker has low ability.

    By hand: the posterior 1/4 < 1/3 makes the pooled worker a clerk (1 each). Education
    could bring the low type at most 0 < 1 (equilibrium-dominated) but the high type 3 > 1;
    a firm sure of high ability makes an educated worker a manager, so the high type
    deviates. The separating equilibrium survives.
    """
    tree = load("spence", types__worker__high="1/4")
    solution = solve_pbe(tree)
    assert [s.kind for s in solution.sets] == ["separating", "pooling"]
    separating, pooling = solution.sets
    assert separating.intuitive is True
    assert pooling.intuitive is False
    for k in pooling.equilibria:
        e = solution.equilibria[k]
        assert e.payoffs == (1, 1)
        assert [(d.message, d.type) for d in e.broken_by] == [("educate", "high")]
    assert prior_thresholds(tree, "types.worker.high", ["0.1", "0.5"])[0].value == F(1, 3)


# -- an offer that may be a trap: criteria, per-type weights, tails -----------------------------


def test_offer_trap_thresholds_are_the_us_indifference_beliefs() -> None:
    """The PBE change exactly where the US is indifferent after each offer: 1/8 and 3/16.

    By hand (tests/trees/types/offer_trap.toml): an accepted offer is honoured by the
    genuine type (revenue 3 > 1 for full, 2 > 0.5 for limited) and weaponised by the trap
    type (0.5 + 2 x 3 = 6.5 > 1.5; 0.25 + 2 x 1.5 = 3.25 > 1). Accepting a full offer is
    then worth 2 (1 - q) - 6 q to the US against 0.5 for diversifying, so it accepts iff
    the belief q in 'trap' is at most 3/16; a limited offer, 1 (1 - q) - 3 q against 0.5:
    iff q <= 1/8. Both types prefer an accepted full offer, so pooling on it holds while
    the prior is at most 3/16; above both thresholds only pooling on no offer remains.
    """
    tree = load("offer_trap")
    solution = solve_pbe(tree, nash=False)
    (only,) = solution.sets
    assert only.kind == "pooling"
    assert only.pattern.startswith("russia, whatever its type, chooses none")
    (pure,) = [
        e
        for e in (solution.equilibria[k] for k in only.equilibria)
        if at(tree, e, "tree.trap.full")["diversify"]
        == at(tree, e, "tree.trap.limited")["diversify"]
        == 1
    ]
    assert off_path(tree, pure, "full")["tree.trap.full"] == (F(3, 16), 1)
    assert off_path(tree, pure, "limited")["tree.trap.limited"] == (F(1, 8), 1)
    low = solve_pbe(load("offer_trap", types__russia__trap="0.1"), nash=False)
    full = [s for s in low.sets if s.pattern.startswith("russia, whatever its type, chooses full")]
    assert len(full) == 1
    assert full[0].intuitive is True
    assert "then russia (trap) chooses weaponise; then russia (genuine) chooses honour" in (
        full[0].pattern
    )
    grid = ["0.1", "0.2", "0.5"]  # both thresholds lie between 0.1 and 0.2
    thresholds = prior_thresholds(tree, "types.russia.trap", grid)
    assert [t.value for t in thresholds] == [F(1, 8), F(3, 16)]
    assert all(t.exact for t in thresholds)


# -- sequential equilibrium, the class, verification -----------------------------------------------


def test_a_weak_pbe_need_not_be_sequential() -> None:
    """A weak PBE whose off-path belief is not consistent is reported as not sequential.

    After 'in' consistency (Kreps and Wilson 1982) pins the belief to the prior, where b
    plays up; the weak PBE with b mixing (belief exactly 1/3) is not sequential.

    By hand: out needs b to play up with probability q >= 2/3 (in pays 2 - 3q); up is a
    best reply iff b believes left with probability >= 1/3 (2 mu >= 1 - mu), a mixture iff
    exactly 1/3. Both of b's nodes follow a's single move 'in', so consistent beliefs are
    the chance probabilities, 1/2 each.
    """
    tree = load("weak_not_sequential")
    solution = solve_pbe(tree)
    pure, mixed = solution.equilibria
    assert at(tree, pure, "tree.left.in") == {"up": 1, "down": 0}
    assert off_path(tree, pure, "b")["tree.left.in"] == (F(1, 3), 1)
    assert pure.sequential is True
    assert at(tree, mixed, "tree.left.in") == {"up": F(2, 3), "down": F(1, 3)}
    assert off_path(tree, mixed, "b")["tree.left.in"] == (F(1, 3), F(1, 3))
    assert mixed.sequential is False
    assert solution.sets[0].sequential is False  # the open segment needs the belief 1/3


def test_trees_outside_the_class_are_reported_not_guessed() -> None:
    """Two rounds of signalling: Nash equilibria are listed, PBE said not to be computed."""
    solution = solve_pbe(load("two_rounds"))
    assert not solution.computed
    assert solution.equilibria == ()
    assert solution.nash is not None
    assert "not computed: sender moves twice" in solution.notes[0]
    document = pbe_document(solution)
    assert document["perfect_bayesian"] is None
    assert document["perfect_bayesian_computed"] is False


def test_perfect_information_trees_have_their_subgame_perfect_equilibria() -> None:
    """In Selten's entry game the only PBE is (in, accommodate); the threat is not credible."""
    solution = solve_pbe(TreeScenario.from_toml(TREES / "entry.toml"))
    (e,) = solution.equilibria
    assert e.payoffs == (1, 1)
    assert e.kind is None
    assert e.intuitive is None
    assert solution.nash is not None
    assert len(solution.nash.solution.pairs) == 3


def test_on_perfect_information_trees_the_pbe_are_the_pure_subgame_perfect_equilibria() -> None:
    """With single-node information sets PBE is backward induction: solve_spe's answers.

    Ties included: the ultimatum game's responder is indifferent at the zero offer, which
    gives two equilibria (offer 0 accepted, or offer 1 after a rejected 0), each listed.
    """
    from negotiation.solvers.spe import solve_spe

    for name in ("entry", "trust", "centipede", "ultimatum", "stackelberg"):
        tree = TreeScenario.from_toml(TREES / f"{name}.toml")
        pbe = solve_pbe(tree, nash=False)
        spe = solve_spe(tree)
        assert sorted(e.behaviour for e in pbe.equilibria) == sorted(
            e.behaviour for e in spe.equilibria
        )
    ultimatum = solve_pbe(TreeScenario.from_toml(TREES / "ultimatum.toml"), nash=False)
    assert [e.payoffs for e in ultimatum.equilibria] == [(3, 0), (2, 1)]
    assert ultimatum.notes[0].startswith("ties in the perfect-information parts at tree.offer0")


def test_verify_assessment_finds_wrong_beliefs_and_unjustified_threats() -> None:
    """The independent checker accepts a PBE and names Bayes and rationality failures."""
    tree = load("beer_quiche")
    e = solve_pbe(tree).equilibria[0]
    beer = tree.infosets[tree.node("tree.strong.beer").infoset].index
    quiche = tree.infosets[tree.node("tree.strong.quiche").infoset].index
    beliefs: dict[int, tuple[Fraction, ...]] = {i.index: (F(1),) for i in tree.infosets}
    beliefs[beer] = (F(9, 10), F(1, 10))
    beliefs[quiche] = (F(1, 4), F(3, 4))  # weak 3/4: a duel is a best reply
    assert verify_assessment(tree, e.behaviour, beliefs) == []
    wrong = {**beliefs, beer: (F(1, 4), F(3, 4))}  # a duel pays 3/4, no duel 1/4
    assert verify_assessment(tree, e.behaviour, wrong) == [
        "the belief at beer is not Bayes' rule on the path",
        "receiver gains 1/2 by deviating at beer given the belief there",
    ]
    strong = {**beliefs, quiche: (F(3, 4), F(1, 4))}  # then the duel is no best reply
    assert verify_assessment(tree, e.behaviour, strong) == [
        "receiver gains 1/2 by deviating at quiche given the belief there"
    ]


def test_every_pbe_lies_in_a_component_of_the_reduced_forms_nash_equilibria() -> None:
    """Each PBE's component is one of solve_reduced's, whose Nash set is the same."""
    for name in ("beer_quiche", "spence", "trust_honest", "weak_not_sequential"):
        tree = load(name)
        solution = solve_pbe(tree)
        reduced = solve_reduced(tree)
        assert solution.nash is not None
        assert solution.nash.solution.equilibria == tuple(
            (e.row, e.col) for e in reduced.equilibria
        )
        assert solution.nash.components == reduced.components
        assert all(0 <= e.component < len(reduced.components) for e in solution.equilibria)
        assert all(
            s.component == solution.equilibria[s.equilibria[0]].component for s in solution.sets
        )
    quick = solve_pbe(load("beer_quiche"), nash=False)
    assert quick.nash is None
    assert {e.component for e in quick.equilibria} == {-1}


def test_a_reduced_solution_passed_in_is_reused_as_is() -> None:
    """solve_pbe(reduced=...) reports the components solve_reduced found, without re-solving."""
    for name in ("beer_quiche", "spence", "trust_honest"):
        tree = load(name)
        reduced = solve_reduced(tree)
        reused = solve_pbe(tree, nash=False, reduced=reduced)
        fresh = solve_pbe(tree)
        assert reused.nash is not None
        assert fresh.nash is not None
        assert reused.nash.solution.equilibria == fresh.nash.solution.equilibria
        assert reused.nash.components == fresh.nash.components
        assert [e.component for e in reused.equilibria] == [e.component for e in fresh.equilibria]
        assert reused.sets == fresh.sets


def test_a_reduced_form_beyond_the_limits_leaves_components_unmatched_and_says_so(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """With the exact engine's budget below Beer-Quiche's 4x4 form, the PBE still come, -1."""
    from negotiation import limits

    monkeypatch.setattr(limits, "MAX_EXACT_BASES", 10)
    solution = solve_pbe(load("beer_quiche"))
    assert solution.nash is None
    assert len(solution.sets) == 2
    assert {e.component for e in solution.equilibria} == {-1}
    assert any("'component' is -1" in note for note in solution.notes)


def test_nash_sets_agree_with_gambit() -> None:
    """Gambit's exact enummixed finds the same extreme equilibria of every reduced form."""
    from test_exact import gambit_equilibria

    compared = 0
    for name, overrides in (
        ("beer_quiche", {}),
        ("beer_quiche", {"types.sender.strong": "0.1"}),
        ("spence", {}),
        ("spence", {"types.worker.high": "1/4"}),
        ("trust_honest", {}),
        ("weak_not_sequential", {}),
    ):
        solution = solve_pbe(read_tree(TYPES / f"{name}.toml", overrides))
        assert solution.nash is not None
        ours = set(solution.nash.solution.equilibria)
        assert ours == gambit_equilibria(solution.nash.game)
        compared += 1
    assert compared == 6


def test_pbe_document_is_json_with_the_documented_keys() -> None:
    """The JSON part: strategies by node and action, beliefs by information set and node."""
    document = pbe_document(solve_pbe(load("beer_quiche")))
    json.dumps(document)
    first = document["perfect_bayesian"][0]
    assert set(first) >= {
        "payoffs",
        "kind",
        "strategies",
        "beliefs",
        "off_path_beliefs",
        "intuitive",
        "component",
    }
    assert first["payoffs"] == {"sender": 2.9, "receiver": 0.9}
    assert first["strategies"]["sender"] == {
        "tree.strong": {"beer": 1.0, "quiche": 0.0},
        "tree.weak": {"beer": 1.0, "quiche": 0.0},
    }
    assert first["strategies"]["receiver"]["tree.weak.quiche"] == {"duel": 1.0, "no_duel": 0.0}
    assert first["beliefs"] == {"beer": {"tree.strong.beer": 0.9, "tree.weak.beer": 0.1}}
    assert first["off_path_beliefs"] == {
        "quiche": {"tree.strong.quiche": [0.0, 0.5], "tree.weak.quiche": [0.5, 1.0]}
    }
    assert first["exact"]["off_path_beliefs"]["quiche"]["tree.weak.quiche"] == ["1/2", "1"]
    assert document["perfect_bayesian_sets"][0]["equilibria"] == [0, 1]
    assert document["types"] == ["strong", "weak"]


def test_pbe_text_lists_each_set_then_its_vertices() -> None:
    """The table format: one line per PBE set with payoffs and verdict, then its vertices."""
    lines = pbe_text(solve_pbe(load("beer_quiche")))
    assert lines[0] == "Perfect Bayesian equilibria: 2 sets, 4 extreme equilibria"
    assert lines[1].startswith(
        "  #0 pooling (sender 29/10, receiver 9/10): sender, whatever its type, chooses beer"
    )
    assert lines[1].endswith("; survives the Intuitive Criterion")
    assert lines[2].startswith("     vertex 0: sender, whatever its type, chooses beer")
    assert lines[4].startswith("  #1 pooling (sender 21/10, receiver 9/10): sender, whatever")
    assert lines[4].endswith("; fails the Intuitive Criterion")
    assert pbe_text(solve_pbe(load("two_rounds")))[0].startswith("perfect Bayesian equilibria not")


def test_three_players_are_refused() -> None:
    """PBE are computed for two players; three are refused with a message."""
    tree = TreeScenario.from_dict(
        {
            "name": "three",
            "players": [{"id": "a"}, {"id": "b"}, {"id": "c"}],
            "tree": {"player": "a", "x": {"payoffs": {"a": 0, "b": 0, "c": 0}}},
        }
    )
    with pytest.raises(ScenarioError, match="two players"):
        solve_pbe(tree)


# -- random signalling games against a brute-force search ---------------------------------------


def random_signalling(rng: random.Random) -> dict[str, Any]:
    """A random two-type, two-message, two-response signalling game with small payoffs."""
    types = ("t1", "t2")
    prior = rng.choice(["1/4", "1/2", "2/3"])

    def payoff() -> dict[str, int]:
        return {t: rng.randint(-2, 2) for t in types}

    tree: dict[str, Any] = {"player": "s"}
    for m in ("m1", "m2"):
        tree[m] = {"player": "r"}
        for r in ("a", "b"):
            tree[m][r] = {"payoffs": {"s": payoff(), "r": payoff()}}
    return {
        "name": "random",
        "players": [{"id": "s"}, {"id": "r"}],
        "types": {"s": {"t1": F(prior), "t2": "rest"}},
        "tree": tree,
    }


def pure_pbe(tree: TreeScenario) -> list[list[tuple[Fraction, ...]]]:
    """Every pure weak PBE profile of a 2x2x2 signalling tree, by direct enumeration.

    Sender optimality given the responses; the receiver's response optimal under Bayes'
    rule after a message sent, and under some belief after a message not sent (with two
    types a linear condition holds somewhere in [0, 1] iff at an end).
    """
    nodes = tree.nodes
    senders = nodes[0].children
    prior = nodes[0].probabilities
    found = []
    for s in itertools.product(range(2), repeat=2):
        for r in itertools.product(range(2), repeat=2):

            def u(t: int, m: int, a: int, who: int) -> Fraction:
                return nodes[nodes[nodes[senders[t]].children[m]].children[a]].payoffs[who]

            if any(u(t, s[t], r[s[t]], 0) < u(t, 1 - s[t], r[1 - s[t]], 0) for t in range(2)):
                continue
            ok = True
            for m in range(2):
                weights = [prior[t] * (s[t] == m) for t in range(2)]
                ends = [[F(1), F(0)], [F(0), F(1)]]
                beliefs = [weights] if sum(weights) else ends
                if not any(
                    sum(mu[t] * (u(t, m, r[m], 1) - u(t, m, 1 - r[m], 1)) for t in range(2)) >= 0
                    for mu in beliefs
                ):
                    ok = False
            if ok:
                behaviour: dict[int, tuple[Fraction, ...]] = {}
                for t in range(2):
                    behaviour[nodes[senders[t]].infoset] = (F(1 - s[t]), F(s[t]))
                for m in range(2):
                    info = nodes[nodes[senders[0]].children[m]].infoset
                    behaviour[info] = (F(1 - r[m]), F(r[m]))
                found.append([behaviour[i] for i in range(len(tree.infosets))])
    return found


def test_random_signalling_games_match_a_brute_force_search() -> None:
    """On 40 seeded random signalling games the pure PBE agree with a brute-force search.

    Every pure PBE found by enumeration lies in a reported PBE set, and every reported pure
    PBE is one of them.
    """
    rng = random.Random(11)
    checked = 0
    for _ in range(40):
        tree = tree_from_dict(random_signalling(rng))
        solution = solve_pbe(tree, nash=False)
        brute = pure_pbe(tree)
        for profile in brute:
            assert in_solution(solution, profile)
        pure_points = [
            [tuple(beta) for beta in e.behaviour]
            for e in solution.equilibria
            if all(max(beta) == 1 for beta in e.behaviour)
        ]
        for profile in pure_points:
            assert profile in brute
        checked += len(brute)
    assert checked > 40


def justifying_beliefs(
    tree: TreeScenario, behaviour: Sequence[Sequence[Fraction]]
) -> list[dict[int, tuple[Fraction, ...]]]:
    """Candidate assessments for a two-type signalling profile.

    Bayes on the path; off it each belief that could justify play: certain of either type,
    or where the receiver's two responses tie (a best reply holds on an interval of beliefs
    with such ends).
    """
    reach = [Fraction(0)] * len(tree.nodes)
    reach[0] = F(1)
    for node in tree.nodes:
        if node.kind == "leaf":
            continue
        probs = node.probabilities if node.kind == "chance" else behaviour[node.infoset]
        for child, p in zip(node.children, probs, strict=True):
            reach[child] = reach[node.index] * p
    options: list[list[tuple[Fraction, ...]]] = []
    for info in tree.infosets:
        total = sum((reach[v] for v in info.nodes), F(0))
        if info.singleton:
            options.append([(F(1),)])
        elif total:
            options.append([tuple(reach[v] / total for v in info.nodes)])
        else:
            a, b = info.nodes
            u = [
                [tree.nodes[c].payoffs[info.player] for c in tree.nodes[v].children] for v in (a, b)
            ]
            ends = [(F(1), F(0)), (F(0), F(1))]
            slope = (u[0][0] - u[0][1]) - (u[1][0] - u[1][1])
            if slope:
                mu = -(u[1][0] - u[1][1]) / slope
                if 0 <= mu <= 1:
                    ends.append((mu, 1 - mu))
            options.append(ends)
    return [dict(enumerate(choice)) for choice in itertools.product(*options)]


def test_every_extreme_nash_equilibrium_that_is_a_pbe_is_reported() -> None:
    """Gambit's extreme equilibria of 30 random signalling games, checked for PBE directly.

    Each extreme Nash equilibrium Gambit finds (pygambit enummixed) is turned into behaviour
    (Kuhn 1953) and tried with every belief that could justify play off the path; those
    that pass the independent checker must lie in a reported PBE set.
    """
    from test_exact import gambit_equilibria

    rng = random.Random(5)
    passed = 0
    for _ in range(30):
        tree = tree_from_dict(random_signalling(rng))
        solution = solve_pbe(tree)
        assert solution.nash is not None
        plans = solution.nash.plans
        fragment = Fragment(tree, 0, lambda v: False, tree.numbers)
        for x, y in gambit_equilibria(solution.nash.game):
            behaviour_map = {
                **fragment.behaviour_from_plans(0, plans[0], x),
                **fragment.behaviour_from_plans(1, plans[1], y),
            }
            behaviour = [behaviour_map[i] for i in range(len(tree.infosets))]
            assert all(b is not None for b in behaviour)  # no set is excluded by own moves
            if any(
                not verify_assessment(tree, behaviour, beliefs)
                for beliefs in justifying_beliefs(tree, behaviour)
            ):
                assert in_solution(solution, behaviour)
                passed += 1
    assert passed > 30
