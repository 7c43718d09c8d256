"""Uncertainty analysis: how often each equilibrium outcome holds when the numbers vary.

A scenario's weights and scores are judgements. :func:`explore` draws many plausible
versions of them (:mod:`negotiation.studies.sampling`: distributions on chosen numbers,
relative scalings, weights on a simplex) and solves every draw completely, so it can say
"the US accepts in 2% of plausible weightings (95% CI 1.8% to 2.2%), and these two numbers
drive it". It reports, after the stochastic multicriteria acceptability analysis of
Lahdelma, Hokkanen and Salminen (1998) and its SMAA-2 extension (Lahdelma and Salminen,
"SMAA-2", *Operations Research* 49, 2001), with equilibrium regimes in the place of
alternatives:

- **acceptability indices**: the share of draws in each regime (the equilibrium set,
  labelled exactly as sweeps label it, :func:`negotiation.studies.sweep.regime_label`),
  with Wilson 95% intervals (Wilson, *JASA* 22, 1927; Brown, Cai and DasGupta,
  *Statistical Science* 16, 2001);
- per strategy, the share of draws in which some equilibrium ``played`` it and its
  ``mean_probability`` (per draw averaged over the draw's extreme equilibria); the share
  of degenerate draws;
- **central weights** (the mean of the varied weights over a regime's draws) and
  **confidence factors** (the share of draws of the other varied numbers, weights held at
  the regime's central weights, that stay in the regime);
- **sensitivity** of each regime indicator and strategy probability to each varied number
  (SALib: PAWN for any design, Sobol' first and total order indices with the ``saltelli``
  sampler), with a convergence check at N/4, N/2 and N;
- **scenario discovery**: readable rules (:mod:`negotiation.studies.discovery`).

How a draw is solved
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

Determinism and scale
    Draws are made and solved in chunks of whole stream blocks; every total is a sum of
    integers or an exact sum (in fractions) of per-block float sums, so the same seed gives
    byte-identical results whatever the chunk size, the number of workers or the scheduler.
    Memory is bounded by the chunk and by :data:`ANALYSIS_SAMPLES` (the first draws, kept
    for sensitivity, discovery and plots), not by the number of draws. Chunks can run on a
    Dask cluster (:func:`run_chunks`); Dask is optional (``pip install
    negotiation[distributed]``) and imported only then.
"""

from __future__ import annotations

import contextlib
import functools
import importlib
import json
import math
import warnings
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]

from negotiation.errors import LimitError, ScenarioError, UserError
from negotiation.model.overrides import canonical_path, parse_path
from negotiation.model.payoffs import Game
from negotiation.model.scenario import Scenario
from negotiation.solvers.batch import solve_batch
from negotiation.studies.sampling import (
    SAMPLERS,
    STREAM_BLOCK,
    Distribution,
    FloatArray,
    IntArray,
    Scale,
    Simplex,
    Vary,
    blocks,
    glob_regex,
    linear_extensions,
    simplex_dims,
    simplex_points,
    unit_points,
)
from negotiation.studies.sweep import player_info, regime_label

BoolArray = npt.NDArray[np.bool_]

#: Draws solved together in one chunk (a multiple of the stream block).
CHUNK = 16 * STREAM_BLOCK

#: Draws kept, from the first, for sensitivity, scenario discovery and the scatter plot.
ANALYSIS_SAMPLES = 2**15

#: Draws per regime for its confidence factor (one draw if only weights vary).
CONFIDENCE_SAMPLES = 2048

#: Most regimes given a confidence factor (the largest ones).
CONFIDENCE_REGIMES = 10

#: Most draws one study may take.
MAX_SAMPLES = 10**9

#: Slices of each input in PAWN (Pianosi and Wagener 2015 use 10).
PAWN_SLICES = 10

#: Sobol' bootstrap resamples for the confidence intervals of the indices.
SOBOL_RESAMPLES = 100

#: An output is analysed for sensitivity when its share (mean) lies in this range.
ANALYSED_SHARE = (0.005, 0.995)

#: Most outputs analysed for sensitivity (regimes first, largest first).
MAX_OUTPUTS = 12

#: Spawn-key prefix of the confidence-factor draws (the main draws use none).
CONFIDENCE_STREAM = 1_000_003

_U = 2.0**-53
#: z for a two-sided 95% interval, scipy.stats.norm.ppf(0.975).
_Z95 = 1.959963984540054


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

    scenario: Scenario
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


@attrs.frozen
class Input:
    """One varied number: where it is, what it is in words, and how it is drawn.

    ``kind`` is ``vary`` (drawn from ``dist``), ``scale`` (``base`` times a draw from
    ``dist``) or ``simplex`` (``dist`` is ``simplex:<player>``); ``weight`` says whether it
    is a weight (central weights are computed over weights).
    """

    path: str
    label: str
    kind: str
    dist: str
    weight: bool
    base: float | None = None
    pattern: str | None = None

    def describe(self) -> dict[str, Any]:
        """The input as listed under ``vary`` in ``summary.json``."""
        out: dict[str, Any] = {"path": self.path, "dist": self.dist, "kind": self.kind}
        out["label"] = self.label
        if self.base is not None:
            out["base"] = self.base
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


# A number of the scenario, by location: ("w", player, criterion), ("s", criterion, r, c).
_Key = tuple[Any, ...]


@attrs.frozen(eq=False)
class _Source:
    """How one column of the draws is made from the unit cube."""

    column: int
    unit: int
    dist: Distribution
    base: float | None


@attrs.frozen(eq=False)
class _SimplexGroup:
    columns: tuple[int, ...]
    units: tuple[int, ...]
    extensions: IntArray | None
    signs: FloatArray
    total: float


