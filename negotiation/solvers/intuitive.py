"""Signalling games and the Intuitive Criterion (Cho and Kreps 1987).

A *signalling game* here is a top game with the types at a chance root, one decision node
per type for the sender (the same messages at each), and after each message either an
outcome or one information set of the receiver spanning the types, followed by outcomes
(:func:`signalling_structure`).

**The Intuitive Criterion** (Cho and Kreps, "Signaling games and stable equilibria",
*Quarterly Journal of Economics* 102, 1987, section IV): for a message ``m`` no type sends,
``D(m)`` holds the types whose equilibrium payoff exceeds the most ``m`` could bring them
against any best response of the receiver to any belief; the equilibrium fails when some
type outside ``D(m)`` gets more from ``m`` than its equilibrium payoff against every best
response to beliefs on the types outside ``D(m)`` (:func:`intuitive_criterion`). Which
responses are a best reply to some belief is decided by exact linear programming.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from collections.abc import Set as AbstractSet
from fractions import Fraction

import attrs

from negotiation.model.tree import TreeScenario
from negotiation.solvers.linear import F0, F1, linprog
from negotiation.solvers.pbe_results import Behaviour, Deviation


@attrs.frozen
class Signalling:
    """A signalling game: types at the root, a sender's message, a receiver's response.

    ``senders[t]`` is type ``t``'s decision node; ``responses[m]`` the receiver's
    information set after message ``m`` (None when the message ends the game).
    """

    sender: int
    receiver: int
    senders: tuple[int, ...]
    messages: tuple[str, ...]
    responses: tuple[int | None, ...]


def signalling_structure(
    tree: TreeScenario, tails: AbstractSet[int], terminal: AbstractSet[int]
) -> Signalling | None:
    """The signalling structure of the top game, if it has one (Cho and Kreps 1987).

    ``tails`` are the roots of the perfect-information parts (solved apart), ``terminal``
    the nodes where the top game ends (tail roots and leaves outside the tails).
    """
    nodes = tree.nodes
    root = nodes[0]
    if root.kind != "chance" or 0 in tails:
        return None
    senders = root.children
    first = nodes[senders[0]]
    if any(
        nodes[v].kind != "decision"
        or v in terminal
        or nodes[v].player != first.player
        or not tree.infosets[nodes[v].infoset].singleton
        or nodes[v].actions != first.actions
        for v in senders
    ):
        return None
    receiver = 1 - first.player
    responses: list[int | None] = []
    for k in range(len(first.actions)):
        targets = [nodes[v].children[k] for v in senders]
        if all(t in terminal or nodes[t].kind == "leaf" for t in targets):
            responses.append(None)
            continue
        if any(nodes[t].kind != "decision" or t in terminal for t in targets):
            return None
        info = nodes[targets[0]].infoset
        if (
            nodes[targets[0]].player != receiver
            or sorted(tree.infosets[info].nodes) != sorted(targets)
            or any(
                c not in terminal and nodes[c].kind != "leaf"
                for t in targets
                for c in nodes[t].children
            )
        ):
            return None
        responses.append(info)
    if all(r is None for r in responses):
        return None
    return Signalling(first.player, receiver, tuple(senders), first.actions, tuple(responses))


def intuitive_criterion(
    sig: Signalling,
    tree: TreeScenario,
    prior: Sequence[Fraction],
    types: Sequence[str],
    behaviour: Behaviour,
    values: Sequence[tuple[Fraction, ...]],
) -> tuple[bool, tuple[Deviation, ...]]:
    """The Intuitive Criterion (Cho and Kreps 1987, section IV) at one equilibrium.

    ``prior`` is the root's chance distribution over ``types``; ``values[v]`` every node's
    payoffs under ``behaviour``. Returns whether the equilibrium survives and the
    deviations (message, type) that break it.
    """
    theta = [t for t, p in enumerate(prior) if p > 0]
    ustar = {t: values[sig.senders[t]][sig.sender] for t in theta}
    broken: list[Deviation] = []
    for m, response in enumerate(sig.responses):
        if response is None:
            continue
        sent = sum((prior[t] * behaviour[tree.nodes[sig.senders[t]].infoset][m] for t in theta), F0)
        if sent > 0:
            continue
        node_of = {tree.nodes[v].parent: v for v in tree.infosets[response].nodes}
        table = {
            t: [values[c] for c in tree.nodes[node_of[sig.senders[t]]].children] for t in theta
        }
        everyone = best_replies(table, theta, sig.receiver)
        dominated = {t for t in theta if ustar[t] > max(table[t][r][sig.sender] for r in everyone)}
        rest = [t for t in theta if t not in dominated]
        if not rest:
            continue
        credible = best_replies(table, rest, sig.receiver)
        for t in rest:
            if ustar[t] < min(table[t][r][sig.sender] for r in credible):
                broken.append(Deviation(sig.messages[m], types[t]))
    return not broken, tuple(broken)


def best_replies(
    table: Mapping[int, Sequence[tuple[Fraction, ...]]], types: Sequence[int], receiver: int
) -> list[int]:
    """Responses that are a best reply to some belief over ``types`` (exact LP each)."""
    arity = len(table[types[0]])
    out = []
    for r in range(arity):
        rows = [
            [table[t][b][receiver] - table[t][r][receiver] for t in types]
            for b in range(arity)
            if b != r
        ]
        ones = [[F1] * len(types)]
        if linprog([F0] * len(types), rows, [F0] * len(rows), ones, [F1]) is not None:
            out.append(r)
    return out
