"""Presenting scenarios and solutions: readable tables, and the stable JSON document.

The JSON document of :func:`solution_document` is a stable interface (documented in
``docs/reference/json.md``); keys may be added, never renamed or removed::

    {"scenario": str, "players": [{"id": str, "strategies": [str, ...], ...}, ...],
     "payoffs": {"<player id>": [[float]]},
     "degenerate": bool,
     "equilibria": [{"strategies": {"<player id>": [float, ...]},
                     "payoffs": {"<player id>": float}, "pure": bool, ...}, ...],
     ...}
"""

from __future__ import annotations

import re
import textwrap
from collections.abc import Iterable, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, Any

from negotiation.model.payoffs import CellBreakdown, payoff_matrices
from negotiation.model.scenario import Matrix, Player, Scenario
from negotiation.output.escape import printable as printable  # re-exported: report.printable
from negotiation.solvers.components import NashSubset
from negotiation.solvers.equilibria import METHODS, Solution
from negotiation.solvers.exact import Vector

if TYPE_CHECKING:
    from negotiation.studies.sweep import SweepResult

#: Version of the JSON document layout; bumped only if a key changes meaning.
SCHEMA_VERSION = 1


#: Characters that could move the cursor, clear the screen, change colours or reorder
#: text on a terminal: C0 and C1 controls (ESC, CR, BEL, ...), DEL, line and paragraph
#: separators, and the bidirectional embedding, override and isolate marks.
def _lines(lines: Iterable[str]) -> str:
    """Join report lines, each made printable (see :func:`printable`)."""
    return "\n".join(printable(line) for line in lines)


def number(x: Fraction) -> str:
    """A short decimal form of an exact number: integers bare, others to 6 significant digits.

    >>> number(Fraction(7, 10)), number(Fraction(2)), number(Fraction(1, 3))
    ('0.7', '2', '0.333333')
    """
    if x.denominator == 1:
        return str(x.numerator)
    return f"{float(x):.6g}"


def solution_document(
    scenario: Scenario, solution: Solution, overrides: Iterable[tuple[str, Fraction]] = ()
) -> dict[str, Any]:
    """The JSON-ready description of a solved scenario (see the module docstring)."""
    row, col = scenario.players
    ids = (row.id, col.id)
    game = solution.game
    players = [
        {
            "id": p.id,
            "label": p.label,
            "role": role,
            "strategies": list(p.strategy_ids),
            "strategy_labels": list(p.strategy_labels),
        }
        for p, role in ((row, "row"), (col, "column"))
    ]
    pairs = _pairs(solution)
    equilibria = []
    for e in solution.equilibria:
        strategies = dict(zip(ids, (e.row, e.col), strict=True))
        equilibria.append(
            {
                "strategies": {pid: [float(p) for p in s] for pid, s in strategies.items()},
                "payoffs": {pid: float(v) for pid, v in zip(ids, e.payoffs, strict=True)},
                "pure": e.pure,
                "support": {
                    pid: [p.strategy_ids[i] for i in sup]
                    for pid, p, sup in zip(ids, (row, col), e.support, strict=True)
                },
                "exact": {
                    "strategies": {pid: [str(p) for p in s] for pid, s in strategies.items()},
                    "payoffs": {pid: str(v) for pid, v in zip(ids, e.payoffs, strict=True)},
                },
                "found_by_method": e.found_by_method,
            }
        )
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario.name,
        "title": scenario.title,
        "file": scenario.origin,
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
        "players": players,
        "payoffs": {
            ids[0]: [[float(x) for x in r] for r in game.A],
            ids[1]: [[float(x) for x in r] for r in game.B],
        },
        "degenerate": solution.degenerate,
        "method": solution.method,
        "tolerance": solution.tolerance,
        "equilibria": equilibria,
        "components": [
            {
                "equilibria": list(c.equilibria),
                "isolated": c.isolated,
                "nash_subsets": [
                    {
                        "strategies": {
                            ids[0]: [
                                [float(p) for p in solution.row_strategies[i]] for i in s.rows
                            ],
                            ids[1]: [
                                [float(p) for p in solution.col_strategies[j]] for j in s.cols
                            ],
                        },
                        "equilibria": [
                            k
                            for k in c.equilibria
                            if pairs[k][0] in s.rows and pairs[k][1] in s.cols
                        ],
                    }
                    for s in c.subsets
                ],
            }
            for c in solution.components
        ],
        "notes": list(solution.notes),
    }


