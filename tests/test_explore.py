"""Uncertainty studies: known answers, exactness of every draw, determinism, folders."""

from __future__ import annotations

import json
import math
import signal
import sys
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from negotiation import load, solve_exact
from negotiation.errors import OutputError, ScenarioError, UserError
from negotiation.model.scenario import Scenario
from negotiation.output import explore_folder
from negotiation.output.results import SignalInterrupt
from negotiation.studies.explore import (
    Study,
    analyse,
    chunk_ranges,
    compute_chunk,
    explore,
    local_cluster,
    plan,
    wilson,
)
from negotiation.studies.sampling import Distribution, unit_points
from negotiation.studies.sweep import Axis, Grid, player_info, regime_label, regimes, sweep
from negotiation.studies.uncertainty import load_study, read, study_from_table

SMAA_TWO = """
name = "smaa-two"
[[players]]
id = "dm"
label = "Decision maker"
strategies = [{ id = "first", label = "First" }, { id = "second", label = "Second" }]
[[players]]
id = "nature"
strategies = ["only"]
[criteria.c1]
scores = [[2], [0]]
[criteria.c2]
scores = [[0], [1]]
[weights.dm]
c1 = 1
c2 = 1
[weights.nature]
"""

# Two payoffs of the row player in column x are 0.1 and 0.1 + 1e-22: equal as floats.
FLOAT_TIE = """
name = "float-tie"
[[players]]
id = "row"
strategies = ["a", "b"]
[[players]]
id = "col"
strategies = ["x", "y"]
[criteria.k]
scores = [[0.1, 0], [0.1000000000000000000001, 1]]
[criteria.j]
scores = [[1, 0], [0, 1]]
[weights.row]
k = 1
[weights.col]
j = 1
"""


def _shares(summary: dict[str, object]) -> dict[str, float]:
    return {r["label"]: r["share"] for r in summary["regimes"]}  # type: ignore[attr-defined]


def _within(summary: dict[str, object], label: str, value: float) -> bool:
    regime = next(r for r in summary["regimes"] if r["label"] == label)  # type: ignore[attr-defined]
    low, high = regime["ci95"]
    return bool(low <= value <= high)


# --------------------------------------------------------------------------- known answers


def test_rare_earth_us_stops_diversifying_in_two_fifths_of_cost_weights() -> None:
    """Rare-earth with diversification cost c ~ U(0, 3): the US rejects in 2/5 of the draws.

    By hand from games/rare_earth.toml at the default weights: Russia's full offer strictly
    dominates (against accept, reject, diversify it pays 4, 1/8, -7/8; the limited offer
    15/8, 0, -1; no offer 0, 0, -1). Against it the US's two payoff lines are reject =
    0.8 x (-1/4) = -1/5 and diversify = 1 + 0.8 x 3/4 - c = 8/5 - c (accept, -73/20, is
    below both), so the US stops diversifying exactly when c > 9/5, and U(0, 3) gives
    (3 - 9/5) / 3 = 2/5. Every draw above 9/5 is degenerate (against no offer, accepting and
    rejecting are the same act, payoff 0 each), so the degenerate share is the reject share.
    The Wilson interval of 20,000 draws covers 2/5.
    """
    study = Study(
        load("rare-earth"),
        vary=["weights.us.diversification_cost=uniform:0:3"],
        samples=20_000,
        seed=11,
        analysis_samples=2048,
        confidence_samples=0,
    )
    summary = explore(study).summary
    assert set(_shares(summary)) == {"Reject / Full offer", "Diversify / Full offer"}
    assert _within(summary, "Reject / Full offer", 2 / 5)
    assert (
        summary["strategies"]["us"]["reject"]["played"] == _shares(summary)["Reject / Full offer"]
    )
    assert sum(_shares(summary).values()) == pytest.approx(1)
    assert summary["degenerate"] == _shares(summary)["Reject / Full offer"]


