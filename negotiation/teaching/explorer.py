"""Sliders over a scenario's weights for the classroom: the game, its equilibria, its regime.

A student moves the weights a player gives the criteria and sees at once what changes:
the payoff matrices, the Nash equilibria and where the weights sit on a regime map. The
work is split so that the data can be tested without a screen:

- :func:`explore_state` is a pure function from (scenario, weights, regime map) to an
  :class:`ExploreState`: the payoff game (:func:`~negotiation.model.payoffs.payoff_matrices`),
  every equilibrium (:func:`~negotiation.solvers.equilibria.solve`: the exact vertex
  enumeration of von Stengel, "Equilibrium computation for two-player games in strategic
  and extensive form", *Algorithmic Game Theory*, 2007, ch. 3), the regime named as a sweep
  names it (:func:`~negotiation.studies.sweep.regime_label`, so it reads like the map's
  legend) and the :class:`Position` of the weights on the map;
- :func:`equilibria_rows` and :func:`position_text` put a state into words;
- :func:`weight_sliders` builds the ipywidgets sliders and :func:`explorer` wires them to
  :func:`explore_state`, redrawing :func:`~negotiation.output.plots.payoff_heatmaps`, a
  short table of equilibria and :func:`~negotiation.output.plots.regime_map` with a marker.

ipywidgets is optional (the ``notebooks`` extra); it is imported only when sliders are
built, and its absence is a :class:`~negotiation.errors.UserError` saying what to install.

Exactness. A slider holds a float; :meth:`WeightSliders.weights` turns it into the exact
multiple of the slider's step that it shows (a slider never moved keeps the file's exact
weight), so the game is solved on fractions and a tie on the slider is a tie to the solver.
The map is a grid of floats; the cell under the marker is found on it for drawing only,
and the regime the explorer names is always the exact one of the weights chosen.

A regime map is a 2-D slice of the space of weights: its two axes vary, every other weight
stays at the file's value. Weights moved off the map's axes leave that slice, and the
position says so (:attr:`Position.off_plane`) instead of pretending the map still applies.
"""

from __future__ import annotations

import html
import importlib
import io
from collections.abc import Callable, Mapping, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

import attrs
import numpy as np

from negotiation.errors import ScenarioError, UserError
from negotiation.model.overrides import normalise, parse_path
from negotiation.model.payoffs import Game
from negotiation.model.scenario import Scenario
from negotiation.output.report import number
from negotiation.solvers.equilibria import Method, Solution, solve
from negotiation.studies.summary import path_label
from negotiation.studies.sweep import SweepResult, player_info, regime_label

if TYPE_CHECKING:
    from matplotlib.figure import Figure
    from matplotlib.lines import Line2D

#: Nested weights as :attr:`Scenario.weights` holds them: player id -> criterion id -> number.
Weights = Mapping[str, Mapping[str, object]]

#: Default slider range and step: wide enough for the rare-earth thresholds (the US stops
#: diversifying above a diversification-cost weight of 9/5; it accepts only with a law weight
#: below -53/40) and for negative weights.
BOUNDS = (-6, 6)
STEP = "0.05"

#: Resolution of the explorer's pictures (dots per inch): small enough to redraw quickly.
DPI = 80

#: What to install for the sliders.
INSTALL = "pip install 'negotiation[notebooks]'"


# --------------------------------------------------------------------------- data


@attrs.frozen
class Position:
    """Where the current weights sit on a regime map over two weights.

    ``paths`` are the map's axes (override paths of two weights) and ``values`` the
    current weights on them, exactly. ``inside`` says whether that point falls on the
    drawn map (grid cells reach half a step beyond the first and last grid values);
    ``cell`` is then the (first axis, second axis) index of the cell under the marker and
    ``map_regime`` that cell's regime as the map shows it (``None`` for a cell an
    interrupted sweep did not solve). ``off_plane`` lists the weights moved away from the
    file's values that are not on the map's axes: when it is not empty, the map was drawn
    for other weights and its regions may not hold at this point.
    """

    paths: tuple[str, str]
    values: tuple[Fraction, Fraction]
    inside: bool
    cell: tuple[int, int] | None
    map_regime: str | None
    off_plane: tuple[str, ...] = ()

    @property
    def on_plane(self) -> bool:
        """Whether every weight off the map's axes is at the value the map was drawn at."""
        return not self.off_plane


