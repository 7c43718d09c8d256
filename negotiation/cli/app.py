"""The ``negotiation`` command: a thin shell over the library (parse, call, print).

Every failure ends in one place, :meth:`Boundary.main`, which turns it into one line on
standard error and an exit status, never a traceback:

- a problem with the user's input or environment (a :class:`~negotiation.errors.UserError`
  from the library, a click usage error, an ``OSError`` such as a full disk, running out
  of memory): ``Error: <what is wrong>``, exit status 2;
- Ctrl-C (SIGINT) or SIGTERM: a line saying so, exit status 130 or 143 (128 + the
  signal), after a sweep has saved its finished points;
- anything else is a bug: ``Error: internal error (...)`` with a request to report it,
  exit status 1. ``NEGOTIATION_DEBUG=1`` shows the traceback instead.

Messages are made printable (control characters escaped, so a label cannot drive the
terminal) and very long words (a megabyte key, a 5,000-digit number) are cut.

Start-up stays light (issue 9, ``benchmarks/startup.py``): this module imports click, the
errors and :mod:`negotiation.cli.choices` only. The model, solvers, studies and output
modules (numpy, and matplotlib for plots) are imported inside the commands that use them,
so ``negotiation --help`` and ``--version`` load none of them and ``solve`` loads no plotting
or sweep code (``tests/test_startup.py``).
"""

from __future__ import annotations

import atexit
import errno
import importlib
import json
import math
import os
import re
import signal
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING, Any, NoReturn

import click

from negotiation.cli.choices import (
    IMAGE_FORMATS,
    METHODS,
    OUTPUT_FORMATS,
    SOLVERS,
    TOLERANCE,
    printable,
)
from negotiation.errors import OutputError, ScenarioError, UserError

if TYPE_CHECKING:
    from fractions import Fraction

    from negotiation.model.scenario import Scenario
    from negotiation.solvers.equilibria import Solution
    from negotiation.studies.sweep import Grid

#: Longest error message printed, and longest single word in it, in characters.
MESSAGE_LIMIT = 1000
WORD_LIMIT = 160
#: Exit statuses (see docs/reference/guarantees.md).
EXIT_INTERNAL, EXIT_INPUT = 1, 2


class Stop(Exception):  # noqa: N818 - a planned end of a command, not an error
    """End the command with ``message`` on standard error and exit status ``code``."""

    def __init__(self, message: str, code: int) -> None:
        self.message, self.code = message, code
        super().__init__(message)


def one_line(message: str) -> str:
    r"""``message`` as one printable line of bounded length.

    Control characters (newlines included) are escaped, every word longer than
    :data:`WORD_LIMIT` characters is cut in its middle, and the whole to
    :data:`MESSAGE_LIMIT`.

    >>> one_line("bad key 'a\nb': " + "9" * 5000)
    "bad key 'a\\nb': 99999...(5000 characters)...99999"
    """
    text = printable(message)
    text = re.sub(
        rf"\S{{{WORD_LIMIT + 1},}}",
        lambda m: (
            f"{m[0][:5]}...({len(m[0])} characters)...{m[0][-5:]}"
            if m[0].isdigit()
            else f"{m[0][: WORD_LIMIT - 40]}...({len(m[0])} characters)...{m[0][-20:]}"
        ),
        text,
    )
    if len(text) > MESSAGE_LIMIT:
        text = f"{text[: MESSAGE_LIMIT - 40]}... ({len(text)} characters in all)"
    return text


def _fail(message: str, code: int) -> int:
    click.echo(f"Error: {one_line(message)}", err=True)
    return code


class _Interrupted(Exception):  # noqa: N818 - carries a signal past click's own handling
    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signum)


#: Commands that live in modules of their own, imported only when used (their options and
#: help come with them): name -> "module:function".
LAZY_COMMANDS: dict[str, str] = {
    "explore": "negotiation.cli.explore:explore_command",
    "export": "negotiation.cli.export:export_command",
}

