"""Plots of tree sweeps: data in, a matplotlib Figure out (as :mod:`negotiation.output.plots`).

- A **1-D sweep** gives one figure: every subgame-perfect equilibrium's payoff to each player
  along the axis (above) and the **regime strip** (below), each grid point's cell coloured by
  its regime, with the regimes named in words in the legend. Dotted lines mark where the
  regime changes; dashed vermilion lines mark exact prior thresholds, labelled with their
  value (a 1-D PBE sweep over a prior); points with ties are ringed. On a PBE sweep the
  payoffs are still the subgame-perfect ones (the rows of a tree sweep), which can include
  equilibria that no belief supports, so the y-axis says which equilibria it shows and that
  the regimes below are perfect Bayesian (see :data:`PBE_SWEEP_YLABEL`).
- A **2-D sweep** gives a regime map, each cell coloured by its regime, legend in words.

Colours follow what a regime *is*: each path of play (or PBE set) gets a fixed colour, in
order of first appearance along the grid, from Paul Tol's colour-blind-safe "muted" scheme
(:data:`negotiation.output.plots.OUTCOME_PALETTE`). A regime of one path is filled with its
colour; a regime holding several (ties: several subgame-perfect paths at a point, or several
PBE sets) is filled with the first one's colour and **striped** in the colours of the
others, as matrix regime maps draw ties. The data behind each figure comes from plain
functions (:func:`part_colours`, :func:`regime_styles`, :func:`strip_cells`,
:func:`payoff_points`), which the tests check.
"""

from __future__ import annotations

import colorsys
import itertools
from collections.abc import Mapping, Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs
import matplotlib
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.collections import LineCollection, PolyCollection
from matplotlib.colors import ListedColormap, to_hex
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle

from negotiation.output.plots import (
    MARKERS,
    OUTCOME_PALETTE,
    PALETTE,
    STRIPES,
    UNSOLVED,
    UNSOLVED_COLOUR,
    Labels,
    RegimeStyle,
    _edges,
    _lines,
    _rectangles,
    overrides_text,
    plain_text,
    save,
    wrapped,
)
from negotiation.studies.tree_sweep import (
    TreeSweepResult,
    parts,
    regime_numbers,
    tree_path_label,
)

#: Y-axis of a 1-D sweep's payoffs, labelled by subgame-perfect regimes.
SPE_YLABEL = "payoff in subgame-perfect equilibrium"

#: The same on a PBE sweep. The payoffs drawn are still every subgame-perfect equilibrium's
#: (a tree sweep's rows): with no proper subgame that is every Nash equilibrium, such as an
#: outside option kept by a threat no belief makes optimal, which is no perfect Bayesian
#: equilibrium. Only the strip below is perfect Bayesian, and the label says both.
PBE_SWEEP_YLABEL = "payoff in subgame-perfect equilibrium (regimes below: perfect Bayesian)"

#: Longest regime label drawn in a legend, in characters (PBE regimes in words are long).
LEGEND_LIMIT = 3000
#: Width of legend lines, in characters.
LEGEND_WIDTH = 110
#: Colour of the prior-threshold lines (Okabe-Ito vermilion).
THRESHOLD_COLOUR = PALETTE[5]


def tree_labels(
    tree: Any, paths: Sequence[str], overrides: Sequence[tuple[str, Any]] = ()
) -> Labels:
    """The words of a tree sweep's figures: its title, axes in words, ``--set`` overrides."""
    players = tuple((p.id, p.label) for p in tree.players)
    criteria = {c.id: c.label for c in getattr(tree, "criteria", ())}
    return _labels(tree.title or tree.name, paths, players, criteria, overrides)


def manifest_labels(manifest: Mapping[str, Any]) -> Labels:
    """:func:`tree_labels` from a tree sweep folder's manifest (no scenario file needed)."""
    from negotiation.studies.summary import manifest_criteria

    scenario = manifest.get("scenario", {})
    players = tuple((p["id"], p["label"]) for p in manifest["players"])
    overrides = [
        (str(o["path"]), str(o["exact"]))
        for o in manifest.get("overrides", [])
        if isinstance(o, Mapping) and "path" in o and "exact" in o
    ]
    title = scenario.get("title") or scenario.get("name") or ""
    paths = [axis["path"] for axis in manifest["grid"]]
    return _labels(str(title), paths, players, manifest_criteria(manifest), overrides)


