"""Presenting game trees and their equilibria: a readable table and a stable JSON document.

:func:`analyse` solves a tree for everything the report shows: every subgame-perfect
equilibrium (:func:`negotiation.solvers.spe.solve_spe`, backward induction over subgames,
Selten 1965) and, for two players, every extreme Nash equilibrium of the reduced strategic
form (:func:`negotiation.solvers.reduced.solve_reduced`; Kuhn 1953, von Stengel 2007), each
marked subgame perfect or not, with the non-credible threat it relies on when it is not.

:func:`tree_document` is the JSON document of ``negotiation solve TREE --format json``, a
stable interface (keys may be added, never renamed; every key is described in
``docs/reference/json-trees.md``)::

    {"scenario": str, "kind": "tree", "players": [{"id": str, ...}], "ties": bool,
     "subgame_perfect": [{"payoffs": {"<player>": float},
                          "outcome": {"<leaf node id>": float},
                          "strategies": {"<player>": {"<node id>": {"<action>": float}}},
                          "path": str, ...}, ...],
     "equilibria": [{..., "subgame_perfect": bool, "threat": str | null}, ...], ...,
     "perfect_bayesian": [{"kind": "pooling|separating|hybrid", "beliefs": {...},
                           "off_path_beliefs": {...}, "intuitive": bool, ...}] | null, ...}

For a two-player tree with information sets of several nodes (player types, unseen moves)
the perfect Bayesian equilibria (:func:`negotiation.solvers.pbe.solve_pbe`) are added, with
beliefs on and off the path and the Intuitive Criterion's verdict (Cho and Kreps 1987);
the table says each in words.

:func:`tree_table` is the readable report: the tree, each subgame-perfect path in words
("Entrant enters; Incumbent accommodates."), and each Nash equilibrium of the reduced form
that is not subgame perfect with the threat it relies on.
"""

from __future__ import annotations

import textwrap
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import Any

import attrs

from negotiation.errors import LimitError
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.output.pbe_report import pbe_document, pbe_text
from negotiation.output.report import SCHEMA_VERSION, number, printable
from negotiation.solvers.exact import Vector
from negotiation.solvers.pbe import PBESolution, solve_pbe
from negotiation.solvers.pbe_engine import action_words, path_clauses
from negotiation.solvers.reduced import (
    ReducedEquilibrium,
    ReducedSolution,
    solve_reduced,
)
from negotiation.solvers.spe import SubgamePerfect, TreeSolution, solve_spe

#: Behaviour at information sets, as the solvers give it (None: excluded by own moves).
Behaviour = Sequence[tuple[Fraction, ...] | None]

#: Most lines of the tree drawn in the table (the JSON document has every node).
SHOWN_NODES = 200

#: Most equilibria of each list written out in the table (the JSON document has them all).
SHOWN_EQUILIBRIA = 20

#: Most off-path choices listed under one subgame-perfect equilibrium in the table.
SHOWN_OFF_PATH = 12


@attrs.frozen
class TreeAnalysis:
    """A tree and what the report says about it.

    ``spe`` holds every subgame-perfect equilibrium; ``reduced`` the Nash equilibria of the
    reduced strategic form (None for a tree that does not have exactly two players, or
    whose reduced form is beyond the exact engine's limits: ``notes`` says which).
    """

    tree: TreeScenario
    spe: TreeSolution
    reduced: ReducedSolution | None
    numbers: TreeNumbers
    notes: tuple[str, ...] = ()
    #: The perfect Bayesian equilibria, for two-player trees with information sets that
    #: hold several nodes (types or simultaneous moves); None for other trees.
    pbe: PBESolution | None = None


def imperfect(tree: TreeScenario) -> bool:
    """Whether some information set of ``tree`` holds several nodes.

    Then a player does not see everything before moving (hidden types, simultaneous
    moves): only then can perfect Bayesian equilibria differ from subgame-perfect ones, so
    only then are they computed.
    """
    return any(len(infoset.nodes) > 1 for infoset in tree.infosets)


