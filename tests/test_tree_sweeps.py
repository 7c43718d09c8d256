"""Sweeps of game trees: rows, regimes, prior thresholds, folders and plots (issues 10, 11)."""

from __future__ import annotations

import csv
import json
import re
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from negotiation.cli.app import main
from negotiation.errors import LimitError, OutputError, ScenarioError
from negotiation.model.catalogue import load_tree
from negotiation.model.tree import TreeScenario
from negotiation.model.types import tree_from_string
from negotiation.output import report, results, tree_results, tree_sweep_plots
from negotiation.solvers.pbe import prior_thresholds, regime, solve_pbe
from negotiation.solvers.spe import solve_spe
from negotiation.studies.sweep import Axis, Grid
from negotiation.studies.tree_sweep import SEPARATOR, columns, regime_numbers, sweep_tree

CHINA = "weights.russia.china_relations"

#: The Kreps-Wilson trust game with an honest type, as in prior_thresholds' doctest: the
#: truster trusts iff 10 p - 5 (1 - p) >= 0, i.e. iff P(honest) >= 1/3 (by hand; Kreps and
#: Wilson, "Reputation and imperfect information", J. Econ. Theory 27, 1982).
TRUST = """
name = "trust"
[[players]]
id = "truster"
[[players]]
id = "trustee"
[types.trustee]
honest = 0.5
opportunist = "rest"
[tree]
player = "truster"
out = { payoffs = { truster = 0, trustee = 0 } }
[tree.trust]
player = "trustee"
honor = { payoffs = { truster = 10, trustee = { honest = 10, opportunist = 10 } } }
abuse = { payoffs = { truster = -5, trustee = { honest = 5, opportunist = 15 } } }
"""


def grid(*specs: str) -> Grid:
    """A grid from --param specs."""
    return Grid(tuple(Axis.parse_range(s) for s in specs))


def leaves(text: str) -> tuple[str, str, str]:
    """``LEAF=PROB`` split at its last ``=``."""
    return text.rpartition("=")


def read_csv(folder: Path) -> list[dict[str, str]]:
    """results.csv as dicts of text."""
    with open(folder / results.RESULTS, newline="") as handle:
        return list(csv.DictReader(handle))


def test_rows_match_solve_spe_at_every_point(tmp_path: Path) -> None:
    """Each point's rows are the SPE that solve_spe finds on the tree rebuilt at that value."""
    tree = load_tree("rare-earth-sequential")
    sweep_grid = grid(f"{CHINA}=0:2:9")
    tree_results.run(tree, sweep_grid, tmp_path / "s")
    rows = read_csv(tmp_path / "s")
    assert list(rows[0]) == columns([CHINA], ["us", "russia"], pbe=False)
    by_point: dict[int, list[dict[str, str]]] = {}
    for row in rows:
        by_point.setdefault(int(row["point"]), []).append(row)
    assert sorted(by_point) == list(range(9))
    for point, found in by_point.items():
        value = sweep_grid.point(point)[0]
        solution = solve_spe(tree.with_overrides({CHINA: value}))
        expected = sorted(
            (
                tuple(float(x) for x in spe.payoffs),
                {tree.nodes[v].id: float(p) for v, p in spe.outcome},
                spe.path,
            )
            for spe in solution.equilibria
        )
        got = sorted(
            (
                (float(r["payoff.us"]), float(r["payoff.russia"])),
                {leaf: float(p) for leaf, _, p in map(leaves, r["outcome"].split(";"))},
                r["path"],
            )
            for r in found
        )
        assert got == expected
        assert {r["ties"] for r in found} == {"true" if solution.ties else "false"}
        assert [int(r["equilibrium"]) for r in found] == list(range(len(found)))
        assert all(float(r[CHINA]) == float(value) for r in found)


def test_ties_at_china_weight_1_are_one_regime_of_both_paths(tmp_path: Path) -> None:
    """At Russia's China weight 1 both answers are SPE: one regime, the sorted set of both."""
    result = tree_results.run(
        load_tree("rare-earth-sequential"), grid(f"{CHINA}=0:2:5"), tmp_path / "s"
    )
    labels = result.regimes().labels
    assert len(labels) == 3
    tie = labels[1]
    assert tie.split(SEPARATOR) == sorted(tie.split(SEPARATOR))
    assert len(tie.split(SEPARATOR)) == 2
    (change,) = result.change_points()
    assert (change.low, change.high, change.flag) == (1.0, 1.0, "ties")
    summary = json.loads((tmp_path / "s" / results.SUMMARY).read_text())
    assert summary["kind"] == "tree"
    assert summary["labelled_by"] == "subgame_perfect"
    assert summary["ties"] == {"count": 1, "points": [[2, 2]]}
    assert summary["change_points"][0]["low"] == {"index": 2, "exact": "1", "value": 1.0}
    assert summary["thresholds"] is None


