"""Plots: the data behind each one, and that each saves as a valid image."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import attrs
import numpy as np
import pytest
from matplotlib.axes import Axes
from matplotlib.collections import PathCollection
from matplotlib.colors import to_hex
from matplotlib.figure import Figure
from matplotlib.image import imread

from negotiation import Game, load, solve
from negotiation.limits import MAX_LABEL_LENGTH
from negotiation.model.catalogue import catalogue, load_tree
from negotiation.model.payoffs import payoff_matrices
from negotiation.model.scenario import Scenario
from negotiation.output.plots import (
    DOTS,
    MARK_SPACING,
    STRIPES,
    UNSOLVED_COLOUR,
    Labels,
    RegimeStyle,
    branches,
    degenerate_marks,
    degenerate_rings,
    links,
    outcome_colour,
    payoff_heatmaps,
    payoff_plot,
    plain_text,
    pure_equilibria,
    regime_grid,
    regime_map,
    regime_styles,
    save,
    save_sweep_plots,
    scenario_labels,
    strategy_plot,
)
from negotiation.output.tree_plots import SPE_COLOURS, legend_entries, spe_style, tree_plot
from negotiation.solvers.spe import solve_spe
from negotiation.studies.summary import RegimeContent
from negotiation.studies.sweep import Axis, Grid, SweepResult, sweep

# Derived by hand on games/rare_earth.toml (payoff = sum of weight x score):
# - Russia's China weight h, 1/2 to 3/2: the US diversifies whatever Russia does (1, 11/10,
#   6/5 against at most -1/5, -1/10, 0 from accept or reject); against diversify Russia gets
#   -3/4 - h/4 from the full offer and -1 from withholding, so it withholds above h = 1 and
#   both are equilibria at h = 1, the one degenerate point.
# - The US's supply weight s, 0 to 6, and cost weight c, 4/5 to 24/5: Russia's full offer is
#   strictly dominant (4, 1/8, -7/8 against accept, reject, diversify; limited 15/8, 0, -1;
#   withhold 0, 0, -1); against it reject pays -1/5 and diversify s + 3/5 - c, so the US
#   diversifies iff s > c - 4/5 and is indifferent on that line. Where it rejects (s < c - 4/5)
#   the game is degenerate too: accept and reject both pay 0 against withhold, diversify less.
ONE_D = sweep(
    load("rare-earth"),
    Grid((Axis.linspace("weights.russia.china_relations", Fraction(1, 2), Fraction(3, 2), 5),)),
)
TWO_D = sweep(
    load("rare-earth"),
    Grid(
        (
            Axis.linspace("weights.us.supply_security", 0, 6, 7),
            Axis.linspace("weights.us.diversification_cost", Fraction(4, 5), Fraction(24, 5), 3),
        )
    ),
)
TIE = "2 equilibria: Reject / Full offer; Diversify / Full offer"  # the solver's order: rows


def test_branches_keep_every_equilibrium() -> None:
    """At the degenerate point (China weight 1) both equilibria appear: two y values at one x."""
    full = branches(ONE_D, "prob")["russia"][0]
    assert full.label == "Full offer"
    assert full.x == (0.5, 0.75, 1.0, 1.0, 1.25, 1.5)
    assert full.y[:2] == (1.0, 1.0)
    assert full.y[4:] == (0.0, 0.0)
    assert sorted(full.y[2:4]) == [0.0, 1.0]  # full offer and withhold, both at h = 1
    assert full.degenerate == (False, False, True, True, False, False)
    payoff = branches(ONE_D, "payoff")["russia"][0]
    # Against diversify the full offer pays Russia -3/4 - h/4 and withholding -1 (see top).
    assert payoff.y == pytest.approx((-7 / 8, -15 / 16, -1, -1, -1, -1), abs=1e-12)


def test_regime_grid_classifies_every_cell() -> None:
    """Each cell gets the index of its regime label; degenerate cells are flagged."""
    data = regime_grid(TWO_D)
    assert data.index.shape == (7, 3)
    assert set(np.unique(data.index)) == set(range(len(data.labels)))
    # By hand (top of the file): the US diversifies iff s > c - 4/5 against the full offer.
    assert data.labels[data.index[6, 0]] == "Diversify / Full offer"  # s = 6 > 0
    assert data.labels[data.index[4, 1]] == "Diversify / Full offer"  # s = 4 > 2
    assert data.labels[data.index[1, 1]] == "Reject / Full offer"  # s = 1 < 2
    assert data.labels[data.index[3, 2]] == "Reject / Full offer"  # s = 3 < 4
    assert not data.degenerate[4, 1]
    assert data.degenerate[1, 1]  # accept and reject tie against withhold
    for s, c in ((0, 0), (2, 1), (4, 2)):  # exactly on the threshold s = c - 4/5
        assert data.degenerate[s, c]
        assert data.labels[data.index[s, c]] == TIE


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
    scenarios = [load(name) for name in catalogue()]
    games = [payoff_matrices(s) for s in scenarios if isinstance(s, Scenario)]  # not trees
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


# --------------------------------------------------------------------------- paper-ready figures


def _font_subtypes(pdf: bytes) -> set[bytes]:
    """The /Subtype of every font-like object of a PDF (matplotlib writes them uncompressed)."""
    return set(re.findall(rb"/Subtype\s*/(\w+)", pdf)) - {b"Image", b"Form"}


def test_saved_pdfs_embed_truetype_not_type3_fonts(tmp_path: Path) -> None:
    """save() writes Type 42 (TrueType) fonts; matplotlib's own default would be Type 3."""
    figures = {
        "regimes": regime_map(TWO_D),
        "strategies": strategy_plot(ONE_D),
        "heatmaps": payoff_heatmaps(load("rare-earth")),
    }
    for name, fig in figures.items():
        save(fig, tmp_path / f"{name}.pdf", "pdf")
        fonts = _font_subtypes((tmp_path / f"{name}.pdf").read_bytes())
        assert b"Type3" not in fonts, name
        assert fonts & {b"TrueType", b"CIDFontType2"}, name
    payoff_plot(ONE_D).savefig(tmp_path / "default.pdf")  # the check can see a Type 3 font
    assert b"Type3" in _font_subtypes((tmp_path / "default.pdf").read_bytes())


