"""Exercises on beliefs and signalling, every answer and printed number from the PBE solver.

Three questions on games of incomplete information (issue 11, section 4), all computed by
:mod:`negotiation.solvers.pbe` on the catalogue's trees with player types:

- **Bayes' rule on the path** (``beer-quiche`` with a low prior of the strong type, where
  the only perfect Bayesian equilibrium is semi-separating): the receiver's belief after
  the breakfast both types sometimes order.
- **A prior threshold** (``rare-earth-trap`` with a heavy US weight on supply): the prior
  of the trap type up to which the US hedges a pooled offer, found exactly by
  :func:`~negotiation.solvers.pbe.prior_thresholds`.
- **The Intuitive Criterion** (``beer-quiche`` at Cho and Kreps's prior): which of the two
  pooling equilibria fails it, which type would deviate and why.

Each exercise also names the answers typical slips give (the prior where a posterior is
asked, the complement of a threshold, the other pooling equilibrium), computed like the
answer, so a student who makes one is told which.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping
from fractions import Fraction

from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario
from negotiation.solvers.pbe import PBESet, PBESolution, prior_thresholds, solve_pbe
from negotiation.teaching.questions import Exercise, Facts
from negotiation.teaching.text import Affine, and_, frac, num
from negotiation.teaching.tree_exercises import node_values

#: The signalling game of the Bayes and Intuitive Criterion exercises (Cho and Kreps 1987).
BEER_QUICHE = "beer-quiche"

#: The prior of the strong type in the Bayes exercise: below 1/2 no pooling equilibrium
#: exists and the weak type mixes (Cho and Kreps 1987, section II); 1/4 keeps the prior,
#: the weak type's mix and the posterior three different numbers.
BAYES_PRIOR = Fraction(1, 4)

#: The breakfast after which the Bayes exercise asks for the receiver's belief.
BAYES_MESSAGE = "beer"

#: The game of the threshold exercise, the prior swept, and the US supply weight at which a
#: pooled offer is hedged for low priors (at the default weight the US never takes a deal).
TRAP, TRAP_PRIOR, TRAP_SUPPLY = "rare-earth-trap", "types.russia.trap", 20

#: The offer and answer the threshold exercise asks about (tree action ids).
TRAP_OFFER, TRAP_ANSWER = "limited", "hedge"

#: The sweep points handed to prior_thresholds: every tenth, so no change is skipped unseen.
TRAP_GRID = tuple(Fraction(k, 10) for k in range(11))


# --- Shared: types, messages, values ---------------------------------------------------------


def _types(tree: TreeScenario) -> list[int]:
    """The type nodes: the children of the root chance node, in prior order."""
    return list(tree.root.children)


def _child(tree: TreeScenario, v: int, action: str) -> int:
    node = tree.nodes[v]
    return node.children[node.actions.index(action)]


def _prior(tree: TreeScenario) -> tuple[Fraction, ...]:
    return tree.numbers.probabilities[0]


def _played(solution: PBESolution, tree: TreeScenario, v: int) -> dict[str, Fraction]:
    """Each action's probability at decision node ``v`` in the one PBE of ``solution``."""
    (eq,) = solution.equilibria
    node = tree.nodes[v]
    return dict(zip(node.actions, eq.behaviour[node.infoset], strict=True))


# --- Bayes' rule on the path of a semi-separating equilibrium ---------------------------------


@functools.cache
def _bayes_game() -> tuple[TreeScenario, PBESolution]:
    tree = load_tree(BEER_QUICHE, {"types.sender.strong": BAYES_PRIOR})
    return tree, solve_pbe(tree, nash=False)


def _bayes_belief() -> Fraction:
    """The receiver's belief that the sender is strong after beer, as the PBE solver has it."""
    tree, solution = _bayes_game()
    (eq,) = solution.equilibria
    strong = _types(tree)[0]
    after = _child(tree, strong, BAYES_MESSAGE)
    return eq.beliefs[tree.nodes[after].infoset][after]


