"""Classroom exercises: computed texts, and a checker that reads answers as a teacher would."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path

import pytest

from negotiation import load, payoff_matrices, solve
from negotiation.model.catalogue import load_tree
from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario
from negotiation.solvers.pbe import prior_thresholds, regime, solve_pbe
from negotiation.teaching import matrix_exercises, tree_exercises
from negotiation.teaching.exercises import EXERCISES, Affine, check, solution
from negotiation.teaching.text import num

ROOT = Path(__file__).resolve().parent.parent

# Wrong answers of the right kind, one per exercise.
WRONG = {
    "dominant-strategies": {"row": "cooperate", "column": "defect"},
    "pure-equilibria": [("bach", "bach")],
    "pennies-heads": 0.6,
    "chicken-swerve": "1/10",
    "stag-hunt-count": 2,
    "inspection-enforcement": "3/8",
    "inspection-violation": 0.4,
    "rare-earth-default": "accept",
    "rare-earth-threshold": 1.5,
    "continuum-low": 0,
    "sequential-offer": "withhold",
    "entry-threat": "accommodate",
    "card-game-bluff": "1/2",
    "beer-quiche-bayes": 0.6,
    "trap-threshold": "1/2",
    "beer-quiche-intuitive": "beer",
}

NUMERIC = [e.id for e in EXERCISES.values() if e.kind in ("probability", "number")]


def test_there_are_at_least_eight_exercises_on_the_required_topics() -> None:
    """The set covers dominance, pure/mixed/multiple equilibria, the paradox, continua."""
    assert len(EXERCISES) >= 8
    topics = {e.topic for e in EXERCISES.values()}
    assert topics >= {
        "dominance",
        "pure equilibria",
        "mixed equilibria",
        "multiple equilibria and coordination",
        "the inspection paradox",
        "degenerate games and continua",
        "beliefs and signalling",
    }
    assert set(WRONG) == set(EXERCISES)


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_the_computed_solution_is_accepted(exercise: str) -> None:
    """check() accepts the answer the library computes, with the computed explanation."""
    feedback = check(exercise, solution(exercise))
    assert feedback.correct
    assert feedback.status == "correct"
    assert feedback.message.startswith("Correct")
    assert EXERCISES[exercise].explanation in feedback.message


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_a_wrong_answer_gets_a_hint(exercise: str) -> None:
    """check() rejects a read, wrong answer with the hint; `...` means not answered."""
    feedback = check(exercise, WRONG[exercise])
    assert feedback.status == "wrong"
    assert not feedback.correct
    assert EXERCISES[exercise].hint in feedback.message
    assert check(exercise, ...).status == "unanswered"
    assert "Not answered yet" in check(exercise, ...).message


@pytest.mark.parametrize(
    ("exercise", "answer"),
    [
        # Pennies: the Mismatcher is indifferent iff -p + (1 - p) = p - (1 - p), so p = 1/2.
        ("pennies-heads", Fraction(1, 2)),
        # Chicken: Driver B's swerve pays -(1 - p), straight p - 10 (1 - p): p = 9/10
        # (payoffs in games/chicken.toml).
        ("chicken-swerve", "9/10"),
        # Inspection, penalty 10: 0 = -10 e + 3 (1 - e)  =>  e = 3/13 (Tsebelis 1990).
        ("inspection-enforcement", 3 / 13),
        # Sender indifferent: -1 = -4 v  =>  v = 1/4, whatever the penalty.
        ("inspection-violation", "0.25"),
        # Rare earth against the full offer (games/rare_earth.toml, weights x scores), c the
        # US weight on diversification cost: reject scores only cohesion -0.25, so pays
        # 0.8 * -0.25 = -0.2; diversify 1 * 1 (supply) + 0.8 * 0.75 (cohesion) - c = 1.6 - c;
        # equal at c = 1.8 = 9/5 (/work/notes/rare_earth_fixes.md section 3).
        ("rare-earth-threshold", "9/5"),
        ("rare-earth-threshold", 1.8),
        # Continuum: column 1 stays a best reply while 2p >= 1 - p  =>  p >= 1/3.
        ("continuum-low", "1/3"),
        # Stag hunt: (stag, stag), (hare, hare), and each hunts stag with 3/4 (4p = 3).
        ("stag-hunt-count", 3),
        ("rare-earth-default", "Diversify"),
        ("pure-equilibria", [("Stravinsky", "stravinsky"), ("bach", "Bach")]),
        ("dominant-strategies", {"row": "Defect", "column": "defect"}),
        # games/rare_earth_sequential.toml's description: at the default weights Russia makes
        # the full offer and the US declines and diversifies (README, sequential game).
        ("sequential-offer", "full"),
        ("sequential-offer", "Makes the full offer (Russia and occupied Ukraine)"),
        # Selten 1978: the entrant stays out only against the threat to fight.
        ("entry-threat", "fight"),
        ("entry-threat", "Fights"),
        # Myerson 1991, section 3.2: Player 1 raises with a black card with probability 1/3.
        ("card-game-bluff", "1/3"),
        ("card-game-bluff", 0.33),
        ("card-game-bluff", "33.3%"),
        # Beer-Quiche with P(strong) = 1/4 (games/beer_quiche.toml; Cho and Kreps 1987): in
        # the hybrid PBE strong always orders beer, weak with q; the receiver mixes after beer
        # only if duel (1 - m) and no duel (m) tie at m = 1/2; Bayes: (1/4) / (1/4 + 3/4 q)
        # = 1/2 gives q = 1/3, and the posterior asked for is 1/2.
        ("beer-quiche-bayes", "1/2"),
        ("beer-quiche-bayes", "50%"),
        # rare-earth-trap at US supply weight w = 20 (games/rare_earth_trap.toml leaves): after
        # the limited offer, hedging pays 25 - 0.5 - 0.1 - 0.6 - 0.075 = 23.725 if honoured,
        # 20 - 0.5 - 0.2 - 0.6 - 0.0375 = 18.6625 if weaponised; declining and diversifying
        # 20 + 0.7 - 0.6 = 20.1; 23.725 - 5.0625 p = 20.1 at p = 58/81 = (4w - 22)/(4w + 1),
        # the closed form in tests/test_rare_earth_trap.py.
        ("trap-threshold", "58/81"),
        ("trap-threshold", 0.716),
        # Cho and Kreps 1987, section II: the quiche pool fails the Intuitive Criterion.
        ("beer-quiche-intuitive", "quiche"),
        ("beer-quiche-intuitive", "Quiche"),
    ],
)
def test_known_answers_derived_by_hand(exercise: str, answer: object) -> None:
    """Answers derived by hand (see comments) are accepted, in any of the accepted forms."""
    assert check(exercise, answer).correct


# --- Item 1: every number shown is computed, or recomputed here ------------------------------

# An author-year citation, "(Tsebelis 1990)" or "(Cho and Kreps 1987)".
CITATION = re.compile(r"\([A-Z][a-z]+(?: and [A-Z][a-z]+)? \d{4}\)")
NUMBER_WORDS = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|half|twice)\b")


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_templates_hold_no_numbers_of_their_own(exercise: str) -> None:
    """Question, hint, explanation and slips show only numbers filled in from computed facts."""
    e = EXERCISES[exercise]
    slips = tuple(e.mistakes().values())
    for template in (e.question_template, e.hint_template, e.explanation_template, *slips):
        bare = CITATION.sub("", re.sub(r"\{[a-z_]+\}", "", template))
        assert not re.search(r"\d", bare), f"{exercise}: a typed number in {template!r}"
        assert not NUMBER_WORDS.search(bare.lower()), f"{exercise}: a number word in {template!r}"


def _expected_payoff(
    scenario: Scenario, player: int, own: int, mixer_mix: list[Fraction]
) -> Fraction:
    """A player's expected payoff of one strategy against the other's mix, from the matrices."""
    game = payoff_matrices(scenario)
    if player == 0:
        return sum((game.A[own][j] * q for j, q in enumerate(mixer_mix)), Fraction(0))
    return sum((game.B[i][own] * q for i, q in enumerate(mixer_mix)), Fraction(0))


# (exercise, fact, scenario, player whose payoff the line is, that player's strategy, the
# mixer's strategy whose probability is the line's variable)
LINES = [
    ("pennies-heads", "first_pays", "matching-pennies", 1, 0, 0),
    ("pennies-heads", "second_pays", "matching-pennies", 1, 1, 0),
    ("chicken-swerve", "first_pays", "chicken", 1, 0, 0),
    ("chicken-swerve", "second_pays", "chicken", 1, 1, 0),
    ("inspection-enforcement", "comply_pays", "inspection-criteria", 0, 0, 0),
    ("inspection-enforcement", "violate_pays", "inspection-criteria", 0, 1, 0),
    ("inspection-violation", "enforce_pays", "inspection-criteria", 1, 0, 1),
    ("inspection-violation", "ignore_pays", "inspection-criteria", 1, 1, 1),
]


@pytest.mark.parametrize(("exercise", "fact", "name", "player", "own", "mixed"), LINES)
def test_printed_payoff_lines_are_the_expected_payoffs(
    exercise: str, fact: str, name: str, player: int, own: int, mixed: int
) -> None:
    """Each payoff line an explanation prints equals the expected payoff the matrices give."""
    line = EXERCISES[exercise].facts()[fact]
    assert isinstance(line, Affine)
    assert str(line) in EXERCISES[exercise].explanation
    overrides = {"weights.target.penalty": 10} if name == "inspection-criteria" else {}
    scenario = load(name, overrides)
    for p in (Fraction(0), Fraction(1, 3), Fraction(1)):
        mix = [p, 1 - p] if mixed == 0 else [1 - p, p]
        assert line(p) == _expected_payoff(scenario, player, own, mix)


@pytest.mark.parametrize(
    ("exercise", "shown"),
    [
        # Derived by hand from the catalogue files, as in test_known_answers_derived_by_hand.
        ("pennies-heads", ["1 - 2p", "2p - 1", "p = 1/2"]),
        ("chicken-swerve", ["p - 1", "11p - 10", "p = 9/10"]),
        ("stag-hunt-count", ["(stag, stag)", "(hare, hare)", "probability 3/4", "3 in all"]),
        # Default penalty 5: 0 = -5 e + 3 (1 - e)  =>  e = 3/8.
        ("inspection-enforcement", ["3 - 13e", "e = 3/13", "penalty 5", "probability 3/8"]),
        ("inspection-violation", ["pays -1", "-4v", "v = 1/4"]),
        (
            "rare-earth-threshold",
            ["1.6 - c", "reject -0.2", "accept pays -3.65", "c = 1.8", "every mix of reject"],
        ),
        ("continuum-low", ["2p", "1 - p", "p >= 1/3", "(1/3, 2/3)", "(1, 0)"]),
        # games/rare_earth.toml: diversify pays 1 + 0.8 * cohesion 0.75, 0.875, 1 - 0.6; accept
        # against the full offer 0.5 - 2 - 1.6 - 0.4 - 0.15 = -3.65 (rare_earth_fixes.md 3).
        ("rare-earth-default", ["1, 1.1, 1.2", "-3.65, -1.325, 0", "strictly dominant"]),
        ("dominant-strategies", ["defect pays 5, 1", "cooperate pays 3, 0", "(3, 3)"]),
        ("pure-equilibria", ["(bach, bach) pays (2, 1)", "(stravinsky, stravinsky) pays (1, 2)"]),
        # Entry (games/entry.toml): out pays the entrant 0; in pays -q + (1 - q) = 1 - 2q, which
        # is <= 0 iff q >= 1/2; after entry accommodate pays the incumbent 1, fight -1.
        (
            "entry-threat",
            ["pays the Entrant 0", "1 - 2q", "q >= 1/2", "q = 1)", "Incumbent 2 more"],
        ),
        # Card game (games/card_game.toml; Myerson 1991, 3.2): after a raise, meeting pays
        # Player 2 (1/2)(-2) + (1/2) b (2) = b - 1, passing (1/2)(-1) + (1/2) b (-1) =
        # -0.5 - 0.5b; equal at b = 1/3; Player 2 meets with 2/3, Player 1 expects 1/3.
        (
            "card-game-bluff",
            ["probability 1 and", "b - 1", "-0.5 - 0.5b", "b = 1/3", "probability 2/3", "1/3 a"],
        ),
        # Bayes and the receiver's lines, as derived for test_known_answers_derived_by_hand.
        (
            "beer-quiche-bayes",
            ["1/4 x 1 + 3/4 x 1/3 = 1/2", "= (1/4 x 1) / 1/2 = 1/2", "1 - m", "m = 1/2"],
        ),
        (
            "trap-threshold",
            ["23.725 - 5.0625p", "20.1", "p = 58/81", "P(genuine) = 23/81", "50/81 and 58/81"],
        ),
        # Beer-Quiche (games/beer_quiche.toml): beer pool pays 0.9 x 3 + 0.1 x 2 = 2.9 and
        # 0.9; quiche pool 0.9 x 2 + 0.1 x 3 = 2.1 and 0.9. In the quiche pool weak gets 3,
        # beer brings it at most 2; strong gets 2, beer unchallenged 3 (Cho and Kreps 1987).
        (
            "beer-quiche-intuitive",
            [
                "beer (payoffs 2.9, 0.9)",
                "quiche (payoffs 2.1, 0.9)",
                "the weak type gets 3, and beer could bring it at most 2",
                "would gain by it (3 instead of 2)",
                "would lose by it (1 instead of 2)",
                "broken by the strong type sending beer",
            ],
        ),
        # The sequential offer's path and payoffs, as its game file's description states.
        ("sequential-offer", ["declines and diversifies", "United States 1 and Russia -0.875"]),
    ],
)
def test_explanations_show_the_numbers_derived_by_hand(exercise: str, shown: list[str]) -> None:
    """The computed explanation states what a hand derivation from the game files gives."""
    explanation = EXERCISES[exercise].explanation
    for text in shown:
        assert text in explanation, (text, explanation)


@pytest.mark.parametrize(
    ("exercise", "variable"),
    [
        ("pennies-heads", "p"),
        ("chicken-swerve", "p"),
        ("inspection-enforcement", "e"),
        ("inspection-violation", "v"),
        ("card-game-bluff", "b"),
    ],
)
def test_the_tie_an_explanation_prints_is_the_solvers_answer(exercise: str, variable: str) -> None:
    """Where the printed payoff lines meet is the answer the exact solver gives."""
    assert f"{variable} = {solution(exercise)}" in EXERCISES[exercise].explanation


def test_the_threshold_explanation_is_the_library_at_every_weight() -> None:
    """The printed lines match the payoffs at other weights, and the US flips at their tie."""
    cost = "weights.us.diversification_cost"
    facts = EXERCISES["rare-earth-threshold"].facts()
    diversify, reject, c = (
        facts["chosen_pays"],
        facts["other_pays"],
        solution("rare-earth-threshold"),
    )
    assert isinstance(diversify, Affine)
    assert isinstance(reject, Affine)
    assert (facts["strategy"], facts["other"], facts["offer"]) == ("diversify", "reject", "full")
    for weight in (Fraction(-2), Fraction(0), Fraction(7, 2), Fraction(10)):
        game = payoff_matrices(load("rare-earth", {cost: weight}))
        assert (diversify(weight), reject(weight)) == (game.A[2][0], game.A[1][0])
    # Just below the tie the US diversifies, just above it rejects the full offer; at it the
    # game is degenerate with one component joining the two (rare_earth_fixes.md section 3:
    # "at 1.8 (degenerate): Diversify / Full offer -> Reject / Full offer").
    assert c == Fraction(9, 5)
    for weight, row in ((c - Fraction(1, 10), 2), (c + Fraction(1, 10), 1)):
        (eq,) = solve(load("rare-earth", {cost: weight}), "exact").equilibria
        assert eq.support == ((row,), (0,))
    at = solve(load("rare-earth", {cost: c}), "exact")
    assert at.degenerate
    assert [len(comp.equilibria) for comp in at.components] == [2]


def test_the_default_weight_as_threshold_is_told_which_slip() -> None:
    """Answering the default cost weight gets the diagnosis of that slip before the hint."""
    feedback = check("rare-earth-threshold", "0.6")
    assert feedback.status == "wrong"
    assert "That is the default weight, 0.6: at it the US still plays diversify" in (
        feedback.message
    )
    assert EXERCISES["rare-earth-threshold"].hint in feedback.message


def test_the_texts_follow_the_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a different scenario the explanation's numbers and the answer change together."""
    real = matrix_exercises.load_matrix

    def more_supply(
        name: str, overrides: Mapping[str, object] | Iterable[tuple[str, object]] = ()
    ) -> Scenario:
        extra: dict[str, object] = {"weights.us.supply_security": 2} if name == "rare-earth" else {}
        return real(name, {**extra, **dict(overrides)})

    monkeypatch.setattr(matrix_exercises, "load_matrix", more_supply)
    # Diversifying secures supply 1 at weight 2: 2 + 0.6 - c = -0.2 at c = 2.8 = 14/5.
    assert solution("rare-earth-threshold") == Fraction(14, 5)
    explanation = EXERCISES["rare-earth-threshold"].explanation
    assert "2.6 - c" in explanation
    assert "c = 2.8" in explanation
    assert check("rare-earth-threshold", "2.80").correct
    assert not check("rare-earth-threshold", "9/5").correct


