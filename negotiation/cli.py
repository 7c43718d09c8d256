"""The ``negotiation`` command: a thin shell over the library (parse, call, print).

Every problem with the user's input (a scenario file, an override, an option) exits with
status 2 and a one-line message naming the file, the key and what was expected.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path
from typing import Any

import click

from negotiation.errors import ScenarioError
from negotiation.model.catalogue import catalogue, load
from negotiation.model.overrides import canonical_path, parse_assignment
from negotiation.model.payoffs import cell_breakdown
from negotiation.model.scenario import Scenario
from negotiation.output import atomic, plots, report, results
from negotiation.solvers.equilibria import METHODS, TOLERANCE, solve
from negotiation.studies.sweep import SOLVERS, Axis, Grid


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
    else:
        _write(lambda: atomic.write_text(output, text), output)


_set_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Change a number of the scenario, e.g. weights.us.legitimacy=0.9 or "
    "criteria.wedge.scores[accept][full]=1.5 (repeatable).",
)
_scenario_argument = click.argument("scenario", metavar="SCENARIO")
FORMATS = ("png", "svg", "pdf")


def _write(action: Callable[[], object], path: Path) -> None:
    try:
        action()
    except OSError as error:
        raise InputError(f"{path}: cannot write ({error.strerror})") from None
    click.echo(f"wrote {path}", err=True)


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
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw both payoff matrices as heatmaps, pure equilibria outlined, to this "
    "file (.png, .svg or .pdf).",
)
def show(
    scenario: str, sets: tuple[str, ...], cell: tuple[str, str] | None, plot: Path | None
) -> None:
    """Show players, strategies, criteria, weights and both payoff matrices."""
    loaded, _ = _scenario(scenario, sets)
    if plot is not None:
        fmt = plot.suffix.lstrip(".").lower()
        if fmt not in FORMATS:
            raise InputError(f"--plot {plot}: expected a .png, .svg or .pdf file name")
        _write(lambda: plots.save(plots.payoff_heatmaps(loaded), plot, fmt), plot)
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


class _Progress:
    """A progress bar on stderr for sweeps longer than about a second, when it is a terminal."""

    def __init__(self, quiet: bool) -> None:
        self.enabled = not quiet and sys.stderr.isatty()
        self.start = time.monotonic()
        self.bar: Any = None  # click's ProgressBar, once shown

    def __call__(self, done: int, total: int) -> None:
        if not self.enabled:
            return
        if self.bar is None:
            if time.monotonic() - self.start < 1.0:
                return
            self.bar = click.progressbar(length=total, label="solving", file=sys.stderr)
            self.bar.__enter__()
        self.bar.update(done - self.bar.pos)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


@main.command("sweep")
@_scenario_argument
@click.option(
    "--param",
    "params",
    multiple=True,
    metavar="PATH=START:STOP:NUM",
    help="Sweep a number from START to STOP in NUM evenly spaced values, both ends "
    "included. Once for a 1-D sweep, twice for a 2-D grid.",
)
@click.option(
    "--values",
    "value_lists",
    multiple=True,
    metavar="PATH=v1,v2,...",
    help="Sweep a number over an explicit list of values.",
)
@_set_option
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for results.csv, manifest.json and the plots.",
)
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="png", show_default=True)
@click.option(
    "--method",
    type=click.Choice(list(METHODS)),
    default="exact",
    show_default=True,
    help="With --solver per-game: as for solve ('exact' skips the nashpy cross-check).",
)
@click.option(
    "--solver",
    type=click.Choice(list(SOLVERS)),
    default="batch",
    show_default=True,
    help="'batch': the vectorised engine (exact fallback for degenerate points); "
    "'per-game': solve each point alone with --method, for comparison.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted sweep in --out.")
@click.option("--force", is_flag=True, help="Overwrite a finished sweep in --out.")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def sweep_command(
    scenario: str,
    params: tuple[str, ...],
    value_lists: tuple[str, ...],
    sets: tuple[str, ...],
    out: Path,
    fmt: str,
    method: str,
    solver: str,
    resume: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Solve SCENARIO over a 1-D or 2-D grid of its numbers; write results and plots."""
    loaded, overrides = _scenario(scenario, sets)
    try:
        axes = [Axis.parse_range(p) for p in params] + [Axis.parse_values(v) for v in value_lists]
        grid = Grid(tuple(axes))
    except ScenarioError as error:
        raise InputError(str(error)) from None
    except ValueError as error:
        raise InputError(
            f"--param/--values: {error}: give one or two of --param PATH=START:STOP:NUM or "
            "--values PATH=v1,v2,... on different paths"
        ) from None
    clash = {canonical_path(p, loaded) for p in grid.paths} & {
        canonical_path(p, loaded) for p, _ in overrides
    }
    if clash:
        raise InputError(f"--set and the sweep both set {', '.join(sorted(clash))}; drop one")
    if (out / results.MANIFEST).exists() and not (resume or force):
        raise InputError(
            f"{out} already holds a sweep; use --resume to continue it, --force to "
            "overwrite it, or another --out folder"
        )
    progress = _Progress(quiet)
    try:
        result = results.run(
            loaded,
            grid,
            out,
            method=method,
            solver=solver,
            overrides=overrides,
            command=["negotiation", *sys.argv[1:]],
            resume=resume,
            progress=progress,
        )
    except results.SweepInterrupted as stop:
        progress.close()
        click.echo(f"\n{stop}", err=True)
        sys.exit(130)
    except ScenarioError as error:
        raise InputError(str(error)) from None
    except OSError as error:
        raise InputError(f"{out}: cannot write ({error.strerror})") from None
    finally:
        progress.close()
    try:
        names = plots.save_sweep_plots(result, out, fmt)
    except KeyboardInterrupt:
        click.echo(
            f"\ninterrupted while drawing the plots; the results in {out} are complete: "
            f"run `negotiation plot {out}` to draw them.",
            err=True,
        )
        sys.exit(130)
    results.add_files(out, names)
    click.echo(report.sweep_summary(result, out, [results.RESULTS, results.MANIFEST, *names]))


@main.command("plot")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMATS), default="png", show_default=True)
def plot_command(folder: Path, fmt: str) -> None:
    """Redraw a sweep's plots from FOLDER's results.csv and manifest.json (no solving)."""
    try:
        result = results.read(folder)
    except ScenarioError as error:
        raise InputError(str(error)) from None
    names = plots.save_sweep_plots(result, folder, fmt)
    results.add_files(folder, names)
    for name in names:
        click.echo(f"wrote {folder / name}", err=True)
