"""Generate the classroom-exercise notebook and its solutions version from one source.

The source is the exercise registry, :data:`negotiation.teaching.exercises.EXERCISES`: each
exercise's question, hint and check live there, and its answer is computed by the library.
Run ``python notebooks/make_exercises.py`` after changing an exercise; the test suite
checks the committed notebooks are what this script writes, and executes both.
"""

from __future__ import annotations

import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from negotiation.teaching.exercises import EXERCISES

HERE = Path(__file__).resolve().parent
STUDENT = "03-classroom-exercises.ipynb"
SOLUTIONS = "03-classroom-exercises-solutions.ipynb"

INTRO = """# Classroom exercises

Each exercise below asks a question about a game from the catalogue. Work it out (with pen
and paper, with `negotiation show NAME` in a terminal, or with the library in a scratch
cell), write your answer in the cell where it says `answer = ...`, and run the cell: the
check says whether you are right and, if not, gives a hint.

How the checks read your answer: a probability may be a fraction (`2/7`), a decimal
rounded to the places the question states or more (`0.29`, `0.2857`), or a percentage
(`"29%"`); counts and numbers may also be written as strings (`"5"`); strategies by id or
label, in any case. If a check cannot read an answer it says how it read it and what it
expected; if only your rounding is off it says so; the hint is for answers that are read
and wrong.

The answers are never stored: each check computes the right answer with the library, from
the same game files you can read in `games/`, and so are the numbers in every explanation.

Topics: dominance, pure and mixed equilibria, multiple equilibria and coordination, the
inspection paradox, degenerate games and continua of equilibria, game trees (backward
induction, threats that are not credible, mixing behind an information set), and beliefs
and signalling (Bayes' rule on the path, a prior threshold, the Intuitive Criterion; these
follow notebook 07). For a tree question, answer with an action's id or label (`"fight"` or
`"fights"`); `negotiation show NAME` draws the tree and `negotiation solve NAME` says its
perfect Bayesian equilibria in words. A wrong answer that a typical slip gives (a prior
where a posterior is asked, say) is told which slip."""

SOLUTIONS_NOTE = """This is the solutions twin of `03-classroom-exercises.ipynb`, for teachers: each
answer cell calls `solution(...)`, which computes the answer with the library, and each
exercise ends with the explanation a right answer gets, its numbers computed from the game."""

SETUP = (
    "# Tools for scratch work, and the checker.\n"
    "from negotiation import Game, load, payoff_matrices, solve\n"
    "from negotiation.model.catalogue import load_tree\n"
    "from negotiation.solvers.pbe import prior_thresholds, solve_pbe\n"
    "from negotiation.solvers.spe import solve_spe\n"
    "from negotiation.teaching.exercises import check"
)


def build(solutions: bool) -> nbformat.NotebookNode:
    """The exercise notebook, with the answer cells left blank or filled in."""
    title = (
        INTRO
        if not solutions
        else INTRO.replace("# Classroom exercises", "# Classroom exercises: solutions", 1)
        + "\n\n"
        + SOLUTIONS_NOTE
    )
    setup = SETUP + (", solution" if solutions else "")
    cells = [new_markdown_cell(title), new_code_cell(setup)]
    for number, exercise in enumerate(EXERCISES.values(), start=1):
        cells.append(
            new_markdown_cell(
                f"## {number}. {exercise.title}\n\n"
                f"*Topic: {exercise.topic}.*\n\n{exercise.question}"
            )
        )
        if solutions:
            source = (
                f'answer = solution("{exercise.id}")  # computed by the library\n'
                f"print(answer)\n"
                f'check("{exercise.id}", answer)'
            )
        else:
            source = f'answer = ...  # your answer here\ncheck("{exercise.id}", answer)'
        cells.append(new_code_cell(source))
        if solutions:
            cells.append(new_markdown_cell(f"**Why.** {exercise.explanation}"))
    notebook = new_notebook(cells=cells)
    notebook.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    notebook.metadata["language_info"] = {"name": "python"}
    return notebook


def write(folder: Path) -> list[Path]:
    """Write both notebooks into ``folder``; returns their paths."""
    paths = []
    for name, solutions in ((STUDENT, False), (SOLUTIONS, True)):
        notebook = build(solutions)
        for k, cell in enumerate(notebook.cells):
            cell["id"] = f"cell-{k}"  # stable ids, so regenerating changes nothing
        nbformat.validate(notebook)
        path = folder / name
        path.write_text(nbformat.writes(notebook) + "\n", encoding="utf-8")
        paths.append(path)
    return paths


if __name__ == "__main__":
    for path in write(Path(sys.argv[1]) if len(sys.argv) > 1 else HERE):
        print(f"wrote {path}")