@attrs.frozen(eq=False)
class Plan:
    """A study resolved against its scenario: inputs, draws and the payoff model.

    Built by :func:`plan`; plain data, so it can be sent to Dask workers.
    """

    name: str
    inputs: tuple[Input, ...]
    sources: tuple[_Source, ...]
    groups: tuple[_SimplexGroup, ...]
    dims: int
    model: _Model
    players: tuple[tuple[str, tuple[str, ...], str, tuple[str, ...]], ...]
    samples: int
    seed: int
    sampler: str
    analysis_samples: int
    confidence_samples: int

    @property
    def weight_columns(self) -> tuple[int, ...]:
        """Columns of the draws that are weights."""
        return tuple(i for i, x in enumerate(self.inputs) if x.weight)

    @property
    def strategies(self) -> tuple[tuple[str, str], ...]:
        """(player id, strategy id) of every strategy, row player first."""
        return tuple((pid, s) for pid, sids, _, _ in self.players for s in sids)

    def values(self, u: FloatArray) -> FloatArray:
        """The varied numbers of each draw from its unit-cube point."""
        x = np.empty((len(u), len(self.inputs)))
        for s in self.sources:
            drawn = s.dist.ppf(u[:, s.unit])
            x[:, s.column] = drawn if s.base is None else s.base * drawn
        for g in self.groups:
            w = simplex_points(u[:, list(g.units)], len(g.columns), g.extensions)
            x[:, list(g.columns)] = w * (g.total * g.signs)
        return x