def test_pbe_column_is_the_regime_of_solve_pbe_at_each_point(tmp_path: Path) -> None:
    """A signalling tree's rows carry regime(solve_pbe(tree at the point, nash=False))."""
    tree = load_tree("beer-quiche")
    sweep_grid = Grid((Axis.parse_values("types.sender.strong=1/4,3/5,9/10"),))
    result = sweep_tree(tree, sweep_grid, thresholds=False)
    assert result.pbe
    for point, rows in result.points().items():
        value = sweep_grid.point(point)[0]
        expected = regime(solve_pbe(tree.with_overrides({"types.sender.strong": value}),
                                    nash=False))  # fmt: skip
        assert {r["pbe"] for r in rows} == {expected}


def test_trust_prior_threshold_is_one_third_exactly(tmp_path: Path) -> None:
    """The Kreps-Wilson trust game's threshold P(honest) = 1/3 is found exactly (by hand)."""
    tree = tree_from_string(TRUST)
    tree_results.run(tree, grid("types.trustee.honest=0:1:11"), tmp_path / "t")
    summary = json.loads((tmp_path / "t" / results.SUMMARY).read_text())
    inside = [t for t in summary["thresholds"] if 0 < t["value"]["value"] < 1]
    assert [(t["exact"], t["value"]["exact"]) for t in inside] == [(True, "1/3")]
    assert inside[0]["low"] == inside[0]["high"] == {"exact": "1/3", "value": 1 / 3}
    manifest = json.loads((tmp_path / "t" / results.MANIFEST).read_text())
    assert manifest["kind"] == "tree"
    assert manifest["thresholds"] == summary["thresholds"]


def test_beer_quiche_threshold_is_one_half_exactly() -> None:
    """Beer-Quiche: the receiver spares a pooling sender iff P(strong) >= 1/2 (Cho-Kreps 1987 II).

    The receiver gets 1 for dueling a weak sender or sparing a strong one, so it is
    indifferent at P(strong) = 1/2; pooling without a duel needs P(strong) >= 1/2.
    """
    result = sweep_tree(load_tree("beer-quiche"), grid("types.sender.strong=0:1:11"))
    assert result.thresholds is not None
    inside = [t for t in result.thresholds if 0 < t["value"]["value"] < 1]
    assert [t["value"]["exact"] for t in inside] == ["1/2"]
    change = next(c for c in result.change_points() if c.at_grid_point)
    assert (change.low, change.flag) == (0.5, "exact threshold")


def test_trap_thresholds_equal_prior_thresholds_on_the_whole_grid(tmp_path: Path) -> None:
    """Passing only the values around each change finds the thresholds the whole grid gives."""
    tree = load_tree("rare-earth-trap", [("weights.us.supply_security", 40)])
    values = ["0.7", "0.8", "0.9"]
    result = sweep_tree(tree, Grid((Axis.parse_values("types.russia.trap=" + ",".join(values)),)))
    whole = prior_thresholds(tree, "types.russia.trap", values)
    assert result.thresholds is not None
    assert [t["value"]["exact"] for t in result.thresholds] == [str(t.value) for t in whole]
    assert len(result.thresholds) >= 1


def test_resume_after_an_interruption_gives_identical_bytes(tmp_path: Path) -> None:
    """A sweep stopped after 4 points and resumed writes the same results.csv as one run."""
    tree = load_tree("rare-earth-sequential")
    sweep_grid = grid("weights.us.supply_security=0:10:6", f"{CHINA}=0:2:5")
    tree_results.run(tree, sweep_grid, tmp_path / "whole")

    def stop(done: int, total: int) -> None:
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(results.SweepInterrupted):
        tree_results.run(tree, sweep_grid, tmp_path / "cut", progress=stop, save_every=0)
    manifest = json.loads((tmp_path / "cut" / results.MANIFEST).read_text())
    assert manifest["status"] == "interrupted"
    assert 0 < manifest["points_done"] < 30
    reused: list[int] = []
    tree_results.run(
        tree, sweep_grid, tmp_path / "cut", resume=True, resumed=lambda r, t: reused.append(r)
    )
    assert reused == [manifest["points_done"]]
    whole = (tmp_path / "whole" / results.RESULTS).read_bytes()
    assert (tmp_path / "cut" / results.RESULTS).read_bytes() == whole
    again = tree_results.read(tmp_path / "cut")
    assert len(again.rows) == whole.count(b"\n") - 1