def test_inspection_mean_enforcement_is_the_integral_of_tsebelis_mix() -> None:
    """Penalty ~ U(5, 10): the sender enforces with mean probability (3/5) ln(13/8).

    With penalty P the sender enforces with probability 3/(3 + P) (the target must be
    indifferent: -P q + 3 (1 - q) = 0); the mean is (1/5) int_5^10 3/(3 + P) dP =
    (3/5) ln(13/8) = 0.291303. The estimate's standard error is sd/sqrt(N) with
    Var = E[9/(3+P)^2] - mean^2 = 9/104 - mean^2 (sd = 0.041); we allow 4 of them. The
    target's violation probability is 1/4 in every draw (the sender's indifference,
    -1 = -4 p): Tsebelis's paradox.
    """
    n = 20_000
    study = Study(
        load("inspection-criteria"),
        vary=["weights.target.penalty=uniform:5:10"],
        samples=n,
        seed=2,
        analysis_samples=2048,
        confidence_samples=0,
    )
    strategies = explore(study).summary["strategies"]
    mean = 0.6 * math.log(13 / 8)
    sd = math.sqrt(9 / 104 - mean**2)
    assert strategies["sender"]["enforce"]["mean_probability"] == pytest.approx(
        mean, abs=4 * sd / math.sqrt(n)
    )
    assert strategies["target"]["violate"]["mean_probability"] == 0.25


def test_smaa2_textbook_acceptability_central_weights_and_confidence() -> None:
    """SMAA-2's textbook case: acceptability 2/3 and 1/3, central weights, confidence 1.

    Two alternatives scoring (2, 0) and (0, 1), weights uniform on the simplex: the first
    is best when 2 w1 > 1 - w1, i.e. w1 > 1/3, so its acceptability is 2/3 and the
    second's 1/3 (Lahdelma and Salminen 2001); central weights are the conditional means,
    w1 = (1/3 + 1)/2 = 2/3 and w1 = 1/6; only weights vary, so each confidence factor is
    whether the central weights pick the alternative: 1 for both.
    """
    scenario = Scenario.from_string(SMAA_TWO)
    study = Study(scenario, simplex=["dm"], samples=20_000, seed=4, analysis_samples=2048)
    summary = explore(study).summary
    assert _within(summary, "First / only", 2 / 3)
    assert _within(summary, "Second / only", 1 / 3)
    for regime in summary["regimes"]:
        central = regime["central_weights"]
        share_1 = central["weights.dm.c1"] / (central["weights.dm.c1"] + central["weights.dm.c2"])
        expected = 2 / 3 if regime["label"] == "First / only" else 1 / 6
        assert share_1 == pytest.approx(expected, abs=0.01)
        assert regime["confidence"] == 1.0


def test_two_dimensional_regime_areas_match_the_boundary_lines() -> None:
    """A 2-D study's regime shares equal the areas between the hand-drawn boundary lines.

    Rare-earth with supply security s ~ U(0, 6) and diversification cost d ~ U(0, 3), by
    hand from games/rare_earth.toml: Russia's full offer strictly dominates, and against it
    the US gets accept s/2 - 4.15, reject -0.2, diversify s + 0.6 - d. Accept never wins
    for s < 7.9; reject wins for d > s + 0.8 (area int_0^2.2 (2.2 - s) ds = 2.42 of 18,
    share 121/900); diversify the rest (779/900). (A third regime, accept, needs s > 7.9.)
    """
    study = Study(
        load("rare-earth"),
        vary=[
            "weights.us.supply_security=uniform:0:6",
            "weights.us.diversification_cost=uniform:0:3",
        ],
        samples=20_000,
        seed=8,
        analysis_samples=2048,
        confidence_samples=0,
    )
    summary = explore(study).summary
    expected = {
        "Reject / Full offer": 121 / 900,
        "Diversify / Full offer": 779 / 900,
    }
    assert set(_shares(summary)) == set(expected)
    for label, share in expected.items():
        assert _within(summary, label, share), (label, _shares(summary)[label], share)


