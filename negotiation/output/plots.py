r"""Plots: data in, a matplotlib Figure out.

Each plot function takes data (a :class:`~negotiation.studies.sweep.SweepResult` or a scenario) and
an optional ``ax`` (or ``axes``), draws on it, and returns the figure. The data behind each
plot is prepared by a plain function of its own (:func:`branches`, :func:`regime_grid`,
:func:`negotiation.studies.sweep.change_points`), which the tests check. Figures are made with
:class:`matplotlib.figure.Figure` directly, never through pyplot, so nothing depends on a
display. Colours are the Okabe-Ito palette, safe for colour-blind readers (Okabe and Ito,
"Color Universal Design", 2008).

Every label drawn comes from a scenario file or a manifest, which anyone can write, so it
passes through :func:`plain_text` first: ``$`` and ``\`` are shown as themselves rather
than read as matplotlib mathtext (``"$\foo$"`` would otherwise stop the drawing with a
parse error), control characters are shown as escapes, and a label is cut to
:data:`negotiation.limits.MAX_LABEL_LENGTH` characters.
"""

from __future__ import annotations

import textwrap
import zlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.colors import ListedColormap
from matplotlib.figure import Figure
from matplotlib.patches import Patch, Rectangle

from negotiation import limits
from negotiation.model.payoffs import payoff_matrices
from negotiation.model.scenario import Matrix, Scenario
from negotiation.output import atomic
from negotiation.output.report import number, printable
from negotiation.studies.sweep import SweepResult, change_points, regime_label

#: Okabe-Ito colours (black last, kept for markings).
PALETTE = ("#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7")
MARKERS = ("o", "s", "^", "D", "v", "P", "X")

#: Regime-map label of grid points an interrupted sweep has not solved yet.
UNSOLVED = "not solved yet (interrupted sweep)"

#: Largest table whose payoff heatmaps get each cell's number written in it.
ANNOTATED_CELLS = 400


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


def strategy_plot(result: SweepResult, axes: Sequence[Axes] | None = None) -> Figure:
    """Each player's equilibrium probability of each strategy along a 1-D sweep.

    Every equilibrium is drawn (several at one parameter value are several markers);
    degenerate grid points are ringed in black; vertical lines mark where the equilibrium
    set changes.
    """
    data = branches(result, "prob")
    fig, axes = _axes(axes, len(data), figsize=(8, 3.2 * len(data)))
    for ax, (pid, player_branches) in zip(axes, data.items(), strict=True):
        label = _player_label(result, pid)
        for k, branch in enumerate(player_branches):
            _scatter(ax, branch, k)
        ax.set_ylim(-0.05, 1.05)
        ax.set_ylabel(wrapped(f"P(strategy), {label}", 40))
        ax.set_title(wrapped(f"{label}: equilibrium strategy probabilities", 80), fontsize=11)
        _mark_changes(ax, result)
        ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    axes[-1].set_xlabel(plain_text(result.paths[0]))
    fig.tight_layout()
    return fig


def payoff_plot(result: SweepResult, ax: Axes | None = None) -> Figure:
    """Each player's equilibrium payoff along a 1-D sweep (every equilibrium drawn)."""
    data = branches(result, "payoff")
    fig, (ax,) = _axes(None if ax is None else [ax], 1, figsize=(8, 3.6))
    for k, (pid, (branch,)) in enumerate(data.items()):
        _scatter(ax, attrs.evolve(branch, label=_player_label(result, pid)), k)
    ax.set_xlabel(plain_text(result.paths[0]))
    ax.set_ylabel("expected payoff in equilibrium")
    ax.set_title("Equilibrium payoffs", fontsize=11)
    _mark_changes(ax, result)
    ax.legend(loc="center left", bbox_to_anchor=(1.01, 0.5), fontsize=9, frameon=False)
    fig.tight_layout()
    return fig


@attrs.frozen
class RegimeGrid:
    """The data of a regime map: a regime index per grid cell and the regimes' names.

    ``index[i, j]`` is the regime at the i-th value of the first axis (drawn horizontally)
    and the j-th of the second (vertically); ``degenerate[i, j]`` flags degenerate cells.
    """

    index: npt.NDArray[np.int_]
    degenerate: npt.NDArray[np.bool_]
    labels: tuple[str, ...]


def regime_grid(result: SweepResult) -> RegimeGrid:
    """Classify each cell of a 2-D sweep by its equilibrium set (see :func:`regime_label`).

    Regimes are numbered by how many cells they cover, largest first.
    """
    _require_dims(result, 2)
    shape = result.grid_shape
    names = np.full(shape, UNSOLVED, dtype=object)  # an interrupted sweep has gaps
    degenerate = np.zeros(shape, dtype=bool)
    for point, rows in result.points().items():
        cell = np.unravel_index(point, shape)
        names[cell] = regime_label(rows, result.players)
        degenerate[cell] = rows[0]["degenerate"]
    counts: dict[str, int] = {}
    for name in names.flat:
        counts[name] = counts.get(name, 0) + 1
    labels = tuple(sorted(counts, key=lambda n: (-counts[n], n)))
    lookup = {name: k for k, name in enumerate(labels)}
    index = np.vectorize(lookup.__getitem__, otypes=[int])(names)
    return RegimeGrid(index, degenerate, labels)