# --- Item 2: the checker reads answers as a teacher would -------------------------------------


@pytest.mark.parametrize(
    "answer", [0.23, 0.2308, "0.23", "0.2308", 0.231, "3/13", " 3 / 13 ", "23%", "23.08 %"]
)
def test_rounded_or_exact_forms_of_3_13_are_accepted(answer: object) -> None:
    """3/13 = 0.2307...: rounded to 2 places or more, or as a fraction, it is right."""
    feedback = check("inspection-enforcement", answer)
    assert feedback.correct, feedback.message


@pytest.mark.parametrize("answer", [0.333, "0.333", 0.33, Decimal("0.3333"), "33.3%", 1 / 3])
def test_a_third_to_three_decimals_is_accepted(answer: object) -> None:
    """1/3 rounded to 2 or more places, as a number, string, Decimal or percentage, is right."""
    assert check("continuum-low", answer).correct


def test_a_decimal_says_what_it_was_rounded_from() -> None:
    """A rounded decimal is accepted with the exact value it rounds, so nothing is hidden."""
    assert "0.2308 is 3/13 rounded to 4 decimals" in check("inspection-enforcement", 0.2308).message


@pytest.mark.parametrize("answer", ["50%", "50 %", "50.0%", " 50% "])
def test_percentages_are_read_where_a_probability_is_asked(answer: str) -> None:
    """Matching pennies' 1/2 as a percentage is right."""
    assert check("pennies-heads", answer).correct