@attrs.frozen
class ExploreState:
    """What the explorer shows for one choice of weights.

    ``game`` (exact payoffs), ``solution`` (every extreme equilibrium, degeneracy,
    components), ``regime`` (the equilibrium set in strategy labels, as a regime map's
    legend names it) and ``position`` on the regime map (``None`` without a map).
    ``scenario`` is the scenario at these weights and ``changes`` the weights that differ
    from the file's, as (override path, exact value) pairs in the order given.
    """

    game: Game
    solution: Solution
    regime: str
    position: Position | None
    scenario: Scenario
    changes: tuple[tuple[str, Fraction], ...] = ()


def explore_state(
    scenario: Scenario,
    weights: Weights,
    regimes: SweepResult | None = None,
    method: Method | str = "exact",
) -> ExploreState:
    """The game, equilibria, regime and map position of ``scenario`` at ``weights``.

    ``weights`` maps player ids to {criterion id: weight}; weights left out keep the
    file's values, and a criterion a player does not weigh may be given (it counts 0 in
    the file). Numbers are read exactly (a float by its shortest decimal form, as
    ``--set`` reads it). ``regimes`` is a 2-D sweep of ``scenario`` over two weights (see
    :func:`~negotiation.studies.sweep.sweep`); the position is ``None`` without it.
    ``method`` is the nashpy cross-check of :func:`~negotiation.solvers.equilibria.solve`;
    the equilibria reported come from the exact enumeration whatever it is, and the
    default skips nashpy, whose warnings on the degenerate games a slider lands on would
    only distract a class.

    Raises :class:`~negotiation.errors.ScenarioError` for an unknown player or criterion,
    a value that is not a number, a scenario with direct payoff tables (no weights), or a
    map that is not a 2-D sweep of this scenario over two of its weights.

    >>> from negotiation import load
    >>> state = explore_state(load("rare-earth"), {"us": {"diversification_cost": 2}})
    >>> state.regime, state.changes
    ('Reject / Full offer', (('weights.us.diversification_cost', Fraction(2, 1)),))
    """
    _require_weights(scenario)
    given = [(f"weights.{p}.{c}", v) for p, table in weights.items() for c, v in table.items()]
    pairs = normalise(given, source=scenario.origin)
    if pairs:
        scenario.with_overrides(pairs)  # every path and value checked, as --set checks them
    changes = tuple((path, value) for path, value in pairs if value != _weight(scenario, path))
    # Only weights that differ are applied, so one choice of weights gives one scenario
    # whichever equal weights were also passed (a criterion left out stays left out).
    moved = scenario.with_overrides(changes) if changes else scenario
    solution = solve(moved, method)
    players = player_info(moved)
    rows = [_row(players, (e.row, e.col), e.pure) for e in solution.equilibria]
    position = None if regimes is None else _position(scenario, moved, changes, regimes)
    return ExploreState(
        game=solution.game,
        solution=solution,
        regime=regime_label(rows, players),
        position=position,
        scenario=moved,
        changes=changes,
    )


def _require_weights(scenario: Scenario) -> None:
    if scenario.payoffs is not None:
        raise ScenarioError(
            scenario.origin,
            "payoffs",
            "the scenario gives its payoff tables directly and has no weights to explore; "
            "expected a scenario with [criteria] and [weights]",
        )


def _weight(scenario: Scenario, path: str) -> Fraction:
    """The weight at ``weights.<player>.<criterion>`` (0 for one the file leaves out)."""
    pid, cid = _key(path)
    return scenario.weights[pid].get(cid, Fraction(0))