def _labels(
    title: str,
    paths: Sequence[str],
    players: tuple[tuple[str, str], ...],
    criteria: Mapping[str, str],
    overrides: Sequence[tuple[str, Any]],
) -> Labels:
    words = [tree_path_label(p, players, criteria) for p in paths]
    subtitle = overrides_text(
        [(p, Fraction(v)) for p, v in overrides],
        [(p, (), lab, ()) for p, lab in players],
        criteria,
    )
    return Labels(
        title=title or None,
        xlabel=words[0] if words else None,
        ylabel=words[1] if len(words) > 1 else None,
        subtitle=subtitle,
    )


# --------------------------------------------------------------------------- data


def part_colour(k: int, total: int) -> str:
    """The colour of the k-th of ``total`` paths (or PBE sets): Tol's muted scheme first.

    >>> part_colour(0, 3), part_colour(1, 3)
    ('#CC6677', '#DDCC77')
    """
    if total <= len(OUTCOME_PALETTE):
        return OUTCOME_PALETTE[k]
    if total <= 20:
        return str(to_hex(matplotlib.colormaps["tab20"](k)).upper())
    red, green, blue = colorsys.hsv_to_rgb(k / total, 0.75, 0.9)
    return str(to_hex((red, green, blue)).upper())


def part_colours(result: TreeSweepResult) -> dict[str, str]:
    """A colour per path (or PBE set) of the sweep, in order of first appearance.

    The grid's regimes come first, then those met only at or between prior thresholds.
    """
    found: dict[str, None] = dict.fromkeys(result.regimes().parts)
    for t in result.thresholds or ():
        for key in ("before", "at", "after"):
            found.update(dict.fromkeys(parts(str(t[key]))))
    return {part: part_colour(k, len(found)) for k, part in enumerate(found)}