def _pairs(solution: Solution) -> list[tuple[int, int]]:
    """Each equilibrium's indices into the extreme row and column strategies."""
    return [
        (solution.row_strategies.index(e.row), solution.col_strategies.index(e.col))
        for e in solution.equilibria
    ]


def mix(player: Player, strategy: Vector) -> str:
    """A mixed strategy in words: ``Accept`` if pure, else ``Accept 0.333, Reject 0.667``."""
    played = [(s.label, p) for s, p in zip(player.strategies, strategy, strict=True) if p > 0]
    if len(played) == 1:
        return played[0][0]
    return ", ".join(f"{label} {float(p):.3g}" for label, p in played)


def solution_table(
    scenario: Scenario, solution: Solution, overrides: Sequence[tuple[str, Fraction]] = ()
) -> str:
    """A readable report of every equilibrium: strategies, payoffs, pure or mixed, notes."""
    row, col = scenario.players
    lines = [f"{scenario.title or scenario.name}  [{scenario.name}: {scenario.origin}]"]
    for path, value in overrides:
        lines.append(f"  override: {path} = {number(value)}")
    count = len(solution.equilibria)
    kind = "degenerate" if solution.degenerate else "non-degenerate"
    noun = "extreme equilibria" if solution.degenerate else "equilibria"
    lines.append(
        f"{count} {noun if count != 1 else noun.replace('equilibria', 'equilibrium')} "
        f"of this {kind} game, each verified as a mutual best response "
        f"(exactly, and in floating point within {solution.tolerance:g}):"
    )
    header = ["#", "type", row.label, col.label, f"payoff {row.id}", f"payoff {col.id}"]
    body = [
        [
            str(k + 1),
            "pure" if e.pure else "mixed",
            mix(row, e.row),
            mix(col, e.col),
            number(e.payoffs[0]),
            number(e.payoffs[1]),
        ]
        for k, e in enumerate(solution.equilibria)
    ]
    lines += ["", *_columns(header, body, right=(0, 4, 5)), ""]
    if solution.method != "exact":
        found = sum(e.found_by_method for e in solution.equilibria)
        lines.append(
            f"Cross-check: {METHODS[solution.method].split(' (')[0]} found {found} of {count}; "
            "the reported set comes from exact rational vertex enumeration."
        )
    lines += [f"Note: {n}" for n in solution.notes]
    if solution.degenerate:  # after the notes, which refer to "the components below"
        lines += ["", *_components_text(scenario, solution)]
    return _lines(lines).rstrip() + "\n"


#: Width of the wrapped lines of a components block, and how much of it is shown: at most
#: this many continua, each with at most this many maximal Nash subsets (the JSON output
#: has them all).
COMPONENT_WIDTH = 88
SHOWN_CONTINUA = 20
SHOWN_SUBSETS = 10
SHOWN_HULL = 6


def _components_text(scenario: Scenario, solution: Solution) -> list[str]:
    """The components of a degenerate game's equilibrium set, wrapped and summarised.

    Every line fits :data:`COMPONENT_WIDTH` characters (a label longer than that aside);
    a large game's block is cut to :data:`SHOWN_CONTINUA` continua of
    :data:`SHOWN_SUBSETS` sets each, saying how many are left out, and when there are more
    than :data:`SHOWN_CONTINUA` components the isolated equilibria share one line.
    """
    row, col = scenario.players
    lines = ["Components of the equilibrium set:"]
    components = solution.components
    isolated = [c for c in components if c.isolated]
    continua = [c for c in components if not c.isolated]
    merge = len(components) > SHOWN_CONTINUA
    shown = 0
    for number_, component in enumerate(components, start=1):
        members = _numbers(component.equilibria)
        if component.isolated:
            if not merge:
                lines += _wrap(f"{number_}. {members}: an isolated equilibrium", "  ", "     ")
            continue
        if shown == SHOWN_CONTINUA:
            continue
        shown += 1
        lines += _wrap(
            f"{number_}. {members}: a continuum, the union of these sets of equilibria:",
            "  ",
            "     ",
        )
        for subset in component.subsets[:SHOWN_SUBSETS]:
            lines += _wrap(_subset_text(row, col, solution, subset), "     - ", "       ")
        if len(component.subsets) > SHOWN_SUBSETS:
            rest = len(component.subsets) - SHOWN_SUBSETS
            lines.append(f"     ... and {rest} more such sets (the JSON output lists them all)")
    if len(continua) > shown:
        lines.append(
            f"  ... and {len(continua) - shown} more continua (the JSON output lists them all)"
        )
    if merge and isolated:
        members = _numbers([k for c in isolated for k in c.equilibria])
        lines += _wrap(f"{len(isolated)} isolated equilibria: {members}", "  ", "  ")
    return [*lines, ""]