def test_a_wrong_percentage_is_read_and_echoed() -> None:
    """A percentage that is read and wrong says how it was read, then gives the hint."""
    feedback = check("pennies-heads", "60%")
    assert feedback.status == "wrong"
    assert "I read '60%' as 0.6" in feedback.message
    assert EXERCISES["pennies-heads"].hint in feedback.message


@pytest.mark.parametrize("answer", [3, "3", " 3 ", 3.0, "3.0"])
def test_a_count_may_be_a_number_or_a_numeric_string(answer: object) -> None:
    """The stag hunt's 3 equilibria are counted right as 3 or "3"."""
    assert check("stag-hunt-count", answer).correct


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        (0.2, "has 1 decimal; the question asks for at least 2"),
        ("0.2", "has 1 decimal"),
        (0.2307, "not the answer rounded to 4 decimals"),  # truncated, not rounded
        (0.24, "not the answer rounded to 2 decimals"),
    ],
)
def test_right_reasoning_with_wrong_rounding_is_told_so(answer: object, says: str) -> None:
    """Too few places, or close but wrongly rounded, is "imprecise", without the hint."""
    feedback = check("inspection-enforcement", answer)
    assert feedback.status == "imprecise"
    assert says in feedback.message
    assert "Hint" not in feedback.message