def analyse(tree: TreeScenario, numbers: TreeNumbers | None = None) -> TreeAnalysis:
    """Solve ``tree`` (with ``numbers``, default its own) for :func:`tree_document`.

    A reduced strategic form too large for the exact engine (more plans than
    :data:`negotiation.limits.MAX_STRATEGIES`, or more enumeration steps than
    :data:`negotiation.limits.MAX_EXACT_BASES`, checked before any work) is not an error:
    the subgame-perfect equilibria (which need no strategic form) are still reported, and a
    note says what was not computed and why.

    >>> from negotiation.model.catalogue import load_tree
    >>> analysis = analyse(load_tree("entry"))
    >>> len(analysis.spe.equilibria), len(analysis.reduced.equilibria)
    (1, 3)
    """
    numbers = numbers or tree.numbers
    spe = solve_spe(tree, numbers)
    reduced = None
    notes: list[str] = []
    if len(tree.players) != 2:
        notes.append(
            f"the reduced strategic form is computed for two-player trees only; this tree has "
            f"{len(tree.players)} players, so 'equilibria' is empty (the subgame-perfect "
            "equilibria need no strategic form)"
        )
    else:
        try:
            # solve_reduced enumerates within the engine's documented limits (LimitError).
            reduced = solve_reduced(tree, numbers)
        except LimitError as error:
            notes.append(
                f"the Nash equilibria of the reduced strategic form are not computed: "
                f"{error.problem}"
            )
    pbe = None
    if len(tree.players) == 2 and imperfect(tree):
        try:
            # Beliefs matter only where a player cannot tell nodes apart. Each PBE is matched
            # to a component of the reduced form's equilibria just computed (none when the
            # form was beyond the engine's limits: 'component' is -1, said below).
            pbe = solve_pbe(tree, numbers, nash=False, reduced=reduced)
            if reduced is None:
                notes.append(
                    "each perfect Bayesian equilibrium's 'component' is -1: the reduced "
                    "form's Nash equilibria, which components refer to, are not computed"
                )
        except LimitError as error:
            notes.append(f"the perfect Bayesian equilibria are not computed: {error.problem}")
    return TreeAnalysis(tree, spe, reduced, numbers, tuple(notes), pbe)


# -- JSON ------------------------------------------------------------------------------------


def tree_document(
    analysis: TreeAnalysis, overrides: Iterable[tuple[str, Fraction]] = ()
) -> dict[str, Any]:
    """The JSON-ready description of a solved tree (see ``docs/reference/json-trees.md``).

    >>> from negotiation.model.catalogue import load_tree
    >>> document = tree_document(analyse(load_tree("entry")))
    >>> document["kind"], document["ties"], len(document["subgame_perfect"])
    ('tree', False, 1)
    >>> document["subgame_perfect"][0]["strategies"]["incumbent"]
    {'tree.in': {'fight': 0.0, 'accommodate': 1.0}}
    >>> [e["subgame_perfect"] for e in document["equilibria"]]
    [False, False, True]
    """
    tree, spe, reduced = analysis.tree, analysis.spe, analysis.reduced
    players: list[dict[str, Any]] = []
    for k, p in enumerate(tree.players):
        entry: dict[str, Any] = {"id": p.id, "label": p.label}
        if reduced is not None:
            entry["plans"] = list(reduced.form.labels[k])
        players.append(entry)
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "tree",
        "scenario": tree.name,
        "title": tree.title,
        "file": tree.origin,
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
        "players": players,
        "nodes": _nodes(tree, analysis.numbers),
        "subgame_roots": list(spe.subgame_roots),
        "ties": spe.ties,
        "tied_nodes": list(spe.tied_nodes),
        "degenerate": spe.degenerate,
        "complete": spe.complete,
        "subgame_perfect": [_spe(tree, e, analysis.numbers) for e in spe.equilibria],
        "equilibria": [] if reduced is None else _reduced_equilibria(tree, reduced),
        "reduced_form": None if reduced is None else _reduced_form(tree, reduced),
        "notes": [*spe.notes, *(reduced.notes if reduced else ()), *analysis.notes],
        **_pbe_keys(analysis),
    }


def _pbe_keys(analysis: TreeAnalysis) -> dict[str, Any]:
    """The perfect Bayesian keys (:func:`negotiation.output.pbe_report.pbe_document`).

    Present for every tree so that a program finds them: ``perfect_bayesian_computed``
    false and ``perfect_bayesian`` null where they were not computed
    (``perfect_bayesian_notes`` says why; with perfect information they are the
    subgame-perfect equilibria).
    """
    if analysis.pbe is not None:
        return pbe_document(analysis.pbe)
    if len(analysis.tree.players) != 2:
        why = "perfect Bayesian equilibria are computed for two-player trees only"
    elif imperfect(analysis.tree):
        why = "perfect Bayesian equilibria are not computed (see notes)"
    else:
        why = (
            "perfect information: every player sees every earlier move, so the perfect "
            "Bayesian equilibria are the subgame-perfect ones"
        )
    return {
        "types": [],
        "signalling": False,
        "perfect_bayesian_computed": False,
        "perfect_bayesian": None,
        "perfect_bayesian_sets": None,
        "perfect_bayesian_notes": [why],
    }


