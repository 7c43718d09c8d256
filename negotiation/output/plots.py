r"""Plots: data in, a matplotlib Figure out.

Each plot function takes data (a :class:`~negotiation.studies.sweep.SweepResult` or a
scenario), an optional ``ax`` (or ``axes``) and optional :class:`Labels`, draws, and returns
the figure. The data behind each plot is prepared by a plain function of its own
(:func:`branches`, :func:`links`, :func:`regime_grid`, :func:`regime_styles`,
:func:`degenerate_marks`, :func:`negotiation.studies.sweep.change_points`), which the tests
check. Figures are made with :class:`matplotlib.figure.Figure` directly, never through
pyplot, so nothing depends on a display, and :func:`save` writes PDFs with TrueType
(Type 42) fonts, which journals' checkers accept, instead of matplotlib's default Type 3.

Colours. Lines and markers use the Okabe-Ito palette (Okabe and Ito, "Color Universal
Design", 2008). A regime map colours a regime by what it *is*, never by how large it is:
each pure outcome (row strategy r, column strategy c of an m x n game) has a fixed colour,
:func:`outcome_colour`, from Paul Tol's colour-blind-safe "muted" scheme (Tol, "Colour
Schemes", SRON/EPS/TN/09-002, 2021) for games of up to 9 outcomes; a regime of one pure
equilibrium is filled with its outcome's colour, and any other regime (several equilibria,
or a mixed one) with the colour of the first outcome it involves, hatched in the colours of
the others (stripes for several equilibria, dots for one mixed equilibrium). So a regime
has the same colour on every map of a scenario, and two regimes of one map never look the
same (:func:`regime_styles` adds a black mark in the rare case that two would).

Every label drawn comes from a scenario file or a manifest, which anyone can write, so it
passes through :func:`plain_text` first: ``$`` and ``\`` are shown as themselves rather
than read as matplotlib mathtext (``"$\foo$"`` would otherwise stop the drawing with a
parse error), control characters are shown as escapes, and a label is cut to
:data:`negotiation.limits.MAX_LABEL_LENGTH` characters.
"""

from __future__ import annotations

import colorsys
import math
import re
import textwrap
import zlib
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

from negotiation import limits
from negotiation.model.payoffs import payoff_matrices
from negotiation.model.scenario import Matrix, Scenario
from negotiation.output import atomic
from negotiation.output.report import number, printable
from negotiation.studies.summary import (
    RegimeContent,
    manifest_criteria,
    manifest_players,
    path_label,
    regime_contents,
)
from negotiation.studies.sweep import SweepResult, change_points, regime_label

#: Okabe-Ito colours (black last, kept for markings).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: Paul Tol's "muted" colours, ordered so that the outcomes of one row or one column of a
#: 3 x 3 or 2 x 2 game get clearly different hues: outcome (r, c) of an m x n game takes
#: entry r * n + c (see :func:`outcome_colour`).
OUTCOME_PALETTE = (
    "#CC6677",  # rose
    "#DDCC77",  # sand
    "#332288",  # indigo
    "#88CCEE",  # cyan
    "#882255",  # wine
    "#117733",  # green
    "#999933",  # olive
    "#44AA99",  # teal
    "#AA4499",  # purple
)
#: Hatching of the further outcomes of a regime: several equilibria, one mixed equilibrium.
STRIPES = ("///", "\\\\\\", "|||", "---")
DOTS = ("..", "oo", "xx", "++")
#: Black marks that set apart two regimes whose colours and hatching would coincide.
MARKS = ("oo", "..", "**", "OO")

#: Regime-map label of grid points an interrupted sweep has not solved yet, and its colour.
UNSOLVED = "not solved yet (interrupted sweep)"
UNSOLVED_COLOUR = "#DDDDDD"

#: Largest table whose payoff heatmaps get each cell's number written in it.
ANNOTATED_CELLS = 400

#: Closest spacing of degenerate-point dots on a regime map, in points (1/72 inch); on finer
#: grids one dot stands for a block of cells (see :func:`degenerate_marks`).
MARK_SPACING = 4.0

#: Least gap between two degenerate-point rings of a 1-D plot, in points; on finer grids
#: one ring stands for a run of grid points (see :func:`degenerate_rings`).
RING_GAP = 3.0

Players = Sequence[tuple[str, tuple[str, ...], str, tuple[str, ...]]]


def plain_text(label: str, limit: int = limits.MAX_LABEL_LENGTH) -> str:
    r"""``label`` as matplotlib should draw it: literally, on one line, at most ``limit`` long.

    matplotlib reads text between two ``$`` as mathtext; escaping every ``$`` turns that
    off, and a backslash outside mathtext is drawn as itself.

    >>> plain_text("$\\foo$ costs $5")
    '\\$\\foo\\$ costs \\$5'
    >>> plain_text("a\nb"), len(plain_text("x" * 10_000))
    ('a\\nb', 200)
    """
    text = printable(label)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text.replace("$", r"\$")


