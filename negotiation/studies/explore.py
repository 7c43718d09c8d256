"""Uncertainty analysis: how often each equilibrium outcome holds when the numbers vary.

A scenario's weights and scores are judgements. :func:`explore` draws many plausible
versions of them (:mod:`negotiation.studies.sampling`: distributions on chosen numbers,
relative scalings, weights on a simplex) and solves every draw completely, so it can say,
of the rare-earth game with every US weight scaled by a U(0, 2) draw, "the US diversifies
in 92.4% of draws (95% CI 91.9% to 93.0%), rejects in 7.6% and never accepts; its weights
on supply security, alliance cohesion and diversification cost drive it" (8,192 Sobol'
draws, seed 1; accepting needs weights on law and cohesion near 0, about 1 draw in
14,000, so "never" is of these draws, not of every weighting).
It reports, after the stochastic multicriteria acceptability analysis of
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

Trees
    A tree scenario (:mod:`negotiation.model.tree`) is explored the same way: any number
    it holds varies (``tree.in.fight.payoffs.incumbent``, ``weights.us.supply_security``,
    ``tree.chance.strong``, ``types.russia.trap``), every draw is solved for its
    subgame-perfect equilibria, and a regime is the draw's SPE path in words (see
    :mod:`negotiation.studies.explore_tree`). Strategies are actions at nodes, keyed
    ``<node id>:<action>``.

How a draw is solved
    Matrix payoffs are ``payoff[p] = sum_k weight[p][k] * score[k]`` evaluated for a whole chunk
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

Modules
    This module is the front end (chunks, running, totals, the summary). What is drawn
    and how a draw is solved: :mod:`negotiation.studies.explore_model` (plans, matrix
    payoffs) and :mod:`negotiation.studies.explore_tree` (trees); acceptability, central
    weights, confidence factors and verdicts: :mod:`negotiation.studies.smaa`;
    sensitivity: :mod:`negotiation.studies.sensitivity`; rules:
    :mod:`negotiation.studies.discovery`.
"""

from __future__ import annotations

import importlib
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

import attrs
import numpy as np

from negotiation.errors import LimitError, ScenarioError, UserError
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.studies.explore_model import (
    ANALYSIS_SAMPLES,
    CONFIDENCE_SAMPLES,
    MAX_SAMPLES,
    Plan,
    Study,
    plan_matrix,
)
from negotiation.studies.explore_tree import TreeModel, plan_tree
from negotiation.studies.sampling import STREAM_BLOCK, Input, blocks, unit_points
from negotiation.studies.sensitivity import (
    ANALYSED_SHARE,
    DUMMY,
    MAX_OUTPUTS,
    PAWN_SLICES,
    SOBOL_RESAMPLES,
    analyse,
    analysed_outputs,
    sensitivity_indices,
)
from negotiation.studies.smaa import (
    CONFIDENCE_REGIMES,
    CONFIDENCE_STREAM,
    FIXED_SCALE,
    ROBUST_SHARE,
    central_weights,
    confidence_factors,
    from_units,
    ranked,
    units,
    verdicts,
    wilson,
)

#: Draws solved together in one chunk (a multiple of the stream block).
CHUNK = 16 * STREAM_BLOCK


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