def regime_styles(labels: Sequence[str], colours: Mapping[str, str]) -> list[RegimeStyle]:
    """How each regime is drawn: its path's colour, or striped when it holds several.

    >>> [s.hatches for s in regime_styles(["A", "A | B"], {"A": "#111111", "B": "#222222"})]
    [(), (('///', '#222222'),)]
    """
    out = []
    for label in labels:
        if label == UNSOLVED:
            out.append(RegimeStyle(UNSOLVED_COLOUR))
            continue
        members = [colours[p] for p in parts(label)]
        hatches = tuple(
            (STRIPES[i % len(STRIPES)] * (1 + i // len(STRIPES)), colour)
            for i, colour in enumerate(members[1:])
        )
        out.append(RegimeStyle(members[0], hatches))
    return out


@attrs.frozen
class StripCells:
    """The regime strip of a 1-D sweep: each solved point's value and regime index."""

    x: tuple[float, ...]
    regime: tuple[int, ...]
    labels: tuple[str, ...]


def strip_cells(result: TreeSweepResult) -> StripCells:
    """Each solved grid point's value and regime (indices into the regimes' labels)."""
    table = result.regimes()
    xs = result.axis_values[0]
    return StripCells(tuple(xs[p] for p in table.points), table.index, table.labels)


@attrs.frozen
class StripSegments:
    """The regime strip drawn from exact prior thresholds instead of grid cells.

    ``segments`` are ``(low, high, label)``: the regime on the open interval between two
    consecutive thresholds (or an end of the range); ``points`` are ``(x, label)``: a
    regime that holds only at a threshold itself (drawn as a narrow bar there).
    """

    segments: tuple[tuple[float, float, str], ...]
    points: tuple[tuple[float, str], ...]

    @property
    def labels(self) -> tuple[str, ...]:
        """The regimes drawn, in order along the axis (each once)."""
        found: dict[str, None] = {}
        items = sorted([(lo, lab) for lo, _, lab in self.segments] + list(self.points))
        for _, label in items:
            found[label] = None
        return tuple(found)


def strip_segments(result: TreeSweepResult) -> StripSegments | None:
    """Exact regime segments from the sweep's prior thresholds, or None (use grid cells).

    Used when thresholds were looked for, some were found and all are exact: regimes then
    change exactly at them (:func:`negotiation.solvers.pbe.prior_thresholds`), so the strip
    shows where, including a regime the grid never sampled (one between two thresholds
    that fall between the same two grid values).
    """
    found = result.thresholds
    if not found or not all(t["exact"] for t in found):
        return None
    xs = result.axis_values[0]
    lo, hi = min(xs), max(xs)
    ordered = sorted(found, key=lambda t: Fraction(t["value"]["exact"]))
    segments: list[tuple[float, float, str]] = []
    points: list[tuple[float, str]] = []
    start, current = lo, str(ordered[0]["before"])
    for t in ordered:
        x = float(t["value"]["value"])
        if x > start:
            segments.append((start, x, current))
        sides = [t[key] for key, inside in (("before", x > lo), ("after", x < hi)) if inside]
        if t["at"] not in sides:  # a regime of the threshold alone (at an end: of the end)
            points.append((x, str(t["at"])))
        start, current = x, str(t["after"])
    if hi > start:
        segments.append((start, hi, current))
    return StripSegments(tuple(segments), tuple(points))


@attrs.frozen
class StripNumber:
    """A regime's number written on the strip: at ``x``, inside the strip or just above it."""

    x: float
    text: str
    inside: bool


#: Narrowest run of the strip (a fraction of the axis) that has its number written inside;
#: narrower ones (a regime of a threshold alone) have it just above the strip.
NUMBER_INSIDE = 0.04


def strip_numbers(
    boxes: Sequence[tuple[float, float, str]], numbers: Mapping[str, str]
) -> list[StripNumber]:
    """Where the strip shows each regime's ``R`` number: once per run of adjacent boxes.

    >>> [(n.x, n.text, n.inside) for n in strip_numbers(
    ...     [(0, 1, "a"), (1, 2, "a"), (2, 2.02, "b"), (2.02, 4, "c")],
    ...     {"a": "R1", "b": "R2", "c": "R3"})]
    [(1.0, 'R1', True), (2.01, 'R2', False), (3.01, 'R3', True)]
    """
    if not boxes:
        return []
    ordered = sorted(boxes)
    span = max(hi for _, hi, _ in ordered) - min(lo for lo, _, _ in ordered) or 1.0
    runs: list[list[Any]] = []
    for lo, hi, label in ordered:
        if runs and runs[-1][2] == label and abs(runs[-1][1] - lo) <= 1e-12 * span:
            runs[-1][1] = hi
        else:
            runs.append([lo, hi, label])
    return [
        StripNumber(round((lo + hi) / 2, 12), numbers[label], (hi - lo) >= NUMBER_INSIDE * span)
        for lo, hi, label in runs
        if label in numbers
    ]


def payoff_points(result: TreeSweepResult) -> dict[str, tuple[list[float], list[float]]]:
    """Per player, (x, payoff) of every distinct subgame-perfect payoff at every point."""
    path = result.paths[0]
    out: dict[str, tuple[list[float], list[float]]] = {}
    for pid, _ in result.players:
        xs: list[float] = []
        ys: list[float] = []
        for rows in result.points().values():
            for y in sorted({float(r[f"payoff.{pid}"]) for r in rows}):
                xs.append(float(rows[0][path]))
                ys.append(y)
        out[pid] = (xs, ys)
    return out


# --------------------------------------------------------------------------- figures


def merged_boxes(boxes: Sequence[tuple[float, float, str]]) -> list[tuple[float, float, str]]:
    """Strip boxes with adjacent boxes of one regime joined (sorted by their left edge).

    A fine grid has a box per point; drawing a patch each made a 200,000-point sweep take
    minutes. Boxes join only where one ends exactly where the next begins.

    >>> merged_boxes([(0, 1, "A"), (1, 2, "A"), (2, 3, "B"), (3.5, 4, "B")])
    [(0, 2, 'A'), (2, 3, 'B'), (3.5, 4, 'B')]
    """
    out: list[tuple[float, float, str]] = []
    for lo, hi, label in sorted(boxes, key=lambda b: (b[0], b[1])):
        if out and out[-1][2] == label and out[-1][1] == lo:
            out[-1] = (out[-1][0], hi, label)
        else:
            out.append((lo, hi, label))
    return out


def tree_sweep_plot(result: TreeSweepResult, labels: Labels | None = None) -> Figure:
    """Payoffs along a 1-D tree sweep, over the regime strip (see the module docstring)."""
    if len(result.paths) != 1:
        raise ValueError("this plot needs a 1-D sweep")
    labels = labels or Labels()
    fig = Figure(figsize=(9, 5.2))
    top, strip = fig.subplots(2, 1, sharex=True, gridspec_kw={"height_ratios": [4, 1]})
    _draw_payoffs(top, result)
    colours = part_colours(result)
    edges = _edges(np.asarray(result.axis_values[0], dtype=float))
    exact = strip_segments(result)
    if exact is None:
        cells = strip_cells(result)
        drawn = cells.labels
        index = {x: k for k, x in enumerate(result.axis_values[0])}
        boxes = [
            (*sorted((edges[index[x]], edges[index[x] + 1])), cells.labels[k])
            for x, k in zip(cells.x, cells.regime, strict=True)
        ]
    else:
        drawn = exact.labels
        width = 0.012 * (max(edges) - min(edges))
        boxes = [*exact.segments, *((x - width / 2, x + width / 2, lab) for x, lab in exact.points)]
    boxes = merged_boxes(boxes)  # one patch per run of a regime, not one per grid point
    numbers = regime_numbers(result)
    drawn = tuple(sorted(drawn, key=lambda lab: int(numbers[lab][1:])))  # R1, R2, ...
    styles = regime_styles(drawn, colours)
    style_of = dict(zip(drawn, styles, strict=True))
    for lo, hi, label in boxes:
        style = style_of[label]
        strip.add_patch(Rectangle((lo, 0), hi - lo, 1, facecolor=style.face, linewidth=0))
        for pattern, colour in style.hatches:
            strip.add_patch(
                Rectangle((lo, 0), hi - lo, 1, facecolor="none", edgecolor=colour,
                          hatch=pattern, linewidth=0)
            )  # fmt: skip
    for mark in strip_numbers(boxes, numbers):
        strip.text(
            mark.x, 0.5 if mark.inside else 1.04, mark.text,
            ha="center", va="center" if mark.inside else "bottom", fontsize=8,
            bbox=None if not mark.inside else
            {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8},
            clip_on=False,
        )  # fmt: skip
    strip.set_ylim(0, 1)
    strip.set_yticks([])
    strip.set_xlim(min(edges[0], edges[-1]), max(edges[0], edges[-1]))
    strip.set_ylabel("regime", rotation=0, ha="right", va="center")
    for ax in (top, strip):
        _mark_changes(ax, result)
    strip.set_xlabel(wrapped(labels.xlabel or result.paths[0], 90))
    default_ylabel = PBE_SWEEP_YLABEL if result.pbe else SPE_YLABEL
    top.set_ylabel(wrapped(labels.ylabel or default_ylabel, 40))
    kind = "perfect Bayesian" if result.pbe else "subgame-perfect"
    top.set_title(
        _lines([labels.title or "Subgame-perfect payoffs", labels.subtitle,
                f"regimes: {kind} equilibria in words"], 90),
        fontsize=10,
    )  # fmt: skip
    top.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    fig.tight_layout()
    handles = _regime_handles(drawn, styles, numbers)
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.02, 0.0),
        fontsize=7.5,
        frameon=False,
        ncol=1,
        title="Regimes (numbered as the console and summary.json number them)",
        title_fontsize=9,
        alignment="left",
    )
    return fig