def wrapped(label: str, width: int, limit: int = limits.MAX_LABEL_LENGTH) -> str:
    r""":func:`plain_text` broken into lines of at most ``width`` characters.

    Long labels are wrapped rather than left to widen the figure until its layout fails.

    >>> wrapped("Accept the full offer", 10)
    'Accept the\nfull offer'
    """
    return "\n".join(textwrap.wrap(plain_text(label, limit), width)) or plain_text(label)


#: Longest parenthesis kept on one line when a heading is wrapped ("(March 2025)").
KEPT_PHRASE = 30


def heading_wrapped(label: str, width: int) -> str:
    r""":func:`wrapped` for titles: a sentence per line first, never breaking a short parenthesis.

    A title that fits stays on one line. One that does not is broken at its sentence ends
    (``?``, ``.``, ``!`` before a capital) and each sentence wrapped; a parenthesis of up
    to :data:`KEPT_PHRASE` characters stays whole, so a date is not split from its month.

    >>> print(heading_wrapped("Is it a trap? The game with a type unknown (March 2025)", 40))
    Is it a trap?
    The game with a type unknown (March 2025)
    >>> heading_wrapped("Short (March 2025)", 40)
    'Short (March 2025)'
    """
    text = plain_text(label)
    if len(text) <= width:
        return text
    out: list[str] = []
    for sentence in re.split(r"(?<=[.?!])\s+(?=[A-Z])", text):
        kept = re.sub(
            rf"\([^()]{{1,{KEPT_PHRASE - 2}}}\)",
            lambda m: m.group(0).replace(" ", "\u00a0"),
            sentence,
        )
        out += [line.replace("\u00a0", " ") for line in textwrap.wrap(kept, width)]
    return "\n".join(out) or text


def _lines(texts: Sequence[str | None], width: int) -> str:
    """Several headings, each wrapped by :func:`heading_wrapped`, one under the other."""
    return "\n".join(heading_wrapped(t, width) for t in texts if t)


# --------------------------------------------------------------------------- words


@attrs.frozen
class Labels:
    """The words of a figure; ``None`` keeps the plot's own default.

    ``title`` heads the figure, ``xlabel`` and ``ylabel`` name its axes (on a 1-D plot
    ``ylabel`` replaces the probability or payoff label), and ``subtitle`` is a line under
    the title, where the command line states the ``--set`` overrides the figure was drawn
    with. :func:`default_labels` builds them from a scenario's own labels.
    """

    title: str | None = None
    xlabel: str | None = None
    ylabel: str | None = None
    subtitle: str | None = None


def overrides_text(
    overrides: Sequence[tuple[str, Fraction | str]],
    players: Players,
    criteria: Mapping[str, str] | None = None,
) -> str | None:
    """The overrides of a figure in words, ``with <path in words> = <value>; ...``.

    >>> overrides_text([("payoffs.row[1][0]", Fraction(4))],
    ...                [("row", ("stag", "hare"), "Hunter A", ("stag", "hare")),
    ...                 ("column", ("stag", "hare"), "Hunter B", ("stag", "hare"))])
    'with Hunter A payoff at (hare, stag) = 4'
    """
    if not overrides:
        return None
    return "with " + "; ".join(
        f"{path_label(path, players, criteria)} = {number(Fraction(value))}"
        for path, value in overrides
    )


def default_labels(
    paths: Sequence[str],
    players: Players,
    criteria: Mapping[str, str] | None = None,
    *,
    title: str | None = None,
    overrides: Sequence[tuple[str, Fraction | str]] = (),
) -> Labels:
    """The words the command line puts on a sweep's figures.

    The scenario's ``title``; the first swept path in words as the x label (see
    :func:`path_label`) and, for a 2-D sweep, the second as the y label; the overrides as
    the subtitle (see :func:`overrides_text`).
    """
    words = [path_label(p, players, criteria) for p in paths]
    return Labels(
        title=title or None,
        xlabel=words[0] if words else None,
        ylabel=words[1] if len(words) > 1 else None,
        subtitle=overrides_text(overrides, players, criteria),
    )


def scenario_labels(
    scenario: Scenario, paths: Sequence[str] = (), overrides: Sequence[tuple[str, Any]] = ()
) -> Labels:
    """:func:`default_labels` for a sweep (or, with no paths, the heatmaps) of ``scenario``."""
    players = [(p.id, p.strategy_ids, p.label, p.strategy_labels) for p in scenario.players]
    criteria = {c.id: c.label for c in scenario.criteria}
    return default_labels(
        paths,
        players,
        criteria,
        title=scenario.title or scenario.name,
        overrides=[(p, Fraction(v)) for p, v in overrides],
    )


def manifest_labels(manifest: Mapping[str, Any]) -> Labels:
    """:func:`default_labels` from a sweep folder's manifest (no scenario file needed)."""
    scenario = manifest.get("scenario", {})
    title = scenario.get("title") or scenario.get("name")
    overrides = [
        (str(o["path"]), str(o["exact"]))
        for o in manifest.get("overrides", [])
        if isinstance(o, Mapping) and "path" in o and "exact" in o
    ]
    return default_labels(
        [axis["path"] for axis in manifest["grid"]],
        manifest_players(manifest),
        manifest_criteria(manifest),
        title=str(title) if title else None,
        overrides=overrides,
    )


