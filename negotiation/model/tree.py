"""Game trees: sequential scenarios with decision nodes, chance nodes, information sets.

A tree scenario is a TOML file with a ``[tree]`` table in place of payoff or score tables.
The ``[tree]`` table is the root node; every node is a table, and **every key of a node that
is not one of its settings is an action leading to the child node of that name**, so a node's
id is its TOML path (``tree``, ``tree.in``, ``tree.in.fight``) and the same string names it in
output, in plots and in override paths::

    name = "entry"
    [[players]]
    id = "entrant"
    [[players]]
    id = "incumbent"

    [tree]                          # the root: the entrant moves
    player = "entrant"
    [tree.out]                      # action "out" leads to a leaf
    payoffs = { entrant = 0, incumbent = 2 }
    [tree.in]                       # action "in" leads to the incumbent's move
    player = "incumbent"
    [tree.in.fight]
    payoffs = { entrant = -1, incumbent = -1 }
    [tree.in.accommodate]
    payoffs = { entrant = 1, incumbent = 1 }

A node is exactly one of:

- a **decision node**: ``player = "<id>"``, optional ``infoset = "<id>"``, one or more actions;
- a **chance node** (a move of nature): ``chance = { strong = 0.9, weak = 0.1 }``, whose keys
  are its actions, each with a child table; probabilities are read exactly, must be
  non-negative and sum to 1 exactly;
- a **leaf**: ``payoffs = { <player> = <number>, ... }`` naming every player, or, in a scenario
  with ``[criteria.<id>]`` tables (``label`` and ``description`` only, no score tables) and
  ``[weights.<player>]``, ``scores = { <criterion> = <number>, ... }``; then a player's payoff
  at the leaf is ``sum over criteria k of weights[player][k] * scores[k]`` exactly as for
  matrix scenarios (a criterion a leaf does not score counts 0).

Every node may also carry ``label`` (the label of the action that leads to it, used in words
and plots) and ``description``. Players list no strategies: their actions are named at their
nodes. Any number of players (at least one) may take part.

**Information sets.** Decision nodes sharing ``infoset = "<id>"`` are one information set:
the player moving there cannot tell them apart, so they must belong to one player and offer
the same actions. A simultaneous stage is written this way (the second mover's nodes share an
infoset). Trees must have perfect recall (every player remembers their own earlier moves), so
that behaviour strategies and mixed strategies are equivalent (Kuhn 1953); a tree without it
is refused with the nodes that break it.

**Chance and the rest.** One probability of a chance node may be written ``"rest"``: it is
1 minus the others, so ``chance = { strong = 0.9, weak = "rest" }`` puts a prior on two
types with one number, and overriding or sweeping ``tree.chance.strong`` keeps the sum at
exactly 1 with no further syntax. This form was chosen over a separate ``prior = 0.9`` key
because it names the swept outcome in the path itself, works for any number of outcomes
(one outcome absorbs the remainder), and keeps a probability affine in the swept number,
which sweeps rely on (see :class:`TreeFamily`). Overriding the ``"rest"`` entry itself is
refused with a message naming the path to use instead.

**Overrides.** The override paths of :mod:`negotiation.model.overrides` address every number
of a tree: ``tree.in.fight.payoffs.incumbent``, ``tree.in.fight.scores.revenue`` (also a
criterion the leaf does not score, which is 0), ``weights.us.legitimacy``,
``tree.chance.strong``. Overridden trees are validated exactly like the file.

Sweeps: a leaf payoff is a polynomial of degree at most 2 in the overridable numbers (a
weight times a score) and a chance probability is affine, so :class:`TreeFamily` holds all
of them as exact polynomials in the swept numbers, built from ``d + 2`` rebuilds of the tree
for ``d`` swept numbers, and evaluates them at many grid points at once, without re-reading
or rebuilding the tree (:mod:`negotiation.solvers.spe` solves them).

Subgames (Selten 1965): a node starts a subgame when it is a chance node or a decision node
alone in its information set, and no information set has nodes both inside and outside its
subtree. :attr:`TreeScenario.subgame_roots` lists them.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any, Literal

import attrs
import numpy as np
import numpy.typing as npt

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError, UserError
from negotiation.model import overrides as _overrides
from negotiation.model.scenario import (
    ID_PATTERN,
    Refused,
    described,
    parse_toml,
    read_text,
)

#: The kinds of node a tree holds.
NodeKind = Literal["decision", "chance", "leaf"]

#: Keys of a node table that are settings, not actions (so no action may have these ids).
NODE_SETTINGS = ("player", "chance", "infoset", "payoffs", "scores", "label", "description")

#: The word that stands for "1 minus the other probabilities" at a chance node.
REST = "rest"

#: Deepest nesting of values accepted in a tree file, checked before anything else: the
#: deepest leaf's number sits under the ``tree`` table, one table per move, and its
#: ``payoffs`` or ``scores`` table; one level more lets the depth check name the node.
MAX_TREE_NESTING = limits.MAX_TREE_DEPTH + 4

_TOP_KEYS = ("name", "title", "description", "source", "players", "criteria", "weights", "tree")
_PLAYER_KEYS = ("id", "label", "description")
_CRITERION_KEYS = ("label", "description")


@attrs.frozen
class TreePlayer:
    """A player of a tree scenario: an id, a readable label and a description."""

    id: str
    label: str
    description: str = ""


@attrs.frozen
class TreeCriterion:
    """A criterion leaves are scored on (the scores live on the leaves)."""

    id: str
    label: str
    description: str = ""


@attrs.frozen
class Node:
    """One node of a tree, in preorder (``index``); ``id`` is its TOML path.

    ``parent`` is -1 at the root; ``action`` is the id of the action leading here and
    ``label`` that action's label (both empty at the root). ``end`` is one past the index of
    the node's last descendant, so the subtree is ``nodes[index:end]``. Decision nodes set
    ``player`` and ``infoset`` (indices); chance nodes set ``probabilities`` (one per
    action); leaves set ``payoffs`` (one per player, in player order) and, in a scenario
    with criteria, ``scores``.
    """

    index: int
    id: str
    kind: NodeKind
    depth: int
    parent: int
    action: str
    label: str
    end: int
    description: str = ""
    children: tuple[int, ...] = ()
    actions: tuple[str, ...] = ()
    player: int = -1
    infoset: int = -1
    probabilities: tuple[Fraction, ...] = ()
    payoffs: tuple[Fraction, ...] = ()
    scores: Mapping[str, Fraction] = attrs.field(factory=dict)


@attrs.frozen
class Infoset:
    """An information set: decision nodes of one player who cannot tell them apart.

    ``id`` is the name given in the file, or for a node alone in its information set the
    node's id. ``actions`` (ids) and ``labels`` are common to every node of the set.
    ``sequence`` is the player's own earlier moves before reaching it, as (infoset index,
    action position) pairs: the same at every node of the set (perfect recall).
    """

    index: int
    id: str
    player: int
    nodes: tuple[int, ...]
    actions: tuple[str, ...]
    labels: tuple[str, ...]
    named: bool
    sequence: tuple[tuple[int, int], ...]

    @property
    def singleton(self) -> bool:
        """Whether the set holds a single node (the player knows where they are)."""
        return len(self.nodes) == 1


@attrs.frozen
class TreeNumbers:
    """The numbers of a tree, indexed by node: leaf payoffs and chance probabilities.

    ``payoffs[v]`` is the tuple of every player's payoff at leaf ``v`` (empty elsewhere);
    ``probabilities[v]`` the probability of each action at chance node ``v`` (empty
    elsewhere). Solvers take these apart from the tree's structure, so a sweep can solve
    the same tree at many points without rebuilding it.
    """

    payoffs: tuple[tuple[Fraction, ...], ...]
    probabilities: tuple[tuple[Fraction, ...], ...]


@attrs.frozen
class TreeScenario:
    """A game tree scenario: players, optional criteria and weights, and the tree's nodes.

    Build one with :meth:`from_toml`, :meth:`from_string` or :meth:`from_dict`, which
    validate the input and name the offending key on error; change numbers with
    :meth:`with_overrides`.

    >>> tree = TreeScenario.from_string('''
    ... name = "entry"
    ... [[players]]
    ... id = "entrant"
    ... [[players]]
    ... id = "incumbent"
    ... [tree]
    ... player = "entrant"
    ... [tree.out]
    ... payoffs = { entrant = 0, incumbent = 2 }
    ... [tree.in]
    ... player = "incumbent"
    ... [tree.in.fight]
    ... payoffs = { entrant = -1, incumbent = -1 }
    ... [tree.in.accommodate]
    ... payoffs = { entrant = 1, incumbent = 1 }
    ... ''')
    >>> [node.id for node in tree.nodes]
    ['tree', 'tree.out', 'tree.in', 'tree.in.fight', 'tree.in.accommodate']
    >>> tree.node("tree.in.fight").payoffs
    (Fraction(-1, 1), Fraction(-1, 1))
    >>> [tree.nodes[v].id for v in tree.subgame_roots]
    ['tree', 'tree.in']
    """

    name: str
    players: tuple[TreePlayer, ...]
    nodes: tuple[Node, ...]
    infosets: tuple[Infoset, ...]
    criteria: tuple[TreeCriterion, ...] = ()
    weights: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    title: str = ""
    description: str = ""
    source: str = ""
    #: Indices of the nodes that start a subgame, in preorder (the root first).
    subgame_roots: tuple[int, ...] = ()
    #: Where the scenario was read from (a path, or ``"<string>"``); used in messages.
    origin: str = attrs.field(default="<string>", eq=False)
    #: The resolved file content, overrides applied; enough to rebuild the scenario.
    content: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)
    _index: Mapping[str, int] = attrs.field(factory=dict, eq=False, repr=False)

    # -- structure -------------------------------------------------------------------------

    @property
    def player_ids(self) -> tuple[str, ...]:
        """The players' ids, in file order (the order of every payoff tuple)."""
        return tuple(p.id for p in self.players)

    @property
    def root(self) -> Node:
        """The root node (``tree``)."""
        return self.nodes[0]

    @property
    def leaves(self) -> tuple[int, ...]:
        """Indices of the leaves, in preorder."""
        return tuple(n.index for n in self.nodes if n.kind == "leaf")

    @property
    def chance_nodes(self) -> tuple[int, ...]:
        """Indices of the chance nodes, in preorder."""
        return tuple(n.index for n in self.nodes if n.kind == "chance")

    @property
    def perfect_information(self) -> bool:
        """Whether every information set is a single node."""
        return all(i.singleton for i in self.infosets)

    @property
    def depth(self) -> int:
        """The greatest number of moves from the root to a leaf."""
        return max(n.depth for n in self.nodes)

    @property
    def numbers(self) -> TreeNumbers:
        """The tree's own leaf payoffs and chance probabilities."""
        return TreeNumbers(
            tuple(n.payoffs for n in self.nodes), tuple(n.probabilities for n in self.nodes)
        )

    def node(self, node_id: str) -> Node:
        """The node with this id (a TOML path such as ``tree.in.fight``)."""
        return self.nodes[self._index[node_id]]

    def index(self, node_id: str) -> int:
        """The preorder index of the node with this id."""
        return self._index[node_id]

    def player_index(self, player_id: str) -> int:
        """The position of a player in :attr:`players` (and in every payoff tuple)."""
        return self.player_ids.index(player_id)

    # -- constructors ----------------------------------------------------------------------

    @classmethod
    def from_toml(
        cls,
        path: str | Path,
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> TreeScenario:
        """Read and validate a tree scenario file, then apply ``overrides``.

        Only regular files of at most :data:`negotiation.limits.MAX_FILE_BYTES` bytes are
        read. Raises :class:`~negotiation.errors.ScenarioError` naming the file, the key and
        what was expected, for unreadable files as well as invalid content.
        """
        return cls.from_string(read_text(path), str(path), overrides)

    @classmethod
    def from_string(
        cls,
        text: str,
        origin: str = "<string>",
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> TreeScenario:
        """Parse and validate tree scenario TOML text; ``origin`` names it in messages.

        The text is parsed by :func:`negotiation.model.scenario.parse_toml`, exactly as for
        matrix scenarios (byte order mark, line ends, size, integer and nesting limits).
        """
        return cls.from_dict(parse_toml(text, origin), origin, overrides)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        origin: str = "<dict>",
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> TreeScenario:
        """Validate parsed content (as from :func:`tomllib.loads`) and build the tree.

        Numbers may be ``int``, :class:`~decimal.Decimal` or :class:`~fractions.Fraction`
        (``float`` is accepted and read as its shortest decimal form).
        """
        return _Parser(origin).parse(data, _overrides.normalise(overrides))

    def with_overrides(
        self, overrides: Mapping[str, object] | Iterable[tuple[str, object]]
    ) -> TreeScenario:
        """A copy with some numbers changed, validated exactly like the file."""
        return _Parser(self.origin).parse(self.content, _overrides.normalise(overrides))

    def family(self, axes: Sequence[tuple[str, Sequence[object]]]) -> TreeFamily:
        """The tree's numbers as functions of swept paths: see :class:`TreeFamily`."""
        return TreeFamily(self, axes)


# -- sweeps ---------------------------------------------------------------------------------


class NotMultilinearError(RuntimeError):
    """Internal error: a tree's numbers are not the polynomials :class:`TreeFamily` assumes.

    Raised, never passed over, when a rebuilt tree disagrees with a family's polynomials:
    the file format would have changed in a way the family does not know. Not a user error.
    """


#: Seed of the interior point at which every :class:`TreeFamily` checks its polynomials
#: against one more exact rebuild of the tree (fixed, so a family is built identically).
FAMILY_CHECK_SEED = 20_250_310

#: Most exact coefficients (monomials x numbers) one :class:`TreeFamily` holds: each is a
#: :class:`~fractions.Fraction` reference and a float, about 16 bytes (320 MB at the bound).
MAX_FAMILY_COEFFICIENTS = 20_000_000

#: Most monomial values per block of :meth:`TreeFamily.floats_at` (32 MB of floats).
_FLOAT_BLOCK = 1 << 22

_ZERO = Fraction(0)

#: A monomial: the swept dimensions it multiplies, in increasing order (at most two).
Monomial = tuple[int, ...]

#: An affine function of the swept numbers: its constant and its nonzero slopes by dimension.
_Affine = tuple[Fraction, dict[int, Fraction]]


class TreeFamily:
    """Every leaf payoff and chance probability as an exact polynomial of the swept numbers.

    ``axes`` pairs each swept override path with the values it will take; ``x`` is the
    vector of swept numbers, and the box is spanned by each axis' smallest and largest
    value (``lo`` and ``hi``). Nothing is re-read or rebuilt per grid point.

    **Why degree 2, and which monomials.** A tree stores numbers (its *atoms*) of four
    kinds, each read by one rule of the parser: a weight (``[weights.<player>]``,
    ``_Parser.weights``), a leaf score and a direct leaf payoff (``_TreeBuilder.leaf``) and a
    chance probability, a number or ``"rest"``, 1 minus the others
    (``_TreeBuilder.chance``). A leaf payoff is a direct payoff or
    ``sum over k of weight[player][k] * score[k]``; a probability is an atom. A file with
    player types (:mod:`negotiation.model.types`) is compiled to such a tree in which every
    atom is a copy of one file number (a leaf number or its entry for the type, a common
    or per-type weight, a prior copied to a chance node) or a ``"rest"``. An override sets
    one file number, so every atom is an affine function of ``x``; a payoff is a sum of
    products of two affine functions and a probability is affine. A weight is never a
    score (their paths begin ``weights.`` and ``tree.``), so no monomial squares a swept
    number: payoffs are multilinear of degree at most 2 (a swept weight times a swept
    score of the same criterion), probabilities are of degree 1.

    **Construction:** ``d + 2`` validated rebuilds in place of ``2**d``. The tree is
    rebuilt (:meth:`TreeScenario.with_overrides`, validated like the file) at ``lo`` and,
    for each of the ``d`` swept numbers, at ``lo`` with that number raised to its ``hi``
    (the ``lo`` tree rebuilt with that one override, so each rebuild costs the same
    whatever ``d``). The differences give every atom's slopes exactly, and the payoffs are
    multiplied out from the atoms. The coefficients are exactly those of multilinear
    interpolation at the ``2**d`` corners of the box (the construction this replaced, kept
    as the oracle of ``tests/test_tree_family.py``), as that interpolant is unique.

    **Validation:** every point of the box must be a valid tree, as before. A chance node's
    probabilities sum to an affine function that is 1 at ``d + 1`` affinely independent
    rebuilt points, so 1 everywhere; a point is then valid exactly when no probability is
    negative, and an affine function's least value over the box is at the corner chosen
    coefficient by coefficient. The rebuilds run in the order the ``2**d`` construction
    visited corners (``itertools.product``, the first path slowest: the last path is raised
    first), each after the corners that precede it are checked; the first invalid corner
    in that order is rebuilt, so the error is the parser's own one-line
    :class:`~negotiation.errors.ScenarioError` (file, key, expectation) the corner
    evaluation gave.

    **Check:** the polynomials are compared with one more exact rebuild at an interior
    point drawn with :data:`FAMILY_CHECK_SEED`. A mismatch, a squared number, or a rebuild
    that stores different numbers raises :class:`NotMultilinearError` (an internal error:
    the format changed under this class), never a wrong answer.

    :meth:`numbers_at` gives exact numbers at one point; :meth:`floats_at` evaluates many
    points at once in floating point, each number from its exact coefficients (a number the
    sweep does not touch is exactly ``float`` of its value), with a bound on the magnitude of
    the terms for error control.
    """

    def __init__(self, tree: TreeScenario, axes: Sequence[tuple[str, Sequence[object]]]) -> None:
        self.tree = tree
        self.paths = tuple(path for path, _ in axes)
        bounds = []
        for path, values in axes:
            exact = [_overrides.normalise({path: v})[0][1] for v in values]
            if not exact:
                raise ScenarioError("--param", path, "expected at least one value")
            bounds.append((min(exact), max(exact)))
        self.bounds = tuple(bounds)
        dims = len(axes)
        self.leaves = tree.leaves
        self.chance = tree.chance_nodes
        self._players = len(tree.players)
        self._arities = tuple(len(tree.nodes[v].children) for v in self.chance)
        polynomials = _Builder(tree, self.paths, self.bounds).polynomials()
        monomials = sorted(
            {m for poly in polynomials for m, c in poly.items() if c} | {()},
            key=lambda m: _bits(m, dims),
        )
        size = len(polynomials)
        if len(monomials) * size > MAX_FAMILY_COEFFICIENTS:
            raise LimitError(
                tree.origin,
                ", ".join(self.paths),
                f"these {dims} varied numbers give {len(monomials):,} monomials x {size:,} "
                f"numbers = {len(monomials) * size:,} exact coefficients; at most "
                f"{MAX_FAMILY_COEFFICIENTS:,} (MAX_FAMILY_COEFFICIENTS in "
                "negotiation/model/tree.py): vary fewer numbers",
            )
        row = {m: r for r, m in enumerate(monomials)}
        sparse: list[list[tuple[int, Fraction]]] = [[] for _ in monomials]
        dense = np.zeros((len(monomials), size))
        for o, poly in enumerate(polynomials):
            for m, c in poly.items():
                if c:
                    sparse[row[m]].append((o, c))
                    dense[row[m], o] = float(c)
        #: Monomials (a bit per dimension: 1 where the swept value is a factor) and their
        #: exact coefficient vectors (leaf payoffs in leaf order x player, then probabilities),
        #: in the order of ``itertools.product((0, 1), repeat=d)``; the constant is always
        #: there, any other monomial only with a nonzero coefficient.
        self.coefficients: dict[tuple[int, ...], tuple[Fraction, ...]] = {}
        for m, entries in zip(monomials, sparse, strict=True):
            coeffs = [_ZERO] * size
            for o, c in entries:
                coeffs[o] = c
            self.coefficients[_bits(m, dims)] = tuple(coeffs)
        #: The same monomials as the dimensions they multiply (at most two each).
        self.monomials: tuple[Monomial, ...] = tuple(monomials)
        self._sparse = tuple(tuple(entries) for entries in sparse)
        self._float_coefficients = dense
        # Where each linear monomial x_i and each product x_i x_j sits (the rest are 1).
        linear = [(r, *m) for r, m in enumerate(monomials) if len(m) == 1]
        quadratic = [(r, *m) for r, m in enumerate(monomials) if len(m) == 2]
        self._linear = np.array(linear, dtype=np.intp).reshape(-1, 2)
        self._quadratic = np.array(quadratic, dtype=np.intp).reshape(-1, 3)

    def numbers_at(self, values: Sequence[object]) -> TreeNumbers:
        """The exact numbers of the tree at one point (one value per swept path)."""
        point = [
            _overrides.normalise({p: v})[0][1] for p, v in zip(self.paths, values, strict=True)
        ]
        for path, value, (lo, hi) in zip(self.paths, point, self.bounds, strict=True):
            if not lo <= value <= hi:
                raise ValueError(f"{path}={value} lies outside the family's range [{lo}, {hi}]")
        return self.exact_numbers(point)

    def exact_numbers(self, point: Sequence[Fraction]) -> TreeNumbers:
        """The polynomials at any exact point (one value per swept path), unchecked.

        Outside the box the numbers need not form a valid tree (a probability may be
        negative); a caller that leaves the box checks what it needs. Costs a product per
        monomial and one per nonzero coefficient.
        """
        flat = [_ZERO] * self._float_coefficients.shape[1]
        for m, entries in zip(self.monomials, self._sparse, strict=True):
            weight = Fraction(1)
            for d in m:
                weight *= point[d]
            if weight:
                for o, c in entries:
                    flat[o] += weight * c
        return _unflatten(self.tree, flat, self.leaves, self.chance)

    def floats_at(
        self, values: npt.ArrayLike
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Leaf payoffs, chance probabilities and term magnitudes at many points at once.

        ``values`` has shape (points, dims). Returns ``payoffs`` of shape (points, leaves,
        players) in :attr:`TreeScenario.leaves` order, ``probabilities`` of shape (points,
        chance edges) (chance nodes in preorder, each node's actions in order) and
        ``magnitude`` of shape (points,): the largest sum of absolute terms of any number
        at that point, which bounds every value and scales the rounding error. A monomial
        is ``x_i * x_j``, ``x_i`` or 1 in floating point; points go in blocks that keep the
        table of monomial values within 32 MB.
        """
        x = np.asarray(values, dtype=np.float64).reshape(-1, len(self.paths))
        block = max(1, _FLOAT_BLOCK // len(self.monomials))
        if len(x) <= block:
            flat, magnitude = self._block(x)
        else:
            parts = [self._block(x[start : start + block]) for start in range(0, len(x), block)]
            flat = np.concatenate([f for f, _ in parts])
            magnitude = np.concatenate([m for _, m in parts])
        split = len(self.leaves) * self._players
        payoffs = flat[:, :split].reshape(len(x), len(self.leaves), self._players)
        scale = magnitude[:, :split].max(axis=1) if split else np.zeros(len(x))
        return payoffs, flat[:, split:], np.maximum(scale, 1e-300)

    def _block(
        self, x: npt.NDArray[np.float64]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Every number and its sum of absolute terms at the points ``x``."""
        monomials = np.ones((len(x), len(self.monomials)))
        at, dim = self._linear.T
        monomials[:, at] = x[:, dim]
        at, first, second = self._quadratic.T
        monomials[:, at] = x[:, first] * x[:, second]
        coefficients = self._float_coefficients
        flat: npt.NDArray[np.float64] = monomials @ coefficients
        magnitude: npt.NDArray[np.float64] = np.abs(monomials) @ np.abs(coefficients)
        return flat, magnitude


class _Builder:
    """A :class:`TreeFamily`'s polynomials from ``d + 2`` rebuilds (see its docstring)."""

    def __init__(
        self,
        tree: TreeScenario,
        paths: tuple[str, ...],
        bounds: tuple[tuple[Fraction, Fraction], ...],
    ) -> None:
        self.tree = tree
        self.paths = paths
        self.bounds = bounds

    def at(self, bits: Sequence[int]) -> dict[str, Fraction]:
        """The overrides of the box's corner with these bits (1: that path at its ``hi``)."""
        return {p: b[bit] for p, b, bit in zip(self.paths, self.bounds, bits, strict=True)}

    def polynomials(self) -> list[dict[Monomial, Fraction]]:
        """Each leaf payoff (leaves in order, players within), then each probability."""
        dims = len(self.paths)
        base = self.tree.with_overrides(self.at([0] * dims))
        keys, low = _atoms(base)
        chance = [a for a, key in enumerate(keys) if key[0] == "chance"]
        # deltas[a][k]: atom a's value with path k raised, minus its value at lo.
        deltas: list[dict[int, Fraction]] = [{} for _ in keys]
        # least[a]: probability a's least value over the corners that raise only rebuilt
        # paths (its value at lo plus its negative deltas so far); below 0 is invalid.
        least = {a: low[a] for a in chance}
        for k in reversed(range(dims)):
            self.refuse_invalid(least, low, deltas, k + 1)
            lo, hi = self.bounds[k]
            if lo == hi:
                continue
            # The base holds every other path at its lo already: overriding the one path
            # builds the same content as all d overrides would, in a time independent of d.
            raised_keys, values = _atoms(base.with_overrides({self.paths[k]: hi}))
            if raised_keys != keys:
                raise NotMultilinearError(
                    f"{self.tree.origin}: raising {self.paths[k]} changed which numbers the "
                    "tree stores; TreeFamily assumes overrides only change values"
                )
            for a, (value, old) in enumerate(zip(values, low, strict=True)):
                if value != old:
                    deltas[a][k] = value - old
                    if a in least and value < old:
                        least[a] += value - old
        self.refuse_invalid(least, low, deltas, 0)
        affine: list[_Affine] = []
        for value, changes in zip(low, deltas, strict=True):
            slopes = {
                k: delta / (self.bounds[k][1] - self.bounds[k][0]) for k, delta in changes.items()
            }
            constant = value - sum((s * self.bounds[k][0] for k, s in slopes.items()), _ZERO)
            affine.append((constant, slopes))
        polynomials = self.payoffs(base, keys, affine)
        polynomials += [_linear(affine[a]) for a in chance]
        self.check(polynomials)
        return polynomials

    def refuse_invalid(
        self,
        least: Mapping[int, Fraction],
        low: Sequence[Fraction],
        deltas: Sequence[Mapping[int, Fraction]],
        first: int,
    ) -> None:
        """Raise the parser's error at the first invalid corner raising only paths ``first..``.

        For each probability that some such corner makes negative, the lexicographically
        first corner doing so is found greedily (keep a path at ``lo`` while the paths after
        it can still make the probability negative); the earliest of them is rebuilt.
        """
        dims = len(self.paths)
        corners = []
        for a, value in least.items():
            if value >= 0:
                continue
            suffix = [_ZERO] * (dims + 1)  # suffix[j]: the negative deltas of paths j..
            for j in reversed(range(first, dims)):
                suffix[j] = suffix[j + 1] + min(_ZERO, deltas[a].get(j, _ZERO))
            bits, partial = [0] * dims, low[a]
            for j in range(first, dims):
                if partial + suffix[j + 1] >= 0:
                    bits[j] = 1
                    partial += deltas[a].get(j, _ZERO)
            corners.append(bits)
        if not corners:
            return
        corner = min(corners)
        self.tree.with_overrides(self.at(corner))  # raises the parser's own error
        raise NotMultilinearError(
            f"{self.tree.origin}: the probabilities at {self.at(corner)} should make the tree "
            "invalid but the rebuilt tree is valid"
        )

    def payoffs(
        self, base: TreeScenario, keys: Sequence[tuple[str, str, str]], affine: Sequence[_Affine]
    ) -> list[dict[Monomial, Fraction]]:
        """Each leaf's payoffs multiplied out from its atoms, as the parser sums them."""
        atom = {key: a for a, key in enumerate(keys)}
        polynomials = []
        for v in base.leaves:
            node = base.nodes[v]
            for pid in base.player_ids:
                if not base.criteria:
                    polynomials.append(_linear(affine[atom["payoff", node.id, pid]]))
                    continue
                total: dict[Monomial, Fraction] = {}
                for k in node.scores:
                    weight = atom.get(("weight", pid, k))
                    if weight is None:
                        continue  # a criterion the player does not weigh counts 0
                    product = _times(affine[weight], affine[atom["score", node.id, k]])
                    if product is None:
                        raise NotMultilinearError(
                            f"{base.origin}: a swept number is both the weight of {pid!r} for "
                            f"{k!r} and its score at {node.id}"
                        )
                    for m, c in product.items():
                        total[m] = total.get(m, _ZERO) + c
                polynomials.append(total)
        return polynomials

    def check(self, polynomials: Sequence[Mapping[Monomial, Fraction]]) -> None:
        """Compare the polynomials with an exact rebuild at a seeded interior point.

        The rebuild starts from the family's own tree with every path overridden, as a
        user's override would, so it also checks that rebuilding from the ``lo`` tree with
        one path changed (how the slopes were found) builds what full overrides build.
        """
        rng = np.random.default_rng(FAMILY_CHECK_SEED)
        point = []
        for lo, hi in self.bounds:
            value = lo + Fraction(int(rng.integers(1, 1000)), 1000) * (hi - lo)
            if value and abs(value) < limits.MIN_MAGNITUDE:
                value = hi  # too small to write in a file; the corner still checks a lot
            point.append(value)
        overrides = dict(zip(self.paths, point, strict=True))
        try:
            rebuilt = self.tree.with_overrides(overrides)
        except UserError as error:
            raise NotMultilinearError(
                f"the tree is invalid at {overrides}, inside a box whose corners are valid: {error}"
            ) from error
        expected = _flatten(rebuilt, rebuilt.leaves, rebuilt.chance_nodes)
        for o, (poly, value) in enumerate(zip(polynomials, expected, strict=True)):
            got = sum((c * _value(m, point) for m, c in poly.items()), _ZERO)
            if got != value:
                raise NotMultilinearError(
                    f"{self.tree.origin}: number {o} of the tree is {value} at {overrides} "
                    f"but its polynomial gives {got}; the format is no longer affine in "
                    "each stored number"
                )


def _atoms(tree: TreeScenario) -> tuple[list[tuple[str, str, str]], list[Fraction]]:
    """Every number a tree stores, keyed (kind, where, which), and their values.

    Kinds: ``weight`` (player, criterion), ``score`` (leaf id, criterion), ``payoff`` (leaf
    id, player) and ``chance`` (node id, action), chance nodes in preorder.
    """
    keys: list[tuple[str, str, str]] = []
    values: list[Fraction] = []
    for pid, table in tree.weights.items():
        for k, w in table.items():
            keys.append(("weight", pid, k))
            values.append(w)
    for v in tree.leaves:
        node = tree.nodes[v]
        if tree.criteria:
            for k, s in node.scores.items():
                keys.append(("score", node.id, k))
                values.append(s)
        else:
            for pid, x in zip(tree.player_ids, node.payoffs, strict=True):
                keys.append(("payoff", node.id, pid))
                values.append(x)
    for v in tree.chance_nodes:
        node = tree.nodes[v]
        for action, q in zip(node.actions, node.probabilities, strict=True):
            keys.append(("chance", node.id, action))
            values.append(q)
    return keys, values


def _linear(f: _Affine) -> dict[Monomial, Fraction]:
    """An affine function as a polynomial."""
    constant, slopes = f
    return {(): constant, **{(k,): s for k, s in slopes.items()}}


def _times(f: _Affine, g: _Affine) -> dict[Monomial, Fraction] | None:
    """The product of two affine functions, or None if it squares a swept number."""
    (f0, fs), (g0, gs) = f, g
    product: dict[Monomial, Fraction] = {(): f0 * g0}
    for i, c in fs.items():
        product[(i,)] = product.get((i,), _ZERO) + c * g0
    for j, c in gs.items():
        product[(j,)] = product.get((j,), _ZERO) + f0 * c
    for i, a in fs.items():
        for j, b in gs.items():
            if i == j:
                return None
            m = (min(i, j), max(i, j))
            product[m] = product.get(m, _ZERO) + a * b
    return product


def _value(monomial: Monomial, point: Sequence[Fraction]) -> Fraction:
    value = Fraction(1)
    for d in monomial:
        value *= point[d]
    return value


def _bits(monomial: Monomial, dims: int) -> tuple[int, ...]:
    """A monomial as one bit per dimension (a key of :attr:`TreeFamily.coefficients`)."""
    return tuple(1 if d in monomial else 0 for d in range(dims))


def _flatten(tree: TreeScenario, leaves: Sequence[int], chance: Sequence[int]) -> list[Fraction]:
    flat = [x for v in leaves for x in tree.nodes[v].payoffs]
    flat += [p for v in chance for p in tree.nodes[v].probabilities]
    return flat


def _unflatten(
    tree: TreeScenario, flat: Sequence[Fraction], leaves: Sequence[int], chance: Sequence[int]
) -> TreeNumbers:
    n = len(tree.players)
    payoffs: list[tuple[Fraction, ...]] = [() for _ in tree.nodes]
    probabilities: list[tuple[Fraction, ...]] = [() for _ in tree.nodes]
    for k, v in enumerate(leaves):
        payoffs[v] = tuple(flat[k * n : (k + 1) * n])
    pos = len(leaves) * n
    for v in chance:
        arity = len(tree.nodes[v].children)
        probabilities[v] = tuple(flat[pos : pos + arity])
        pos += arity
    return TreeNumbers(tuple(payoffs), tuple(probabilities))


# -- reading --------------------------------------------------------------------------------


class _Parser:
    """Turns raw TOML content into a :class:`TreeScenario`, one checked key at a time."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def error(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(self.origin, key, problem)

    def parse(
        self, data: Mapping[str, Any], overrides: tuple[tuple[str, Fraction], ...]
    ) -> TreeScenario:
        if not isinstance(data, Mapping):
            raise self.error("", "expected a TOML table at the top level")
        if _nesting(data) > MAX_TREE_NESTING:
            raise LimitError(
                self.origin,
                "",
                f"tables nest more than {MAX_TREE_NESTING} deep; trees are limited to "
                f"{limits.MAX_TREE_DEPTH} moves from the root (MAX_TREE_DEPTH in "
                "negotiation/limits.py)",
            )
        content = _copy(data)
        self.check_keys(content, "", _TOP_KEYS, "")
        if "name" not in content:
            raise self.error(
                "name",
                "missing; expected the scenario's name, an id such as 'entry' (top-level keys "
                "must come before the first [[players]] or other [table] header)",
            )
        if "tree" not in content:
            raise self.error("tree", "missing; expected the root node of the tree as [tree]")
        name = self.ident(content, "name", "name")
        title, description, source = (
            self.text(content, k, k) for k in ("title", "description", "source")
        )
        players = self.players(content.get("players"))
        criterion_ids = self.criterion_ids(content)
        self.prepare_overrides(content, overrides, criterion_ids)
        _overrides.apply(content, overrides, ((), ()), criterion_ids, self.origin)
        criteria = self.criteria(content) if criterion_ids else ()
        weights = self.weights(content.get("weights"), players, criterion_ids)
        builder = _TreeBuilder(self, players, criterion_ids, weights)
        builder.node(content["tree"], "tree", 0, -1, "", "")
        infosets = builder.infosets()
        nodes = tuple(builder.nodes)
        return TreeScenario(
            name,
            tuple(players),
            nodes,
            infosets,
            criteria=criteria,
            weights=weights,
            title=title,
            description=description,
            source=source,
            subgame_roots=_subgame_roots(nodes, infosets),
            origin=self.origin,
            content=content,
            index={n.id: n.index for n in nodes},
        )

    # -- pieces ----------------------------------------------------------------------------

    def check_keys(
        self, table: Mapping[str, Any], where: str, allowed: Iterable[str], what: str
    ) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(str(key), allowed, n=1)
                did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(
                    _join(where, str(key)),
                    f"unknown key{did_you_mean}; expected {what}one of: {', '.join(allowed)}",
                )

    def text(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.error(where, f"expected a string, got {described(value)}")
        if len(value) > limits.MAX_LABEL_LENGTH and key in ("label", "title"):
            raise LimitError(
                self.origin,
                where,
                f"is {len(value)} characters; labels and titles are limited to "
                f"{limits.MAX_LABEL_LENGTH} (use description for longer text)",
            )
        return value

    def ident(self, table: Mapping[str, Any], key: str, where: str) -> str:
        if key not in table:
            raise self.error(where, "missing; expected an id such as 'us' or 'accept'")
        return self.check_id(table[key], where)

    def check_id(self, value: object, where: str) -> str:
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise self.error(
                where,
                "expected an id: a letter followed by letters, digits, '_' or '-', "
                f"got {described(value)}",
            )
        if len(value) > limits.MAX_ID_LENGTH:
            raise LimitError(
                self.origin, where, f"ids are limited to {limits.MAX_ID_LENGTH} characters"
            )
        return value

    def number(self, raw: object, where: str) -> Fraction:
        """An exact number within the documented magnitude and digit limits."""
        if isinstance(raw, Refused):  # refused on sight by the shared TOML reader
            raise LimitError(self.origin, where, raw.problem)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, Fraction)):
            raise self.error(where, f"expected a finite number, got {described(raw)}")
        if isinstance(raw, float):
            if raw != raw or raw in (float("inf"), float("-inf")):
                raise self.error(where, f"expected a finite number, got {raw}")
            raw = Decimal(repr(raw))
        if isinstance(raw, Decimal):
            if not raw.is_finite():
                raise self.error(where, f"expected a finite number, got {raw}")
            digits = len(raw.as_tuple().digits)
            if digits > limits.MAX_DIGITS:
                raise LimitError(
                    self.origin,
                    where,
                    f"has {digits} significant digits; numbers are limited to "
                    f"{limits.MAX_DIGITS} (MAX_DIGITS in negotiation/limits.py)",
                )
            if raw and not -101 <= raw.adjusted() <= 100:
                raise LimitError(self.origin, where, _magnitude_problem())
        if isinstance(raw, int) and raw.bit_length() > 400:
            raise LimitError(self.origin, where, _magnitude_problem())
        value = Fraction(raw)
        if value and not limits.MIN_MAGNITUDE <= abs(value) <= limits.MAX_MAGNITUDE:
            raise LimitError(self.origin, where, _magnitude_problem())
        return value

    def players(self, raw: object) -> list[TreePlayer]:
        if not isinstance(raw, list) or not raw:
            got = "none" if raw is None or raw == [] else described(raw)
            raise self.error(
                "players", f"expected one or more [[players]] tables with an id each, got {got}"
            )
        players: list[TreePlayer] = []
        for p, entry in enumerate(raw):
            where = f"players[{p}]"
            if not isinstance(entry, dict):
                raise self.error(where, f"expected a table, got {described(entry)}")
            if "strategies" in entry:
                raise self.error(
                    f"{where}.strategies",
                    "players of a tree scenario list no strategies: their actions are the "
                    "keys of their nodes under [tree]",
                )
            self.check_keys(entry, where, _PLAYER_KEYS, "")
            pid = self.ident(entry, "id", f"{where}.id")
            if any(q.id == pid for q in players):
                raise self.error(f"{where}.id", f"duplicate player id {pid!r}")
            players.append(
                TreePlayer(
                    pid,
                    self.text(entry, "label", f"{where}.label", pid),
                    self.text(entry, "description", f"{where}.description"),
                )
            )
        return players

    def criterion_ids(self, content: Mapping[str, Any]) -> tuple[str, ...]:
        if "criteria" not in content:
            if "weights" in content:
                raise self.error(
                    "weights",
                    "weights need criteria: add [criteria.<id>] tables (and scores on the "
                    "leaves), or give leaves direct payoffs and drop [weights]",
                )
            return ()
        raw = content["criteria"]
        if not isinstance(raw, dict) or not raw:
            got = "an empty table" if raw == {} else described(raw)
            raise self.error("criteria", f"expected at least one [criteria.<id>] table, got {got}")
        for key in raw:
            self.check_id(key, f"criteria.{key}")
        return tuple(raw)

    def criteria(self, content: Mapping[str, Any]) -> tuple[TreeCriterion, ...]:
        criteria = []
        for cid, entry in content["criteria"].items():
            where = f"criteria.{cid}"
            if not isinstance(entry, dict):
                raise self.error(
                    where, f"expected a table (label, description), got {described(entry)}"
                )
            if "scores" in entry:
                raise self.error(
                    f"{where}.scores",
                    "in a tree scenario scores belong to the leaves: write "
                    f"scores = {{ {cid} = <number> }} on each leaf",
                )
            self.check_keys(entry, where, _CRITERION_KEYS, "")
            criteria.append(
                TreeCriterion(
                    cid,
                    self.text(entry, "label", f"{where}.label", cid),
                    self.text(entry, "description", f"{where}.description"),
                )
            )
        return tuple(criteria)

    def weights(
        self, raw: object, players: list[TreePlayer], criterion_ids: tuple[str, ...]
    ) -> dict[str, dict[str, Fraction]]:
        if not criterion_ids:
            return {}
        ids = [p.id for p in players]
        if not isinstance(raw, dict):
            raise self.error(
                "weights",
                "expected a [weights.<player>] table for each player mapping criteria to "
                f"numbers, got {described(raw)}",
            )
        self.check_keys(raw, "weights", ids, "a player id, ")
        weights: dict[str, dict[str, Fraction]] = {}
        for pid in ids:
            where = f"weights.{pid}"
            if pid not in raw:
                raise self.error(
                    where,
                    f"missing; expected a table mapping criteria ({', '.join(criterion_ids)}) "
                    "to numbers (write an empty [weights.<player>] table for a player who "
                    "weighs nothing)",
                )
            table = raw[pid]
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table of numbers, got {described(table)}")
            self.check_keys(table, where, criterion_ids, "a criterion, ")
            weights[pid] = {k: self.number(v, f"{where}.{k}") for k, v in table.items()}
        return weights

    def prepare_overrides(
        self,
        content: dict[str, Any],
        overrides: Sequence[tuple[str, Fraction]],
        criterion_ids: tuple[str, ...],
    ) -> None:
        """Make implicit leaf scores (0) overridable; refuse overriding a ``"rest"``."""
        for path_text, _ in overrides:
            parts = _overrides.parse_path(path_text)
            node: object = content
            for part in parts[:-1]:
                node = node.get(part) if isinstance(node, dict) and isinstance(part, str) else None
            last = parts[-1]
            if not isinstance(node, dict) or not isinstance(last, str):
                continue
            if node.get(last) == REST and len(parts) >= 2 and parts[-2] == "chance":
                others = [k for k in node if k != last]
                instead = (
                    f" (e.g. {_overrides.format_path([*parts[:-1], others[0]])})" if others else ""
                )
                raise self.error(
                    path_text,
                    f"is the rest (1 minus the other probabilities); override another outcome "
                    f"of this chance node instead{instead}",
                )
            if (
                parts[0] == "tree"
                and len(parts) >= 3
                and parts[-2] == "scores"
                and last not in node
                and last in criterion_ids
            ):
                node[last] = 0


class _TreeBuilder:
    """Walks the ``[tree]`` table depth first, building nodes in preorder."""

    def __init__(
        self,
        parser: _Parser,
        players: list[TreePlayer],
        criterion_ids: tuple[str, ...],
        weights: Mapping[str, Mapping[str, Fraction]],
    ) -> None:
        self.p = parser
        self.players = players
        self.player_ids = [pl.id for pl in players]
        self.criterion_ids = criterion_ids
        self.weights = weights
        self.nodes: list[Node] = []
        self.named: dict[str, list[int]] = {}  # infoset name -> decision nodes
        self.infoset_name: dict[int, str] = {}  # decision node -> the infoset name it gives
        self.decision: list[int] = []

    def node(
        self, raw: object, where: str, depth: int, parent: int, action: str, label: str
    ) -> int:
        p = self.p
        if not isinstance(raw, dict):
            raise p.error(where, f"expected a node table, got {described(raw)}")
        if depth > limits.MAX_TREE_DEPTH:
            raise LimitError(
                p.origin,
                where,
                f"lies {depth} moves below the root; trees are limited to "
                f"{limits.MAX_TREE_DEPTH} (MAX_TREE_DEPTH in negotiation/limits.py)",
            )
        if len(self.nodes) >= limits.MAX_TREE_NODES:
            raise LimitError(
                p.origin,
                where,
                f"the tree has more than {limits.MAX_TREE_NODES} nodes (MAX_TREE_NODES in "
                "negotiation/limits.py); split the scenario or coarsen its actions",
            )
        kinds = [k for k in ("player", "chance", "payoffs", "scores") if k in raw]
        if len(kinds) > 1 and not (set(kinds) == {"payoffs", "scores"}):
            raise p.error(
                _join(where, kinds[1]),
                f"a node is a decision node (player), a chance node (chance) or a leaf "
                f"(payoffs or scores), not several; this node also sets {kinds[0]!r}",
            )
        if set(kinds) == {"payoffs", "scores"}:
            raise p.error(
                _join(where, "scores"),
                "a leaf has either payoffs (direct) or scores (weighted criteria), not both",
            )
        if not kinds:
            raise p.error(where, self.no_kind(raw))
        description = p.text(raw, "description", _join(where, "description"))
        index = len(self.nodes)
        # Reserve the slot; the node is completed once its subtree is built (for `end`).
        self.nodes.append(Node(index, where, "leaf", depth, parent, action, label, index + 1))
        kind = kinds[0]
        if kind in ("payoffs", "scores"):
            self.nodes[index] = self.leaf(
                raw, where, index, depth, parent, action, label, description
            )
            return index
        actions = [k for k in raw if k not in NODE_SETTINGS]
        for key in actions:
            if not isinstance(raw[key], dict):
                hint = difflib.get_close_matches(key, NODE_SETTINGS, n=1)
                did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise p.error(
                    _join(where, key),
                    f"unknown key{did_you_mean}; expected {', '.join(NODE_SETTINGS[:3])}, "
                    "label, description or an action: a table for the node it leads to",
                )
            p.check_id(key, _join(where, key))
        if kind == "chance":
            if "infoset" in raw:
                raise p.error(
                    _join(where, "infoset"), "chance nodes have no information set; remove it"
                )
            probabilities = self.chance(raw["chance"], _join(where, "chance"), where, actions)
            actions = list(raw["chance"])
            player, infoset_name = -1, ""
        else:
            player = self.player(raw["player"], _join(where, "player"))
            infoset_name = ""
            if "infoset" in raw:
                infoset_name = p.check_id(raw["infoset"], _join(where, "infoset"))
                if infoset_name == "tree":
                    raise p.error(
                        _join(where, "infoset"),
                        "'tree' names the root node; choose another information set id",
                    )
                self.named.setdefault(infoset_name, []).append(index)
            if not actions:
                raise p.error(
                    where,
                    f"a decision node of {self.player_ids[player]} with no actions; expected "
                    f"at least one action table such as [{where}.<action>]",
                )
            probabilities = ()
            self.decision.append(index)
        children = []
        for act in actions:
            child_where = _join(where, act)
            child_label = p.text(raw[act], "label", _join(child_where, "label"), act)
            children.append(self.node(raw[act], child_where, depth + 1, index, act, child_label))
        self.nodes[index] = Node(
            index,
            where,
            "chance" if kind == "chance" else "decision",
            depth,
            parent,
            action,
            label,
            len(self.nodes),
            description,
            tuple(children),
            tuple(actions),
            player=player,
            probabilities=probabilities,
        )
        if infoset_name:
            self.infoset_name[index] = infoset_name
        return index

    def no_kind(self, raw: Mapping[str, Any]) -> str:
        for key in raw:
            hint = difflib.get_close_matches(str(key), NODE_SETTINGS, n=1, cutoff=0.75)
            if hint and key not in NODE_SETTINGS:
                return (
                    "not a decision node, chance node or leaf: it sets none of player, "
                    f"chance, payoffs, scores (is {key!r} a misspelling of {hint[0]!r}?)"
                )
        actions = [k for k in raw if isinstance(raw[k], dict)]
        if actions:
            return (
                f'a node with actions ({", ".join(actions)}) needs player = "<id>" (a '
                "decision node) or chance = { <action> = <probability>, ... } (a chance node)"
            )
        return (
            'an empty node; expected a decision node (player = "<id>" and actions), a '
            "chance node (chance = {...}) or a leaf (payoffs = {...} or scores = {...})"
        )

    def player(self, raw: object, where: str) -> int:
        if isinstance(raw, str) and raw in self.player_ids:
            return self.player_ids.index(raw)
        hint = difflib.get_close_matches(str(raw), self.player_ids, n=1)
        did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
        raise self.p.error(
            where,
            f"unknown player {described(raw)}{did_you_mean}; expected one of: "
            f"{', '.join(self.player_ids)}",
        )

    def chance(
        self, raw: object, where: str, node: str, actions: list[str]
    ) -> tuple[Fraction, ...]:
        p = self.p
        if not isinstance(raw, dict) or not raw:
            got = "an empty table" if raw == {} else described(raw)
            raise p.error(
                where,
                "expected a table of outcome probabilities such as { strong = 0.9, weak = "
                f'"rest" }} with a child table per outcome, got {got}',
            )
        for key in raw:
            if key not in actions:
                raise p.error(
                    _join(where, key),
                    f"no node for this outcome; expected a table [{_join(node, key)}]",
                )
        for key in actions:
            if key not in raw:
                raise p.error(
                    _join(node, key),
                    f"an outcome of the chance node {node} without a probability; expected "
                    f"{_join(where, key)} = <probability> in its chance table",
                )
        rest = [k for k, v in raw.items() if v == REST]
        if len(rest) > 1:
            raise p.error(
                _join(where, rest[1]),
                f"only one outcome may be {REST!r} (1 minus the others); {rest[0]!r} is already",
            )
        values: dict[str, Fraction] = {}
        for key, value in raw.items():
            if value == REST:
                continue
            if isinstance(value, str):
                raise p.error(
                    _join(where, key),
                    f"expected a probability (a number from 0 to 1) or {REST!r}, "
                    f"got {described(value)}",
                )
            prob = p.number(value, _join(where, key))
            if not 0 <= prob <= 1:
                raise p.error(_join(where, key), f"expected a probability from 0 to 1, got {prob}")
            values[key] = prob
        total = sum(values.values(), Fraction(0))
        if rest:
            if total > 1:
                raise p.error(
                    where,
                    f"the probabilities other than {rest[0]!r} sum to {total} > 1; expected "
                    "non-negative probabilities summing to exactly 1",
                )
            values[rest[0]] = 1 - total
        elif total != 1:
            raise p.error(
                where,
                f"the probabilities sum to {total}; expected exactly 1 (write one outcome as "
                f"{REST!r} to make it 1 minus the others)",
            )
        return tuple(values[k] for k in raw)

    def leaf(
        self,
        raw: Mapping[str, Any],
        where: str,
        index: int,
        depth: int,
        parent: int,
        action: str,
        label: str,
        description: str,
    ) -> Node:
        p = self.p
        for key in raw:
            if key not in ("payoffs", "scores", "label", "description"):
                what = "an action" if isinstance(raw[key], dict) else "a key"
                raise p.error(
                    _join(where, key),
                    f"a leaf cannot have {what}; expected only payoffs or scores, label, "
                    "description (a node with actions needs player = or chance =)",
                )
        if "payoffs" in raw:
            if self.criterion_ids:
                raise p.error(
                    _join(where, "payoffs"),
                    "this scenario weighs criteria, so leaves give scores = { <criterion> = "
                    "<number> }; drop [criteria] and [weights] to give payoffs directly",
                )
            table = raw["payoffs"]
            pw = _join(where, "payoffs")
            if not isinstance(table, dict):
                raise p.error(
                    pw,
                    f"expected a table {{ <player> = <number>, ... }}, got {described(table)}",
                )
            p.check_keys(table, pw, self.player_ids, "a player id, ")
            for pid in self.player_ids:
                if pid not in table:
                    raise p.error(
                        _join(pw, pid),
                        f"missing; expected the payoff of player {pid!r} at this leaf "
                        "(every leaf names every player's payoff)",
                    )
            payoffs = tuple(p.number(table[pid], _join(pw, pid)) for pid in self.player_ids)
            return Node(
                index,
                where,
                "leaf",
                depth,
                parent,
                action,
                label,
                index + 1,
                description,
                payoffs=payoffs,
            )
        table = raw["scores"]
        sw = _join(where, "scores")
        if not self.criterion_ids:
            raise p.error(
                sw,
                "scores need [criteria.<id>] tables and [weights.<player>]; or give the "
                "leaf payoffs = { <player> = <number>, ... }",
            )
        if not isinstance(table, dict):
            raise p.error(
                sw,
                f"expected a table {{ <criterion> = <number>, ... }}, got {described(table)}",
            )
        p.check_keys(table, sw, self.criterion_ids, "a criterion, ")
        scores = {k: p.number(v, _join(sw, k)) for k, v in table.items()}
        payoffs = tuple(
            sum(
                (self.weights[pid].get(k, Fraction(0)) * s for k, s in scores.items()),
                Fraction(0),
            )
            for pid in self.player_ids
        )
        return Node(
            index,
            where,
            "leaf",
            depth,
            parent,
            action,
            label,
            index + 1,
            description,
            payoffs=payoffs,
            scores=scores,
        )

    def infosets(self) -> tuple[Infoset, ...]:
        """Group decision nodes into information sets and check them (players, actions, recall)."""
        p, nodes = self.p, self.nodes
        groups: dict[str, list[int]] = {}
        for v in self.decision:
            groups.setdefault(self.infoset_name.get(v) or nodes[v].id, []).append(v)
        for name, members in groups.items():
            first = nodes[members[0]]
            for v in members[1:]:
                node = nodes[v]
                if node.player != first.player:
                    raise p.error(
                        _join(node.id, "player"),
                        f"information set {name!r} mixes players: {first.id} is "
                        f"{self.player_ids[first.player]}'s, this node is "
                        f"{self.player_ids[node.player]}'s; expected one player per "
                        "information set",
                    )
                if sorted(node.actions) != sorted(first.actions):
                    raise p.error(
                        node.id,
                        f"information set {name!r}: expected the same actions as {first.id} "
                        f"({', '.join(first.actions)}), got {', '.join(node.actions)}",
                    )
        # Number the sets in preorder of their first node; every node of a set lists its
        # actions (and children) in the order of the set's first node.
        order = sorted(groups, key=lambda name: groups[name][0])
        for k, name in enumerate(order):
            canonical = nodes[groups[name][0]].actions
            for v in groups[name]:
                node = nodes[v]
                children = tuple(node.children[node.actions.index(a)] for a in canonical)
                nodes[v] = attrs.evolve(node, infoset=k, actions=canonical, children=children)
        # Perfect recall: every node of a set shares its player's own earlier moves.
        sequences: dict[int, tuple[tuple[int, int], ...]] = {}
        stack: list[tuple[int, tuple[tuple[tuple[int, int], ...], ...]]] = [
            (0, tuple(() for _ in self.players))
        ]
        while stack:
            v, own = stack.pop()
            node = nodes[v]
            if node.kind == "decision":
                sequences[v] = own[node.player]
                for k, child in enumerate(node.children):
                    moved = (*own[node.player], (node.infoset, k))
                    stack.append((child, (*own[: node.player], moved, *own[node.player + 1 :])))
            else:
                stack.extend((child, own) for child in node.children)
        result = []
        for k, name in enumerate(order):
            members = groups[name]
            first = nodes[members[0]]
            for v in members[1:]:
                if sequences[v] != sequences[members[0]]:
                    raise p.error(
                        _join(nodes[v].id, "infoset"),
                        f"{self.player_ids[first.player]} cannot tell {first.id} from "
                        f"{nodes[v].id} (information set {name!r}) but reaches them after "
                        "different moves of their own; trees must have perfect recall "
                        "(every player remembers their own earlier moves)",
                    )
            result.append(
                Infoset(
                    k,
                    name,
                    first.player,
                    tuple(members),
                    first.actions,
                    tuple(nodes[c].label for c in first.children),
                    name in self.named,
                    sequences[members[0]],
                )
            )
        return tuple(result)


def _subgame_roots(nodes: Sequence[Node], infosets: Sequence[Infoset]) -> tuple[int, ...]:
    """Nodes starting a subgame: no information set has nodes inside and outside the subtree.

    Each information set spans the preorder interval [first, last] of its nodes; a node's
    subtree is the interval [index, end). Taking, bottom up, the smallest first and the
    largest last over the information sets met in each subtree decides every node in one
    pass. A decision node sharing its set with another node fails automatically (with
    perfect recall the other node lies outside its subtree).
    """
    lo = [n.index for n in nodes]
    hi = [n.index for n in nodes]
    for info in infosets:
        first, last = min(info.nodes), max(info.nodes)
        for v in info.nodes:
            lo[v], hi[v] = first, last
    for node in reversed(nodes):
        for child in node.children:
            lo[node.index] = min(lo[node.index], lo[child])
            hi[node.index] = max(hi[node.index], hi[child])
    return tuple(
        n.index
        for n in nodes
        if n.kind != "leaf" and lo[n.index] >= n.index and hi[n.index] < n.end
    )


def _nesting(value: object) -> int:
    """How deeply tables and arrays nest in parsed TOML (iteratively, so any depth is safe)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if isinstance(item, Mapping):
            stack.extend((v, depth + 1) for v in item.values())
        elif isinstance(item, list):
            stack.extend((v, depth + 1) for v in item)
    return deepest


def _magnitude_problem() -> str:
    return (
        "expected a number of magnitude from 1e-100 to 1e100, or 0 (MAX_MAGNITUDE and "
        "MIN_MAGNITUDE in negotiation/limits.py)"
    )


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _copy(value: Any) -> Any:
    """A deep copy of parsed TOML content (dicts, lists and immutable leaves)."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