@pytest.mark.parametrize(
    ("exercise", "answer", "says"),
    [
        ("rare-earth-default", "acept", "expected one of: accept, reject, diversify"),
        ("rare-earth-default", 2, "not a strategy of the row player (United States)"),
        ("pennies-heads", 50, "For a percentage write it with %: '50%'"),
        ("pennies-heads", "50", "I read '50' as 50"),
        ("pennies-heads", "-0.5", "not a probability"),
        ("pennies-heads", "0,5", "write decimals with a point, as '0.5'"),
        ("pennies-heads", "half", "'half' is not a number"),
        ("pennies-heads", "1/0", "divides by zero"),
        ("pennies-heads", float("nan"), "not a finite number"),
        ("pennies-heads", [0.5], "expected one probability"),
        ("rare-earth-threshold", "400%", "asks for a number, not a probability"),
        ("stag-hunt-count", True, "yes/no value"),
        ("stag-hunt-count", 2.5, "a count is a whole number"),
        ("stag-hunt-count", "three", "'three' is not a number"),
        ("pure-equilibria", 3, "not a list of pairs"),
        ("pure-equilibria", [("bach", "mozart")], "not a strategy of the column player"),
        ("dominant-strategies", {"row": "defect"}, "No strategy for column"),
        ("dominant-strategies", ["defect", "defect"], "not a dict"),
        ("dominant-strategies", {"judge": "defect", "column": "defect"}, "not a player"),
        ("entry-threat", "flight", "not an action of Incumbent (after in)"),
        ("entry-threat", 1, "expected one of: fight (fights), accommodate (accommodates)"),
        ("sequential-offer", "accept", "not an action of Russia (at the start)"),
        ("card-game-bluff", "one third", "'one third' is not a number"),
        ("card-game-bluff", "3", "3 is not a probability"),
        ("beer-quiche-intuitive", "strong", "not an action of Sender"),
        ("trap-threshold", "72", "For a percentage write it with %"),
    ],
)
def test_an_answer_that_cannot_be_read_is_told_so(exercise: str, answer: object, says: str) -> None:
    """An unreadable answer gets what was read and what was expected, never the hint."""
    feedback = check(exercise, answer)
    assert feedback.status == "unreadable"
    assert feedback.message.startswith(f"Could not read the answer ({exercise})")
    assert says in feedback.message, feedback.message
    assert EXERCISES[exercise].hint not in feedback.message