def _bayes_facts() -> Facts:
    """Bayes' rule from the prior and the types' behaviour, and the receiver's indifference."""
    tree, solution = _bayes_game()
    (eq,) = solution.equilibria
    strong, weak = _types(tree)
    p_strong, p_weak = _prior(tree)
    s_beer = _played(solution, tree, strong)[BAYES_MESSAGE]
    w_beer = _played(solution, tree, weak)[BAYES_MESSAGE]
    reach = p_strong * s_beer + p_weak * w_beer
    posterior = p_strong * s_beer / reach
    after = _child(tree, strong, BAYES_MESSAGE)
    info = tree.infosets[tree.nodes[after].infoset]
    receiver = tree.players[info.player]
    pay = tree.numbers.payoffs
    # The receiver's payoff of each reply as a line in its belief m that the sender is strong.
    weak_after = _child(tree, weak, BAYES_MESSAGE)
    lines = {
        label: Affine(
            pay[_child(tree, after, a)][info.player]
            - pay[_child(tree, weak_after, a)][info.player],
            pay[_child(tree, weak_after, a)][info.player],
            "m",
        )
        for a, label in zip(info.actions, info.labels, strict=True)
    }
    (first, first_pays), (second, second_pays) = lines.items()
    mix = dict(zip(info.labels, eq.behaviour[info.index], strict=True))
    return {
        "sender": tree.players[tree.nodes[strong].player].label,
        "receiver": receiver.label,
        "strong": tree.nodes[strong].label,
        "weak": tree.nodes[weak].label,
        "message": BAYES_MESSAGE,
        "prior": frac(p_strong),
        "default_prior": frac(load_tree(BEER_QUICHE).numbers.probabilities[0][0]),
        "weak_prior": frac(p_weak),
        "strong_plays": frac(s_beer),
        "weak_plays": frac(w_beer),
        "reach": frac(reach),
        "posterior": frac(posterior),
        "kind": eq.kind or "",
        "first": first,
        "second": second,
        "first_pays": first_pays,
        "second_pays": second_pays,
        "tie": frac(first_pays.root_with(second_pays)),
        "mix": and_([f"{a} with probability {frac(p)}" for a, p in mix.items()]),
    }


def _bayes_mistakes() -> Mapping[object, str]:
    tree, solution = _bayes_game()
    weak = _types(tree)[1]
    p_strong, _ = _prior(tree)
    return {
        p_strong: "That is the prior, {prior}: seeing {message} should move it, since the "
        "types order {message} with different probabilities.",
        _played(solution, tree, weak)[BAYES_MESSAGE]: "That is how often the {weak} type "
        "orders {message}, P({message} | {weak}), not what the {receiver} believes after "
        "seeing it.",
        Fraction(1): "That would hold if only the {strong} type ordered {message} (a separating "
        "equilibrium); here the {weak} type orders it too, with probability {weak_plays}.",
    }


# --- A prior threshold: up to which P(trap) does the US take a pooled offer? -----------------


@functools.cache
def _trap_tree() -> TreeScenario:
    return load_tree(TRAP, {"weights.us.supply_security": TRAP_SUPPLY})


def _takes_offer(s: PBESet, tree: TreeScenario) -> bool:
    """Whether in this PBE set every type makes the offer and the US answers it as asked."""
    offer = tree.infosets[tree.nodes[_child(tree, _types(tree)[0], TRAP_OFFER)].infoset]
    point = s.point
    answer = point.behaviour[offer.index][offer.actions.index(TRAP_ANSWER)]
    return s.kind == "pooling" and offer.index in point.beliefs and answer == 1


@functools.cache
def _trap_thresholds() -> tuple[tuple[Fraction, bool], ...]:
    """Each exact prior threshold inside (0, 1), and whether the asked-for pool exists below."""
    tree = _trap_tree()
    found = prior_thresholds(tree, TRAP_PRIOR, TRAP_GRID)
    inside = sorted(t.low for t in found if t.exact and 0 < t.low < 1)
    ends = [Fraction(0), *inside, Fraction(1)]
    out = []
    for k, x in enumerate(inside):
        below = (ends[k] + x) / 2
        solution = solve_pbe(tree.with_overrides({TRAP_PRIOR: below}), nash=False)
        out.append((x, any(_takes_offer(s, tree) for s in solution.sets)))
    return tuple(out)


def _trap_threshold() -> Fraction:
    """The prior of the trap type above which no PBE has the US hedge the pooled offer.

    prior_thresholds gives every exact change of the PBE; the answer is the change after
    which the pool of the question is gone (it exists just below it, not just above).
    """
    marks = _trap_thresholds()
    ((x, _),) = [
        (x, ok)
        for k, (x, ok) in enumerate(marks)
        if ok and (k + 1 == len(marks) or not marks[k + 1][1])
    ]
    return x


