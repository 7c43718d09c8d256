"""Uncertainty studies on game trees: every draw solved for its subgame-perfect equilibria.

Part of ``negotiation explore`` (:mod:`negotiation.studies.explore`). A tree scenario
(:mod:`negotiation.model.tree`) holds its numbers at override paths: leaf payoffs
(``tree.in.fight.payoffs.incumbent``), leaf scores (``tree.full.accept.honour.scores.
supply_security``), weights (``weights.us.supply_security``), chance probabilities
(``tree.chance.strong``) and, in files with player types, priors (``types.russia.trap``).
``--vary``, ``--scale`` (globs over those paths, as for matrices) and ``--simplex`` (a
player's weights) draw any number of them.

How a draw is solved
    The tree is read once. :meth:`negotiation.model.tree.TreeScenario.family` holds every
    leaf payoff and chance probability as an exact multilinear polynomial in the varied
    numbers (built from ``d + 2`` rebuilds of the tree, each validated like the file, and
    checked analytically over the whole box spanned by the inputs' ranges;
    :data:`negotiation.limits.MAX_TREE_EXPLORE_INPUTS` bounds ``d``). On a tree with
    perfect information a chunk of draws is solved by the batched backward induction of
    :func:`negotiation.solvers.spe.sweep_spe`
    (:class:`~negotiation.solvers.spe.BatchInduction`): floating point with a rigorous
    error bound on every value, which certifies each choice and each probability's sign
    (see that module's docstring for the proof). At a draw where something is not
    certified, the numbers are computed exactly from the polynomials at the draw's exact
    binary values and only the flagged comparisons (and those above a choice that
    changes) are redone in fractions; a draw with an exact tie is solved by
    :func:`negotiation.solvers.spe.solve_spe`. Every decision is therefore the exact
    one, and ``exact`` counts the draws decided in exact arithmetic. Trees with information
    sets are solved exactly draw by draw (:func:`~negotiation.solvers.spe.solve_spe`),
    which costs far more (about 10 ms a draw for ``beer-quiche``, 0.9 s for
    ``rare-earth-trap`` on a 2-core machine):
    :data:`negotiation.limits.MAX_TREE_EXACT_DRAWS` bounds such a study, checked before
    anything is written.

Regimes and strategies
    A draw's regime is its subgame-perfect path of play in words, as ``sweep_spe`` writes
    it (``Entrant: enters; Incumbent: accommodates``; chance probabilities left out, a
    mixed choice named by its support: ``Matcher: lays heads or lays tails``). With
    several subgame-perfect equilibria (ties) the regime is the sorted set of their
    distinct paths, ``2 equilibrium paths: A | B``, and the draw counts as degenerate; ties
    off the path leave one path and mark the draw degenerate only. A strategy is an action
    at a decision node, keyed ``<node id>:<action>`` (``tree.in:accommodate``); its
    probability in a draw is the behaviour probability at that node (on or off the path),
    averaged over the draw's subgame-perfect equilibria (0 where a simultaneous subgame
    leaves the node's behaviour unrestricted), and it is ``played`` when some equilibrium
    gives it positive probability.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.tree import TreeFamily, TreeNumbers, TreeScenario
from negotiation.solvers.spe import BatchInduction, Induction, describe_path, solve_spe
from negotiation.studies.explore_model import (
    Key,
    Plan,
    Solved,
    Study,
    analysis_draws,
    check_settings,
    possessive,
    resolve_inputs,
    samples_to_draw,
    simplex_weights,
)
from negotiation.studies.sampling import FloatArray, IntArray, Simplex
from negotiation.studies.sweep import PlayerInfo

BoolArray = npt.NDArray[np.bool_]
Behaviour = Sequence[tuple[Fraction, ...] | None]

#: The top-level tables of a tree file whose numbers explore can vary.
VARIABLE_TABLES = ("tree", "weights", "types")

#: Most draws per regime for a confidence factor on a tree with information sets (each
#: draw is solved exactly; the summary's notes say so).
EXACT_CONFIDENCE_SAMPLES = 256

#: Most regimes given a confidence factor (as in :mod:`negotiation.studies.smaa`).
_CONFIDENCE_REGIMES = 10


def plan_tree(study: Study) -> Plan:
    """Resolve a study on a tree scenario (see the module docstring)."""
    tree = study.scenario
    assert isinstance(tree, TreeScenario)
    check_settings(study)
    resolved = resolve_inputs(study, _TreeBook(tree))
    if len(resolved.inputs) > limits.MAX_TREE_EXPLORE_INPUTS:
        raise LimitError(
            "--vary",
            "",
            f"{len(resolved.inputs)} numbers of a tree vary; at most "
            f"{limits.MAX_TREE_EXPLORE_INPUTS} can (the tree's exact polynomials have up to "
            "1 + d + d**2/4 terms per number)",
        )
    samples = samples_to_draw(study, resolved.dims)
    confidence = study.confidence_samples
    if not tree.perfect_information:
        confidence = min(confidence, EXACT_CONFIDENCE_SAMPLES)
        weights = any(i.weight for i in resolved.inputs)
        solves = samples + (_CONFIDENCE_REGIMES * confidence if weights else 0)
        if solves > limits.MAX_TREE_EXACT_DRAWS:
            raise LimitError(
                "--samples",
                str(samples),
                f"{tree.name} has information sets, so every draw is solved exactly "
                f"(seconds per thousand draws or more); at most {limits.MAX_TREE_EXACT_DRAWS:,} "
                f"draws (including {_CONFIDENCE_REGIMES} x confidence_samples when weights "
                f"vary; here {solves:,}); lower --samples or set confidence_samples = 0",
            )
    bounds: list[tuple[float, float]] = [(0.0, 1.0)] * len(resolved.inputs)
    for s in resolved.sources:
        lo, hi = s.support
        if np.isfinite(lo) and np.isfinite(hi):
            bounds[s.column] = (lo, hi)
        elif _is_probability(resolved.inputs[s.column].path):
            raise ScenarioError(
                f"--{resolved.inputs[s.column].kind}",
                resolved.inputs[s.column].path,
                "a probability needs a distribution with finite bounds inside [0, 1] "
                "(e.g. uniform:0.2:0.8 or normal:0.5:0.1:0:1)",
            )
    for g in resolved.groups:
        for c, sign in zip(g.columns, g.signs, strict=True):
            bounds[c] = (min(0.0, sign * g.total), max(0.0, sign * g.total))
    axes = [
        (i.path, [Fraction(lo), Fraction(hi) if hi != lo else Fraction(lo) + 1])
        for i, (lo, hi) in zip(resolved.inputs, bounds, strict=True)
    ]
    family = tree.family(axes)
    return Plan(
        name=tree.name,
        inputs=resolved.inputs,
        sources=resolved.sources,
        groups=resolved.groups,
        dims=resolved.dims,
        model=TreeModel.build(tree, family),
        players=tree_players(tree),
        samples=samples,
        seed=study.seed,
        sampler=study.sampler,
        analysis_samples=analysis_draws(study, resolved.dims),
        confidence_samples=confidence,
        kind="tree",
    )


def _is_probability(path: str) -> bool:
    parts = path.split(".")
    return parts[0] == "types" or (parts[0] == "tree" and "chance" in parts[:-1])


def tree_players(tree: TreeScenario) -> tuple[PlayerInfo, ...]:
    """Per player: id, strategy ids ``<node id>:<action>``, label, strategy labels.

    The strategies are the actions at the player's decision nodes, in preorder; a
    strategy's label is ``<action label> at the root`` or ``<action label> after
    <labels of the actions leading to the node>``.
    """
    out = []
    for p, player in enumerate(tree.players):
        sids, labels = [], []
        for node in tree.nodes:
            if node.kind == "decision" and node.player == p:
                for action, child in zip(node.actions, node.children, strict=True):
                    sids.append(f"{node.id}:{action}")
                    labels.append(f"{tree.nodes[child].label} {_at(tree, node.id)}")
        out.append((player.id, tuple(sids), player.label, tuple(labels)))
    return tuple(out)


# --------------------------------------------------------------------------- the numbers


@attrs.frozen(eq=False)
class _TreeBook:
    """The numbers of a tree scenario (see :class:`negotiation.studies.explore_model.Book`).

    A number's key is its override path.
    """

    tree: TreeScenario
    examples: str = (
        "tree.in.fight.payoffs.incumbent, tree.full.accept.scores.supply_security, "
        "weights.us.legitimacy or tree.chance.strong"
    )

    def content(self) -> Mapping[str, Any]:
        """The file's own content (a typed tree keeps it apart from the compiled one)."""
        typed: Mapping[str, Any] | None = getattr(self.tree, "typed_content", None)
        return typed or self.tree.content

    def held(self) -> list[tuple[Key, tuple[str, ...], Fraction]]:
        content = self.content()
        return [
            (path, (path,), value)
            for table in VARIABLE_TABLES
            if isinstance(content.get(table), Mapping)
            for path, value in _numbers(content[table], table)
        ]

    def resolve(self, path: str) -> tuple[Key, str]:
        return path, path

    def label(self, key: Key) -> str:
        return _label(self.tree, str(key))

    def is_weight(self, key: Key) -> bool:
        return str(key).startswith("weights.")

    def simplex(
        self, simplex: Simplex
    ) -> tuple[tuple[str, ...], FloatArray, float, IntArray | None]:
        _refuse_typed_weights(self.content(), self.tree, simplex)
        return simplex_weights(self.tree, simplex)

    def weight_key(self, player: str, criterion: str) -> Key:
        return f"weights.{player}.{criterion}"


