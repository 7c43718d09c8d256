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
    "rare-earth-threshold": 4.5,
    "continuum-low": 0,
    "sequential-offer": "withhold",
    "entry-threat": "accommodate",
    "card-game-bluff": "1/2",
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
        # Rare earth against the full offer (games/rare_earth.toml, weights x scores):
        # accept 2w - 2 - 0.8*2 - 0.8*2 - 0.3*2 = 2w - 5.8, diversify 0.5w + 0.8 - 0.6 =
        # 0.5w + 0.2; equal at w = 4.
        ("rare-earth-threshold", 4),
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
    ],
)
def test_known_answers_derived_by_hand(exercise: str, answer: object) -> None:
    """Answers derived by hand (see comments) are accepted, in any of the accepted forms."""
    assert check(exercise, answer).correct


# --- Item 1: every number shown is computed, or recomputed here ------------------------------

CITATION = re.compile(r"\([A-Z][a-z]+ \d{4}\)")  # an author-year citation, "(Tsebelis 1990)"
NUMBER_WORDS = re.compile(r"\b(two|three|four|five|six|seven|eight|nine|ten|half|twice)\b")


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_templates_hold_no_numbers_of_their_own(exercise: str) -> None:
    """Question, hint and explanation show only numbers filled in from computed facts."""
    e = EXERCISES[exercise]
    for template in (e.question_template, e.hint_template, e.explanation_template):
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
        ("rare-earth-threshold", ["2w - 5.8", "0.5w + 0.2", "w = 4", "degenerate"]),
        ("continuum-low", ["2p", "1 - p", "p >= 1/3", "(1/3, 2/3)", "(1, 0)"]),
        ("rare-earth-default", ["0.7, 0.7, 0.7", "-3.8, -1.4, -0.4", "strictly dominant"]),
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
    facts = EXERCISES["rare-earth-threshold"].facts()
    accept, diversify, w = (
        facts["accept_pays"],
        facts["diversify_pays"],
        solution("rare-earth-threshold"),
    )
    assert isinstance(accept, Affine)
    assert isinstance(diversify, Affine)
    for weight in (Fraction(-2), Fraction(3), Fraction(7, 2), Fraction(10)):
        game = payoff_matrices(load("rare-earth", {"weights.us.supply_security": weight}))
        assert (accept(weight), diversify(weight)) == (game.A[0][0], game.A[2][0])
    # Just below the tie the US diversifies; just above it accepts the full offer; at it the
    # game is degenerate (README: "Above a supply-security weight of exactly 4").
    for weight, row in ((w - Fraction(1, 10), 2), (w + Fraction(1, 10), 0)):
        (eq,) = solve(
            load("rare-earth", {"weights.us.supply_security": weight}), "exact"
        ).equilibria
        assert eq.support == ((row,), (0,))
    assert solve(load("rare-earth", {"weights.us.supply_security": w}), "exact").degenerate


def test_the_texts_follow_the_scenario(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a different scenario the explanation's numbers and the answer change together."""
    real = matrix_exercises.load_matrix

    def heavier_law(
        name: str, overrides: Mapping[str, object] | Iterable[tuple[str, object]] = ()
    ) -> Scenario:
        extra: dict[str, object] = {"weights.us.legitimacy": 2} if name == "rare-earth" else {}
        return real(name, {**extra, **dict(overrides)})

    monkeypatch.setattr(matrix_exercises, "load_matrix", heavier_law)
    # Accept against the full offer loses 2 x 2 more for the law: 2w - 7.8 = 0.5w + 0.2
    # at w = 16/3.
    assert solution("rare-earth-threshold") == Fraction(16, 3)
    explanation = EXERCISES["rare-earth-threshold"].explanation
    assert "2w - 7.8" in explanation
    assert "w = 16/3" in explanation
    assert check("rare-earth-threshold", "5.33").correct
    assert not check("rare-earth-threshold", 4).correct


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
        shown = ", ".join(
            f"{a} {num(x)}" for a, x in zip(node.actions, pays, strict=True)
        )
        assert f"{tree.players[k].label} takes {best} ({shown})" in explanation
    root = _backward(tree, 0)
    assert f"United States {num(root[0])} and Russia {num(root[1])}" in (
        explanation
    )
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