def test_a_lone_pair_is_read_as_a_list_of_one() -> None:
    """A single (row, column) pair is read as one pair and said so, then judged."""
    feedback = check("pure-equilibria", ("bach", "bach"))
    assert feedback.status == "wrong"
    assert "as the one pair" in feedback.message


@pytest.mark.parametrize("exercise", NUMERIC)
def test_every_numeric_question_states_its_precision(exercise: str) -> None:
    """Each numeric question says how many decimals count, and percentages for probabilities."""
    e = EXERCISES[exercise]
    assert f"rounded to {e.places} places or more" in e.question
    assert ("percentage" in e.question) == (e.kind == "probability")


def test_feedback_renders_in_a_notebook() -> None:
    """In Jupyter the verdict's headline is bold and the detail follows."""
    markdown = check("chicken-swerve", "9/10")._repr_markdown_()
    assert markdown.startswith("**Correct (chicken-swerve).** Against Driver A")


def test_unknown_exercises_raise() -> None:
    """A mistyped exercise id is a KeyError naming the known ids."""
    with pytest.raises(KeyError, match=r"unknown exercise.*chicken-swerve"):
        check("no-such-exercise", 1)


def test_committed_notebooks_are_generated_from_the_registry(tmp_path: Path) -> None:
    """notebooks/make_exercises.py reproduces both committed notebooks byte for byte."""
    subprocess.run(
        [sys.executable, str(ROOT / "notebooks" / "make_exercises.py"), str(tmp_path)],
        check=True,
        capture_output=True,
    )
    for name in ("03-classroom-exercises.ipynb", "03-classroom-exercises-solutions.ipynb"):
        assert (tmp_path / name).read_text() == (ROOT / "notebooks" / name).read_text(), name