def test_ishigami_indices_through_the_sensitivity_plumbing() -> None:
    """The sensitivity plumbing recovers the Ishigami function's known Sobol' indices.

    sin x1 + 7 sin^2 x2 + 0.1 x3^4 sin x1 on U(-pi, pi)^3 has first-order indices 0.3139,
    0.4424, 0 and total 0.5576, 0.4424, 0.2437 (Ishigami and Homma 1990; Sobol' and
    Levitan 1999); the Saltelli design of 8192 base points and SALib's estimator get
    within 0.02.
    """
    pi = Distribution.parse("uniform:-3.141592653589793:3.141592653589793")
    x = pi.ppf(unit_points("saltelli", 11, 3, 0, 8192 * 5))
    y = np.sin(x[:, 0]) + 7 * np.sin(x[:, 1]) ** 2 + 0.1 * x[:, 2] ** 4 * np.sin(x[:, 0])
    result = analyse(x, y, ["x1", "x2", "x3"], saltelli=True, seed=5)
    for name, s1, st in (("x1", 0.3139, 0.5576), ("x2", 0.4424, 0.4424), ("x3", 0.0, 0.2437)):
        assert result[name]["S1"] == pytest.approx(s1, abs=0.02)
        assert result[name]["ST"] == pytest.approx(st, abs=0.02)
    assert result["x3"]["pawn"] < result["x2"]["pawn"]


def test_wilson_interval_known_value() -> None:
    """Wilson's interval for 10 of 30 at 95% is [0.1923, 0.5122], and [0, 1] without draws.

    Computed by hand from Brown, Cai and DasGupta (2001), eq. 4.
    """
    low, high = wilson(10, 30)
    assert (round(low, 4), round(high, 4)) == (0.1923, 0.5122)
    assert wilson(0, 0) == (0.0, 1.0)


# --------------------------------------------------------------------------- exactness


def test_every_draw_gets_the_exact_solvers_regime() -> None:
    """Draw by draw, the regime equals the exact solver's on the draw's exact game.

    Weights, scores and decimals such as 0.1 (not floats) are all in play.
    """
    scenario = load("rare-earth")
    study = Study(
        scenario,
        scale=["weights.**=uniform:0:2", "criteria.alliance_cohesion.**=uniform:0.5:1.5"],
        vary=["criteria.supply_security.scores[diversify][full]=normal:0.5:0.3"],
        samples=300,
        seed=5,
    )
    resolved = plan(study)
    chunk = compute_chunk(resolved, 0, 300, keep=300)
    x = resolved.values(unit_points("mc", 5, resolved.dims, 0, 300))
    players = player_info(scenario)
    for g in range(300):
        solution = solve_exact(resolved.model.exact(x, g))
        rows = []
        for xs, ys in solution.equilibria:
            row: dict[str, object] = {}
            for (pid, sids, _, _), strategy in zip(players, (xs, ys), strict=True):
                row.update(
                    {f"prob.{pid}.{s}": float(p) for s, p in zip(sids, strategy, strict=True)}
                )
            row["pure"] = sum(p > 0 for p in xs) == 1 and sum(p > 0 for p in ys) == 1
            rows.append(row)
        assert chunk.labels[chunk.rows["regime"][g]] == regime_label(rows, players)


def test_float_payoffs_are_within_two_units_of_roundoff_of_the_exact_ones() -> None:
    """Every payoff not sent to the exact solver is within 2u |payoff| of the exact one.

    u = 2**-53; this is the contract the batched engine relies on.
    """
    study = Study(
        load("rare-earth"),
        scale=["**=uniform:0.5:1.5"],
        samples=200,
        seed=3,
    )
    resolved = plan(study)
    x = resolved.values(unit_points("mc", 3, resolved.dims, 0, 200))
    A, B, flagged = resolved.model.payoffs(x)
    for g in np.flatnonzero(~flagged):
        exact = resolved.model.exact(x, g)
        for floats, table in ((A[g], exact.A), (B[g], exact.B)):
            for r, c in np.ndindex(floats.shape):
                error = abs(Fraction(float(floats[r, c])) - table[r][c])
                assert error <= Fraction(2, 2**53) * abs(Fraction(float(floats[r, c])))


def test_equal_floats_that_are_not_equal_payoffs_go_to_the_exact_solver() -> None:
    """Equal floats that are different payoffs send their draws to the exact solver.

    Payoffs 0.1 w and (0.1 + 1e-22) w round to one float but differ, so b (better by
    1e-22 w) is the row player's choice in every draw.
    """
    study = Study(
        Scenario.from_string(FLOAT_TIE),
        vary=["weights.row.k=uniform:1:2"],
        samples=500,
        seed=1,
        analysis_samples=0,
        confidence_samples=0,
    )
    summary = explore(study).summary
    assert _shares(summary) == {"b / y": 1.0}
    assert summary["exact"] == 1.0
    assert summary["degenerate"] == 0.0


