"""Exercises on matrix games, with every answer and printed number computed by the solver.

Topics: dominance, pure and mixed equilibria, the inspection paradox, the rare-earth offer
and its threshold, continua of equilibria.

Each exercise's answer and every number its texts show are computed here from the catalogue
(:func:`negotiation.model.catalogue.load_matrix`) by the exact solver; the texts are
templates filled from these facts (:class:`negotiation.teaching.questions.Exercise`).
"""

from __future__ import annotations

from fractions import Fraction

from negotiation.model.catalogue import load_matrix
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.model.scenario import Scenario
from negotiation.solvers.equilibria import Equilibrium, solve
from negotiation.teaching.questions import Exercise, Facts
from negotiation.teaching.text import Affine, and_, frac, matrix, num, text


def _indifference(game: Game, mixer: int, strategy: int) -> tuple[tuple[Affine, Affine], Fraction]:
    """The other player's two payoff lines when ``mixer`` plays ``strategy`` with probability p.

    In a 2x2 game, a mixed equilibrium has each player's mix make the other indifferent
    between their two strategies (the indifference characterisation of mixed equilibria:
    M. J. Osborne, An Introduction to Game Theory, 2004, ch. 4). Returns the other player's
    expected payoff of each of their strategies as a function of p, and the p where the
    two are equal.
    """
    other = 1 - strategy
    lines = []
    for own in (0, 1):
        if mixer == 0:  # the row player mixes; the column player's payoffs, column `own`
            here, there = game.B[strategy][own], game.B[other][own]
        else:  # the column player mixes; the row player's payoffs, row `own`
            here, there = game.A[own][strategy], game.A[own][other]
        lines.append(Affine(here - there, there))
    first, second = lines
    return (first, second), first.root_with(second)


def _mixed(name: str, player: int, strategy: int) -> Fraction:
    """Probability of a strategy in the (unique) fully mixed equilibrium of a catalogue game."""
    mixed = [e for e in solve(load_matrix(name), "exact").equilibria if not e.pure]
    return (mixed[0].row if player == 0 else mixed[0].col)[strategy]


def _mix_facts(name: str, mixer: int, strategy: int) -> Facts:
    """Facts for "with what probability does ``mixer`` play ``strategy``" in a 2x2 game."""
    scenario = load_matrix(name)
    (first, second), p = _indifference(payoff_matrices(scenario), mixer, strategy)
    other = scenario.players[1 - mixer]
    return {
        "mixer": scenario.players[mixer].label,
        "strategy": scenario.players[mixer].strategy_ids[strategy],
        "other": other.label,
        "first": other.strategy_ids[0],
        "second": other.strategy_ids[1],
        "first_pays": first,
        "second_pays": second,
        "p": frac(p),
    }


MIX_EXPLANATION = (
    "Against {mixer} playing {strategy} with probability p, {other}'s {first} pays "
    "{first_pays} and {second} pays {second_pays}; they are equal at p = {p}, so only then "
    "is {other} willing to mix, and any other p leaves {other} a strictly better reply."
)


def _dominance(scenario: Scenario, game: Game, player: int) -> tuple[int | None, str]:
    """A player's strictly dominant strategy (or None), and the payoffs that show it."""
    me = scenario.players[player]
    rows = game.A if player == 0 else tuple(zip(*game.B, strict=True))
    for s, row in enumerate(rows):
        others = [r for k, r in enumerate(rows) if k != s]
        if all(all(a > b for a, b in zip(row, o, strict=True)) for o in others):
            rest = "; ".join(
                f"{me.strategy_ids[k]} pays {text(list(r))}" for k, r in enumerate(rows) if k != s
            )
            return s, f"{me.label}'s {me.strategy_ids[s]} pays {text(list(row))}, and {rest}"
    return None, ""


def _dominant() -> dict[str, str]:
    scenario = load_matrix("prisoners-dilemma")
    game = payoff_matrices(scenario)
    result = {}
    for k, player in enumerate(scenario.players):
        s, _ = _dominance(scenario, game, k)
        if s is not None:
            result[player.id] = player.strategy_ids[s]
    return result


