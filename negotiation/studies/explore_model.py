"""What an uncertainty study draws and how each draw is evaluated: plans and matrix payoffs.

Part of ``negotiation explore`` (:mod:`negotiation.studies.explore` is the front end).
:func:`plan` resolves a :class:`Study` against its scenario into a :class:`Plan`: the
varied numbers (:class:`~negotiation.studies.sampling.Input`), how each is drawn from the
unit cube, and the model that solves a chunk of draws at once. Matrix scenarios use
:class:`MatrixModel` (below); tree scenarios
:class:`negotiation.studies.explore_tree.TreeModel`. Both answer :meth:`solve` with a
:class:`Solved`: each draw's regime label, each strategy's probability, and which draws
were degenerate or solved exactly.

How a matrix draw is solved
    Payoffs are ``payoff[p] = sum_k weight[p][k] * score[k]`` evaluated for a whole chunk
    of draws at once as arrays of shape (draws, m, n). A draw's varied numbers are
    float64 numbers taken at their exact binary value; the other numbers keep the file's
    exact values. Each payoff is computed in compensated arithmetic (Dot2 of Ogita, Rump
    and Oishi, "Accurate sum and dot product", *SIAM J. Sci. Comput.* 26, 2005, section 5;
    the file's numbers enter as double-double pairs) with a rigorous error bound, so the
    float payoffs are within 2**-52 of the exact ones, relatively. The batched engine
    (:func:`negotiation.solvers.batch.solve_batch`) decides each draw with that bound and
    hands every draw it cannot decide for certain to the exact solver, with the draw's
    payoffs computed exactly in fractions; so do draws whose bound is too wide (a payoff
    cancelling to nearly 0) and draws where two payoffs in one row or column are equal as
    floats without being the same sum of the same numbers. Every result is therefore the
    exact solver's answer for the exact draw.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Iterable, Sequence
from fractions import Fraction
from typing import Any, Protocol

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import LimitError, ScenarioError
from negotiation.model.overrides import canonical_path, parse_path
from negotiation.model.payoffs import Game
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.solvers.batch import solve_batch
from negotiation.studies.sampling import (
    SAMPLERS,
    FloatArray,
    Input,
    IntArray,
    Scale,
    Simplex,
    SimplexGroup,
    Source,
    Vary,
    glob_regex,
    input_values,
    linear_extensions,
    simplex_dims,
)
from negotiation.studies.sweep import PlayerInfo, player_info, regime_label

BoolArray = npt.NDArray[np.bool_]

#: Draws kept, from the first, for sensitivity, scenario discovery and the scatter plot.
ANALYSIS_SAMPLES = 2**15

#: Draws per regime for its confidence factor (one draw if only weights vary).
CONFIDENCE_SAMPLES = 2048

#: Most draws one study may take.
MAX_SAMPLES = 10**9

_U = 2.0**-53


# --------------------------------------------------------------------------- the study


def _as_vary(items: Iterable[Vary | str]) -> tuple[Vary, ...]:
    return tuple(Vary.parse(x) if isinstance(x, str) else x for x in items)


def _as_scale(items: Iterable[Scale | str]) -> tuple[Scale, ...]:
    return tuple(Scale.parse(x) if isinstance(x, str) else x for x in items)


def _as_simplex(items: Iterable[Simplex | str]) -> tuple[Simplex, ...]:
    return tuple(Simplex.parse(x) if isinstance(x, str) else x for x in items)


@attrs.frozen
class Study:
    """What an uncertainty study draws and how: everything that decides its results.

    ``vary``, ``scale`` and ``simplex`` say what varies (parsed forms of ``--vary``,
    ``--scale`` and ``--simplex``/``--order``; strings are parsed); ``samples`` draws are
    made by ``sampler`` from ``seed``. The first ``analysis_samples`` draws are kept for
    sensitivity and discovery; ``confidence_samples`` draws per regime give its confidence
    factor (0 to skip).
    """

    scenario: Scenario | TreeScenario
    vary: tuple[Vary, ...] = attrs.field(default=(), converter=_as_vary)
    scale: tuple[Scale, ...] = attrs.field(default=(), converter=_as_scale)
    simplex: tuple[Simplex, ...] = attrs.field(default=(), converter=_as_simplex)
    samples: int = 10_000
    seed: int = 0
    sampler: str = "mc"
    analysis_samples: int = ANALYSIS_SAMPLES
    confidence_samples: int = CONFIDENCE_SAMPLES

    def identity(self) -> dict[str, Any]:
        """The study as plain data (without the scenario): equal for equal studies."""
        return {
            "vary": [{"path": v.path, "dist": v.dist.text} for v in self.vary],
            "scale": [{"pattern": s.pattern, "dist": s.dist.text} for s in self.scale],
            "simplex": [
                {
                    "player": s.player,
                    "criteria": list(s.criteria),
                    "order": [list(o) for o in s.order],
                }
                for s in self.simplex
            ],
            "samples": self.samples,
            "seed": self.seed,
            "sampler": self.sampler,
            "analysis_samples": self.analysis_samples,
            "confidence_samples": self.confidence_samples,
        }


@attrs.frozen(eq=False)
class Solved:
    """What a chunk of draws came to, per draw.

    ``labels`` are the regimes present (sorted) and ``regime`` each draw's index into
    them; ``probs`` has one column per strategy of :attr:`Plan.strategies` (its
    probability, averaged over the draw's equilibria), ``played`` whether some equilibrium
    plays it, ``degenerate`` the degenerate draws (ties), ``exact`` the draws the exact
    solver decided.
    """

    labels: tuple[str, ...]
    regime: IntArray
    probs: FloatArray
    played: BoolArray
    degenerate: BoolArray
    exact: BoolArray


class Model(Protocol):
    """What a plan's model does: solve a chunk of draws (rows of varied numbers)."""

    def solve(self, x: FloatArray, players: Sequence[PlayerInfo]) -> Solved:
        """Solve every draw of ``x`` (see :class:`Solved`)."""
        ...  # pragma: no cover - a protocol


@attrs.frozen(eq=False)
class Plan:
    """A study resolved against its scenario: inputs, draws and the payoff model.

    Built by :func:`plan`; plain data, so it can be sent to Dask workers. ``kind`` is
    ``matrix`` or ``tree``; ``players`` lists per player its id, strategy ids, label and
    strategy labels (for a tree, a strategy is an action at one of the player's nodes,
    ``<node id>:<action>``).
    """

    name: str
    inputs: tuple[Input, ...]
    sources: tuple[Source, ...]
    groups: tuple[SimplexGroup, ...]
    dims: int
    model: Model
    players: tuple[PlayerInfo, ...]
    samples: int
    seed: int
    sampler: str
    analysis_samples: int
    confidence_samples: int
    kind: str = "matrix"

    @property
    def weight_columns(self) -> tuple[int, ...]:
        """Columns of the draws that are weights."""
        return tuple(i for i, x in enumerate(self.inputs) if x.weight)

    @property
    def strategies(self) -> tuple[tuple[str, str], ...]:
        """(player id, strategy id) of every strategy, first player first."""
        return tuple((pid, s) for pid, sids, _, _ in self.players for s in sids)

    def values(self, u: FloatArray) -> FloatArray:
        """The varied numbers of each draw from its unit-cube point."""
        return input_values(u, len(self.inputs), self.sources, self.groups)


def plan_matrix(study: Study) -> Plan:
    """Resolve a study on a matrix scenario (:func:`negotiation.studies.explore.plan`).

    Raises :class:`~negotiation.errors.ScenarioError` (or :class:`LimitError`) naming the
    option or the file, the key and what was expected.
    """
    scenario = study.scenario
    check_settings(study)
    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            getattr(scenario, "origin", "<scenario>"),
            "",
            "explore works on matrix scenarios and game trees",
        )
    book = _MatrixBook(scenario)
    resolved = resolve_inputs(study, book)
    return Plan(
        name=scenario.name,
        inputs=resolved.inputs,
        sources=resolved.sources,
        groups=resolved.groups,
        dims=resolved.dims,
        model=MatrixModel.build(scenario, resolved.keys),
        players=player_info(scenario),
        samples=samples_to_draw(study, resolved.dims),
        seed=study.seed,
        sampler=study.sampler,
        analysis_samples=analysis_draws(study, resolved.dims),
        confidence_samples=study.confidence_samples,
    )


