"""Plots of uncertainty studies: each draws exactly the data it is given, labelled in words."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg, RendererAgg
from matplotlib.colors import to_hex
from matplotlib.figure import Figure

from negotiation.output import explore_plots
from negotiation.output.plots import outcome_colour, regime_colours

SUMMARY: dict[str, Any] = {
    "scenario": "rare-earth",
    "samples": 1000,
    "players": [
        {
            "id": "us",
            "label": "United States",
            "strategies": [
                {"id": "accept", "label": "Accept"},
                {"id": "reject", "label": "Reject"},
                {"id": "diversify", "label": "Diversify"},
            ],
        },
        {
            "id": "russia",
            "label": "Russia",
            "strategies": [
                {"id": "full", "label": "Full offer"},
                {"id": "limited", "label": "Limited offer"},
                {"id": "withhold", "label": "Withhold"},
            ],
        },
    ],
    "vary": [
        {"path": "weights.us.a", "label": "United States' weight on A"},
        {"path": "weights.us.b", "label": "United States' weight on B"},
        {"path": "weights.us.c", "label": "United States' weight on $C$"},
    ],
    "regimes": [
        {"label": "Diversify / Full offer", "share": 0.7, "ci95": [0.67, 0.73]},
        {"label": "Accept / Full offer", "share": 0.3, "ci95": [0.27, 0.33]},
    ],
    "sensitivity": {
        "regime:Diversify / Full offer": {
            "weights.us.a": {"pawn": 0.1},
            "weights.us.b": {"pawn": 0.5},
            "weights.us.c": {"pawn": 0.02},
        },
        "prob.us.accept": {
            "weights.us.a": {"pawn": 0.6},
            "weights.us.b": {"pawn": 0.4},
            "weights.us.c": {"pawn": 0.01},
        },
    },
    "sensitivity_info": {"pawn_noise": {"regime:Diversify / Full offer": 0.03}},
    "convergence": {
        "samples": [250, 500, 1000],
        "regimes": {
            "Diversify / Full offer": [0.72, 0.69, 0.7],
            "Accept / Full offer": [0.28, 0.31, 0.3],
        },
        "sensitivity_samples": [250, 500, 1000],
        "sensitivity": {
            "regime:Diversify / Full offer": {
                "weights.us.a": {"pawn": [0.12, 0.11, 0.1]},
                "weights.us.b": {"pawn": [0.52, 0.5, 0.5]},
            }
        },
    },
}


def test_acceptability_bars_are_the_shares_with_their_intervals() -> None:
    """Bars have the regimes' shares, largest on top, error bars span the Wilson intervals."""
    fig = explore_plots.acceptability_plot(SUMMARY)
    assert isinstance(fig, Figure)
    ax = fig.axes[0]
    widths = [round(p.get_width(), 12) for p in ax.patches]
    assert widths == [0.7, 0.3]
    heights = {t.get_text(): t.get_position()[1] for t in ax.get_yticklabels()}
    assert heights == {"Diversify / Full offer": 1, "Accept / Full offer": 0}
    segments = ax.collections[0].get_segments()
    spans = sorted((round(s[0][0], 12), round(s[1][0], 12)) for s in segments)
    assert spans == [(0.27, 0.33), (0.67, 0.73)]


def test_acceptability_bars_take_the_regime_colours_of_sweep_maps() -> None:
    """A regime has the colour a sweep's regime map fills it with: its outcome's colour.

    Diversify / Full offer is outcome (2, 0) of the 3x3 game, Accept / Full offer (0, 0);
    plots.outcome_colour fixes each outcome's colour, and regime maps fill pure regimes so.
    """
    ax = explore_plots.acceptability_plot(SUMMARY).axes[0]
    expected = [outcome_colour(2, 0, (3, 3)), outcome_colour(0, 0, (3, 3))]
    assert [to_hex(p.get_facecolor()) for p in ax.patches] == [c.lower() for c in expected]
    assert expected[0] != expected[1]


def test_regime_content_reads_labels_back_as_sweep_maps_see_them() -> None:
    """Labels of pure, mixed and several-equilibria regimes give the supports regime maps use."""
    players = SUMMARY["players"]
    mixed = explore_plots.regime_content("Accept+Diversify / Full offer (mixed)", players)
    assert mixed is not None
    assert mixed.equilibria == (((0, 2), (0,), False),)
    several = explore_plots.regime_content(
        "2 equilibria: Accept / Full offer; Diversify / Full offer", players
    )
    assert several is not None
    assert several.equilibria == (((0,), (0,), True), ((2,), (0,), True))
    assert explore_plots.regime_content("Nobody / Full offer", players) is None