def _refuse_typed_weights(content: Mapping[str, Any], tree: TreeScenario, simplex: Simplex) -> None:
    """Refuse a simplex over weights that depend on a player's type, naming the file's criteria.

    A criterion weighed by type (``[weights.russia.trap]``) is compiled into one criterion
    per type, ``trap_sprung-trap`` and ``trap_sprung-genuine``
    (:mod:`negotiation.model.types`), whose weights are no override path of the file: the
    file holds one weight per type, or none (weight 0). A simplex shares one weight per
    criterion among a player's criteria, so it cannot take such a criterion, nor a player
    whose weights depend on its type as a whole; the criteria it can share are named
    instead (fuzz finding F5). ``content`` is the file's own (uncompiled) content.
    """
    weights = content.get("weights")
    if simplex.player not in tree.player_ids or not isinstance(weights, Mapping):
        return
    by_type: dict[str, str] = {}  # a criterion weighed by type -> one of its file paths
    for pid, table in weights.items():
        for key, value in table.items() if isinstance(table, Mapping) else ():
            for cid in value if isinstance(value, Mapping) else ():
                by_type.setdefault(str(cid), f"weights.{pid}.{key}.{cid}")
    if not by_type:
        return
    own = weights.get(simplex.player, {})
    own = own if isinstance(own, Mapping) else {}
    criteria = content.get("criteria", {})
    shareable = [str(c) for c in criteria if str(c) not in by_type]
    held = [str(k) for k, v in own.items() if not isinstance(v, Mapping) and k not in by_type]
    expected = f"expected some of: {', '.join(shareable)}"
    for cid in simplex.criteria:
        if cid in by_type:
            raise ScenarioError(
                "--simplex",
                simplex.player,
                f"the weight of {cid!r} depends on a player's type ({by_type[cid]}), so it "
                f"has no one weight to share; {expected}",
            )
        if cid not in shareable:
            raise ScenarioError(
                "--simplex", simplex.player, f"unknown criterion {cid!r}; {expected}"
            )
    if simplex.criteria:
        return
    example = f"e.g. {simplex.player}:{','.join(held[:2])}; " if len(held) >= 2 else ""
    typed = [f"weights.{simplex.player}.{k}" for k, v in own.items() if isinstance(v, Mapping)]
    if typed:
        why = f"its weights depend on its type ({', '.join(typed)})"
    else:  # it weighs, alike for every type, a criterion another player's types split
        split = [f"{k!r} ({by_type[str(k)]})" for k in own if str(k) in by_type]
        if not split:
            return
        why = f"it weighs {', '.join(split)}, whose weight depends on a player's type"
    raise ScenarioError(
        "--simplex", simplex.player, f"{why}; name the criteria to share, {example}{expected}"
    )