def _trap_facts() -> Facts:
    """The US's two payoffs after the pooled offer, as lines in the prior p of the trap type."""
    tree = _trap_tree()
    trap, genuine = _types(tree)
    x = _trap_threshold()
    below = tree.with_overrides({TRAP_PRIOR: x / 2})
    solution = solve_pbe(below, nash=False)
    (pool,) = [s for s in solution.sets if _takes_offer(s, tree)]
    values = node_values(below, pool.point.behaviour)
    us = tree.nodes[_child(tree, trap, TRAP_OFFER)].player
    at = {t: _child(tree, t, TRAP_OFFER) for t in (trap, genuine)}

    def line(action: str) -> Affine:
        worth = {t: values[_child(tree, v, action)][us] for t, v in at.items()}
        return Affine(worth[trap] - worth[genuine], worth[genuine], "p")

    offer = tree.nodes[at[trap]]
    answer = line(TRAP_ANSWER)
    switch = _other_action(offer.actions, line, x)
    other = line(switch)
    then = {
        t: tree.nodes[_child(tree, _child(tree, at[t], TRAP_ANSWER), _best(pool, tree, t))].label
        for t in (trap, genuine)
    }
    others = [x for x, _ in _trap_thresholds() if x != _trap_threshold()]
    return {
        "w": TRAP_SUPPLY,
        "us": tree.players[us].label,
        "russia": tree.players[tree.nodes[trap].player].label,
        "trap": tree.nodes[trap].label,
        "genuine": tree.nodes[genuine].label,
        "default_prior": frac(_prior(load_tree(TRAP))[0]),
        "offer": offer.label,
        "answer": tree.nodes[_child(tree, at[trap], TRAP_ANSWER)].label,
        "other": tree.nodes[_child(tree, at[trap], switch)].label,
        "answer_pays": answer,
        "other_pays": other,
        "trap_then": then[trap],
        "genuine_then": then[genuine],
        "p": frac(answer.root_with(other)),
        "genuine_p": frac(1 - answer.root_with(other)),
        "thresholds": and_([frac(t) for t in sorted({*others, x})]),
    }


def _other_action(
    actions: tuple[str, ...], line: Callable[[str], Affine], threshold: Fraction
) -> str:
    """The answer the US switches to at the threshold: its best other answer just above it.

    The question's answer is :data:`TRAP_ANSWER`; of the others (the trap file has four
    answers) the one the US prefers just above ``threshold`` is the one hedging ties with
    there, so its payoff line meets hedging's at the threshold (checked).
    """
    others = [a for a in actions if a != TRAP_ANSWER]
    # Best just above the threshold: highest value there, then the steepest rise (exact).
    best = max(others, key=lambda a: (line(a)(threshold), line(a).slope))
    if line(best)(threshold) != line(TRAP_ANSWER)(threshold):
        raise AssertionError(f"{best} does not tie with {TRAP_ANSWER} at {threshold}")
    return best


def _best(pool: PBESet, tree: TreeScenario, t: int) -> str:
    """What a type of Russia does after its accepted offer, in the pool's behaviour."""
    node = tree.nodes[_child(tree, _child(tree, t, TRAP_OFFER), TRAP_ANSWER)]
    beta = pool.point.behaviour[node.infoset]
    (action,) = [a for a, p in zip(node.actions, beta, strict=True) if p == 1]
    return action


def _trap_mistakes() -> Mapping[object, str]:
    x = _trap_threshold()
    slips: dict[object, str] = {
        1 - x: "That is P({genuine}) at the threshold; the question asks for P({trap}).",
        _prior(load_tree(TRAP))[0]: "That is the prior the game file assumes, "
        "{default_prior}, a judgement; the question asks where the answer changes.",
    }
    for other, _ in _trap_thresholds():
        if other != x:
            slips.setdefault(
                other,
                "The PBE change there too, but the pool in which {russia} {offer} and the "
                "{us} {answer} survives it; the thresholds are {thresholds}.",
            )
    return slips


# --- The Intuitive Criterion in Beer-Quiche --------------------------------------------------


@functools.cache
def _beer_quiche() -> tuple[TreeScenario, PBESolution]:
    tree = load_tree(BEER_QUICHE)
    return tree, solve_pbe(tree)


