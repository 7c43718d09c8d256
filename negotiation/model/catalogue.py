"""The built-in scenario catalogue, and resolving a scenario argument to a file.

The catalogue is the ``games/`` folder of the repository, installed with the package as
``negotiation.games``. A scenario's catalogue name is its file name without ``.toml``, with
``_`` written as ``-``: ``games/rare_earth.toml`` is ``rare-earth``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

from negotiation.errors import ScenarioError
from negotiation.model.scenario import Scenario


def catalogue() -> dict[str, Path]:
    """Catalogue names mapped to their files, sorted by name."""
    folder = resources.files("negotiation.games")
    found = {
        entry.name.removesuffix(".toml").replace("_", "-"): Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    return dict(sorted(found.items()))


def resolve(scenario: str | Path) -> Path:
    """The file for a catalogue name or a path.

    An existing path, or anything that looks like one (ends in ``.toml`` or holds a path
    separator), is taken as a path; otherwise the argument must be a catalogue name.
    """
    text = str(scenario)
    path = Path(text)
    if path.exists() or text.endswith(".toml") or "/" in text or "\\" in text:
        return path
    names = catalogue()
    if text in names:
        return names[text]
    raise ScenarioError(
        text,
        "",
        "not a file and not a catalogue name; expected a path to a TOML file or one of: "
        + ", ".join(names),
    )


def load(
    scenario: str | Path,
    overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
) -> Scenario:
    """Load a scenario by catalogue name or path, with optional overrides.

    >>> load("rare-earth").players[0].strategy_ids
    ('accept', 'reject', 'diversify')
    >>> load("rare-earth", {"weights.us.legitimacy": "0.9"}).weights["us"]["legitimacy"]
    Fraction(9, 10)
    """
    return Scenario.from_toml(resolve(scenario), overrides)