#: Their one-line help in ``negotiation --help``, so listing them imports nothing (a test
#: keeps these equal to each command's own short help).
LAZY_HELP: dict[str, str] = {
    "explore": "Sample the uncertain numbers of SCENARIO; report how often each outcome holds.",
    "export": "Write SCENARIO in Gambit's .efg (game tree) or .nfg (matrix scenario) format.",
}


def _shortened(text: str, limit: int) -> str:
    """``text`` cut at a word to at most ``limit`` characters, with "..." as click does."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 3, 0)].rsplit(" ", 1)[0].rstrip(" ,;:") + "..."


class Boundary(click.Group):
    """The command group whose :meth:`main` is the program's one error boundary.

    It also holds :data:`LAZY_COMMANDS`, imported on first use so that start-up stays light.
    """

    def list_commands(self, ctx: click.Context) -> list[str]:
        """The built-in commands and the lazily imported ones, sorted."""
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        """List the commands in ``--help``; lazy ones by :data:`LAZY_HELP`, not imported."""
        rows = []
        for name in self.list_commands(ctx):
            if name in LAZY_COMMANDS and name not in self.commands:
                limit = formatter.width - 6 - len(name)
                rows.append((name, _shortened(LAZY_HELP[name], limit)))
                continue
            command = self.get_command(ctx, name)
            if command is not None and not command.hidden:
                rows.append((name, command.get_short_help_str(formatter.width - 6 - len(name))))
        if rows:
            with formatter.section("Commands"):
                formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        """A command by name, importing a lazy command's module on first use."""
        if name in LAZY_COMMANDS and name not in self.commands:
            module, _, attribute = LAZY_COMMANDS[name].partition(":")
            command = getattr(importlib.import_module(module), attribute)
            self.add_command(command, name)
        return super().get_command(ctx, name)

    def invoke(self, ctx: click.Context) -> Any:
        """Run the command; hand an interrupt on as an ordinary exception (see main)."""
        try:
            return super().invoke(ctx)
        except KeyboardInterrupt as stop:
            raise _Interrupted(_signum(stop)) from None

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        """Run the program and exit with its status; see the module docstring."""
        if not standalone_mode:
            return super().main(args, prog_name, complete_var, False, **extra)
        try:
            with _sigterm_interrupts():
                code = self._guarded(lambda: super(Boundary, self).main(
                    args, prog_name, complete_var, False, **extra
                ))  # fmt: skip
        except KeyboardInterrupt as late:  # a second Ctrl-C while the first was reported
            code = 128 + _signum(late)
        sys.exit(code)

    def _guarded(self, call: Callable[[], Any]) -> int:
        try:
            value = call()
            return value if isinstance(value, int) else 0
        except SystemExit as end:
            return end.code if isinstance(end.code, int) else (0 if end.code is None else 1)
        except Stop as stop:
            _ignore_interrupts()
            message = stop.message
            if message.startswith("\n"):  # end a progress bar's line first (a terminal)
                click.echo("", err=True)
                message = message[1:]
            click.echo(one_line(message), err=True)
            return stop.code
        except (_Interrupted, click.Abort, KeyboardInterrupt) as stop:
            _ignore_interrupts()
            signum = stop.signum if isinstance(stop, _Interrupted) else signal.SIGINT
            name = signal.Signals(signum).name
            click.echo(f"Error: interrupted ({name}); no output was left partly written", err=True)
            return 128 + signum
        except click.exceptions.NoArgsIsHelpError as usage:
            usage.show()
            return usage.exit_code
        except click.UsageError as usage:
            hint = f" (see '{usage.ctx.command_path} --help')" if usage.ctx else ""
            return _fail(usage.format_message() + hint, EXIT_INPUT)
        except click.ClickException as problem:
            return _fail(problem.format_message(), EXIT_INPUT)
        except UserError as problem:
            return _fail(str(problem), EXIT_INPUT)
        except OSError as problem:
            if problem.errno == errno.EPIPE:  # `negotiation ... | head`: the reader left
                _silence_stdout()
                return EXIT_INTERNAL
            where = f"{problem.filename}: " if problem.filename else ""
            return _fail(f"{where}{problem.strerror or problem}", EXIT_INPUT)
        except MemoryError:
            return _fail(
                "out of memory; try a smaller scenario or grid (the limits are in "
                "docs/reference/guarantees.md)",
                EXIT_INPUT,
            )
        except Exception as bug:
            if os.environ.get("NEGOTIATION_DEBUG"):
                raise
            from importlib.metadata import version

            return _fail(
                f"internal error ({type(bug).__name__}: {bug}). This is a bug in negotiation "
                f"{version('negotiation')}: please report it with the command you ran "
                "(NEGOTIATION_DEBUG=1 shows the traceback)",
                EXIT_INTERNAL,
            )


