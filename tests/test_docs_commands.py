"""Every `negotiation` command shown in the README and the docs runs as shown.

Python examples there are doctests (run by pytest's --doctest-glob); this file covers the
shell examples: each ``$ negotiation ...`` line of a ``console`` block is run in-process
in a scratch folder (with the catalogue reachable as ``games/``), and must exit 0, or 2
where the block shows the ``Error:`` it produces. The CLI reference must also contain
the current ``--help`` text of every command, so it cannot go stale.
"""

from __future__ import annotations

import itertools
import os
import re
import shlex
from pathlib import Path

import pytest
from click.testing import CliRunner

from negotiation.cli import main

ROOT = Path(__file__).resolve().parent.parent
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
BLOCK = re.compile(r"```console\n(.*?)```", re.DOTALL)


def commands() -> list[tuple[str, str, bool]]:
    """(page, command line, whether the block shows it failing) for every shown command."""
    found = []
    for page in PAGES:
        for block in BLOCK.findall(page.read_text(encoding="utf-8")):
            lines = block.replace("\\\n", " ").splitlines()
            for k, line in enumerate(lines):
                if not line.startswith("$ negotiation "):
                    continue
                command = line[2:].split("  #")[0].strip()
                if any(c in command for c in "|><;&"):
                    continue  # shell plumbing around the command: not ours to run
                end = next(
                    (j for j in range(k + 1, len(lines)) if lines[j].startswith("$ ")), len(lines)
                )
                output = lines[k + 1 : end]
                fails = any(x.startswith("Error:") for x in output)
                found.append((str(page.relative_to(ROOT)), command, fails))
    return found


COMMANDS = commands()


def test_the_docs_show_commands() -> None:
    """The extraction finds the README's and the docs' commands (it is not vacuous)."""
    assert len(COMMANDS) >= 20
    assert any(c.startswith("negotiation sweep") for _, c, _ in COMMANDS)


@pytest.mark.parametrize("page", sorted({page for page, _, _ in COMMANDS}))
def test_shown_commands_run(tmp_path: Path, page: str) -> None:
    """A page's commands, run in order in one folder as a reader would, exit as shown.

    Each exits 0, or 2 where the page shows its error. Sweeps of more than 20,000 points
    (and commands that continue them) are left out to keep the suite quick.
    """
    (tmp_path / "games").symlink_to(ROOT / "games")
    skipped_outputs: set[str] = set()
    ran = 0
    for _, command, fails in (c for c in COMMANDS if c[0] == page):
        args = shlex.split(command)[1:]
        out = args[args.index("--out") + 1] if "--out" in args else None
        if any(not _available(tmp_path, a) for a in args if a.endswith(".toml")):
            continue  # a file the page asks the reader to write
        if args[:1] == ["plot"] and not (tmp_path / args[1]).exists():
            continue  # plots a folder made on another page
        if (
            _grid_points(args) > 20_000
            or (out in skipped_outputs)
            or (args[:1] == ["plot"] and args[1] in skipped_outputs)
        ):
            skipped_outputs.add(out or args[-1])
            continue
        cwd = os.getcwd()
        os.chdir(tmp_path)
        try:
            result = CliRunner().invoke(main, args)
        finally:
            os.chdir(cwd)
        assert result.exit_code == (2 if fails else 0), f"{page}: {command}\n{result.output}"
        ran += 1
    if not ran:
        pytest.skip("every command on this page needs a file the reader writes first")


def _grid_points(args: list[str]) -> int:
    points = 1
    for option, value in itertools.pairwise(args):
        if option == "--param":
            points *= int(value.rsplit(":", 1)[1])
        elif option == "--values":
            points *= value.count(",") + 1
    return points


def _available(folder: Path, path: str) -> bool:
    return (folder / path).exists() or (Path(path).is_absolute() and Path(path).exists())


@pytest.mark.parametrize("command", ["list", "show", "solve", "validate", "sweep", "plot"])
def test_cli_reference_has_current_help(command: str) -> None:
    """docs/reference/cli.md contains each command's current --help description lines."""
    reference = (ROOT / "docs" / "reference" / "cli.md").read_text(encoding="utf-8")
    text = CliRunner().invoke(main, [command, "--help"], terminal_width=80).output
    summary = " ".join(text.split("\n\n")[1].split())
    assert summary in " ".join(reference.split())
    for option in re.findall(r"^\s+(--[a-z-]+)", text, re.MULTILINE):
        assert option in reference, f"{command} {option} is not in the CLI reference"


def test_guarantees_page_names_every_limit() -> None:
    """docs/reference/guarantees.md lists every MAX_/MIN_ constant of negotiation.limits."""
    from negotiation import limits

    page = (ROOT / "docs" / "reference" / "guarantees.md").read_text(encoding="utf-8")
    names = [n for n in vars(limits) if re.fullmatch(r"M(AX|IN)_[A-Z_]+", n)]
    assert len(names) >= 10
    for name in names:
        assert f"`{name}`" in page, f"{name} is not in the guarantees page"
