"""The classroom explorer: its data (game, equilibria, regime, map position) and its sliders.

Known answers on the rare-earth scenario are derived by hand from ``games/rare_earth.toml``
(the derivation is in :func:`test_threshold_is_degenerate_with_both_responses`) and agree
with the README ("Above a diversification-cost weight of exactly 9/5 ... the US stops
diversifying and rejects the full offer; at 9/5 itself the game is degenerate").
"""

from __future__ import annotations

import io
import sys
from fractions import Fraction

import numpy as np
import pytest
from matplotlib.image import imread

from negotiation import Axis, Grid, load, payoff_matrices, sweep
from negotiation.errors import ScenarioError, UserError
from negotiation.model.scenario import Scenario
from negotiation.studies.sweep import SweepResult, regime_label
from negotiation.teaching.explorer import (
    ExploreState,
    equilibria_rows,
    explore_state,
    explorer,
    map_board,
    position_text,
    state_html,
    weight_sliders,
)

SUPPLY = "weights.us.supply_security"
COST = "weights.us.diversification_cost"
DEFAULT = "Diversify / Full offer"
REJECT = "Reject / Full offer"
TIE = "2 equilibria: Reject / Full offer; Diversify / Full offer"

pytest.importorskip("ipywidgets")  # a dev dependency; the sliders' tests need it


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    """The built-in rare-earth scenario."""
    return load("rare-earth")


@pytest.fixture(scope="module")
def regimes(scenario: Scenario) -> SweepResult:
    """The regime map of notebook 02: supply security 0..6 (step 0.1) x cost 0..3 (0.05)."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 61), Axis.linspace(COST, 0, 3, 61)))
    return sweep(scenario, grid)


# --------------------------------------------------------------------------- explore_state


def test_default_weights_give_the_documented_equilibrium(
    scenario: Scenario, regimes: SweepResult
) -> None:
    """At the file's weights the US diversifies and Russia makes the full offer (README).

    By hand from games/rare_earth.toml, the diversify / full cell: the US gets supply
    1 x 1 + alliance 0.8 x 3/4 + cost 0.6 x -1 = 1; Russia gets alliance -1 x 3/4 + China
    relations 0.5 x -1/4 = -7/8 (its other criteria score 0 in that row).
    """
    state = explore_state(scenario, {}, regimes)
    assert state.regime == DEFAULT
    assert state.changes == ()
    assert state.game == payoff_matrices(scenario)
    ((e),) = state.solution.equilibria
    assert e.payoffs == (Fraction(1), Fraction(-7, 8))  # README: payoffs 1 and -7/8
    assert state.position is not None
    assert state.position.values == (Fraction(1), Fraction(3, 5))
    assert state.position.inside
    assert state.position.on_plane
    assert state.position.cell == (10, 12)  # supply 1 = 10 x 0.1, cost 0.6 = 12 x 0.05
    assert state.position.map_regime == DEFAULT


def test_giving_the_files_own_weights_changes_nothing(scenario: Scenario) -> None:
    """Weights equal to the file's are no change: same game, no override listed."""
    same = {pid: dict(table) for pid, table in scenario.weights.items()}
    state = explore_state(scenario, same)
    assert state.changes == ()
    assert state.game == explore_state(scenario, {}).game
    assert state.position is None  # no map given


