"""The built-in scenario catalogue, and resolving a scenario argument to a file.

The catalogue is the ``games/`` folder of the repository, installed with the package as
``negotiation.games``. A scenario's catalogue name is its file name without ``.toml``, with
``_`` written as ``-``: ``games/rare_earth.toml`` is ``rare-earth``.

Two kinds of scenario live there, told apart by their content: a file with a top-level
``[tree]`` table is a game tree (:class:`~negotiation.model.tree.TreeScenario`, see
:mod:`negotiation.model.tree`), any other a two-player matrix game
(:class:`~negotiation.model.scenario.Scenario`). :func:`load` returns either, read through
the one hardened reader of :mod:`negotiation.model.scenario` (regular files only, size and
number limits), and :func:`kind` says which. A Gambit extensive-form file (``.efg``) loads
as a tree (:mod:`negotiation.output.gambit_io`).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Mapping
from importlib import resources
from pathlib import Path
from typing import Any, Literal

from negotiation.errors import ScenarioError
from negotiation.limits import quoted, shown
from negotiation.model.scenario import Scenario, parse_toml, read_text
from negotiation.model.tree import TreeScenario
from negotiation.model.types import tree_from_dict

#: What :func:`kind` returns: a matrix (strategic-form) scenario or a game tree.
Kind = Literal["matrix", "tree"]

#: Any scenario :func:`load` returns.
AnyScenario = Scenario | TreeScenario

#: Overrides as every loader takes them: path -> value, as a mapping or as pairs.
Overrides = Mapping[str, object] | Iterable[tuple[str, object]]

#: The top-level key that makes a scenario file a game tree.
TREE_KEY = "tree"

#: File name endings read as Gambit extensive-form games rather than TOML.
GAMBIT_SUFFIXES = (".efg",)


def catalogue(kind: Kind | None = None) -> dict[str, Path]:
    """Catalogue names mapped to their files, sorted by name; only one kind if asked.

    Both kinds are listed by default. With ``kind``, each file is read (they are small) to
    keep only matrix scenarios or only trees:

    >>> "entry" in catalogue("tree"), "entry" in catalogue("matrix")
    (True, False)
    """
    folder = resources.files("negotiation.games")
    found = {
        entry.name.removesuffix(".toml").replace("_", "-"): Path(str(entry))
        for entry in folder.iterdir()
        if entry.name.endswith(".toml")
    }
    if kind is not None:
        found = {name: path for name, path in found.items() if file_kind(path) == kind}
    return dict(sorted(found.items()))


def resolve(scenario: str | Path) -> Path:
    """The file for a catalogue name or a path.

    An existing path, or anything that looks like one (ends in ``.toml`` or ``.efg`` or
    holds a path separator), is taken as a path; otherwise the argument must be a catalogue
    name.
    """
    text = str(scenario)
    if not text.strip():
        raise ScenarioError(
            quoted(text), "", "expected a catalogue name or a path to a TOML file, got nothing"
        )
    path = Path(text)
    looks_like_a_file = text.lower().endswith((".toml", *GAMBIT_SUFFIXES))
    if _exists(path) or looks_like_a_file or "/" in text or "\\" in text:
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


def load(scenario: str | Path, overrides: Overrides = ()) -> AnyScenario:
    """Load a scenario by catalogue name or path, with optional overrides.

    The file is read once, by :func:`negotiation.model.scenario.read_text` and
    :func:`negotiation.model.scenario.parse_toml` (the same protection for every kind:
    regular files only, size, nesting and number limits); a top-level ``[tree]`` table
    makes it a :class:`~negotiation.model.tree.TreeScenario` (a
    :class:`~negotiation.model.types.TypedTreeScenario` when it also declares player
    ``[types]``), anything else a :class:`~negotiation.model.scenario.Scenario`. A ``.efg``
    file is read as a Gambit extensive-form game
    (:func:`negotiation.output.gambit_io.read_efg`).

    >>> load("rare-earth").players[0].strategy_ids
    ('accept', 'reject', 'diversify')
    >>> load("rare-earth", {"weights.us.legitimacy": "0.9"}).weights["us"]["legitimacy"]
    Fraction(9, 10)
    >>> entry = load("entry", {"tree.in.fight.payoffs.incumbent": 2})
    >>> kind(entry), entry.node("tree.in.fight").payoffs
    ('tree', (Fraction(-1, 1), Fraction(2, 1)))
    """
    path = resolve(scenario)
    origin = str(path)
    if origin.lower().endswith(GAMBIT_SUFFIXES):
        from negotiation.output.gambit_io import read_efg  # only for Gambit files

        return read_efg(path, overrides)
    data = parse_toml(read_text(path), origin)
    if is_tree(data):  # with [types], compiled to a chance node and information sets
        return tree_from_dict(data, origin, overrides)
    return Scenario.from_dict(data, origin, overrides)


def load_matrix(scenario: str | Path, overrides: Overrides = ()) -> Scenario:
    """:func:`load` for callers that need a matrix scenario: a tree is refused, said plainly.

    >>> load_matrix("entry")
    Traceback (most recent call last):
    ...
    negotiation.errors.ScenarioError: ...entry.toml: tree: this is a game tree ...
    """
    loaded = load(scenario, overrides)
    if isinstance(loaded, TreeScenario):
        raise ScenarioError(
            shown(loaded.origin, 4096),
            TREE_KEY,
            "this is a game tree (it has a [tree] table); expected a matrix scenario here "
            "(strategies and payoff or score tables)",
        )
    return loaded


def load_tree(scenario: str | Path, overrides: Overrides = ()) -> TreeScenario:
    """:func:`load` for callers that need a game tree: a matrix scenario is refused."""
    loaded = load(scenario, overrides)
    if not isinstance(loaded, TreeScenario):
        raise ScenarioError(
            shown(loaded.origin, 4096),
            TREE_KEY,
            "missing; this is a matrix scenario, expected a game tree here (a [tree] table)",
        )
    return loaded


def is_tree(data: Mapping[str, Any]) -> bool:
    """Whether parsed scenario content is a game tree: it has a top-level ``[tree]`` table."""
    return isinstance(data, Mapping) and TREE_KEY in data


def kind(scenario: AnyScenario) -> Kind:
    """``"tree"`` for a game tree, ``"matrix"`` for a matrix scenario, so callers can branch.

    >>> kind(load("entry")), kind(load("chicken"))
    ('tree', 'matrix')
    """
    return "tree" if isinstance(scenario, TreeScenario) else "matrix"


def file_kind(path: str | Path) -> Kind:
    """The kind of scenario a file holds, read as :func:`load` reads it (not validated)."""
    if str(path).lower().endswith(GAMBIT_SUFFIXES):
        return "tree"
    return "tree" if is_tree(parse_toml(read_text(path), str(path))) else "matrix"


def shape_text(scenario: AnyScenario) -> str:
    """A short description of a scenario's size, for listings: the shape or the tree's size.

    A matrix scenario gives its shape (``3x3``); a tree its players, nodes and leaves, and
    ``chance`` or ``infosets`` when it has chance nodes or imperfect information.

    >>> shape_text(load("rare-earth")), shape_text(load("entry"))
    ('3x3', 'tree: 2 players, 5 nodes, 3 leaves')
    >>> shape_text(load("matching-pennies-tree"))
    'tree: 2 players, 7 nodes, 4 leaves, infosets'
    """
    if isinstance(scenario, Scenario):
        m, n = scenario.shape
        return f"{m}x{n}"
    parts = [
        _count(len(scenario.players), "player"),
        _count(len(scenario.nodes), "node"),
        _count(len(scenario.leaves), "leaf", "leaves"),
    ]
    if scenario.chance_nodes:
        parts.append("chance")
    if not scenario.perfect_information:
        parts.append("infosets")
    return "tree: " + ", ".join(parts)


def _count(n: int, noun: str, plural: str = "") -> str:
    return f"{n} {noun if n == 1 else plural or noun + 's'}"