# --------------------------------------------------------------------------- 1-D plots


@attrs.frozen
class Branch:
    """Points (x, y) of one strategy's probability, or one player's payoff, along a 1-D sweep.

    ``degenerate`` flags the x values whose game is degenerate.
    """

    label: str
    x: tuple[float, ...]
    y: tuple[float, ...]
    degenerate: tuple[bool, ...]


def branches(result: SweepResult, quantity: str) -> dict[str, list[Branch]]:
    """The data of the 1-D plots, per player.

    ``quantity="prob"``: one branch per strategy holding every equilibrium's probability of
    it at every grid point (several equilibria at a point give several y values at one x).
    ``quantity="payoff"``: one branch per player with every equilibrium's payoff.
    """
    _require_dims(result, 1)
    path = result.paths[0]
    out: dict[str, list[Branch]] = {}
    for pid, sids, _, labels in result.players:
        keys = [f"prob.{pid}.{s}" for s in sids] if quantity == "prob" else [f"payoff.{pid}"]
        names = list(labels) if quantity == "prob" else ["payoff"]
        out[pid] = [
            Branch(
                name,
                tuple(r[path] for r in result.rows),
                tuple(r[key] for r in result.rows),
                tuple(r["degenerate"] for r in result.rows),
            )
            for key, name in zip(keys, names, strict=True)
        ]
    return out


def links(result: SweepResult) -> list[tuple[int, int]]:
    """The pairs of rows (positions in ``result.rows``) the 1-D plots join with a line.

    A line joins the k-th equilibrium of two neighbouring grid points only when both
    points are in the same regime (the same supports, see
    :func:`~negotiation.studies.sweep.regime_label`): there the probabilities and payoffs
    move continuously with the swept number. Across a change of regime nothing is drawn
    between the two grid points, so a plot never suggests a gradual passage from one pure
    answer to another that the grid did not see.
    """
    _require_dims(result, 1)
    position = {id(row): k for k, row in enumerate(result.rows)}
    points = sorted(result.points().items())
    labels = [regime_label(rows, result.players) for _, rows in points]
    out = []
    for (p0, rows0), (p1, rows1), l0, l1 in zip(
        points, points[1:], labels, labels[1:], strict=False
    ):
        if p1 == p0 + 1 and l0 == l1 and len(rows0) == len(rows1):
            out += [(position[id(a)], position[id(b)]) for a, b in zip(rows0, rows1, strict=True)]
    return out


def strategy_plot(
    result: SweepResult, axes: Sequence[Axes] | None = None, labels: Labels | None = None
) -> Figure:
    """Each player's equilibrium probability of each strategy along a 1-D sweep.

    Every equilibrium is drawn as a hollow marker, one shape and size per strategy, the
    later ones smaller, so strategies at the same probability (several at 0, say) stay
    visible inside each other; lines join points only within a regime (see :func:`links`).
    Degenerate grid points are ringed in black; dotted vertical lines mark where the
    equilibrium set changes.
    """
    labels = labels or Labels()
    data = branches(result, "prob")
    joined = links(result)
    own = axes is None
    fig, axes = _axes(axes, len(data), figsize=(8, 3.2 * len(data)))
    scale = _scale(fig, axes[0], result)
    for ax, (pid, player_branches) in zip(axes, data.items(), strict=True):
        label = _player_label(result, pid)
        for k, branch in enumerate(player_branches):
            _draw_branch(ax, branch, joined, k, len(player_branches), scale)
        ax.set_ylim(-0.06, 1.06)
        ax.set_ylabel(wrapped(labels.ylabel or f"P(strategy), {label}", 40))
        ax.set_title(wrapped(f"{label}: equilibrium strategy probabilities", 80), fontsize=10)
        _mark_changes(ax, result, scale)
        _legend(ax, scale)
    axes[-1].set_xlabel(wrapped(labels.xlabel or result.paths[0], 80))
    heading = _lines([labels.title, labels.subtitle], 90)
    if heading and own:
        fig.suptitle(heading, fontsize=11)
    elif heading:
        axes[0].set_title(heading + "\n" + axes[0].get_title(), fontsize=10)
    fig.tight_layout()
    return fig


def payoff_plot(
    result: SweepResult, ax: Axes | None = None, labels: Labels | None = None
) -> Figure:
    """Each player's equilibrium payoff along a 1-D sweep (every equilibrium drawn)."""
    labels = labels or Labels()
    data = branches(result, "payoff")
    joined = links(result)
    fig, (ax,) = _axes(None if ax is None else [ax], 1, figsize=(8, 3.6))
    scale = _scale(fig, ax, result)
    for k, (pid, (branch,)) in enumerate(data.items()):
        player = attrs.evolve(branch, label=_player_label(result, pid))
        _draw_branch(ax, player, joined, k, 2, scale)
    ax.set_xlabel(wrapped(labels.xlabel or result.paths[0], 80))
    ax.set_ylabel(wrapped(labels.ylabel or "expected payoff in equilibrium", 40))
    ax.set_title(_lines([labels.title or "Equilibrium payoffs", labels.subtitle], 80), fontsize=11)
    _mark_changes(ax, result, scale)
    _legend(ax, scale)
    fig.tight_layout()
    return fig