def test_degenerate_draws_are_labelled_as_sweeps_label_them() -> None:
    """Degenerate draws (the threshold 1 itself) are labelled exactly as a sweep labels them.

    Russia's weight on China relations w in {1/2, 1, 3/2}: against a diversifying US the full
    offer pays -3/4 - w/4 and no offer -1 (games/rare_earth.toml, by hand), equal at w = 1,
    where the game is degenerate with two equilibria; 1/2 and 3/2 are non-degenerate. (The
    US's threshold 9/5 is no float, so a float draw never lands on it.)
    """
    scenario = load("rare-earth")
    path = "weights.russia.china_relations"
    study = Study(
        scenario,
        vary=[f"{path}=choice:0.5,1,1.5"],
        samples=3000,
        seed=1,
        confidence_samples=0,
        analysis_samples=1024,
    )
    summary = explore(study).summary
    swept = regimes(sweep(scenario, Grid((Axis.parse_values(f"{path}=0.5,1,1.5"),))))
    assert set(_shares(summary)) == set(swept)
    degenerate = next(label for label in swept if label.startswith("2 equilibria"))
    assert summary["degenerate"] == _shares(summary)[degenerate]
    assert _within(summary, degenerate, 1 / 3)


# --------------------------------------------------------------------------- determinism


def _small_study(**changes: object) -> Study:
    settings: dict[str, object] = {
        "scale": ["weights.us.*=uniform:0:2"],
        "samples": 3000,
        "seed": 21,
        "analysis_samples": 1024,
        "confidence_samples": 128,
    }
    settings.update(changes)
    return Study(load("rare-earth"), **settings)  # type: ignore[arg-type]


def test_same_seed_same_bytes_whatever_the_chunk_size() -> None:
    """summary.json is byte-identical for any chunk size; another seed gives other bytes.

    Chunks of 1024, 2048 and 2500 (rounded up to 3072) draws.
    """
    study = _small_study()
    texts = {explore(study, chunk=c).to_json() for c in (1024, 2048, 2500)}
    assert len(texts) == 1
    assert explore(_small_study(seed=22), chunk=1024).to_json() not in texts


@pytest.mark.parametrize("sampler", ["sobol", "lhs", "saltelli"])
def test_same_bytes_whatever_the_chunk_size_for_every_design(sampler: str) -> None:
    """Quasi-random and Latin hypercube designs are chunk-independent too."""
    study = _small_study(sampler=sampler, samples=2500, confidence_samples=0)
    assert explore(study, chunk=1024).to_json() == explore(study, chunk=2048).to_json()


def test_same_bytes_in_process_and_on_a_two_worker_dask_cluster() -> None:
    """A 2-worker Dask LocalCluster gives the in-process bytes.

    The cluster uses threads so the test stays quick; ``workers=N`` starts processes.
    """
    distributed = pytest.importorskip(
        "distributed",
        reason="dask.distributed not installed: pip install 'negotiation[distributed]'",
    )
    study = _small_study()
    with local_cluster(2, processes=False) as cluster, distributed.Client(cluster) as client:
        on_dask = explore(study, chunk=1024, scheduler=client)
    assert on_dask.to_json() == explore(study, chunk=4096).to_json()


