"""Plots: the data behind each one, and that each saves as a valid image."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import imread

from negotiation import load
from negotiation.output.plots import (
    branches,
    payoff_heatmaps,
    payoff_plot,
    regime_grid,
    regime_map,
    save,
    save_sweep_plots,
    strategy_plot,
)
from negotiation.studies.sweep import Axis, Grid, sweep

ONE_D = sweep(load("rare-earth"), Grid((Axis.linspace("weights.us.supply_security", 3, 5, 5),)))
TWO_D = sweep(
    load("rare-earth"),
    Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 7),
            Axis.linspace("weights.us.legitimacy", 0, 2, 3),
        )
    ),
)


def test_branches_keep_every_equilibrium() -> None:
    """At the degenerate point (weight 4) both equilibria appear: two y values at one x."""
    accept = branches(ONE_D, "prob")["us"][0]
    assert accept.label == "Accept"
    assert accept.x == (3.0, 3.5, 4.0, 4.0, 4.5, 5.0)
    assert accept.y == (0.0, 0.0, 1.0, 0.0, 1.0, 1.0)
    assert accept.degenerate == (False, False, True, True, False, False)
    payoff = branches(ONE_D, "payoff")["us"][0]
    assert payoff.y[:2] == pytest.approx(
        (3 * 0.5 + 0.2, 3.5 * 0.5 + 0.2)
    )  # diversify pays w/2 + 0.2


def test_regime_grid_classifies_every_cell() -> None:
    """Each cell gets the index of its regime label; degenerate cells are flagged."""
    data = regime_grid(TWO_D)
    assert data.index.shape == (7, 3)
    assert set(np.unique(data.index)) == set(range(len(data.labels)))
    # By hand, against the full offer: accept pays 2s - 2L - 3.8, diversify 0.5s + 0.2, so
    # the US accepts iff s > (2L + 4) / 1.5 (s: supply-security weight, L: legitimacy weight).
    assert data.labels[data.index[0, 0]] == "Diversify / Full offer"  # s = 0, L = 0
    assert data.labels[data.index[3, 0]] == "Accept / Full offer"  # s = 3 > 8/3
    assert data.labels[data.index[4, 2]] == "Diversify / Full offer"  # s = 4 < 16/3
    assert data.degenerate[4, 1]  # s = 4, L = 1: exactly on the threshold
    assert data.labels[data.index[4, 1]].startswith("2 equilibria")


def test_plot_functions_return_figures_and_accept_axes() -> None:
    """Every plot returns a Figure, and draws on axes passed in instead of making its own."""
    for fig in (
        strategy_plot(ONE_D),
        payoff_plot(ONE_D),
        regime_map(TWO_D),
        payoff_heatmaps(load("chicken")),
    ):
        assert isinstance(fig, Figure)
    host = Figure()
    ax: Axes = host.subplots()
    assert payoff_plot(ONE_D, ax=ax) is host
    assert host.axes == [ax]
    legend = ax.get_legend()
    assert legend is not None
    assert [t.get_text() for t in legend.get_texts()] == [
        "United States",
        "Russia",
        "equilibrium set changes",
        "degenerate game",
    ]


def test_heatmap_marks_pure_equilibria() -> None:
    """Chicken's two pure equilibria are outlined on both players' heatmaps (2 x 2 patches)."""
    fig = payoff_heatmaps(load("chicken"))
    outlines = [p for ax in fig.axes[:2] for p in ax.patches]  # the rest are colour bars
    assert len(outlines) == 4


def test_one_d_plots_refuse_two_d_data() -> None:
    """A 1-D plot given a 2-D sweep says what it needs."""
    with pytest.raises(ValueError, match="1-D sweep"):
        strategy_plot(TWO_D)


@pytest.mark.parametrize("fmt", ["png", "svg", "pdf"])
def test_saved_files_are_valid_images(tmp_path: Path, fmt: str) -> None:
    """Sweep plots save as valid PNG, SVG or PDF files, with no temporary file left."""
    names = save_sweep_plots(ONE_D, tmp_path, fmt) + save_sweep_plots(TWO_D, tmp_path, fmt)
    assert names == [f"strategies.{fmt}", f"payoffs.{fmt}", f"regimes.{fmt}"]
    for name in names:
        data = (tmp_path / name).read_bytes()
        if fmt == "png":
            assert imread(tmp_path / name).shape[2] in (3, 4)
        elif fmt == "svg":
            assert b"<svg" in data[:500]
        else:
            assert data.startswith(b"%PDF")
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(names)


def test_save_leaves_old_file_when_drawing_fails(tmp_path: Path) -> None:
    """If saving fails midway the previous file stays whole (atomic replace)."""
    target = tmp_path / "plot.png"
    save(payoff_plot(ONE_D), target, "png")
    before = target.read_bytes()
    with pytest.raises(ValueError, match="no-such-format"):
        save(payoff_plot(ONE_D), target, "no-such-format")
    assert target.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["plot.png"]


def test_a_regime_keeps_its_colour_across_maps() -> None:
    """The same regime label gets the same colour on maps with different regime sets."""
    from negotiation.output.plots import regime_colours

    big = regime_colours(["Diversify / Full offer", "Accept / Full offer", "Reject / Full offer"])
    small = regime_colours(["Accept / Full offer", "Diversify / Full offer"])
    assert big[0] == small[1]
    assert big[1] == small[0]
    assert len(set(big)) == 3  # no two regimes of one map share a colour
