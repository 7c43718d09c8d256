"""Sensitivity of an uncertainty study's outputs to its varied numbers (SALib).

Part of ``negotiation explore`` (:mod:`negotiation.studies.explore`): which of the varied
numbers drive each regime indicator and each strategy's probability. PAWN (Pianosi and
Wagener, *Environmental Modelling & Software* 67, 2015) suits any design and categorical
outputs; Sobol' first and total order indices (Saltelli et al. 2010) need the ``saltelli``
design. Both come from SALib and are computed on the study's first draws at N/4, N/2 and N
(the convergence check). The same code serves matrix and tree scenarios: it sees only the
draws' inputs ``x`` and outputs.
"""

from __future__ import annotations

import contextlib
import functools
import math
import warnings
from collections.abc import Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
from scipy import stats  # type: ignore[import-untyped]

from negotiation.studies.sampling import FloatArray

if TYPE_CHECKING:
    from negotiation.studies.explore_model import Plan

#: Slices of each input in PAWN (Pianosi and Wagener 2015 use 10).
PAWN_SLICES = 10

#: Sobol' bootstrap resamples for the confidence intervals of the indices.
SOBOL_RESAMPLES = 100

#: An output is analysed for sensitivity when its share (mean) lies in this range.
ANALYSED_SHARE = (0.005, 0.995)

#: Most outputs analysed for sensitivity (regimes first, largest first).
MAX_OUTPUTS = 12


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


__all__ = [
    "ANALYSED_SHARE",
    "DUMMY",
    "MAX_OUTPUTS",
    "PAWN_SLICES",
    "SOBOL_RESAMPLES",
    "analyse",
    "analysed_outputs",
    "sensitivity_indices",
]