def _draw_payoffs(ax: Axes, result: TreeSweepResult) -> None:
    """Each player's payoffs: markers at every distinct value, lines within a regime."""
    table = result.regimes()
    regime = dict(zip(table.points, table.index, strict=True))
    path = result.paths[0]
    points = result.points()
    ordered = list(points)
    for k, (pid, label) in enumerate(result.players):
        colour = PALETTE[k % len(PALETTE)]
        xs, ys = payoff_points(result)[pid]
        ax.scatter(xs, ys, s=28, facecolors="none", edgecolors=colour, linewidths=1.2,
                   marker=MARKERS[k % len(MARKERS)], label=wrapped(label, 30),
                   zorder=3)  # fmt: skip
        segments = []
        for a, b in itertools.pairwise(ordered):
            ya = {float(r[f"payoff.{pid}"]) for r in points[a]}
            yb = {float(r[f"payoff.{pid}"]) for r in points[b]}
            if b == a + 1 and regime[a] == regime[b] and len(ya) == len(yb) == 1:
                segments.append(((points[a][0][path], ya.pop()), (points[b][0][path], yb.pop())))
        if segments:  # one artist for all of them: a 200,000-point sweep draws in seconds
            ax.add_collection(LineCollection(segments, colors=colour, linewidths=1.4, zorder=2))
    tied = {rows[0][path] for rows in points.values() if rows[0]["ties"]}
    if tied:
        for pid, _ in result.players:
            xs, ys = payoff_points(result)[pid]
            ring = [(x, y) for x, y in zip(xs, ys, strict=True) if x in tied]
            ax.scatter([x for x, _ in ring], [y for _, y in ring], s=110, facecolors="none",
                       edgecolors="black", linewidths=0.8, zorder=4)  # fmt: skip
        ax.scatter([], [], s=60, facecolors="none", edgecolors="black",
                   label="ties (several SPE)")  # fmt: skip
    ax.grid(alpha=0.25)


