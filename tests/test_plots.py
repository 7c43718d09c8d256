"""Plots: the data behind each one, and that each saves as a valid image."""

from __future__ import annotations

from pathlib import Path

import attrs
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.image import imread

from negotiation import Game, load, solve
from negotiation.limits import MAX_LABEL_LENGTH
from negotiation.model.catalogue import catalogue
from negotiation.model.payoffs import payoff_matrices
from negotiation.output.plots import (
    branches,
    payoff_heatmaps,
    payoff_plot,
    plain_text,
    pure_equilibria,
    regime_grid,
    regime_map,
    save,
    save_sweep_plots,
    strategy_plot,
)
from negotiation.studies.sweep import Axis, Grid, SweepResult, sweep

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


# --------------------------------------------------------------------------- hostile labels


def _relabelled(result: SweepResult, label: str) -> SweepResult:
    """The same sweep with every player and strategy label replaced by ``label``."""
    players = tuple(
        (pid, sids, label, tuple(label for _ in sids)) for pid, sids, _, _ in result.players
    )
    return attrs.evolve(result, players=players)


@pytest.mark.parametrize(
    "label",
    ["$\\foo$", "$x^$", "cost in $ and \\", "x" * 10_000, "a\x1b[2J\nb"],
)
def test_hostile_labels_draw_and_save(tmp_path: Path, label: str) -> None:
    r"""Invalid mathtext, lone $ and \, a 10,000-character label and ESC all draw and save."""
    names = save_sweep_plots(_relabelled(ONE_D, label), tmp_path, "png")
    names += save_sweep_plots(_relabelled(TWO_D, label), tmp_path, "png")
    for name in names:
        assert imread(tmp_path / name).shape[2] in (3, 4)
    legend = strategy_plot(_relabelled(ONE_D, label)).axes[0].get_legend()
    assert legend is not None
    drawn = legend.get_texts()[0].get_text()
    assert len(drawn) <= 2 * MAX_LABEL_LENGTH
    assert "\x1b" not in drawn


def test_plain_text_shows_dollars_and_backslashes_literally() -> None:
    """Escaped text has no mathtext: matplotlib's own test says it is not math."""
    from matplotlib import cbook

    for label in ("$\\foo$", "$a$ and $b$", "\\$x$"):
        assert not cbook.is_math_text(plain_text(label))


def test_pure_equilibria_are_the_solvers_pure_equilibria() -> None:
    """The heatmap's direct pure-equilibrium test agrees with the exact solver (ties too)."""
    rng = np.random.default_rng(3)
    games = [payoff_matrices(load(name)) for name in catalogue()]
    for _ in range(200):  # small integer payoffs: many ties, many degenerate games
        m, n = rng.integers(1, 5, size=2)
        A, B = rng.integers(-2, 3, size=(2, m, n))
        games.append(Game.from_arrays(A.tolist(), B.tolist()))
    for game in games:
        solution = solve(game, "exact")
        expected = sorted(
            (r[0], c[0]) for e in solution.equilibria if e.pure for r, c in [e.support]
        )
        assert pure_equilibria(game.A, game.B) == expected