def _wrap(text: str, first: str, rest: str) -> list[str]:
    """``text`` wrapped to :data:`COMPONENT_WIDTH`, never inside a word or a ``[...]`` label.

    >>> _wrap("A plays any mix of [Full offer] and [Limited offer]", "  ", "    ")
    ['  A plays any mix of [Full offer] and [Limited offer]']
    """
    glue = "\ue000"  # a private-use character: spaces inside brackets do not break
    held = re.sub(r"\[[^\]]*\]", lambda m: m[0].replace(" ", glue), text)
    lines = textwrap.wrap(
        held,
        COMPONENT_WIDTH,
        initial_indent=first,
        subsequent_indent=rest,
        break_long_words=False,
        break_on_hyphens=False,
    )
    return [line.replace(glue, " ") for line in lines]


def _numbers(indices: Sequence[int]) -> str:
    """Equilibrium numbers (from 0) as the table shows them, runs written ``#3 to #9``.

    >>> _numbers([0, 1, 2, 4, 7, 8])
    '#1 to #3, #5, #8, #9'
    """
    runs: list[list[int]] = []
    for k in sorted(indices):
        if runs and runs[-1][1] == k - 1:
            runs[-1][1] = k
        else:
            runs.append([k, k])
    return ", ".join(
        f"#{a + 1}" if a == b else f"#{a + 1}, #{b + 1}" if b == a + 1 else f"#{a + 1} to #{b + 1}"
        for a, b in runs
    )


def _subset_text(row: Player, col: Player, solution: Solution, subset: NashSubset) -> str:
    def hull(player: Player, points: Sequence[Vector]) -> str:
        items = [f"[{mix(player, p)}]" for p in points]
        if len(items) == 1:
            return items[0]
        if len(items) > SHOWN_HULL:
            return (
                f"any mix of {len(items)} strategies: {', '.join(items[:SHOWN_HULL])} "
                f"and {len(items) - SHOWN_HULL} more"
            )
        return "any mix of " + " and ".join(items)

    rows = hull(row, [solution.row_strategies[i] for i in subset.rows])
    cols = hull(col, [solution.col_strategies[j] for j in subset.cols])
    return f"{row.label} plays {rows}; {col.label} plays {cols}"


def _columns(header: list[str], body: list[list[str]], right: Sequence[int] = ()) -> list[str]:
    header = [printable(c) for c in header]  # escape first, so the widths are as printed
    body = [[printable(c) for c in r] for r in body]
    widths = [max(len(r[i]) for r in [header, *body]) for i in range(len(header))]

    def line(cells: list[str]) -> str:
        return "  ".join(
            c.rjust(w) if i in right else c.ljust(w)
            for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ).rstrip()

    return [line(header), line(["-" * w for w in widths]), *(line(r) for r in body)]


