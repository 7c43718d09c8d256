"""The ``[uncertainty]`` table: an uncertainty study kept in its scenario file.

A scenario file may say what is uncertain about it, so that a study is one reproducible
file (``negotiation explore my_scenario.toml``)::

    [uncertainty]
    samples = 100000              # optional, default 10000
    seed = 7                      # optional, default 0
    sampler = "sobol"             # optional: mc (default), sobol, lhs or saltelli

    [uncertainty.vary]            # PATH = DIST (paths with dots are quoted keys)
    "weights.us.supply_security" = "uniform:0:6"

    [uncertainty.scale]           # GLOB = DIST: each matching number times its own draw
    "weights.russia.*" = "uniform:0.5:1.5"

    [[uncertainty.simplex]]       # a player's weights uniform on a simplex
    player = "us"
    criteria = ["supply_security", "legitimacy", "alliance_cohesion"]   # optional
    order = ["supply_security >= legitimacy"]                           # optional

Distributions, globs and the simplex are those of :mod:`negotiation.studies.sampling`.
The scenario itself is read exactly as without the table. Options given on the command
line (:func:`load_study`) add to the file's study: ``samples``, ``seed`` and ``sampler``
replace the file's, a ``--vary`` of a path or a ``--scale`` of a glob that the file also
has replaces the file's entry, and ``--simplex`` for a player replaces the file's simplex
of that player.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs

from negotiation.errors import ScenarioError
from negotiation.model.catalogue import is_tree, resolve
from negotiation.model.scenario import Scenario, parse_toml, read_text
from negotiation.model.tree import TreeScenario
from negotiation.model.types import tree_from_dict
from negotiation.studies.explore_model import Study
from negotiation.studies.sampling import Distribution, Scale, Simplex, Vary, glob_regex

#: The keys of the ``[uncertainty]`` table.
KEYS = (
    "samples",
    "seed",
    "sampler",
    "analysis_samples",
    "confidence_samples",
    "vary",
    "scale",
    "simplex",
)


def read(
    scenario: str | Path,
    overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
) -> tuple[Scenario | TreeScenario, dict[str, Any] | None]:
    """The scenario of a file (catalogue name or path) and its raw ``[uncertainty]`` table.

    The file is read once, by the hardened scenario reader
    (:func:`negotiation.model.scenario.read_text`: regular files only, size and number
    limits); the scenario parser accepts the ``[uncertainty]`` table and keeps it in the
    scenario's content, so a study file's hash covers its study. A file with a ``[tree]``
    table is a game tree (:func:`negotiation.model.types.tree_from_dict`, which compiles
    player types); its ``[uncertainty]`` table is taken out before the tree is built (the
    study is recorded in the output folder's ``explore.json``). Raises
    :class:`~negotiation.errors.ScenarioError` as :meth:`Scenario.from_toml` does.
    """
    path = resolve(scenario)
    origin = str(path)
    data = parse_toml(read_text(path), origin)
    table = data.get("uncertainty")
    if table is not None and not isinstance(table, dict):
        raise ScenarioError(origin, "uncertainty", "expected a table [uncertainty]")
    if is_tree(data):
        rest = {k: v for k, v in data.items() if k != "uncertainty"}
        return tree_from_dict(rest, origin, overrides), table
    return Scenario.from_dict(data, origin, overrides), table


def study_from_table(
    scenario: Scenario | TreeScenario, table: Mapping[str, Any], origin: str | None = None
) -> Study:
    """The study an ``[uncertainty]`` table describes (checked key by key).

    >>> from negotiation import load
    >>> study = study_from_table(load("rare-earth"), {
    ...     "samples": 500, "vary": {"weights.us.supply_security": "uniform:0:6"}})
    >>> study.samples, study.vary[0].path
    (500, 'weights.us.supply_security')
    """
    source = origin or scenario.origin
    where = "uncertainty"
    for key in table:
        if key not in KEYS:
            raise ScenarioError(
                source, f"{where}.{key}", f"unknown key; expected one of: {', '.join(KEYS)}"
            )
    settings: dict[str, Any] = {}
    for key in ("samples", "seed", "analysis_samples", "confidence_samples"):
        if key in table:
            value = table[key]
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ScenarioError(
                    source, f"{where}.{key}", f"expected a whole number >= 0, got {value!r}"
                )
            settings[key] = value
    if "sampler" in table:
        if not isinstance(table["sampler"], str):
            raise ScenarioError(source, f"{where}.sampler", "expected a string such as 'mc'")
        settings["sampler"] = table["sampler"]
    vary = [
        Vary(
            path,
            Distribution.parse(
                _text(dist, source, f"{where}.vary.{path}"), source, f"{where}.vary.{path}"
            ),
        )
        for path, dist in _table(table, "vary", source).items()
    ]
    scale = []
    for pattern, dist in _table(table, "scale", source).items():
        key = f"{where}.scale.{pattern}"
        glob_regex(pattern, source)
        scale.append(Scale(pattern, Distribution.parse(_text(dist, source, key), source, key)))
    simplexes = []
    entries = table.get("simplex", [])
    if isinstance(entries, dict):
        entries = [entries]
    if not isinstance(entries, list):
        raise ScenarioError(source, f"{where}.simplex", "expected [[uncertainty.simplex]] tables")
    for i, entry in enumerate(entries):
        key = f"{where}.simplex[{i}]"
        if not isinstance(entry, dict) or not isinstance(entry.get("player"), str):
            raise ScenarioError(source, key, 'expected a table with player = "<player id>"')
        for name in entry:
            if name not in ("player", "criteria", "order"):
                raise ScenarioError(
                    source, f"{key}.{name}", "unknown key; expected player, criteria, order"
                )
        criteria = entry.get("criteria", [])
        order = entry.get("order", [])
        if not isinstance(criteria, list) or not all(isinstance(c, str) for c in criteria):
            raise ScenarioError(source, f"{key}.criteria", "expected a list of criterion ids")
        if not isinstance(order, list) or not all(isinstance(o, str) for o in order):
            raise ScenarioError(source, f"{key}.order", 'expected a list such as ["a >= b >= c"]')
        spec = entry["player"] + ("=" + ",".join(criteria) if criteria else "")
        simplex = Simplex.parse(spec, source)
        for chain in order:
            simplex = simplex.with_order(f"{entry['player']}: {chain}", source)
        simplexes.append(simplex)
    return Study(scenario, vary=vary, scale=scale, simplex=simplexes, **settings)


def _table(table: Mapping[str, Any], key: str, source: str) -> Mapping[str, Any]:
    value = table.get(key, {})
    if not isinstance(value, dict):
        raise ScenarioError(
            source,
            f"uncertainty.{key}",
            f'expected a table [uncertainty.{key}] of quoted paths = "DIST" strings',
        )
    return value


def _text(value: object, source: str, key: str) -> str:
    if not isinstance(value, str):
        raise ScenarioError(
            source, key, f'expected a distribution string such as "uniform:0:2", got {value!r}'
        )
    return value


def load_study(
    scenario: str | Path,
    overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    *,
    vary: Sequence[str | Vary] = (),
    scale: Sequence[str | Scale] = (),
    simplex: Sequence[str | Simplex] = (),
    order: Sequence[str] = (),
    samples: int | None = None,
    seed: int | None = None,
    sampler: str | None = None,
) -> Study:
    """The study of a scenario file's ``[uncertainty]`` table plus command-line options.

    ``vary``, ``scale``, ``simplex`` and ``order`` take the strings of ``--vary``,
    ``--scale``, ``--simplex`` and ``--order`` (see the module docstring for how they
    combine with the file's table).

    >>> study = load_study("rare-earth", vary=["weights.us.supply_security=uniform:0:6"],
    ...                    samples=2000, seed=3)
    >>> study.samples, study.seed, [v.path for v in study.vary]
    (2000, 3, ['weights.us.supply_security'])
    """
    loaded, table = read(scenario, overrides)
    base = study_from_table(loaded, table or {}, loaded.origin)
    new_vary = [Vary.parse(v) if isinstance(v, str) else v for v in vary]
    new_scale = [Scale.parse(s) if isinstance(s, str) else s for s in scale]
    new_simplex = [Simplex.parse(s) if isinstance(s, str) else s for s in simplex]
    paths = {v.path for v in new_vary}
    patterns = {s.pattern for s in new_scale}
    players = {s.player for s in new_simplex}
    simplexes = [s for s in base.simplex if s.player not in players] + new_simplex
    for spec in order:
        player = spec.partition(":")[0].strip()
        matching = [i for i, s in enumerate(simplexes) if s.player == player]
        if not matching:
            raise ScenarioError("--order", spec, f"no --simplex for player {player!r} to constrain")
        simplexes[matching[0]] = simplexes[matching[0]].with_order(spec)
    return attrs.evolve(
        base,
        vary=[v for v in base.vary if v.path not in paths] + new_vary,
        scale=[s for s in base.scale if s.pattern not in patterns] + new_scale,
        simplex=simplexes,
        samples=base.samples if samples is None else samples,
        seed=base.seed if seed is None else seed,
        sampler=base.sampler if sampler is None else sampler,
    )
