"""Plots of an uncertainty study: data in, a matplotlib Figure out.

Each plot takes a ``summary.json`` document (:func:`negotiation.studies.explore.summary`)
or plain arrays, and an optional ``ax``; it returns the figure, built with
:class:`matplotlib.figure.Figure` directly, never through pyplot. The data each plot
draws is prepared by a plain function of its own (:func:`acceptability_data`,
:func:`sensitivity_data`, :func:`top_inputs`, :func:`convergence_data`), which the tests
check. Labels are in words, from the scenario's own labels (the summary carries them);
colours follow the regime's content as on a sweep's regime map
(:func:`negotiation.output.plots.regime_styles`, :func:`regime_face_colours`), so a regime
has the same colour here as there.

- :func:`acceptability_plot`: the share of draws in each regime, with its 95% interval;
- :func:`sensitivity_plot`: a tornado chart of what drives one outcome (PAWN, and Sobol'
  total order where the design allows), with the level PAWN reaches by chance;
- :func:`scatter_plot`: the draws over the two most influential numbers, coloured by
  regime;
- :func:`convergence_plot`: shares (and the main sensitivity indices) at N/4, N/2 and N.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from negotiation.output.plots import plain_text, regime_colours, regime_styles, save
from negotiation.studies.summary import RegimeContent

#: Regimes shown by name in a scatter legend; the rest are drawn grey as "other regimes".
SCATTER_REGIMES = 7

#: Inputs shown in a tornado chart (the most influential ones).
TORNADO_INPUTS = 15

#: Opacity of a scatter's dots: pale regime colours (Tol's pale blue) must still show.
SCATTER_ALPHA = 0.9


def dot_size(draws: int) -> float:
    """A scatter's dot area (points squared): larger for fewer draws, 3 to 16.

    >>> dot_size(8192), dot_size(500), dot_size(10**6)
    (6.0, 16.0, 3.0)
    """
    return float(min(16.0, max(3.0, round(49152 / max(draws, 1), 1))))


@attrs.frozen
class Bar:
    """One bar: a label, a value and its interval (``low``/``high`` may equal ``value``)."""

    label: str
    value: float
    low: float
    high: float


def regime_content(label: str, players: Sequence[Mapping[str, Any]]) -> RegimeContent | None:
    """The supports of the regime a label names, read back from the label.

    Labels are written by :func:`negotiation.studies.sweep.regime_label` from the players'
    strategy labels (``Accept+Reject / Full offer (mixed)``; ``2 equilibria: ...; ...``).
    ``players`` is the summary's ``players`` list. ``None`` when the label cannot be read
    back unambiguously (a strategy label holding ``+``, `` / ``, ``;`` or ``(mixed)``).

    >>> players = [{"strategies": [{"label": "Up"}, {"label": "Down"}]},
    ...            {"strategies": [{"label": "Left"}, {"label": "Right"}]}]
    >>> regime_content("Up+Down / Left+Right (mixed)", players).equilibria
    (((0, 1), (0, 1), False),)
    """
    if len(players) != 2:
        return None
    names = [[str(s["label"]) for s in p["strategies"]] for p in players]
    if any(
        any(mark in name for mark in ("+", " / ", ";", "(mixed)", "equilibria:")) or not name
        for side in names
        for name in side
    ) or any(len(set(side)) != len(side) for side in names):
        return None
    head, sep, rest = label.partition(" equilibria: ")
    parts = rest.split("; ") if sep and head.isdigit() else [label]
    if sep and head.isdigit() and len(parts) != int(head):
        return None
    equilibria = []
    for part in parts:
        pure = not part.endswith(" (mixed)")
        sides = part.removesuffix(" (mixed)").split(" / ")
        if len(sides) != 2:
            return None
        supports = []
        for side, text in zip(names, sides, strict=True):
            played = text.split("+")
            if any(p not in side for p in played):
                return None
            supports.append(tuple(sorted(side.index(p) for p in played)))
        equilibria.append((supports[0], supports[1], pure))
    return RegimeContent(label, tuple(equilibria))


def regime_face_colours(labels: Sequence[str], summary: Mapping[str, Any]) -> list[str]:
    """Each regime's colour as a sweep's regime map fills it (its first outcome's colour).

    Regimes whose labels cannot be read back (:func:`regime_content`), and a tree's
    regimes (subgame-perfect paths, ``summary["kind"] == "tree"``), fall back to
    :func:`negotiation.output.plots.regime_colours`.
    """
    if summary.get("kind") == "tree":
        return regime_colours(labels)
    players = summary.get("players") or []
    contents = [regime_content(label, players) for label in labels]
    if not labels or any(c is None for c in contents):
        return regime_colours(labels)
    shape = (len(players[0]["strategies"]), len(players[1]["strategies"]))
    return [style.face for style in regime_styles(contents, shape)]


def acceptability_data(summary: Mapping[str, Any]) -> list[Bar]:
    """Each regime's share of draws and Wilson 95% interval, largest first.

    >>> acceptability_data({"regimes": [{"label": "A / B", "share": 0.25, "ci95": [0.2, 0.3]}]})
    [Bar(label='A / B', value=0.25, low=0.2, high=0.3)]
    """
    return [
        Bar(r["label"], float(r["share"]), float(r["ci95"][0]), float(r["ci95"][1]))
        for r in summary["regimes"]
    ]


#: Room a share's label (``92.4%``) takes on an acceptability axis running from 0 to 1.
SHARE_LABEL_WIDTH = 0.08


def share_label_places(bars: Sequence[Bar]) -> list[tuple[float, str]]:
    """Where each bar's ``92.4%`` goes: ``(x, ha)``, clear of its interval's whisker.

    Right of the whisker's upper end where the label fits before 1; otherwise inside the
    bar, right-aligned left of the whisker's lower end (a share near 1 has no room right).

    >>> share_label_places([Bar("A", 0.924, 0.918, 0.929), Bar("B", 0.076, 0.07, 0.082)])
    [(0.908, 'right'), (0.092, 'left')]
    """
    places = []
    for b in bars:
        if b.high + 0.01 + SHARE_LABEL_WIDTH <= 1:
            places.append((round(b.high + 0.01, 12), "left"))
        else:
            places.append((round(max(b.low - 0.01, 0.0), 12), "right"))
    return places


def acceptability_plot(summary: Mapping[str, Any], ax: Axes | None = None) -> Figure:
    """Horizontal bars: how often each equilibrium regime holds, with 95% intervals."""
    bars = acceptability_data(summary)
    fig, ax = _axes(ax, (7.5, 1.2 + 0.45 * max(1, len(bars))))
    y = np.arange(len(bars))[::-1]
    values = [b.value for b in bars]
    errors = np.array([[b.value - b.low for b in bars], [b.high - b.value for b in bars]])
    errors = np.maximum(errors, 0.0)  # an interval always holds its share; no rounding below
    colours = regime_face_colours([b.label for b in bars], summary)
    ax.barh(y, values, color=colours, edgecolor="black")
    ax.errorbar(values, y, xerr=errors.reshape(2, -1), fmt="none", ecolor="black", capsize=3)
    ax.set_yticks(y, [plain_text(b.label, 70) for b in bars])
    ax.set_xlim(0, 1)
    ax.set_xlabel("Share of draws (bars: 95% Wilson interval)")
    ax.set_title(
        plain_text(
            f"How often each equilibrium holds: {summary.get('scenario', '')}, "
            f"{summary.get('samples', 0):,} draws"
        )
    )
    places = share_label_places(bars)
    for yy, b, (x, ha) in zip(y, bars, places, strict=True):
        ax.text(
            x, yy, f"{b.value:.1%}", va="center", ha=ha, fontsize=8,
            bbox={"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none",
                  "alpha": 0.85},
        )  # fmt: skip
    return fig


def output_words(summary: Mapping[str, Any], output: str) -> str:
    """An output name in words: ``regime:X`` or ``prob.<player>.<strategy>``.

    >>> doc = {"players": [{"id": "us", "label": "United States",
    ...                      "strategies": [{"id": "accept", "label": "Accept"}]}]}
    >>> output_words(doc, "prob.us.accept"), output_words(doc, "regime:A / B")
    ('probability that United States plays Accept', 'equilibrium is A / B')
    """
    if output.startswith("regime:"):
        return f"equilibrium is {output.removeprefix('regime:')}"
    _, pid, sid = output.split(".", 2)
    for player in summary.get("players", []):
        if player["id"] == pid:
            for strategy in player["strategies"]:
                if strategy["id"] == sid:
                    return f"probability that {player['label']} plays {strategy['label']}"
    return output


def sensitivity_title(summary: Mapping[str, Any], output: str) -> str:
    """A tornado chart's title: what decides the outcome, as a sentence.

    >>> doc = {"players": [{"id": "us", "label": "United States",
    ...                      "strategies": [{"id": "accept", "label": "Accept"}]}]}
    >>> sensitivity_title(doc, "regime:A / B")
    'What decides whether the equilibrium is A / B'
    >>> sensitivity_title(doc, "prob.us.accept")
    'What drives the probability that United States plays Accept'
    """
    words = output_words(summary, output)
    if output.startswith("regime:"):
        return f"What decides whether the {words}"
    if words.startswith("probability"):
        return f"What drives the {words}"
    return f"What drives {words}"


def input_labels(summary: Mapping[str, Any]) -> dict[str, str]:
    """Each varied path's label in words (the path itself if the summary has none)."""
    return {v["path"]: v.get("label") or v["path"] for v in summary["vary"]}


def sensitivity_data(
    summary: Mapping[str, Any], output: str | None = None, index: str = "pawn"
) -> tuple[str, list[Bar]]:
    """The output shown and its inputs' ``index``, largest first.

    ``output`` defaults to the first analysed one; a bar's interval is the Sobol'
    bootstrap interval where there is one.

    >>> doc = {"vary": [{"path": "a", "label": "A"}, {"path": "b", "label": "B"}],
    ...        "sensitivity": {"regime:X": {"a": {"pawn": 0.1}, "b": {"pawn": 0.4}}}}
    >>> output, bars = sensitivity_data(doc)
    >>> output, [(b.label, b.value) for b in bars]
    ('regime:X', [('B', 0.4), ('A', 0.1)])
    """
    sensitivity = summary.get("sensitivity", {})
    if not sensitivity:
        raise ValueError("the summary has no sensitivity indices (nothing varied the outcome)")
    chosen = output if output is not None else next(iter(sensitivity))
    if chosen not in sensitivity:
        raise ValueError(f"no sensitivity indices for {chosen!r}; have: {', '.join(sensitivity)}")
    labels = input_labels(summary)
    bars = []
    for path, indices in sensitivity[chosen].items():
        value = indices.get(index)
        if value is None:
            continue
        conf = indices.get(f"{index}_conf") or 0.0
        bars.append(Bar(labels.get(path, path), float(value), value - conf, value + conf))
    bars.sort(key=lambda b: (-b.value, b.label))
    return chosen, bars


def sensitivity_plot(
    summary: Mapping[str, Any], output: str | None = None, ax: Axes | None = None
) -> Figure:
    """A tornado chart of the inputs driving one outcome.

    Bars: PAWN (median KS distance) and, with a Saltelli design, Sobol' total order
    indices with their intervals; a dotted line marks PAWN's value for a dummy input,
    the level any input reaches by chance.
    """
    chosen, pawn = sensitivity_data(summary, output, "pawn")
    pawn = pawn[:TORNADO_INPUTS]
    has_sobol = any("ST" in v for v in summary["sensitivity"][chosen].values())
    total = {b.label: b for b in sensitivity_data(summary, chosen, "ST")[1]} if has_sobol else {}
    fig, ax = _axes(ax, (7.5, 1.4 + 0.4 * max(1, len(pawn))))
    y = np.arange(len(pawn))[::-1]
    height = 0.38 if total else 0.7
    ax.barh(y + (height / 2 if total else 0), [b.value for b in pawn], height, color="#0072B2",
            label="PAWN (median KS distance)")  # fmt: skip
    if total:
        st = [total.get(b.label, Bar(b.label, 0.0, 0.0, 0.0)) for b in pawn]
        errors = np.array([[s.value - s.low for s in st], [s.high - s.value for s in st]])
        ax.barh(y - height / 2, [s.value for s in st], height, color="#E69F00",
                xerr=np.abs(errors), capsize=2, label="Sobol' total order")  # fmt: skip
    noise = summary.get("sensitivity_info", {}).get("pawn_noise", {}).get(chosen)
    if noise:
        ax.axvline(noise, color="black", linestyle=":", label="PAWN of a dummy input (chance)")
    ax.set_yticks(y, [plain_text(b.label, 60) for b in pawn])
    ax.set_xlabel("Sensitivity index (0: no influence)")
    ax.set_title(plain_text(sensitivity_title(summary, chosen), 90))
    ax.legend(fontsize=8, loc="lower right")
    return fig


def top_inputs(summary: Mapping[str, Any], count: int = 2) -> list[str]:
    """The paths of the ``count`` most influential inputs.

    Influence is the largest index over all outputs: Sobol' total order where present,
    else PAWN; ties go by the order of ``vary``.
    """
    order = [v["path"] for v in summary["vary"]]
    best = dict.fromkeys(order, 0.0)
    for indices in summary.get("sensitivity", {}).values():
        for path, values in indices.items():
            value = values.get("ST")
            value = values.get("pawn") if value is None else value
            if value is not None and path in best:
                best[path] = max(best[path], float(value))
    return sorted(order, key=lambda p: (-best[p], order.index(p)))[:count]


def scatter_plot(
    x: npt.ArrayLike,
    y: npt.ArrayLike | None,
    regimes: Sequence[str],
    x_label: str,
    y_label: str | None = None,
    ax: Axes | None = None,
    players: Sequence[Mapping[str, Any]] = (),
) -> Figure:
    """The draws over two inputs (``x``, ``y``), each coloured by its regime.

    With ``y`` None, the draws are spread over one input, one row per regime. The
    :data:`SCATTER_REGIMES` most common regimes are named; the others are grey. With the
    summary's ``players``, colours are those of sweep maps (:func:`regime_face_colours`).
    """
    xs = np.asarray(x, dtype=np.float64)
    names = np.asarray(list(regimes), dtype=object)
    tally: dict[str, int] = {}
    for name in names.tolist():
        tally[str(name)] = tally.get(str(name), 0) + 1
    ordered = sorted(tally, key=lambda k: (-tally[k], k))
    shown = ordered[:SCATTER_REGIMES]
    colours = dict(zip(shown, regime_face_colours(shown, {"players": list(players)}), strict=True))
    fig, ax = _axes(ax, (7.5, 5.5))
    if y is None:
        ys = np.array([shown.index(n) if n in shown else len(shown) for n in names], dtype=float)
        ax.set_yticks(range(len(shown)), [plain_text(s, 50) for s in shown])
    else:
        ys = np.asarray(y, dtype=np.float64)
    for name in [*shown, None]:
        mask = np.isin(names, shown, invert=True) if name is None else names == name
        if not mask.any():
            continue
        label = "other regimes" if name is None else plain_text(name, 60)
        colour = "#BBBBBB" if name is None else colours[name]
        ax.scatter(xs[mask], ys[mask], s=dot_size(len(xs)), color=colour, label=label,
                   alpha=SCATTER_ALPHA, linewidths=0)  # fmt: skip
    ax.set_xlabel(plain_text(x_label, 90))
    if y is not None and y_label is not None:
        ax.set_ylabel(plain_text(y_label, 90))
    ax.set_title("Draws coloured by equilibrium regime")
    # Beside the axes, never over the draws; markers at a legible size whatever the dots'.
    ax.legend(fontsize=7, markerscale=max(1.0, 6 / dot_size(len(xs)) ** 0.5), loc="upper left",
              bbox_to_anchor=(1.02, 1.0), frameon=False, alignment="left")  # fmt: skip
    return fig


def convergence_data(summary: Mapping[str, Any]) -> dict[str, tuple[list[int], list[float]]]:
    """Each regime's share at N/4, N/2 and N (points with no draws left out).

    >>> convergence_data({"convergence": {"samples": [25, 50, 100],
    ...                                   "regimes": {"A": [0.2, 0.3, 0.25]}}})
    {'A': ([25, 50, 100], [0.2, 0.3, 0.25])}
    """
    conv = summary["convergence"]
    out = {}
    for label, shares in conv["regimes"].items():
        points = [
            (n, s) for n, s in zip(conv["samples"], shares, strict=True) if s is not None and n
        ]
        out[label] = ([n for n, _ in points], [float(s) for _, s in points])
    return out


def convergence_plot(summary: Mapping[str, Any], axes: Sequence[Axes] | None = None) -> Figure:
    """Shares of the regimes and the main PAWN indices at N/4, N/2 and N.

    Left: every regime's share; right: the PAWN indices of the four most influential
    inputs of the first analysed output. Flat lines mean N was enough.
    """
    if axes is None:
        fig = Figure(figsize=(11, 4.2), layout="constrained")
        left, right = fig.subplots(1, 2)
    else:
        left, right = axes[0], axes[1]
        fig = left.get_figure()  # type: ignore[assignment]
    data = convergence_data(summary)
    labels = list(data)
    for colour, label in zip(regime_face_colours(labels, summary), labels, strict=True):
        n, shares = data[label]
        left.plot(n, shares, marker="o", color=colour, label=plain_text(label, 50))
    left.set_xscale("log", base=2)
    left.set_xlabel("Draws")
    left.set_ylabel("Share of draws")
    left.set_title("Regime shares as draws accumulate")
    if labels:
        left.legend(fontsize=7)
    series = summary["convergence"].get("sensitivity", {})
    steps = summary["convergence"].get("sensitivity_samples", [])
    if series:
        output = next(iter(series))
        names = input_labels(summary)
        top = top_inputs({**summary, "sensitivity": {output: summary["sensitivity"][output]}}, 4)
        for path in top:
            values = series[output].get(path, {}).get("pawn")
            if values:
                points = [(n, v) for n, v in zip(steps, values, strict=True) if v is not None]
                right.plot(
                    [n for n, _ in points], [v for _, v in points], marker="o",
                    label=plain_text(names.get(path, path), 50),
                )  # fmt: skip
        right.set_xscale("log", base=2)
        right.set_title(plain_text(f"PAWN: {output_words(summary, output)}", 70))
        if right.get_legend_handles_labels()[0]:  # no index had a value: nothing to name
            right.legend(fontsize=7)
    else:
        right.set_title("No sensitivity indices")
    right.set_xlabel("Draws analysed")
    return fig


def save_plots(
    summary: Mapping[str, Any],
    rows: Mapping[str, Any],
    folder: str | Path,
    fmt: str = "png",
) -> list[str]:
    """Write every plot of a study into ``folder`` (atomically); the file names."""
    folder = Path(folder)
    written = []
    figures: list[tuple[str, Figure]] = [("acceptability", acceptability_plot(summary))]
    if summary.get("sensitivity"):
        figures.append(("sensitivity", sensitivity_plot(summary)))
    x = np.asarray(rows.get("x", np.zeros((0, 0))))
    if len(x):
        paths = [v["path"] for v in summary["vary"]]
        labels = input_labels(summary)
        top = top_inputs(summary, 2)
        columns = [paths.index(p) for p in top]
        figures.append(
            (
                "scatter",
                scatter_plot(
                    x[:, columns[0]],
                    x[:, columns[1]] if len(columns) > 1 else None,
                    [str(r) for r in rows["regime"]],
                    labels[top[0]],
                    labels[top[1]] if len(top) > 1 else None,
                    players=summary.get("players", ()),
                ),
            )
        )
    figures.append(("convergence", convergence_plot(summary)))
    for name, fig in figures:
        save(fig, folder / f"{name}.{fmt}", fmt)
        written.append(f"{name}.{fmt}")
    return written


def _axes(ax: Axes | None, size: tuple[float, float]) -> tuple[Figure, Axes]:
    if ax is not None:
        return ax.get_figure(), ax  # type: ignore[return-value]
    fig = Figure(figsize=size, layout="constrained")
    return fig, fig.add_subplot()