# --- Game-tree exercises: every number printed, recomputed here -------------------------------


def _backward(tree: TreeScenario, v: int) -> tuple[Fraction, ...]:
    """A perfect-information subtree's value by plain recursive backward induction (max)."""
    node = tree.nodes[v]
    if node.kind == "leaf":
        return node.payoffs
    values = [_backward(tree, c) for c in node.children]
    return max(values, key=lambda x: x[node.player])


def test_each_backward_induction_step_is_recomputed() -> None:
    """Every action value and choice the sequential-offer explanation prints is the recursion's."""
    tree = load_tree("rare-earth-sequential")
    explanation = EXERCISES["sequential-offer"].explanation
    for node in tree.nodes:
        if node.kind != "decision":
            continue
        k = node.player
        pays = [_backward(tree, c)[k] for c in node.children]
        best = node.actions[pays.index(max(pays))]
        assert pays.count(max(pays)) == 1  # no ties, so the SPE is unique
        shown = ", ".join(f"{a} {num(x)}" for a, x in zip(node.actions, pays, strict=True))
        assert f"{tree.players[k].label} takes {best} ({shown})" in explanation
    root = _backward(tree, 0)
    assert f"United States {num(root[0])} and Russia {num(root[1])}" in (explanation)
    assert solution("sequential-offer") == "full"