def _dominant_facts() -> Facts:
    scenario = load_matrix("prisoners-dilemma")
    game = payoff_matrices(scenario)
    (eq,) = solve(scenario, "exact").equilibria
    row, col = scenario.players
    better = [
        f"({row.strategy_ids[r]}, {col.strategy_ids[c]}) would pay both more "
        f"({num(game.A[r][c])}, {num(game.B[r][c])}): the dilemma"
        for r in range(len(game.A))
        for c in range(len(game.A[0]))
        if game.A[r][c] > eq.payoffs[0] and game.B[r][c] > eq.payoffs[1]
    ]
    return {
        "row_reason": _dominance(scenario, game, 0)[1],
        "col_reason": _dominance(scenario, game, 1)[1],
        "other": col.label,
        "columns": " and ".join(col.strategy_ids),
        "keys": f'`{{"{row.id}": "...", "{col.id}": "..."}}`',
        "equilibrium": _profile(scenario, eq),
        "eq_payoffs": list(eq.payoffs),
        "dilemma": f", though {better[0]}" if better else "",
    }


def _profile(scenario: Scenario, eq: Equilibrium) -> str:
    """An equilibrium in words: ``(stag, stag)``, or who mixes what with which probability."""
    row, col = scenario.players
    if eq.pure:
        return f"({row.strategy_ids[eq.support[0][0]]}, {col.strategy_ids[eq.support[1][0]]})"
    parts = []
    for player, mix in ((row, eq.row), (col, eq.col)):
        played = [(player.strategy_ids[k], p) for k, p in enumerate(mix) if p > 0]
        if len(played) == 1:
            parts.append(f"{player.label} plays {played[0][0]}")
        elif len(played) == 2:  # the other probability follows
            parts.append(
                f"{player.label} plays {played[0][0]} with probability {frac(played[0][1])}"
            )
        else:
            mixes = [f"{sid} with probability {frac(p)}" for sid, p in played]
            parts.append(f"{player.label} plays {and_(mixes)}")
    return "a mixed one in which " + " and ".join(parts)


def _pure_pairs(name: str) -> set[tuple[str, str]]:
    scenario = load_matrix(name)
    row, col = scenario.players
    return {
        (row.strategy_ids[e.support[0][0]], col.strategy_ids[e.support[1][0]])
        for e in solve(scenario, "exact").equilibria
        if e.pure
    }


def _pure_facts(name: str) -> Facts:
    """Each pure equilibrium with its payoffs, and for every other cell a profitable switch."""
    scenario = load_matrix(name)
    game = payoff_matrices(scenario)
    row, col = scenario.players
    kept, broken = [], []
    for r in range(len(game.A)):
        for c in range(len(game.A[0])):
            cell = f"({row.strategy_ids[r]}, {col.strategy_ids[c]})"
            up = max(range(len(game.A)), key=lambda k: game.A[k][c])
            right = max(range(len(game.A[0])), key=lambda k: game.B[r][k])
            if game.A[up][c] > game.A[r][c]:
                broken.append(
                    f"in {cell} {row.label} gains by switching to {row.strategy_ids[up]} "
                    f"({num(game.A[r][c])} to {num(game.A[up][c])})"
                )
            elif game.B[r][right] > game.B[r][c]:
                broken.append(
                    f"in {cell} {col.label} gains by switching to {col.strategy_ids[right]} "
                    f"({num(game.B[r][c])} to {num(game.B[r][right])})"
                )
            else:
                kept.append(f"{cell} pays ({num(game.A[r][c])}, {num(game.B[r][c])})")
    return {"kept": " and ".join(kept), "broken": "; ".join(broken)}


def _count_facts(name: str) -> Facts:
    scenario = load_matrix(name)
    equilibria = sorted(solve(scenario, "exact").equilibria, key=lambda e: not e.pure)
    return {"listed": and_([_profile(scenario, e) for e in equilibria]), "count": len(equilibria)}


#: The penalty the inspection exercises raise the target's penalty to.
INSPECTION_PENALTY = 10


def _inspection(penalty: int, player: int) -> Fraction:
    scenario = load_matrix("inspection-criteria", {"weights.target.penalty": penalty})
    (eq,) = solve(scenario, "exact").equilibria
    return eq.col[0] if player == 1 else eq.row[1]