def _numbers(table: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, Fraction]]:
    """Every number under a table, with its dotted path (strings such as "rest" skipped)."""
    for key, value in table.items():
        path = f"{prefix}.{key}"
        if isinstance(value, Mapping):
            yield from _numbers(value, path)
        elif isinstance(value, int | Decimal | Fraction) and not isinstance(value, bool):
            yield path, Fraction(value)
        elif isinstance(value, float):
            yield path, Fraction(repr(value))


def _label(tree: TreeScenario, path: str) -> str:
    """A varied number of a tree in words, from the scenario's labels (else its path)."""
    players = {p.id: p.label for p in tree.players}
    criteria = {c.id: c.label for c in tree.criteria}
    parts = path.split(".")
    if parts[0] == "weights" and len(parts) >= 3 and parts[1] in players:
        what = criteria.get(parts[-1], parts[-1])
        kind = f" (type {parts[2]})" if len(parts) == 4 else ""
        return f"{possessive(players[parts[1]])} weight on {what}{kind}"
    if parts[0] == "types" and len(parts) == 3 and parts[1] in players:
        return f"prior that {players[parts[1]]} is {parts[2]}"
    for word in ("payoffs", "scores", "chance"):
        if word in parts[1:-1]:
            at = parts.index(word, 1)
            node_id, rest = ".".join(parts[:at]), parts[at + 1 :]
            where = _where(tree, node_id)
            if word == "chance":
                child = f"{node_id}.{rest[0]}"
                name = _where(tree, child) if _has(tree, child) else rest[0]
                return f"probability of {name}"
            if word == "payoffs" and rest[0] in players:
                return f"{possessive(players[rest[0]])} payoff at {where}"
            if word == "scores":
                return f"{criteria.get(rest[0], rest[0])} score at {where}"
    return path