def _nodes(tree: TreeScenario, numbers: TreeNumbers) -> list[dict[str, Any]]:
    """Every node in preorder: what it is, who moves, its actions, probabilities, payoffs."""
    ids = tree.player_ids
    out = []
    for node in tree.nodes:
        entry: dict[str, Any] = {
            "id": node.id,
            "kind": node.kind,
            "parent": tree.nodes[node.parent].id if node.parent >= 0 else None,
            "action": node.action or None,
            "label": node.label,
            "depth": node.depth,
        }
        if node.kind == "decision":
            entry["player"] = ids[node.player]
            entry["infoset"] = tree.infosets[node.infoset].id
            entry["actions"] = list(node.actions)
        elif node.kind == "chance":
            probs = dict(zip(node.actions, numbers.probabilities[node.index], strict=True))
            entry["actions"] = list(node.actions)
            entry["probabilities"] = {a: float(p) for a, p in probs.items()}
            entry["exact"] = {"probabilities": {a: str(p) for a, p in probs.items()}}
        else:
            values = dict(zip(ids, numbers.payoffs[node.index], strict=True))
            entry["payoffs"] = {p: float(v) for p, v in values.items()}
            entry["exact"] = {"payoffs": {p: str(v) for p, v in values.items()}}
            if tree.criteria:  # the leaf's scores (a criterion it does not score is 0)
                entry["scores"] = {k: float(x) for k, x in node.scores.items()}
                entry["exact"]["scores"] = {k: str(x) for k, x in node.scores.items()}
        out.append(entry)
    return out


def _strategies(
    tree: TreeScenario, behaviour: Behaviour, exact: bool
) -> dict[str, dict[str, dict[str, Any] | None]]:
    """Behaviour of every player at every one of their nodes (None where excluded)."""
    result: dict[str, dict[str, dict[str, Any] | None]] = {p.id: {} for p in tree.players}
    for node in tree.nodes:
        if node.kind != "decision":
            continue
        beta = behaviour[node.infoset]
        result[tree.players[node.player].id][node.id] = (
            None
            if beta is None
            else {a: str(p) if exact else float(p) for a, p in zip(node.actions, beta, strict=True)}
        )
    return result


def _spe(tree: TreeScenario, e: SubgamePerfect, numbers: TreeNumbers) -> dict[str, Any]:
    ids = tree.player_ids
    return {
        "payoffs": {p: float(v) for p, v in zip(ids, e.payoffs, strict=True)},
        "outcome": {leaf: float(p) for leaf, p in e.reached.items()},
        "strategies": _strategies(tree, e.behaviour, exact=False),
        "pure": e.pure,
        "path": e.path,
        "words": path_words(tree, e.behaviour, numbers),
        "tied_nodes": list(e.tied_nodes),
        "subgames": [
            {
                "root": c.root,
                "players": list(c.players),
                "equilibrium": c.equilibrium,
                "count": c.count,
                "component": c.component,
                "degenerate": c.degenerate,
                "pure_only": c.pure_only,
            }
            for c in e.subgames
        ],
        "exact": {
            "payoffs": {p: str(v) for p, v in zip(ids, e.payoffs, strict=True)},
            "outcome": {leaf: str(p) for leaf, p in e.reached.items()},
            "strategies": _strategies(tree, e.behaviour, exact=True),
        },
    }