def _inspection_facts() -> Facts:
    default = load_matrix("inspection-criteria")
    raised = load_matrix("inspection-criteria", {"weights.target.penalty": INSPECTION_PENALTY})
    target, sender = raised.players
    (comply, violate), e = _indifference(payoff_matrices(raised), 1, 0)
    (enforce, ignore), v = _indifference(payoff_matrices(raised), 0, 1)
    _, e_default = _indifference(payoff_matrices(default), 1, 0)
    _, v_default = _indifference(payoff_matrices(default), 0, 1)
    return {
        "default_penalty": default.weights["target"]["penalty"],
        "penalty": INSPECTION_PENALTY,
        "comply_pays": Affine(comply.slope, comply.intercept, "e"),
        "violate_pays": Affine(violate.slope, violate.intercept, "e"),
        "e": frac(e),
        "e_default": frac(e_default),
        "enforce_pays": Affine(enforce.slope, enforce.intercept, "v"),
        "ignore_pays": Affine(ignore.slope, ignore.intercept, "v"),
        "v": frac(v),
        "v_default": frac(v_default),
        "target": target.label,
        "sender": sender.label,
    }


def _rare_earth_default() -> str:
    scenario = load_matrix("rare-earth")
    (eq,) = solve(scenario, "exact").equilibria
    return scenario.players[0].strategy_ids[eq.support[0][0]]


def _rare_earth_default_facts() -> Facts:
    scenario = load_matrix("rare-earth")
    game = payoff_matrices(scenario)
    us, russia = scenario.players
    (eq,) = solve(scenario, "exact").equilibria
    s = eq.support[0][0]
    dominant, _ = _dominance(scenario, game, 0)
    others = [
        f"{us.strategy_ids[k]} pays {text(list(row))}" for k, row in enumerate(game.A) if k != s
    ]
    verdict = (
        f"{us.strategy_ids[s]} pays more than every other strategy in every column, so it is "
        f"strictly dominant for the {us.label}"
        if dominant == s
        else f"{us.strategy_ids[s]} is the best reply to {russia.label}'s "
        f"{russia.strategy_ids[eq.support[1][0]]}"
    )
    return {
        "strategy": us.strategy_ids[s],
        "pays": list(game.A[s]),
        "columns": and_(russia.strategy_ids),
        "russia": russia.label,
        "others": " and ".join(others),
        "verdict": verdict,
    }


#: The weight the threshold exercise moves: the US's weight on the cost of diversifying.
COST = "weights.us.diversification_cost"


def _rare_earth_lines() -> tuple[str, dict[str, Affine]]:
    """Each US strategy's payoff against Russia's equilibrium offer, as a line in the weight c.

    c is the US's weight on the cost of diversifying (:data:`COST`). Russia's payoffs hold no
    US weight, so its offer at the default weights stays its offer at every c. Payoffs are
    affine in each weight (payoff = sum of weight x score), so the values at c = 0 and c = 1
    fix each line; the tests check the lines at other weights.
    """
    scenario = load_matrix("rare-earth")
    us, russia = scenario.players
    (eq,) = solve(scenario, "exact").equilibria
    column = eq.support[1][0]

    def payoff(c: int, row: int) -> Fraction:
        return payoff_matrices(load_matrix("rare-earth", {COST: c})).A[row][column]

    lines = {
        sid: Affine(payoff(1, k) - payoff(0, k), payoff(0, k), "c")
        for k, sid in enumerate(us.strategy_ids)
    }
    return russia.strategy_ids[column], lines


def _rare_earth_switch() -> tuple[str, str, Fraction]:
    """The US's strategy at the default weights, the one it switches to, and the weight c.

    The first weight above the default at which another strategy's line catches up with the
    equilibrium strategy's, which it then beats (a steeper line passes a flatter one once).
    """
    scenario = load_matrix("rare-earth")
    (eq,) = solve(scenario, "exact").equilibria
    chosen = scenario.players[0].strategy_ids[eq.support[0][0]]
    default = scenario.weights["us"]["diversification_cost"]
    _, lines = _rare_earth_lines()
    best = lines[chosen]
    crossings = [
        (best.root_with(line), sid)
        for sid, line in lines.items()
        if line.slope > best.slope and best.root_with(line) > default
    ]
    c, other = min(crossings)
    return chosen, other, c


def _rare_earth_threshold() -> Fraction:
    """The diversification-cost weight above which the US stops diversifying."""
    return _rare_earth_switch()[2]


