"""``negotiation explore``: how often each equilibrium outcome holds when numbers vary.

A thin shell: parse the options, build the study
(:func:`negotiation.studies.uncertainty.load_study`), run it into its folder
(:func:`negotiation.output.explore_folder.run`) and print the summary. Errors the user can
fix are :class:`~negotiation.errors.UserError` and reach the program's one boundary
(:class:`negotiation.cli.app.Boundary`): one line, exit status 2.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import click

from negotiation.cli.app import (
    Stop,
    _format_option,
    _image_format_option,
    _Progress,
    _scenario_argument,
    _set_option,
    _sigterm_interrupts,
)
from negotiation.errors import ScenarioError
from negotiation.model.overrides import parse_assignment
from negotiation.output import report
from negotiation.studies.sampling import SAMPLERS

#: Inputs shown per output in the table's list of drivers, and outputs shown.
DRIVERS, DRIVEN = 3, 4
#: Varied numbers named in the table's first line (the rest are counted).
NAMED = 4


@click.command("explore")
@_scenario_argument
@click.option(
    "--vary",
    "vary",
    multiple=True,
    metavar="PATH=DIST",
    help="Draw one number of the scenario from DIST: uniform:LO:HI, triangular:LO:MODE:HI, "
    "normal:MU:SIGMA[:LO:HI], beta:A:B:LO:HI or choice:v1,v2,... (repeatable).",
)
@click.option(
    "--scale",
    "scale",
    multiple=True,
    metavar="GLOB=DIST",
    help="Multiply every number whose path matches GLOB by its own draw from DIST, e.g. "
    "'weights.us.*=uniform:0.5:1.5' (repeatable).",
)
@click.option(
    "--simplex",
    "simplex",
    multiple=True,
    metavar="PLAYER[:c1,c2,...]",
    help="Draw PLAYER's weights (or those on the listed criteria) uniformly on a simplex "
    "of the same total: SMAA's 'no weight information' (repeatable).",
)
@click.option(
    "--order",
    "order",
    multiple=True,
    metavar="'PLAYER: a >= b'",
    help="Keep only simplex weights in this order, e.g. 'us: supply_security >= "
    "legitimacy' (repeatable; needs --simplex for the player).",
)
@click.option(
    "--samples",
    type=click.IntRange(min=1),
    default=None,
    help="Number of draws (default: the file's [uncertainty] samples, else 10000).",
)
@click.option(
    "--seed",
    type=click.IntRange(min=0),
    default=None,
    help="Seed; the same seed gives the same bytes on any chunking, workers or scheduler "
    "(default: the file's, else 0).",
)
@click.option(
    "--sampler",
    type=click.Choice(SAMPLERS),
    default=None,
    help="mc (Monte Carlo), sobol (scrambled), lhs (Latin hypercube) or saltelli (adds "
    "Sobol' indices) (default: the file's, else mc).",
)
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for summary.json, explore.json, chunks/ and the plots.",
)
@click.option(
    "--keep-samples",
    is_flag=True,
    help="Also write samples.parquet, every draw and its regime (needs pyarrow).",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run the chunks on this Dask scheduler, e.g. tcp://10.0.0.5:8786 (needs "
    "negotiation[distributed]).",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=None,
    help="Start a local Dask cluster of N worker processes for the run.",
)
@click.option("--resume", is_flag=True, help="Continue an interrupted study in --out.")
@click.option("--force", is_flag=True, help="Replace a study in --out.")
@_set_option
@_image_format_option
@_format_option("a summary, or the summary.json document (docs/reference/explore.md)")
@click.option("--quiet", "-q", is_flag=True, help="No progress bar.")
def explore_command(
    scenario: str,
    vary: tuple[str, ...],
    scale: tuple[str, ...],
    simplex: tuple[str, ...],
    order: tuple[str, ...],
    samples: int | None,
    seed: int | None,
    sampler: str | None,
    out: Path,
    keep_samples: bool,
    scheduler: str | None,
    workers: int | None,
    resume: bool,
    force: bool,
    sets: tuple[str, ...],
    image_format: str,
    fmt: str,
    quiet: bool,
) -> None:
    """Sample the uncertain numbers of SCENARIO; report how often each outcome holds.

    Every draw is solved completely. The summary gives each equilibrium regime's share
    with a 95% interval, whether the scenario's own answer is robust, the numbers that
    drive it and readable rules.
    """
    from negotiation.output import explore_folder
    from negotiation.studies import uncertainty

    if resume and force:
        raise ScenarioError("--resume/--force", "", "give one of them, not both")
    if scheduler is not None and workers is not None:
        raise ScenarioError("--scheduler/--workers", "", "give one of them, not both")
    overrides = [parse_assignment(s) for s in sets]
    study = uncertainty.load_study(
        scenario,
        overrides,
        vary=vary,
        scale=scale,
        simplex=simplex,
        order=order,
        samples=samples,
        seed=seed,
        sampler=sampler,
    )
    progress = _Progress(quiet)
    with _sigterm_interrupts():
        try:
            result = explore_folder.run(
                study,
                out,
                keep_samples=keep_samples,
                scheduler=scheduler,
                workers=workers,
                resume=resume,
                force=force,
                plot_format=image_format,
                command=["negotiation", *sys.argv[1:]],
                progress=progress,
            )
        except explore_folder.ExploreInterrupted as stop:
            progress.close()
            raise Stop(
                ("\n" if sys.stderr.isatty() else "") + str(stop), 128 + stop.signum
            ) from None
        finally:
            progress.close()
    if fmt == "json":
        click.echo((out / explore_folder.SUMMARY).read_text(encoding="utf-8"), nl=False)
        return
    click.echo(summary_text(result.summary, out), nl=False)


def summary_text(summary: Mapping[str, Any], out: Path | None = None) -> str:
    """The table ``explore`` prints: regimes, verdicts, drivers, rules and notes.

    Words come from the scenario's labels (``summary["vary"][i]["label"]``); every number
    is read from the summary document, so the table and ``summary.json`` agree.
    """
    names = [report.printable(v["label"]) for v in summary["vary"]]
    if len(names) > NAMED:
        names = [*names[: NAMED - 1], f"and {len(names) - NAMED + 1} more numbers"]
    lines = [
        f"{report.printable(summary['scenario'])}: {summary['samples']:,} draws "
        f"({summary['sampler']}, seed {summary['seed']}) of " + ", ".join(names),
        "",
        "Equilibrium regimes (share of draws, 95% interval):",
    ]
    for regime in summary["regimes"]:
        low, high = regime["ci95"]
        lines.append(
            f"  {_pct(regime['share']):>6}  [{_pct(low)}, {_pct(high)}]  "
            f"{report.printable(regime['label'])}"
        )
    if summary["degenerate"]:
        lines.append(f"  ({_pct(summary['degenerate'])} of draws are degenerate games)")
    verdicts = summary.get("verdicts") or []
    if verdicts:
        lines += ["", "Is the scenario's own answer robust? (robust: 95% interval >= 95%)"]
        lines += [f"  {report.printable(v['text'])}" for v in verdicts]
    drivers = _drivers(summary)
    if drivers:
        lines += ["", "What drives it (PAWN index; larger = more influential):"]
        lines += drivers
    if summary["rules"]:
        lines += ["", "Rules (coverage: share of the outcome's draws; density: share true):"]
        for rule in summary["rules"]:
            lines.append(
                f"  {report.printable(rule['text'])} (coverage {_pct(rule['coverage'])}, "
                f"density {_pct(rule['density'])})"
            )
    notes = list(summary["notes"])
    change = summary["convergence"].get("max_change")
    if change is not None:
        notes.append(
            f"Convergence: shares and indices moved by at most {change:.3f} between "
            f"{summary['convergence']['samples'][1]:,} and {summary['samples']:,} draws."
        )
    if notes:
        lines += ["", "Notes:"] + [f"  {report.printable(n)}" for n in notes]
    if out is not None:
        lines += ["", f"Wrote summary.json, explore.json and the plots to {out}"]
    return "\n".join(lines) + "\n"


def _drivers(summary: Mapping[str, Any]) -> list[str]:
    """The most influential inputs of the first analysed outputs, in words."""
    labels = {v["path"]: v["label"] for v in summary["vary"]}
    noise = summary["sensitivity_info"].get("pawn_noise", {})
    lines = []
    for output, per_path in list(summary["sensitivity"].items())[:DRIVEN]:
        ranked = sorted(
            ((p, i["pawn"]) for p, i in per_path.items() if i.get("pawn") is not None),
            key=lambda t: (-t[1], t[0]),
        )
        level = noise.get(output)
        shown = [
            f"{report.printable(labels.get(p, p))} {v:.2f}"
            for p, v in ranked[:DRIVERS]
            if level is None or v > level
        ]
        kind, _, name = output.partition(":")
        what = name if kind == "regime" else output
        lines.append(
            f"  {report.printable(what)}: "
            + ("; ".join(shown) if shown else "no input above chance")
        )
    return lines


def _pct(share: float) -> str:
    return f"{100 * share:.1f}%"