def test_threshold_is_degenerate_with_both_responses(
    scenario: Scenario, regimes: SweepResult
) -> None:
    """At cost weight 9/5 reject and diversify tie for the US: two equilibria, one component.

    By hand from games/rare_earth.toml, against the full offer with US weights 1 (supply),
    0.8 (alliance), cost weight c: reject pays alliance 0.8 x -1/4 = -1/5 and diversify
    1 + 0.8 x 3/4 - c = 8/5 - c; they tie at c = 9/5, both paying -1/5 (the difference is
    9/5 - c against every Russian strategy). Russia gets alliance -1 x -1/4 + China 0.5 x
    -1/4 = 1/8 from a rejected full offer and -7/8 when the US diversifies; the full offer is
    strictly dominant for Russia (4 > 15/8, 0; 1/8 > 0; -7/8 > -1), so it is played in both.
    """
    state = explore_state(scenario, {"us": {"diversification_cost": "9/5"}}, regimes)
    assert state.solution.degenerate
    assert state.regime == TIE
    payoffs = sorted(e.payoffs for e in state.solution.equilibria)
    assert payoffs == [(Fraction(-1, 5), Fraction(-7, 8)), (Fraction(-1, 5), Fraction(1, 8))]
    assert len(state.solution.components) == 1
    assert state.changes == ((COST, Fraction(9, 5)),)
    assert state.position is not None
    assert state.position.cell == (10, 36)  # supply 1 = 10 x 0.1, cost 9/5 = 36 x 0.05
    assert state.position.map_regime == TIE


def test_above_the_threshold_the_us_rejects(scenario: Scenario, regimes: SweepResult) -> None:
    """At diversification cost 2 (> 9/5) the only equilibrium is the rejected full offer.

    By hand: diversify now pays 8/5 - 2 = -2/5 < -1/5 for rejecting the full offer, and
    rejecting beats accepting it (-1/5 > 1/2 - 2 - 1.6 - 0.4 - 0.15 = -73/20), so the US
    rejects; the payoffs are (-1/5, 1/8) as at the threshold. The game is degenerate all
    the same (against no offer accepting and rejecting both pay 0), yet has one equilibrium.
    """
    state = explore_state(scenario, {"us": {"diversification_cost": 2}}, regimes)
    assert state.regime == REJECT
    assert state.solution.degenerate
    ((e),) = state.solution.equilibria
    assert e.payoffs == (Fraction(-1, 5), Fraction(1, 8))
    assert state.position is not None
    assert state.position.cell == (10, 40)
    assert state.position.map_regime == REJECT


def test_game_is_the_scenario_with_the_weights_as_overrides(scenario: Scenario) -> None:
    """The game equals payoff_matrices of the scenario loaded with the same overrides."""
    weights = {
        "us": {"legitimacy": "1/3", "sanctions": 0.25},  # the US does not weigh sanctions
        "russia": {"sanctions": Fraction(3, 2)},
    }
    state = explore_state(scenario, weights)
    expected = load(
        "rare-earth",
        {
            "weights.us.legitimacy": "1/3",
            "weights.us.sanctions": "0.25",
            "weights.russia.sanctions": "1.5",
        },
    )
    assert state.game == payoff_matrices(expected)
    assert state.scenario.weights == expected.weights


def test_floats_are_read_as_the_decimal_they_show(scenario: Scenario) -> None:
    """A float weight is its shortest decimal (4.05 is 81/20), as --set reads it."""
    state = explore_state(scenario, {"us": {"supply_security": 4.05}})
    assert state.changes == ((SUPPLY, Fraction(81, 20)),)


def test_regime_matches_the_map_at_every_grid_point(scenario: Scenario) -> None:
    """On every grid point of a coarse map the exact regime equals the map's (batched) one."""
    grid = Grid((Axis.linspace(SUPPLY, 0, 6, 13), Axis.linspace(COST, 0, 3, 7)))
    coarse = sweep(scenario, grid)
    points = coarse.points()
    for point, (s, c) in enumerate(grid.points()):
        state = explore_state(
            scenario, {"us": {"supply_security": s, "diversification_cost": c}}, coarse
        )
        assert state.position is not None
        assert state.position.cell == divmod(point, 7)
        assert (
            state.regime == state.position.map_regime == regime_label(points[point], coarse.players)
        )


def test_near_a_boundary_the_map_cell_may_differ_and_the_text_says_so(
    scenario: Scenario, regimes: SweepResult
) -> None:
    """At cost 1.82 the US rejects, while the cell under the star is the tie at 1.8: said so."""
    state = explore_state(scenario, {"us": {"diversification_cost": "1.82"}}, regimes)
    assert state.regime == REJECT
    assert state.position is not None
    assert state.position.cell == (10, 36)
    assert state.position.map_regime == TIE
    assert "within half a grid step of a regime boundary" in position_text(state)