def _rare_earth_threshold_facts() -> Facts:
    scenario = load_matrix("rare-earth")
    us = scenario.players[0]
    offer, lines = _rare_earth_lines()
    chosen, other, c = _rare_earth_switch()
    at = solve(load_matrix("rare-earth", {COST: c}), "exact")
    rows = {us.strategy_ids.index(chosen), us.strategy_ids.index(other)}
    joined = any(
        {at.equilibria[i].support[0][0] for i in comp.equilibria} >= rows for comp in at.components
    )
    rest = [f"{sid} pays {line}" for sid, line in lines.items() if sid not in (chosen, other)]
    return {
        "strategy": chosen,
        "other": other,
        "offer": offer,
        "chosen_pays": lines[chosen],
        "other_pays": lines[other],
        "rest": _and_rest(rest),
        "c": c,
        "degenerate": (
            f"the game is degenerate there: with the {offer} offer, every mix of {other} and "
            f"{chosen} is an equilibrium (one component)"
            if at.degenerate and joined
            else "the game is degenerate there"
            if at.degenerate
            else "the game is not degenerate there"
        ),
        "default": scenario.weights["us"]["diversification_cost"],
    }


def _rare_earth_threshold_mistakes() -> dict[object, str]:
    """The default weight: the question's starting point, not where the answer changes."""
    default = load_matrix("rare-earth").weights["us"]["diversification_cost"]
    return {
        default: "That is the default weight, {default}: at it the US still plays "
        "{strategy}. Raise c until another strategy pays as much."
    }


def _and_rest(items: list[str]) -> str:
    return f" ({and_(items)})" if items else ""


#: The degenerate game of the continuum exercise: both rows pay the row player the same
#: against the first column, so a whole segment of her mixes meets that column.
CONTINUUM_A = ((3, 0), (3, 1))
CONTINUUM_B = ((2, 0), (0, 1))


def _continuum_low() -> Fraction:
    game = Game.from_arrays(CONTINUUM_A, CONTINUUM_B)
    solution = solve(game, "exact")
    return min(e.row[0] for e in solution.equilibria if e.support[1] == (0,))


def _continuum_facts() -> Facts:
    game = Game.from_arrays(CONTINUUM_A, CONTINUUM_B)
    (first, second), _ = _indifference(game, 0, 0)
    ends = [e.row for e in solve(game, "exact").equilibria if e.support[1] == (0,)]
    low, high = min(ends, key=lambda x: x[0]), max(ends, key=lambda x: x[0])
    return {
        "A": matrix(CONTINUUM_A),
        "B": matrix(CONTINUUM_B),
        "first_pays": first,
        "second_pays": second,
        "low": f"({num(low[0])}, {num(low[1])})",
        "high": f"({num(high[0])}, {num(high[1])})",
        "p": frac(low[0]),
        "row_first": and_([num(game.A[0][0]), num(game.A[1][0])]),
    }