def _at(tree: TreeScenario, node_id: str) -> str:
    """Where a decision node is, in words: ``at the root`` or ``after <who does what>``.

    Action labels are verb phrases ("makes the full offer"), so each is preceded by the
    player who takes it: "after Russia makes the full offer, United States accepts".
    """
    where = _where(tree, node_id, movers=True)
    return "at the root" if where == "the root" else f"after {where}"


def _has(tree: TreeScenario, node_id: str) -> bool:
    try:
        tree.node(node_id)
    except KeyError:
        return False
    return True


def _where(tree: TreeScenario, node_id: str, *, movers: bool = False) -> str:
    """A node in words: the labels of the actions leading to it, joined by ``, ``.

    With ``movers`` each decision's label is preceded by the label of the player taking it
    (chance outcomes stand alone).
    """
    if not _has(tree, node_id):
        return node_id
    words = []
    node = tree.node(node_id)
    while node.parent >= 0:
        word = node.label or node.action
        mover = tree.nodes[node.parent].player
        if movers and mover >= 0:
            word = f"{tree.players[mover].label} {word}"
        words.append(word)
        node = tree.nodes[node.parent]
    return ", ".join(reversed(words)) or "the root"


# --------------------------------------------------------------------------- solving


@attrs.frozen(eq=False)
class TreeModel:
    """A tree's numbers as exact polynomials of the draws, and how a chunk is solved.

    ``columns`` lists, per strategy column of :attr:`Plan.strategies`, the decision node
    and the action's position there; ``batch`` is the batched backward induction of a
    tree with perfect information (None otherwise).
    """

    tree: TreeScenario
    family: TreeFamily
    columns: tuple[tuple[int, int], ...]
    batch: BatchInduction | None = None

    @classmethod
    def build(cls, tree: TreeScenario, family: TreeFamily) -> TreeModel:
        """The model of ``tree`` over the family's varied paths (in draw column order)."""
        columns = []
        for p in range(len(tree.players)):
            for node in tree.nodes:
                if node.kind == "decision" and node.player == p:
                    columns += [(node.index, k) for k in range(len(node.children))]
        batch = BatchInduction(tree, family) if tree.perfect_information else None
        return cls(tree, family, tuple(columns), batch)

    def numbers(self, x: FloatArray, g: int) -> TreeNumbers:
        """Draw ``g``'s numbers in exact arithmetic (draws taken at their binary value).

        Checks that every chance probability is non-negative (the polynomials keep the
        probabilities of a node summing to 1); a :class:`ScenarioError` otherwise.
        """
        numbers = self.family.exact_numbers([Fraction(float(v)) for v in x[g]])
        for v in self.tree.chance_nodes:
            if min(numbers.probabilities[v]) < 0:
                raise self._negative(v)
        return numbers

    def _negative(self, v: int) -> ScenarioError:
        return ScenarioError(
            "--vary",
            ", ".join(self.family.paths),
            f"a draw makes a probability at {self.tree.nodes[v].id} negative; keep "
            "probabilities within [0, 1]",
        )

    def solve(self, x: FloatArray, players: Sequence[PlayerInfo]) -> Solved:
        """Solve every draw for its subgame-perfect equilibria (module docstring)."""
        n_draws = len(x)
        width = len(self.columns)
        probs = np.zeros((n_draws, width))
        played = np.zeros((n_draws, width), dtype=bool)
        degenerate = np.zeros(n_draws, dtype=bool)
        exact = np.ones(n_draws, dtype=bool)
        names: list[str] = [""] * n_draws
        induction = None
        if self.batch is not None and n_draws:
            induction = self.batch.solve(x)
            exact, labels_of = self._batch(induction, probs)
            played[:] = probs > 0
            for g in np.flatnonzero(~exact):
                names[g] = labels_of[g]
        for g in np.flatnonzero(exact):
            names[g], probs[g], played[g], degenerate[g] = self._exact(x, int(g), induction)
        labels = tuple(sorted(set(names)))
        position = {label: i for i, label in enumerate(labels)}
        regime = np.array([position[n] for n in names], dtype=np.int64)
        return Solved(labels, regime, probs, played, degenerate, exact)

    def _exact(
        self, x: FloatArray, g: int, induction: Induction | None = None
    ) -> tuple[str, FloatArray, BoolArray, bool]:
        """One draw decided exactly: regime, probabilities, played, degenerate.

        With the float pass's ``induction``, only what it flagged is re-decided in exact
        arithmetic (:meth:`~negotiation.solvers.spe.BatchInduction.resolve`); a draw with
        an exact tie, or any draw of a tree with information sets, goes to
        :func:`solve_spe`.
        """
        tree = self.tree
        numbers = self.numbers(x, g)
        if induction is not None and self.batch is not None:
            resolved = self.batch.resolve(induction, g, numbers)
            if resolved is not None:
                chosen, positive = resolved
                choice = dict(zip(induction.decisions, chosen, strict=True))
                probs = np.array([float(choice[v] == k) for v, k in self.columns])
                label = self._label(np.array([*chosen, *positive], dtype=np.int32))
                return label, probs, probs > 0, False
        solution = solve_spe(tree, numbers)
        if not solution.equilibria:
            raise LimitError(
                tree.origin,
                "",
                "a draw has no subgame-perfect equilibrium among those computed (a subgame "
                "where three or more players move has only mixed equilibria); explore "
                "cannot label it",
            )
        paths = sorted(
            {support_path(tree, e.behaviour, numbers.probabilities) for e in solution.equilibria}
        )
        label = (
            paths[0] if len(paths) == 1 else f"{len(paths)} equilibrium paths: " + " | ".join(paths)
        )
        per = np.zeros((len(solution.equilibria), len(self.columns)))
        for e, spe in enumerate(solution.equilibria):
            for col, (v, k) in enumerate(self.columns):
                beta = spe.behaviour[tree.nodes[v].infoset]
                per[e, col] = 0.0 if beta is None else float(beta[k])
        degenerate = bool(solution.ties or solution.degenerate or len(solution.equilibria) > 1)
        mean: FloatArray = per.mean(axis=0)
        played: BoolArray = np.asarray((per > 0).any(axis=0), dtype=bool)
        return label, mean, played, degenerate

    def _batch(self, induction: Induction, probs: FloatArray) -> tuple[BoolArray, list[str]]:
        """The batched backward induction over a chunk (perfect information).

        :class:`negotiation.solvers.spe.BatchInduction` (the engine of
        :func:`~negotiation.solvers.spe.sweep_spe`) gives each decision node's choice and
        which draws it certifies; this fills ``probs`` (one-hot choices) for those draws and
        returns which draws need exact work and every draw's label (empty for those).
        """
        tree = self.tree
        assert self.batch is not None
        if induction.negative.any():
            edge = int(np.flatnonzero(induction.negative.any(axis=0))[0])
            offsets = self.batch.edge_offset
            at = next(
                v for v in tree.chance_nodes if edge < offsets[v] + len(tree.nodes[v].children)
            )
            raise self._negative(at)
        suspect = ~induction.certified
        choice = {v: induction.choices[:, j] for j, v in enumerate(induction.decisions)}
        for col, (v, k) in enumerate(self.columns):
            probs[:, col] = choice[v] == k
        probs[suspect] = 0.0
        keys = np.concatenate([induction.choices, induction.positive], axis=1).astype(np.int32)
        labels = [""] * len(suspect)
        decided = np.flatnonzero(~suspect)
        if len(decided):
            unique, inverse = np.unique(keys[decided], axis=0, return_inverse=True)
            words = [self._label(key) for key in unique]
            for g, i in zip(decided, inverse.reshape(-1), strict=True):
                labels[g] = words[i]
        return suspect, labels

    def _label(self, key: npt.NDArray[np.int32]) -> str:
        """A regime's label from its choices and probability signs (see :meth:`_batch`)."""
        tree = self.tree
        assert self.batch is not None
        decisions = self.batch.decisions
        behaviour: list[tuple[Fraction, ...] | None] = [None] * len(tree.infosets)
        for v, k in zip(decisions, key[: len(decisions)], strict=True):
            behaviour[tree.nodes[v].infoset] = _unit(int(k), len(tree.nodes[v].children))
        signs = key[len(decisions) :]
        offsets = self.batch.edge_offset
        live: list[Sequence[float]] = [
            [float(s) for s in signs[offsets[n.index] : offsets[n.index] + len(n.children)]]
            if n.kind == "chance"
            else []
            for n in tree.nodes
        ]
        return support_path(tree, behaviour, live)