def test_the_entry_line_is_the_entrants_expected_payoff() -> None:
    """The printed 1 - 2q is the entrant's payoff of entering when fight has probability q."""
    tree = load_tree("entry")
    line = EXERCISES["entry-threat"].facts()["enter_pays"]
    assert isinstance(line, Affine)
    fight, accommodate = (tree.node(f"tree.in.{a}").payoffs[0] for a in ("fight", "accommodate"))
    for q in (Fraction(0), Fraction(1, 2), Fraction(3, 4), Fraction(1)):
        assert line(q) == q * fight + (1 - q) * accommodate
    assert line.root_with(Affine(Fraction(0), tree.node("tree.out").payoffs[0], "q")) == (
        Fraction(1, 2)
    )
    # The node the question asks about is where solve_reduced finds every threat.
    assert {e.threat.node for e in tree_exercises._threatening() if e.threat} == {"tree.in"}
    assert EXERCISES["entry-threat"].node == "tree.in"


def test_the_card_game_lines_are_player_twos_expected_payoffs() -> None:
    """Meet and pass lines equal the leaf payoffs weighted by the chance of each raise."""
    tree = load_tree("card-game")
    facts = EXERCISES["card-game-bluff"].facts()
    for action in ("meet", "pass"):
        line = facts["first_pays" if action == "meet" else "second_pays"]
        assert isinstance(line, Affine)
        red, black = (tree.node(f"tree.{c}.raise.{action}").payoffs[1] for c in ("red", "black"))
        for b in (Fraction(0), Fraction(1, 3), Fraction(1, 2), Fraction(1)):
            # red raises always (probability 1 in the equilibrium), black with b; 1/2 each card.
            assert line(b) == Fraction(1, 2) * red + Fraction(1, 2) * b * black


def test_tree_answers_with_the_wrong_rounding_are_told_so() -> None:
    """1/3 as 0.3 or 0.34 is "nearly", without the hint; 0.333 is right."""
    assert check("card-game-bluff", 0.3).status == "imprecise"
    assert check("card-game-bluff", 0.34).status == "imprecise"
    assert check("card-game-bluff", "0.333").correct


def test_the_tree_texts_follow_the_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    """With Beijing weighed more, the answer and the printed steps change together."""
    real = tree_exercises.load_tree
    extra = {"weights.russia.china_relations": 2}

    def china_first(
        name: str, overrides: Mapping[str, object] | Iterable[tuple[str, object]] = ()
    ) -> TreeScenario:
        more = extra if name == "rare-earth-sequential" else {}
        return real(name, {**more, **dict(overrides)})

    monkeypatch.setattr(tree_exercises, "load_tree", china_first)
    # games/rare_earth_sequential.toml: above a China weight of 1 Russia makes no offer.
    assert solution("sequential-offer") == "withhold"
    assert check("sequential-offer", "makes no offer").correct
    assert not check("sequential-offer", "full").correct
    tree = real("rare-earth-sequential", extra)
    root = tree.nodes[0]
    pays = [_backward(tree, c)[root.player] for c in root.children]
    shown = ", ".join(f"{a} {num(x)}" for a, x in zip(root.actions, pays, strict=True))
    explanation = EXERCISES["sequential-offer"].explanation
    assert f"at the start Russia takes withhold ({shown})" in explanation


# --- Beliefs and signalling: every number printed is the PBE solver's --------------------------


def test_the_bayes_answer_is_the_solvers_belief_and_bayes_rule() -> None:
    """The answer is solve_pbe's belief after beer, and Bayes' rule on its behaviour gives it."""
    tree = load_tree("beer-quiche", {"types.sender.strong": "1/4"})
    (eq,) = solve_pbe(tree, nash=False).equilibria
    assert eq.kind == "hybrid"
    beer = tree.infosets[tree.node("tree.strong.beer").infoset]
    strong_node = beer.nodes[0]
    belief = eq.beliefs[beer.index]
    s_beer = eq.behaviour[tree.node("tree.strong").infoset][0]
    w_beer = eq.behaviour[tree.node("tree.weak").infoset][0]
    prior = Fraction(1, 4)
    assert belief[strong_node] == prior * s_beer / (prior * s_beer + (1 - prior) * w_beer)
    assert solution("beer-quiche-bayes") == belief[strong_node] == Fraction(1, 2)
    # The receiver's printed lines are its expected payoffs at belief m (leaves of the tree).
    facts = EXERCISES["beer-quiche-bayes"].facts()
    for key, action in (("first_pays", "duel"), ("second_pays", "no_duel")):
        line = facts[key]
        assert isinstance(line, Affine)
        at_strong = tree.node(f"tree.strong.beer.{action}").payoffs[1]
        at_weak = tree.node(f"tree.weak.beer.{action}").payoffs[1]
        for m in (Fraction(0), Fraction(1, 3), Fraction(1)):
            assert line(m) == m * at_strong + (1 - m) * at_weak


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("1/4", "That is the prior, 1/4"),
        ("0.33", "how often the weak type orders beer, P(beer | weak)"),
        (1, "if only the strong type ordered beer (a separating equilibrium)"),
    ],
)
def test_typical_bayes_slips_are_named(answer: object, says: str) -> None:
    """The prior, the likelihood and the separating belief each get their own diagnosis."""
    feedback = check("beer-quiche-bayes", answer)
    assert feedback.status == "wrong"
    assert says in feedback.message
    assert EXERCISES["beer-quiche-bayes"].hint in feedback.message


