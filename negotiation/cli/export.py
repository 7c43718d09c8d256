"""``negotiation export``: a scenario in Gambit's text format (.efg for trees, .nfg for matrices).

A thin shell over :mod:`negotiation.output.gambit_io` (our own writers, numbers exact);
pygambit is not needed. Errors the user can fix are :class:`~negotiation.errors.UserError`
and reach the program's one boundary (:class:`negotiation.cli.app.Boundary`).
"""

from __future__ import annotations

from pathlib import Path

import click

from negotiation.cli.app import _any_scenario, _emit, _scenario_argument, _set_option
from negotiation.errors import ScenarioError
from negotiation.model.tree import TreeScenario
from negotiation.output import gambit_io, report


@click.command("export")
@_scenario_argument
@_set_option
@click.option(
    "--to",
    "target",
    type=click.Choice(["efg", "nfg"]),
    required=True,
    help="Gambit format: efg (extensive form, for a game tree) or nfg (strategic form, for "
    "a matrix scenario).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file (atomically; - is standard output) instead of standard output.",
)
def export_command(scenario: str, sets: tuple[str, ...], target: str, output: Path | None) -> None:
    """Write SCENARIO in Gambit's .efg (game tree) or .nfg (matrix scenario) format."""
    loaded, _ = _any_scenario(scenario, sets)
    source = report.printable(loaded.origin)
    if target == "efg":
        if not isinstance(loaded, TreeScenario):
            raise ScenarioError(
                source,
                "",
                "--to efg needs a game tree (a [tree] table); use --to nfg for a matrix scenario",
            )
        text = gambit_io.efg_text(loaded)
    else:
        if isinstance(loaded, TreeScenario):
            raise ScenarioError(
                source, "tree", "--to nfg needs a matrix scenario; use --to efg for a game tree"
            )
        text = gambit_io.nfg_text(loaded)
    _emit(text, output)