def scenario_text(scenario: Scenario, overrides: Sequence[tuple[str, Fraction]] = ()) -> str:
    """Players, strategies, criteria and weights, and both payoff matrices.

    One ``override:`` line per ``--set`` follows the title, as in :func:`solution_table`.
    The source is wrapped between words only, so a URL in it stays whole (and clickable).
    """
    row, col = scenario.players
    lines = [f"{scenario.name}: {scenario.title}" if scenario.title else scenario.name]
    lines += [f"  override: {path} = {number(value)}" for path, value in overrides]
    if scenario.description:
        lines += textwrap.wrap(scenario.description, 88)
    if scenario.source:
        lines += textwrap.wrap(
            f"Source: {scenario.source}", 88, break_on_hyphens=False, break_long_words=False
        )
    lines += ["", "Players:"]
    for player, role in ((row, "rows"), (col, "columns")):
        strategies = ", ".join(f"{s.id} ({s.label})" for s in player.strategies)
        lines.append(f"  {player.id} ({player.label}, {role}): {strategies}")
    if scenario.criteria:
        lines += ["", "Criteria and weights (payoff = sum of weight x score):"]
        header = ["criterion", "label", f"weight {row.id}", f"weight {col.id}"]
        body = [
            [
                c.id,
                c.label,
                number(scenario.weights[row.id].get(c.id, Fraction(0))),
                number(scenario.weights[col.id].get(c.id, Fraction(0))),
            ]
            for c in scenario.criteria
        ]
        lines += ["  " + x for x in _columns(header, body, right=(2, 3))]
    game = payoff_matrices(scenario)
    for player, matrix in ((row, game.A), (col, game.B)):
        lines += ["", f"Payoffs to {player.label} ({player.id}):"]
        lines += ["  " + x for x in matrix_lines(row, col, matrix)]
    return _lines(lines) + "\n"


def matrix_lines(row: Player, col: Player, matrix: Matrix) -> list[str]:
    """A payoff matrix with strategy labels on both axes."""
    header = [f"{row.label} \\ {col.label}", *col.strategy_labels]
    body = [
        [label, *(number(x) for x in values)]
        for label, values in zip(row.strategy_labels, matrix, strict=True)
    ]
    return _columns(header, body, right=range(1, len(header)))


def cell_text(
    scenario: Scenario, cell: CellBreakdown, overrides: Sequence[tuple[str, Fraction]] = ()
) -> str:
    """One outcome's payoffs broken down into weight x score per criterion.

    One ``override:`` line per ``--set`` follows the first line, as in :func:`scenario_text`.
    """
    row, col = scenario.players
    r, c = row.strategy_ids.index(cell.row), col.strategy_ids.index(cell.col)
    lines = [
        f"Outcome: {row.label} plays {row.strategies[r].label}, "
        f"{col.label} plays {col.strategies[c].label}"
    ]
    lines += [f"  override: {path} = {number(value)}" for path, value in overrides]
    for player in (row, col):
        lines += ["", f"{player.label} ({player.id}):"]
        terms = cell.terms[player.id]
        if not terms:
            lines.append(f"  payoff {number(cell.totals[player.id])} (direct payoff table)")
            continue
        body = [[t.criterion, number(t.weight), number(t.score), number(t.value)] for t in terms]
        body.append(["total", "", "", number(cell.totals[player.id])])
        lines += [
            "  " + x
            for x in _columns(
                ["criterion", "weight", "score", "weight x score"], body, right=(1, 2, 3)
            )
        ]
    return _lines(lines) + "\n"


def sweep_summary(result: SweepResult, folder: object, files: Sequence[str]) -> str:
    """What a sweep found: points solved, degenerate points, regime changes or regimes.

    A 1-D sweep lists each change of the equilibrium set (see
    :func:`~negotiation.studies.sweep.change_points`), or, if there is none, names the one
    equilibrium set found at every grid point; a 2-D sweep counts the grid points of each
    regime.
    """
    # Imported here: `negotiation solve` needs none of the sweep machinery (start-up time).
    from negotiation.studies.summary import regime_counts
    from negotiation.studies.sweep import change_points

    table = result.regime_table()  # on the result's columns: no object per point
    solved = len(table.points)
    degenerate = int(table.degenerate.sum())
    lines = [
        f"Solved {_count(solved, 'grid point')} over {', '.join(result.paths)} "
        f"({degenerate} degenerate, all extreme equilibria kept)."
    ]
    if len(result.paths) == 1:
        changes = change_points(result)
        path = result.paths[0]
        if not changes and solved:
            only = table.labels[table.regime[0]]
            where = "the one grid point" if solved == 1 else "every grid point"
            lines.append(f"The equilibrium set is the same at {where} along {path}:")
            lines.append(f"  {only}")
        elif changes:
            times = "once" if len(changes) == 1 else f"{len(changes)} times"
            lines.append(f"The equilibrium set changes {times} along {path}:")
        for change in changes:
            where = (
                f"at {change.low:g} (degenerate)"
                if change.low == change.high
                else f"between {change.low:g} and {change.high:g}"
            )
            lines.append(f"  {where}: {change.before}  ->  {change.after}")
    else:
        lines.append("Regimes (grid points each):")
        lines += [f"  {count:6d}  {label}" for label, count in regime_counts(result).items()]
    lines.append(f"Wrote {', '.join(files)} in {folder}")
    return _lines(lines)