def _legend(ax: Axes, scale: float) -> None:
    """The legend of a 1-D plot, its markers at full size whatever the grid's density."""
    ax.legend(
        loc="center left",
        bbox_to_anchor=(1.01, 0.5),
        fontsize=9,
        frameon=False,
        markerscale=1 / math.sqrt(scale),
    )


def _scale(fig: Figure, ax: Axes, result: SweepResult) -> float:
    """:func:`marker_scale` for this axes' width and this sweep's number of grid values."""
    width = ax.get_position().width * fig.get_size_inches()[0] * 72
    return marker_scale(result.grid_shape[0], width)


def _nested(k: int, count: int, largest: float, smallest: float) -> float:
    """The k-th of ``count`` sizes from ``largest`` down to ``smallest``."""
    if count <= 1:
        return largest
    return largest - (largest - smallest) * k / (count - 1)


def marker_scale(points: int, width: float) -> float:
    """How much to shrink 1-D markers so that ``points`` grid values fit ``width`` points.

    The largest marker is about 9.5 points across; on a grid whose values are closer than
    that it shrinks to 90% of their spacing, down to 4 points across (the lines within
    regimes carry the rest).

    >>> marker_scale(13, 350), round(marker_scale(121, 350), 2), round(marker_scale(601, 350), 2)
    (1.0, 0.18, 0.18)
    """
    spacing = width / max(1, points - 1)
    diameter = min(9.5, max(4.0, 0.9 * spacing))
    return (diameter / 9.5) ** 2