def test_figures_are_worded_from_the_scenario() -> None:
    """Default words name the swept weight, the scenario, and the overrides drawn with."""
    scenario = load("rare-earth")
    labels = scenario_labels(scenario, ONE_D.paths, [("weights.us.legitimacy", 2)])
    fig = strategy_plot(ONE_D, labels=labels)
    assert fig.axes[-1].get_xlabel() == "Russia weight on Russia-China relations"
    suptitle = fig.get_suptitle()
    assert suptitle == (
        "The US response to Russia's rare-earth offer (March 2025)\n"
        "with United States weight on international law = 2"
    )
    mapped = regime_map(TWO_D, labels=scenario_labels(scenario, TWO_D.paths))
    assert mapped.axes[0].get_ylabel() == "United States weight on diversification cost"
    mine = Labels(title="Figure 2", xlabel="s", ylabel="L")
    mapped = regime_map(TWO_D, labels=mine)
    ax = mapped.axes[0]
    assert (ax.get_title(), ax.get_xlabel(), ax.get_ylabel()) == ("Figure 2", "s", "L")


def test_heatmaps_drawn_with_overrides_say_so() -> None:
    """Heatmaps of an overridden scenario carry the override in their heading."""
    scenario = load("rare-earth", {"weights.us.supply_security": 4})
    labels = scenario_labels(scenario, (), [("weights.us.supply_security", 4)])
    heading = payoff_heatmaps(scenario, labels=labels).get_suptitle()
    assert heading.endswith("with United States weight on supply security = 4")


def test_cli_figures_take_titles_and_labels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """--title/--xlabel/--ylabel reach the saved figures of sweep, plot and show --plot."""
    from click.testing import CliRunner

    from negotiation.cli import main
    from negotiation.output import plots

    drawn: list[Figure] = []
    monkeypatch.setattr(plots, "save", lambda fig, path, fmt: drawn.append(fig))
    out = str(tmp_path / "s")
    args = ["sweep", "rare-earth", "--param", "weights.us.supply_security=0:6:7", "--out", out]
    assert CliRunner().invoke(main, [*args, "--set", "weights.us.legitimacy=2"]).exit_code == 0
    assert drawn[0].axes[-1].get_xlabel() == "United States weight on supply security"
    assert "with United States weight on international law = 2" in drawn[0].get_suptitle()
    drawn.clear()
    words = ["--title", "T", "--xlabel", "X", "--ylabel", "Y"]
    assert CliRunner().invoke(main, ["plot", out, *words]).exit_code == 0
    assert drawn[0].get_suptitle().startswith("T\nwith United States")  # overrides kept
    assert (drawn[0].axes[-1].get_xlabel(), drawn[0].axes[0].get_ylabel()) == ("X", "Y")
    drawn.clear()
    show = ["show", "rare-earth", "--set", "weights.us.legitimacy=2", "--plot", "h.png"]
    assert CliRunner().invoke(main, show).exit_code == 0
    assert drawn[0].get_suptitle().endswith("with United States weight on international law = 2")


# --------------------------------------------------------------------------- stable colours


def _styles(result: SweepResult) -> dict[str, RegimeStyle]:
    data = regime_grid(result)
    return dict(zip(data.labels, regime_styles(data.contents, data.game_shape), strict=True))