def _ignore_interrupts() -> None:
    """Once a stop is being reported, further Ctrl-C and SIGTERM are ignored.

    Also at exit: :func:`_sigterm_interrupts` restores the handlers when the command
    returns (the CLI runs in-process in tests), and a late second Ctrl-C during the
    interpreter's shutdown would otherwise kill the process with SIGINT instead of letting
    it exit 130. An ``atexit`` hook ignores both signals again before that shutdown (in a
    test process it runs only when the whole process ends).
    """
    global _EXIT_HOOK
    if threading.current_thread() is threading.main_thread():
        for signum in (signal.SIGINT, signal.SIGTERM):
            signal.signal(signum, signal.SIG_IGN)
        if not _EXIT_HOOK:
            atexit.register(_ignore_at_exit)
            _EXIT_HOOK = True


_EXIT_HOOK = False


def _ignore_at_exit() -> None:
    """Ignore SIGINT and SIGTERM while the interpreter shuts down after a reported stop."""
    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, signal.SIG_IGN)


def _signum(stop: BaseException) -> int:
    signum = getattr(stop, "signum", signal.SIGINT)
    return signum if isinstance(signum, int) else signal.SIGINT


def _silence_stdout() -> None:
    """Point standard output at /dev/null so the exit flush cannot fail again."""
    with open(os.devnull, "w") as null, suppress(OSError, ValueError):
        os.dup2(null.fileno(), sys.stdout.fileno())


class _Signalled(KeyboardInterrupt):
    """A SIGTERM before any sweep module is loaded: a stop carrying its signal's number.

    (:class:`negotiation.output.results.SignalInterrupt` once that module is loaded.)
    """

    def __init__(self, signum: int) -> None:
        self.signum = signum
        super().__init__(signal.Signals(signum).name)


@contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """While the program runs, SIGTERM stops it the way Ctrl-C does (saving a sweep).

    The handlers of both signals are restored afterwards (the CLI runs in-process in tests).
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        # A sweep or study saves its finished points on its own SignalInterrupt; its module
        # is loaded by then. Before that nothing needs it, and importing it here would load
        # numpy at every start-up (or inside a signal handler).
        results = sys.modules.get("negotiation.output.results")
        raise getattr(results, "SignalInterrupt", _Signalled)(signum)

    previous = signal.getsignal(signal.SIGINT)
    terminate = signal.signal(signal.SIGTERM, stop)
    try:
        yield
    finally:  # restore both: reporting a stop ignores them (see _ignore_interrupts)
        signal.signal(signal.SIGTERM, terminate)
        signal.signal(signal.SIGINT, signal.SIG_DFL if previous is None else previous)


def _scenario(name: str, sets: tuple[str, ...]) -> tuple[Scenario, list[tuple[str, Fraction]]]:
    """The matrix scenario ``name`` with ``--set`` applied; a game tree is refused plainly."""
    loaded, overrides = _any_scenario(name, sets)
    if not _is_matrix(loaded):
        raise ScenarioError(
            printable(str(getattr(loaded, "origin", name))),
            "tree",
            "this is a game tree (it has a [tree] table); this command takes a matrix "
            "scenario (strategies and payoff or score tables)",
        )
    return loaded, overrides


def _any_scenario(name: str, sets: tuple[str, ...]) -> tuple[Any, list[tuple[str, Fraction]]]:
    """What ``name`` loads as (a matrix scenario or a game tree), with ``--set`` applied."""
    if not name.strip():
        raise ScenarioError(
            "SCENARIO", "", "empty; expected a catalogue name or a path to a TOML file"
        )
    from negotiation.model.catalogue import load
    from negotiation.model.overrides import parse_assignment

    overrides = [parse_assignment(s) for s in sets]
    return load(name, overrides), overrides


def _is_matrix(loaded: object) -> bool:
    """Whether ``loaded`` is a matrix scenario (else a game tree); its module is loaded."""
    from negotiation.model.scenario import Scenario

    return isinstance(loaded, Scenario)


def solve(scenario: Scenario, method: str, tol: float) -> Solution:
    """:func:`negotiation.solvers.equilibria.solve`, imported when ``solve`` runs."""
    from negotiation.solvers.equilibria import solve as solve_scenario

    return solve_scenario(scenario, method, tol)


def _emit(text: str, output: Path | None) -> None:
    if output is None:
        click.echo(text, nl=False)
        return
    from negotiation.output import atomic

    atomic.write_text(output, text)
    if str(output) != "-":
        click.echo(f"wrote {output}", err=True)


def _tolerance(ctx: click.Context, param: click.Parameter, value: float) -> float:
    """The tolerance, or a usage error if it is outside (0, 0.001] or not finite.

    (click's FloatRange lets ``nan`` through, since every comparison with it is false.)
    """
    if not (math.isfinite(value) and 0 < value <= 1e-3):
        raise click.BadParameter(f"{value!r} is not a number with 0 < x <= 0.001")
    return value


_set_option = click.option(
    "--set",
    "sets",
    multiple=True,
    metavar="PATH=VALUE",
    help="Change a number of the scenario, e.g. weights.us.legitimacy=0.9 or "
    "criteria.alliance_cohesion.scores[accept][full]=1.5 (repeatable).",
)
_scenario_argument = click.argument("scenario", metavar="SCENARIO")
FORMATS = IMAGE_FORMATS  # the name before --image-format existed


class _OutputFormat(click.Choice):  # type: ignore[type-arg]
    """``table`` or ``json``; a picture format gets a pointer to ``--image-format``."""

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> Any:
        if isinstance(value, str) and value.lower() in IMAGE_FORMATS:
            self.fail(
                f"{value!r} is a picture format: use --image-format {value.lower()} "
                "(--format chooses what is printed: table or json)",
                param,
                ctx,
            )
        return super().convert(value, param, ctx)


def _format_option(what: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return click.option(
        "--format",
        "fmt",
        type=_OutputFormat(OUTPUT_FORMATS),
        default="table",
        show_default=True,
        help=f"What to print: {what}.",
    )


_image_format_option = click.option(
    "--image-format",
    "image_format",
    type=click.Choice(IMAGE_FORMATS),
    default="png",
    show_default=True,
    help="Format of the plots.",
)


def _figure_options(func: Callable[..., Any]) -> Callable[..., Any]:
    """--title, --xlabel and --ylabel: the words of the figures a command draws."""
    for name, what in (
        ("--ylabel", "Label of the figures' vertical axis (default: from the scenario's labels)"),
        ("--xlabel", "Label of the figures' horizontal axis (default: from the scenario's "
                     "labels)"),
        ("--title", "Title of the figures (default: the scenario's title)"),
    ):  # fmt: skip
        func = click.option(name, metavar="TEXT", help=what + ".")(func)
    return func


def _labels(base: Any, title: str | None, xlabel: str | None, ylabel: str | None) -> Any:
    """``base`` (plots.Labels) with the words given on the command line put in."""
    import attrs

    given = {"title": title, "xlabel": xlabel, "ylabel": ylabel}
    return attrs.evolve(base, **{k: v for k, v in given.items() if v is not None})


def _print_json(document: Any) -> None:
    click.echo(json.dumps(document, indent=2))


@click.group("negotiation", cls=Boundary, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="negotiation")
def main() -> None:
    """Game-theoretic negotiation scenarios: weighted payoffs, complete verified equilibria.

    SCENARIO is a catalogue name (see `negotiation list`) or a path to a TOML file.
    """


@main.command("list")
@_format_option("a table, or a JSON list of name, title, shape and file")
def list_command(fmt: str) -> None:
    """List the built-in scenario catalogue."""
    from negotiation.model.catalogue import catalogue, load, shape_text
    from negotiation.output import report

    scenarios = [(name, load(name)) for name in catalogue()]
    if fmt == "json":
        _print_json(report.catalogue_document(scenarios))
        return
    rows = []
    for name, scenario in scenarios:
        size, _, tree = shape_text(scenario).partition(": ")  # "3x3", or "tree: 5 nodes..."
        title = report.printable(scenario.title) + (f" ({tree})" if tree else "")
        rows.append((name, size, title))
    width = max(len(r[0]) for r in rows)
    sizes = max(len(r[1]) for r in rows)
    for name, shape, title in rows:
        click.echo(f"{name.ljust(width)}  {shape.ljust(sizes)}  {title}")


@main.command()
@_scenario_argument
@_set_option
@click.option(
    "--cell",
    nargs=2,
    metavar="ROW COL",
    help="Break one outcome's payoffs down by criterion (strategy ids or 0-based positions).",
)
@_format_option("a readable report, or JSON (see docs/reference/json.md)")
@click.option(
    "--plot",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Also draw both payoff matrices as heatmaps, pure equilibria outlined, to this "
    "file (.png, .svg or .pdf).",
)
@_figure_options
def show(
    scenario: str,
    sets: tuple[str, ...],
    cell: tuple[str, str] | None,
    fmt: str,
    plot: Path | None,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
) -> None:
    """Show players, strategies, criteria, weights and both payoff matrices."""
    loaded, overrides = _any_scenario(scenario, sets)
    if not _is_matrix(loaded):  # a game tree
        _show_tree(loaded, overrides, cell, fmt, plot, title)
        return
    if plot is not None:
        from negotiation.output import plots  # matplotlib: imported only to draw

        image = plot.suffix.lstrip(".").lower()
        if image not in IMAGE_FORMATS:
            raise OutputError(f"--plot {plot}", "", "expected a .png, .svg or .pdf file name")
        base = plots.scenario_labels(loaded, (), overrides)
        words = _labels(base, title, xlabel, ylabel)
        plots.save(plots.payoff_heatmaps(loaded, labels=words), plot, image)
        click.echo(f"wrote {plot}", err=True)
    from negotiation.model.payoffs import cell_breakdown
    from negotiation.output import report

    breakdown = None
    if cell is not None:
        try:
            breakdown = cell_breakdown(loaded, *cell)
        except KeyError as error:
            raise ScenarioError("--cell", "", str(error.args[0])) from None
    if fmt == "json":
        _print_json(
            report.scenario_document(loaded, overrides)
            if breakdown is None
            else report.cell_document(loaded, breakdown, overrides)
        )
    elif breakdown is None:
        click.echo(report.scenario_text(loaded, overrides), nl=False)
    else:
        click.echo(report.cell_text(loaded, breakdown, overrides), nl=False)


def _show_tree(
    tree: Any,
    overrides: list[tuple[str, Fraction]],
    cell: tuple[str, str] | None,
    fmt: str,
    plot: Path | None,
    title: str | None,
) -> None:
    """``show`` for a game tree: the tree in text or JSON, and --plot draws it."""
    from negotiation.output import tree_report

    if cell is not None:
        raise ScenarioError("--cell", "", "a game tree has no cells; see its leaves in show")
    if plot is not None:
        from negotiation.output import plots, tree_plots  # matplotlib: imported only to draw
        from negotiation.solvers.spe import solve_spe

        image = plot.suffix.lstrip(".").lower()
        if image not in IMAGE_FORMATS:
            raise OutputError(f"--plot {plot}", "", "expected a .png, .svg or .pdf file name")
        figure = tree_plots.tree_plot(tree, solve_spe(tree).equilibria, title=title)
        plots.save(figure, plot, image)
        click.echo(f"wrote {plot}", err=True)
    if fmt == "json":
        _print_json(tree_report.show_document(tree, overrides))
    else:
        click.echo(tree_report.show_text(tree, overrides), nl=False)


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
@_format_option("a readable table, or the JSON document of docs/reference/json.md")
@click.option(
    "--tol",
    type=float,
    callback=_tolerance,
    default=TOLERANCE,
    show_default=True,
    help="Relative tolerance of the floating-point best-response check, 0 < x <= 0.001.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True, path_type=Path),
    help="Write to this file (atomically; a device or FIFO is written in place, - is "
    "standard output) instead of standard output.",
)
def solve_command(
    scenario: str,
    sets: tuple[str, ...],
    method: str,
    fmt: str,
    tol: float,
    output: Path | None,
) -> None:
    """Find every Nash equilibrium of SCENARIO, each verified as a mutual best response.

    For a game tree: every subgame-perfect equilibrium and, for two players, every Nash
    equilibrium of the reduced strategic form, each marked subgame perfect or not
    (--method and --tol do not apply; see docs/reference/json-trees.md).
    """
    loaded, overrides = _any_scenario(scenario, sets)
    if not _is_matrix(loaded):  # a game tree
        from negotiation.output import tree_report

        analysis = tree_report.analyse(loaded)
        if fmt == "json":
            document = tree_report.tree_document(analysis, overrides)
            _emit(json.dumps(document, indent=2) + "\n", output)
        else:
            _emit(tree_report.tree_table(analysis, overrides), output)
        return
    solution = solve(loaded, method, tol)
    from negotiation.output import report

    if fmt == "json":
        document = report.solution_document(loaded, solution, overrides)
        _emit(json.dumps(document, indent=2) + "\n", output)
    else:
        _emit(report.solution_table(loaded, solution, overrides), output)


@main.command()
@click.argument("file", metavar="FILE")
@_format_option("a sentence, or JSON (an invalid file always exits 2 with one Error line)")
def validate(file: str, fmt: str) -> None:
    """Check a scenario file (or catalogue name); exit 2 with the problem if invalid."""
    if not file.strip():
        raise ScenarioError("FILE", "", "empty; expected a path to a TOML file or a catalogue name")
    loaded, _ = _any_scenario(file, ())
    if fmt == "json":
        from negotiation.output import report

        _print_json(report.validation_document(loaded))
        return
    if not _is_matrix(loaded):  # a game tree
        name = printable(repr(loaded.name))
        click.echo(f"{printable(loaded.origin)}: valid game tree {name}")
        return
    m, n = loaded.shape
    count = len(loaded.criteria)
    form = (
        f"{count} {'criterion' if count == 1 else 'criteria'}" if count else "direct payoff tables"
    )
    origin = printable(loaded.origin)
    click.echo(f"{origin}: valid scenario {printable(repr(loaded.name))} ({m}x{n}, {form})")


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


def _resumed(out: Path) -> Callable[[int, int], None]:
    def say(reused: int, total: int) -> None:
        click.echo(
            f"resuming: reused {reused} of {total} grid points from {out}; "
            f"solving the other {total - reused}",
            err=True,
        )

    return say


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
    help="Folder for results.csv, manifest.json, summary.json and the plots.",
)
@_image_format_option
@_format_option("a summary, or the summary.json document (docs/reference/summary-json.md)")
@_figure_options
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
@click.option(
    "--force", is_flag=True, help="Replace a sweep in --out (its results, summary and plots)."
)
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
@click.pass_context
def sweep_command(
    ctx: click.Context,
    scenario: str,
    params: tuple[str, ...],
    value_lists: tuple[str, ...],
    sets: tuple[str, ...],
    out: Path,
    image_format: str,
    fmt: str,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
    method: str,
    solver: str,
    resume: bool,
    force: bool,
    quiet: bool,
) -> None:
    """Solve SCENARIO over a 1-D or 2-D grid of its numbers; write results and plots.

    A game tree gets every subgame-perfect equilibrium at every point (and, for two players
    with information sets, its perfect Bayesian regime; a 1-D sweep of a prior also finds
    the exact prior thresholds); --method and --solver do not apply to trees.
    """
    if resume and force:
        raise ScenarioError("--resume/--force", "", "give one of them, not both")
    from negotiation.model.overrides import canonical_path, format_path, parse_path
    from negotiation.output import report, results
    from negotiation.studies.sweep import Axis, Grid

    loaded, overrides = _any_scenario(scenario, sets)
    axes = [Axis.parse_range(p) for p in params] + [Axis.parse_values(v) for v in value_lists]
    try:
        grid = Grid(tuple(axes))
    except UserError:
        raise  # a limit or a bad value: its own message says what to do
    except ValueError as error:
        raise ScenarioError(
            "--param/--values",
            "",
            f"{error}: give one or two of --param PATH=START:STOP:NUM or "
            "--values PATH=v1,v2,... on different paths",
        ) from None
    if _is_matrix(loaded):
        canonical: Callable[[str], str] = lambda p: canonical_path(p, loaded)  # noqa: E731
    else:
        canonical = lambda p: format_path(parse_path(p))  # noqa: E731
    clash = {canonical(p) for p in grid.paths} & {canonical(p) for p, _ in overrides}
    if clash:
        raise ScenarioError(
            "--set", "", f"--set and the sweep both set {', '.join(sorted(clash))}; drop one"
        )
    command = ["negotiation", *sys.argv[1:]]
    if not _is_matrix(loaded):  # a game tree
        for name in ("method", "solver"):
            if ctx.get_parameter_source(name) is click.core.ParameterSource.COMMANDLINE:
                raise ScenarioError(
                    f"--{name}", "", "does not apply to a game tree (its sweep solves every "
                    "point exactly, or by a float backward induction checked exactly)",
                )  # fmt: skip
        _sweep_tree(
            loaded, grid, overrides, out, command, image_format, fmt, (title, xlabel, ylabel),
            resume=resume, force=force, quiet=quiet,
        )  # fmt: skip
        return
    results.check(  # every input is checked before --out is created
        loaded, grid, method=method, solver=solver, overrides=overrides, command=command
    )
    created = results.make_folder(out)
    progress = _Progress(quiet)
    with results.lock(out, command):
        result = _solved(
            lambda: results.run(
                loaded,
                grid,
                out,
                method=method,
                solver=solver,
                overrides=overrides,
                command=command,
                resume=resume,
                force=force,
                progress=progress,
                resumed=_resumed(out),
            ),
            out,
            created,
            progress,
        )
        from negotiation.output import plots  # matplotlib: imported only to draw

        words = _labels(plots.scenario_labels(loaded, grid.paths, overrides), title, xlabel, ylabel)
        names = _draw(result, out, image_format, words)
    if fmt == "json":
        click.echo((out / results.SUMMARY).read_text(encoding="utf-8"), nl=False)
        return
    files = [results.RESULTS, results.MANIFEST, results.SUMMARY, *names]
    click.echo(report.sweep_summary(result, out, files))


def _solved(run: Callable[[], Any], out: Path, created: bool, progress: _Progress) -> Any:
    """Run a sweep into ``out``; on a stop, say how far it got; on a failure, tidy up.

    An interruption ends the command with its exit status (130 or 143), and any failure
    removes a folder this command created before anything was solved in it.
    """
    from negotiation.output import results

    try:
        result = run()
    except results.SweepInterrupted as stop:
        progress.close()
        raise Stop(("\n" if sys.stderr.isatty() else "") + str(stop), 128 + stop.signum) from None
    except BaseException:
        progress.close()
        if created:
            results.remove_if_unsolved(out)
        raise
    progress.close()
    return result


def _sweep_tree(
    tree: Any,
    grid: Grid,
    overrides: list[tuple[str, Fraction]],
    out: Path,
    command: list[str],
    image_format: str,
    fmt: str,
    words: tuple[str | None, str | None, str | None],
    *,
    resume: bool,
    force: bool,
    quiet: bool,
) -> None:
    """``sweep`` on a game tree: :mod:`negotiation.output.tree_results` into ``out``."""
    from negotiation.output import report, results, tree_results

    tree_results.check(tree, grid, overrides=overrides, command=command)  # before --out
    created = results.make_folder(out)
    progress = _Progress(quiet)

    def thresholds() -> None:
        progress.close()
        if progress.enabled:
            click.echo("locating the prior thresholds exactly...", err=True)

    with results.lock(out, command):
        result = _solved(
            lambda: tree_results.run(
                tree,
                grid,
                out,
                overrides=overrides,
                command=command,
                resume=resume,
                force=force,
                progress=progress,
                resumed=_resumed(out),
                thresholds=thresholds,
            ),
            out,
            created,
            progress,
        )
        from negotiation.output import tree_sweep_plots  # matplotlib: imported only to draw

        labels = _labels(tree_sweep_plots.tree_labels(tree, grid.paths, overrides), *words)
        names = _draw(result, out, image_format, labels)
    if fmt == "json":
        click.echo((out / results.SUMMARY).read_text(encoding="utf-8"), nl=False)
        return
    files = [results.RESULTS, results.MANIFEST, results.SUMMARY, *names]
    click.echo(report.tree_sweep_summary(result, out, files))


def _draw(result: Any, folder: Path, image_format: str, labels: Any) -> list[str]:
    """Draw a sweep's plots into ``folder`` and record them; Ctrl-C leaves the results whole."""
    from negotiation.output import plots, results  # matplotlib: imported only to draw
    from negotiation.studies.tree_sweep import TreeSweepResult

    try:
        if isinstance(result, TreeSweepResult):
            from negotiation.output import tree_sweep_plots

            names = tree_sweep_plots.save_tree_sweep_plots(result, folder, image_format, labels)
        else:
            names = plots.save_sweep_plots(result, folder, image_format, labels)
    except KeyboardInterrupt as stop:
        raise Stop(
            f"interrupted while drawing the plots; the results in {folder} are complete: "
            f"run `negotiation plot {folder}` to draw them.",
            128 + _signum(stop),
        ) from None
    results.add_files(folder, names)
    return names


@main.command("plot")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
@_image_format_option
@_format_option("'wrote FILE' lines on standard error, or a JSON object on standard output")
@_figure_options
def plot_command(
    folder: Path,
    image_format: str,
    fmt: str,
    title: str | None,
    xlabel: str | None,
    ylabel: str | None,
) -> None:
    """Redraw a sweep's plots from FOLDER's results.csv and manifest.json (no solving).

    Also writes FOLDER's summary.json again.
    """
    from negotiation.output import results

    if not folder.is_dir():
        results.read(folder)  # says what is missing
        _not_a_folder(folder)
    from negotiation.output import plots  # matplotlib: imported only to draw

    with results.lock(folder, ["negotiation", *sys.argv[1:]]):
        manifest = results.read_manifest(folder)
        if manifest.get("kind") == "tree":  # a game tree's sweep
            from negotiation.output import tree_results, tree_sweep_plots

            tree = tree_results.read(folder)
            words = _labels(tree_sweep_plots.manifest_labels(manifest), title, xlabel, ylabel)
            names = _draw(tree, folder, image_format, words)
            tree_results.write_summary(folder, tree, manifest)
        else:
            result = results.read(folder)
            words = _labels(plots.manifest_labels(manifest), title, xlabel, ylabel)
            names = _draw(result, folder, image_format, words)
            results.write_summary(folder, result, manifest)
    written = [*names, results.SUMMARY]
    if fmt == "json":
        _print_json({"folder": str(folder), "wrote": written})
        return
    for name in written:
        click.echo(f"wrote {folder / name}", err=True)


def _not_a_folder(folder: Path) -> NoReturn:
    raise OutputError(str(folder), "", "not a folder; expected a sweep folder")