def test_off_the_map(scenario: Scenario, regimes: SweepResult) -> None:
    """Weights beyond the map's drawn cells are off the map; its last cell reaches half a step."""
    edge = explore_state(scenario, {"us": {"supply_security": "6.05"}}, regimes).position
    assert edge is not None
    assert edge.inside
    assert edge.cell == (60, 12)
    state = explore_state(scenario, {"us": {"supply_security": "6.1"}}, regimes)
    assert state.position is not None
    assert not state.position.inside
    assert state.position.cell is None
    assert state.position.map_regime is None
    assert "Off the map" in position_text(state)


def test_weights_off_the_maps_axes_leave_its_plane(
    scenario: Scenario, regimes: SweepResult
) -> None:
    """With Russia's China weight at 1 the map no longer applies, and Russia is indifferent.

    By hand: with China weight w, Russia's payoffs against a diversifying US are
    -3/4 - w/4 (full), -7/8 - w/4 (limited) and -1 (withhold; alliance cohesion -1 x score,
    China relations w x score, its other criteria 0 in that row); at w = 1 the full offer
    and no offer tie at -1, while diversifying stays strictly dominant for the US (it beats
    rejecting by 9/5 - 3/5 and accepting by more in every column) and pays 1 against the
    full offer, 6/5 against none. The extreme equilibria are these two, one component.
    """
    state = explore_state(scenario, {"russia": {"china_relations": 1}}, regimes)
    assert state.position is not None
    assert state.position.off_plane == ("weights.russia.china_relations",)
    assert not state.position.on_plane
    assert state.solution.degenerate
    assert len(state.solution.components) == 1
    assert sorted(e.support for e in state.solution.equilibria) == [((2,), (0,)), ((2,), (2,))]
    assert {e.payoffs for e in state.solution.equilibria} == {
        (Fraction(1), Fraction(-1)),
        (Fraction(6, 5), Fraction(-1)),
    }
    assert "Russia weight on Russia-China relations" in position_text(state)


@pytest.mark.parametrize(
    ("weights", "key", "expected"),
    [
        ({"us": {"legitimcy": 1}}, "weights.us.legitimcy", "did you mean 'legitimacy'"),
        ({"china": {"legitimacy": 1}}, "weights.china.legitimacy", "has no key 'china'"),
        ({"us": {"legitimacy": "much"}}, "weights.us.legitimacy", "expected a finite number"),
        ({"us": {"legitimacy": float("nan")}}, "weights.us.legitimacy", "finite number"),
    ],
)
def test_bad_weights_are_user_errors(
    scenario: Scenario, weights: dict[str, dict[str, object]], key: str, expected: str
) -> None:
    """An unknown player or criterion, or a value that is not a number, names the key."""
    with pytest.raises(ScenarioError) as error:
        explore_state(scenario, weights)
    assert error.value.key == key
    assert expected in error.value.problem


def test_direct_payoff_scenarios_have_no_weights_to_explore() -> None:
    """A scenario with direct payoff tables is refused with a message naming [payoffs]."""
    with pytest.raises(ScenarioError, match="no weights to explore"):
        explore_state(load("prisoners-dilemma"), {})


def test_maps_that_do_not_fit_are_refused(scenario: Scenario) -> None:
    """A 1-D sweep, a map over a score, or a map of another scenario is a ScenarioError."""
    one_d = sweep(scenario, Grid((Axis.linspace(SUPPLY, 0, 6, 3),)))
    with pytest.raises(ScenarioError, match="expected a 2-D sweep"):
        explore_state(scenario, {}, one_d)
    score = "criteria.alliance_cohesion.scores[diversify][full]"
    scored = sweep(scenario, Grid((Axis.linspace(SUPPLY, 0, 6, 3), Axis.linspace(score, 0, 1, 3))))
    with pytest.raises(ScenarioError, match="expected a weight of this scenario") as error:
        explore_state(scenario, {}, scored)
    assert error.value.key == score
    other = load("inspection-criteria")
    paths = ("weights.target.gain", "weights.target.penalty")
    theirs = sweep(other, Grid(tuple(Axis.linspace(p, 0, 1, 2) for p in paths)))
    with pytest.raises(ScenarioError, match="other players or strategies"):
        explore_state(scenario, {}, theirs)