def plan(study: Study) -> Plan:
    """Resolve a study against its scenario, checking everything a user could get wrong.

    Raises :class:`~negotiation.errors.ScenarioError` (or :class:`LimitError`) naming the
    option or the file, the key and what was expected.
    """
    scenario = study.scenario
    if not isinstance(scenario, Scenario):
        raise ScenarioError(
            getattr(scenario, "origin", "<scenario>"),
            "",
            "explore works on matrix scenarios (criteria with weights, or payoff tables)",
        )
    _check_settings(study)
    numbers = _held_numbers(scenario)
    inputs: list[Input] = []
    keys: list[_Key] = []
    sources: list[_Source] = []
    unit = 0
    for v in study.vary:
        key, shown = _resolve(scenario, v.path)
        if key in keys:
            raise ScenarioError("--vary", v.path, "this number is already varied")
        keys.append(key)
        inputs.append(Input(shown, _label(scenario, key), "vary", v.dist.text, key[0] == "w"))
        sources.append(_Source(len(inputs) - 1, unit, v.dist, None))
        unit += 1
    for s in study.scale:
        regex = glob_regex(s.pattern)
        matched = [n for n in numbers if any(regex.fullmatch(p) for p in n[1])]
        if not matched:
            raise ScenarioError(
                "--scale",
                s.pattern,
                "matches no number of the file; paths look like weights.us.legitimacy, "
                "criteria.wedge.scores[accept][full] or payoffs.row[0][1] (see the glob rules)",
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
                    _label(scenario, key),
                    "scale",
                    s.dist.text,
                    key[0] == "w",
                    base=float(base),
                    pattern=s.pattern,
                )
            )
            sources.append(_Source(len(inputs) - 1, unit, s.dist, float(base)))
            unit += 1
    groups = []
    for simplex in study.simplex:
        members, signs, total, extensions = _simplex(scenario, simplex)
        columns = []
        for cid in members:
            key = ("w", scenario.player_ids.index(simplex.player), cid)
            path = f"weights.{simplex.player}.{cid}"
            if key in keys:
                raise ScenarioError("--simplex", simplex.player, f"{path} is varied twice")
            keys.append(key)
            inputs.append(
                Input(path, _label(scenario, key), "simplex", f"simplex:{simplex.player}", True)
            )
            columns.append(len(inputs) - 1)
        width = simplex_dims(len(members), extensions)
        groups.append(
            _SimplexGroup(
                tuple(columns), tuple(range(unit, unit + width)), extensions, signs, total
            )
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
    return Plan(
        name=scenario.name,
        inputs=tuple(inputs),
        sources=tuple(sources),
        groups=tuple(groups),
        dims=unit,
        model=_Model.build(scenario, keys),
        players=player_info(scenario),
        samples=_samples(study, unit),
        seed=study.seed,
        sampler=study.sampler,
        analysis_samples=_analysis(study, unit),
        confidence_samples=study.confidence_samples,
    )


def _check_settings(study: Study) -> None:
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


def _samples(study: Study, dims: int) -> int:
    """Draws to make: ``samples``, rounded up to whole base points for Saltelli's design."""
    if study.sampler != "saltelli":
        return study.samples
    step = dims + 2
    return -(-study.samples // step) * step


def _analysis(study: Study, dims: int) -> int:
    n = min(study.analysis_samples, _samples(study, dims))
    if study.sampler == "saltelli":
        n -= n % (dims + 2)
    return n


def _held_numbers(scenario: Scenario) -> list[tuple[_Key, tuple[str, str], Fraction]]:
    """Every number the file holds: its key, its paths (ids form, positions form), value."""
    out: list[tuple[_Key, tuple[str, str], Fraction]] = []
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


def _resolve(scenario: Scenario, path: str) -> tuple[_Key, str]:
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
        "weights.us.legitimacy, criteria.wedge.scores[accept][full])",
    )


def _simplex(
    scenario: Scenario, simplex: Simplex
) -> tuple[tuple[str, ...], FloatArray, float, IntArray | None]:
    """A simplex's criteria, their signs, the sum of |weights| and allowed rankings."""
    if scenario.payoffs is not None:
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


def _possessive(label: str) -> str:
    return f"{label}'" if label.endswith("s") else f"{label}'s"


def _label(scenario: Scenario, key: _Key) -> str:
    """A varied number in words, from the scenario's labels."""
    players = scenario.players
    if key[0] == "w":
        criterion = next(c for c in scenario.criteria if c.id == key[2])
        return f"{_possessive(players[key[1]].label)} weight on {criterion.label}"
    _, k, r, c = key
    cell = f"{players[0].strategies[r].label} / {players[1].strategies[c].label}"
    if scenario.payoffs is not None:
        return f"{_possessive(players[k].label)} payoff at {cell}"
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
class _Model:
    """The payoffs of both players as functions of the draws (module docstring)."""

    shape: tuple[int, int]
    constant: tuple[tuple[tuple[Fraction, ...], ...], ...]  # per player, exact (m, n) tables
    constant_dd: tuple[tuple[FloatArray, FloatArray, FloatArray], ...]
    terms: tuple[tuple[_Term, ...], ...]

    @classmethod
    def build(cls, scenario: Scenario, varied: Sequence[_Key]) -> _Model:
        """The model of ``scenario`` with the numbers at ``varied`` (in column order)."""
        m, n = scenario.shape
        column = {key: i for i, key in enumerate(varied)}
        if scenario.payoffs is not None:
            ids = scenario.player_ids
            weights = [[Fraction(int(p == k)) for k in range(2)] for p in range(2)]
            tables = [scenario.payoffs[pid] for pid in ids]
            weight_keys: list[list[_Key | None]] = [[None, None], [None, None]]
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


# --------------------------------------------------------------------------- one chunk


@attrs.frozen(eq=False)
class ChunkResult:
    """The totals of draws ``start`` to ``stop - 1`` and, maybe, their per-draw data.

    ``counts[label]`` holds the draws in each regime split at N/4 and N/2 (three numbers);
    ``prob_sums`` and ``weight_sums`` are exact sums of per-block float sums, as integers
    in units of 2**-1074 (:func:`units`), so totals do not depend on how draws are split
    into chunks. ``rows`` holds per-draw
    arrays for draws ``start`` to ``start + len(rows["regime"]) - 1``: ``x`` (the varied
    numbers), ``regime`` (an index into ``labels``), ``probs`` (each strategy's probability
    averaged over the draw's equilibria) and ``degenerate``.
    """

    start: int
    stop: int
    labels: tuple[str, ...]
    counts: dict[str, list[int]]
    degenerate: list[int]
    exact: int
    played: list[int]
    prob_sums: list[int]
    weight_sums: dict[str, list[int]]
    rows: dict[str, np.ndarray[Any, Any]]

    def to_json(self) -> str:
        """The totals as JSON (``rows`` are saved apart)."""
        return json.dumps(
            {
                "start": self.start,
                "stop": self.stop,
                "labels": list(self.labels),
                "counts": self.counts,
                "degenerate": self.degenerate,
                "exact": self.exact,
                "played": self.played,
                "prob_sums": [str(f) for f in self.prob_sums],
                "weight_sums": {k: [str(f) for f in v] for k, v in self.weight_sums.items()},
            },
            sort_keys=True,
        )

    @classmethod
    def from_json(cls, text: str, rows: Mapping[str, np.ndarray[Any, Any]]) -> ChunkResult:
        """Read back :meth:`to_json` output (``ValueError``/``KeyError`` if malformed)."""
        data = json.loads(text)
        return cls(
            start=int(data["start"]),
            stop=int(data["stop"]),
            labels=tuple(str(x) for x in data["labels"]),
            counts={str(k): [int(c) for c in v] for k, v in data["counts"].items()},
            degenerate=[int(c) for c in data["degenerate"]],
            exact=int(data["exact"]),
            played=[int(c) for c in data["played"]],
            prob_sums=[int(f) for f in data["prob_sums"]],
            weight_sums={str(k): [int(f) for f in v] for k, v in data["weight_sums"].items()},
            rows=dict(rows),
        )


#: Exact sums of floats are integers in units of the smallest subnormal, 2**-1074.
FIXED_SCALE = 1074


def units(value: float) -> int:
    """``value`` exactly, as an integer number of 2**-1074 (every float is one).

    >>> units(0.5) == 2**1073, from_units(units(0.1) + units(0.2)) == 0.30000000000000004
    (True, True)
    """
    numerator, denominator = float(value).as_integer_ratio()
    return numerator << (FIXED_SCALE + 1 - denominator.bit_length())


def from_units(total: int, count: int = 1) -> float:
    """The float nearest to ``total`` (in units of 2**-1074) divided by ``count``."""
    return float(Fraction(total, count << FIXED_SCALE))


def chunk_ranges(
    samples: int, chunk: int = CHUNK, skip: Iterable[tuple[int, int]] = ()
) -> list[tuple[int, int]]:
    """Ranges ``[start, stop)`` covering ``0 .. samples - 1`` minus ``skip``, in order.

    ``chunk`` is rounded up to a whole number of stream blocks, and every range starts on
    a block boundary unless a skipped range ends elsewhere (it cannot: saved chunks were
    made by this function).
    """
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise ScenarioError("--chunk", "", f"expected a whole number >= 1, got {chunk!r}")
    size = -(-chunk // STREAM_BLOCK) * STREAM_BLOCK
    done = sorted(skip)
    out = []
    position = 0
    for lo, hi in [*done, (samples, samples)]:
        while position < lo:
            stop = min(lo, position + size)
            out.append((position, stop))
            position = stop
        position = max(position, hi)
    return out


def compute_chunk(
    plan: Plan,
    start: int,
    stop: int,
    *,
    stream: tuple[int, ...] = (),
    fixed: Mapping[int, float] | None = None,
    keep: int = 0,
) -> ChunkResult:
    """Draw and solve draws ``start`` to ``stop - 1`` of ``plan``; keep per-draw rows.

    Per-draw rows are kept for draws below ``keep``; ``fixed`` holds draw columns set to
    a value for every draw (weights held at central weights for confidence factors);
    ``stream`` picks the design (see :func:`negotiation.studies.sampling.unit_points`).
    """
    u = unit_points(plan.sampler, plan.seed, plan.dims, start, stop, stream)
    x = plan.values(u)
    for column, value in (fixed or {}).items():
        x[:, column] = value
    too_big = np.abs(x) > 1e100
    if too_big.any() or not np.isfinite(x).all():
        column = int(np.flatnonzero((too_big | ~np.isfinite(x)).any(axis=0))[0])
        culprit = plan.inputs[column]
        raise LimitError(
            f"--{culprit.kind}",
            culprit.path,
            "a draw exceeds 1e100 in magnitude; narrow the distribution",
        )
    model = plan.model
    A, B, forced = model.payoffs(x)
    batch = solve_batch(
        A,
        B,
        exact=lambda g: model.exact(x, g),
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
    labels, regime = _regimes(plan, batch.game, probs, firsts, eq_count)
    index = np.arange(start, stop)
    segments = np.searchsorted([plan.samples // 4, plan.samples // 2], index, side="right")
    counts = {
        label: np.bincount(segments[regime == i], minlength=3).tolist()
        for i, label in enumerate(labels)
    }
    weights = plan.weight_columns
    prob_sums = [0] * probs.shape[1]
    weight_sums = {label: [0] * len(weights) for label in labels}
    for lo, hi in blocks(start, stop):
        part = slice(lo - start, hi - start)
        sums = per_draw[part].sum(axis=0)
        prob_sums = [a + units(b) for a, b in zip(prob_sums, sums, strict=True)]
        if weights:
            block_regime = regime[part]
            present = np.flatnonzero(np.bincount(block_regime, minlength=len(labels)))
            per_weight = [
                np.bincount(block_regime, weights=x[part, c], minlength=len(labels))
                for c in weights
            ]
            for i in present:
                label = labels[i]
                weight_sums[label] = [
                    a + units(b[i]) for a, b in zip(weight_sums[label], per_weight, strict=True)
                ]
    kept = max(0, min(stop, keep) - start)
    return ChunkResult(
        start=start,
        stop=stop,
        labels=labels,
        counts=counts,
        degenerate=np.bincount(segments[batch.degenerate], minlength=3).tolist(),
        exact=int(batch.exact.sum()),
        played=played.sum(axis=0).tolist(),
        prob_sums=prob_sums,
        weight_sums=weight_sums,
        rows={
            "x": x[:kept].copy(),
            "regime": regime[:kept].astype(np.int32),
            "probs": per_draw[:kept].copy(),
            "degenerate": batch.degenerate[:kept].copy(),
        },
    )


def _regimes(
    plan: Plan,
    game: IntArray,
    probs: FloatArray,
    firsts: IntArray,
    eq_count: IntArray,
) -> tuple[tuple[str, ...], IntArray]:
    """Each draw's regime label (as sweeps name it), as sorted labels and an index."""
    m = len(plan.players[0][1])
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
        names[(int(c),)] = regime_label([_row(plan, shapes[c], m)], plan.players)
    several: dict[int, tuple[int, ...]] = {}
    for g in np.flatnonzero(~single):
        key = tuple(int(c) for c in code[firsts[g] : firsts[g] + eq_count[g]])
        several[int(g)] = key
        if key not in names:
            names[key] = regime_label([_row(plan, shapes[c], m) for c in key], plan.players)
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


def _row(plan: Plan, support: BoolArray, m: int) -> dict[str, Any]:
    """A results-table row with the given supports, enough for :func:`regime_label`."""
    row: dict[str, Any] = {}
    offset = 0
    for pid, sids, _, _ in plan.players:
        for j, sid in enumerate(sids):
            row[f"prob.{pid}.{sid}"] = 1.0 if support[offset + j] else 0.0
        offset += len(sids)
    row["pure"] = int(support[:m].sum()) == 1 and int(support[m:].sum()) == 1
    return row


# --------------------------------------------------------------------------- running


def run_chunks(
    plan: Plan,
    ranges: Sequence[tuple[int, int]],
    on_result: Callable[[ChunkResult], None],
    *,
    keep: int = 0,
    scheduler: Any = None,
    workers: int | None = None,
) -> None:
    """Compute chunks and pass each result to ``on_result`` as it finishes.

    In-process by default, in order. ``scheduler`` (the address of a Dask distributed
    scheduler, or a ``distributed.Client``) or ``workers`` (start a local Dask cluster of
    that many single-threaded worker processes) run the chunks on Dask; results arrive in
    any order and are the same as in-process. Dask is imported only here; without it a
    :class:`~negotiation.errors.UserError` says how to install it. Workers of an existing
    cluster run fastest with ``MALLOC_TRIM_THRESHOLD_`` unset (see :func:`local_cluster`).
    """
    if scheduler is None and workers is None:
        for start, stop in ranges:
            on_result(compute_chunk(plan, start, stop, keep=keep))
        return
    if workers is not None and (
        isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
    ):
        raise UserError("--workers", "", f"expected a whole number >= 1, got {workers!r}")
    try:
        dask: Any = importlib.import_module("distributed")
    except ImportError:
        option = "--scheduler" if scheduler is not None else "--workers"
        raise UserError(
            option,
            "",
            "running on Dask needs the optional dependency: pip install 'negotiation[distributed]'",
        ) from None
    cluster: Any = None
    client: Any
    if isinstance(scheduler, dask.Client):
        client = scheduler
    elif scheduler is not None:
        try:
            client = dask.Client(str(scheduler), timeout="20s")
        except OSError as error:
            raise UserError(
                "--scheduler", str(scheduler), f"cannot reach a Dask scheduler ({error})"
            ) from None
    else:
        cluster = local_cluster(workers or 1)
        client = dask.Client(cluster)
    try:
        shared = client.scatter(plan, broadcast=True, hash=False)
        futures = [
            client.submit(compute_chunk, shared, start, stop, keep=keep, pure=False)
            for start, stop in ranges
        ]
        try:
            for future in dask.as_completed(futures):
                on_result(future.result())
        finally:
            for future in futures:
                future.cancel()
    finally:
        if client is not scheduler:
            client.close()
        if cluster is not None:
            cluster.close()


def local_cluster(workers: int, *, processes: bool = True) -> Any:
    """A Dask ``LocalCluster`` of ``workers`` single-threaded workers, set up for explore.

    Dask's nanny sets ``MALLOC_TRIM_THRESHOLD_`` in its worker processes, which turns off
    glibc's adaptive mmap threshold: every temporary array above 128 KiB is then mapped and
    unmapped afresh, and the numpy work of a chunk costs about four times the CPU. The
    workers started here keep the default allocator. Needs ``distributed``.
    """
    dask: Any = importlib.import_module("dask")
    distributed: Any = importlib.import_module("distributed")
    with dask.config.set({"distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None}):
        return distributed.LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=processes,
            dashboard_address=None,
        )


@attrs.define
class Totals:
    """Sums over every chunk seen so far; the order chunks arrive in does not matter."""

    plan: Plan
    counts: dict[str, list[int]] = attrs.field(factory=dict)
    degenerate: list[int] = attrs.field(factory=lambda: [0, 0, 0])
    exact: int = 0
    played: list[int] = attrs.field(factory=list)
    prob_sums: list[int] = attrs.field(factory=list)
    weight_sums: dict[str, list[int]] = attrs.field(factory=dict)
    done: list[tuple[int, int]] = attrs.field(factory=list)
    rows: dict[int, dict[str, np.ndarray[Any, Any]]] = attrs.field(factory=dict)

    def __attrs_post_init__(self) -> None:
        size = len(self.plan.strategies)
        self.played = self.played or [0] * size
        self.prob_sums = self.prob_sums or [0] * size

    def add(self, chunk: ChunkResult, analysis: int) -> None:
        """Add one chunk's totals, and its per-draw rows below draw ``analysis``."""
        for label, counts in chunk.counts.items():
            mine = self.counts.setdefault(label, [0, 0, 0])
            for i, c in enumerate(counts):
                mine[i] += c
        self.degenerate = [a + b for a, b in zip(self.degenerate, chunk.degenerate, strict=True)]
        self.exact += chunk.exact
        self.played = [a + b for a, b in zip(self.played, chunk.played, strict=True)]
        self.prob_sums = [a + b for a, b in zip(self.prob_sums, chunk.prob_sums, strict=True)]
        for label, sums in chunk.weight_sums.items():
            mine_sums = self.weight_sums.setdefault(label, [0] * len(sums))
            self.weight_sums[label] = [a + b for a, b in zip(mine_sums, sums, strict=True)]
        self.done.append((chunk.start, chunk.stop))
        kept = max(0, min(chunk.stop, analysis) - chunk.start)
        if kept:
            rows = {k: v[:kept] for k, v in chunk.rows.items()}
            rows["regime"] = np.array(chunk.labels, dtype=object)[rows["regime"]]
            self.rows[chunk.start] = rows

    @property
    def samples(self) -> int:
        """Draws counted so far."""
        return sum(hi - lo for lo, hi in self.done)

    def analysis_rows(self) -> dict[str, np.ndarray[Any, Any]]:
        """The kept per-draw rows, in draw order (regime as labels)."""
        keys = ("x", "regime", "probs", "degenerate")
        parts = [self.rows[s] for s in sorted(self.rows)]
        if not parts:
            width = len(self.plan.inputs)
            return {
                "x": np.zeros((0, width)),
                "regime": np.zeros(0, dtype=object),
                "probs": np.zeros((0, len(self.plan.strategies))),
                "degenerate": np.zeros(0, dtype=bool),
            }
        return {k: np.concatenate([p[k] for p in parts]) for k in keys}


# --------------------------------------------------------------------------- the result


@attrs.frozen(eq=False)
class ExploreResult:
    """A finished study: the ``summary.json`` document and the analysed draws.

    ``summary`` is the document (see :func:`summary`); ``rows`` the first draws (``x``
    with one column per input of ``plan.inputs``, ``regime`` labels, ``probs``,
    ``degenerate``), which the scatter plot and further analysis use.
    """

    plan: Plan
    summary: dict[str, Any]
    rows: dict[str, np.ndarray[Any, Any]]

    def to_json(self) -> str:
        """``summary.json``'s text: stable keys, sorted, ends with a newline."""
        return json.dumps(self.summary, indent=2, sort_keys=True, allow_nan=False) + "\n"


def explore(
    study: Study,
    *,
    chunk: int = CHUNK,
    scheduler: Any = None,
    workers: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ExploreResult:
    """Run an uncertainty study in memory (see the module docstring).

    The same seed gives the same result whatever ``chunk``, ``scheduler`` or ``workers``.

    >>> from negotiation import load
    >>> study = Study(load("rare-earth"), vary=["weights.us.supply_security=uniform:0:6"],
    ...               samples=3000, seed=1, confidence_samples=0)
    >>> result = explore(study)
    >>> [(r["label"], round(r["share"], 2)) for r in result.summary["regimes"]]
    [('Diversify / Full offer', 0.67), ('Accept / Full offer', 0.33)]
    """
    resolved = plan(study)
    totals = Totals(resolved)

    def take(result: ChunkResult) -> None:
        totals.add(result, resolved.analysis_samples)
        if progress is not None:
            progress(totals.samples, resolved.samples)

    run_chunks(
        resolved,
        chunk_ranges(resolved.samples, chunk),
        take,
        keep=resolved.analysis_samples,
        scheduler=scheduler,
        workers=workers,
    )
    return finish(resolved, totals, study.scenario.name, baseline=study.scenario)


def finish(
    resolved: Plan, totals: Totals, scenario: str, *, baseline: Scenario | None = None
) -> ExploreResult:
    """Turn complete totals into the result: shares, intervals, confidence, sensitivity.

    With ``baseline`` (the study's scenario at its own numbers) the summary also holds
    ``verdicts`` (:func:`verdicts`): whether each baseline choice is robust or fragile.
    """
    if totals.samples != resolved.samples:
        raise ValueError(f"totals hold {totals.samples} of {resolved.samples} draws")
    rows = totals.analysis_rows()
    confidence = _confidence(resolved, totals)
    document = summary(resolved, totals, rows, confidence, scenario)
    if baseline is not None:
        try:
            document["verdicts"] = verdicts(baseline, document)
        except LimitError:  # too large to solve exactly at its own numbers: no verdict
            document["verdicts"] = []
    return ExploreResult(resolved, document, rows)


def wilson(count: int, n: int, z: float = _Z95) -> tuple[float, float]:
    """Wilson's score interval for a binomial share ``count / n`` (Wilson 1927).

    >>> [round(v, 4) for v in wilson(10, 30)]
    [0.1923, 0.5122]
    """
    if n == 0:
        return 0.0, 1.0
    p = count / n
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z / (1 + z2 / n) * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - half), min(1.0, centre + half)


def _ranked(totals: Totals) -> list[tuple[str, int]]:
    """Regimes by size, largest first (ties by label)."""
    return sorted(((k, sum(v)) for k, v in totals.counts.items()), key=lambda t: (-t[1], t[0]))


def _central(resolved: Plan, totals: Totals) -> dict[str, dict[str, float]]:
    weights = resolved.weight_columns
    out = {}
    for label, count in _ranked(totals):
        if weights and count:
            sums = totals.weight_sums[label]
            out[label] = {
                resolved.inputs[c].path: from_units(s, count)
                for c, s in zip(weights, sums, strict=True)
            }
    return out


def _confidence(resolved: Plan, totals: Totals) -> dict[str, float]:
    """SMAA-2 confidence factors (Lahdelma and Salminen 2001).

    With the weights held at a regime's central weights, the share of draws of everything
    else that stays in the regime.
    """
    weights = resolved.weight_columns
    if not weights or resolved.confidence_samples == 0:
        return {}
    central = _central(resolved, totals)
    others = len(weights) < len(resolved.inputs)
    n = resolved.confidence_samples if others else 1
    out = {}
    for r, (label, _) in enumerate(_ranked(totals)[:CONFIDENCE_REGIMES]):
        fixed = {c: central[label][resolved.inputs[c].path] for c in weights}
        hits = 0
        for start, stop in chunk_ranges(n):
            part = compute_chunk(resolved, start, stop, stream=(CONFIDENCE_STREAM, r), fixed=fixed)
            hits += sum(part.counts.get(label, [0]))
        out[label] = hits / n
    return out


def summary(
    resolved: Plan,
    totals: Totals,
    rows: Mapping[str, np.ndarray[Any, Any]],
    confidence: Mapping[str, float],
    scenario: str,
) -> dict[str, Any]:
    """The ``summary.json`` document (keys stable; new keys may be added).

    ``scenario``, ``samples``, ``seed``, ``sampler``, ``players`` (ids and labels),
    ``vary`` (one entry per varied number: ``path``, ``dist``, ``kind``, ``label``),
    ``regimes`` (``label``, ``share``, ``ci95``, ``count``, ``central_weights``,
    ``confidence``; shares sum to 1),
    ``strategies`` (per player and strategy: ``played``, ``played_ci95``,
    ``mean_probability``), ``degenerate``, ``exact``, ``sensitivity`` (per output, per
    path: ``pawn``, ``pawn_max`` and, with the ``saltelli`` sampler, ``S1``, ``S1_conf``,
    ``ST``, ``ST_conf``), ``sensitivity_info``, ``convergence``, ``rules``, ``notes``;
    :func:`finish` adds ``verdicts``.
    """
    from negotiation.studies import discovery

    n = resolved.samples
    central = _central(resolved, totals)
    regimes = []
    for label, count in _ranked(totals):
        low, high = wilson(count, n)
        regimes.append(
            {
                "label": label,
                "share": count / n,
                "ci95": [low, high],
                "count": count,
                "central_weights": central.get(label),
                "confidence": confidence.get(label),
            }
        )
    strategies: dict[str, dict[str, dict[str, Any]]] = {}
    for i, (pid, sid) in enumerate(resolved.strategies):
        low, high = wilson(totals.played[i], n)
        strategies.setdefault(pid, {})[sid] = {
            "played": totals.played[i] / n,
            "played_ci95": [low, high],
            "mean_probability": from_units(totals.prob_sums[i], n),
        }
    outputs, same = analysed_outputs(resolved, rows)
    sensitivity, info, convergence_indices = sensitivity_indices(resolved, rows, outputs)
    info["same_as"] = same
    quarter, half = n // 4, n // 2
    convergence = {
        "samples": [quarter, half, n],
        "regimes": {
            label: [
                totals.counts[label][0] / quarter if quarter else None,
                sum(totals.counts[label][:2]) / half if half else None,
                sum(totals.counts[label]) / n,
            ]
            for label, _ in _ranked(totals)
        },
        "sensitivity_samples": info["samples_steps"],
        "sensitivity": convergence_indices,
    }
    convergence["max_change"] = _max_change(convergence)
    notes = _notes(resolved, totals)
    return {
        "schema": 1,
        "scenario": scenario,
        "samples": n,
        "seed": resolved.seed,
        "sampler": resolved.sampler,
        "players": [
            {
                "id": pid,
                "label": label,
                "strategies": [
                    {"id": sid, "label": slabel} for sid, slabel in zip(sids, slabels, strict=True)
                ],
            }
            for pid, sids, label, slabels in resolved.players
        ],
        "vary": [x.describe() for x in resolved.inputs],
        "regimes": regimes,
        "strategies": strategies,
        "degenerate": sum(totals.degenerate) / n,
        "exact": totals.exact / n,
        "sensitivity": sensitivity,
        "sensitivity_info": info,
        "convergence": convergence,
        "rules": discovery.rules(resolved, rows),
        "notes": notes,
    }


def _notes(resolved: Plan, totals: Totals) -> list[str]:
    notes = []
    if resolved.sampler != "mc":
        notes.append(
            "Confidence intervals are Wilson intervals, which assume independent draws; "
            f"with the {resolved.sampler} design they are conservative."
        )
    if resolved.sampler in ("sobol", "saltelli") and resolved.samples & (resolved.samples - 1):
        notes.append("Sobol' sequences balance best when the number of draws is a power of 2.")
    if sum(totals.degenerate):
        notes.append(
            f"{sum(totals.degenerate)} draws are degenerate games (ties); their regimes list "
            "every extreme equilibrium, as sweeps do."
        )
    return notes


def _max_change(convergence: Mapping[str, Any]) -> float | None:
    """The largest change of a share or index between N/2 and N (None if unknown)."""
    changes = [abs(v[2] - v[1]) for v in convergence["regimes"].values() if v[1] is not None]
    for per_path in convergence["sensitivity"].values():
        for indices in per_path.values():
            for series in indices.values():
                if series[1] is not None and series[2] is not None:
                    changes.append(abs(series[2] - series[1]))
    return max(changes) if changes else None


# --------------------------------------------------------------------------- sensitivity


def analysed_outputs(
    resolved: Plan, rows: Mapping[str, np.ndarray[Any, Any]]
) -> tuple[dict[str, FloatArray], dict[str, str]]:
    """The outputs studied for sensitivity, one value per kept draw, and the duplicates.

    ``regime:<label>`` (1 where the draw is in the regime), largest regimes first, then
    ``prob.<player>.<strategy>`` (the draw's mean probability of the strategy), each when
    its mean lies in :data:`ANALYSED_SHARE`, at most :data:`MAX_OUTPUTS` of them. An output
    equal draw for draw to an earlier one (the probability of Accept is often the
    indicator of the one regime where it is played) is not analysed again: the second
    dictionary maps it to the output it equals.
    """
    out: dict[str, FloatArray] = {}
    same: dict[str, str] = {}
    regime = rows["regime"]
    if len(regime) == 0:
        return out, same
    low, high = ANALYSED_SHARE
    names, counts = np.unique(regime.astype(str), return_counts=True)
    candidates = [
        (f"regime:{label}", (regime == label).astype(np.float64))
        for _, label in sorted(zip(-counts, names.tolist(), strict=True))
    ]
    candidates += [
        (f"prob.{pid}.{sid}", rows["probs"][:, i].astype(np.float64))
        for i, (pid, sid) in enumerate(resolved.strategies)
    ]
    for name, y in candidates:
        if np.ptp(y) == 0 or not low <= y.mean() <= high:
            continue
        twin = next((other for other, z in out.items() if np.array_equal(y, z)), None)
        if twin is not None:
            same[name] = twin
        elif len(out) < MAX_OUTPUTS:
            out[name] = y
    return out, same


def sensitivity_indices(
    resolved: Plan,
    rows: Mapping[str, np.ndarray[Any, Any]],
    outputs: Mapping[str, FloatArray],
) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """Sensitivity of each output to each varied number, and the convergence check.

    PAWN (Pianosi and Wagener, *Environmental Modelling & Software* 67, 2015; median and
    maximum KS distance over :data:`PAWN_SLICES` slices) from any design; Sobol' first and
    total order indices with bootstrap 95% intervals (Saltelli et al. 2010) from the
    ``saltelli`` design. Both come from SALib, run on the first N/4, N/2 and N kept draws.
    PAWN is also computed for a dummy input (uniform draws that nothing depends on): its
    index is the level any input reaches by chance (``pawn_noise`` per output; Pianosi and
    Wagener 2018 screen with such a threshold). Returns (indices, information,
    convergence series).
    """
    x = rows["x"]
    names = [i.path for i in resolved.inputs]
    n = len(x)
    step = len(names) + 2
    if resolved.sampler == "saltelli":
        base = n // step
        steps = [max(1, base // 4) * step, max(1, base // 2) * step, base * step]
    else:
        steps = [n // 4, n // 2, n]
    info: dict[str, Any] = {
        "methods": ["pawn", *(["sobol"] if resolved.sampler == "saltelli" else [])],
        "samples": n,
        "samples_steps": steps,
        "pawn_slices": PAWN_SLICES,
        "pawn_noise": {},
    }
    indices: dict[str, Any] = {}
    series: dict[str, Any] = {}
    if n == 0 or not outputs:
        return indices, info, series
    seed = int(np.random.SeedSequence(resolved.seed, spawn_key=(7,)).generate_state(1)[0]) | 1
    dummy = np.random.default_rng(np.random.SeedSequence(resolved.seed, spawn_key=(8,))).random(n)
    for name, y in outputs.items():
        by_step = [
            analyse(
                x[:k],
                y[:k],
                names,
                saltelli=resolved.sampler == "saltelli",
                seed=seed,
                dummy=dummy[:k],
            )
            if k >= 2 * PAWN_SLICES
            else None
            for k in steps
        ]
        final = by_step[-1] or {}
        info["pawn_noise"][name] = final.pop(DUMMY, {}).get("pawn")
        indices[name] = final
        series[name] = {
            path: {
                key: [None if s is None else s[path].get(key) for s in by_step]
                for key in ("pawn", "ST")
                if key in final.get(path, {})
            }
            for path in names
        }
    return indices, info, series


#: The name of the dummy input in :func:`analyse`'s result.
DUMMY = "(dummy)"


def analyse(
    x: FloatArray,
    y: FloatArray,
    names: Sequence[str],
    *,
    saltelli: bool = False,
    seed: int = 1,
    dummy: FloatArray | None = None,
) -> dict[str, dict[str, float | None]]:
    """SALib's PAWN (and Sobol' indices for a Saltelli design) of output ``y`` on ``x``.

    With ``dummy`` (one value per draw), PAWN is computed for it too, under
    :data:`DUMMY`. The plumbing shared by every output: the test suite checks it on the
    Ishigami function, whose indices are known analytically (Ishigami and Homma 1990).
    """
    from SALib.analyze import pawn  # type: ignore[import-untyped]
    from SALib.analyze import sobol as sobol_analysis

    problem = {"num_vars": len(names), "names": list(names), "bounds": [[0.0, 1.0]] * len(names)}
    pawn_names = [*names, *([DUMMY] if dummy is not None else [])]
    pawn_x = x if dummy is None else np.column_stack([x, dummy])
    pawn_problem = {**problem, "num_vars": len(pawn_names), "names": pawn_names}
    pawn_problem["bounds"] = [[0.0, 1.0]] * len(pawn_names)
    out: dict[str, dict[str, float | None]] = {name: {} for name in pawn_names}
    if np.ptp(y) == 0:
        for name in pawn_names:
            out[name] = {"pawn": 0.0, "pawn_max": 0.0}
            if saltelli and name != DUMMY:
                out[name].update({"S1": 0.0, "S1_conf": 0.0, "ST": 0.0, "ST_conf": 0.0})
        return out
    with warnings.catch_warnings(), _asymptotic_ks(pawn):
        warnings.simplefilter("ignore", RuntimeWarning)  # empty slices of discrete inputs
        result = pawn.analyze(pawn_problem, pawn_x, y, S=PAWN_SLICES, print_to_console=False)
        for i, name in enumerate(pawn_names):
            out[name]["pawn"] = _finite(result["median"][i])
            out[name]["pawn_max"] = _finite(result["maximum"][i])
        step = len(names) + 2
        ends = np.concatenate([y[0::step], y[step - 1 :: step]]) if saltelli else y
        if saltelli and np.ptp(ends) == 0:
            # SALib normalises by the variance over the A and B rows; with none there,
            # the indices are not defined (SALib would warn and report zeros).
            for name in names:
                out[name].update({"S1": None, "S1_conf": None, "ST": None, "ST_conf": None})
        elif saltelli:
            result = sobol_analysis.analyze(
                problem,
                y,
                calc_second_order=False,
                num_resamples=SOBOL_RESAMPLES,
                print_to_console=False,
                seed=seed,
            )
            for i, name in enumerate(names):
                for key in ("S1", "S1_conf", "ST", "ST_conf"):
                    out[name][key] = _finite(result[key][i])
    return out


@contextlib.contextmanager
def _asymptotic_ks(module: Any) -> Iterator[None]:
    """Let SALib's PAWN call ``ks_2samp`` with ``method="asymp"`` for the while.

    PAWN reads only the KS statistic, which every method computes alike; scipy's default
    also computes an exact p-value for samples under 10,000, ten times the cost.
    """
    original = module.ks_2samp
    module.ks_2samp = functools.partial(stats.ks_2samp, method="asymp")
    try:
        yield
    finally:
        module.ks_2samp = original


def _finite(value: Any) -> float | None:
    number = float(value)
    return number if math.isfinite(number) else None


def paths_label(resolved: Plan) -> dict[str, str]:
    """Each varied path's label in words."""
    return {i.path: i.label for i in resolved.inputs}


__all__ = [
    "ANALYSIS_SAMPLES",
    "CHUNK",
    "CONFIDENCE_SAMPLES",
    "ChunkResult",
    "ExploreResult",
    "Input",
    "Plan",
    "Study",
    "Totals",
    "analyse",
    "chunk_ranges",
    "compute_chunk",
    "explore",
    "finish",
    "plan",
    "run_chunks",
    "summary",
    "wilson",
]


# --------------------------------------------------------------------------- verdicts

#: A conclusion of the unperturbed scenario is robust when the Wilson 95% interval of the
#: share of draws that keep it lies at or above this share, fragile when it lies below.
ROBUST_SHARE = 0.95


def verdicts(scenario: Scenario, document: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Whether each player's choice at the file's own numbers survives the uncertainty.

    The scenario is solved exactly at its own values (the baseline); for every strategy a
    baseline equilibrium plays, the share of draws in which some equilibrium still plays it
    (``strategies.<player>.<strategy>.played``) decides: ``robust`` when its Wilson 95%
    interval lies at or above :data:`ROBUST_SHARE`, ``fragile`` when it lies below it,
    ``borderline`` when it straddles it (more draws would decide). The threshold is a
    convention, in the spirit of SMAA-2's acceptability indices (Lahdelma and Salminen
    2001), not a theorem: the shares themselves are the result.

    >>> from negotiation import load
    >>> doc = {"strategies": {"us": {"diversify": {"played": 0.98, "played_ci95": [0.97, 0.99]}},
    ...        "russia": {"full": {"played": 0.7, "played_ci95": [0.69, 0.71]}}},
    ...        "samples": 1000}
    >>> [(v["player"], v["strategy"], v["verdict"]) for v in verdicts(load("rare-earth"), doc)]
    [('us', 'diversify', 'robust'), ('russia', 'full', 'fragile')]
    """
    from negotiation.solvers.equilibria import solve

    baseline = solve(scenario, "exact")
    played: list[set[int]] = [set(), set()]
    for eq in baseline.equilibria:
        for side, vector in enumerate((eq.row, eq.col)):
            played[side].update(i for i, p in enumerate(vector) if p > 0)
    out = []
    for side, player in enumerate(scenario.players):
        for i in sorted(played[side]):
            sid = player.strategy_ids[i]
            entry = document["strategies"][player.id][sid]
            low, high = entry["played_ci95"]
            verdict = (
                "robust" if low >= ROBUST_SHARE else "fragile" if high < ROBUST_SHARE
                else "borderline"
            )  # fmt: skip
            who, what = player.label, player.strategies[i].label
            out.append(
                {
                    "player": player.id,
                    "strategy": sid,
                    "share": entry["played"],
                    "ci95": [low, high],
                    "verdict": verdict,
                    "text": f"{who} plays {what}, as at the scenario's own numbers, in "
                    f"{_percent(entry['played'])} of draws (95% CI {_percent(low)} to "
                    f"{_percent(high)}): {verdict}",
                }
            )
    return out


def _percent(share: float) -> str:
    """A share in percent, to one decimal place (``0.3313`` -> ``33.1%``)."""
    return f"{100 * share:.1f}%"