#: Longest regime name printed inline in a tree sweep's summary; longer ones (perfect
#: Bayesian regimes in words) are listed once, numbered, and named by number.
INLINE_REGIME = 200


def tree_sweep_summary(result: Any, folder: object, files: Sequence[str]) -> str:
    """What a tree sweep found: points, ties, regime changes, prior thresholds, or regimes.

    ``result`` is a :class:`~negotiation.studies.tree_sweep.TreeSweepResult`. As for matrix
    sweeps (:func:`sweep_summary`): a 1-D sweep lists each change of regime ("at 1 (ties):
    A  ->  B" when the change is at a grid point, else "between x and y"), or names the one
    regime; a 2-D sweep counts each regime's points. Regimes are subgame-perfect paths of
    play in words (several at ties, joined by " | "), or perfect Bayesian regimes for
    two-player trees with information sets. A 1-D PBE sweep over a prior then lists its
    prior thresholds, exact fractions where they are exact. Regime names longer than
    :data:`INLINE_REGIME` characters are listed once as ``R1``, ``R2``, ... and named so.
    """
    table = result.regimes()
    solved = len(table.points)
    ties = sum("ties" in f for f in table.flags)
    degenerate = sum("degenerate" in f for f in table.flags)
    thresholds = result.thresholds
    what = "perfect Bayesian equilibria" if result.pbe else "subgame-perfect path"
    lines = [
        f"Solved {_count(solved, 'grid point')} over {', '.join(result.paths)} "
        f"({ties} with ties, {degenerate} with a degenerate subgame; every "
        "subgame-perfect equilibrium kept)."
    ]
    from negotiation.studies.tree_sweep import regime_numbers

    # Every regime a 1-D sweep meets, numbered in order along the axis, as summary.json and
    # the payoff plot number them.
    numbers = regime_numbers(result)
    every = list(numbers)
    numbered = any(len(x) > INLINE_REGIME for x in every)

    def name(label: str) -> str:
        return numbers[label] if numbered else printable(label)

    if numbered:
        lines.append("Regimes (numbered in order of appearance along the axis):")
        lines += [f"  {numbers[label]}: {printable(label)}" for label in every]
    if len(result.paths) == 1:
        changes = result.change_points()
        path = result.paths[0]
        if not changes and solved:
            where = "the one grid point" if solved == 1 else "every grid point"
            lines.append(f"The {what} {_be(result.pbe)} the same at {where} along {path}:")
            lines.append(f"  {name(table.labels[table.index[0]])}")
        elif changes:
            times = "once" if len(changes) == 1 else f"{len(changes)} times"
            lines.append(f"The {what} {_change(result.pbe)} {times} along {path}:")
        for change in changes:
            where = (
                f"at {change.low:g} ({change.flag})"
                if change.at_grid_point
                else f"between {change.low:g} and {change.high:g}"
            )
            lines.append(f"  {where}: {name(change.before)}  ->  {name(change.after)}")
        if thresholds is not None:
            lines.append(_thresholds_heading(thresholds, path))
            ends = {min(result.axis_values[0]), max(result.axis_values[0])}
            for t in thresholds:
                if t["exact"]:
                    at = Fraction(t["value"]["exact"])
                    where = f"at {at}" if at.denominator == 1 else f"at {at} = {float(at):.6g}"
                    if float(at) in ends:
                        where += " (an end of the swept range)"
                else:
                    where = f"between {t['low']['exact']} and {t['high']['exact']} (bisected)"
                itself = (
                    f" ({name(t['at'])} at the threshold itself)"
                    if t["at"] not in (t["before"], t["after"])
                    else ""
                )
                lines.append(f"  {where}: {name(t['before'])}  ->  {name(t['after'])}{itself}")
    else:
        lines.append("Regimes (grid points each):")
        lines += [f"  {count:6d}  {printable(label)}" for label, count in table.counts().items()]
    lines.append(f"Wrote {', '.join(files)} in {folder}")
    return _lines(lines)


def _be(pbe: bool) -> str:
    return "are" if pbe else "is"


def _change(pbe: bool) -> str:
    return "change" if pbe else "changes"