def test_resume_refuses_another_grid(tmp_path: Path) -> None:
    """--resume with a different grid is refused, naming the manifest key."""
    tree = load_tree("entry")
    tree_results.run(tree, grid("tree.out.payoffs.entrant=0:2:3"), tmp_path / "s")
    with pytest.raises(OutputError, match="grid"):
        tree_results.run(tree, grid("tree.out.payoffs.entrant=0:2:5"), tmp_path / "s", resume=True)


def test_damaged_rows_are_refused_with_their_line(tmp_path: Path) -> None:
    """A swept value off the grid, or a leaf the tree lacks, is named by line on read-back."""
    tree_results.run(load_tree("entry"), grid("tree.out.payoffs.entrant=0:2:3"), tmp_path / "s")
    path = tmp_path / "s" / results.RESULTS
    good = path.read_text()
    path.write_text(good.replace("\n1,1.0,", "\n1,1.5,", 1))
    with pytest.raises(OutputError, match=r"line 3.*grid's value"):
        tree_results.read(tmp_path / "s")
    path.write_text(good.replace("tree.in.accommodate=1", "tree.nowhere=1", 1))
    with pytest.raises(OutputError, match="outcome"):
        tree_results.read(tmp_path / "s")


def _damage(threshold: dict[str, Any], key: str, value: object) -> None:
    """Set (or, for ``...``, remove) one key of a stored threshold."""
    if value is ...:
        threshold.pop(key)
    else:
        threshold[key] = value


@pytest.mark.parametrize(
    ("key", "value", "expected"),
    [
        ("before", ..., "thresholds[0].before: missing"),
        ("at", 7, "thresholds[0].at: expected text, got 7"),
        ("exact", 1, "thresholds[0].exact: expected true or false, got 1"),
        ("low", None, "thresholds[0].low: expected an object, got None"),
        ("value", ..., "thresholds[0].value: missing"),
        ("value", None, "thresholds[0].value: expected an object (the threshold is exact)"),
        ("value", {"exact": "x", "value": 0.5}, 'thresholds[0].value.exact: expected an exact '
         'number such as "3" or "-1/20"'),
        ("value", {"exact": "1/2"}, "thresholds[0].value.value: expected a finite number"),
    ],
)  # fmt: skip
def test_damaged_thresholds_are_refused_by_plot(
    tmp_path: Path, key: str, value: object, expected: str
) -> None:
    """`plot` on a PBE sweep whose stored thresholds are damaged exits 2 naming the key (F3).

    Fuzz finding F3 (R3): these exited 1 with a KeyError or TypeError from the plot code.
    """
    tree = load_tree("beer-quiche")
    folder = tmp_path / "bq"
    tree_results.run(tree, grid("types.sender.strong=0:1:4"), folder)
    path = folder / results.MANIFEST
    manifest = json.loads(path.read_text())
    assert manifest["thresholds"][0]["exact"] is True
    _damage(manifest["thresholds"][0], key, value)
    path.write_text(json.dumps(manifest))
    outcome = CliRunner().invoke(main, ["plot", str(folder)])
    assert outcome.exit_code == 2
    assert outcome.stderr == f"Error: {path}: {expected}\n"


def test_damaged_overrides_of_a_tree_sweep_are_refused(tmp_path: Path) -> None:
    """A tree sweep's manifest whose "overrides" is not a list is refused naming it (F2)."""
    folder = tmp_path / "s"
    tree_results.run(load_tree("entry"), grid("tree.out.payoffs.entrant=0:2:3"), folder)
    path = folder / results.MANIFEST
    manifest = json.loads(path.read_text())
    manifest["overrides"] = None
    path.write_text(json.dumps(manifest))
    with pytest.raises(OutputError, match=r"overrides: expected a list of \{path, exact\}"):
        tree_results.read(folder)


def test_a_matrix_reader_refuses_a_tree_folder(tmp_path: Path) -> None:
    """results.read on a tree sweep says it is a tree sweep (kind), not a cryptic key."""
    tree_results.run(load_tree("entry"), grid("tree.out.payoffs.entrant=0:2:3"), tmp_path / "s")
    with pytest.raises(OutputError, match="game tree"):
        results.read(tmp_path / "s")