# --------------------------------------------------------------------------- words


def test_equilibria_rows_of_the_default_game(scenario: Scenario) -> None:
    """The table has a header and one row per equilibrium, with strategies and payoffs."""
    assert equilibria_rows(explore_state(scenario, {})) == [
        ("#", "United States plays", "Russia plays", "payoff to United States", "payoff to Russia"),
        ("1", "Diversify", "Full offer", "1", "-0.875"),
    ]


def test_equilibria_rows_of_a_degenerate_game_name_components(scenario: Scenario) -> None:
    """A degenerate game's table adds the component of every extreme equilibrium."""
    rows = equilibria_rows(explore_state(scenario, {"us": {"diversification_cost": "9/5"}}))
    assert rows[0][-1] == "component"
    assert sorted(rows[1:]) == [  # payoffs derived in test_threshold_is_degenerate_...
        ("1", "Reject", "Full offer", "-0.2", "0.125", "1"),
        ("2", "Diversify", "Full offer", "-0.2", "-0.875", "1"),
    ]


def test_mixed_equilibria_are_written_with_probabilities() -> None:
    """Tsebelis's inspection game has one mixed equilibrium, written with its probabilities.

    By hand from games/inspection_criteria.toml: the sender enforces with probability e
    that leaves the target indifferent, 0 = -5e + 3(1 - e), so e = 3/8 (the README's sweep
    gives 0.375 at penalty 5); the target violates with probability v that leaves the
    sender indifferent, -1 = -4v, so v = 1/4. Payoffs: 0 to the target (complying), -1 to
    the sender (enforcing).
    """
    rows = equilibria_rows(explore_state(load("inspection-criteria"), {}))
    assert rows[1:] == [
        ("1", "comply 0.75, violate 0.25", "enforce 0.375, ignore 0.625", "0", "-1")
    ]


def test_position_text_without_a_map(scenario: Scenario) -> None:
    """Without a map the text is the regime alone, with its count of equilibria."""
    assert position_text(explore_state(scenario, {})) == (
        "Regime: Diversify / Full offer (1 equilibrium)."
    )


def test_state_html_escapes_labels_from_the_file() -> None:
    """Labels from a scenario file are HTML-escaped, so a label cannot inject markup."""
    text = """
name = "escape"
[[players]]
id = "a"
label = "<script>alert(1)</script>"
strategies = [{ id = "x", label = "<b>x</b>" }, "y"]
[[players]]
id = "b"
strategies = ["l", "r"]
[criteria.k]
scores = [[1, 0], [0, 1]]
[weights.a]
k = 1
[weights.b]
k = 1
"""
    page = state_html(explore_state(Scenario.from_string(text), {}))
    assert "<script>" not in page
    assert "<b>x</b>" not in page
    assert "&lt;script&gt;" in page
    assert "&lt;b&gt;x&lt;/b&gt;" in page


# --------------------------------------------------------------------------- sliders