# A number of the scenario, by location: ("w", player, criterion), ("s", criterion, r, c)
# for matrices; the canonical override path for trees.
Key = Any


class Book(Protocol):
    """The numbers of one kind of scenario, as :func:`resolve_inputs` needs them."""

    @property
    def examples(self) -> str:
        """What ``--scale`` paths look like, for the message when a glob matches nothing."""
        ...  # pragma: no cover - a protocol

    def held(self) -> list[tuple[Key, tuple[str, ...], Fraction]]:
        """Every number the file holds: its key, its paths, its value."""
        ...  # pragma: no cover - a protocol

    def resolve(self, path: str) -> tuple[Key, str]:
        """The key of the number an override path names, and the path as shown."""
        ...  # pragma: no cover - a protocol

    def label(self, key: Key) -> str:
        """The number in words."""
        ...  # pragma: no cover - a protocol

    def is_weight(self, key: Key) -> bool:
        """Whether the number is a weight."""
        ...  # pragma: no cover - a protocol

    def simplex(
        self, simplex: Simplex
    ) -> tuple[tuple[str, ...], FloatArray, float, IntArray | None]:
        """A simplex's criteria, their signs, the sum of their |weights|, allowed rankings."""
        ...  # pragma: no cover - a protocol

    def weight_key(self, player: str, criterion: str) -> Key:
        """The key of a player's weight on a criterion."""
        ...  # pragma: no cover - a protocol