MATRIX_EXERCISES: list[Exercise] = [
    Exercise(
        "dominant-strategies",
        "Dominant strategies",
        "dominance",
        "dict",
        "In `prisoners-dilemma`, which strategy is strictly dominant for each player? "
        "Answer with a dict such as {keys}.",
        "Compare each row of the row player's payoffs with the other row, entry by entry.",
        "Against {other}'s {columns}, {row_reason}; likewise {col_reason}. So the "
        "equilibrium is {equilibrium}, paying ({eq_payoffs}){dilemma}.",
        _dominant,
        _dominant_facts,
        game="prisoners-dilemma",
    ),
    Exercise(
        "pure-equilibria",
        "Pure equilibria",
        "pure equilibria",
        "pairs",
        "List every pure Nash equilibrium of `battle-of-the-sexes` as (row strategy, "
        'column strategy) pairs, e.g. `[("bach", "bach")]`.',
        "A cell is a pure equilibrium when neither player gains by switching alone: check "
        "every cell.",
        "Neither player gains by switching alone where {kept}; in the other cells, {broken}.",
        lambda: _pure_pairs("battle-of-the-sexes"),
        lambda: _pure_facts("battle-of-the-sexes"),
        game="battle-of-the-sexes",
    ),
    Exercise(
        "pennies-heads",
        "Matching pennies",
        "mixed equilibria",
        "probability",
        "In `matching-pennies`, with what probability does the Matcher play heads in equilibrium?",
        "The Matcher must leave the Mismatcher indifferent between heads and tails.",
        MIX_EXPLANATION,
        lambda: _mixed("matching-pennies", 0, 0),
        lambda: _mix_facts("matching-pennies", 0, 0),
    ),
    Exercise(
        "chicken-swerve",
        "Chicken",
        "mixed equilibria",
        "probability",
        "In `chicken`, with what probability does Driver A swerve in the mixed equilibrium?",
        "In the mixed equilibrium each driver makes the other indifferent between "
        "swerving and going straight.",
        MIX_EXPLANATION,
        lambda: _mixed("chicken", 0, 0),
        lambda: _mix_facts("chicken", 0, 0),
    ),
    Exercise(
        "stag-hunt-count",
        "Stag hunt",
        "multiple equilibria and coordination",
        "count",
        "How many Nash equilibria does `stag-hunt` have (pure and mixed)?",
        "Check every cell for a pure equilibrium, then look for a mix that makes stag and "
        "hare equally good.",
        "The equilibria are {listed}: {count} in all.",
        lambda: len(solve(load_matrix("stag-hunt"), "exact").equilibria),
        lambda: _count_facts("stag-hunt"),
    ),
    Exercise(
        "inspection-enforcement",
        "The inspection paradox (1)",
        "the inspection paradox",
        "probability",
        "In `inspection-criteria`, raise the target's penalty from {default_penalty} to "
        "{penalty} (`weights.target.penalty`). With what probability does the sender "
        "enforce in equilibrium now?",
        "The sender's mix must make the target indifferent: against enforcement with "
        "probability e, what do complying and violating pay?",
        "With the penalty at {penalty}, complying pays {comply_pays} and violating "
        "{violate_pays} against enforcement with probability e; they are equal at "
        "e = {e}. At the default penalty {default_penalty} the sender enforces with "
        "probability {e_default}: a harsher penalty means less enforcement "
        "(Tsebelis 1990).",
        lambda: _inspection(INSPECTION_PENALTY, 1),
        _inspection_facts,
    ),
    Exercise(
        "inspection-violation",
        "The inspection paradox (2)",
        "the inspection paradox",
        "probability",
        "With the penalty at {penalty}, with what probability does the target violate?",
        "The target's mix must make the sender indifferent; does the penalty enter the "
        "sender's payoffs?",
        "Against a target who violates with probability v, enforcing pays {enforce_pays} "
        "and ignoring {ignore_pays}: the penalty is not in the sender's payoffs. They are "
        "equal at v = {v}, at penalty {penalty} as at the default {default_penalty} "
        "(v = {v_default}): only the sender's costs fix it (Tsebelis 1990).",
        lambda: _inspection(INSPECTION_PENALTY, 0),
        _inspection_facts,
    ),
    Exercise(
        "rare-earth-default",
        "The rare-earth offer",
        "dominance",
        "strategy",
        "At the default weights of `rare-earth`, what does the US do in equilibrium?",
        "Compare the US's rows of payoffs column by column (`negotiation show rare-earth`).",
        "Against {russia}'s {columns}, {strategy} pays {pays} and {others}: {verdict}.",
        _rare_earth_default,
        _rare_earth_default_facts,
        game="rare-earth",
        player=0,
    ),
    Exercise(
        "rare-earth-threshold",
        "Where the US response flips",
        "degenerate games and continua",
        "number",
        "In `rare-earth` the US plays {strategy} at the default weights. Above which weight "
        "on the cost of diversifying (`weights.us.diversification_cost`, {default} by "
        "default) does the US stop diversifying? Give the exact threshold.",
        "Russia's payoffs hold no US weight, so it keeps its {offer} offer. Against it, write "
        "the US payoffs of each strategy as functions of the weight c and find where "
        "{strategy} stops being the best.",
        "Against the {offer} offer, {strategy} pays {chosen_pays} and {other} "
        "{other_pays}{rest} at diversification-cost weight c: {other} catches up at "
        "c = {c}, and {degenerate}. Above it the US plays {other}.",
        _rare_earth_threshold,
        _rare_earth_threshold_facts,
        mistakes=_rare_earth_threshold_mistakes,
    ),
    Exercise(
        "continuum-low",
        "A continuum of equilibria",
        "degenerate games and continua",
        "probability",
        "In the game A = {A}, B = {B}, the column player plays her first column in a "
        "whole segment of equilibria. What is the smallest probability of the first row "
        "in that segment?",
        "The column player must still weakly prefer her first column when the row player "
        "plays the first row with probability p.",
        "Against the first column the row player is indifferent (both rows pay "
        "{row_first}); the column player's first column pays {first_pays} and her second "
        "{second_pays}, so she keeps to the first while p >= {p}: every mix from {low} "
        "to {high} against the first column is an equilibrium.",
        _continuum_low,
        _continuum_facts,
    ),
]