def test_tornado_orders_inputs_by_influence_and_marks_the_dummy_level() -> None:
    """The tornado's bars are PAWN indices largest first, in words, with the dummy's level.

    The dotted line sits at the dummy input's PAWN index.
    """
    fig = explore_plots.sensitivity_plot(SUMMARY)
    ax = fig.axes[0]
    assert [round(p.get_width(), 12) for p in ax.patches] == [0.5, 0.1, 0.02]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert (
        labels
        == [
            "United States' weight on $C$".replace("$", r"\$"),
            "United States' weight on A",
            "United States' weight on B",
        ][::-1]
    )
    assert [line.get_xdata()[0] for line in ax.lines] == [0.03]
    assert "equilibrium is Diversify / Full offer" in ax.get_title()


def test_tornado_of_a_saltelli_study_adds_total_order_bars_with_intervals() -> None:
    """With Sobol' indices a second bar per input shows ST and its bootstrap interval."""
    summary = {
        **SUMMARY,
        "sensitivity": {
            "prob.us.accept": {
                "weights.us.a": {"pawn": 0.3, "ST": 0.8, "ST_conf": 0.05},
                "weights.us.b": {"pawn": 0.1, "ST": 0.2, "ST_conf": 0.02},
            }
        },
    }
    ax = explore_plots.sensitivity_plot(summary).axes[0]
    widths = sorted(round(p.get_width(), 12) for p in ax.patches)
    assert widths == [0.1, 0.2, 0.3, 0.8]
    assert "probability that United States plays Accept" in ax.get_title()


def test_sensitivity_data_refuses_a_summary_without_indices() -> None:
    """Asking for a tornado of a study with no analysed outcome is a clear ValueError."""
    with pytest.raises(ValueError, match="no sensitivity indices"):
        explore_plots.sensitivity_data({**SUMMARY, "sensitivity": {}})


def test_top_inputs_are_the_largest_indices_over_all_outputs() -> None:
    """Input a peaks at 0.6 (probability of Accept), b at 0.5: a, then b."""
    assert explore_plots.top_inputs(SUMMARY, 2) == ["weights.us.a", "weights.us.b"]


def test_scatter_draws_each_regime_in_its_colour_at_its_points() -> None:
    """One scatter per regime, at exactly its draws' coordinates, in the regime's colour."""
    x = np.array([0.1, 0.2, 0.3, 0.4])
    y = np.array([1.0, 2.0, 3.0, 4.0])
    names = ["A / B", "C / D", "A / B", "A / B"]
    ax = explore_plots.scatter_plot(x, y, names, "input one", "input two").axes[0]
    points = {c.get_label(): c.get_offsets().tolist() for c in ax.collections}
    assert points == {"A / B": [[0.1, 1.0], [0.3, 3.0], [0.4, 4.0]], "C / D": [[0.2, 2.0]]}
    colours = dict(zip(["A / B", "C / D"], regime_colours(["A / B", "C / D"]), strict=True))
    # without the summary's players the labels cannot be read back: label-based colours
    for c in ax.collections:
        assert to_hex(c.get_facecolor()[0]) == colours[c.get_label()].lower()
    assert (ax.get_xlabel(), ax.get_ylabel()) == ("input one", "input two")


def test_scatter_over_one_input_puts_each_regime_on_its_row() -> None:
    """Without a second input, the draws of the k-th most common regime sit at y = k."""
    ax = explore_plots.scatter_plot([0.5, 0.6, 0.7], None, ["X", "Y", "X"], "input").axes[0]
    rows = {c.get_label(): sorted({p[1] for p in c.get_offsets().tolist()}) for c in ax.collections}
    assert rows == {"X": [0.0], "Y": [1.0]}


def test_rare_regimes_are_grouped_as_other() -> None:
    """Beyond the seven most common regimes the rest share one grey 'other regimes' entry."""
    names = [f"R{k}" for k in range(9) for _ in range(9 - k)]
    ax = explore_plots.scatter_plot(
        np.arange(len(names)), np.zeros(len(names)), names, "x", "y"
    ).axes[0]
    labels = [c.get_label() for c in ax.collections]
    assert labels[-1] == "other regimes"
    assert len(labels) == explore_plots.SCATTER_REGIMES + 1