def test_missing_ipywidgets_says_what_to_install(
    scenario: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Without ipywidgets, building sliders raises a UserError naming the notebooks extra."""
    monkeypatch.setitem(sys.modules, "ipywidgets", None)  # makes `import ipywidgets` fail
    with pytest.raises(UserError, match=r"pip install 'negotiation\[notebooks\]'"):
        weight_sliders(scenario)
    with pytest.raises(UserError, match=r"pip install 'negotiation\[notebooks\]'"):
        explorer(scenario)


def test_sliders_start_at_the_files_weights(scenario: Scenario) -> None:
    """One slider per criterion of each chosen player, starting at the file's exact weights."""
    sliders = weight_sliders(scenario, players=["us"])
    assert list(sliders.sliders) == [f"weights.us.{c.id}" for c in scenario.criteria]
    expected = {
        "us": {c.id: scenario.weights["us"].get(c.id, Fraction(0)) for c in scenario.criteria}
    }
    assert sliders.weights() == expected
    assert explore_state(scenario, sliders.weights()).changes == ()
    assert sliders.bounds[SUPPLY] == (Fraction(-6), Fraction(6))


def test_one_player_id_may_be_given_as_a_string(scenario: Scenario) -> None:
    """players="russia" means Russia's sliders, not players "r", "u", "s", ..."""
    sliders = weight_sliders(scenario, players="russia")
    assert list(sliders.weights()) == ["russia"]


def test_a_weight_off_the_step_is_kept_exactly_until_moved() -> None:
    """A file weight of 1/3 stays 1/3 while its slider is untouched, and moves to the step."""
    odd = load("rare-earth", {"weights.us.legitimacy": "1/3"})
    sliders = weight_sliders(odd, players=["us"])
    assert sliders.weights()["us"]["legitimacy"] == Fraction(1, 3)
    sliders.sliders["weights.us.legitimacy"].value = 0.35000000000000003  # a frontend's float
    assert sliders.weights()["us"]["legitimacy"] == Fraction(7, 20)


def test_bounds_widen_to_hold_a_default_outside_them(scenario: Scenario) -> None:
    """Russia's weight of -1 on the law widens bounds 0..3 to -1..3 for that slider only."""
    sliders = weight_sliders(scenario, players=["russia"], bounds=(0, 3), step="0.5")
    assert sliders.bounds["weights.russia.legitimacy"] == (Fraction(-1), Fraction(3))
    assert sliders.bounds["weights.russia.sanctions"] == (Fraction(0), Fraction(3))
    assert sliders.sliders["weights.russia.legitimacy"].min == -1.0


def test_moving_a_slider_reports_exact_weights_once(scenario: Scenario) -> None:
    """A slider moved to a float near 4.5 calls on_change once, with exactly 9/2."""
    calls: list[dict[str, dict[str, Fraction]]] = []
    sliders = weight_sliders(scenario, players=["us"], on_change=calls.append)
    sliders.sliders[SUPPLY].value = 4.500000000000001
    assert len(calls) == 1
    assert calls[0]["us"]["supply_security"] == Fraction(9, 2)


def test_set_moves_several_sliders_and_reports_once(scenario: Scenario) -> None:
    """set() moves every slider it names, then calls on_change once; reset() undoes it."""
    calls: list[dict[str, dict[str, Fraction]]] = []
    sliders = weight_sliders(scenario, on_change=calls.append)
    sliders.set(
        {"us": {"supply_security": 5, "legitimacy": "0.25"}, "russia": {"china_relations": 0}}
    )
    assert len(calls) == 1
    assert calls[0]["us"]["supply_security"] == 5
    assert calls[0]["us"]["legitimacy"] == Fraction(1, 4)
    assert calls[0]["russia"]["china_relations"] == 0
    sliders.reset()
    assert len(calls) == 2
    assert explore_state(scenario, calls[1]).changes == ()


@pytest.mark.parametrize(
    ("weights", "expected"),
    [
        ({"us": {"supply_security": 7}}, "expected a multiple of 0.05 from -6 to 6, got 7"),
        ({"us": {"supply_security": "4.01"}}, "got 4.01"),
        ({"russia": {"sanctions": 1}}, "no slider for this weight"),
    ],
)
def test_set_refuses_what_a_slider_cannot_show(
    scenario: Scenario, weights: dict[str, dict[str, object]], expected: str
) -> None:
    """Values out of range or off the step, or weights without a slider, move nothing."""
    calls: list[object] = []
    sliders = weight_sliders(scenario, players=["us"], on_change=calls.append)
    before = sliders.weights()
    with pytest.raises(ScenarioError, match=expected):
        sliders.set({"us": {"legitimacy": 2}, **weights})
    assert sliders.weights() == before
    assert calls == []


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"players": ["china"]}, "expected player ids among us, russia"),
        ({"bounds": (3, 3)}, "bounds low < high"),
        ({"step": 0}, "positive step"),
        ({"bounds": (0, 1), "step": "0.3"}, "multiples of it"),
    ],
)
def test_bad_slider_settings_are_user_errors(
    scenario: Scenario, kwargs: dict[str, object], expected: str
) -> None:
    """Unknown players, an empty range or a step that does not divide it are refused."""
    with pytest.raises(ScenarioError, match=expected):
        weight_sliders(scenario, **kwargs)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- explorer


