"""Classroom exercises: checks accept the right answer, reject wrong ones with a hint."""

from __future__ import annotations

import subprocess
import sys
from fractions import Fraction
from pathlib import Path

import pytest

from negotiation.teaching.exercises import EXERCISES, check, solution

ROOT = Path(__file__).resolve().parent.parent

# Wrong answers of the right kind, one per exercise.
WRONG = {
    "dominant-strategies": {"row": "cooperate", "column": "defect"},
    "pure-equilibria": [("bach", "bach")],
    "pennies-heads": 0.6,
    "chicken-swerve": "1/10",
    "stag-hunt-count": 2,
    "inspection-enforcement": "3/8",
    "inspection-violation": 0.3,
    "rare-earth-default": "accept",
    "rare-earth-threshold": 4.5,
    "continuum-low": 0,
}


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
    """check() accepts the answer the library computes, with an explanation."""
    feedback = check(exercise, solution(exercise))
    assert feedback.correct
    assert feedback.message.startswith("Correct")


@pytest.mark.parametrize("exercise", list(EXERCISES))
def test_a_wrong_answer_gets_a_hint(exercise: str) -> None:
    """check() rejects a wrong answer and shows the hint; `...` means not answered."""
    feedback = check(exercise, WRONG[exercise])
    assert not feedback.correct
    assert EXERCISES[exercise].hint in feedback.message
    assert not check(exercise, ...).correct
    assert "Not answered yet" in check(exercise, ...).message


@pytest.mark.parametrize(
    ("exercise", "answer"),
    [
        # Pennies: the Mismatcher is indifferent iff -p + (1 - p) = p - (1 - p), so p = 1/2.
        ("pennies-heads", Fraction(1, 2)),
        # Chicken: -(1 - p) = 11p - 10  =>  p = 9/10 (payoffs in games/chicken.toml).
        ("chicken-swerve", "9/10"),
        # Inspection, penalty 10: 0 = -10 e + 3 (1 - e)  =>  e = 3/13 (Tsebelis 1990).
        ("inspection-enforcement", 3 / 13),
        # Sender indifferent: -1 = -4 v  =>  v = 1/4, whatever the penalty.
        ("inspection-violation", "0.25"),
        # Rare earth: 2w - 3.8 = 0.5w + 0.2  =>  w = 4 (games/rare_earth.toml).
        ("rare-earth-threshold", 4),
        # Continuum: column 1 stays a best reply while 2p >= 1 - p  =>  p >= 1/3.
        ("continuum-low", "1/3"),
        ("stag-hunt-count", 3),
        ("rare-earth-default", "Diversify"),
        ("pure-equilibria", [("Stravinsky", "stravinsky"), ("bach", "Bach")]),
        ("dominant-strategies", {"row": "Defect", "column": "defect"}),
    ],
)
def test_known_answers_derived_by_hand(exercise: str, answer: object) -> None:
    """Answers derived by hand (see comments) are accepted, in any of the accepted forms."""
    assert check(exercise, answer).correct


def test_malformed_answers_are_wrong_not_errors() -> None:
    """Unparseable answers are marked wrong instead of raising."""
    assert not check("chicken-swerve", "nine tenths").correct
    assert not check("pure-equilibria", 3).correct
    assert not check("stag-hunt-count", True).correct
    with pytest.raises(KeyError, match="unknown exercise"):
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
