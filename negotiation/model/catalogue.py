"""The built-in scenario catalogue, and resolving a scenario argument to a file.

The catalogue is the ``games/`` folder of the repository, installed with the package as
``negotiation.games``. A scenario's catalogue name is its file name without ``.toml``, with
``_`` written as ``-``: ``games/rare_earth.toml`` is ``rare-earth``.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path

from negotiation.errors import ScenarioError
from negotiation.limits import quoted, shown
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
    if not text.strip():
        raise ScenarioError(
            quoted(text), "", "expected a catalogue name or a path to a TOML file, got nothing"
        )
    path = Path(text)
    if _exists(path) or text.endswith(".toml") or "/" in text or "\\" in text:
        return path
    names = catalogue()
    if text in names:
        return names[text]
    raise ScenarioError(
        shown(text),
        "",
        f"not a file and not a catalogue name{_did_you_mean(text, names)}; expected a path "
        "to a TOML file or one of: " + ", ".join(names),
    )


def _exists(path: Path) -> bool:
    """Whether ``path`` exists; a name the system cannot look up (too long, NUL) does not."""
    try:
        return path.exists()
    except (OSError, ValueError):
        return False


def _did_you_mean(text: str, names: Iterable[str]) -> str:
    """`` (did you mean 'rare-earth'?)`` for a near miss such as ``rare_earth`` or ``Rare``.

    Case and ``_`` for ``-`` are forgiven first (the file is ``rare_earth.toml``), then
    spelling (:func:`difflib.get_close_matches`).
    """
    names = list(names)
    folded = text.strip().lower().replace("_", "-").replace(" ", "-")[:200]
    hint = [n for n in names if n == folded] or difflib.get_close_matches(folded, names, n=1)
    return f" (did you mean {hint[0]!r}?)" if hint else ""


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