@attrs.frozen(eq=False)
class Resolved:
    """The inputs of a study: what varies, the keys of the numbers, how they are drawn."""

    inputs: tuple[Input, ...]
    keys: tuple[Key, ...]
    sources: tuple[Source, ...]
    groups: tuple[SimplexGroup, ...]
    dims: int


def resolve_inputs(study: Study, book: Book) -> Resolved:
    """Resolve ``--vary``, ``--scale`` and ``--simplex`` against a scenario's numbers."""
    numbers = book.held() if study.scale else []
    inputs: list[Input] = []
    keys: list[Key] = []
    sources: list[Source] = []
    unit = 0
    for v in study.vary:
        key, shown = book.resolve(v.path)
        if key in keys:
            raise ScenarioError("--vary", v.path, "this number is already varied")
        keys.append(key)
        inputs.append(Input(shown, book.label(key), "vary", v.dist.text, book.is_weight(key)))
        sources.append(Source(len(inputs) - 1, unit, v.dist, None))
        unit += 1
    for s in study.scale:
        regex = glob_regex(s.pattern)
        matched = [n for n in numbers if any(regex.fullmatch(p) for p in n[1])]
        if not matched:
            raise ScenarioError(
                "--scale",
                s.pattern,
                f"matches no number of the file; paths look like {book.examples} "
                "(see the glob rules)",
            )
        matched = [n for n in matched if n[2] != 0]  # 0 times any draw stays 0
        if not matched:
            raise ScenarioError(
                "--scale", s.pattern, "matches only numbers that are 0, which scaling leaves 0"
            )
        for key, paths, base in matched:
            if key in keys:
                raise ScenarioError(
                    "--scale", s.pattern, f"{paths[0]} is varied twice (by another option)"
                )
            keys.append(key)
            inputs.append(
                Input(
                    paths[0],
                    book.label(key),
                    "scale",
                    s.dist.text,
                    book.is_weight(key),
                    base=float(base),
                    pattern=s.pattern,
                )
            )
            sources.append(Source(len(inputs) - 1, unit, s.dist, float(base)))
            unit += 1
    groups = []
    for simplex in study.simplex:
        members, signs, total, extensions = book.simplex(simplex)
        columns = []
        for cid in members:
            key = book.weight_key(simplex.player, cid)
            path = f"weights.{simplex.player}.{cid}"
            if key in keys:
                raise ScenarioError("--simplex", simplex.player, f"{path} is varied twice")
            keys.append(key)
            inputs.append(
                Input(path, book.label(key), "simplex", f"simplex:{simplex.player}", True)
            )
            columns.append(len(inputs) - 1)
        width = simplex_dims(len(members), extensions)
        groups.append(
            SimplexGroup(tuple(columns), tuple(range(unit, unit + width)), extensions, signs, total)
        )
        unit += width
    if not inputs:
        raise ScenarioError(
            "--vary", "", "nothing varies; give --vary PATH=DIST, --scale GLOB=DIST or --simplex"
        )
    if study.sampler == "saltelli" and groups:
        raise ScenarioError(
            "--sampler",
            "saltelli",
            "Sobol' indices need independent inputs, and simplex weights are not; use "
            "--sampler mc, sobol or lhs with --simplex",
        )
    return Resolved(tuple(inputs), tuple(keys), tuple(sources), tuple(groups), unit)


def check_settings(study: Study) -> None:
    """Check the study's settings (sampler, counts, seed) before anything is resolved."""
    if study.sampler not in SAMPLERS:
        raise ScenarioError("--sampler", study.sampler, f"expected one of: {', '.join(SAMPLERS)}")
    for name, value, low in (
        ("--samples", study.samples, 1),
        ("--seed", study.seed, 0),
        ("analysis_samples", study.analysis_samples, 0),
        ("confidence_samples", study.confidence_samples, 0),
    ):
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ScenarioError(name, "", f"expected a whole number >= {low}, got {value!r}")
    if study.samples > MAX_SAMPLES:
        raise LimitError(
            "--samples",
            "",
            f"at most {MAX_SAMPLES:,} draws per study; run several studies with other seeds",
        )


