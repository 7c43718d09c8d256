"""Perfect Bayesian equilibria as a JSON document and as lines of text.

:func:`pbe_document` gives the keys ``negotiation solve TREE --format json`` adds for a tree
with information sets (a stable interface: keys may be added, never renamed; described in
``docs/reference/json-trees.md``); :func:`pbe_text` the lines of the table format. Both read
a :class:`negotiation.solvers.pbe_results.PBESolution`.
"""

from __future__ import annotations

from fractions import Fraction
from typing import Any

from negotiation.solvers.pbe_results import PBESolution, PerfectBayesian


def pbe_document(solution: PBESolution) -> dict[str, Any]:
    """The perfect Bayesian equilibria as JSON-ready data (keys may be added, never renamed).

    ``perfect_bayesian`` lists every extreme PBE (null when not computed): ``payoffs``,
    ``kind`` (``pooling``, ``separating``, ``hybrid`` or null), ``strategies`` (behaviour of
    each player at each of its decision nodes, on and off the path), ``beliefs`` (Bayes, at
    every reached information set with several nodes), ``off_path_beliefs`` (each node's
    ``[low, high]`` over the admissible beliefs, at every unreached set with several
    nodes), ``intuitive`` (null unless a signalling game) with ``intuitive_broken_by``,
    ``sequential`` (null when not decided), ``component`` (of the reduced form's Nash
    equilibria; -1 when not computed), ``sets`` (the ``perfect_bayesian_sets`` holding it),
    ``description`` (in words) and ``exact`` (payoffs and beliefs as exact fractions).
    ``perfect_bayesian_sets`` describes every PBE: each set is every mixture of its
    ``equilibria`` (one vertex set per player) and gives the beliefs and kind of its
    relative interior.
    """
    tree = solution.tree
    ids = tree.player_ids

    def number(x: Fraction) -> float:
        return float(x)

    def point(p: PerfectBayesian) -> dict[str, Any]:
        strategies: dict[str, dict[str, dict[str, float]]] = {pid: {} for pid in ids}
        for node in tree.nodes:
            if node.kind == "decision":
                beta = p.behaviour[node.infoset]
                strategies[ids[node.player]][node.id] = {
                    a: number(x) for a, x in zip(node.actions, beta, strict=True)
                }
        beliefs = {
            tree.infosets[i].id: {tree.nodes[v].id: number(x) for v, x in b.items()}
            for i, b in p.beliefs.items()
        }
        off = {
            tree.infosets[i].id: {
                tree.nodes[v].id: [number(lo), number(hi)] for v, (lo, hi) in r.items()
            }
            for i, r in p.off_path.items()
        }
        return {
            "payoffs": {pid: number(x) for pid, x in zip(ids, p.payoffs, strict=True)},
            "kind": p.kind,
            "strategies": strategies,
            "beliefs": beliefs,
            "off_path_beliefs": off,
            "intuitive": p.intuitive,
            "intuitive_broken_by": [{"message": d.message, "type": d.type} for d in p.broken_by],
            "sequential": p.sequential,
            "component": p.component,
            "sets": list(p.sets),
            "description": p.description,
            "exact": {
                "payoffs": {pid: str(x) for pid, x in zip(ids, p.payoffs, strict=True)},
                "beliefs": {
                    tree.infosets[i].id: {tree.nodes[v].id: str(x) for v, x in b.items()}
                    for i, b in p.beliefs.items()
                },
                "off_path_beliefs": {
                    tree.infosets[i].id: {
                        tree.nodes[v].id: [str(lo), str(hi)] for v, (lo, hi) in r.items()
                    }
                    for i, r in p.off_path.items()
                },
            },
        }

    sets = []
    for s in solution.sets:
        centre = point(s.point)
        sets.append(
            {
                "equilibria": list(s.equilibria),
                "kind": s.kind,
                "intuitive": s.intuitive,
                "sequential": s.sequential,
                "component": s.component,
                "payoff_range": {
                    pid: [number(lo), number(hi)]
                    for pid, (lo, hi) in zip(ids, s.payoff_range, strict=True)
                },
                "off_path_beliefs": centre["off_path_beliefs"],
                "pattern": s.pattern,
                "description": s.description,
            }
        )
    return {
        "types": list(solution.types),
        "signalling": solution.signalling,
        "perfect_bayesian_computed": solution.computed,
        "perfect_bayesian": [point(p) for p in solution.equilibria] if solution.computed else None,
        "perfect_bayesian_sets": sets if solution.computed else None,
        "perfect_bayesian_notes": list(solution.notes),
    }


def pbe_text(solution: PBESolution) -> list[str]:
    """The perfect Bayesian equilibria as lines of text, for the table format.

    One line per :class:`PBESet` (kind, payoffs, the set in words with the Intuitive
    Criterion's verdict), then its vertices in words when it has several (a set of one
    point is said as that point, with its probabilities), then the notes.

    >>> from negotiation.model.types import tree_from_string
    >>> tree = tree_from_string('''
    ... name = "trust"
    ... [[players]]
    ... id = "truster"
    ... [[players]]
    ... id = "trustee"
    ... [types.trustee]
    ... honest = 0.5
    ... opportunist = "rest"
    ... [tree]
    ... player = "truster"
    ... out = { payoffs = { truster = 0, trustee = 0 } }
    ... [tree.trust]
    ... player = "trustee"
    ... honor = { payoffs = { truster = 10, trustee = { honest = 10, opportunist = 10 } } }
    ... abuse = { payoffs = { truster = -5, trustee = { honest = 5, opportunist = 15 } } }
    ... ''')
    >>> from negotiation.solvers.pbe import solve_pbe
    >>> for line in pbe_text(solve_pbe(tree)):
    ...     print(line)
    Perfect Bayesian equilibria: 1 set, 1 extreme equilibrium
      #0 pooling (truster 5/2, trustee 25/2): truster chooses trust; trustee (honest) chooses
         honor; trustee (opportunist) chooses abuse
    """
    if not solution.computed:
        return list(solution.notes)
    ids = solution.tree.player_ids
    count = len(solution.sets)
    extreme = len(solution.equilibria)
    lines = [
        f"Perfect Bayesian equilibria: {count} set{'s' if count != 1 else ''}, {extreme} "
        f"extreme equilibri{'a' if extreme != 1 else 'um'}"
    ]
    for k, s in enumerate(solution.sets):
        payoffs = ", ".join(
            f"{pid} {lo}" if lo == hi else f"{pid} {lo} to {hi}"
            for pid, (lo, hi) in zip(ids, s.payoff_range, strict=True)
        )
        # A set of one point reads as that point, with its mixtures' probabilities.
        (one,) = s.equilibria if len(s.equilibria) == 1 else (None,)
        words = s.description if one is None else solution.equilibria[one].description
        lines.append(f"  #{k} {s.kind or 'equilibrium'} ({payoffs}): {words}")
        if len(s.equilibria) > 1:
            for j in s.equilibria:
                lines.append(f"     vertex {j}: {solution.equilibria[j].description}")
    lines += list(solution.notes)
    return lines