def _row(
    players: Sequence[tuple[str, tuple[str, ...], str, tuple[str, ...]]],
    strategies: tuple[Sequence[Fraction], Sequence[Fraction]],
    pure: bool,
) -> dict[str, Any]:
    """An equilibrium as the keys of a sweep row that :func:`regime_label` reads."""
    row: dict[str, Any] = {"pure": pure}
    for (pid, sids, _, _), strategy in zip(players, strategies, strict=True):
        for sid, p in zip(sids, strategy, strict=True):
            row[f"prob.{pid}.{sid}"] = p
    return row


def _position(
    scenario: Scenario,
    moved: Scenario,
    changes: Sequence[tuple[str, Fraction]],
    regimes: SweepResult,
) -> Position:
    """Where ``moved``'s weights sit on ``regimes``, a 2-D sweep of ``scenario``."""
    if len(regimes.paths) != 2 or len(regimes.grid_shape) != 2:
        raise ScenarioError(
            "regime map",
            " x ".join(regimes.paths),
            f"expected a 2-D sweep over two weights, got a {len(regimes.paths)}-D sweep",
        )
    ids = [(p[0], p[1]) for p in regimes.players]
    if ids != [(p.id, p.strategy_ids) for p in scenario.players]:
        raise ScenarioError(
            "regime map",
            "",
            f"was swept from a scenario with other players or strategies than "
            f"{scenario.name!r}; expected a sweep of this scenario",
        )
    x_path, y_path = regimes.paths
    axes = (_weight_key(scenario, x_path), _weight_key(scenario, y_path))
    values = (_weight(moved, x_path), _weight(moved, y_path))
    off_plane = tuple(path for path, _ in changes if _key(path) not in axes)
    i, j = (_cell(v, float(x)) for v, x in zip(regimes.axis_values, values, strict=True))
    if i is None or j is None:
        return Position((x_path, y_path), values, False, None, None, off_plane)
    rows = regimes.points().get(i * regimes.grid_shape[1] + j)
    shown = regime_label(rows, regimes.players) if rows else None
    return Position((x_path, y_path), values, True, (i, j), shown, off_plane)


def _key(path: str) -> tuple[str, str]:
    """(player id, criterion id) of a weight path ``weights.<player>.<criterion>``."""
    _, pid, cid = parse_path(path)
    return str(pid), str(cid)


def _weight_key(scenario: Scenario, path: str) -> tuple[str, str]:
    """(player id, criterion id) of a map axis, which must be a weight of ``scenario``."""
    try:
        parts = parse_path(path, "regime map")
    except ScenarioError:
        parts = ()
    criteria = {c.id for c in scenario.criteria}
    if (
        len(parts) == 3
        and parts[0] == "weights"
        and parts[1] in scenario.player_ids
        and parts[2] in criteria
    ):
        return str(parts[1]), str(parts[2])
    raise ScenarioError(
        "regime map",
        path,
        "expected a weight of this scenario, weights.<player>.<criterion> with player one "
        f"of {', '.join(scenario.player_ids)}: the explorer places weights on the map",
    )


def _cell(values: Sequence[float], x: float) -> int | None:
    """The grid cell of a map axis that ``x`` falls in, or ``None`` if off the map.

    Cells are drawn between the midpoints of neighbouring grid values and reach half a
    step beyond the ends (half a unit around a single value), as the regime map draws
    them; on a midpoint the cell of the first of the two values is taken.
    """
    if len(values) == 1:
        return 0 if abs(x - values[0]) <= 0.5 else None
    low, high = min(values[0], values[-1]), max(values[0], values[-1])
    half = [abs(values[1] - values[0]) / 2, abs(values[-1] - values[-2]) / 2]
    if values[0] > values[-1]:
        half.reverse()
    if not low - half[0] <= x <= high + half[1]:
        return None
    distances = [abs(x - v) for v in values]
    return distances.index(min(distances))


# --------------------------------------------------------------------------- words