def _reduced_equilibria(tree: TreeScenario, reduced: ReducedSolution) -> list[dict[str, Any]]:
    ids = tree.player_ids
    labels = reduced.form.labels
    out = []
    for e in reduced.equilibria:
        mixes = (e.row, e.col)
        threat = e.threat
        out.append(
            {
                "strategies": {p: [float(x) for x in m] for p, m in zip(ids, mixes, strict=True)},
                "payoffs": {p: float(v) for p, v in zip(ids, e.payoffs, strict=True)},
                "pure": e.pure,
                "support": {
                    p: [labels[k][i] for i, x in enumerate(m) if x > 0]
                    for k, (p, m) in enumerate(zip(ids, mixes, strict=True))
                },
                "subgame_perfect": e.subgame_perfect,
                "threat": None if threat is None else threat.text,
                "threat_detail": None
                if threat is None
                else {
                    "node": threat.node,
                    "player": threat.player,
                    "actions": list(threat.actions),
                    "better": list(threat.better),
                    "gain": float(threat.gain),
                    "exact": {"gain": str(threat.gain)},
                },
                "component": e.component,
                "behaviour": _strategies(tree, e.behaviour, exact=False),
                "exact": {
                    "strategies": {p: [str(x) for x in m] for p, m in zip(ids, mixes, strict=True)},
                    "payoffs": {p: str(v) for p, v in zip(ids, e.payoffs, strict=True)},
                },
            }
        )
    return out


def _reduced_form(tree: TreeScenario, reduced: ReducedSolution) -> dict[str, Any]:
    ids = tree.player_ids
    game = reduced.form.game
    return {
        "plans": {p: list(labels) for p, labels in zip(ids, reduced.form.labels, strict=True)},
        "payoffs": {
            ids[0]: [[float(x) for x in row] for row in game.A],
            ids[1]: [[float(x) for x in row] for row in game.B],
        },
        "degenerate": reduced.degenerate,
        "components": [
            {"equilibria": list(c.equilibria), "isolated": c.isolated} for c in reduced.components
        ],
    }


# -- show ------------------------------------------------------------------------------------


def show_document(
    tree: TreeScenario, overrides: Iterable[tuple[str, Fraction]] = ()
) -> dict[str, Any]:
    """``show TREE --format json``: the tree as read, nothing solved (see json-trees.md).

    >>> from negotiation.model.catalogue import load_tree
    >>> d = show_document(load_tree("entry"))
    >>> d["kind"], len(d["nodes"]), d["criteria"]
    ('tree', 5, [])
    """
    ids = tree.player_ids
    return {
        "schema_version": SCHEMA_VERSION,
        "kind": "tree",
        "scenario": tree.name,
        "title": tree.title,
        "description": tree.description,
        "source": tree.source,
        "file": tree.origin,
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
        "players": [
            {"id": p.id, "label": p.label, "description": p.description} for p in tree.players
        ],
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "description": c.description,
                "weights": {p: float(tree.weights[p].get(c.id, Fraction(0))) for p in ids},
                "exact": {"weights": {p: str(tree.weights[p].get(c.id, Fraction(0))) for p in ids}},
            }
            for c in tree.criteria
        ],
        "nodes": _nodes(tree, tree.numbers),
        "subgame_roots": [tree.nodes[v].id for v in tree.subgame_roots],
    }


def show_text(tree: TreeScenario, overrides: Sequence[tuple[str, Fraction]] = ()) -> str:
    """``show TREE``: title, description, source, players, criteria and weights, the tree.

    >>> from negotiation.model.catalogue import load_tree
    >>> print(show_text(load_tree("trust")))
    Kreps's trust game  [trust: ...trust.toml]
    A truster decides whether to trust a trustee, ...
    ...
    Players: Truster (truster), Trustee (trustee)
    A game tree: 2 players, 5 nodes, 3 leaves. Payoffs are listed as (Truster, Trustee).
    <BLANKLINE>
    tree: Truster moves
    |-- does not trust (not_trust): (0, 0)
    `-- trusts (trust): Trustee moves  [tree.trust]
        |-- honours the trust (honor): (10, 10)
        `-- abuses the trust (abuse): (-5, 15)
    """
    lines = [f"{tree.title or tree.name}  [{tree.name}: {tree.origin}]"]
    lines += [f"  override: {path} = {number(value)}" for path, value in overrides]
    if tree.description:
        lines += _para(tree.description)
    if tree.source:
        lines += _para(f"Source: {tree.source}")
    players = ", ".join(f"{p.label} ({p.id})" for p in tree.players)
    lines += _para(f"Players: {players}")
    if tree.criteria:
        lines.append("Criteria, and each player's weight (payoff = sum of weight x score):")
        for c in tree.criteria:
            weights = ", ".join(
                f"{p.id} {number(tree.weights[p.id].get(c.id, Fraction(0)))}" for p in tree.players
            )
            lines += _para(f"{c.id} ({c.label}): {weights}", "  ", "    ")
    labels = ", ".join(p.label for p in tree.players)
    size = (
        f"{_count(len(tree.players), 'player')}, {_count(len(tree.nodes), 'node')}, "
        f"{_count(len(tree.leaves), 'leaf', 'leaves')}"
    )
    lines += _para(f"A game tree: {size}. Payoffs are listed as ({labels}).")
    lines += ["", *tree_lines(tree)]
    return "\n".join(printable(line) for line in lines).rstrip() + "\n"


