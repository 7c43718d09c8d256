"""A non-editable install ships the scenario catalogue and works away from the source tree."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_wheel_ships_the_catalogue(tmp_path: Path) -> None:
    """Build the wheel, install it into an empty folder and solve a catalogue game from it.

    The wheel is built offline with the test environment's setuptools; the installed copy is
    imported from outside the repository, so the source tree cannot stand in for it.
    """
    wheels, site, source = tmp_path / "wheels", tmp_path / "site", tmp_path / "source"
    # Build from a copy, so the build leaves nothing in the repository.
    for name in ("negotiation", "games"):
        shutil.copytree(ROOT / name, source / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy(ROOT / name, source / name)
    pip = [sys.executable, "-m", "pip", "--disable-pip-version-check", "--quiet"]
    subprocess.run(
        [*pip, "wheel", "--no-deps", "--no-build-isolation", "-w", str(wheels), str(source)],
        check=True,
        capture_output=True,
    )
    (wheel,) = wheels.glob("negotiation-*.whl")
    subprocess.run(
        [*pip, "install", "--no-deps", "--target", str(site), str(wheel)],
        check=True,
        capture_output=True,
    )
    probe = (
        "import negotiation, sys\n"
        "from negotiation import catalogue, load, solve\n"
        "names = catalogue()\n"
        "print(negotiation.__file__)\n"
        "print(names['rare-earth'])\n"
        "print(len(names))\n"
        "print(solve(load('rare-earth')).equilibria[0].support)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe],
        cwd=tmp_path,
        env={"PYTHONPATH": str(site), "PATH": ""},
        check=True,
        capture_output=True,
        text=True,
    )
    module_file, rare_earth, count, support = result.stdout.splitlines()
    assert module_file.startswith(str(site))
    assert rare_earth == str(site / "negotiation" / "games" / "rare_earth.toml")
    assert int(count) == len(list((ROOT / "games").glob("*.toml")))
    assert support == "((2,), (0,))"  # the US diversifies, Russia makes the full offer
    # The wheel declares the project's licence (PEP 639) and ships its text.
    (info,) = site.glob("negotiation-*.dist-info")
    metadata = (info / "METADATA").read_text(encoding="utf-8")
    assert "License-Expression: MIT" in metadata.splitlines()
    assert (info / "licenses" / "LICENSE").read_text(encoding="utf-8").startswith("MIT License")