def _unit(k: int, size: int) -> tuple[Fraction, ...]:
    return tuple(Fraction(int(j == k)) for j in range(size))


def support_path(
    tree: TreeScenario,
    behaviour: Behaviour,
    probabilities: Sequence[Sequence[Fraction | float]],
) -> str:
    """The path of play in words, by supports: a regime's label.

    :func:`negotiation.solvers.spe.describe_path` without probabilities: for pure behaviour
    what :func:`~negotiation.solvers.spe.sweep_spe` labels points with
    (``show_chance=False``); a mixed choice reads ``Matcher: lays heads or lays tails``
    (its support, without the probabilities, which vary continuously with the draws), so
    that regimes are finitely many.
    """
    return describe_path(tree, behaviour, probabilities, show_chance=False, show_mixes=False)


def baseline_choices(tree: TreeScenario) -> list[tuple[str, str, str, str]]:
    """Actions the tree's subgame-perfect equilibria take on their paths, at its own numbers.

    Per action (player id, ``<node id>:<action>``, player label, action label), for every
    decision node an equilibrium reaches with positive probability and every action it
    gives positive probability there; in preorder, without repeats.
    """
    solution = solve_spe(tree)
    numbers = tree.numbers
    found: dict[tuple[str, str], tuple[str, str, str, str]] = {}
    for spe in solution.equilibria:
        reached = {0}
        for node in tree.nodes:
            if node.index not in reached or node.kind == "leaf":
                continue
            weights = (
                numbers.probabilities[node.index]
                if node.kind == "chance"
                else spe.behaviour[node.infoset]
            )
            for k, c in enumerate(node.children):
                if weights is not None and weights[k] > 0:
                    reached.add(c)
                    if node.kind == "decision":
                        player = tree.players[node.player]
                        sid = f"{node.id}:{node.actions[k]}"
                        found.setdefault(
                            (player.id, sid),
                            (
                                player.id,
                                sid,
                                player.label,
                                f"{tree.nodes[c].label} {_at(tree, node.id)}",
                            ),
                        )
    order = {f"{n.id}:{a}": i for i, n in enumerate(tree.nodes) for a in n.actions}
    return sorted(found.values(), key=lambda t: order[t[1]])


__all__ = [
    "TreeModel",
    "baseline_choices",
    "plan_tree",
    "support_path",
    "tree_players",
]