# -- words -----------------------------------------------------------------------------------


def path_words(tree: TreeScenario, behaviour: Behaviour, numbers: TreeNumbers | None = None) -> str:
    """The path of play as a sentence, e.g. ``Entrant enters; Incumbent accommodates``.

    An action's label is read as a verb phrase after the player's label (``Russia`` +
    ``makes the limited offer``); an action without a label reads ``chooses <id>``
    (:func:`~negotiation.solvers.pbe_engine.action_words`). A mixed choice reads ``folds
    (2/3) or raises (1/3)``, a move of nature ``chance: red card (1/2) or black card
    (1/2)``; where play can go on down several branches, each follows in brackets (``if
    Player 1 raises: [...]``; :func:`~negotiation.solvers.pbe_engine.path_clauses`).

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("entry")
    >>> path_words(tree, solve_spe(tree).equilibria[0].behaviour)
    'Entrant enters; Incumbent accommodates.'
    """
    numbers = numbers or tree.numbers
    sentence = "; ".join(path_clauses(tree, behaviour, numbers.probabilities, _fraction))
    return sentence[:1].upper() + sentence[1:] + "."


def _verb(tree: TreeScenario, child: int) -> str:
    """What choosing the action leading to ``child`` reads as after the player's label."""
    return action_words(tree, child)


def _fraction(p: Fraction) -> str:
    """A probability for reading: ``2/3`` when the denominator is small, else a decimal."""
    return str(p) if p.denominator <= 1000 else number(p)


def _reach(tree: TreeScenario, behaviour: Behaviour, numbers: TreeNumbers) -> list[Fraction]:
    """The probability of reaching every node under the profile."""
    reach = [Fraction(0)] * len(tree.nodes)
    reach[0] = Fraction(1)
    for node in tree.nodes:
        if node.kind == "leaf" or not reach[node.index]:
            continue
        if node.kind == "chance":
            weights: Sequence[Fraction] = numbers.probabilities[node.index]
        else:
            weights = behaviour[node.infoset] or ()
        for w, c in zip(weights, node.children, strict=False):
            reach[c] = reach[node.index] * w
    return reach


# -- the table -------------------------------------------------------------------------------