def mixed_strategy(labels: Sequence[str], strategy: Sequence[Fraction]) -> str:
    """A mixed strategy in words: ``Diversify``, or ``Accept 0.5, Diversify 0.5``.

    >>> mixed_strategy(["Accept", "Reject"], [Fraction(1, 3), Fraction(2, 3)])
    'Accept 0.333333, Reject 0.666667'
    """
    played = [(label, p) for label, p in zip(labels, strategy, strict=True) if p > 0]
    if len(played) == 1:
        return played[0][0]
    return ", ".join(f"{label} {number(p)}" for label, p in played)


def equilibria_rows(state: ExploreState) -> list[tuple[str, ...]]:
    """The equilibria as a short table: a header, then one row per extreme equilibrium.

    Columns: the equilibrium's number, what each player plays, each player's payoff and,
    in a degenerate game, the component (the connected set of equilibria, numbered from 1)
    it belongs to.
    """
    row, col = state.scenario.players
    degenerate = state.solution.degenerate
    header = ["#", f"{row.label} plays", f"{col.label} plays"]
    header += [f"payoff to {row.label}", f"payoff to {col.label}"]
    header += ["component"] * degenerate
    component = {
        k: c for c, comp in enumerate(state.solution.components, 1) for k in comp.equilibria
    }
    table = [tuple(header)]
    for k, e in enumerate(state.solution.equilibria):
        cells = [
            str(k + 1),
            mixed_strategy(row.strategy_labels, e.row),
            mixed_strategy(col.strategy_labels, e.col),
            number(e.payoffs[0]),
            number(e.payoffs[1]),
        ]
        cells += [str(component.get(k, ""))] * degenerate
        table.append(tuple(cells))
    return table


def position_text(state: ExploreState) -> str:
    """The regime in words, and what the map's marker means for these weights."""
    players = player_info(state.scenario)
    criteria = {c.id: c.label for c in state.scenario.criteria}
    count = len(state.solution.equilibria)
    lines = [f"Regime: {state.regime} ({count} equilibri{'um' if count == 1 else 'a'})."]
    if state.solution.degenerate:
        lines.append(
            "The game is degenerate: every mix of the equilibria of one component is an "
            "equilibrium too."
        )
    position = state.position
    if position is None:
        return "\n".join(lines)
    where = ", ".join(
        f"{path_label(path, players, criteria)} = {number(value)}"
        for path, value in zip(position.paths, position.values, strict=True)
    )
    if not position.inside:
        lines.append(f"Off the map: {where} lies outside the range the map was swept over.")
    else:
        lines.append(f"On the map (the star): {where}.")
    if position.off_plane:
        moved = ", ".join(path_label(p, players, criteria) for p in position.off_plane)
        lines.append(
            f"The map holds every other weight at the file's value, and you also moved: "
            f"{moved}. Its regions may not hold here (hollow star); the regime above is "
            "the one for your weights."
        )
    elif position.inside and position.map_regime not in (None, state.regime):
        lines.append(
            f"The map's cell under the star shows {position.map_regime}: the star is within "
            "half a grid step of a regime boundary, which the grid cannot draw exactly."
        )
    return "\n".join(lines)


# --------------------------------------------------------------------------- widgets


def _ipywidgets(what: str) -> Any:
    """The ipywidgets module, or a :class:`UserError` saying how to install it."""
    try:
        return importlib.import_module("ipywidgets")
    except ImportError:
        raise UserError(
            what,
            "",
            f"the sliders need ipywidgets, an optional dependency: {INSTALL} "
            "(it comes with Jupyter Lab)",
        ) from None