def test_the_trap_threshold_is_prior_thresholds_and_the_lines_tie_there() -> None:
    """The answer is an exact prior_thresholds change, where the printed payoff lines meet."""
    tree = load_tree("rare-earth-trap", {"weights.us.supply_security": 20})
    found = prior_thresholds(tree, "types.russia.trap", ["0", "0.5", "1"])
    inside = [t.value for t in found if 0 < t.low < 1]
    answer = solution("trap-threshold")
    assert answer in inside
    assert answer == Fraction(4 * 20 - 22, 4 * 20 + 1)  # closed form, test_rare_earth_trap.py
    facts = EXERCISES["trap-threshold"].facts()
    hedge, decline = facts["answer_pays"], facts["other_pays"]
    assert isinstance(hedge, Affine)
    assert isinstance(decline, Affine)
    assert hedge.root_with(decline) == answer
    honour = tree.node("tree.genuine.limited.hedge.honour").payoffs[0]
    weaponise = tree.node("tree.trap.limited.hedge.weaponise").payoffs[0]
    for p in (Fraction(0), Fraction(1, 2), Fraction(1)):
        assert hedge(p) == (1 - p) * honour + p * weaponise
        assert decline(p) == tree.node("tree.trap.limited.diversify").payoffs[0]
    # Just below the threshold a PBE has both types offer the limited deal and the US hedge
    # it; just above, none does (regime words from solve_pbe).
    offer = (
        "after Russia makes the limited offer (Russia only), United States accepts and "
        "diversifies (hedges); "
    )
    for p, present in ((answer - Fraction(1, 100), True), (answer + Fraction(1, 100), False)):
        pbe = solve_pbe(tree.with_overrides({"types.russia.trap": p}), nash=False)
        assert (offer in regime(pbe)) == present


@pytest.mark.parametrize(
    ("answer", "says"),
    [
        ("23/81", "That is P(genuine) at the threshold"),
        ("0.8", "the prior the game file assumes, 4/5"),
        (
            "50/81",
            "the pool in which Russia makes the limited offer (Russia only) and the United "
            "States accepts and diversifies (hedges) survives it",
        ),
    ],
)
def test_typical_threshold_slips_are_named(answer: object, says: str) -> None:
    """The complement, the file's prior and the other threshold each get their diagnosis."""
    feedback = check("trap-threshold", answer)
    assert feedback.status == "wrong"
    assert says in feedback.message


def test_the_intuitive_answer_is_the_pool_solve_pbe_rejects() -> None:
    """The answer is the pool solve_pbe marks not intuitive, broken by the type printed."""
    tree = load_tree("beer-quiche")
    sets = solve_pbe(tree).sets
    assert [s.kind for s in sets] == ["pooling", "pooling"]
    (failing,) = [s for s in sets if s.intuitive is False]
    assert failing.pattern.startswith("Sender, whatever its type, orders quiche; ")
    assert solution("beer-quiche-intuitive") == "quiche"
    explanation = EXERCISES["beer-quiche-intuitive"].explanation
    for d in failing.point.broken_by:
        assert f"the {d.type} type sending {d.message}" in explanation
    for s in sets:  # the printed payoffs are the sets' (each a single point here)
        shown = ", ".join(num(lo) for lo, hi in s.payoff_range if lo == hi)
        assert f"(payoffs {shown})" in explanation


def test_the_surviving_pool_as_answer_is_told_why_it_survives() -> None:
    """Answering beer gets the reason the beer pool passes the Intuitive Criterion."""
    feedback = check("beer-quiche-intuitive", "Beer")
    assert feedback.status == "wrong"
    assert "The pool on beer survives the criterion" in feedback.message
    assert "the weak type would lose by it (1 instead of 2)" in feedback.message
