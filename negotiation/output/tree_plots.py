r"""Drawing game trees: data in, a matplotlib Figure out.

:func:`tree_plot` draws a :class:`~negotiation.model.tree.TreeScenario` the way textbooks and
Gambit's graphical interface do, root on the left and leaves on the right: each decision node
is a dot in its player's colour with the player's label, chance nodes are grey diamonds,
every edge carries its action's label (and a chance probability), every leaf its payoffs,
nodes of one information set are joined by a dashed line in their player's colour, and each
subgame-perfect equilibrium given is highlighted: a wide band along its path of play and a
dotted band along what it would choose off the path.

The drawing is computed by pure functions the tests check: :func:`tree_layout` places the
nodes (leaves one row each, in preorder; a node halfway between its first and last child's
rows; columns by depth, the "tidy" layered layout of Wetherell and Shannon, *Tidy drawings of
trees*, IEEE Transactions on Software Engineering 5(5), 1979, for the layered case), and
:func:`spe_edges` lists the edges an equilibrium highlights. Figures are built with
:class:`matplotlib.figure.Figure`, never pyplot, so nothing depends on a display; labels pass
through :func:`negotiation.output.plots.plain_text` (``$`` and ``\`` drawn as themselves).
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from fractions import Fraction

import attrs
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.typing import LineStyleType

from negotiation.errors import LimitError
from negotiation.model.tree import TreeNumbers, TreeScenario
from negotiation.output.plots import plain_text
from negotiation.output.report import number
from negotiation.solvers.spe import SubgamePerfect

#: Players' colours (Paul Tol's "muted" dark tones: indigo, green, wine, teal, olive,
#: purple), repeated beyond six players.
PLAYER_COLOURS = ("#332288", "#117733", "#882255", "#44AA99", "#999933", "#AA4499")

#: Colours of highlighted subgame-perfect equilibria: Okabe-Ito orange, sky blue, Tol's rose,
#: Okabe-Ito bluish green, blue, vermillion, reddish purple and yellow, Tol's olive and wine
#: (M. Okabe and K. Ito, *Color Universal Design*, 2008; P. Tol, *Colour schemes*, SRON
#: technical note, 2021). Beyond ten, colours repeat with another dash pattern of the path
#: (:func:`spe_style`), so no two equilibria of one drawing look alike.
SPE_COLOURS = (
    "#E69F00",
    "#56B4E9",
    "#CC6677",
    "#009E73",
    "#0072B2",
    "#D55E00",
    "#CC79A7",
    "#F0E442",
    "#999933",
    "#882255",
)

#: Dash patterns of an equilibrium's path band, one per round through :data:`SPE_COLOURS`
#: (solid first); choices off the path are always dotted.
SPE_DASHES: tuple[LineStyleType, ...] = (
    "-",
    (0, (3.0, 1.2)),
    (0, (1.2, 0.8, 3.0, 0.8)),
)

#: Size of the drawing: inches per leaf row and per depth column, and font size in points.
ROW_INCHES = 0.62
COLUMN_INCHES = 2.4
FONT_SIZE = 8.0

#: Characters of an edge label per line, and lines at most (the rest is cut with ``...``).
LABEL_WIDTH = 30
LABEL_LINES = 2

#: Most leaves drawn: beyond this a drawing cannot be read (the JSON output has every node).
MAX_DRAWN_LEAVES = 400

#: How far (in columns) from its parent an edge turns horizontal; its label follows.
ELBOW = 0.12

#: The ground behind edge labels: the equilibria's bands (drawn below them) pass behind the
#: letters instead of through them.
LABEL_GROUND = {
    "boxstyle": "square,pad=0.12",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.85,
}


@attrs.frozen
class TreeLayout:
    """Where each node is drawn: ``x[v]`` its column (depth), ``y[v]`` its row.

    Rows grow downwards: leaves take rows 0, 1, 2, ... in preorder, and every other node
    sits halfway between its first and last child. Columns are depths, except that every
    leaf is in the last column, so the payoffs line up. ``rows`` is the number of leaves
    and ``columns`` the depth of the tree plus one.
    """

    x: tuple[float, ...]
    y: tuple[float, ...]
    rows: int
    columns: int


def tree_layout(tree: TreeScenario) -> TreeLayout:
    """The layered tidy layout of ``tree`` (see the module docstring).

    A node's row lies within the rows of its leaves, so two nodes share a row only if one
    is below the other, and two siblings' rows differ by at least 1 (they lie in disjoint
    runs of leaf rows): each edge's label has a row's height to itself.

    >>> from negotiation.model.catalogue import load_tree
    >>> layout = tree_layout(load_tree("entry"))
    >>> layout.x, layout.y
    ((0.0, 2.0, 1.0, 2.0, 2.0), (0.75, 0.0, 1.5, 1.0, 2.0))
    """
    y = [0.0] * len(tree.nodes)
    row = 0
    for node in tree.nodes:  # preorder: leaves in drawing order
        if node.kind == "leaf":
            y[node.index] = float(row)
            row += 1
    for node in reversed(tree.nodes):  # children before parents
        if node.children:
            y[node.index] = (y[node.children[0]] + y[node.children[-1]]) / 2
    depth = tree.depth  # leaves line up in the last column: payoffs read as one table
    x = tuple(float(depth if node.kind == "leaf" else node.depth) for node in tree.nodes)
    return TreeLayout(x, tuple(y), row, depth + 1)


def spe_style(k: int) -> tuple[str, LineStyleType]:
    """The colour and path dash pattern of equilibrium ``k`` (0-based) of a drawing.

    Colours run through :data:`SPE_COLOURS`; each later round takes the next pattern of
    :data:`SPE_DASHES`, so equilibria ``k`` and ``k + 10`` share a colour, not a look, for up
    to 30 equilibria (beyond that, patterns repeat too).

    >>> spe_style(0), spe_style(10)
    (('#E69F00', '-'), ('#E69F00', (0, (3.0, 1.2))))
    """
    colour = SPE_COLOURS[k % len(SPE_COLOURS)]
    return colour, SPE_DASHES[(k // len(SPE_COLOURS)) % len(SPE_DASHES)]


@attrs.frozen
class EdgeMark:
    """An edge an equilibrium highlights: the child it leads to, with what probability.

    ``on_path`` is True when play reaches the edge with positive probability, False for a
    choice the equilibrium makes off its path (at a node it does not reach).
    """

    parent: int
    child: int
    probability: Fraction
    on_path: bool


def spe_edges(tree: TreeScenario, spe: SubgamePerfect) -> list[EdgeMark]:
    """The edges ``spe`` plays with positive probability, on its path and off it, in preorder.

    Chance edges are marked where play reaches them; an information set the player's own
    moves exclude (behaviour None) marks nothing.

    >>> from negotiation.model.catalogue import load_tree
    >>> from negotiation.solvers.spe import solve_spe
    >>> tree = load_tree("entry")
    >>> marks = spe_edges(tree, solve_spe(tree).equilibria[0])
    >>> [(tree.nodes[e.child].id, e.on_path) for e in marks]
    [('tree.in', True), ('tree.in.accommodate', True)]
    """
    numbers = spe.numbers or tree.numbers
    reach = [Fraction(0)] * len(tree.nodes)
    reach[0] = Fraction(1)
    marks = []
    for node in tree.nodes:
        if node.kind == "leaf":
            continue
        if node.kind == "chance":
            weights: Sequence[Fraction] | None = numbers.probabilities[node.index]
        else:
            weights = spe.behaviour[node.infoset]
        if weights is None:
            continue
        here = reach[node.index]
        for w, child in zip(weights, node.children, strict=True):
            reach[child] = here * w
            if w > 0 and (here > 0 or node.kind == "decision"):
                marks.append(EdgeMark(node.index, child, w, here > 0))
    return marks


#: Dash patterns of information-set lines; sets drawn in one column take different ones.
INFOSET_DASHES: tuple[tuple[float, tuple[float, ...]], ...] = (
    (0, (4, 3)),
    (0, (1, 2)),
    (0, (6, 2, 1, 2)),
    (0, (9, 3)),
)

#: Sideways distance (in columns) between information-set lines drawn in one column.
INFOSET_SPACING = 0.045


@attrs.frozen
class InfosetLine:
    """The dashed line joining the nodes of an information set of more than one node.

    ``xs`` and ``ys`` run through its nodes (sorted by column, then row). Sets whose lines
    would lie in one column are moved apart sideways by :data:`INFOSET_SPACING` and given
    different dash patterns (``dash`` indexes :data:`INFOSET_DASHES`), so interleaved sets,
    such as the receiver's two sets in a signalling game, do not read as one.
    """

    infoset: int
    xs: tuple[float, ...]
    ys: tuple[float, ...]
    dash: int


def infoset_lines(tree: TreeScenario, layout: TreeLayout) -> list[InfosetLine]:
    """The information-set lines to draw (see :class:`InfosetLine`), in infoset order.

    >>> from negotiation.model.catalogue import load_tree
    >>> tree = load_tree("matching-pennies-tree")
    >>> infoset_lines(tree, tree_layout(tree))
    [InfosetLine(infoset=1, xs=(1.0, 1.0), ys=(0.5, 2.5), dash=0)]
    """
    shared = [info for info in tree.infosets if not info.singleton]
    by_column: dict[float, list[int]] = {}
    for info in shared:
        by_column.setdefault(min(layout.x[v] for v in info.nodes), []).append(info.index)
    lines = []
    for info in shared:
        column = by_column[min(layout.x[v] for v in info.nodes)]
        k = column.index(info.index)
        shift = (k - (len(column) - 1) / 2) * INFOSET_SPACING
        members = sorted(info.nodes, key=lambda v: (layout.x[v], layout.y[v]))
        xs = tuple(layout.x[v] + shift for v in members)
        lines.append(InfosetLine(info.index, xs, tuple(layout.y[v] for v in members), k))
    return lines


def tree_plot(
    tree: TreeScenario,
    spe: SubgamePerfect | Sequence[SubgamePerfect] | None = None,
    ax: Axes | None = None,
    numbers: TreeNumbers | None = None,
    title: str | None = None,
) -> Figure:
    """Draw ``tree`` with its payoffs (``numbers``, default its own), highlighting ``spe``.

    ``spe`` is one subgame-perfect equilibrium or several (e.g. all of
    ``solve_spe(tree).equilibria``), each in its own colour; a single equilibrium also has
    its mixed choices' probabilities written under the edges. ``title`` replaces the
    scenario's title at the top (``--title``). Trees of more than
    :data:`MAX_DRAWN_LEAVES` leaves raise :class:`~negotiation.errors.LimitError`.

    >>> from negotiation.model.catalogue import load_tree
    >>> from negotiation.solvers.spe import solve_spe
    >>> tree = load_tree("entry")
    >>> figure = tree_plot(tree, solve_spe(tree).equilibria)
    >>> [t.get_text() for t in figure.axes[0].get_legend().get_texts()]
    ['subgame-perfect path']
    """
    numbers = numbers or tree.numbers
    if len(tree.leaves) > MAX_DRAWN_LEAVES:
        raise LimitError(
            tree.origin,
            "",
            f"the tree has {len(tree.leaves)} leaves; at most {MAX_DRAWN_LEAVES} are drawn "
            "(MAX_DRAWN_LEAVES in negotiation/output/tree_plots.py): a larger drawing cannot "
            "be read; the JSON output lists every node",
        )
    equilibria: list[SubgamePerfect] = (
        [] if spe is None else [spe] if isinstance(spe, SubgamePerfect) else list(spe)
    )
    layout = tree_layout(tree)
    payoff_texts = {v: _payoffs(numbers.payoffs[v]) for v in tree.leaves}
    payoff_width = max(len(t) for t in payoff_texts.values()) * FONT_SIZE * 0.62 / 72 + 0.4
    if ax is None:
        width = COLUMN_INCHES * max(layout.columns - 1, 1) + payoff_width + 1.4
        height = ROW_INCHES * layout.rows + 1.8
        figure = Figure(figsize=(width, height))
        ax = figure.add_axes((0.01, 0.5 / height, 0.98, 1 - 1.5 / height))
    else:
        figure = ax.get_figure()  # type: ignore[assignment]
    extra = payoff_width / COLUMN_INCHES
    ax.set_xlim(-0.55, max(layout.columns - 1, 1) + extra)
    ax.set_ylim(layout.rows - 0.35, -0.75)
    ax.set_axis_off()
    _draw_highlights(ax, tree, layout, equilibria)
    _draw_edges(ax, tree, layout, numbers, equilibria[0] if len(equilibria) == 1 else None)
    _draw_infosets(ax, tree, layout)
    _draw_nodes(ax, tree, layout, payoff_texts)
    players = ", ".join(plain_text(p.label, 40) for p in tree.players)
    ax.set_title(
        f"{plain_text(title or tree.title or tree.name, 120)}\npayoffs at the leaves: ({players})",
        fontsize=FONT_SIZE + 2,
        loc="left",
    )
    _legend(ax, tree, equilibria)
    return figure


#: Most information sets named in the legend (the others are drawn all the same).
LEGEND_INFOSETS = 6


def legend_entries(
    tree: TreeScenario, equilibria: Sequence[SubgamePerfect]
) -> list[tuple[str, str, str]]:
    """What the legend says: (text, colour, style) for equilibria and information sets.

    The style is ``solid`` (a path), ``path<r>`` (a path drawn with pattern ``r`` of
    :data:`SPE_DASHES`, for equilibria beyond the colours), ``dotted`` (choices off the
    path) or ``dash<k>`` (an information set drawn with dash pattern ``k`` of
    :data:`INFOSET_DASHES`).

    >>> from negotiation.model.catalogue import load_tree
    >>> legend_entries(load_tree("matching-pennies-tree"), [])
    [("information set 'guess' (Mismatcher)", '#117733', 'dash0')]
    """
    entries = []
    if len(equilibria) == 1:
        entries.append(("subgame-perfect path", SPE_COLOURS[0], "solid"))
    else:
        for k in range(len(equilibria)):
            colour, _ = spe_style(k)
            rounds = (k // len(SPE_COLOURS)) % len(SPE_DASHES)
            style = "solid" if rounds == 0 else f"path{rounds}"
            entries.append((f"subgame-perfect equilibrium {k + 1}", colour, style))
    if any(not mark.on_path for e in equilibria for mark in spe_edges(tree, e)):
        entries.append(("its choices off the path", "#999999", "dotted"))
    lines = infoset_lines(tree, tree_layout(tree))
    for line in lines[:LEGEND_INFOSETS]:
        info = tree.infosets[line.infoset]
        who = tree.players[info.player].label
        colour = PLAYER_COLOURS[info.player % len(PLAYER_COLOURS)]
        entries.append((f"information set {info.id!r} ({who})", colour, f"dash{line.dash}"))
    if len(lines) > LEGEND_INFOSETS:
        entries.append(
            (f"... {len(lines) - LEGEND_INFOSETS} more information sets", "#999999", "dash0")
        )
    return entries


def _legend(ax: Axes, tree: TreeScenario, equilibria: Sequence[SubgamePerfect]) -> None:
    entries = legend_entries(tree, equilibria)
    if not entries:
        return
    handles = []
    for text, colour, style in entries:
        del text
        if style.startswith("dash"):
            dash = INFOSET_DASHES[int(style[4:]) % len(INFOSET_DASHES)]
            handles.append(Line2D([], [], color=colour, linestyle=dash, linewidth=1.3))
        else:
            pattern: LineStyleType = "-"
            if style == "dotted":
                pattern = ":"
            elif style.startswith("path"):
                pattern = SPE_DASHES[int(style[4:])]
            handles.append(Line2D([], [], color=colour, linestyle=pattern, linewidth=5, alpha=0.55))
    ax.legend(
        handles,
        [plain_text(text, 120) for text, _, _ in entries],
        loc="upper left",
        bbox_to_anchor=(0.0, 0.0),
        fontsize=FONT_SIZE,
        frameon=False,
        ncols=2,
    )


def _payoffs(values: Sequence[Fraction]) -> str:
    return "(" + ", ".join(number(x) for x in values) + ")"


def _label(text: str) -> str:
    """An edge label: escaped for matplotlib, wrapped, at most :data:`LABEL_LINES` lines.

    Where the last line would hold a single word (``declines and keeps the status`` /
    ``quo``), the lines are balanced instead: wrapped at the narrowest width that still
    gives as many lines (never narrower than the longest word), so the label reads
    ``declines and keeps`` / ``the status quo``. Other labels wrap at :data:`LABEL_WIDTH`.

    >>> print(_label("declines and keeps the status quo"))
    declines and keeps
    the status quo
    >>> print(_label("makes the limited offer (Russia only)"))
    makes the limited offer
    (Russia only)
    """
    escaped = plain_text(text)
    lines = _wrap(escaped, LABEL_WIDTH)
    if len(lines) > LABEL_LINES:
        return "\n".join(
            [*lines[: LABEL_LINES - 1], lines[LABEL_LINES - 1][: LABEL_WIDTH - 3] + "..."]
        )
    if len(lines) > 1 and len(lines[-1].split()) == 1:
        width = LABEL_WIDTH
        longest = max(len(word) for word in escaped.split())
        while width > longest and len(_wrap(escaped, width - 1)) == len(lines):
            width -= 1
        lines = _wrap(escaped, width)
    return "\n".join(lines)


def _wrap(text: str, width: int) -> list[str]:
    """``text`` wrapped at ``width`` characters, words kept whole where they fit."""
    return textwrap.wrap(text, width, break_on_hyphens=False) or [""]


def _elbow(layout: TreeLayout, parent: int, child: int) -> tuple[list[float], list[float]]:
    """The edge from ``parent`` to ``child``: a short slant, then straight to the child."""
    x0, y0 = layout.x[parent], layout.y[parent]
    x1, y1 = layout.x[child], layout.y[child]
    turn = x0 + ELBOW
    return [x0, turn, x1], [y0, y1, y1]


def _draw_edges(
    ax: Axes,
    tree: TreeScenario,
    layout: TreeLayout,
    numbers: TreeNumbers,
    spe: SubgamePerfect | None,
) -> None:
    for node in tree.nodes:
        for k, child in enumerate(node.children):
            xs, ys = _elbow(layout, node.index, child)
            ax.plot(xs, ys, color="#555555", linewidth=1.0, zorder=2)
            start = xs[1] + 0.03
            ax.text(
                start,
                ys[1] - 0.07,
                _label(tree.nodes[child].label),
                fontsize=FONT_SIZE,
                ha="left",
                va="bottom",
                zorder=5,
                bbox=LABEL_GROUND,
            )
            below = ""
            if node.kind == "chance":
                below = f"p = {_probability(numbers.probabilities[node.index][k])}"
            elif spe is not None:
                beta = spe.behaviour[node.infoset]
                if beta is not None and 0 < beta[k] < 1:
                    below = f"plays with {_probability(beta[k])}"
            if below:
                ax.text(
                    start,
                    ys[1] + 0.07,
                    below,
                    fontsize=FONT_SIZE - 1,
                    ha="left",
                    va="top",
                    color="#444444",
                    style="italic",
                    zorder=5,
                    bbox=LABEL_GROUND,
                )


def _probability(p: Fraction) -> str:
    return str(p) if p.denominator <= 1000 else number(p)


def _draw_highlights(
    ax: Axes, tree: TreeScenario, layout: TreeLayout, equilibria: Sequence[SubgamePerfect]
) -> None:
    count = len(equilibria)
    for k, e in enumerate(equilibria):
        colour, pattern = spe_style(k)
        shift = (k - (count - 1) / 2) * 0.09  # side by side where paths share an edge
        for mark in spe_edges(tree, e):
            xs, ys = _elbow(layout, mark.parent, mark.child)
            ax.plot(
                xs,
                [ys[0] + shift, ys[1] + shift, ys[2] + shift],
                color=colour,
                linewidth=7 if mark.on_path else 4,
                linestyle=pattern if mark.on_path else ":",
                alpha=0.55,
                solid_capstyle="round",
                zorder=1,
            )


def _draw_infosets(ax: Axes, tree: TreeScenario, layout: TreeLayout) -> None:
    for line in infoset_lines(tree, layout):
        colour = PLAYER_COLOURS[tree.infosets[line.infoset].player % len(PLAYER_COLOURS)]
        dash = INFOSET_DASHES[line.dash % len(INFOSET_DASHES)]
        ax.plot(line.xs, line.ys, color=colour, linestyle=dash, linewidth=1.3, zorder=3)


def _draw_nodes(
    ax: Axes, tree: TreeScenario, layout: TreeLayout, payoff_texts: dict[int, str]
) -> None:
    for node in tree.nodes:
        x, y = layout.x[node.index], layout.y[node.index]
        if node.kind == "leaf":
            ax.plot([x], [y], marker="s", markersize=4, color="#222222", zorder=6)
            ax.text(
                x + 0.05,
                y,
                payoff_texts[node.index],
                fontsize=FONT_SIZE,
                ha="left",
                va="center",
                zorder=6,
            )
            continue
        if node.kind == "chance":
            colour, marker, who = "#888888", "D", "chance"
        else:
            colour = PLAYER_COLOURS[node.player % len(PLAYER_COLOURS)]
            marker, who = "o", tree.players[node.player].label
        ax.plot([x], [y], marker=marker, markersize=8, color=colour, zorder=6)
        ax.text(
            x - 0.04,
            y + 0.1,
            plain_text(who, 40),
            fontsize=FONT_SIZE,
            fontweight="bold",
            color=colour,
            ha="right",
            va="top",
            zorder=6,
        )
