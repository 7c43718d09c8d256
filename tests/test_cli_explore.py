"""`negotiation explore` on the command line: known answers (trees), errors, resume, JSON.

Run in-process with click's CliRunner in pytest's tmp_path, as the other CLI tests are.
"""

from __future__ import annotations

import json
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from negotiation.cli import explore as cli_explore
from negotiation.cli import main

#: A study of rare-earth whose answers these tests do not depend on (the matrix file's
#: numbers are judgements that change): for errors, folders, resume and JSON output.
THRESHOLD_STUDY = ["--vary", "weights.us.supply_security=uniform:0:6"]

#: Selten's entry game (games/entry.toml): the incumbent accommodates (payoff 1) rather than
#: fights exactly when fighting pays it less than 1, so with the fight payoff uniform on
#: [-2, 2] the entrant enters and the incumbent accommodates in (1 - (-2)) / 4 = 3/4 of draws.
ENTRY_STUDY = ["--vary", "tree.in.fight.payoffs.incumbent=uniform:-2:2"]


def explore(tmp_path: Path, *args: str, out: str = "study", scenario: str = "rare-earth") -> Result:
    """Run `negotiation explore SCENARIO ARGS --out tmp_path/out`."""
    return CliRunner().invoke(
        main, ["explore", scenario, *args, "--out", str(tmp_path / out), "--quiet"]
    )


def test_entry_accommodation_share_interval_covers_three_quarters(tmp_path: Path) -> None:
    """On the entry tree the accommodation regime's CI covers 3/4 and the rule finds 1."""
    result = explore(tmp_path, *ENTRY_STUDY, "--samples", "4096", "--seed", "1", scenario="entry")
    assert result.exit_code == 0, result.output
    summary = json.loads((tmp_path / "study" / "summary.json").read_text())
    regimes = {r["label"]: r for r in summary["regimes"]}
    assert set(regimes) == {"Entrant: enters; Incumbent: accommodates", "Entrant: stays out"}
    low, high = regimes["Entrant: enters; Incumbent: accommodates"]["ci95"]
    assert low <= Fraction(3, 4) <= high
    assert "Entrant: enters; Incumbent: accommodates" in result.output
    assert "Incumbent's payoff at enters, fights > 1" in result.output  # the threshold


def test_table_states_verdicts_in_words(tmp_path: Path) -> None:
    """rare-earth-sequential, Russia's China weight on [0, 2]: its offer fragile, US robust.

    The file's comments derive it: with the US's defaults Russia makes the full offer below
    a China weight of exactly 1 and no offer above (about half the draws), and the US
    diversifies after either (games/rare_earth_sequential.toml).
    """
    args = ["--vary", "weights.russia.china_relations=uniform:0:2", "--samples", "2048"]
    result = explore(tmp_path, *args, scenario="rare-earth-sequential")
    assert result.exit_code == 0, result.output
    assert "Russia makes the full offer" in result.output
    verdict = {
        who: line.rsplit(": ", 1)[1]
        for line in result.output.splitlines()
        if "as at the scenario's own numbers" in line
        for who in ("United States", "Russia")
        if line.strip().startswith(who + " ")
    }
    assert verdict == {"United States": "robust", "Russia": "fragile"}


def test_format_json_prints_summary_json(tmp_path: Path) -> None:
    """--format json prints exactly the bytes of the summary.json it wrote."""
    result = explore(tmp_path, *THRESHOLD_STUDY, "--samples", "1024", "--format", "json")
    assert result.exit_code == 0, result.output
    assert result.stdout == (tmp_path / "study" / "summary.json").read_text(encoding="utf-8")
    assert json.loads(result.stdout)["samples"] == 1024


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--vary", "weights.us.nope=uniform:0:6"], "weights.us has no key 'nope'"),
        (["--vary", "weights.us.supply_security=uniform:6:0"], "expected LO < HI"),
        (["--vary", "weights.us.supply_security=gamma:1"], "unknown distribution 'gamma'"),
        (["--simplex", "us", "--order", "russia: a >= b"], "no --simplex for player 'russia'"),
        ([], "nothing varies"),
        ([*THRESHOLD_STUDY, "--resume", "--force"], "give one of them, not both"),
        ([*THRESHOLD_STUDY, "--workers", "2", "--scheduler", "x:1"], "give one of them"),
        ([*THRESHOLD_STUDY, "--sampler", "grid"], "Invalid value for '--sampler'"),
        ([*THRESHOLD_STUDY, "--format", "png"], "use --image-format png"),
        # Fuzz finding F4 (R3): --resume of a missing folder once started a fresh study.
        (
            [*THRESHOLD_STUDY, "--resume"],
            "explore.json: no such file; expected an explore study's folder to resume",
        ),
    ],
)
def test_bad_input_is_one_error_line(tmp_path: Path, args: list[str], words: str) -> None:
    """Each mistake exits 2 with one 'Error:' line naming it, and creates no folder."""
    result = explore(tmp_path, *args)
    assert result.exit_code == 2, result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith("Error:"), lines
    assert words in lines[0], lines
    assert not (tmp_path / "study").exists()