def _thresholds_heading(thresholds: Sequence[Any], path: str) -> str:
    if not thresholds:
        return f"No prior threshold along {path}: the perfect Bayesian equilibria do not change."
    return f"Prior thresholds along {path} (where the perfect Bayesian equilibria change):"


def _count(n: int, noun: str) -> str:
    """``1 grid point``, ``2 grid points``."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


# --------------------------------------------------------------------------- JSON documents
# What `--format json` prints for list, show, validate and plot (solve: solution_document;
# sweep: negotiation.studies.summary.summary_document). Each is a stable interface,
# documented in docs/reference/json.md: keys may be added, never renamed.


def catalogue_document(scenarios: Sequence[tuple[str, Any]]) -> list[dict[str, Any]]:
    """`list --format json`: one object per catalogue scenario (a game tree has no shape)."""
    return [
        {
            "name": name,
            "title": s.title,
            "kind": "matrix" if isinstance(s, Scenario) else "tree",
            "shape": list(s.shape) if isinstance(s, Scenario) else None,
            "file": s.origin,
        }
        for name, s in scenarios
    ]


def scenario_document(
    scenario: Scenario, overrides: Iterable[tuple[str, Fraction]] = ()
) -> dict[str, Any]:
    """`show --format json`: the scenario as solved, numbers as floats and exactly."""
    row, col = scenario.players
    game = payoff_matrices(scenario)
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario.name,
        "title": scenario.title,
        "description": scenario.description,
        "source": scenario.source,
        "file": scenario.origin,
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
        "players": [
            {
                "id": p.id,
                "label": p.label,
                "role": role,
                "strategies": list(p.strategy_ids),
                "strategy_labels": list(p.strategy_labels),
            }
            for p, role in ((row, "row"), (col, "column"))
        ],
        "criteria": [
            {
                "id": c.id,
                "label": c.label,
                "weights": {
                    p.id: float(scenario.weights[p.id].get(c.id, Fraction(0))) for p in (row, col)
                },
                "scores": [[float(x) for x in r] for r in c.scores],
                "exact": {
                    "weights": {
                        p.id: str(scenario.weights[p.id].get(c.id, Fraction(0))) for p in (row, col)
                    },
                    "scores": [[str(x) for x in r] for r in c.scores],
                },
            }
            for c in scenario.criteria
        ],
        "payoffs": {
            row.id: [[float(x) for x in r] for r in game.A],
            col.id: [[float(x) for x in r] for r in game.B],
        },
        "exact": {
            "payoffs": {
                row.id: [[str(x) for x in r] for r in game.A],
                col.id: [[str(x) for x in r] for r in game.B],
            }
        },
    }


def cell_document(
    scenario: Scenario, cell: CellBreakdown, overrides: Iterable[tuple[str, Fraction]] = ()
) -> dict[str, Any]:
    """`show --cell ROW COL --format json`: one outcome, term by term, floats and exact."""
    return {
        "schema_version": SCHEMA_VERSION,
        "scenario": scenario.name,
        "overrides": [{"path": p, "value": float(v), "exact": str(v)} for p, v in overrides],
        "row": cell.row,
        "col": cell.col,
        "terms": {
            pid: [
                {
                    "criterion": t.criterion,
                    "weight": float(t.weight),
                    "score": float(t.score),
                    "value": float(t.value),
                    "exact": {
                        "weight": str(t.weight),
                        "score": str(t.score),
                        "value": str(t.value),
                    },
                }
                for t in terms
            ]
            for pid, terms in cell.terms.items()
        },
        "totals": {pid: float(v) for pid, v in cell.totals.items()},
        "exact": {"totals": {pid: str(v) for pid, v in cell.totals.items()}},
    }


def validation_document(scenario: Any) -> dict[str, Any]:
    """`validate --format json` for a valid file (an invalid one exits 2 with one line).

    A game tree has ``kind`` ``"tree"`` and ``shape`` ``null``.
    """
    matrix = isinstance(scenario, Scenario)
    return {
        "valid": True,
        "file": scenario.origin,
        "scenario": scenario.name,
        "kind": "matrix" if matrix else "tree",
        "shape": list(scenario.shape) if matrix else None,
        "criteria": len(scenario.criteria),
        "direct_payoffs": matrix and not scenario.criteria,
    }
