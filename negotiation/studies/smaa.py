"""SMAA for equilibrium regimes: acceptability intervals, central weights, confidence, verdicts.

Part of ``negotiation explore`` (:mod:`negotiation.studies.explore`). After the stochastic
multicriteria acceptability analysis of Lahdelma, Hokkanen and Salminen (1998) and its SMAA-2
extension (Lahdelma and Salminen, "SMAA-2", *Operations Research* 49, 2001), with
equilibrium regimes in the place of alternatives:

- a regime's **acceptability index** is its share of draws, given with Wilson's 95% score
  interval (:func:`wilson`);
- its **central weights** are the mean of the varied weights over its draws
  (:func:`central_weights`), from exact sums (:func:`from_units`), so they do not depend on
  how the draws were chunked;
- its **confidence factor** is the share of draws of the other varied numbers, weights held
  at the central weights, that stay in the regime (:func:`confidence_factors`);
- a **verdict** says whether each choice the scenario makes at its own numbers survives the
  uncertainty (:func:`verdicts`).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from negotiation.model.scenario import Scenario
    from negotiation.model.tree import TreeScenario
    from negotiation.studies.explore_model import Plan

#: Most regimes given a confidence factor (the largest ones).
CONFIDENCE_REGIMES = 10

#: Spawn-key prefix of the confidence-factor draws (the main draws use none).
CONFIDENCE_STREAM = 1_000_003

#: z for a two-sided 95% interval, scipy.stats.norm.ppf(0.975).
_Z95 = 1.959963984540054

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
    # Rounding can put a bound a hair past the share itself at 0 or 1: the interval holds it.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def ranked(counts: Mapping[str, int]) -> list[tuple[str, int]]:
    """Regimes by size, largest first (ties by label)."""
    return sorted(counts.items(), key=lambda t: (-t[1], t[0]))


def central_weights(
    resolved: Plan, counts: Mapping[str, int], weight_sums: Mapping[str, Sequence[int]]
) -> dict[str, dict[str, float]]:
    """SMAA-2 central weights: each regime's mean of every varied weight over its draws.

    ``weight_sums[label]`` holds the exact sums (in units of 2**-1074) of the weights of
    :attr:`Plan.weight_columns` over the regime's draws.
    """
    weights = resolved.weight_columns
    out = {}
    for label, count in ranked(counts):
        if weights and count:
            sums = weight_sums[label]
            out[label] = {
                resolved.inputs[c].path: from_units(s, count)
                for c, s in zip(weights, sums, strict=True)
            }
    return out


#: ``hits(label, r, fixed, n)``: how many of ``n`` draws of stream ``(CONFIDENCE_STREAM,
#: r)``, with the columns of ``fixed`` held at its values, fall in regime ``label``.
Hits = Callable[[str, int, Mapping[int, float], int], int]


def confidence_factors(
    resolved: Plan,
    counts: Mapping[str, int],
    central: Mapping[str, Mapping[str, float]],
    hits: Hits,
) -> dict[str, float]:
    """SMAA-2 confidence factors (Lahdelma and Salminen 2001).

    With the weights held at a regime's central weights, the share of draws of everything
    else that stays in the regime (one draw when only weights vary), for the
    :data:`CONFIDENCE_REGIMES` largest regimes.
    """
    weights = resolved.weight_columns
    if not weights or resolved.confidence_samples == 0:
        return {}
    others = len(weights) < len(resolved.inputs)
    n = resolved.confidence_samples if others else 1
    out = {}
    for r, (label, _) in enumerate(ranked(counts)[:CONFIDENCE_REGIMES]):
        fixed = {c: central[label][resolved.inputs[c].path] for c in weights}
        out[label] = hits(label, r, fixed, n) / n
    return out


#: A conclusion of the unperturbed scenario is robust when the Wilson 95% interval of the
#: share of draws that keep it lies at or above this share, fragile when it lies below.
ROBUST_SHARE = 0.95


def verdicts(
    scenario: Scenario | TreeScenario, document: Mapping[str, Any]
) -> list[dict[str, Any]]:
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
    from negotiation.model.tree import TreeScenario

    # A tree's action labels are verb phrases ("makes the full offer ... at the root").
    plays = " " if isinstance(scenario, TreeScenario) else " plays "
    out = []
    for pid, sid, who, what in baseline_choices(scenario):
        entry = document["strategies"][pid][sid]
        low, high = entry["played_ci95"]
        verdict = (
            "robust" if low >= ROBUST_SHARE else "fragile" if high < ROBUST_SHARE
            else "borderline"
        )  # fmt: skip
        out.append(
            {
                "player": pid,
                "strategy": sid,
                "share": entry["played"],
                "ci95": [low, high],
                "verdict": verdict,
                "text": f"{who}{plays}{what}, as at the scenario's own numbers, in "
                f"{_percent(entry['played'])} of draws (95% CI {_percent(low)} to "
                f"{_percent(high)}): {verdict}",
            }
        )
    return out


def baseline_choices(scenario: Scenario | TreeScenario) -> list[tuple[str, str, str, str]]:
    """What the scenario's equilibria play at its own numbers, solved exactly.

    Per choice: player id, strategy id, player label, strategy label. A matrix scenario
    gives every strategy some equilibrium plays; a tree every action some subgame-perfect
    equilibrium takes with positive probability at a node its play reaches
    (:func:`negotiation.studies.explore_tree.baseline_choices`). Raises
    :class:`~negotiation.errors.LimitError` when the scenario is too large to solve.
    """
    from negotiation.model.tree import TreeScenario

    if isinstance(scenario, TreeScenario):
        from negotiation.studies import explore_tree

        return explore_tree.baseline_choices(scenario)
    from negotiation.solvers.equilibria import solve

    baseline = solve(scenario, "exact")
    played: list[set[int]] = [set(), set()]
    for eq in baseline.equilibria:
        for side, vector in enumerate((eq.row, eq.col)):
            played[side].update(i for i, p in enumerate(vector) if p > 0)
    return [
        (player.id, player.strategy_ids[i], player.label, player.strategies[i].label)
        for side, player in enumerate(scenario.players)
        for i in sorted(played[side])
    ]


def _percent(share: float) -> str:
    """A share in percent, to one decimal place (``0.3313`` -> ``33.1%``)."""
    return f"{100 * share:.1f}%"


__all__ = [
    "CONFIDENCE_REGIMES",
    "ROBUST_SHARE",
    "baseline_choices",
    "central_weights",
    "confidence_factors",
    "from_units",
    "ranked",
    "units",
    "verdicts",
    "wilson",
]