def test_existing_study_is_refused_without_resume_or_force(tmp_path: Path) -> None:
    """A second run into a finished study's folder exits 2 and points at --resume/--force."""
    assert explore(tmp_path, *THRESHOLD_STUDY, "--samples", "1024").exit_code == 0
    again = explore(tmp_path, *THRESHOLD_STUDY, "--samples", "1024")
    assert again.exit_code == 2
    assert "--resume" in again.stderr
    assert "--force" in again.stderr


@pytest.mark.parametrize(
    ("scenario", "study", "sweep"),
    [
        ("entry", ENTRY_STUDY, ["--param", "tree.out.payoffs.entrant=0:1:3"]),
        ("rare-earth", THRESHOLD_STUDY, ["--param", "weights.us.supply_security=0:6:3"]),
    ],
)
@pytest.mark.parametrize("flag", [[], ["--force"], ["--resume"]])
def test_sweep_and_study_refuse_each_others_folders(
    tmp_path: Path, scenario: str, study: list[str], sweep: list[str], flag: list[str]
) -> None:
    """Neither tool writes into the other's folder, even with --force or --resume (F4).

    Fuzz finding F4 (R3): each silently replaced the other's summary.json, exit 0.
    """
    runner = CliRunner()
    swept, studied = tmp_path / "swept", tmp_path / "studied"
    sweep_args = ["sweep", scenario, *sweep, "-q"]
    assert runner.invoke(main, [*sweep_args, "--out", str(swept)]).exit_code == 0
    made = explore(tmp_path, *study, "--samples", "64", out="studied", scenario=scenario)
    assert made.exit_code == 0, made.output
    summaries = {f: (f / "summary.json").read_bytes() for f in (swept, studied)}
    into_sweep = explore(tmp_path, *study, "--samples", "64", *flag, out="swept",
                         scenario=scenario)  # fmt: skip
    into_study = runner.invoke(main, [*sweep_args, *flag, "--out", str(studied)])
    for result, words in (
        (into_sweep, f"Error: {swept}: this folder holds a sweep (manifest.json), not an "
                     "explore study; use another --out folder"),
        (into_study, f"Error: {studied / 'explore.json'}: this folder holds an explore "
                     "study, not a sweep; use another --out folder"),
    ):  # fmt: skip
        assert result.exit_code == 2, result.output
        assert result.stderr.count("\n") == 1
        assert result.stderr.startswith(words), result.stderr
    assert {f: (f / "summary.json").read_bytes() for f in (swept, studied)} == summaries
    assert not (swept / "explore.json").exists()
    assert not (studied / "manifest.json").exists()


class _StopAfterFirstChunk:
    """A progress callback that presses Ctrl-C once the first chunk is saved."""

    def __init__(self, quiet: bool) -> None:
        self.calls = 0

    def __call__(self, done: int, total: int) -> None:
        self.calls += 1
        raise KeyboardInterrupt

    def close(self) -> None:
        """Nothing to close."""


def test_interrupted_then_resumed_gives_the_same_bytes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C after one chunk exits 130; --resume then writes the uninterrupted summary.json."""
    args = [*THRESHOLD_STUDY, "--samples", "20000", "--seed", "5"]  # two chunks of 16,384
    whole = explore(tmp_path, *args, out="whole")
    assert whole.exit_code == 0, whole.output
    with monkeypatch.context() as patch:
        patch.setattr(cli_explore, "_Progress", _StopAfterFirstChunk)
        stopped = explore(tmp_path, *args, out="parts")
    assert stopped.exit_code == 130, stopped.output
    assert "--resume" in stopped.stderr
    assert "16,384 of 20,000" in stopped.stderr
    assert not (tmp_path / "parts" / "summary.json").exists()
    resumed = explore(tmp_path, *args, "--resume", out="parts")
    assert resumed.exit_code == 0, resumed.output
    first, second = (tmp_path / name / "summary.json" for name in ("parts", "whole"))
    assert first.read_bytes() == second.read_bytes()


def test_simplex_with_order_keeps_the_order(tmp_path: Path) -> None:
    """--simplex us:a,b --order 'us: a >= b': every regime's central weights keep a >= b."""
    result = explore(
        tmp_path,
        "--simplex", "us:supply_security,legitimacy",
        "--order", "us: supply_security >= legitimacy",
        "--samples", "1024", "--format", "json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    summary: dict[str, Any] = json.loads(result.stdout)
    assert [v["kind"] for v in summary["vary"]] == ["simplex", "simplex"]
    for regime in summary["regimes"]:
        weights = regime["central_weights"]
        assert weights["weights.us.supply_security"] >= weights["weights.us.legitimacy"]
    assert abs(sum(r["share"] for r in summary["regimes"]) - 1) < 1e-12


def test_explore_is_listed_in_the_program_help() -> None:
    """`negotiation --help` lists explore, which is imported only when used."""
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    assert "explore" in result.output