def tree_table(analysis: TreeAnalysis, overrides: Sequence[tuple[str, Fraction]] = ()) -> str:
    """A readable report: the tree, every subgame-perfect path in words, non-credible threats.

    >>> from negotiation.model.catalogue import load_tree
    >>> print(tree_table(analyse(load_tree("entry"))))
    Selten's entry game  [entry: ...entry.toml]
    A game tree: 2 players, 5 nodes, 3 leaves. Payoffs are listed as (Entrant, Incumbent).
    <BLANKLINE>
    tree: Entrant moves
    |-- stays out (out): (0, 2)
    `-- enters (in): Incumbent moves  [tree.in]
        |-- fights (fight): (-1, -1)
        `-- accommodates (accommodate): (1, 1)
    <BLANKLINE>
    1 subgame-perfect equilibrium, verified exactly in every subgame:
      #1  Entrant enters; Incumbent accommodates.
          payoffs: Entrant 1, Incumbent 1
    <BLANKLINE>
    Nash equilibria of the reduced strategic form (2x2 plans, degenerate): 3 extreme
    equilibria, 1 subgame perfect, 2 resting on a non-credible threat:
      #1  Entrant: out; Incumbent: fight  (payoffs 0, 2)
          not subgame perfect: incumbent threatens fight at tree.in, but accommodate pays
          incumbent 2 more there: not credible
      #2  Entrant: out; Incumbent: 1/2 (fight) + 1/2 (accommodate)  (payoffs 0, 2)
          not subgame perfect: incumbent threatens fight at tree.in, but accommodate pays
          incumbent 2 more there: not credible
      #3  Entrant: in; Incumbent: accommodate  (payoffs 1, 1)
          subgame perfect
    """
    tree, spe, reduced = analysis.tree, analysis.spe, analysis.reduced
    numbers = analysis.numbers
    labels = ", ".join(p.label for p in tree.players)
    lines = [f"{tree.title or tree.name}  [{tree.name}: {tree.origin}]"]
    lines += [f"  override: {path} = {number(value)}" for path, value in overrides]
    size = (
        f"{_count(len(tree.players), 'player')}, {_count(len(tree.nodes), 'node')}, "
        f"{_count(len(tree.leaves), 'leaf', 'leaves')}"
    )
    lines += _para(f"A game tree: {size}. Payoffs are listed as ({labels}).")
    lines += ["", *tree_lines(tree, numbers), ""]
    count = len(spe.equilibria)
    noun = "subgame-perfect equilibrium" if count == 1 else "subgame-perfect equilibria"
    lines.append(f"{count} {noun}, verified exactly in every subgame:")
    for k, e in enumerate(spe.equilibria[:SHOWN_EQUILIBRIA]):
        lines += _spe_lines(tree, k, e, numbers)
    if count > SHOWN_EQUILIBRIA:
        lines.append(f"  ... and {count - SHOWN_EQUILIBRIA} more (see --format json)")
    if reduced is not None:
        lines += ["", *_reduced_lines(tree, reduced)]
    if analysis.pbe is not None:
        lines.append("")
        for k, line in enumerate(pbe_text(analysis.pbe)):
            if k == 0 or line.startswith("  "):
                indent = line[: len(line) - len(line.lstrip())]
                hang = indent + ("   " if line.lstrip().startswith("#") else "  ")
                lines += _para(line.lstrip(), indent, hang)
            else:  # the solver's notes
                lines += _para(f"Note: {line}", "", "  ")
    notes = [*spe.notes, *(reduced.notes if reduced else ()), *analysis.notes]
    if notes:
        lines.append("")
    for note in notes:
        lines += _para(f"Note: {note}", "", "  ")
    return "\n".join(printable(line) for line in lines).rstrip() + "\n"


def tree_lines(tree: TreeScenario, numbers: TreeNumbers | None = None) -> list[str]:
    """The tree drawn with ASCII branches, one node a line, at most :data:`SHOWN_NODES`."""
    numbers = numbers or tree.numbers
    lines: list[str] = []
    stack: list[tuple[int, str, str]] = [(0, "", "")]  # node, its prefix, its children's
    shown = 0
    while stack:
        v, prefix, below = stack.pop()
        if shown == SHOWN_NODES:
            lines.append(f"... {len(tree.nodes) - shown} more nodes (see --format json)")
            break
        shown += 1
        node = tree.nodes[v]
        if v == 0:
            head = "tree"
        else:
            parent = tree.nodes[node.parent]
            head = node.label if node.label == node.action else f"{node.label} ({node.action})"
            if parent.kind == "chance":
                k = parent.children.index(v)
                head += f" [{_fraction(numbers.probabilities[parent.index][k])}]"
        lines.append(f"{prefix}{head}: {_node_text(tree, v, numbers)}")
        children = node.children
        for k in reversed(range(len(children))):
            last = k == len(children) - 1
            stack.append(
                (
                    children[k],
                    below + ("`-- " if last else "|-- "),
                    below + ("    " if last else "|   "),
                )
            )
    return lines


def _node_text(tree: TreeScenario, v: int, numbers: TreeNumbers) -> str:
    node = tree.nodes[v]
    if node.kind == "leaf":
        return "(" + ", ".join(number(x) for x in numbers.payoffs[v]) + ")"
    where = "" if v == 0 else f"  [{node.id}]"
    if node.kind == "chance":
        return f"chance{where}"
    info = tree.infosets[node.infoset]
    infoset = f", information set {info.id!r}" if info.named or not info.singleton else ""
    return f"{tree.players[node.player].label} moves{where}{infoset}"