def plan(study: Study) -> Plan:
    """Resolve a study against its scenario, checking everything a user could get wrong.

    Matrix scenarios: :func:`negotiation.studies.explore_model.plan_matrix`; game trees:
    :func:`negotiation.studies.explore_tree.plan_tree`. Raises
    :class:`~negotiation.errors.ScenarioError` (or :class:`LimitError`) naming the option
    or the file, the key and what was expected.
    """
    if isinstance(study.scenario, TreeScenario):
        return plan_tree(study)
    return plan_matrix(study)


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
    The plan's model solves the draws (:class:`negotiation.studies.explore_model.Solved`).
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
    solved = plan.model.solve(x, plan.players)
    labels, regime, per_draw = solved.labels, solved.regime, solved.probs
    index = np.arange(start, stop)
    segments = np.searchsorted([plan.samples // 4, plan.samples // 2], index, side="right")
    counts = {
        label: np.bincount(segments[regime == i], minlength=3).tolist()
        for i, label in enumerate(labels)
    }
    weights = plan.weight_columns
    prob_sums = [0] * per_draw.shape[1]
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
        degenerate=np.bincount(segments[solved.degenerate], minlength=3).tolist(),
        exact=int(solved.exact.sum()),
        played=solved.played.sum(axis=0).tolist(),
        prob_sums=prob_sums,
        weight_sums=weight_sums,
        rows={
            "x": x[:kept].copy(),
            "regime": regime[:kept].astype(np.int32),
            "probs": per_draw[:kept].copy(),
            "degenerate": solved.degenerate[:kept].copy(),
        },
    )


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

    Selten's entry game: the incumbent accommodates (payoff 1) exactly when fighting pays
    it less, so with the fight payoff uniform on [-2, 2] that holds in 3/4 of the draws:

    >>> from negotiation import load
    >>> study = Study(load("entry"), vary=["tree.in.fight.payoffs.incumbent=uniform:-2:2"],
    ...               samples=3000, seed=1, confidence_samples=0)
    >>> result = explore(study)
    >>> [(r["label"], round(r["share"], 2)) for r in result.summary["regimes"]]
    [('Entrant: enters; Incumbent: accommodates', 0.75), ('Entrant: stays out', 0.25)]
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
    resolved: Plan,
    totals: Totals,
    scenario: str,
    *,
    baseline: Scenario | TreeScenario | None = None,
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


def _counts(totals: Totals) -> dict[str, int]:
    """Draws per regime."""
    return {label: sum(c) for label, c in totals.counts.items()}


def _central(resolved: Plan, totals: Totals) -> dict[str, dict[str, float]]:
    """Each regime's central weights (:func:`negotiation.studies.smaa.central_weights`)."""
    return central_weights(resolved, _counts(totals), totals.weight_sums)


def _confidence(resolved: Plan, totals: Totals) -> dict[str, float]:
    """Confidence factors (:func:`negotiation.studies.smaa.confidence_factors`)."""

    def hits(label: str, r: int, fixed: Mapping[int, float], n: int) -> int:
        found = 0
        for start, stop in chunk_ranges(n):
            part = compute_chunk(resolved, start, stop, stream=(CONFIDENCE_STREAM, r), fixed=fixed)
            found += sum(part.counts.get(label, [0]))
        return found

    counts = _counts(totals)
    return confidence_factors(resolved, counts, _central(resolved, totals), hits)


def summary(
    resolved: Plan,
    totals: Totals,
    rows: Mapping[str, np.ndarray[Any, Any]],
    confidence: Mapping[str, float],
    scenario: str,
) -> dict[str, Any]:
    """The ``summary.json`` document (keys stable; new keys may be added).

    ``scenario``, ``kind`` (``matrix`` or ``tree``), ``samples``, ``seed``, ``sampler``,
    ``players`` (ids and labels; a tree's strategies are actions at nodes, keyed
    ``<node id>:<action>``), ``vary`` (one entry per varied number: ``path``, ``dist``,
    ``kind``, ``label``),
    ``regimes`` (``label``, ``share``, ``ci95``, ``count``, ``central_weights``,
    ``confidence``; shares sum to 1; a tree's regime is its subgame-perfect path),
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
    for label, count in ranked(_counts(totals)):
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
            for label, _ in ranked(_counts(totals))
        },
        "sensitivity_samples": info["samples_steps"],
        "sensitivity": convergence_indices,
    }
    convergence["max_change"] = _max_change(convergence)
    notes = _notes(resolved, totals)
    return {
        "schema": 1,
        "scenario": scenario,
        "kind": resolved.kind,
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
    model = resolved.model
    if isinstance(model, TreeModel) and not model.tree.perfect_information:
        notes.append(
            "Draws of a tree with information sets are solved exactly one by one; confidence "
            f"factors use {resolved.confidence_samples} draws per regime."
        )
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


def paths_label(resolved: Plan) -> dict[str, str]:
    """Each varied path's label in words."""
    return {i.path: i.label for i in resolved.inputs}


__all__ = [
    "ANALYSED_SHARE",
    "ANALYSIS_SAMPLES",
    "CHUNK",
    "CONFIDENCE_REGIMES",
    "CONFIDENCE_SAMPLES",
    "DUMMY",
    "FIXED_SCALE",
    "MAX_OUTPUTS",
    "MAX_SAMPLES",
    "PAWN_SLICES",
    "ROBUST_SHARE",
    "SOBOL_RESAMPLES",
    "ChunkResult",
    "ExploreResult",
    "Input",
    "Plan",
    "Study",
    "Totals",
    "analyse",
    "analysed_outputs",
    "chunk_ranges",
    "compute_chunk",
    "explore",
    "finish",
    "from_units",
    "local_cluster",
    "plan",
    "run_chunks",
    "sensitivity_indices",
    "summary",
    "units",
    "verdicts",
    "wilson",
]