def test_bad_path_and_pbe_limit_fail_before_the_folder(tmp_path: Path) -> None:
    """A path that is no number of the tree, or a PBE sweep past its limit, creates nothing."""
    with pytest.raises(ScenarioError, match=r"tree\.nothing"):
        tree_results.run(load_tree("entry"), grid("tree.nothing=0:1:3"), tmp_path / "a")
    with pytest.raises(LimitError, match=r"limit of 1,000"):
        tree_results.run(
            load_tree("beer-quiche"),
            grid("types.sender.strong=0:1:41", "tree.beer.duel.payoffs.receiver.weak=0:2:41"),
            tmp_path / "b",
        )
    assert not (tmp_path / "a").exists()
    assert not (tmp_path / "b").exists()


def test_strip_segments_follow_the_exact_thresholds() -> None:
    """The 1-D strip changes regime exactly at 1/3; regimes of a threshold alone get a bar.

    At 1/3 the truster is indifferent (it mixes), at priors 0 and 1 one type has prior 0.
    """
    result = sweep_tree(tree_from_string(TRUST), grid("types.trustee.honest=0:1:4"))
    segments = tree_sweep_plots.strip_segments(result)
    assert segments is not None
    ends = [(lo, hi) for lo, hi, _ in segments.segments]
    assert ends[0] == (0.0, 1 / 3)
    assert ends[1][0] == 1 / 3
    assert [x for x, _ in segments.points] == [0.0, 1 / 3, 1.0]
    fig = tree_sweep_plots.tree_sweep_plot(result)
    assert len(fig.axes) == 2


def test_regime_map_hatches_ties_in_the_colours_of_both_paths() -> None:
    """A tie regime of two paths is filled with one path's colour and striped with the other's."""
    result = sweep_tree(
        load_tree("rare-earth-sequential"),
        grid("weights.us.supply_security=0:10:5", f"{CHINA}=0:2:5"),
    )
    data = tree_sweep_plots.regime_grid(result)
    colours = tree_sweep_plots.part_colours(result)
    styles = tree_sweep_plots.regime_styles(data.labels, colours)
    for label, style in zip(data.labels, styles, strict=True):
        members = label.split(SEPARATOR)
        assert style.face == colours[members[0]]
        assert [c for _, c in style.hatches] == [colours[m] for m in members[1:]]
    assert bool(data.ties[:, 2].all())  # China weight 1: both of Russia's answers tie
    assert Fraction(1) == Fraction(result.exact[1][2])


#: A threat no belief makes credible (as in Mas-Colell, Whinston and Green 1995, example
#: 9.C.1, with other numbers): b plays l at its information set whatever it believes (1 > 0
#: after left, 2 > 1 after right), so the one perfect Bayesian equilibrium is left, l,
#: paying (2, 1); but the tree has no proper subgame, so (out, r) is subgame perfect too
#: (a's out pays 1/2 or 1 on the grid, above the 0 that left and right pay against r), with
#: b's payoff 3.
THREAT = """
name = "threat"
[[players]]
id = "a"
[[players]]
id = "b"
[tree]
player = "a"
out = { payoffs = { a = 1, b = 3 } }
[tree.left]
player = "b"
infoset = "h"
l = { payoffs = { a = 2, b = 1 } }
r = { payoffs = { a = 0, b = 0 } }
[tree.right]
player = "b"
infoset = "h"
l = { payoffs = { a = 0, b = 2 } }
r = { payoffs = { a = 0, b = 1 } }
"""


def test_pbe_sweep_plot_names_subgame_perfect_payoffs_and_pbe_regimes() -> None:
    """A PBE sweep's y-axis says the payoffs are subgame perfect and the regimes PBE.

    The drawn payoffs include b's 3 from (out, r), subgame perfect but no PBE (see THREAT),
    so the axis must not call them perfect Bayesian; a plain sweep's axis stays as it was.
    """
    threat = sweep_tree(TreeScenario.from_string(THREAT), grid("tree.out.payoffs.a=0.5:1:2"))
    assert threat.pbe
    assert {row["pbe"] for row in threat.rows} == {"equilibrium: a chooses left; b chooses l"}
    xs, ys = tree_sweep_plots.payoff_points(threat)["b"]
    assert sorted(zip(xs, ys, strict=True)) == [(0.5, 1.0), (0.5, 3.0), (1.0, 1.0), (1.0, 3.0)]
    top, strip = tree_sweep_plots.tree_sweep_plot(threat).axes[:2]
    assert top.get_ylabel().replace("\n", " ") == tree_sweep_plots.PBE_SWEEP_YLABEL
    assert "subgame-perfect" in tree_sweep_plots.PBE_SWEEP_YLABEL
    assert "perfect Bayesian" in tree_sweep_plots.PBE_SWEEP_YLABEL
    assert strip.get_ylabel() == "regime"
    plain = sweep_tree(load_tree("rare-earth-sequential"), grid(f"{CHINA}=0:2:3"))
    assert not plain.pbe
    top = tree_sweep_plots.tree_sweep_plot(plain).axes[0]
    assert top.get_ylabel().replace("\n", " ") == "payoff in subgame-perfect equilibrium"