def _pixels(png: bytes) -> np.ndarray:
    return np.asarray(imread(io.BytesIO(png)))


def test_explorer_redraws_what_the_sliders_change(scenario: Scenario, regimes: SweepResult) -> None:
    """Moving the diversification cost to 2 redraws heatmaps, table and map in the reject regime."""
    ex = explorer(scenario, regimes, players=["us"])
    first = ex.state
    assert isinstance(first, ExploreState)
    assert first.regime == DEFAULT
    pictures = (bytes(ex.heatmaps.value), bytes(ex.map.value))
    assert all(p.startswith(b"\x89PNG") for p in pictures)
    assert "Diversify / Full offer (1 equilibrium)" in ex.table.value
    ex.sliders.set({"us": {"diversification_cost": 2}})
    moved = ex.state
    assert moved == explore_state(scenario, {"us": {"diversification_cost": 2}}, regimes)
    assert moved.regime == REJECT
    assert "Reject / Full offer (1 equilibrium)" in ex.table.value
    assert bytes(ex.heatmaps.value) != pictures[0]
    assert bytes(ex.map.value) != pictures[1]
    assert "application/vnd.jupyter.widget-view+json" in ex._repr_mimebundle_()


def test_explorer_without_a_map(scenario: Scenario) -> None:
    """Without a regime map there is no map picture and no position."""
    ex = explorer(scenario, players=["russia"])
    assert ex.map is None
    assert ex.board is None
    assert ex.state is not None
    assert ex.state.position is None
    ex.sliders.set({"russia": {"china_relations": 1}})  # the tie of test_weights_off_the_maps_...
    assert ex.state.regime == "2 equilibria: Diversify / Full offer; Diversify / Withhold"


def test_map_board_star_is_blitted_exactly(scenario: Scenario, regimes: SweepResult) -> None:
    """The fast picture (map restored, star drawn) equals a full redraw, pixel for pixel."""
    board = map_board(scenario, regimes)
    for weights in ({"us": {"diversification_cost": 2}}, {"russia": {"china_relations": 1}}):
        position = explore_state(scenario, weights, regimes).position
        assert position is not None
        fast = _pixels(board.picture(position))
        board.canvas.draw()  # everything, the star included, from scratch
        full = np.asarray(board.canvas.buffer_rgba()) / 255
        assert fast.shape == full.shape
        assert np.abs(fast - full).max() < 1e-6
        assert board.marker.get_markerfacecolor() == ("black" if position.on_plane else "none")


def test_map_board_hides_the_star_off_the_map(scenario: Scenario, regimes: SweepResult) -> None:
    """Off the map the picture is the map alone: no star drawn anywhere."""
    board = map_board(scenario, regimes)
    off = explore_state(scenario, {"us": {"supply_security": 6.5}}, regimes).position
    on = explore_state(scenario, {}, regimes).position
    assert off is not None
    assert on is not None
    bare = _pixels(board.picture(off))
    starred = _pixels(board.picture(on))
    board.marker.set_visible(False)
    board.canvas.draw()
    assert np.abs(bare - np.asarray(board.canvas.buffer_rgba()) / 255).max() < 1e-6
    assert np.abs(starred - bare).max() > 0.5  # the star is drawn when on the map
