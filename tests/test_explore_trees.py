"""Uncertainty studies on game trees: known answers, exact ties, labels, determinism, limits."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from negotiation import limits, load
from negotiation.errors import LimitError, ScenarioError
from negotiation.model.catalogue import load_tree
from negotiation.model.types import tree_from_string
from negotiation.output import explore_folder
from negotiation.solvers.spe import solve_spe, sweep_spe
from negotiation.studies.explore import Study, explore, local_cluster, plan
from negotiation.studies.explore_tree import support_path

#: The catalogue's scenario files.
GAMES = Path(__file__).resolve().parents[1] / "games"
ENTRY_FIGHT = "tree.in.fight.payoffs.incumbent"
ACCOMMODATE = "Entrant: enters; Incumbent: accommodates"
STAY_OUT = "Entrant: stays out"
CHINA = "weights.russia.china_relations"
FULL = (
    "Russia: makes the full offer (Russia and occupied Ukraine); "
    "United States: declines and diversifies"
)
NONE = "Russia: makes no offer; United States: diversifies"


def _regimes(summary: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["label"]: r for r in summary["regimes"]}


def _covers(regime: dict[str, Any], share: Fraction) -> bool:
    low, high = regime["ci95"]
    return bool(low <= share <= high)


# --------------------------------------------------------------------------- known answers


def test_entry_game_accommodation_share_is_three_quarters() -> None:
    """Entry game, fight payoff ~ U(-2, 2): accommodation is the SPE in 3/4 of draws.

    Derivation (Selten 1978's entry game, games/entry.toml): the incumbent accommodates
    (payoff 1) exactly when fighting pays it less than 1, and then the entrant enters (1 > 0);
    otherwise it fights and the entrant stays out (-1 < 0). P(U(-2, 2) < 1) = 3/4.
    """
    study = Study(load("entry"), vary=[f"{ENTRY_FIGHT}=uniform:-2:2"], samples=4000, seed=3)
    summary = explore(study).summary
    regimes = _regimes(summary)
    assert set(regimes) == {ACCOMMODATE, STAY_OUT}
    assert _covers(regimes[ACCOMMODATE], Fraction(3, 4))
    assert summary["kind"] == "tree"
    assert summary["degenerate"] == 0.0
    rule = next(r for r in summary["rules"] if r["target"] == f"regime:{STAY_OUT}" or
                f"regime:{STAY_OUT}" in r["same_as"])  # fmt: skip
    assert rule["conditions"][0]["above"] == 1.0  # the threshold, found by PRIM


def test_tree_strategies_are_keyed_node_colon_action() -> None:
    """summary.json's tree strategies read {player: {"<node id>:<action>": ...}}, summing to 1.

    Each draw of a perfect-information tree has one SPE, which takes one action at every
    decision node, so a node's mean probabilities sum to 1 and played equals them.
    """
    study = Study(load("entry"), vary=[f"{ENTRY_FIGHT}=uniform:-2:2"], samples=2000, seed=1)
    strategies = explore(study).summary["strategies"]
    assert set(strategies) == {"entrant", "incumbent"}
    assert set(strategies["entrant"]) == {"tree:out", "tree:in"}
    assert set(strategies["incumbent"]) == {"tree.in:fight", "tree.in:accommodate"}
    for player, node in (("entrant", "tree"), ("incumbent", "tree.in")):
        at = [v for k, v in strategies[player].items() if k.startswith(f"{node}:")]
        assert sum(v["mean_probability"] for v in at) == pytest.approx(1.0)
        assert all(v["played"] == v["mean_probability"] for v in at)


def test_sequential_rare_earth_china_weight_threshold_is_exactly_one() -> None:
    """The library's sweep puts Russia's switch from the full offer to none at exactly 1.

    games/rare_earth_sequential.toml derives it by hand: with the US's default weights
    Russia makes the full offer below a China weight of exactly 1 and no offer above; at 1
    both are subgame perfect (a tie).
    """
    tree = load_tree("rare-earth-sequential")
    values = [Fraction(999, 1000), Fraction(1), Fraction(1001, 1000)]
    rows = dict(sweep_spe(tree, [(CHINA, values)]))
    assert [r["path"] for r in rows[0]] == [FULL]
    assert {r["path"] for r in rows[1]} == {FULL, NONE}
    assert rows[1][0]["ties"]
    assert [r["path"] for r in rows[2]] == [NONE]


def test_sequential_rare_earth_full_offer_share_is_one_half() -> None:
    """China weight ~ U(0, 2): the full offer holds in 1/2 of draws (threshold 1, above)."""
    study = Study(load("rare-earth-sequential"), vary=[f"{CHINA}=uniform:0:2"], samples=4000)
    summary = explore(study).summary
    regimes = _regimes(summary)
    assert set(regimes) == {FULL, NONE}
    assert _covers(regimes[FULL], Fraction(1, 2))
    assert regimes[FULL]["central_weights"][CHINA] < 1 < regimes[NONE]["central_weights"][CHINA]


# --------------------------------------------------------------------------- exactness


def test_a_draw_on_the_tie_is_solved_exactly_with_both_paths() -> None:
    """Fight payoff drawn from {0, 1, 2}: at 1 the incumbent is indifferent, two SPE paths.

    The float pass cannot decide a tie; the exact solver lists both SPEs (fight: the
    entrant stays out; accommodate: it enters), so the regime is their sorted set and the
    draw is degenerate. Each value comes up in about 1/3 of the draws.
    """
    study = Study(load("entry"), vary=[f"{ENTRY_FIGHT}=choice:0,1,2"], samples=3000, seed=2)
    summary = explore(study).summary
    tie = f"2 equilibrium paths: {ACCOMMODATE} | {STAY_OUT}"
    regimes = _regimes(summary)
    assert set(regimes) == {ACCOMMODATE, STAY_OUT, tie}
    assert summary["degenerate"] == regimes[tie]["share"] == summary["exact"]
    for regime in regimes.values():
        assert _covers(regime, Fraction(1, 3))


def test_regime_labels_are_the_paths_sweep_spe_writes() -> None:
    """Each draw's label equals sweep_spe's path at the same number (pure SPE, no ties)."""
    study = Study(
        load("rare-earth-sequential"),
        vary=[f"{CHINA}=uniform:0:2"],
        samples=200,
        seed=5,
        confidence_samples=0,
    )
    result = explore(study)
    x = result.rows["x"][:40, 0]
    swept = dict(sweep_spe(load_tree("rare-earth-sequential"), [(CHINA, [Fraction(v) for v in x])]))
    assert [swept[i][0]["path"] for i in range(len(x))] == list(result.rows["regime"][:40])


def test_support_path_names_mixed_choices_by_support() -> None:
    """A mixed SPE's regime names the support (a or b) and is describe_path's words otherwise."""
    tree = load_tree("matching-pennies-tree")
    spe = solve_spe(tree).equilibria[0]
    label = support_path(tree, spe.behaviour, tree.numbers.probabilities)
    assert label == (
        "Matcher: lays heads or lays tails; if Matcher lays heads: [Mismatcher: lays heads "
        "or lays tails]; if Matcher lays tails: [Mismatcher: lays heads or lays tails]"
    )
    entry = load_tree("entry")
    assert support_path(entry, solve_spe(entry).equilibria[0].behaviour, []) == ACCOMMODATE


def test_tree_with_information_sets_is_solved_exactly_per_draw() -> None:
    """Beer-Quiche, P(strong) ~ U(0, 1): every draw exact; pooling SPEs above 1/2 only.

    Cho and Kreps (1987), games/beer_quiche.toml: the receiver duels a sender it believes
    weak with probability above 1/2, so pooling on a breakfast without a duel needs
    P(strong) >= 1/2; below 1/2 the weak sender mixes. Pooling draws have two SPE paths
    (beer and quiche), so about half the draws are that tie.
    """
    study = Study(
        load("beer-quiche"),
        vary=["types.sender.strong=uniform:0:1"],
        samples=200,
        seed=1,
        confidence_samples=0,
    )
    result = explore(study)
    summary = result.summary
    assert summary["exact"] == 1.0
    x, regime = result.rows["x"][:, 0], result.rows["regime"]
    pooling = np.array([label.startswith("2 equilibrium paths") for label in regime])
    assert (pooling == (x > 0.5)).all()


# --------------------------------------------------------------------------- determinism


def _tree_study(**changes: object) -> Study:
    settings: dict[str, object] = {
        "scale": ["weights.russia.*=uniform:0:2"],
        "samples": 3000,
        "seed": 21,
        "analysis_samples": 1024,
        "confidence_samples": 128,
    }
    settings.update(changes)
    return Study(load("rare-earth-sequential"), **settings)  # type: ignore[arg-type]


def test_tree_same_seed_same_bytes_whatever_the_chunk_size_and_on_dask() -> None:
    """A tree study's summary.json is the same bytes for any chunk size and on Dask.

    Chunks of 1024, 2048 and 2500 draws, and a 2-worker Dask LocalCluster (threads, to stay
    quick); another seed gives other bytes.
    """
    study = _tree_study()
    texts = {explore(study, chunk=c).to_json() for c in (1024, 2048, 2500)}
    assert len(texts) == 1
    assert explore(_tree_study(seed=22), chunk=1024).to_json() not in texts
    distributed = pytest.importorskip(
        "distributed",
        reason="dask.distributed not installed: pip install 'negotiation[distributed]'",
    )
    with local_cluster(2, processes=False) as cluster, distributed.Client(cluster) as client:
        on_dask = explore(study, chunk=1024, scheduler=client)
    assert on_dask.to_json() in texts


def test_tree_folder_resumes_to_the_same_bytes(tmp_path: Path) -> None:
    """A tree study's folder, run whole or in two sittings (resume), holds the same summary."""
    study = _tree_study(samples=2500, confidence_samples=0)
    explore_folder.run(study, tmp_path / "whole", chunk=1024, plots=False)
    explore_folder.run(study, tmp_path / "parts", chunk=2048, plots=False)
    whole, parts = ((tmp_path / n / "summary.json").read_bytes() for n in ("whole", "parts"))
    assert whole == parts


# --------------------------------------------------------------------------- refusals


def test_scale_globs_match_the_numbers_a_tree_holds() -> None:
    """--scale 'tree.**.payoffs.incumbent' scales the incumbent's three leaf payoffs."""
    study = Study(load("entry"), scale=["tree.**.payoffs.incumbent=uniform:0:2"], samples=10)
    assert [i.path for i in plan(study).inputs] == [
        "tree.out.payoffs.incumbent",
        "tree.in.fight.payoffs.incumbent",
        "tree.in.accommodate.payoffs.incumbent",
    ]


def test_too_many_varied_tree_numbers_are_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """More than MAX_TREE_EXPLORE_INPUTS varied numbers is a LimitError naming the limit."""
    monkeypatch.setattr(limits, "MAX_TREE_EXPLORE_INPUTS", 12)  # tree.** holds more than 12
    study = Study(load("rare-earth-sequential"), scale=["tree.**=uniform:0.5:1.5"], samples=10)
    with pytest.raises(LimitError, match=f"at most {limits.MAX_TREE_EXPLORE_INPUTS}"):
        plan(study)


def test_exact_draw_limit_is_checked_before_the_folder_exists(tmp_path: Path) -> None:
    """A tree with information sets and too many draws is refused before --out is made."""
    study = Study(
        load("beer-quiche"),
        vary=["types.sender.strong=uniform:0:1"],
        samples=limits.MAX_TREE_EXACT_DRAWS + 1,
        confidence_samples=0,
    )
    with pytest.raises(LimitError, match="information sets"):
        explore_folder.run(study, tmp_path / "study")
    assert not (tmp_path / "study").exists()


def test_a_probability_needs_a_bounded_distribution() -> None:
    """An unbounded normal on a chance probability is refused with the path and a fix."""
    study = Study(load("card-game"), vary=["tree.chance.red=normal:0.5:0.1"], samples=10)
    with pytest.raises(ScenarioError, match="finite bounds"):
        plan(study)


@pytest.mark.parametrize(
    ("simplex", "words"),
    [
        ("russia", "--simplex: russia: its weights depend on its type (weights.russia.trap); "
         "name the criteria to share, e.g. russia:russian_revenue,sanctions; expected some "
         "of: supply_security, "),
        ("russia:russian_revenue,trap_sprung", "--simplex: russia: the weight of 'trap_sprung' "
         "depends on a player's type (weights.russia.trap.trap_sprung)"),
        ("russia:russian_revenue,trap_sprung-trap", "--simplex: russia: unknown criterion "
         "'trap_sprung-trap'; expected some of: "),
    ],
)  # fmt: skip
def test_a_simplex_over_weights_by_type_names_the_files_criteria(simplex: str, words: str) -> None:
    """--simplex on a player weighed by type names the file's own paths, not compiled ones (F5).

    Fuzz finding F5 (R3): the compiled criterion 'trap_sprung-trap' was blamed on the file.
    """
    study = Study(load("rare-earth-trap"), simplex=[simplex], samples=2)
    with pytest.raises(ScenarioError) as raised:
        plan(study)
    assert str(raised.value).startswith(words), str(raised.value)
    assert "trap_sprung" not in str(raised.value).partition("expected some of:")[2]


def test_a_simplex_over_a_criterion_another_player_weighs_by_type_is_refused() -> None:
    """The US weighing 'trap_sprung' (which Russia's types split) cannot share it on a simplex."""
    text = (GAMES / "rare_earth_trap.toml").read_text(encoding="utf-8")
    tree = tree_from_string(text.replace("[weights.us]\n", "[weights.us]\ntrap_sprung = 0.5\n", 1))
    study = Study(tree, simplex=["us"], samples=2)
    with pytest.raises(ScenarioError) as raised:
        plan(study)
    assert str(raised.value).startswith(
        "--simplex: us: it weighs 'trap_sprung' (weights.russia.trap.trap_sprung), whose weight "
        "depends on a player's type; name the criteria to share, e.g. us:supply_security,"
        "legitimacy; expected some of: "
    ), str(raised.value)


def test_a_simplex_over_criteria_shared_by_every_type_still_runs() -> None:
    """Russia's common weights (revenue, sanctions) on a simplex are drawn as before."""
    study = Study(load("rare-earth-trap"), simplex=["russia:russian_revenue,sanctions"], samples=2)
    assert [i.path for i in plan(study).inputs] == [
        "weights.russia.russian_revenue",
        "weights.russia.sanctions",
    ]