@attrs.frozen
class DegenerateRings:
    """Where a 1-D plot rings one strategy's (or player's) degenerate points, and how.

    ``block`` is 1 when every degenerate grid point gets its own ring; on a finer grid one
    ring stands for each block of ``block`` consecutive grid values (counted from the first)
    holding degenerate points at one value of ``y``, drawn on the first of them: always on
    a degenerate point, and at the same places for every strategy. ``size`` is the ring's
    diameter in points.
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    size: float
    block: int


def degenerate_rings(
    x: Sequence[float], y: Sequence[float], flagged: Sequence[bool], width: float, marker: float
) -> DegenerateRings:
    """Rings for the flagged points of a branch drawn on an axes ``width`` points wide.

    A ring is 3.5 points wider than the largest marker (``marker`` points across: 13 points
    on a coarse grid, as before). Rings at least :data:`RING_GAP` apart: a 13-point grid
    rings every degenerate point, a 121-point grid one per run of grid values, so the rings
    along a degenerate stretch read as a dotted chain, not a black band hiding the markers
    inside it (as degenerate dots on a regime map thin out, :func:`degenerate_marks`).

    >>> xs = [k / 10 for k in range(121)]
    >>> rings = degenerate_rings(xs, [1.0] * 121, [k > 72 for k in range(121)], 350, 4.0)
    >>> rings.size, rings.block, len(rings.x)
    (7.5, 4, 13)
    >>> rings.x[:3], rings.x[-1]
    ((7.3, 7.6, 8.0), 12.0)
    >>> degenerate_rings(xs[:13], [0.0] * 13, [k == 6 for k in range(13)], 350, 9.5).x
    (0.6,)
    """
    grid = np.unique(np.asarray(x, dtype=float))
    spacing = width / max(1, len(grid) - 1)
    size = marker + 3.5
    block = max(1, math.ceil((size + RING_GAP) / max(spacing, 1e-9)))
    first: dict[tuple[int, float], float] = {}
    for xv, yv, flag in zip(x, y, flagged, strict=True):
        if flag:
            index = int(np.searchsorted(grid, xv))
            key = (index // block, float(yv))
            first[key] = min(first.get(key, math.inf), float(xv))
    keys = sorted(first)
    return DegenerateRings(tuple(first[k] for k in keys), tuple(y for _, y in keys), size, block)


def _draw_branch(
    ax: Axes,
    branch: Branch,
    joined: Sequence[tuple[int, int]],
    k: int,
    count: int,
    scale: float = 1.0,
) -> None:
    x, y = np.asarray(branch.x), np.asarray(branch.y)
    colour = _colour(k)
    if joined:
        segments = [((x[a], y[a]), (x[b], y[b])) for a, b in joined]
        lines = LineCollection(
            segments, colors=colour, linewidths=_nested(k, count, 3.2, 0.9), zorder=2 + k / 100
        )
        ax.add_collection(lines)
    ax.scatter(
        x,
        y,
        s=scale * _nested(k, count, 90, 20),
        facecolors="none",
        edgecolors=colour,
        linewidths=1.2,
        marker=MARKERS[k % len(MARKERS)],
        label=wrapped(branch.label, 40),
        zorder=3 + k / 100,
    )
    if any(branch.degenerate):
        width = ax.bbox.width * 72 / ax.figure.dpi  # the axes' width in points
        rings = degenerate_rings(
            branch.x, branch.y, branch.degenerate, width, 9.5 * math.sqrt(scale)
        )
        ax.scatter(
            rings.x,
            rings.y,
            s=rings.size**2,
            facecolors="none",
            edgecolors="black",
            linewidths=0.8,
            zorder=4,
        )


def _mark_changes(ax: Axes, result: SweepResult, scale: float = 1.0) -> None:
    """Dotted lines where the equilibrium set changes; legend entries for the markings.

    ``scale`` is the markers' (see :func:`marker_scale`); the legend undoes it.
    """
    changes = change_points(result)
    for change in changes:
        ax.axvline(change.x, color="black", linestyle=":", linewidth=1)
    if changes:
        ax.plot([], [], color="black", linestyle=":", linewidth=1, label="equilibrium set changes")
    if any(row["degenerate"] for row in result.rows):
        ax.scatter(
            [], [], s=60 * scale, facecolors="none", edgecolors="black", label="degenerate game"
        )
    ax.grid(alpha=0.25)


# --------------------------------------------------------------------------- regime maps


@attrs.frozen
class RegimeGrid:
    """The data of a regime map: a regime index per grid cell and the regimes.

    ``index[i, j]`` is the position in ``labels`` of the regime at the i-th value of the
    first axis (drawn horizontally) and the j-th of the second (vertically);
    ``degenerate[i, j]`` flags degenerate cells. ``contents`` describes each regime by its
    equilibria's supports (``None`` for :data:`UNSOLVED`), and ``game_shape`` is the
    scenario's (rows, columns), which :func:`regime_styles` colours outcomes by.
    """

    index: npt.NDArray[np.int_]
    degenerate: npt.NDArray[np.bool_]
    labels: tuple[str, ...]
    contents: tuple[RegimeContent | None, ...] = ()
    game_shape: tuple[int, int] = (0, 0)


def regime_grid(result: SweepResult) -> RegimeGrid:
    """Classify each cell of a 2-D sweep by its equilibrium set (see :func:`regime_label`).

    Regimes are numbered by how many cells they cover, largest first (ties by label).
    """
    _require_dims(result, 2)
    shape = result.grid_shape
    total = shape[0] * shape[1]
    table = result.regime_table()  # on the result's columns: no object per point
    counts = table.counts()
    contents = dict(zip(table.labels, regime_contents(result), strict=True))
    if len(table.points) < total:  # an interrupted sweep has gaps
        counts[UNSOLVED] = total - len(table.points)
    labels = tuple(sorted(counts, key=lambda n: (-counts[n], n)))
    lookup = {name: k for k, name in enumerate(labels)}
    index = np.full(total, lookup.get(UNSOLVED, 0), dtype=int)
    degenerate = np.zeros(total, dtype=bool)
    position = np.array([lookup[label] for label in table.labels], dtype=int)
    index[table.points] = position[table.regime]
    degenerate[table.points] = table.degenerate
    game_shape = (len(result.players[0][1]), len(result.players[1][1]))
    return RegimeGrid(
        index.reshape(shape),
        degenerate.reshape(shape),
        labels,
        tuple(contents.get(label) for label in labels),
        game_shape,
    )


def outcome_colour(row: int, col: int, shape: tuple[int, int]) -> str:
    """The fixed colour of the pure outcome (``row``, ``col``) of a game of ``shape``.

    Outcome (r, c) of an m x n game is number r * n + c. Games of up to 9 outcomes take
    :data:`OUTCOME_PALETTE` (colour-blind safe); up to 20, matplotlib's ``tab20``; larger
    ones evenly spaced hues. Distinct outcomes always get distinct colours.

    >>> outcome_colour(0, 0, (3, 3)), outcome_colour(1, 0, (3, 3)), outcome_colour(2, 0, (3, 3))
    ('#CC6677', '#88CCEE', '#999933')
    """
    m, n = shape
    k, total = row * n + col, m * n
    if total <= len(OUTCOME_PALETTE):
        return OUTCOME_PALETTE[k]
    if total <= 20:
        return str(to_hex(matplotlib.colormaps["tab20"](k)).upper())
    red, green, blue = colorsys.hsv_to_rgb(k / total, 0.75, 0.9)
    return str(to_hex((red, green, blue)).upper())


@attrs.frozen
class RegimeStyle:
    """How a regime is drawn: a fill colour and hatchings ``(pattern, colour)`` over it."""

    face: str
    hatches: tuple[tuple[str, str], ...] = ()


def regime_styles(
    contents: Sequence[RegimeContent | None], game_shape: tuple[int, int]
) -> list[RegimeStyle]:
    """The style of each regime of one map, a function of the regime's content.

    A regime of one pure equilibrium is filled with its outcome's colour
    (:func:`outcome_colour`). Any other regime is filled with the colour of the first
    outcome it involves (:attr:`RegimeContent.outcomes`, table order) and hatched with
    each further outcome's colour: stripes (:data:`STRIPES`) when it has several
    equilibria, dots (:data:`DOTS`) when it is one mixed equilibrium. ``None`` (cells not
    solved yet) is light grey. Should two regimes of the map still look the same (several
    equilibria over the same outcomes, counted differently), the one with more equilibria
    (then the later label) gets a black mark from :data:`MARKS` as well, so no two regimes
    of a map are drawn alike.
    """
    out: list[RegimeStyle | None] = [None] * len(contents)
    seen: set[RegimeStyle] = {RegimeStyle(UNSOLVED_COLOUR)}
    order = sorted(
        range(len(contents)),
        key=lambda k: (0, 0, "") if contents[k] is None else (
            1, len(contents[k].equilibria), contents[k].label  # type: ignore[union-attr]
        ),
    )  # fmt: skip
    for k in order:
        content = contents[k]
        if content is None:
            out[k] = RegimeStyle(UNSOLVED_COLOUR)
            continue
        base = _base_style(content, game_shape)
        style, extra = base, 0
        while style in seen:
            mark = MARKS[extra % len(MARKS)] * (1 + extra // len(MARKS))
            style = attrs.evolve(base, hatches=(*base.hatches, (mark, "black")))
            extra += 1
        seen.add(style)
        out[k] = style
    return [s if s is not None else RegimeStyle(UNSOLVED_COLOUR) for s in out]


def _base_style(content: RegimeContent, shape: tuple[int, int]) -> RegimeStyle:
    colours = [outcome_colour(r, c, shape) for r, c in content.outcomes]
    if content.single_pure or len(colours) == 1:
        return RegimeStyle(colours[0])
    patterns = STRIPES if len(content.equilibria) > 1 else DOTS
    hatches = tuple(
        (patterns[i % len(patterns)] * (1 + i // len(patterns)), colour)
        for i, colour in enumerate(colours[1:])
    )
    return RegimeStyle(colours[0], hatches)


def regime_colours(labels: Sequence[str]) -> list[str]:
    """A colour per regime label, for plots that know regimes only by their labels.

    Each label prefers the palette colour its CRC-32 picks; labels earlier in ``labels``
    win a clash and the later one takes the next free colour. Regime maps do better (see
    :func:`regime_styles`): their colours follow the regime's content and never clash.
    Unsolved cells are light grey.
    """
    taken: set[int] = set()
    colours = []
    for label in labels:
        if label == UNSOLVED:
            colours.append(UNSOLVED_COLOUR)
            continue
        k = zlib.crc32(label.encode()) % len(PALETTE)
        for step in range(len(PALETTE)):
            if (k + step) % len(PALETTE) not in taken or len(taken) >= len(PALETTE):
                k = (k + step) % len(PALETTE)
                break
        taken.add(k)
        colours.append(PALETTE[k])
    return colours


@attrs.frozen
class DegenerateMarks:
    """Where a regime map draws its degenerate-point dots, and how.

    ``block`` is 1 when every degenerate cell gets its own dot; on a finer grid one dot
    stands for each ``block`` x ``block`` block of cells holding any degenerate cell, at
    their mean position. ``size`` is the dot's diameter in points.
    """

    x: npt.NDArray[np.float64]
    y: npt.NDArray[np.float64]
    size: float
    block: int


def degenerate_marks(
    degenerate: npt.NDArray[np.bool_],
    x: npt.NDArray[np.float64],
    y: npt.NDArray[np.float64],
    cell: float,
) -> DegenerateMarks:
    """Dots for the degenerate cells of a map whose cells are ``cell`` points wide.

    Dots are at most 40% of the spacing between them, so the colours of the tie regimes
    underneath stay visible, and never closer than :data:`MARK_SPACING` points: a 61 x 61
    map gets a dot per degenerate cell, a 601 x 601 map one dot per block of cells (a
    dotted line along a border rather than a black band hiding it).
    """
    block = max(1, math.ceil(MARK_SPACING / max(cell, 1e-9)))
    i, j = np.nonzero(degenerate)
    size = float(min(3.0, max(0.6, 0.4 * block * cell)))
    if block == 1 or len(i) == 0:
        return DegenerateMarks(x[i].astype(float), y[j].astype(float), size, 1)
    keys = (i // block) * (len(y) // block + 1) + j // block
    unique, inverse = np.unique(keys, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(unique))
    xs = np.bincount(inverse, weights=x[i], minlength=len(unique)) / counts
    ys = np.bincount(inverse, weights=y[j], minlength=len(unique)) / counts
    return DegenerateMarks(xs, ys, size, block)


def regime_map(result: SweepResult, ax: Axes | None = None, labels: Labels | None = None) -> Figure:
    """A 2-D sweep's regime map: each cell coloured by its equilibrium set.

    Colours and hatching follow :func:`regime_styles`; the legend names each regime in
    strategy labels; degenerate cells carry black dots, thinned on fine grids (see
    :func:`degenerate_marks`).
    """
    labels = labels or Labels()
    data = regime_grid(result)
    fig, (ax,) = _axes(None if ax is None else [ax], 1, figsize=(8, 6))
    x, y = (np.asarray(v, dtype=float) for v in result.axis_values)
    styles = regime_styles(data.contents, data.game_shape)
    xe, ye = _edges(x), _edges(y)
    ax.pcolormesh(
        xe,
        ye,
        data.index.T,
        cmap=ListedColormap([s.face for s in styles]),
        vmin=-0.5,
        vmax=len(styles) - 0.5,
        shading="flat",
    )
    for k, style in enumerate(styles):
        if style.hatches:
            rectangles = _rectangles(data.index == k, xe, ye)
            for pattern, colour in style.hatches:
                ax.add_collection(
                    PolyCollection(
                        rectangles,
                        facecolors="none",
                        edgecolors=colour,
                        linewidths=0,
                        hatch=pattern,
                    )
                )
    handles: list[Any] = [
        Patch(
            facecolor=s.face,
            hatch="".join(p for p, _ in s.hatches) or None,
            edgecolor=s.hatches[0][1] if s.hatches else s.face,
            linewidth=0,
            label=wrapped(lab, 60, 4 * limits.MAX_LABEL_LENGTH),
        )
        for s, lab in zip(styles, data.labels, strict=True)
    ]
    if data.degenerate.any():
        box = ax.get_position()
        width, height = fig.get_size_inches()
        cell = 72 * min(box.width * width / len(x), box.height * height / len(y))
        marks = degenerate_marks(data.degenerate, x, y, cell)
        ax.plot(marks.x, marks.y, "k.", markersize=marks.size, markeredgewidth=0)
        what = (
            "degenerate game"
            if marks.block == 1
            else f"degenerate games (one dot per {marks.block} x {marks.block} cells)"
        )
        handles.append(
            Line2D([], [], color="black", marker=".", linestyle="none", markersize=4, label=what)
        )
    ax.set_xlim(min(xe[0], xe[-1]), max(xe[0], xe[-1]))
    ax.set_ylim(min(ye[0], ye[-1]), max(ye[0], ye[-1]))
    ax.set_xlabel(wrapped(labels.xlabel or result.paths[0], 80))
    ax.set_ylabel(wrapped(labels.ylabel or result.paths[1], 60))
    ax.set_title(_lines([labels.title or "Equilibrium regimes", labels.subtitle], 80), fontsize=11)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, -0.12),
        fontsize=8,
        frameon=False,
        ncol=1,
    )
    fig.tight_layout()
    return fig


def _rectangles(
    mask: npt.NDArray[np.bool_], xe: npt.NDArray[np.float64], ye: npt.NDArray[np.float64]
) -> list[list[tuple[float, float]]]:
    """The cells where ``mask`` holds, merged into one rectangle per run along the y axis."""
    out = []
    for i in np.nonzero(mask.any(axis=1))[0]:
        column = np.concatenate([[False], mask[i], [False]]).astype(np.int8)
        starts = np.nonzero(np.diff(column) == 1)[0]
        ends = np.nonzero(np.diff(column) == -1)[0]
        for a, b in zip(starts, ends, strict=True):
            x0, x1, y0, y1 = xe[i], xe[i + 1], ye[a], ye[b]
            out.append([(x0, y0), (x1, y0), (x1, y1), (x0, y1)])
    return out


# --------------------------------------------------------------------------- heatmaps


def payoff_heatmaps(
    scenario: Scenario, axes: Sequence[Axes] | None = None, labels: Labels | None = None
) -> Figure:
    """Both payoff matrices as heatmaps, pure equilibria outlined.

    Each cell's payoff is written in it when the table has at most :data:`ANNOTATED_CELLS`
    cells. The pure equilibria are found directly (see :func:`pure_equilibria`), so a large
    game is drawn without solving it. ``labels.title`` and ``labels.subtitle`` (the
    command line's ``--set`` overrides) head the figure.
    """
    labels = labels or Labels()
    game = payoff_matrices(scenario)
    pure = pure_equilibria(game.A, game.B)
    row, col = scenario.players
    annotate = len(row.strategies) * len(col.strategies) <= ANNOTATED_CELLS
    own = axes is None
    fig, axes = _axes(
        axes, 2, figsize=(5 + 1.2 * len(col.strategies), 2 + 0.8 * len(row.strategies)), ncols=2
    )
    for ax, player, matrix in zip(axes, (row, col), (game.A, game.B), strict=True):
        values = np.array([[float(v) for v in r] for r in matrix])
        image = ax.imshow(values, cmap="cividis", aspect="auto")
        fig.colorbar(image, ax=ax, shrink=0.8)
        span = values.max() - values.min() or 1.0
        for (i, j), v in np.ndenumerate(values if annotate else np.empty((0, 0))):
            light = (v - values.min()) / span > 0.6
            ax.text(
                j,
                i,
                number(matrix[i][j]),
                ha="center",
                va="center",
                color="black" if light else "white",
                fontsize=10,
            )
        for r, c in pure:
            ax.add_patch(_outline(c, r))
        ax.set_xticks(range(len(col.strategies)), [plain_text(s) for s in col.strategy_labels])
        ax.set_yticks(range(len(row.strategies)), [plain_text(s) for s in row.strategy_labels])
        ax.set_xlabel(wrapped(labels.xlabel or col.label, 60))
        ax.set_ylabel(wrapped(labels.ylabel or row.label, 40))
        ax.set_title(wrapped(f"Payoffs to {player.label}", 60), fontsize=11)
    heading = _lines([labels.title, labels.subtitle], 100)
    if heading and own:
        fig.suptitle(heading, fontsize=11)
    elif heading:
        axes[0].set_title(heading + "\n" + axes[0].get_title(), fontsize=10)
    if pure:
        fig.text(
            0.5, 0.01, "Outlined in vermilion: a pure Nash equilibrium", fontsize=9,
            ha="center", va="bottom",
        )  # fmt: skip
    fig.tight_layout(rect=(0, 0.04, 1, 1))
    return fig


def pure_equilibria(A: Matrix, B: Matrix) -> list[tuple[int, int]]:
    """Every pure Nash equilibrium ``(row, column)``, by exact best responses.

    A cell is a pure equilibrium when its row is a best response to its column (the
    largest of ``A`` in that column) and its column a best response to its row (the largest
    of ``B`` in that row); ties count, so all pure equilibria of a degenerate game are
    found. This is the definition (Osborne, *An Introduction to Game Theory*, 2004, 2.6),
    checked in exact arithmetic in time proportional to the table's size.

    >>> from fractions import Fraction as F
    >>> pure_equilibria([[F(3), F(0)], [F(5), F(1)]], [[F(3), F(5)], [F(0), F(1)]])
    [(1, 1)]
    """
    col_best = [max(column) for column in zip(*A, strict=True)]
    row_best = [max(r) for r in B]
    return [
        (i, j)
        for i, r in enumerate(A)
        for j, value in enumerate(r)
        if value == col_best[j] and B[i][j] == row_best[i]
    ]


def _outline(c: int, r: int) -> Rectangle:
    return Rectangle(
        (c - 0.48, r - 0.48), 0.96, 0.96, fill=False, edgecolor=PALETTE[5], linewidth=3.5
    )


# --------------------------------------------------------------------------- helpers


def _axes(
    axes: Sequence[Axes] | None, count: int, figsize: tuple[float, float], ncols: int = 1
) -> tuple[Figure, list[Axes]]:
    if axes is not None:
        if len(axes) != count:
            raise ValueError(f"expected {count} axes, got {len(axes)}")
        figure = axes[0].get_figure()
        assert isinstance(figure, Figure)
        return figure, list(axes)
    fig = Figure(figsize=figsize)
    made = fig.subplots(count // ncols, ncols, squeeze=False)
    return fig, list(made.flat)


def _player_label(result: SweepResult, pid: str) -> str:
    return next(label for p, _, label, _ in result.players if p == pid)


def _colour(k: int) -> str:
    return PALETTE[k % len(PALETTE)]


def _edges(values: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
    """Cell edges around grid values (midpoints inside, half a step beyond the ends)."""
    if len(values) == 1:
        return np.array([values[0] - 0.5, values[0] + 0.5])
    mid = (values[1:] + values[:-1]) / 2
    return np.concatenate([[2 * values[0] - mid[0]], mid, [2 * values[-1] - mid[-1]]])


def _require_dims(result: SweepResult, dims: int) -> None:
    if len(result.paths) != dims:
        raise ValueError(f"this plot needs a {dims}-D sweep, got {len(result.paths)}-D")


def save(fig: Figure, path: str | Path, fmt: str) -> None:
    """Save a figure atomically (a partial image is never left at ``path``).

    PDF and PostScript embed TrueType (Type 42) fonts (``pdf.fonttype`` and ``ps.fonttype``
    42), not the Type 3 fonts matplotlib writes by default, which journals' submission
    checks reject.
    """

    def write(tmp: Path) -> None:
        with matplotlib.rc_context({"pdf.fonttype": 42, "ps.fonttype": 42}):
            fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight")

    atomic.replace(path, write)


def save_sweep_plots(
    result: SweepResult,
    folder: str | Path,
    fmt: str = "png",
    labels: Labels | None = None,
) -> list[str]:
    """Draw and save the plots of a sweep; returns the file names written.

    1-D sweeps give ``strategies.<fmt>`` and ``payoffs.<fmt>``; 2-D sweeps ``regimes.<fmt>``.
    ``labels`` word them (see :class:`Labels`, :func:`default_labels`).
    """
    folder = Path(folder)
    figures = (
        {
            "strategies": strategy_plot(result, labels=labels),
            "payoffs": payoff_plot(result, labels=labels),
        }
        if len(result.paths) == 1
        else {"regimes": regime_map(result, labels=labels)}
    )
    names = []
    for stem, fig in figures.items():
        name = f"{stem}.{fmt}"
        save(fig, folder / name, fmt)
        names.append(name)
    return names