def test_two_maps_of_one_scenario_colour_regimes_alike() -> None:
    """A regime keeps its colour and hatching between maps where it ranks differently.

    The old rule hashed labels into seven colours and broke clashes by regime size, so
    "Reject / Full offer" was yellow on one map and blue on the next. By hand (top of the
    file) the US rejects iff s < c - 4/5: on the first grid (s = 0, 1/5, ..., 8/5; c = 3/2,
    7/4, ..., 3) at 4 + 5 + 6 + 8 + 9 + 9 + 9 = 50 of 63 points, with one tie (6/5, 2); on the
    second (s = 0, 1/5, ..., 6; c = 0, 1/10, ..., 3) only where s < 11/5, a minority.
    """
    scenario = load("rare-earth")
    supply, cost = "weights.us.supply_security", "weights.us.diversification_cost"
    grid = Grid((Axis.linspace(supply, 0, 1.6, 9), Axis.linspace(cost, 1.5, 3, 7)))
    reject_large = sweep(scenario, grid)
    grid = Grid((Axis.linspace(supply, 0, 6, 31), Axis.linspace(cost, 0, 3, 31)))
    reject_small = sweep(scenario, grid)
    first, second = _styles(reject_large), _styles(reject_small)
    assert list(first).index("Reject / Full offer") == 0
    assert int((regime_grid(reject_large).index == 0).sum()) == 50
    assert list(second).index("Reject / Full offer") > 0
    shared = set(first) & set(second)
    assert {"Reject / Full offer", "Diversify / Full offer", TIE} <= shared
    for label in shared:
        assert first[label] == second[label], label
    for styles in (first, second):
        assert len(set(styles.values())) == len(styles)  # no two regimes of a map alike


def test_a_regime_colour_is_its_outcome_colour() -> None:
    """A pure regime takes its outcome's colour; a tie is its members' colours, hatched."""
    styles = _styles(TWO_D)
    shape = (3, 3)
    assert styles["Reject / Full offer"] == RegimeStyle(outcome_colour(1, 0, shape))
    assert styles["Diversify / Full offer"] == RegimeStyle(outcome_colour(2, 0, shape))
    tie = styles[TIE]
    assert tie.face == outcome_colour(1, 0, shape)
    assert tie.hatches == ((STRIPES[0], outcome_colour(2, 0, shape)),)


def test_outcome_colours_never_repeat_within_a_game() -> None:
    """Every outcome of games up to 9, 20 and 64 cells gets a colour of its own."""
    for shape in ((2, 2), (3, 3), (4, 5), (8, 8)):
        colours = [outcome_colour(r, c, shape) for r in range(shape[0]) for c in range(shape[1])]
        assert len(set(colours)) == len(colours), shape


def test_regimes_over_the_same_outcomes_still_differ() -> None:
    """Two or three equilibria over the same two outcomes get different looks (a black mark)."""
    two = RegimeContent("2 equilibria: a; b", (((0,), (0,), True), ((1,), (0,), True)))
    three = RegimeContent(
        "3 equilibria: a; a+b (mixed); b",
        (((0,), (0,), True), ((0, 1), (0,), False), ((1,), (0,), True)),
    )
    mixed = RegimeContent("a+b (mixed)", (((0, 1), (0,), False),))
    styles = regime_styles([three, two, mixed, None], (2, 2))
    assert len(set(styles)) == 4
    assert styles[1].hatches == ((STRIPES[0], outcome_colour(1, 0, (2, 2))),)
    assert styles[0].hatches[-1][1] == "black"  # the later, larger regime is marked
    assert styles[2].hatches[0][0] == DOTS[0]  # one mixed equilibrium: dots, not stripes
    assert styles[3].face == UNSOLVED_COLOUR


# --------------------------------------------------------------------------- markers and lines


def test_degenerate_dots_thin_out_on_fine_grids() -> None:
    """A 601 x 601 border gets one small dot per block of cells; a 61 x 61 one a dot per cell."""
    for n, cell in ((61, 7.3), (601, 0.74)):
        flags = np.eye(n, dtype=bool)  # a diagonal border of n degenerate cells
        values = np.linspace(0, 1, n)
        marks = degenerate_marks(flags, values, values, cell)
        spacing = marks.block * cell
        assert spacing >= min(MARK_SPACING, cell)
        assert marks.size <= 0.4 * spacing + 1e-9 or marks.size == 0.6
        if n == 61:
            assert (marks.block, len(marks.x)) == (1, 61)
        else:
            assert marks.block == 6
            assert len(marks.x) == math.ceil(601 / 6)