def test_console_summary_json_and_plot_number_regimes_alike(tmp_path: Path) -> None:
    """R1, R2, ... name the same regimes, in the same order, in all three outputs (review R2).

    Beer-Quiche's PBE regimes are long (over 200 characters), so the console lists them once
    as numbers; summary.json and the payoff plot's legend and strip must use those numbers.
    """
    tree = load_tree("beer-quiche")
    result = tree_results.run(tree, grid("types.sender.strong=0:1:5"), tmp_path / "bq")
    console = report.tree_sweep_summary(result, tmp_path / "bq", [])
    listed = re.findall(r"^  (R\d+): (.*)$", console, flags=re.MULTILINE)
    numbers = regime_numbers(result)
    assert listed == [(n, label) for label, n in numbers.items()]
    assert [n for n, _ in listed] == [f"R{k}" for k in range(1, len(listed) + 1)]
    assert len(listed) >= 3  # the grid's regimes and the one at the threshold 1/2
    for t in result.thresholds or ():  # every regime a threshold names has a number
        assert {t["before"], t["at"], t["after"]} <= set(numbers)
    summary = json.loads((tmp_path / "bq" / results.SUMMARY).read_text())
    assert [(r["number"], r["label"]) for r in summary["regime_numbers"]] == listed
    assert all(r["number"] == numbers[r["label"]] for r in summary["regimes"])
    figure = tree_sweep_plots.tree_sweep_plot(result)
    legend = [t.get_text().replace("\n", " ") for t in figure.legends[0].get_texts()]
    drawn = [text.split(": ", 1)[0] for text in legend]
    assert drawn == sorted(drawn, key=lambda n: int(n[1:]))  # in R order
    for text in legend:
        n, label = text.split(": ", 1)
        assert label == " ".join(numbers_label(numbers, n).split())  # wrapped, same words
    strip = figure.axes[1]
    assert {t.get_text() for t in strip.texts} == set(drawn)  # each drawn regime named


def numbers_label(numbers: dict[str, str], number: str) -> str:
    """The regime label that ``numbers`` numbers ``number``."""
    return next(label for label, n in numbers.items() if n == number)


def test_tree_sweep_headings_use_the_scenarios_words_and_whole_phrases() -> None:
    """The subtitle names the criterion by its label; the title breaks at its question mark.

    rare-earth-trap's title is 97 characters: wrapped at 90 it used to end "(March" / "2025)".
    """
    trap = load_tree("rare-earth-trap")
    labels = tree_sweep_plots.tree_labels(
        trap, ["types.russia.trap"], [("weights.us.supply_security", "40")]
    )
    assert labels.subtitle == "with United States weight on supply security = 40"
    assert labels.xlabel == "P(Russia's type is 'trap')"
    result = sweep_tree(tree_from_string(TRUST), grid("types.trustee.honest=0:1:3"))
    title = tree_sweep_plots.tree_sweep_plot(result, labels).axes[0].get_title()
    assert title.split("\n")[:3] == [
        "Is Russia's rare-earth offer a trap?",
        "The sequential game with Russia's type unknown (March 2025)",
        "with United States weight on supply security = 40",
    ]


@pytest.mark.parametrize("redeliver", [True, False])
def test_a_signal_during_a_save_waits_for_its_end(redeliver: bool) -> None:
    """A SIGTERM inside a save reaches the old handler after it (or never); handlers return."""
    import signal

    from negotiation.output.results import _signals_deferred

    seen: list[str] = []

    def handler(signum: int, frame: object) -> None:
        seen.append(f"handler {signum}")

    before = signal.signal(signal.SIGTERM, handler)
    try:
        with _signals_deferred(redeliver=redeliver):
            signal.raise_signal(signal.SIGTERM)
            seen.append("save done")
        assert signal.getsignal(signal.SIGTERM) is handler
        assert signal.getsignal(signal.SIGINT) is signal.default_int_handler
    finally:
        signal.signal(signal.SIGTERM, before)
    expected = ["save done", f"handler {int(signal.SIGTERM)}"] if redeliver else ["save done"]
    assert seen == expected