def samples_to_draw(study: Study, dims: int) -> int:
    """Draws to make: ``samples``, rounded up to whole base points for Saltelli's design."""
    if study.sampler != "saltelli":
        return study.samples
    step = dims + 2
    return -(-study.samples // step) * step


def analysis_draws(study: Study, dims: int) -> int:
    """Draws kept for sensitivity and discovery (whole Saltelli base points)."""
    n = min(study.analysis_samples, samples_to_draw(study, dims))
    if study.sampler == "saltelli":
        n -= n % (dims + 2)
    return n


# --------------------------------------------------------------------------- matrix numbers


@attrs.frozen(eq=False)
class _MatrixBook:
    """The numbers of a matrix scenario (see :class:`Book`)."""

    scenario: Scenario
    examples: str = (
        "weights.us.legitimacy, criteria.alliance_cohesion.scores[accept][full] or "
        "payoffs.row[0][1]"
    )

    def held(self) -> list[tuple[Key, tuple[str, ...], Fraction]]:
        return list(_held_numbers(self.scenario))

    def resolve(self, path: str) -> tuple[Key, str]:
        return _resolve(self.scenario, path)

    def label(self, key: Key) -> str:
        return _label(self.scenario, key)

    def is_weight(self, key: Key) -> bool:
        return bool(key[0] == "w")

    def simplex(
        self, simplex: Simplex
    ) -> tuple[tuple[str, ...], FloatArray, float, IntArray | None]:
        return simplex_weights(self.scenario, simplex)

    def weight_key(self, player: str, criterion: str) -> Key:
        return ("w", self.scenario.player_ids.index(player), criterion)


def _held_numbers(scenario: Scenario) -> list[tuple[Key, tuple[str, str], Fraction]]:
    """Every number the file holds: its key, its paths (ids form, positions form), value."""
    out: list[tuple[Key, tuple[str, str], Fraction]] = []
    rows, cols = scenario.players[0].strategy_ids, scenario.players[1].strategy_ids
    if scenario.payoffs is not None:
        for p, pid in enumerate(scenario.player_ids):
            for r, c in np.ndindex(scenario.shape):
                out.append(
                    (
                        ("s", p, r, c),
                        (f"payoffs.{pid}[{rows[r]}][{cols[c]}]", f"payoffs.{pid}[{r}][{c}]"),
                        scenario.payoffs[pid][r][c],
                    )
                )
        return out
    held = scenario.content.get("weights", {})
    for p, pid in enumerate(scenario.player_ids):
        for cid in held.get(pid, {}):
            path = f"weights.{pid}.{cid}"
            out.append((("w", p, cid), (path, path), scenario.weights[pid][cid]))
    for k, criterion in enumerate(scenario.criteria):
        for r, c in np.ndindex(scenario.shape):
            out.append(
                (
                    ("s", k, r, c),
                    (
                        f"criteria.{criterion.id}.scores[{rows[r]}][{cols[c]}]",
                        f"criteria.{criterion.id}.scores[{r}][{c}]",
                    ),
                    criterion.scores[r][c],
                )
            )
    return out


def _resolve(scenario: Scenario, path: str) -> tuple[Key, str]:
    """The key of the number an override path names (checked like ``--set``)."""
    scenario.with_overrides({path: 0})  # unknown paths raise the library's own message
    parts = parse_path(canonical_path(path, scenario))
    ids = scenario.player_ids
    if len(parts) == 3 and parts[0] == "weights" and scenario.payoffs is None:
        return ("w", ids.index(str(parts[1])), str(parts[2])), path
    if len(parts) == 5 and parts[0] == "criteria" and parts[2] == "scores":
        k = [c.id for c in scenario.criteria].index(str(parts[1]))
        return ("s", k, int(parts[3]), int(parts[4])), path
    if len(parts) == 4 and parts[0] == "payoffs":
        return ("s", ids.index(str(parts[1])), int(parts[2]), int(parts[3])), path
    raise ScenarioError(
        "--vary",
        path,
        "explore varies weights, criterion score cells and payoff cells (e.g. "
        "weights.us.legitimacy, criteria.alliance_cohesion.scores[accept][full])",
    )


def simplex_weights(
    scenario: Scenario | TreeScenario, simplex: Simplex
) -> tuple[tuple[str, ...], FloatArray, float, IntArray | None]:
    """A simplex's criteria, their signs, the sum of |weights| and allowed rankings."""
    if getattr(scenario, "payoffs", None) is not None or not scenario.criteria:
        raise ScenarioError(
            "--simplex", simplex.player, "needs a scenario with criteria and weights"
        )
    if simplex.player not in scenario.player_ids:
        raise ScenarioError(
            "--simplex",
            simplex.player,
            f"unknown player; expected one of: {', '.join(scenario.player_ids)}",
        )
    criterion_ids = [c.id for c in scenario.criteria]
    held = scenario.content.get("weights", {}).get(simplex.player, {})
    members = simplex.criteria or tuple(held)
    for cid in members:
        if cid not in criterion_ids:
            raise ScenarioError(
                "--simplex",
                simplex.player,
                f"unknown criterion {cid!r}; expected some of: {', '.join(criterion_ids)}",
            )
    if len(members) < 2:
        raise ScenarioError(
            "--simplex", simplex.player, "needs at least two criteria to share the weight"
        )
    file_weights = [scenario.weights[simplex.player].get(c, Fraction(0)) for c in members]
    signs = np.array([-1.0 if w < 0 else 1.0 for w in file_weights])
    total = float(sum((abs(w) for w in file_weights), Fraction(0))) or 1.0
    extensions = linear_extensions(members, simplex.order) if simplex.order else None
    return members, signs, total, extensions


def possessive(label: str) -> str:
    """``label``'s, or ``label``' after an s."""
    return f"{label}'" if label.endswith("s") else f"{label}'s"


def _label(scenario: Scenario, key: Key) -> str:
    """A varied number in words, from the scenario's labels."""
    players = scenario.players
    if key[0] == "w":
        criterion = next(c for c in scenario.criteria if c.id == key[2])
        return f"{possessive(players[key[1]].label)} weight on {criterion.label}"
    _, k, r, c = key
    cell = f"{players[0].strategies[r].label} / {players[1].strategies[c].label}"
    if scenario.payoffs is not None:
        return f"{possessive(players[k].label)} payoff at {cell}"
    return f"{scenario.criteria[k].label} score at {cell}"


# --------------------------------------------------------------------------- payoffs


def _dd(x: Fraction) -> tuple[float, float, float]:
    """``x`` as a double-double ``hi + lo`` and a bound on ``|x - hi - lo|``."""
    hi = float(x)
    rest = x - Fraction(hi)
    lo = float(rest)
    error = abs(rest - Fraction(lo))
    bound = float(error)
    if Fraction(bound) < error:
        bound = math.nextafter(bound, math.inf)
    return hi, lo, bound


@attrs.frozen(eq=False)
class _Term:
    """``weight * score`` of one criterion for one player, where something in it varies.

    ``weight_column`` is the draw column of a varied weight (-1: the constant ``weight``);
    ``score_columns[r, c]`` the column of a varied score cell (-1: constant
    ``scores[r][c]``). Cells where both are constant are part of the constant table and
    are 0 here.
    """

    weight_column: int
    weight: Fraction
    weight_dd: tuple[float, float, float]
    score_columns: IntArray
    scores: tuple[tuple[Fraction, ...], ...]
    score_hi: FloatArray
    score_lo: FloatArray
    score_res: FloatArray


@attrs.frozen(eq=False)
class MatrixModel:
    """The payoffs of both players as functions of the draws (module docstring)."""

    shape: tuple[int, int]
    constant: tuple[tuple[tuple[Fraction, ...], ...], ...]  # per player, exact (m, n) tables
    constant_dd: tuple[tuple[FloatArray, FloatArray, FloatArray], ...]
    terms: tuple[tuple[_Term, ...], ...]

    @classmethod
    def build(cls, scenario: Scenario, varied: Sequence[Key]) -> MatrixModel:
        """The model of ``scenario`` with the numbers at ``varied`` (in column order)."""
        m, n = scenario.shape
        column = {key: i for i, key in enumerate(varied)}
        if scenario.payoffs is not None:
            ids = scenario.player_ids
            weights = [[Fraction(int(p == k)) for k in range(2)] for p in range(2)]
            tables = [scenario.payoffs[pid] for pid in ids]
            weight_keys: list[list[Key | None]] = [[None, None], [None, None]]
        else:
            criteria = scenario.criteria
            weights = [
                [scenario.weights[pid].get(c.id, Fraction(0)) for c in criteria]
                for pid in scenario.player_ids
            ]
            tables = [c.scores for c in criteria]
            weight_keys = [[("w", p, c.id) for c in criteria] for p in range(2)]
        constants, constants_dd, all_terms = [], [], []
        for p in range(2):
            const = [[Fraction(0)] * n for _ in range(m)]
            terms = []
            for k, table in enumerate(tables):
                wkey = weight_keys[p][k]
                wcol = column.get(wkey, -1) if wkey is not None else -1
                w = weights[p][k]
                cols = np.full((m, n), -1, dtype=np.int64)
                for r, c in np.ndindex(m, n):
                    cols[r, c] = column.get(("s", k, r, c), -1)
                if wcol < 0 and w == 0:
                    continue  # a weight of 0 that does not vary: the criterion counts 0
                kept = [[Fraction(0)] * n for _ in range(m)]
                for r, c in np.ndindex(m, n):
                    if wcol < 0 and cols[r, c] < 0:
                        const[r][c] += w * table[r][c]
                    elif cols[r, c] < 0:
                        kept[r][c] = table[r][c]
                if wcol < 0 and (cols < 0).all():
                    continue
                dd = [[_dd(x) for x in row] for row in kept]
                terms.append(
                    _Term(
                        wcol,
                        w,
                        _dd(w),
                        cols,
                        tuple(tuple(row) for row in kept),
                        np.array([[d[0] for d in row] for row in dd]),
                        np.array([[d[1] for d in row] for row in dd]),
                        np.array([[d[2] for d in row] for row in dd]),
                    )
                )
            cdd = [[_dd(x) for x in row] for row in const]
            constants.append(tuple(tuple(row) for row in const))
            constants_dd.append(
                tuple(np.array([[d[i] for d in row] for row in cdd]) for i in range(3))
            )
            all_terms.append(tuple(terms))
        for table in constants:
            for x in (x for row in table for x in row):
                if x != 0 and abs(x) < Fraction(1, 2**900):
                    raise LimitError(
                        scenario.origin,
                        "",
                        "a payoff's fixed part is below 2**-900 in magnitude; explore needs "
                        "payoffs of ordinary floating-point size",
                    )
        return cls(
            (m, n),
            tuple(constants),
            tuple(constants_dd),  # type: ignore[arg-type]
            tuple(all_terms),
        )

    def payoffs(self, x: FloatArray) -> tuple[FloatArray, FloatArray, BoolArray]:
        """Float payoffs ``A``, ``B`` of every draw, and which draws must be solved exactly.

        Each payoff is within ``2 u |payoff|`` (u = 2**-53) of the exact payoff of the
        draw unless its draw is flagged (see the module docstring).
        """
        out = []
        flagged = np.zeros(len(x), dtype=bool)
        for p in range(2):
            value, suspect = self._player(p, x)
            out.append(value)
            flagged |= suspect.reshape(len(x), -1).any(axis=1)
            flagged |= self._float_ties(p, value, x)
        return out[0], out[1], flagged

    def solve(self, x: FloatArray, players: Sequence[PlayerInfo]) -> Solved:
        """Solve every draw exactly (batched engine, exact fallback; module docstring)."""
        A, B, forced = self.payoffs(x)
        batch = solve_batch(
            A,
            B,
            exact=lambda g: self.exact(x, g),
            rounding=2 * _U,
            force_exact=forced,
            chunk=max(1, len(x)),
        )
        n_draws = len(x)
        firsts = np.searchsorted(batch.game, np.arange(n_draws))
        eq_count = np.diff(np.append(firsts, len(batch.game)))
        probs = np.concatenate([batch.row, batch.col], axis=1)
        per_draw = np.add.reduceat(probs, firsts, axis=0) / eq_count[:, None]
        played = np.logical_or.reduceat(probs > 0, firsts, axis=0)
        labels, regime = _regimes(players, batch.game, probs, firsts, eq_count)
        return Solved(labels, regime, per_draw, played, batch.degenerate, batch.exact)

    def _player(self, p: int, x: FloatArray) -> tuple[FloatArray, BoolArray]:
        m, n = self.shape
        hi, lo, res = (a.reshape(-1) for a in self.constant_dd[p])
        terms = self.terms[p]
        cells = m * n
        wcol = np.array([t.weight_column for t in terms], dtype=np.int64)
        wdd = np.array([t.weight_dd for t in terms], dtype=np.float64).reshape(len(terms), 3)
        scol = np.array([t.score_columns.reshape(-1) for t in terms], dtype=np.int64)
        sdd = np.array(
            [
                [t.score_hi.reshape(-1), t.score_lo.reshape(-1), t.score_res.reshape(-1)]
                for t in terms
            ],
            dtype=np.float64,
        )
        value = np.empty((len(x), cells))
        suspect = np.empty((len(x), cells), dtype=np.bool_)
        _dot2_kernel()(
            np.ascontiguousarray(x, dtype=np.float64),
            hi,
            lo,
            res,
            wcol,
            wdd,
            scol.reshape(len(terms), cells),
            sdd.reshape(len(terms), 3, cells),
            value,
            suspect,
        )
        return value.reshape(len(x), m, n), suspect

    def _ties(
        self, p: int
    ) -> list[tuple[int, int, int, int, bool, list[tuple[int, float, int, float]]]]:
        """Cell pairs in one row or column of ``p``'s payoffs, and what makes them equal.

        Per pair: whether the fixed parts agree exactly, and for every term with a varied
        number in either cell the two numbers to compare per draw (a draw column, or -1
        and the fixed number as a float, NaN if the fixed number is not a float).
        """
        m, n = self.shape
        out = []
        for (r1, c1), (r2, c2) in _line_pairs(m, n):
            same = self.constant[p][r1][c1] == self.constant[p][r2][c2]
            varied = []
            for t in self.terms[p]:
                k1, k2 = int(t.score_columns[r1, c1]), int(t.score_columns[r2, c2])
                if k1 < 0 and k2 < 0:
                    same = same and t.scores[r1][c1] == t.scores[r2][c2]
                else:
                    varied.append(
                        (k1, _as_float(t.scores[r1][c1]), k2, _as_float(t.scores[r2][c2]))
                    )
            out.append((r1, c1, r2, c2, bool(same), varied))
        return out

    def _float_ties(self, p: int, value: FloatArray, x: FloatArray) -> BoolArray:
        """Draws where two payoffs in a row or column are equal floats but maybe not equal.

        The batched engine reads equal floats in a line as equal payoffs; that is safe when
        the two are the same sum of the same numbers (the compensated sums then agree too).
        """
        n_draws = len(value)
        flagged = np.zeros(n_draws, dtype=bool)
        m, n = self.shape
        pairs = _line_pairs(m, n)
        if len(pairs) <= 64:  # small games: compare the pairs directly
            candidates = np.zeros(n_draws, dtype=bool)
            for (r1, c1), (r2, c2) in pairs:
                candidates |= value[:, r1, c1] == value[:, r2, c2]
        else:  # large ones: equal neighbours after sorting each row and column
            candidates = (np.diff(np.sort(value, axis=2), axis=2) == 0).reshape(n_draws, -1).any(
                axis=1
            ) | (np.diff(np.sort(value, axis=1), axis=1) == 0).reshape(n_draws, -1).any(axis=1)
        rows = np.flatnonzero(candidates)
        if len(rows) == 0:
            return flagged
        v, xs = value[rows], x[rows]
        for r1, c1, r2, c2, same, varied in self._ties(p):
            equal = v[:, r1, c1] == v[:, r2, c2]
            if not equal.any():
                continue
            identical = np.full(len(rows), same)
            for k1, f1, k2, f2 in varied:
                a = xs[:, k1] if k1 >= 0 else f1
                b = xs[:, k2] if k2 >= 0 else f2
                identical &= a == b
            flagged[rows[equal & ~identical]] = True
        return flagged

    def exact(self, x: FloatArray, g: int) -> Game:
        """Draw ``g``'s game in exact arithmetic (draws taken at their binary value)."""
        tables = []
        m, n = self.shape
        for p in range(2):
            table = [list(row) for row in self.constant[p]]
            for t in self.terms[p]:
                w = Fraction(float(x[g, t.weight_column])) if t.weight_column >= 0 else t.weight
                for r, c in np.ndindex(m, n):
                    k = t.score_columns[r, c]
                    s = Fraction(float(x[g, k])) if k >= 0 else t.scores[r][c]
                    table[r][c] += w * s
            tables.append(table)
        return Game(tables[0], tables[1])


def _as_float(x: Fraction) -> float:
    """``x`` as a float if it is one exactly, else NaN (equal to no draw)."""
    f = float(x)
    return f if Fraction(f) == x else math.nan


def _line_pairs(m: int, n: int) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """Pairs of cells in one row or in one column."""
    pairs = []
    for r in range(m):
        pairs += [((r, a), (r, b)) for a in range(n) for b in range(a + 1, n)]
    for c in range(n):
        pairs += [((a, c), (b, c)) for a in range(m) for b in range(a + 1, m)]
    return pairs


def _dot2(
    x: FloatArray,
    const_hi: FloatArray,
    const_lo: FloatArray,
    const_res: FloatArray,
    wcol: IntArray,
    wdd: FloatArray,
    scol: IntArray,
    sdd: FloatArray,
    value: FloatArray,
    suspect: BoolArray,
) -> None:  # pragma: no cover - compiled by numba; tested through the payoffs
    """Every payoff of one player for every draw, compensated, with its error bound.

    Dot2 of Ogita, Rump and Oishi (2005, section 5), one payoff (draw ``g``, cell ``c``) at
    a time: the fixed part enters as its double-double ``hi + lo``; each term ``a * b``
    (weight times score, each a draw or a double-double constant) as the products
    ``a_hi b_hi``, ``a_hi b_lo`` and ``a_lo b_hi``, each split exactly into ``h + r``
    (Dekker's TwoProduct, split factor 2**27 + 1); the ``h`` are summed with TwoSum (Knuth)
    keeping each rounding error ``q``, and ``s`` collects ``q + r``. The result ``p + s``
    is within ``u |exact| + gamma(n)**2 sum |h| + rho`` of the exact payoff, where ``rho``
    bounds the error of the double-double constants (``|a| b_res + a_res |b|``) and ``n``
    counts the products, provided no product underflows (below 2**-900 counts as
    suspect). ``suspect`` marks payoffs whose bound, with a 1% margin, exceeds
    ``u (1 - 2u) |value|``; the others are within ``2u |value|`` of the exact payoff.
    """
    u = 2.0**-53
    split = 134217729.0
    n_draws, cells = value.shape
    n_terms = wcol.shape[0]
    for g in range(n_draws):
        for c in range(cells):
            p = const_hi[c]
            h = const_lo[c]
            t1 = p + h
            z = t1 - p
            s = (p - (t1 - z)) + (h - z)
            p = t1
            total = abs(const_hi[c]) + abs(const_lo[c])
            rho = const_res[c]
            count = 2
            tiny = False
            for t in range(n_terms):
                if wcol[t] >= 0:
                    a_hi = x[g, wcol[t]]
                    a_lo = 0.0
                    a_res = 0.0
                else:
                    a_hi = wdd[t, 0]
                    a_lo = wdd[t, 1]
                    a_res = wdd[t, 2]
                k = scol[t, c]
                if k >= 0:
                    b_hi = x[g, k]
                    b_lo = 0.0
                    b_res = 0.0
                else:
                    b_hi = sdd[t, 0, c]
                    b_lo = sdd[t, 1, c]
                    b_res = sdd[t, 2, c]
                rho += abs(a_hi) * b_res + a_res * (abs(b_hi) + abs(b_lo))
                for which in range(3):
                    if which == 0:
                        f1, f2 = a_hi, b_hi
                    elif which == 1:
                        f1, f2 = a_hi, b_lo
                    else:
                        f1, f2 = a_lo, b_hi
                    if f1 == 0.0 or f2 == 0.0:
                        continue
                    h = f1 * f2
                    c1 = split * f1
                    f1_hi = c1 - (c1 - f1)
                    f1_lo = f1 - f1_hi
                    c2 = split * f2
                    f2_hi = c2 - (c2 - f2)
                    f2_lo = f2 - f2_hi
                    r = f1_lo * f2_lo - (((h - f1_hi * f2_hi) - f1_lo * f2_hi) - f1_hi * f2_lo)
                    t1 = p + h
                    z = t1 - p
                    q = (p - (t1 - z)) + (h - z)
                    p = t1
                    s = s + (q + r)
                    total += abs(h)
                    count += 1
                    if abs(h) < 2.0**-900:
                        tiny = True
            result = p + s
            gamma = count * u / (1.0 - count * u)
            bound = 1.01 * ((1.0 + u) * rho + gamma * gamma * total)
            value[g, c] = result
            finite = abs(result) < np.inf
            suspect[g, c] = (
                tiny
                or not finite
                or (bound > 0.0 and not (bound <= u * (1.0 - 2.0 * u) * abs(result)))
            )


@functools.cache
def _dot2_kernel() -> Callable[..., None]:
    """:func:`_dot2` compiled with numba (cached on disk: compiled once per machine)."""
    import numba

    kernel: Callable[..., None] = numba.njit(cache=True)(_dot2)
    return kernel


def _regimes(
    players: Sequence[PlayerInfo],
    game: IntArray,
    probs: FloatArray,
    firsts: IntArray,
    eq_count: IntArray,
) -> tuple[tuple[str, ...], IntArray]:
    """Each draw's regime label (as sweeps name it), as sorted labels and an index."""
    m = len(players[0][1])
    supports = probs > 0
    if supports.shape[1] <= 62:  # one integer per support pair: a fast 1-D unique
        bits = supports.astype(np.int64) @ (np.int64(1) << np.arange(supports.shape[1]))
        _, first_of, code = np.unique(bits, return_index=True, return_inverse=True)
        shapes = supports[first_of]
    else:
        shapes, code = np.unique(supports, axis=0, return_inverse=True)
    code = code.reshape(-1)
    single = eq_count == 1
    names: dict[tuple[int, ...], str] = {}
    for c in np.unique(code[firsts[single]]):
        names[(int(c),)] = regime_label([_row(players, shapes[c], m)], players)
    several: dict[int, tuple[int, ...]] = {}
    for g in np.flatnonzero(~single):
        key = tuple(int(c) for c in code[firsts[g] : firsts[g] + eq_count[g]])
        several[int(g)] = key
        if key not in names:
            names[key] = regime_label([_row(players, shapes[c], m) for c in key], players)
    labels = tuple(sorted(set(names.values())))
    position = {label: i for i, label in enumerate(labels)}
    by_code = np.zeros(len(shapes), dtype=np.int64)
    for key, label in names.items():
        if len(key) == 1:
            by_code[key[0]] = position[label]
    regime: IntArray = by_code[code[firsts]]
    for draw, key in several.items():
        regime[draw] = position[names[key]]
    return labels, regime


def _row(players: Sequence[PlayerInfo], support: BoolArray, m: int) -> dict[str, Any]:
    """A results-table row with the given supports, enough for :func:`regime_label`."""
    row: dict[str, Any] = {}
    offset = 0
    for pid, sids, _, _ in players:
        for j, sid in enumerate(sids):
            row[f"prob.{pid}.{sid}"] = 1.0 if support[offset + j] else 0.0
        offset += len(sids)
    row["pure"] = int(support[:m].sum()) == 1 and int(support[m:].sum()) == 1
    return row


__all__ = [
    "ANALYSIS_SAMPLES",
    "CONFIDENCE_SAMPLES",
    "MAX_SAMPLES",
    "MatrixModel",
    "Plan",
    "Solved",
    "Study",
    "check_settings",
    "plan_matrix",
    "resolve_inputs",
]