def test_lines_never_cross_a_change_of_regime() -> None:
    """On a coarse grid lines join points of one regime only, never across the change at 1."""
    path = "weights.russia.china_relations"
    xs = [(ONE_D.rows[a][path], ONE_D.rows[b][path]) for a, b in links(ONE_D)]
    assert sorted(set(xs)) == [(0.5, 0.75), (1.25, 1.5)]
    coarse = sweep(load("rare-earth"), Grid((Axis.linspace(path, 0, 3, 5),)))  # 0, 3/4, ..., 3
    assert links(coarse) == [(0, 1), (2, 3), (3, 4)]  # full offer to 3/4, withhold from 3/2


def test_strategies_at_the_same_probability_stay_visible() -> None:
    """Strategies share y = 0 as nested hollow markers of decreasing size, none hidden."""
    ax = strategy_plot(ONE_D).axes[0]
    dots = [c for c in ax.collections if c.get_label() in ("Accept", "Reject", "Diversify")]
    sizes = [float(c.get_sizes()[0]) for c in dots]
    assert sizes == sorted(sizes, reverse=True)
    assert len(set(sizes)) == 3
    for collection in dots:
        faces = collection.get_facecolors()
        assert faces.size == 0 or not faces[:, 3].any()  # hollow: no fill hides another


# --------------------------------------------------------------------------- tree drawings


def test_tree_equilibria_never_share_a_look_and_labels_sit_on_a_ground() -> None:
    """The trap's ten SPE get ten colours; later rounds change the dash; labels hide the bands."""
    tree = load_tree("rare-earth-trap")
    equilibria = solve_spe(tree).equilibria
    assert len(equilibria) == 10  # tests/test_rare_earth_trap.py derives the ten
    figure = tree_plot(tree, equilibria)
    ax = figure.axes[0]
    bands = {to_hex(line.get_color()) for line in ax.get_lines() if line.get_linewidth() == 7}
    assert len(bands) == 10  # one colour per equilibrium's path: none repeats (R2: 1 = 5)
    legend = legend_entries(tree, equilibria)[:10]
    assert [text for text, _, _ in legend] == [
        f"subgame-perfect equilibrium {k}" for k in range(1, 11)
    ]
    assert {colour.lower() for _, colour, _ in legend} == bands
    looks = [spe_style(k) for k in range(3 * len(SPE_COLOURS))]
    assert len(set(map(repr, looks))) == len(looks)  # 30 equilibria: 30 looks
    labels = [t for t in ax.texts if t.get_text() in ("accepts", "declines and diversifies")]
    assert labels
    for text in labels:  # an opaque white ground under each action label (R2: stripes ran through)
        patch = text.get_bbox_patch()
        assert patch is not None
        assert to_hex(patch.get_facecolor()) == "#ffffff"
        assert (patch.get_alpha() or 0) >= 0.8
        assert text.get_zorder() > 1  # drawn (with its ground) above the bands, at zorder 1


def test_degenerate_rings_thin_out_and_sit_on_degenerate_points() -> None:
    """On the 121-point cost sweep the rings above 9/5 are spaced apart, not a solid band (R2).

    Every point above the cost weight 9/5 is degenerate (see the comment above ONE_D); each
    ring must sit on one of them and rings of one row must not touch, so the Reject squares
    at probability 1 show between them.
    """
    path = "weights.us.diversification_cost"
    result = sweep(load("rare-earth"), Grid((Axis.linspace(path, 0, 3, 121),)))
    degenerate = {r[path] for r in result.rows if r["degenerate"]}
    assert min(degenerate) == 1.8  # 9/5 and above
    figure = strategy_plot(result)
    ax = figure.axes[0]
    drawn = [c for c in ax.collections if isinstance(c, PathCollection) and len(c.get_offsets())]
    black = [c for c in drawn if to_hex(c.get_edgecolor()[0]) == "#000000"]  # the rings
    assert black
    width = ax.get_position().width * figure.get_size_inches()[0] * 72
    points_per_unit = width / (ax.get_xlim()[1] - ax.get_xlim()[0])
    for collection in black:
        diameter = math.sqrt(float(collection.get_sizes()[0]))
        assert diameter < 13  # smaller than on a coarse grid: they shrink with the markers
        offsets = np.asarray(collection.get_offsets())
        assert {float(x) for x in offsets[:, 0]} <= degenerate
        for y in set(offsets[:, 1]):
            xs = np.sort(offsets[offsets[:, 1] == y, 0])
            assert (np.diff(xs) * points_per_unit > diameter).all()  # rings do not touch
    reject = next(c for c in black if len(c.get_offsets()) > 1 and 1.0 in c.get_offsets()[:, 1])
    assert len(reject.get_offsets()) >= 10  # Reject at 1: still a ring every few points
    coarse = degenerate_rings([0.0, 0.5, 1.0], [1.0, 1.0, 1.0], [False, True, True], 350, 9.5)
    assert (coarse.x, coarse.block, coarse.size) == ((0.5, 1.0), 1, 13.0)  # each point ringed
