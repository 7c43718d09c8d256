"""summary.json: regimes, change points with exact values, degenerate points, axis words."""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from negotiation import load
from negotiation.cli import main
from negotiation.output.results import SUMMARY, SweepInterrupted, read, run, write_summary
from negotiation.studies.summary import (
    path_label,
    point_regimes,
    regime_counts,
    runs,
    summary_document,
)
from negotiation.studies.sweep import Axis, Grid, SweepResult, regimes, sweep

SUPPLY = "weights.us.supply_security"
COST = "weights.us.diversification_cost"


def _document(grid: Grid, name: str = "rare-earth") -> tuple[SweepResult, dict[str, Any]]:
    result = sweep(load(name), grid)
    return result, summary_document(result, [a.values for a in grid.axes])


def test_a_threshold_on_the_grid_is_reported_exactly() -> None:
    """The rare-earth change sits at diversification-cost weight exactly 9/5, a grid point.

    Known answer (games/rare_earth.toml, by hand): against the full offer rejecting pays the US
    0.8 x (-1/4) = -1/5 and diversifying 1 + 0.8 x 3/4 - c = 8/5 - c, equal at c = 9/5
    (docs/explanation/sweeps-and-thresholds.md).
    """
    _, doc = _document(Grid((Axis.linspace(COST, 0, 3, 121),)))
    (change,) = doc["change_points"]
    assert change["at_grid_point"] is True
    assert change["low"] == change["high"] == {"index": 72, "exact": "9/5", "value": 1.8}
    assert (change["before"], change["after"]) == ("Diversify / Full offer", "Reject / Full offer")
    # 9/5 and every cost above it are degenerate: against no offer, accepting and rejecting are
    # the same act (payoff 0 each), and both beat diversifying (9/5 - c) there.
    assert doc["degenerate"] == {"count": 49, "points": [[72, 120]]}


def test_a_threshold_between_grid_values_is_an_exact_interval() -> None:
    """0:3:12 steps by 3/11 and misses 9/5: the change lies between 18/11 and 21/11, exactly."""
    _, doc = _document(Grid((Axis.linspace(COST, 0, 3, 12),)))
    (change,) = doc["change_points"]
    assert change["at_grid_point"] is False
    assert change["low"] == {"index": 6, "exact": "18/11", "value": 18 / 11}
    assert change["high"] == {"index": 7, "exact": "21/11", "value": 21 / 11}
    low, high = Fraction(change["low"]["exact"]), Fraction(change["high"]["exact"])
    assert low < Fraction(9, 5) < high


def test_regimes_cover_every_point_once_and_match_the_sweep() -> None:
    """Regime counts are regimes()'s, and their runs of points partition the whole grid."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 31), Axis.linspace(COST, 0, 3, 31)))
    result, doc = _document(grid)
    listed = doc["regimes"]
    assert {r["label"]: r["count"] for r in listed} == regimes(result)
    assert [r["label"] for r in listed] == list(regimes(result))
    covered = sorted(
        p for r in listed for first, last in r["points"] for p in range(first, last + 1)
    )
    assert covered == list(range(len(grid)))
    assert sum(r["degenerate"] for r in listed) == doc["degenerate"]["count"]
    assert doc["change_points"] is None  # only 1-D sweeps have change points
    assert doc["points_total"] == doc["points_solved"] == 961


def test_regime_bounds_and_supports_are_those_of_its_points() -> None:
    """Each regime's bounds are its points' extreme grid values; supports name strategies."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 13), Axis.linspace(COST, 0, 3, 7)))
    result, doc = _document(grid)
    contents = point_regimes(result)
    for regime in doc["regimes"]:
        mine = [p for p, c in contents.items() if c.label == regime["label"]]
        for axis, bound in enumerate(regime["bounds"]):
            values = [grid.point(p)[axis] for p in mine]
            assert Fraction(bound["low"]["exact"]) == min(values)
            assert Fraction(bound["high"]["exact"]) == max(values)
    reject = next(r for r in doc["regimes"] if r["label"] == "Reject / Full offer")
    assert reject["equilibria"] == [
        {"pure": True, "support": {"us": ["reject"], "russia": ["full"]}}
    ]


def test_mixed_regimes_list_their_supports() -> None:
    """The inspection game's one mixed equilibrium lists both strategies of both players."""
    grid = Grid((Axis.linspace("weights.target.penalty", 1, 9, 3),))
    _, doc = _document(grid, "inspection-criteria")
    (regime,) = doc["regimes"]
    assert regime["label"] == "comply+violate / enforce+ignore (mixed)"
    assert regime["equilibria"] == [
        {
            "pure": False,
            "support": {"target": ["comply", "violate"], "sender": ["enforce", "ignore"]},
        }
    ]
    assert doc["change_points"] == []