def _spe_lines(tree: TreeScenario, k: int, e: SubgamePerfect, numbers: TreeNumbers) -> list[str]:
    payoffs = ", ".join(
        f"{p.label} {number(v)}" for p, v in zip(tree.players, e.payoffs, strict=True)
    )
    head = f"  #{k + 1}  "
    lines = _para(path_words(tree, e.behaviour, numbers), head, " " * len(head))
    lines += _para(f"payoffs: {payoffs}", "      ")
    if e.tied_nodes:
        lines += _para(
            f"a tied choice at {', '.join(e.tied_nodes)} (each choice there gives its own)",
            "      ",
        )
    reach = _reach(tree, e.behaviour, numbers)
    off = []
    for node in tree.nodes:
        beta = e.behaviour[node.infoset] if node.kind == "decision" else None
        if node.kind != "decision" or reach[node.index] or beta is None:
            continue
        live = [(c, p) for c, p in zip(node.children, beta, strict=True) if p > 0]
        choice = (
            _verb(tree, live[0][0])
            if len(live) == 1
            else " or ".join(f"{_verb(tree, c)} ({_fraction(p)})" for c, p in live)
        )
        off.append(f"at {node.id} {tree.players[node.player].label} {choice}")
    if off:
        text = "off the path: " + "; ".join(off[:SHOWN_OFF_PATH])
        if len(off) > SHOWN_OFF_PATH:
            text += f"; ... {len(off) - SHOWN_OFF_PATH} more"
        lines += _para(text, "      ", "        ")
    return lines


def _reduced_lines(tree: TreeScenario, reduced: ReducedSolution) -> list[str]:
    form = reduced.form
    m, n = len(form.labels[0]), len(form.labels[1])
    count = len(reduced.equilibria)
    perfect = sum(e.subgame_perfect is True for e in reduced.equilibria)
    threats = sum(e.subgame_perfect is False for e in reduced.equilibria)
    undecided = count - perfect - threats
    kind = "degenerate" if reduced.degenerate else "non-degenerate"
    noun = "extreme equilibria" if reduced.degenerate else "equilibria"
    if count == 1:
        noun = noun.replace("equilibria", "equilibrium")
    summary = (
        f"Nash equilibria of the reduced strategic form ({m}x{n} plans, {kind}): {count} "
        f"{noun}, {perfect} subgame perfect, {threats} resting on a non-credible threat"
    )
    if undecided:
        summary += f", {undecided} undecided"
    lines = _para(summary + ":")
    shown = list(enumerate(reduced.equilibria))[:SHOWN_EQUILIBRIA]
    for k, e in shown:
        lines += _reduced_equilibrium_lines(tree, reduced, k, e)
    if count > SHOWN_EQUILIBRIA:
        rest = reduced.equilibria[SHOWN_EQUILIBRIA:]
        by_threat: dict[str, int] = {}
        for e in rest:
            if e.threat is not None:
                by_threat[e.threat.text] = by_threat.get(e.threat.text, 0) + 1
        lines.append(f"  ... and {len(rest)} more (see --format json)")
        for text, c in by_threat.items():
            lines += _para(f"{c} of them: {text}", "      ", "        ")
    return lines


def _reduced_equilibrium_lines(
    tree: TreeScenario, reduced: ReducedSolution, k: int, e: ReducedEquilibrium
) -> list[str]:
    labels = reduced.form.labels
    plans = "; ".join(
        f"{p.label}: {_mix(labels[i], mix)}"
        for i, (p, mix) in enumerate(zip(tree.players, (e.row, e.col), strict=True))
    )
    payoffs = ", ".join(number(v) for v in e.payoffs)
    head = f"  #{k + 1}  "
    lines = _para(f"{plans}  (payoffs {payoffs})", head, " " * len(head))
    if e.subgame_perfect is True:
        verdict = "subgame perfect"
    elif e.subgame_perfect is None:
        verdict = "undecided: it leaves a tied node open off its path (see the notes)"
    elif e.threat is not None:
        verdict = f"not subgame perfect: {e.threat.text}"
    else:  # pragma: no cover - a non-perfect equilibrium always names its threat
        verdict = "not subgame perfect"
    return lines + _para(verdict, " " * len(head))


def _mix(labels: Sequence[str], mix: Vector) -> str:
    """A mixed plan in words: ``out`` if pure, else ``1/2 (fight) + 1/2 (accommodate)``.

    Plan labels list one action per information set, separated by commas, so each plan of
    a mixture is put in parentheses.
    """
    played = [(label, p) for label, p in zip(labels, mix, strict=True) if p > 0]
    if len(played) == 1:
        return played[0][0]
    return " + ".join(f"{_fraction(p)} ({label})" for label, p in played)


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"


#: Width to which the table's sentences, threats and summaries are wrapped.
WIDTH = 88


def _para(text: str, indent: str = "", rest: str | None = None) -> list[str]:
    """``text`` wrapped to :data:`WIDTH`, first line after ``indent``, others after ``rest``."""
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if rest is None else rest,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent]