def _pool_message(s: PBESet, tree: TreeScenario) -> str:
    """The message every type sends in a pooling PBE set."""
    (message,) = {
        a
        for t in _types(tree)
        for a, p in zip(
            tree.nodes[t].actions, s.point.behaviour[tree.nodes[t].infoset], strict=True
        )
        if p == 1
    }
    return message


def _pools() -> dict[str, PBESet]:
    """The pooling PBE sets of Beer-Quiche, by the breakfast pooled on."""
    tree, solution = _beer_quiche()
    return {_pool_message(s, tree): s for s in solution.sets if s.kind == "pooling"}


def _failing() -> str:
    """The breakfast of the pooling equilibrium that fails the Intuitive Criterion."""
    (message,) = [m for m, s in _pools().items() if s.intuitive is False]
    return message


def _criterion(message: str) -> dict[str, str]:
    """Why the pool on ``message`` survives or fails, from the leaves (Cho and Kreps 1987).

    For the message ``d`` no type sends, a type is ruled out when its equilibrium payoff
    exceeds the most ``d`` brings it under any reply that is a best one to some belief (with
    two replies, those best against a belief sure of one type); the receiver, believing the
    remaining type, gives its best reply to it, and the pool fails if that type then gains
    by ``d``.
    """
    tree, _ = _beer_quiche()
    pool = _pools()[message]
    values = node_values(tree, pool.point.behaviour)
    (deviation,) = [a for a in tree.nodes[_types(tree)[0]].actions if a != message]
    sender = tree.nodes[_types(tree)[0]].player
    equilibrium = {t: values[t][sender] for t in _types(tree)}
    nodes = [tree.nodes[_child(tree, t, deviation)] for t in _types(tree)]
    assert all(len(n.actions) == 2 for n in nodes)  # the vertex argument above needs two
    best_replies = set()
    for n in nodes:  # the reply best against a belief sure of the type at n
        worth = [values[c][n.player] for c in n.children]
        best_replies.add(worth.index(max(worth)))
    best = {
        t: max(values[n.children[a]][sender] for a in best_replies)
        for t, n in zip(_types(tree), nodes, strict=True)
    }
    (out,) = [t for t in _types(tree) if equilibrium[t] > best[t]]
    (left,) = [t for t in _types(tree) if t != out]
    after = tree.nodes[_child(tree, left, deviation)]
    receiver = after.player
    reply = max(after.children, key=lambda c: values[c][receiver])
    gain = values[reply][sender]
    label = {t: tree.nodes[t].label for t in _types(tree)}
    return {
        "message": message,
        "deviation": deviation,
        "out": label[out],
        "out_eq": num(equilibrium[out]),
        "out_best": num(best[out]),
        "left": label[left],
        "left_eq": num(equilibrium[left]),
        "reply": tree.nodes[reply].label,
        "receiver": tree.players[receiver].label,
        "gain": num(gain),
        "verdict": (
            f"the {label[left]} type would gain by it ({num(gain)} instead of "
            f"{num(equilibrium[left])}), so the pool fails"
            if gain > equilibrium[left]
            else f"the {label[left]} type would lose by it ({num(gain)} instead of "
            f"{num(equilibrium[left])}), so the pool survives"
        ),
    }


def _reason(message: str) -> str:
    c = _criterion(message)
    return (
        f"in the pool on {c['message']}, the {c['out']} type gets {c['out_eq']}, and "
        f"{c['deviation']} could bring it at most {c['out_best']}, so a sender who orders "
        f"{c['deviation']} cannot be {c['out']}; believing it {c['left']}, the {c['receiver']} "
        f"{c['reply']}, and {c['verdict']}"
    )


def _intuitive_facts() -> Facts:
    tree, solution = _beer_quiche()
    failing = _failing()
    (survivor,) = [m for m in _pools() if m != failing]
    pools = _pools()
    breakers = pools[failing].point.broken_by
    sender, receiver = (tree.players[k].label for k in (0, 1))

    def pays(m: str) -> str:
        low = [lo for lo, _ in pools[m].payoff_range]
        return ", ".join(num(x) for x in low)

    return {
        "sender": sender,
        "receiver": receiver,
        "prior": frac(_prior(tree)[0]),
        "strong": tree.nodes[_types(tree)[0]].label,
        "weak": tree.nodes[_types(tree)[1]].label,
        "kinds": and_(sorted({s.kind or "" for s in solution.sets})),
        "failing": failing,
        "survivor": survivor,
        "failing_pays": pays(failing),
        "survivor_pays": pays(survivor),
        "failing_reason": _reason(failing),
        "survivor_reason": _reason(survivor),
        "breakers": and_([f"the {d.type} type sending {d.message}" for d in breakers]),
    }


