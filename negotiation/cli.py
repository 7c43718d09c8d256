"""The ``negotiation`` command: a thin shell over the library (parse, call, print).

Every problem with the user's input (a scenario file, an override, an option) exits with
status 2 and a one-line message naming the file, the key and what was expected.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path

import click

from negotiation import atomic, report
from negotiation.catalogue import catalogue, load
from negotiation.equilibria import METHODS, TOLERANCE, solve
from negotiation.errors import ScenarioError
from negotiation.overrides import parse_assignment
from negotiation.payoffs import cell_breakdown
from negotiation.scenario import Scenario


class InputError(click.ClickException):
    """Bad input from the user: printed as ``Error: ...``, exit status 2."""

    exit_code = 2


def _scenario(name: str, sets: tuple[str, ...]) -> tuple[Scenario, list[tuple[str, Fraction]]]:
    try:
        overrides = [parse_assignment(s) for s in sets]
        return load(name, overrides), overrides
    except ScenarioError as error:
        raise InputError(str(error)) from None


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    try:
        atomic.write_text(output, text)
    except OSError as error:
        raise InputError(f"{output}: cannot write ({error.strerror})") from None
    click.echo(f"wrote {output}", err=True)


_set_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Change a number of the scenario, e.g. weights.us.legitimacy=0.9 or "
    "criteria.wedge.scores[accept][full]=1.5 (repeatable).",
)
_scenario_argument = click.argument("scenario", metavar="SCENARIO")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="negotiation")
def main() -> None:
    """Game-theoretic negotiation scenarios: weighted payoffs, complete verified equilibria.

    SCENARIO is a catalogue name (see `negotiation list`) or a path to a TOML file.
    """


@main.command("list")
def list_command() -> None:
    """List the built-in scenario catalogue."""
    rows = []
    for name in catalogue():
        scenario = load(name)
        m, n = scenario.shape
        rows.append((name, f"{m}x{n}", scenario.title))
    width = max(len(r[0]) for r in rows)
    for name, shape, title in rows:
        click.echo(f"{name.ljust(width)}  {shape}  {title}")


@main.command()
@_scenario_argument
@_set_option
@click.option(
    "--cell",
    nargs=2,
    metavar="ROW COL",
    help="Break one outcome's payoffs down by criterion (strategy ids or 0-based positions).",
)
def show(scenario: str, sets: tuple[str, ...], cell: tuple[str, str] | None) -> None:
    """Show players, strategies, criteria, weights and both payoff matrices."""
    loaded, _ = _scenario(scenario, sets)
    if cell is None:
        click.echo(report.scenario_text(loaded), nl=False)
        return
    try:
        breakdown = cell_breakdown(loaded, *cell)
    except KeyError as error:
        raise InputError(f"--cell: {error.args[0]}") from None
    click.echo(report.cell_text(loaded, breakdown), nl=False)


@main.command("solve")
@_scenario_argument
@_set_option
@click.option(
    "--method",
    type=click.Choice(list(METHODS)),
    default="support",
    show_default=True,
    help="nashpy algorithm run beside the exact enumeration and cross-checked with it "
    "('exact' runs only the exact enumeration). The reported set does not depend on it.",
)
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["table", "json"]),
    default="table",
    show_default=True,
    help="A readable table, or the JSON document described in docs/reference/json.md.",
)
@click.option(
    "--tol",
    type=click.FloatRange(min=0, min_open=True, max=1e-3),
    default=TOLERANCE,
    show_default=True,
    help="Relative tolerance of the floating-point best-response check.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write to this file (atomically) instead of standard output.",
)
def solve_command(
    scenario: str,
    sets: tuple[str, ...],
    method: str,
    fmt: str,
    tol: float,
    output: Path | None,
) -> None:
    """Find every Nash equilibrium of SCENARIO, each verified as a mutual best response."""
    loaded, overrides = _scenario(scenario, sets)
    solution = solve(loaded, method, tol)
    if fmt == "json":
        document = report.solution_document(loaded, solution, overrides)
        _emit(json.dumps(document, indent=2) + "\n", output)
    else:
        _emit(report.solution_table(loaded, solution, overrides), output)


@main.command()
@click.argument("file", metavar="FILE")
def validate(file: str) -> None:
    """Check a scenario file (or catalogue name); exit 2 with the problem if invalid."""
    loaded, _ = _scenario(file, ())
    m, n = loaded.shape
    count = len(loaded.criteria)
    form = (
        f"{count} {'criterion' if count == 1 else 'criteria'}" if count else "direct payoff tables"
    )
    click.echo(f"{loaded.origin}: valid scenario {loaded.name!r} ({m}x{n}, {form})")