@attrs.define(eq=False)
class WeightSliders:
    """One slider per (player, criterion) weight, and the exact weights they show.

    ``widget`` is the ipywidgets box to display; ``sliders`` maps each weight's override
    path (``weights.us.supply_security``) to its ``FloatSlider``; ``defaults`` holds the
    file's exact weights; ``bounds`` and ``step`` the sliders' range and step, exactly.
    Build it with :func:`weight_sliders`.
    """

    widget: Any
    sliders: dict[str, Any]
    defaults: dict[str, Fraction]
    bounds: dict[str, tuple[Fraction, Fraction]]
    step: Fraction
    on_change: Callable[[dict[str, dict[str, Fraction]]], object] | None = None
    quiet: bool = False

    def weights(self) -> dict[str, dict[str, Fraction]]:
        """The weights the sliders show, exactly: player id -> criterion id -> weight.

        A slider at its starting position gives the file's exact weight (even one that is
        not a multiple of the step); a moved one the multiple of the step it shows.
        """
        out: dict[str, dict[str, Fraction]] = {}
        for path, slider in self.sliders.items():
            pid, cid = _key(path)
            default = self.defaults[path]
            value = float(slider.value)
            exact = (
                default
                if value == float(default)
                else round(Fraction(value) / self.step) * self.step
            )
            out.setdefault(pid, {})[cid] = exact
        return out

    def set(self, weights: Weights) -> None:
        """Move sliders as a student would, then report the change once.

        ``weights`` maps player ids to {criterion id: value}; each value must lie in its
        slider's range and be a multiple of the step (a slider cannot show anything else),
        or :class:`~negotiation.errors.ScenarioError` is raised before any slider moves.
        """
        targets: dict[str, Fraction] = {}
        pairs = [(f"weights.{p}.{c}", v) for p, table in weights.items() for c, v in table.items()]
        for path, value in normalise(pairs, source="sliders"):
            if path not in self.sliders:
                raise ScenarioError(
                    "sliders", path, f"no slider for this weight; expected one of: "
                    f"{', '.join(self.sliders)}",
                )  # fmt: skip
            low, high = self.bounds[path]
            if not low <= value <= high or (value / self.step).denominator != 1:
                raise ScenarioError(
                    "sliders",
                    path,
                    f"expected a multiple of {number(self.step)} from {number(low)} to "
                    f"{number(high)}, got {number(value)}",
                )
            targets[path] = value
        self.quiet = True
        try:
            for path, value in targets.items():
                self.sliders[path].value = float(value)
        finally:
            self.quiet = False
        self._changed()

    def reset(self) -> None:
        """Put every slider back at the file's weight, then report the change once."""
        self.quiet = True
        try:
            for path, slider in self.sliders.items():
                slider.value = float(self.defaults[path])
        finally:
            self.quiet = False
        self._changed()

    def _changed(self, _event: object = None) -> None:
        if not self.quiet and self.on_change is not None:
            self.on_change(self.weights())