def _intuitive_mistakes() -> Mapping[object, str]:
    (survivor,) = [m for m in _pools() if m != _failing()]
    return {survivor: "The pool on {survivor} survives the criterion: {survivor_reason}."}


BELIEF_EXERCISES: list[Exercise] = [
    Exercise(
        "beer-quiche-bayes",
        "Bayes' rule on the path",
        "beliefs and signalling",
        "probability",
        "In `beer-quiche`, lower the prior that the {sender} is {strong} from {default_prior} "
        "to {prior} (`types.sender.strong`). The only perfect Bayesian equilibrium is then "
        "{kind}: the {strong} type orders {message} with probability {strong_plays}, the "
        "{weak} type with probability {weak_plays}. After seeing {message}, with what "
        "probability does the {receiver} believe the {sender} is {strong}?",
        "On the path beliefs follow Bayes' rule: P({strong} | {message}) = P({strong}) "
        "P({message} | {strong}) / P({message}), and P({message}) counts both types.",
        "P({message}) = {prior} x {strong_plays} + {weak_prior} x {weak_plays} = {reach}, "
        "so P({strong} | {message}) = ({prior} x {strong_plays}) / {reach} = {posterior}. "
        "With belief m that the {sender} is {strong}, the {receiver} gets {first_pays} if it "
        "{first} and {second_pays} if it {second}: equal at m = {tie}, so only there can the "
        "{receiver} mix (it {mix}), which is what keeps the {weak} type willing to mix "
        "between breakfasts (Cho and Kreps 1987).",
        _bayes_belief,
        _bayes_facts,
        mistakes=_bayes_mistakes,
    ),
    Exercise(
        "trap-threshold",
        "Is it a trap? The prior threshold",
        "beliefs and signalling",
        "probability",
        "In `rare-earth-trap`, {russia} is {genuine} or sets a {trap}; the {us} sees the "
        "offer, not the type. Raise the weight of the {us} on supply security to {w} "
        "(`weights.us.supply_security`). For low priors of {trap} there is then a pooling "
        "equilibrium in which {russia}, whatever its type, {offer} and the {us} {answer}. "
        "Up to which prior P({trap}) (`types.russia.trap`) does the {us} still answer the "
        "offer this way? Give the exact threshold.",
        "In a pooling equilibrium the belief of the {us} after the offer is the prior p. Write "
        "what each answer pays the {us} as a function of p, knowing what each type does "
        "after an accepted deal, and set them equal.",
        "After an accepted deal the {genuine} type of {russia} {genuine_then} and the {trap} "
        "type {trap_then}. Believing {trap} with probability p, the {us} gets {answer_pays} "
        "if it {answer} and {other_pays} if it {other}: equal at p = {p} (P({genuine}) = "
        "{genuine_p}). Below it the {us} takes the deal; above it no equilibrium has it "
        "do so. prior_thresholds finds every change of the equilibria exactly: {thresholds}.",
        _trap_threshold,
        _trap_facts,
        mistakes=_trap_mistakes,
    ),
    Exercise(
        "beer-quiche-intuitive",
        "The Intuitive Criterion",
        "beliefs and signalling",
        "action",
        "In `beer-quiche` (P({strong}) = {prior}) the perfect Bayesian equilibria are "
        "{kinds}: both types order the same breakfast, and the {receiver} duels after the "
        "other when it believes the {sender} {weak}. Which breakfast do both types order in "
        "the pooling equilibrium that fails the Intuitive Criterion?",
        "For each pool ask: which type could never gain by ordering the other breakfast, "
        "whatever the {receiver} then did? Rule it out, and see whether the remaining type "
        "would then gain by switching.",
        "The pools on {survivor} (payoffs {survivor_pays}) and on {failing} (payoffs "
        "{failing_pays}) are both perfect Bayesian equilibria. But {failing_reason}: it is "
        "broken by {breakers} (Cho and Kreps 1987). Whereas {survivor_reason}.",
        _failing,
        _intuitive_facts,
        game=BEER_QUICHE,
        node="tree.strong",
        mistakes=_intuitive_mistakes,
    ),
]
