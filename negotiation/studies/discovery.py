"""Scenario discovery: readable rules for where an outcome holds, found by PRIM.

For an outcome of an uncertainty study (a regime, or a strategy being played) the
Patient Rule Induction Method (Friedman and Fisher, "Bump hunting in high-dimensional
data", *Statistics and Computing* 9, 1999; used for scenario discovery by Bryant and
Lempert, *Technological Forecasting and Social Change* 77, 2010, and in the EMA Workbench,
Kwakkel 2017) finds a box of the varied numbers where the outcome is concentrated:

1. start from the box holding every draw; repeatedly cut off the ``alpha`` share of the
   draws in the box at the low or the high end of one number, choosing the cut that leaves
   the highest share of the outcome in the box (peeling), until the box holds less than
   ``min_mass`` of the draws;
2. of the boxes along the way, keep the one with the best balance of **coverage** (the
   share of the outcome's draws inside the box) and **density** (the share of the box's
   draws with the outcome), their harmonic mean;
3. drop each limit whose removal costs almost nothing, so that the rule names only the
   numbers that matter, and round the limits to three significant digits; coverage and
   density are those of the rounded rule, computed on the draws.

The rule reads "United States plays Accept when United States' weight on Supply security
> 3.99 and ...". Rules are found on the study's first draws (``rows``), the same ones the
sensitivity analysis uses.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from negotiation.studies.explore_model import Plan

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

#: Share of the box's draws peeled off at each step.
ALPHA = 0.05

#: Peeling stops when the box holds less than this share of all draws.
MIN_MASS = 0.05

#: A limit is dropped when dropping it lowers the rule's score by at most this.
DROP_TOLERANCE = 0.005

#: An outcome gets a rule when its share lies in this range.
SHARE_RANGE = (0.01, 0.99)

#: Most draws a rule is fitted on (the first ones).
MAX_DRAWS = 2**14


@attrs.frozen
class Box:
    """Limits on the varied numbers: ``low[d] < x[d] < high[d]`` (infinite: no limit)."""

    low: tuple[float, ...]
    high: tuple[float, ...]

    def contains(self, x: FloatArray) -> BoolArray:
        """Which rows of ``x`` lie in the box."""
        inside: BoolArray = np.all((x > np.array(self.low)) & (x < np.array(self.high)), axis=1)
        return inside

    @property
    def limited(self) -> list[int]:
        """The numbers the box limits."""
        return [
            d for d in range(len(self.low)) if self.low[d] > -math.inf or self.high[d] < math.inf
        ]


def score(x: FloatArray, y: BoolArray, box: Box) -> tuple[float, float, float]:
    """Coverage, density and mass of ``box`` for the outcome ``y``.

    >>> x = np.array([[0.0], [1.0], [2.0], [3.0]])
    >>> score(x, np.array([False, False, True, True]), Box((1.5,), (math.inf,)))
    (1.0, 1.0, 0.5)
    """
    inside = box.contains(x)
    hits = int(y.sum())
    count = int(inside.sum())
    caught = int((y & inside).sum())
    coverage = caught / hits if hits else 0.0
    density = caught / count if count else 0.0
    return coverage, density, count / len(x) if len(x) else 0.0


def _balance(coverage: float, density: float) -> float:
    return 2 * coverage * density / (coverage + density) if coverage + density else 0.0


def prim(x: FloatArray, y: BoolArray, *, alpha: float = ALPHA, min_mass: float = MIN_MASS) -> Box:
    """The PRIM box for outcome ``y`` on draws ``x``.

    Steps 1 to 3 of the module docstring, without the rounding.

    >>> rng = np.random.default_rng(0)
    >>> x = rng.uniform(0, 6, (4000, 2))
    >>> box = prim(x, x[:, 0] > 4)
    >>> round(box.low[0], 1), box.high[0], box.limited
    (4.0, inf, [0])
    """
    n, dims = x.shape
    low, high = [-math.inf] * dims, [math.inf] * dims
    inside = np.ones(n, dtype=bool)
    path = [Box(tuple(low), tuple(high))]
    while inside.sum() > min_mass * n:
        best: tuple[float, int, int, str, float] | None = None
        box_x, box_y = x[inside], y[inside]
        cuts = np.quantile(box_x, [alpha, 1 - alpha], axis=0)
        for d in range(dims):
            column = box_x[:, d]
            for side, cut in (("low", float(cuts[0, d])), ("high", float(cuts[1, d]))):
                keep = column > cut if side == "low" else column < cut
                kept = int(keep.sum())
                if kept == 0 or kept == len(column):
                    continue
                mean = float(box_y[keep].mean())
                candidate = (mean, kept, -d, side, cut)
                if best is None or candidate[:2] > best[:2]:
                    best = candidate
        if best is None:
            break
        _, _, minus_d, side, cut = best
        d = -minus_d
        if side == "low":
            low[d] = cut
            inside &= x[:, d] > cut
        else:
            high[d] = cut
            inside &= x[:, d] < cut
        path.append(Box(tuple(low), tuple(high)))
    box = max(path, key=lambda b: _balance(*score(x, y, b)[:2]))
    return _refine(x, y, _simplify(x, y, box))


def _refine(x: FloatArray, y: BoolArray, box: Box) -> Box:
    """Move each limit to the best cut between two draws, the other limits held.

    Peeling moves in steps of ``alpha``, so a threshold at 4 may otherwise read 3.98.
    """
    hits = int(y.sum())
    for d in box.limited:
        for side in ("low", "high"):
            low, high = list(box.low), list(box.high)
            if (low if side == "low" else high)[d] in (-math.inf, math.inf):
                continue
            if side == "low":
                low[d] = -math.inf
            else:
                high[d] = math.inf
            inside = Box(tuple(low), tuple(high)).contains(x)
            order = np.argsort(x[inside, d], kind="stable")
            xs, ys = x[inside, d][order], y[inside][order]
            before = np.concatenate([[0], np.cumsum(ys)])  # hits among the first i draws
            i = np.arange(len(xs) + 1)
            if side == "low":  # keep draws i, i+1, ...
                caught, count = before[-1] - before, len(xs) - i
            else:  # keep draws 0 .. i-1
                caught, count = before, i
            with np.errstate(invalid="ignore", divide="ignore"):
                coverage = caught / max(hits, 1)
                density = np.where(count > 0, caught / np.maximum(count, 1), 0.0)
                value = np.where(
                    coverage + density > 0, 2 * coverage * density / (coverage + density), 0.0
                )
            # A cut lies between two different values (or beyond every draw).
            usable = np.ones(len(i), dtype=bool)
            usable[1:-1] = xs[1:] > xs[:-1]
            best = int(np.flatnonzero(usable)[np.argmax(value[usable])])
            if side == "low":
                cut = (
                    -math.inf
                    if best == 0
                    else (float(xs[best - 1] + xs[best]) / 2 if best < len(xs) else float(xs[-1]))
                )
                low[d] = cut
            else:
                cut = (
                    math.inf
                    if best == len(xs)
                    else (float(xs[best - 1] + xs[best]) / 2 if best > 0 else float(xs[0]))
                )
                high[d] = cut
            box = Box(tuple(low), tuple(high))
    return box


def _simplify(x: FloatArray, y: BoolArray, box: Box) -> Box:
    """Drop the limits that cost (almost) nothing, least useful first."""
    while True:
        current = _balance(*score(x, y, box)[:2])
        options = []
        for d in box.limited:
            low, high = list(box.low), list(box.high)
            low[d], high[d] = -math.inf, math.inf
            trial = Box(tuple(low), tuple(high))
            options.append((_balance(*score(x, y, trial)[:2]), d, trial))
        if not options:
            return box
        value, _, trial = max(options, key=lambda o: (o[0], -o[1]))
        if value < current - DROP_TOLERANCE:
            return box
        box = trial


def rounded(value: float) -> float:
    """``value`` to three significant digits.

    >>> rounded(3.98765), rounded(-0.0123456)
    (3.99, -0.0123)
    """
    if value == 0 or not math.isfinite(value):
        return value
    return float(f"{value:.3g}")


def number(value: float) -> str:
    """A limit as written in a rule (``4``, ``3.99``, ``1.2e-05``)."""
    return f"{value:.3g}"


def rule_text(subject: str, box: Box, labels: Sequence[str]) -> str:
    """The box as a sentence: ``subject when A > 1 and 0.2 < B < 3``."""
    conditions = []
    for d in box.limited:
        lo, hi = box.low[d], box.high[d]
        if lo > -math.inf and hi < math.inf:
            conditions.append(f"{number(lo)} < {labels[d]} < {number(hi)}")
        elif lo > -math.inf:
            conditions.append(f"{labels[d]} > {number(lo)}")
        else:
            conditions.append(f"{labels[d]} < {number(hi)}")
    return f"{subject} when " + " and ".join(conditions)


def rules(plan: Plan, rows: Mapping[str, np.ndarray[Any, Any]]) -> list[dict[str, Any]]:
    """A rule for every regime and played strategy whose share is in :data:`SHARE_RANGE`.

    Rules are fitted on the first :data:`MAX_DRAWS` kept draws.

    Each rule: ``target`` (``regime:<label>`` or ``played.<player>.<strategy>``),
    ``subject`` and ``text`` in words, ``share`` (of the outcome among the draws used),
    ``conditions`` (``path``, ``label``, ``above``, ``below``: ``null`` where unlimited),
    ``coverage``, ``density``, ``mass``, ``draws`` and ``same_as`` (other targets that
    hold in exactly the same draws, so the rule is theirs too). Strategies come first,
    then regimes, largest first.
    """
    x = np.asarray(rows["x"], dtype=np.float64)[:MAX_DRAWS]
    if len(x) == 0:
        return []
    labels = [i.label for i in plan.inputs]
    paths = [i.path for i in plan.inputs]
    targets: list[tuple[str, str, BoolArray]] = []
    probs = rows["probs"][:MAX_DRAWS]
    column = 0
    plays = " " if plan.kind == "tree" else " plays "  # tree actions are verb phrases
    for pid, sids, player_label, strategy_labels in plan.players:
        for sid, strategy_label in zip(sids, strategy_labels, strict=True):
            targets.append(
                (
                    f"played.{pid}.{sid}",
                    f"{player_label}{plays}{strategy_label}",
                    probs[:, column] > 0,
                )
            )
            column += 1
    regime = rows["regime"][:MAX_DRAWS]
    for label in sorted(set(regime.tolist()), key=lambda r: (-(regime == r).sum(), r)):
        targets.append((f"regime:{label}", f"the equilibrium is {label}", regime == label))
    out: list[dict[str, Any]] = []
    low_share, high_share = SHARE_RANGE
    for target, subject, y in targets:
        share = float(y.mean())
        if not low_share <= share <= high_share:
            continue
        twin = next((r for r in out if np.array_equal(y, r["_y"])), None)
        if twin is not None:  # the same draws as an earlier outcome: one rule for both
            twin["same_as"].append(target)
            continue
        found = prim(x, y)
        box = Box(tuple(rounded(v) for v in found.low), tuple(rounded(v) for v in found.high))
        if not box.limited:
            continue
        coverage, density, mass = score(x, y, box)
        out.append(
            {
                "target": target,
                "subject": subject,
                "text": rule_text(subject, box, labels),
                "share": share,
                "conditions": [
                    {
                        "path": paths[d],
                        "label": labels[d],
                        "above": box.low[d] if box.low[d] > -math.inf else None,
                        "below": box.high[d] if box.high[d] < math.inf else None,
                    }
                    for d in box.limited
                ],
                "coverage": coverage,
                "density": density,
                "mass": mass,
                "draws": len(x),
                "same_as": [],
                "_y": y,
            }
        )
    for rule in out:
        del rule["_y"]
    return out