def _mark_changes(ax: Axes, result: TreeSweepResult) -> None:
    """Dotted lines where the regime changes; dashed lines at exact prior thresholds."""
    xs = result.axis_values[0]
    lo, hi = min(xs), max(xs)
    located = [float((t["value"] or t["low"])["value"]) for t in result.thresholds or ()]
    changes = [  # a change a threshold locates is drawn at the threshold instead
        c
        for c in result.change_points()
        if not any(min(c.low, c.high) <= x <= max(c.low, c.high) for x in located)
    ]
    for change in changes:
        ax.axvline(change.x, color="black", linestyle=":", linewidth=1)
    for t in result.thresholds or ():
        where = t["value"] or t["low"]
        x = float(where["value"])
        if not lo < x < hi:
            continue  # a threshold at an end of the range is the end itself
        ax.axvline(x, color=THRESHOLD_COLOUR, linestyle="--", linewidth=1.3)
        if ax.get_ylabel() != "regime":
            text = where["exact"] if t["exact"] else f"~{x:.4g}"
            ax.annotate(
                plain_text(text), (x, 1), xycoords=("data", "axes fraction"),
                xytext=(2, -2), textcoords="offset points", color=THRESHOLD_COLOUR,
                fontsize=8, va="top", rotation=90,
            )  # fmt: skip
    if ax.get_ylabel() != "regime":
        if changes:
            ax.plot([], [], color="black", linestyle=":", linewidth=1, label="regime changes")
        if any(lo < float((t["value"] or t["low"])["value"]) < hi for t in result.thresholds or ()):
            ax.plot([], [], color=THRESHOLD_COLOUR, linestyle="--", linewidth=1.3,
                    label="prior threshold")  # fmt: skip


def legend_texts(labels: Sequence[str], numbers: Mapping[str, str]) -> list[str]:
    """The regimes' legend texts: ``R3: <label>`` where the regime has a number.

    >>> legend_texts(["A", "B"], {"B": "R1"})
    ['A', 'R1: B']
    """
    return [f"{numbers[lab]}: {lab}" if lab in numbers else lab for lab in labels]


def _regime_handles(
    labels: Sequence[str], styles: Sequence[RegimeStyle], numbers: Mapping[str, str] | None = None
) -> list[Any]:
    texts = legend_texts(labels, numbers or {})
    return [
        Patch(
            facecolor=s.face,
            hatch="".join(p for p, _ in s.hatches) or None,
            edgecolor=s.hatches[0][1] if s.hatches else s.face,
            linewidth=0,
            label=wrapped(text, LEGEND_WIDTH, LEGEND_LIMIT),
        )
        for s, text in zip(styles, texts, strict=True)
    ]