def weight_sliders(
    scenario: Scenario,
    players: Sequence[str] | None = None,
    on_change: Callable[[dict[str, dict[str, Fraction]]], object] | None = None,
    *,
    bounds: tuple[object, object] = BOUNDS,
    step: object = STEP,
) -> WeightSliders:
    """Sliders over the weights of ``players`` (ids, or one id; all players by default).

    Each player gets a slider for every criterion of the scenario (one the player does not
    weigh starts at 0), from ``bounds[0]`` to ``bounds[1]`` in steps of ``step``, widened
    to a multiple of the step around a file weight outside them. ``on_change`` is called
    with :meth:`WeightSliders.weights` whenever a slider is released (not while it is
    dragged: each change solves the game and redraws). Needs ipywidgets
    (``pip install 'negotiation[notebooks]'``).
    """
    _require_weights(scenario)
    known = scenario.player_ids
    chosen = tuple(known if players is None else [players] if isinstance(players, str) else players)
    for pid in chosen:
        if pid not in known:
            raise ScenarioError(
                "sliders", "players", f"expected player ids among {', '.join(known)}, got {pid!r}"
            )
    (exact_step,) = (v for _, v in normalise([("step", step)], source="sliders"))
    low, high = (v for _, v in normalise([("low", bounds[0]), ("high", bounds[1])], "sliders"))
    if (
        exact_step <= 0
        or low >= high
        or any((b / exact_step).denominator != 1 for b in (low, high))
    ):
        raise ScenarioError(
            "sliders",
            "bounds",
            f"expected a positive step and bounds low < high that are multiples of it, got "
            f"step {number(exact_step)} and bounds {number(low)}, {number(high)}",
        )
    widgets = _ipywidgets("weight_sliders")
    by_path: dict[str, Any] = {}
    defaults: dict[str, Fraction] = {}
    ranges: dict[str, tuple[Fraction, Fraction]] = {}
    children: list[Any] = []
    places = next(k for k in range(100) if (exact_step * 10**k).denominator == 1 or k == 99)
    for player in scenario.players:
        if player.id not in chosen:
            continue
        children.append(widgets.HTML(f"<b>{html.escape(player.label)}</b>: weights"))
        for criterion in scenario.criteria:
            path = f"weights.{player.id}.{criterion.id}"
            default = scenario.weights[player.id].get(criterion.id, Fraction(0))
            lo = min(low, _floor(default, exact_step))
            hi = max(high, -_floor(-default, exact_step))
            slider = widgets.FloatSlider(
                value=float(default),
                min=float(lo),
                max=float(hi),
                step=float(exact_step),
                description=criterion.label,
                description_allow_html=False,
                continuous_update=False,
                readout_format=f".{places}f",
                style={"description_width": "14em"},
                layout=widgets.Layout(width="34em"),
            )
            if criterion.description:
                slider.tooltip = criterion.description
            by_path[path], defaults[path], ranges[path] = slider, default, (lo, hi)
            children.append(slider)
    sliders = WeightSliders(
        widgets.VBox(children), by_path, defaults, ranges, exact_step, on_change
    )
    for slider in by_path.values():
        slider.observe(sliders._changed, names="value")
    return sliders