def test_convergence_lines_follow_the_shares_and_indices() -> None:
    """Left: one line per regime through its shares; right: PAWN of the top inputs."""
    fig = explore_plots.convergence_plot(SUMMARY)
    left, right = fig.axes
    lines = {line.get_label(): line.get_ydata().tolist() for line in left.lines}
    assert lines == {
        "Diversify / Full offer": [0.72, 0.69, 0.7],
        "Accept / Full offer": [0.28, 0.31, 0.3],
    }
    assert left.lines[0].get_xdata().tolist() == [250, 500, 1000]
    indices = {line.get_label(): line.get_ydata().tolist() for line in right.lines}
    assert indices == {
        "United States' weight on B": [0.52, 0.5, 0.5],
        "United States' weight on A": [0.12, 0.11, 0.1],
    }


def test_plots_draw_into_given_axes() -> None:
    """Passing ``ax`` draws into that figure instead of a new one."""
    fig = Figure()
    ax = fig.add_subplot()
    assert explore_plots.acceptability_plot(SUMMARY, ax=ax) is fig
    assert len(ax.patches) == 2


def rendered(figure: Figure) -> RendererAgg:
    """Draw ``figure`` (its layout done, as when saved) and return the renderer used."""
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    return canvas.get_renderer()


def test_share_labels_stay_clear_of_their_whiskers() -> None:
    """A 92.4% bar's label goes inside the bar, left of its interval; 7.6% right of it (R2).

    The shares and Wilson intervals are those of the README's 8,192-draw Sobol' study.
    """
    summary = {
        **SUMMARY,
        "regimes": [
            {"label": "Diversify / Full offer", "share": 0.924, "ci95": [0.918, 0.9295]},
            {"label": "Reject / Full offer", "share": 0.076, "ci95": [0.0705, 0.082]},
        ],
    }
    ax = explore_plots.acceptability_plot(summary).axes[0]
    figure = ax.get_figure()
    assert figure is not None
    renderer = rendered(figure)
    whiskers = ax.collections[0].get_segments()
    labels = {t.get_text(): t for t in ax.texts}
    assert set(labels) == {"92.4%", "7.6%"}
    for text in labels.values():
        box = text.get_window_extent(renderer).transformed(ax.transData.inverted())
        y = text.get_position()[1]
        (lo, _), (hi, _) = next(s for s in whiskers if s[0][1] == y)
        assert box.x1 < lo or box.x0 > hi  # the label's extent misses the whisker
    assert labels["92.4%"].get_horizontalalignment() == "right"
    assert labels["7.6%"].get_horizontalalignment() == "left"


def test_scatter_legend_sits_beside_the_draws_and_dots_are_opaque() -> None:
    """The legend is outside the axes (it hid draws), and pale colours are drawn at 0.9 opacity."""
    rng = np.random.default_rng(0)
    x, y = rng.random(8192), rng.random(8192)
    names = ["Diversify / Full offer" if a > 0.2 else "Reject / Full offer" for a in x]
    ax = explore_plots.scatter_plot(x, y, names, "a", "b", players=SUMMARY["players"]).axes[0]
    figure = ax.get_figure()
    assert figure is not None
    renderer = rendered(figure)
    legend = ax.get_legend()
    assert legend is not None
    assert legend.get_window_extent(renderer).x0 >= ax.get_window_extent(renderer).x1
    for collection in ax.collections:
        assert collection.get_alpha() == explore_plots.SCATTER_ALPHA >= 0.9
        assert collection.get_sizes()[0] == explore_plots.dot_size(8192) == 6.0


def test_tornado_title_reads_as_a_sentence() -> None:
    """The title says what the chart answers, not 'What drives: equilibrium is ...' (R2)."""
    ax = explore_plots.sensitivity_plot(SUMMARY).axes[0]
    assert ax.get_title() == "What decides whether the equilibrium is Diversify / Full offer"
    ax = explore_plots.sensitivity_plot(SUMMARY, "prob.us.accept").axes[0]
    assert ax.get_title() == "What drives the probability that United States plays Accept"