@attrs.frozen
class TreeRegimeGrid:
    """The data of a tree regime map: ``index[i, j]`` into ``labels`` per cell."""

    index: npt.NDArray[np.int_]
    labels: tuple[str, ...]
    ties: npt.NDArray[np.bool_]


def regime_grid(result: TreeSweepResult) -> TreeRegimeGrid:
    """Each cell's regime, regimes numbered largest first (then by label); gaps unsolved."""
    if len(result.paths) != 2:
        raise ValueError("this plot needs a 2-D sweep")
    shape = result.grid_shape
    total = shape[0] * shape[1]
    table = result.regimes()
    counts = table.counts()
    if len(table.points) < total:
        counts[UNSOLVED] = total - len(table.points)
    labels = tuple(sorted(counts, key=lambda n: (-counts[n], n)))
    lookup = {name: k for k, name in enumerate(labels)}
    index = np.full(total, lookup.get(UNSOLVED, 0), dtype=int)
    ties = np.zeros(total, dtype=bool)
    for point, k, flag in zip(table.points, table.index, table.flags, strict=True):
        index[point] = lookup[table.labels[k]]
        ties[point] = "ties" in flag
    return TreeRegimeGrid(index.reshape(shape), labels, ties.reshape(shape))


def tree_regime_map(result: TreeSweepResult, labels: Labels | None = None) -> Figure:
    """A 2-D tree sweep's regime map, legend in words (see the module docstring)."""
    labels = labels or Labels()
    data = regime_grid(result)
    colours = part_colours(result)
    styles = regime_styles(data.labels, colours)
    fig = Figure(figsize=(8.5, 6))
    ax = fig.subplots()
    x, y = (np.asarray(v, dtype=float) for v in result.axis_values)
    xe, ye = _edges(x), _edges(y)
    ax.pcolormesh(
        xe, ye, data.index.T, cmap=ListedColormap([s.face for s in styles]),
        vmin=-0.5, vmax=len(styles) - 0.5, shading="flat",
    )  # fmt: skip
    for k, style in enumerate(styles):
        if style.hatches:
            rectangles = _rectangles(data.index == k, xe, ye)
            for pattern, colour in style.hatches:
                ax.add_collection(
                    PolyCollection(rectangles, facecolors="none", edgecolors=colour,
                                   linewidths=0, hatch=pattern)
                )  # fmt: skip
    handles = _regime_handles(data.labels, styles)
    if data.ties.any():
        i, j = np.nonzero(data.ties)
        ax.plot(x[i], y[j], "k.", markersize=2.5, markeredgewidth=0)
        handles.append(Line2D([], [], color="black", marker=".", linestyle="none",
                              markersize=4, label="ties (several SPE at the point)"))  # fmt: skip
    ax.set_xlim(min(xe[0], xe[-1]), max(xe[0], xe[-1]))
    ax.set_ylim(min(ye[0], ye[-1]), max(ye[0], ye[-1]))
    ax.set_xlabel(wrapped(labels.xlabel or result.paths[0], 80))
    ax.set_ylabel(wrapped(labels.ylabel or result.paths[1], 60))
    kind = "perfect Bayesian" if result.pbe else "subgame-perfect"
    ax.set_title(
        _lines([labels.title or "Regimes", labels.subtitle,
                f"regimes: {kind} equilibria in words"], 80),
        fontsize=10,
    )  # fmt: skip
    fig.tight_layout()
    fig.legend(
        handles=handles,
        loc="upper left",
        bbox_to_anchor=(0.02, 0.0),
        fontsize=7.5,
        frameon=False,
        ncol=1,
        title="Regimes",
        title_fontsize=9,
        alignment="left",
    )
    return fig


def save_tree_sweep_plots(
    result: TreeSweepResult, folder: str | Path, fmt: str = "png", labels: Labels | None = None
) -> list[str]:
    """Draw and save a tree sweep's plots: ``payoffs.<fmt>`` (1-D) or ``regimes.<fmt>`` (2-D)."""
    folder = Path(folder)
    if len(result.paths) == 1:
        stem, fig = "payoffs", tree_sweep_plot(result, labels)
    else:
        stem, fig = "regimes", tree_regime_map(result, labels)
    name = f"{stem}.{fmt}"
    save(fig, folder / name, fmt)
    return [name]