def _floor(x: Fraction, step: Fraction) -> Fraction:
    """The largest multiple of ``step`` at most ``x``."""
    return (x // step) * step


# --------------------------------------------------------------------------- explorer


@attrs.define(eq=False)
class MapBoard:
    """A regime map drawn once, over which a star is moved for each state.

    The map itself (thousands of cells, hatching, legend) is rendered once and kept as a
    bitmap; each :meth:`picture` restores it and draws only the star (matplotlib's
    blitting: ``copy_from_bbox``, ``restore_region``, ``draw_artist``), about ten times
    faster than drawing the whole map again. Build it with :func:`map_board`.
    """

    figure: Figure
    marker: Line2D
    canvas: Any
    background: Any

    def picture(self, position: Position) -> bytes:
        """The map as PNG bytes with the star at ``position``.

        The star is filled on the map's plane, hollow off it (see
        :attr:`Position.off_plane`) and absent off the map.
        """
        from matplotlib.image import imsave

        self.canvas.restore_region(self.background)
        self.marker.set_data([float(position.values[0])], [float(position.values[1])])
        self.marker.set_markerfacecolor("black" if position.on_plane else "none")
        self.marker.set_markeredgecolor("white" if position.on_plane else "black")
        self.marker.set_visible(position.inside)
        if position.inside:
            self.figure.axes[0].draw_artist(self.marker)
        buffer = io.BytesIO()
        imsave(buffer, np.asarray(self.canvas.buffer_rgba()), format="png")
        return buffer.getvalue()


def map_board(scenario: Scenario, regimes: SweepResult, dpi: float = DPI) -> MapBoard:
    """Draw ``regimes`` (a 2-D sweep of ``scenario`` over two weights) for the explorer.

    The map is :func:`~negotiation.output.plots.regime_map` with the scenario's words on
    its axes (:func:`~negotiation.output.plots.scenario_labels`).
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    from negotiation.output.plots import regime_map, scenario_labels

    explore_state(scenario, {}, regimes)  # check the map before drawing it
    figure = regime_map(regimes, labels=scenario_labels(scenario, regimes.paths))
    figure.set_dpi(dpi)
    (marker,) = figure.axes[0].plot(
        [], [], marker="*", markersize=18, color="black", markeredgecolor="white",
        markeredgewidth=1.2, linestyle="none", zorder=5, visible=False,
    )  # fmt: skip
    canvas: Any = FigureCanvasAgg(figure)  # matplotlib leaves draw and blitting untyped
    canvas.draw()
    return MapBoard(figure, marker, canvas, canvas.copy_from_bbox(figure.bbox))


@attrs.define(eq=False)
class Explorer:
    """Weight sliders wired to :func:`explore_state`, redrawing what they change.

    ``widget`` shows the sliders, then the payoff heatmaps (``heatmaps``, an image), the
    regime and the equilibria (``table``, HTML) and the regime map with a star at the
    current weights (``map``, an image, drawn by ``board``; both ``None`` without a map).
    ``state`` is the last :class:`ExploreState` shown. Build it with :func:`explorer`; a
    cell whose value is the explorer displays its widget.
    """

    scenario: Scenario
    regimes: SweepResult | None
    method: str
    sliders: WeightSliders
    heatmaps: Any
    table: Any
    map: Any
    widget: Any
    board: MapBoard | None = None
    state: ExploreState | None = None

    def update(self, weights: Weights) -> ExploreState:
        """Solve at ``weights``, redraw everything and return the new state."""
        from negotiation.output.plots import payoff_heatmaps, scenario_labels

        state = explore_state(self.scenario, weights, self.regimes, self.method)
        labels = scenario_labels(state.scenario, overrides=state.changes)
        self.heatmaps.value = _png(payoff_heatmaps(state.scenario, labels=labels))
        self.table.value = state_html(state)
        if self.board is not None and state.position is not None:
            self.map.value = self.board.picture(state.position)
        self.state = state
        return state

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        return self.widget._repr_mimebundle_(**kwargs)


def explorer(
    scenario: Scenario,
    regimes: SweepResult | None = None,
    players: Sequence[str] | None = None,
    *,
    method: Method | str = "exact",
    bounds: tuple[object, object] = BOUNDS,
    step: object = STEP,
) -> Explorer:
    """Sliders over the weights of ``players`` that redraw the game, equilibria and regime.

    ``regimes`` is a 2-D sweep of ``scenario`` over two weights, drawn once
    (:func:`map_board`); a star marks the current weights on it (hollow when weights off
    the map's axes have moved, absent off the map). The explorer is drawn once at the
    file's weights before it is returned. ``bounds`` and ``step`` are the sliders' (see
    :func:`weight_sliders`); ``method`` as in :func:`explore_state`. Needs ipywidgets.
    """
    widgets = _ipywidgets("explorer")
    sliders = weight_sliders(scenario, players, bounds=bounds, step=step)
    board = None if regimes is None else map_board(scenario, regimes)
    picture = None if board is None else widgets.Image(format="png")
    heatmaps, table = widgets.Image(format="png"), widgets.HTML()
    shown = [sliders.widget, heatmaps, table, *([picture] if picture is not None else [])]
    box = widgets.VBox(shown)
    out = Explorer(scenario, regimes, str(method), sliders, heatmaps, table, picture, box, board)
    sliders.on_change = out.update
    out.update(sliders.weights())
    return out


def state_html(state: ExploreState) -> str:
    """The regime, the map position and the equilibria table as HTML, labels escaped."""
    lines = "".join(f"<p>{html.escape(line)}</p>" for line in position_text(state).splitlines())
    header, *rows = equilibria_rows(state)
    head = "".join(f"<th>{html.escape(h)}</th>" for h in header)
    body = "".join(
        "<tr>" + "".join(f"<td>{html.escape(cell)}</td>" for cell in row) + "</tr>" for row in rows
    )
    return f"{lines}<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _png(fig: Figure) -> bytes:
    """A figure as PNG bytes (no display or pyplot needed)."""
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=DPI)
    return buffer.getvalue()