def test_regime_counts_agree_with_the_sweep_module() -> None:
    """The cached regime counts equal negotiation.studies.sweep.regimes, order included."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 21), Axis.linspace(COST, 0, 3, 21)))
    result = sweep(load("rare-earth"), grid)
    assert list(regime_counts(result).items()) == list(regimes(result).items())


def test_runs_join_consecutive_points() -> None:
    """Point numbers become [first, last] runs of consecutive numbers."""
    assert runs([]) == []
    assert runs([4]) == [[4, 4]]
    assert runs([0, 1, 2, 4, 5, 9]) == [[0, 2], [4, 5], [9, 9]]


@pytest.mark.parametrize(
    ("path", "words"),
    [
        ("weights.us.supply_security", "United States weight on supply security"),
        ("weights.us.sanctions", "United States weight on sanctions relief"),
        (
            "criteria.sanctions.scores[accept][full]",
            "Sanctions relief score of (Accept, Full offer)",
        ),
        (
            "criteria.legitimacy.scores[2][1]",
            "International law score of (Diversify, Limited offer)",
        ),
        ("weights.nobody.sanctions", "weights.nobody.sanctions"),
        ("not a path", "not a path"),
    ],
)
def test_paths_in_words(path: str, words: str) -> None:
    """Swept paths are named with the scenario's player, criterion and strategy labels."""
    scenario = load("rare-earth")
    players = [(p.id, p.strategy_ids, p.label, p.strategy_labels) for p in scenario.players]
    criteria = {c.id: c.label for c in scenario.criteria}
    assert path_label(path, players, criteria) == words


def test_run_writes_the_summary_with_words_and_overrides(tmp_path: Path) -> None:
    """A finished run writes summary.json naming the scenario, its axes in words and --set."""
    scenario = load("rare-earth", {SUPPLY: "2"})
    grid = Grid((Axis.linspace(COST, 0, 3, 13),))
    run(scenario, grid, tmp_path, overrides=[(SUPPLY, Fraction(2))])
    doc = json.loads((tmp_path / SUMMARY).read_text())
    assert doc["schema_version"] == 1
    assert doc["status"] == "complete"
    assert doc["scenario"]["name"] == "rare-earth"
    assert doc["axes"] == [
        {"path": COST, "label": "United States weight on diversification cost", "count": 13}
    ]
    assert doc["overrides"] == [{"path": SUPPLY, "value": 2.0, "exact": "2"}]
    # With supply weighing 2 the US stops diversifying against the full offer where
    # 2 + 0.8 x 3/4 - c < 0.8 x (-1/4), i.e. c > 14/5 (by hand from games/rare_earth.toml).
    (change,) = doc["change_points"]
    assert (change["low"]["exact"], change["high"]["exact"]) == ("11/4", "3")


def test_plot_writes_the_summary_of_an_interrupted_sweep(tmp_path: Path) -> None:
    """An interrupted folder has no summary; `plot` writes one saying how far it got."""

    def stop(done: int, total: int) -> None:
        if done == 5:
            raise KeyboardInterrupt

    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 13),))
    with pytest.raises(SweepInterrupted):
        run(load("rare-earth"), grid, tmp_path, progress=stop, solver="per-game")
    assert not (tmp_path / SUMMARY).exists()
    result = CliRunner().invoke(main, ["plot", str(tmp_path)])
    assert result.exit_code == 0, result.output
    doc = json.loads((tmp_path / SUMMARY).read_text())
    assert (doc["status"], doc["points_solved"], doc["points_total"]) == ("interrupted", 5, 13)


def test_sweep_format_json_prints_the_summary_file(tmp_path: Path) -> None:
    """`sweep --format json` prints exactly summary.json and nothing else on stdout."""
    out = tmp_path / "s"
    args = ["sweep", "rare-earth", "--param", f"{COST}=0:3:13", "--out", str(out)]
    result = CliRunner().invoke(main, [*args, "--format", "json"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (out / SUMMARY).read_text()
    assert json.loads(result.stdout)["change_points"][0]["low"]["exact"] == "7/4"


def test_force_removes_the_old_summary(tmp_path: Path) -> None:
    """A sweep replaced with --force leaves no summary of the old sweep behind."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 13),))
    run(load("rare-earth"), grid, tmp_path)
    before = (tmp_path / SUMMARY).read_text()

    def stop(done: int, total: int) -> None:
        raise KeyboardInterrupt

    other = Grid((Axis.linspace(SUPPLY, 0, 3, 4),))
    with pytest.raises(SweepInterrupted):
        run(load("rare-earth"), other, tmp_path, progress=stop, force=True)
    assert not (tmp_path / SUMMARY).exists()
    write_summary(tmp_path, read(tmp_path))
    assert (tmp_path / SUMMARY).read_text() != before