def test_dask_missing_says_how_to_install_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without Dask, asking for workers is a UserError naming the extra to install."""
    monkeypatch.setitem(sys.modules, "distributed", None)
    with pytest.raises(UserError, match=r"pip install 'negotiation\[distributed\]'"):
        explore(_small_study(samples=1000), workers=2)


def test_chunk_ranges_cover_the_draws_in_whole_blocks_around_finished_ones() -> None:
    """Ranges start on block boundaries, skip finished ranges and cover everything else."""
    assert chunk_ranges(5000, 2000) == [(0, 2048), (2048, 4096), (4096, 5000)]
    assert chunk_ranges(5000, 1024, skip=[(1024, 3072)]) == [
        (0, 1024),
        (3072, 4096),
        (4096, 5000),
    ]


# --------------------------------------------------------------------------- the summary


def test_summary_has_the_stable_keys_of_the_issue() -> None:
    """summary.json has every key issue 12 promises, with the promised types."""
    result = explore(_small_study())
    summary = json.loads(result.to_json())
    assert isinstance(summary["scenario"], str)
    assert (summary["samples"], summary["seed"], summary["sampler"]) == (3000, 21, "mc")
    assert {v["path"] for v in summary["vary"]} == {
        f"weights.us.{c}"
        for c in (
            "supply_security",
            "legitimacy",
            "alliance_cohesion",
            "russia_dependence",
            "diversification_cost",
            "russian_revenue",
        )
    }
    assert all(v["dist"] == "uniform:0:2" and v["kind"] == "scale" for v in summary["vary"])
    assert sum(r["share"] for r in summary["regimes"]) == pytest.approx(1)
    for regime in summary["regimes"]:
        assert regime["ci95"][0] <= regime["share"] <= regime["ci95"][1]
    for strategies in summary["strategies"].values():
        for entry in strategies.values():
            assert 0 <= entry["mean_probability"] <= entry["played"] <= 1
    assert 0 <= summary["degenerate"] <= 1
    assert summary["sensitivity"]
    for per_path in summary["sensitivity"].values():
        assert set(per_path) == {v["path"] for v in summary["vary"]}
        assert all(0 <= i["pawn"] <= 1 for i in per_path.values())
    assert summary["convergence"]["samples"] == [750, 1500, 3000]


def test_discovery_rules_read_in_words_with_coverage_and_density() -> None:
    """PRIM finds the diversification-cost threshold 9/5 and says it in words.

    'United States plays Reject when United States' weight on Diversification cost > 1.8',
    covering every rejection (threshold by hand in the known-answer test above).
    """
    study = Study(
        load("rare-earth"),
        vary=["weights.us.diversification_cost=uniform:0:3"],
        samples=8192,
        seed=3,
        analysis_samples=8192,
        confidence_samples=0,
    )
    rules = {r["target"]: r for r in explore(study).summary["rules"]}
    reject = rules["played.us.reject"]
    assert reject["text"] == (
        "United States plays Reject when United States' weight on Diversification cost > 1.8"
    )
    assert reject["coverage"] == 1.0
    assert reject["density"] > 0.99
    assert "regime:Reject / Full offer" in reject["same_as"]


def test_sensitivity_finds_the_one_number_that_matters() -> None:
    """PAWN singles out the one varied number that moves the outcome.

    The diversification cost moves the US's choice; the Russian revenue score of (accept, no
    offer), a cell no equilibrium reaches, does not (at x in [0, 1] accept stays dominated by
    diversify, 0.2 > -0.3x, and Russia's full offer still pays 4 > x against accept). The
    first's PAWN index is far above the dummy input's, the other's is not.
    """
    study = Study(
        load("rare-earth"),
        vary=[
            "weights.us.diversification_cost=uniform:0:3",
            "criteria.russian_revenue.scores[accept][withhold]=uniform:0:1",
        ],
        samples=8192,
        seed=6,
        analysis_samples=8192,
        confidence_samples=0,
    )
    summary = explore(study).summary
    indices = summary["sensitivity"]["regime:Diversify / Full offer"]
    noise = summary["sensitivity_info"]["pawn_noise"]["regime:Diversify / Full offer"]
    assert indices["weights.us.diversification_cost"]["pawn"] > 10 * noise
    assert indices["criteria.russian_revenue.scores[accept][withhold]"]["pawn"] < 3 * noise + 0.01


# --------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"vary": ["weights.us.legitimcy=uniform:0:1"]}, "unknown override path"),
        ({"scale": ["weights.nobody.*=uniform:0:1"]}, "matches no number"),
        (
            {"scale": ["criteria.legitimacy.scores[reject][*]=uniform:0:1"]},
            "only numbers that are 0",
        ),
        (
            {"vary": ["weights.us.legitimacy=uniform:0:1"], "scale": ["weights.us.*=uniform:0:1"]},
            "varied twice",
        ),
        ({"simplex": ["us"], "sampler": "saltelli"}, "simplex weights are not"),
        ({"simplex": ["nobody"]}, "unknown player"),
        ({"sampler": "halton"}, "expected one of"),
        ({"samples": 0}, "whole number >= 1"),
    ],
)
def test_bad_studies_are_refused_with_a_precise_message(
    changes: dict[str, object], expected: str
) -> None:
    """Every mistake in a study is a ScenarioError saying what was expected."""
    settings: dict[str, object] = {"scale": [], "vary": []}
    settings.update(changes)
    if not settings["vary"] and not settings["scale"] and "simplex" not in settings:
        settings["vary"] = ["weights.us.legitimacy=uniform:0:1"]
    with pytest.raises(ScenarioError, match=expected):
        plan(Study(load("rare-earth"), **settings))  # type: ignore[arg-type]


def test_a_study_that_varies_nothing_is_refused() -> None:
    """Without --vary, --scale or --simplex there is nothing to explore."""
    with pytest.raises(ScenarioError, match="nothing varies"):
        plan(Study(load("rare-earth")))


# --------------------------------------------------------------------------- [uncertainty]


def test_uncertainty_table_in_a_scenario_file(tmp_path: Path) -> None:
    """A scenario file's [uncertainty] table is the study, and options add to it.

    The scenario reads as without the table; command-line options replace the file's
    settings and add to what varies.
    """
    text = (Path(str(load("rare-earth").origin))).read_text(encoding="utf-8")
    text += """
[uncertainty]
samples = 4000
seed = 9
sampler = "sobol"

[uncertainty.vary]
"weights.us.supply_security" = "uniform:0:6"

[uncertainty.scale]
"weights.russia.*" = "uniform:0.5:1.5"

[[uncertainty.simplex]]
player = "us"
criteria = ["legitimacy", "alliance_cohesion"]
order = ["legitimacy >= alliance_cohesion"]
"""
    path = tmp_path / "study.toml"
    path.write_text(text, encoding="utf-8")
    scenario, table = read(path)
    assert scenario == load("rare-earth")
    assert table is not None
    study = study_from_table(scenario, table)
    assert (study.samples, study.seed, study.sampler) == (4000, 9, "sobol")
    assert study.simplex[0].order == (("legitimacy", "alliance_cohesion"),)
    merged = load_study(path, samples=100, vary=["weights.us.supply_security=uniform:0:5"])
    assert (merged.samples, merged.seed) == (100, 9)
    assert [v.dist.text for v in merged.vary] == ["uniform:0:5"]
    assert len(plan(merged).inputs) == 1 + 7 + 2  # one varied, seven Russian weights, simplex


def test_bad_uncertainty_tables_name_the_key(tmp_path: Path) -> None:
    """An unknown key or a non-string distribution is refused with its key."""
    scenario = load("rare-earth")
    with pytest.raises(ScenarioError, match=r"uncertainty\.sample: unknown key"):
        study_from_table(scenario, {"sample": 10})
    with pytest.raises(ScenarioError, match=r"uncertainty\.vary\.weights\.us\.sanctions"):
        study_from_table(scenario, {"vary": {"weights.us.sanctions": 3}})


# --------------------------------------------------------------------------- folders


def _stop_after(draws: int) -> object:
    def progress(done: int, total: int) -> None:
        if done >= draws:
            raise KeyboardInterrupt

    return progress


def test_folder_interrupted_and_resumed_writes_the_same_bytes(tmp_path: Path) -> None:
    """An interrupted run, resumed with another chunk size, writes an uninterrupted run's bytes.

    Both summary.json and samples.parquet are compared.
    """
    pytest.importorskip(
        "pyarrow", reason="pyarrow not installed: pip install 'negotiation[parquet]'"
    )
    study = _small_study(confidence_samples=0)
    with pytest.raises(explore_folder.ExploreInterrupted, match="--resume"):
        explore_folder.run(
            study, tmp_path / "a", chunk=1024, keep_samples=True, plots=False,
            progress=_stop_after(2048),  # type: ignore[arg-type]
        )  # fmt: skip
    saved = sorted(p.name for p in (tmp_path / "a" / "chunks").iterdir())
    assert saved == [
        f"{a:012d}-{b:012d}.{e}" for a, b in ((0, 1024), (1024, 2048)) for e in ("json", "npz")
    ]
    manifest = json.loads((tmp_path / "a" / "explore.json").read_text())
    assert manifest["status"] == "interrupted"
    explore_folder.run(
        study, tmp_path / "a", chunk=3072, resume=True, keep_samples=True, plots=False
    )
    explore_folder.run(study, tmp_path / "b", chunk=3000, keep_samples=True, plots=False)
    for name in ("summary.json", "samples.parquet"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()


def test_samples_parquet_holds_every_draw_and_its_regime(tmp_path: Path) -> None:
    """samples.parquet has one row per draw: the varied numbers, the regime, probabilities."""
    pq = pytest.importorskip("pyarrow.parquet", reason="pyarrow not installed")
    study = _small_study(samples=2000, confidence_samples=0)
    result = explore_folder.run(study, tmp_path, keep_samples=True, plots=False)
    table = pq.read_table(tmp_path / "samples.parquet").to_pydict()
    assert table["sample"] == list(range(2000))
    counts = {r["label"]: r["count"] for r in result.summary["regimes"]}
    assert {label: table["regime"].count(label) for label in counts} == counts
    assert set(table) >= {"weights.us.legitimacy", "degenerate", "prob.us.accept"}


def test_folders_refuse_other_studies_and_accidental_overwrites(tmp_path: Path) -> None:
    """A folder holding a study needs --resume (same study) or --force to be used again."""
    study = _small_study(samples=1024, confidence_samples=0)
    explore_folder.run(study, tmp_path, plots=False)
    with pytest.raises(OutputError, match="already holds a study"):
        explore_folder.run(study, tmp_path, plots=False)
    with pytest.raises(OutputError, match="holds a different study"):
        explore_folder.run(_small_study(samples=1024, seed=1), tmp_path, resume=True, plots=False)
    explore_folder.run(_small_study(samples=1024, seed=1), tmp_path, force=True, plots=False)
    assert json.loads((tmp_path / "summary.json").read_text())["seed"] == 1


def test_a_damaged_chunk_is_refused_on_resume(tmp_path: Path) -> None:
    """A chunk file that does not parse is an OutputError naming it, not a silent restart."""
    study = _small_study(samples=2048, confidence_samples=0)
    with pytest.raises(explore_folder.ExploreInterrupted):
        explore_folder.run(
            study,
            tmp_path,
            chunk=1024,
            plots=False,
            progress=_stop_after(1024),  # type: ignore[arg-type]
        )
    (tmp_path / "chunks" / f"{0:012d}-{1024:012d}.json").write_text("{", encoding="utf-8")
    with pytest.raises(OutputError, match="damaged chunk"):
        explore_folder.run(study, tmp_path, resume=True, plots=False)


def test_folder_writes_plots_and_records_them(tmp_path: Path) -> None:
    """A finished run writes the four plots and lists them in explore.json."""
    study = _small_study(samples=2048, confidence_samples=0, analysis_samples=1024)
    explore_folder.run(study, tmp_path, plot_format="svg")
    manifest = json.loads((tmp_path / "explore.json").read_text())
    assert manifest["status"] == "complete"
    assert manifest["plots"] == [
        "acceptability.svg",
        "sensitivity.svg",
        "scatter.svg",
        "convergence.svg",
    ]
    assert all((tmp_path / name).stat().st_size > 0 for name in manifest["plots"])


def test_a_stop_by_sigterm_is_reported_with_its_signal(tmp_path: Path) -> None:
    """A SIGTERM (the command line raises SignalInterrupt) stops the run like Ctrl-C, named."""

    def progress(done: int, total: int) -> None:
        raise SignalInterrupt(signal.SIGTERM)

    with pytest.raises(explore_folder.ExploreInterrupted, match="stopped by SIGTERM") as caught:
        explore_folder.run(_small_study(samples=2048, confidence_samples=0), tmp_path,
                           chunk=1024, plots=False, progress=progress)  # fmt: skip
    assert caught.value.signum == signal.SIGTERM
    assert (tmp_path / "chunks" / f"{0:012d}-{1024:012d}.json").is_file()