def regime_colours(labels: Sequence[str]) -> list[str]:
    """A colour per regime label, the same for the same label on every map where possible.

    Each label prefers the palette colour its CRC-32 picks, so a regime keeps its colour
    from one sweep to the next; labels earlier in ``labels`` (larger regimes) win a clash and
    the later one takes the next free colour. Unsolved cells are light grey.
    """
    taken: set[int] = set()
    colours = []
    for label in labels:
        if label == UNSOLVED:
            colours.append("#DDDDDD")
            continue
        k = zlib.crc32(label.encode()) % len(PALETTE)
        for step in range(len(PALETTE)):
            if (k + step) % len(PALETTE) not in taken or len(taken) >= len(PALETTE):
                k = (k + step) % len(PALETTE)
                break
        taken.add(k)
        colours.append(PALETTE[k])
    return colours


def regime_map(result: SweepResult, ax: Axes | None = None) -> Figure:
    """A 2-D sweep's regime map: each cell coloured by its equilibrium set.

    The legend names each regime in strategy labels; degenerate cells carry a black dot.
    """
    data = regime_grid(result)
    fig, (ax,) = _axes(None if ax is None else [ax], 1, figsize=(8, 6))
    x, y = (np.asarray(v) for v in result.axis_values)
    colours = regime_colours(data.labels)
    ax.pcolormesh(
        _edges(x),
        _edges(y),
        data.index.T,
        cmap=ListedColormap(colours),
        vmin=-0.5,
        vmax=len(colours) - 0.5,
        shading="flat",
    )
    if data.degenerate.any():
        i, j = np.nonzero(data.degenerate)
        ax.plot(x[i], y[j], "k.", markersize=3, label="degenerate game")
    ax.set_xlabel(plain_text(result.paths[0]))
    ax.set_ylabel(plain_text(result.paths[1]))
    ax.set_title("Equilibrium regimes", fontsize=11)
    handles: list[Any] = [
        Patch(
            facecolor=c,
            label=wrapped(lab, 60, 4 * limits.MAX_LABEL_LENGTH),
        )
        for c, lab in zip(colours, data.labels, strict=True)
    ]
    if data.degenerate.any():
        handles.append(ax.lines[-1])
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


def payoff_heatmaps(scenario: Scenario, axes: Sequence[Axes] | None = None) -> Figure:
    """Both payoff matrices as heatmaps, pure equilibria outlined.

    Each cell's payoff is written in it when the table has at most :data:`ANNOTATED_CELLS`
    cells. The pure equilibria are found directly (see :func:`pure_equilibria`), so a large
    game is drawn without solving it.
    """
    game = payoff_matrices(scenario)
    pure = pure_equilibria(game.A, game.B)
    row, col = scenario.players
    annotate = len(row.strategies) * len(col.strategies) <= ANNOTATED_CELLS
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
        ax.set_xlabel(wrapped(col.label, 60))
        ax.set_ylabel(wrapped(row.label, 40))
        ax.set_title(wrapped(f"Payoffs to {player.label}", 60), fontsize=11)
    if pure:
        fig.suptitle(
            "Outlined in vermilion: a pure Nash equilibrium", fontsize=9, y=0.02, va="bottom"
        )
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


def _scatter(ax: Axes, branch: Branch, k: int) -> None:
    x, y = np.asarray(branch.x), np.asarray(branch.y)
    order = np.argsort(x, kind="stable")
    ax.plot(x[order], y[order], color=_colour(k), linewidth=0.6, alpha=0.35)
    ax.scatter(
        x,
        y,
        s=14,
        color=_colour(k),
        marker=MARKERS[k % len(MARKERS)],
        label=wrapped(branch.label, 40),
        zorder=3,
    )
    flagged = np.asarray(branch.degenerate)
    if flagged.any():
        ax.scatter(
            x[flagged],
            y[flagged],
            s=46,
            facecolors="none",
            edgecolors="black",
            linewidths=0.8,
            zorder=4,
        )


def _mark_changes(ax: Axes, result: SweepResult) -> None:
    """Dotted lines where the equilibrium set changes; legend entries for the markings."""
    changes = change_points(result)
    for change in changes:
        ax.axvline(change.x, color="black", linestyle=":", linewidth=1)
    if changes:
        ax.plot([], [], color="black", linestyle=":", linewidth=1, label="equilibrium set changes")
    if any(row["degenerate"] for row in result.rows):
        ax.scatter([], [], s=46, facecolors="none", edgecolors="black", label="degenerate game")
    ax.grid(alpha=0.25)


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
    """Save a figure atomically (a partial image is never left at ``path``)."""
    atomic.replace(path, lambda tmp: fig.savefig(tmp, format=fmt, dpi=150, bbox_inches="tight"))


def save_sweep_plots(result: SweepResult, folder: str | Path, fmt: str = "png") -> list[str]:
    """Draw and save the plots of a sweep; returns the file names written.

    1-D sweeps give ``strategies.<fmt>`` and ``payoffs.<fmt>``; 2-D sweeps ``regimes.<fmt>``.
    """
    folder = Path(folder)
    figures = (
        {"strategies": strategy_plot(result), "payoffs": payoff_plot(result)}
        if len(result.paths) == 1
        else {"regimes": regime_map(result)}
    )
    names = []
    for stem, fig in figures.items():
        name = f"{stem}.{fmt}"
        save(fig, folder / name, fmt)
        names.append(name)
    return names
