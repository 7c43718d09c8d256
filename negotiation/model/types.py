"""Player types with a prior: hidden intentions in tree scenarios, compiled to a plain tree.

A game of incomplete information (is Russia's offer a genuine olive branch or a trap?) is
written as a tree scenario with a ``[types.<player>]`` table; following Harsanyi
("Games with incomplete information played by 'Bayesian' players", *Management Science*
14, 1967-68), it is compiled into a game of imperfect information that
:class:`negotiation.model.tree.TreeScenario` already accepts: a chance node picks the type,
the typed player's nodes are split by type (the player knows its own type), and the other
players' copies of a node are joined into one information set (they do not observe it)::

    name = "beer-quiche"
    [[players]]
    id = "sender"
    [[players]]
    id = "receiver"

    [types.sender]                  # the sender's types and their prior probabilities
    strong = 0.9
    weak = "rest"                   # 1 minus the others, so sweeping types.sender.strong
                                    # keeps the prior summing to exactly 1
    [tree]                          # the tree as if the type were a fact of the world
    player = "sender"
    [tree.beer]
    player = "receiver"
    [tree.beer.duel]                # a number may depend on the type: a table by type
    payoffs = { sender = { strong = 1, weak = 0 }, receiver = { strong = 0, weak = 1 } }
    ...

**Types.** ``[types.<player>]`` maps each type id of that player to its prior probability
(a number from 0 to 1); one type may be ``"rest"`` (1 minus the others), exactly like a
chance node's probabilities. The prior is a number like any other: ``types.sender.strong``
is its override and sweep path, and the ``"rest"`` type follows. Several players may have
types; they are drawn independently, in the order of the ``[types]`` tables, by nested
chance nodes.

**Type-dependent numbers.** Any number of a leaf may be written as a table with one entry
per type of one typed player: ``payoffs = { us = { trap = -3, genuine = 2 } }`` or
``scores = { leverage = { trap = 2, genuine = 0 } }`` (paths
``tree.full.accept.payoffs.us.trap``). A player's weights may depend on a typed player's
type: ``[weights.russia.trap]`` (a table inside ``[weights.russia]``) holds the weights of
the ``trap`` type where they differ from the common ``[weights.russia]`` ones (path
``weights.russia.trap.leverage``). In the compiled tree a criterion weighed by type ``k`` is
split into one criterion per type, ``k-<type>`` (label ``"<label> (<type>)"``), weighed as
the file says in each type's copy and scored like ``k``.

**The compiled tree.** The root is ``tree``, a chance node over the first typed player's
types (``tree.strong``, ``tree.weak``); each type's copy of the file's tree hangs below it,
so the file's node ``tree.beer.duel`` becomes ``tree.strong.beer.duel`` and
``tree.weak.beer.duel`` (a second typed player's chance node sits at ``tree.<type>``, and so
on). A node of a player who has types joins the copies that differ only in *other* players'
types; a node of any other player joins all its copies. The joined set takes the node's
``infoset`` name if the file gives one, suffixed ``-<own type>`` for a typed player, or else
the file's node path without ``tree.`` and with ``-`` for dots (``beer``, ``full-accept``;
``root`` for the root). A node that stays alone keeps no information set. Node ids of the
compiled tree are what output, plots and beliefs use; override paths stay those of the file.

Writing the chance node and information sets by hand gives the same tree and the same
answers (``tests/trees/types/beer_quiche_tree.toml``).

Bad input is a :class:`~negotiation.errors.ScenarioError` naming the file, the key of the
file (never a compiled one) and what was expected: a prior outside [0, 1] or not summing
to 1, types of an unknown player, fewer than two types, a type-dependent number or weight
table naming unknown types or missing some.
"""

from __future__ import annotations

import difflib
import itertools
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from negotiation.errors import ScenarioError
from negotiation.model import overrides as _overrides
from negotiation.model.scenario import ID_PATTERN, described
from negotiation.model.tree import NODE_SETTINGS, REST, TreeScenario

#: The top-level key holding every typed player's types and prior.
TYPES_KEY = "types"

#: Type ids that could not name a node's child (they are node settings) or the rest.
_RESERVED = (*NODE_SETTINGS, REST, "tree")

Overrides = Mapping[str, object] | Iterable[tuple[str, object]]


@attrs.frozen
class TypedPlayer:
    """A player with types: the type ids in file order and their exact prior."""

    id: str
    types: tuple[str, ...]
    prior: tuple[Fraction, ...]

    def probability(self, type_id: str) -> Fraction:
        """The prior probability of one type."""
        return self.prior[self.types.index(type_id)]


@attrs.frozen
class TypeInfo:
    """What the compilation did: the typed players and where each compiled node came from.

    ``players`` are the typed players in the order their chance nodes nest (the first one's
    is the root). ``profile[node id]`` gives, for a compiled node, the type of each typed
    player in whose copy it lies (empty for the chance nodes above a complete profile);
    ``original[node id]`` the file's node path it copies.
    """

    players: tuple[TypedPlayer, ...]
    profile: Mapping[str, Mapping[str, str]] = attrs.field(repr=False)
    original: Mapping[str, str] = attrs.field(repr=False)

    def player(self, player_id: str) -> TypedPlayer | None:
        """The typed player with this id, or None if the player has no types."""
        return next((p for p in self.players if p.id == player_id), None)


def has_types(data: Mapping[str, Any]) -> bool:
    """Whether parsed scenario content declares player types (a top-level ``types`` key)."""
    return isinstance(data, Mapping) and TYPES_KEY in data


@attrs.frozen
class TypedTreeScenario(TreeScenario):
    """A tree scenario compiled from a file with player types (see the module docstring).

    It is a :class:`~negotiation.model.tree.TreeScenario` (the compiled tree: every solver
    takes it as is) that also keeps the file's own content, so that :meth:`with_overrides`
    and sweeps (:meth:`family`) address numbers by the file's paths (``types.sender.strong``,
    ``weights.russia.trap.leverage``) and recompile.

    >>> tree = TypedTreeScenario.from_string('''
    ... name = "trust"
    ... [[players]]
    ... id = "truster"
    ... [[players]]
    ... id = "trustee"
    ... [types.trustee]
    ... honest = 0.25
    ... opportunist = "rest"
    ... [tree]
    ... player = "truster"
    ... out = { payoffs = { truster = 0, trustee = 0 } }
    ... [tree.trust]
    ... player = "trustee"
    ... honor = { payoffs = { truster = 10, trustee = { honest = 10, opportunist = 10 } } }
    ... abuse = { payoffs = { truster = -5, trustee = { honest = 5, opportunist = 15 } } }
    ... ''')
    >>> [n.id for n in tree.nodes][:4]
    ['tree', 'tree.honest', 'tree.honest.out', 'tree.honest.trust']
    >>> [(i.id, len(i.nodes)) for i in tree.infosets]
    [('root', 2), ('tree.honest.trust', 1), ('tree.opportunist.trust', 1)]
    >>> tree.with_overrides({"types.trustee.honest": "1/3"}).root.probabilities
    (Fraction(1, 3), Fraction(2, 3))
    """

    type_info: TypeInfo | None = attrs.field(default=None, eq=False, repr=False)
    typed_content: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], origin: str = "<dict>", overrides: Overrides = ()
    ) -> TypedTreeScenario:
        """Validate parsed content with ``[types]``, apply ``overrides``, compile and build."""
        return _build(data, origin, _overrides.normalise(overrides))

    def with_overrides(self, overrides: Overrides) -> TypedTreeScenario:
        """A copy with some of the file's numbers changed (file paths), recompiled."""
        return _build(self.typed_content, self.origin, _overrides.normalise(overrides))


def read_tree(path: str | Path, overrides: Overrides = ()) -> TreeScenario:
    """Read a tree scenario file, with or without ``[types]``, and apply ``overrides``.

    A file with ``[types]`` gives a :class:`TypedTreeScenario`, any other a plain
    :class:`~negotiation.model.tree.TreeScenario`; both are read (file checks, size limits,
    TOML) and validated exactly as :meth:`TreeScenario.from_toml` does.
    """
    return _AnyTree.from_toml(path, overrides)


def tree_from_string(
    text: str, origin: str = "<string>", overrides: Overrides = ()
) -> TreeScenario:
    """Parse tree scenario TOML text, compiling ``[types]`` when present."""
    return _AnyTree.from_string(text, origin, overrides)


def tree_from_dict(
    data: Mapping[str, Any], origin: str = "<dict>", overrides: Overrides = ()
) -> TreeScenario:
    """Build a tree scenario from parsed content, compiling ``[types]`` when present."""
    if has_types(data):
        return TypedTreeScenario.from_dict(data, origin, overrides)
    return TreeScenario.from_dict(data, origin, overrides)


class _AnyTree(TreeScenario):
    """Never built: reuses ``TreeScenario``'s file and text reading, then dispatches on types."""

    @classmethod
    def from_dict(
        cls, data: Mapping[str, Any], origin: str = "<dict>", overrides: Overrides = ()
    ) -> TreeScenario:
        return tree_from_dict(data, origin, overrides)


def compile_types(data: Mapping[str, Any], origin: str = "<dict>") -> dict[str, Any]:
    """The raw tree content (as :meth:`TreeScenario.from_dict` takes it) of typed content.

    The result has no ``types`` key: a chance node over the types at the root, a copy of
    the tree per type profile, information sets joining what each player does not observe,
    type-dependent numbers resolved and type-dependent weights split per type.

    >>> raw = compile_types({
    ...     "name": "g", "players": [{"id": "a"}, {"id": "b"}],
    ...     "types": {"a": {"hi": Fraction(1, 3), "lo": "rest"}},
    ...     "tree": {"player": "b", "x": {"payoffs": {"a": {"hi": 1, "lo": 0}, "b": 0}}},
    ... })
    >>> raw["tree"]["chance"], raw["tree"]["hi"]
    ({'hi': Fraction(1, 3), 'lo': 'rest'},
     {'player': 'b', 'x': {'payoffs': {'a': 1, 'b': 0}}, 'infoset': 'root'})
    """
    return _Compiler(origin).compile(data)[0]


# -- building --------------------------------------------------------------------------------


def _build(
    data: Mapping[str, Any], origin: str, overrides: tuple[tuple[str, Fraction], ...]
) -> TypedTreeScenario:
    if not isinstance(data, Mapping):
        raise ScenarioError(origin, "", "expected a TOML table at the top level")
    typed = _copy(data)
    _apply_overrides(typed, overrides, origin)
    compiler = _Compiler(origin)
    raw, info = compiler.compile(typed)
    try:
        tree = TreeScenario.from_dict(raw, origin)
    except ScenarioError as error:
        key = compiler.original_key(error.key)
        raise type(error)(error.source, key, error.problem) from None
    fields: dict[str, Any] = {
        a.alias or a.name: getattr(tree, a.name) for a in attrs.fields(TreeScenario)
    }
    return TypedTreeScenario(**fields, type_info=info, typed_content=typed)


def _apply_overrides(
    content: dict[str, Any], overrides: Sequence[tuple[str, Fraction]], origin: str
) -> None:
    """Set overridden numbers in typed content, addressed by the file's own paths.

    A path must end at a number the file holds; a weight or leaf score the file leaves out
    (an implicit 0) may be set too, also per type (``weights.russia.trap.leverage``). The
    ``"rest"`` type is refused with the path to override instead, and compiled paths
    (``tree.chance...``, ``tree.<type>...``) with the file path to use.
    """
    criteria = (
        tuple(content.get("criteria", {})) if isinstance(content.get("criteria"), dict) else ()
    )
    types_table = content.get(TYPES_KEY)
    type_ids = [
        t
        for table in (types_table.values() if isinstance(types_table, dict) else ())
        if isinstance(table, dict)
        for t in table
    ]
    for path_text, value in overrides:
        parts = _overrides.parse_path(path_text)
        if any(not isinstance(p, str) or p.startswith("[]") for p in parts):
            raise ScenarioError(
                origin,
                path_text,
                "unknown override path: tree scenarios have no tables by position",
            )
        keys = [str(p) for p in parts]
        node: Any = content
        for depth, key in enumerate(keys):
            last = depth == len(keys) - 1
            if not isinstance(node, dict):
                raise _unknown(origin, path_text, keys[:depth], "is not a table of keys")
            if key not in node:
                implicit = _implicit(keys, depth, criteria, type_ids)
                if implicit == "table":
                    node[key] = {}
                elif implicit == "number":
                    node[key] = 0
                else:
                    hint = difflib.get_close_matches(key, [str(k) for k in node], n=1)
                    why = f"has no key {key!r}" + (f" (did you mean {hint[0]!r}?)" if hint else "")
                    if keys[0] == "tree" and (key == "chance" or key in type_ids):
                        why += (
                            "; in a scenario with types, address numbers by the file's paths "
                            "(types.<player>.<type> for the prior, tree.<node>... for leaves)"
                        )
                    raise _unknown(origin, path_text, keys[:depth], why)
            if last:
                current = node[key]
                if current == REST and depth >= 2 and keys[0] == TYPES_KEY:
                    others = [k for k in node if k != key]
                    instead = f" (e.g. types.{keys[1]}.{others[0]})" if others else ""
                    raise ScenarioError(
                        origin,
                        path_text,
                        "is the rest (1 minus the other types' probabilities); override another "
                        f"type of this player instead{instead}",
                    )
                if isinstance(current, bool) or not isinstance(
                    current, (int, Decimal, Fraction, float)
                ):
                    raise ScenarioError(
                        origin,
                        path_text,
                        "unknown override path: it does not name a number in the file",
                    )
                node[key] = value
            else:
                node = node[key]


def _implicit(
    keys: Sequence[str], depth: int, criteria: Sequence[str], types: Sequence[str]
) -> str:
    """What a missing key of an override path may stand for: ``number``, ``table`` or ``""``."""
    last = depth == len(keys) - 1
    key = keys[depth]
    if keys[0] == "weights" and len(keys) == 3 and depth == 2 and key in criteria:
        return "number"  # weights.<player>.<criterion>
    if keys[0] == "weights" and len(keys) == 4 and depth == 2 and key in types:
        return "table"  # weights.<player>.<type> (then .<criterion>)
    if keys[0] == "weights" and len(keys) == 4 and depth == 3 and key in criteria:
        return "number"
    if (
        keys[0] == "tree"
        and last
        and depth >= 2
        and keys[depth - 1] == "scores"
        and key in criteria
    ):
        return "number"  # a criterion the leaf does not score
    return ""


def _unknown(origin: str, path_text: str, prefix: Sequence[str], why: str) -> ScenarioError:
    where = ".".join(prefix) or "the file"
    return ScenarioError(origin, path_text, f"unknown override path: {where} {why}")


# -- compiling -------------------------------------------------------------------------------


class _Compiler:
    """Turns typed content into plain tree content, remembering compiled -> file keys."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        #: Compiled key -> the file's key, for numbers and nodes (error messages).
        self.keys: dict[str, str] = {}

    def error(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(self.origin, key, problem)

    # The compiled keys an error may name are mapped back by their longest known prefix.
    def original_key(self, key: str) -> str:
        best = ""
        for compiled in self.keys:
            if (key == compiled or key.startswith(compiled + ".")) and len(compiled) > len(best):
                best = compiled
        if not best:
            return key
        return self.keys[best] + key[len(best) :]

    def compile(self, data: Mapping[str, Any]) -> tuple[dict[str, Any], TypeInfo]:
        content = _copy(data)
        player_ids = _player_ids(content.get("players"))
        typed = self.types(content.pop(TYPES_KEY, None), player_ids)
        type_owner = {t: p.id for p in typed for t in p.types}
        criteria = content.get("criteria")
        criterion_ids = tuple(criteria) if isinstance(criteria, dict) else ()
        split = self.weights(content, typed, type_owner, criterion_ids)
        if "tree" not in content or not isinstance(content["tree"], dict):
            return content, TypeInfo(typed, {}, {})  # tree.py says what is missing
        profiles = list(itertools.product(*(p.types for p in typed)))
        nodes_of: dict[tuple[str, tuple[str, ...]], str] = {}  # (file node, profile) -> id
        player_of: dict[str, str] = {}  # file decision node -> player id
        infoset_of: dict[str, str] = {}  # file decision node -> the infoset name it gives
        profile_map: dict[str, dict[str, str]] = {}
        original: dict[str, str] = {}

        def chance_levels(level: int, prefix: tuple[str, ...], where: str) -> dict[str, Any]:
            if level == len(typed):
                copy = self.copy_node(
                    content["tree"],
                    "tree",
                    where,
                    prefix,
                    typed,
                    type_owner,
                    split,
                    nodes_of,
                    player_of,
                    infoset_of,
                    profile_map,
                    original,
                )
                return dict(copy)
            player = typed[level]
            self.keys[_join(where, "chance")] = f"{TYPES_KEY}.{player.id}"
            node: dict[str, Any] = {"chance": dict(self.raw_types[player.id])}
            for t in player.types:
                self.keys[_join(_join(where, "chance"), t)] = f"{TYPES_KEY}.{player.id}.{t}"
                child = _join(where, t)
                node[t] = chance_levels(level + 1, (*prefix, t), child)
            profile_map[where] = dict(zip((p.id for p in typed), prefix, strict=False))
            original[where] = "tree"
            return node

        tree = chance_levels(0, (), "tree")
        self.join_infosets(tree, typed, profiles, nodes_of, player_of, infoset_of)
        content["tree"] = tree
        info = TypeInfo(typed, profile_map, original)
        return content, info

    # -- [types] ------------------------------------------------------------------------------

    def types(self, raw: object, player_ids: Sequence[str]) -> tuple[TypedPlayer, ...]:
        self.raw_types: dict[str, dict[str, Any]] = {}
        if raw is None:
            raise self.error(TYPES_KEY, "missing; expected [types.<player>] tables")
        if not isinstance(raw, dict) or not raw:
            raise self.error(
                TYPES_KEY,
                "expected [types.<player>] tables mapping each type to its prior probability, "
                f"got {described(raw)}",
            )
        typed: list[TypedPlayer] = []
        seen: dict[str, str] = {}
        for pid, table in raw.items():
            where = f"{TYPES_KEY}.{pid}"
            if pid not in player_ids:
                hint = difflib.get_close_matches(str(pid), player_ids, n=1)
                mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(
                    where,
                    f"types of an unknown player{mean}; expected one of the players: "
                    f"{', '.join(player_ids) or '(none listed)'}",
                )
            if not isinstance(table, dict) or len(table) < 2:
                got = described(table) if not isinstance(table, dict) else f"{len(table)} type"
                raise self.error(
                    where,
                    "expected a table of at least two types with their prior probabilities, "
                    f'e.g. {{ genuine = 0.7, trap = "rest" }}, got {got}',
                )
            values: dict[str, Fraction] = {}
            rest = [t for t, v in table.items() if v == REST]
            for t, value in table.items():
                tw = f"{where}.{t}"
                if not isinstance(t, str) or not ID_PATTERN.fullmatch(t) or t in _RESERVED:
                    raise self.error(
                        tw,
                        "expected a type id: a letter followed by letters, digits, '_' or '-', "
                        f"other than {', '.join(_RESERVED)}",
                    )
                if t in seen:
                    raise self.error(
                        tw, f"type id {t!r} is already a type of {seen[t]!r}; type ids must differ"
                    )
                if t in player_ids:
                    raise self.error(tw, f"type id {t!r} is a player id; choose another")
                seen[t] = pid
                if value == REST:
                    continue
                values[t] = self.probability(value, tw)
            if len(rest) > 1:
                raise self.error(
                    f"{where}.{rest[1]}",
                    f"only one type may be {REST!r} (1 minus the others); {rest[0]!r} is already",
                )
            total = sum(values.values(), Fraction(0))
            if rest:
                if total > 1:
                    raise self.error(
                        where,
                        f"the prior probabilities other than {rest[0]!r} sum to {total} > 1; "
                        "expected probabilities from 0 to 1 summing to exactly 1",
                    )
                values[rest[0]] = 1 - total
            elif total != 1:
                raise self.error(
                    where,
                    f"the prior probabilities sum to {total}; expected exactly 1 (write one type "
                    f'as "{REST}" to make it 1 minus the others)',
                )
            self.raw_types[pid] = dict(table)
            typed.append(TypedPlayer(pid, tuple(table), tuple(values[t] for t in table)))
        return tuple(typed)

    def probability(self, value: object, where: str) -> Fraction:
        if isinstance(value, bool) or not isinstance(value, (int, Decimal, Fraction, float)):
            raise self.error(
                where,
                f"expected a prior probability (a number from 0 to 1) or {REST!r}, got "
                f"{described(value)}",
            )
        if isinstance(value, float):
            value = Decimal(repr(value))
        if isinstance(value, Decimal) and not value.is_finite():
            raise self.error(where, f"expected a prior probability from 0 to 1, got {value}")
        prob = Fraction(value)
        if not 0 <= prob <= 1:
            raise self.error(where, f"expected a prior probability from 0 to 1, got {prob}")
        return prob

    # -- weights ------------------------------------------------------------------------------

    def weights(
        self,
        content: dict[str, Any],
        typed: Sequence[TypedPlayer],
        type_owner: Mapping[str, str],
        criterion_ids: Sequence[str],
    ) -> dict[str, str]:
        """Split criteria weighed by type; returns criterion -> the typed player it splits by."""
        raw = content.get("weights")
        if not isinstance(raw, dict):
            return {}
        by_type: dict[str, dict[str, dict[str, Any]]] = {}  # player -> type -> table
        split: dict[str, str] = {}
        for pid, table in raw.items():
            if not isinstance(table, dict):
                continue
            for key, value in table.items():
                if not isinstance(value, dict):
                    continue
                where = f"weights.{pid}.{key}"
                if key not in type_owner:
                    known = list(type_owner) + list(criterion_ids)
                    hint = difflib.get_close_matches(str(key), known, n=1)
                    mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                    raise self.error(
                        where,
                        f"unknown type{mean}; a table in [weights.{pid}] holds the weights of "
                        f"one type, expected one of: {', '.join(type_owner) or '(no types)'}",
                    )
                for criterion, number in value.items():
                    if criterion not in criterion_ids:
                        hint = difflib.get_close_matches(str(criterion), criterion_ids, n=1)
                        mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                        raise self.error(
                            f"{where}.{criterion}",
                            f"unknown criterion{mean}; expected one of: {', '.join(criterion_ids)}",
                        )
                    if isinstance(number, dict):
                        raise self.error(
                            f"{where}.{criterion}",
                            "expected a number (a weight of this type); weights may depend on "
                            "the types of one player only",
                        )
                    owner_id = type_owner[key]
                    if split.setdefault(criterion, owner_id) != owner_id:
                        raise self.error(
                            f"{where}.{criterion}",
                            f"the weight of {criterion!r} already depends on the types of "
                            f"{split[criterion]!r}; a criterion may be weighed by the types "
                            "of one player only",
                        )
                by_type.setdefault(pid, {})[key] = value
        if not split:
            return {}
        criteria = content["criteria"]
        new_criteria: dict[str, Any] = {}
        for cid, entry in criteria.items():
            if cid not in split:
                new_criteria[cid] = entry
                continue
            owner = next(p for p in typed if p.id == split[cid])
            for t in owner.types:
                new_id = f"{cid}-{t}"
                if new_id in criteria:
                    raise self.error(
                        f"criteria.{new_id}",
                        f"clashes with the criterion {cid!r} weighed by type {t!r}, which is "
                        f"compiled to {new_id!r}; rename one of them",
                    )
                copy = dict(entry) if isinstance(entry, dict) else entry
                if isinstance(copy, dict):
                    copy["label"] = f"{entry.get('label', cid)} ({t})"
                new_criteria[new_id] = copy
                self.keys[f"criteria.{new_id}"] = f"criteria.{cid}"
        content["criteria"] = new_criteria
        weights: dict[str, Any] = {}
        for pid, table in raw.items():
            if not isinstance(table, dict):
                weights[pid] = table
                continue
            common = {k: v for k, v in table.items() if not isinstance(v, dict)}
            out: dict[str, Any] = {}
            for k, v in common.items():
                if k not in split:
                    out[k] = v
                    self.keys[f"weights.{pid}.{k}"] = f"weights.{pid}.{k}"
            for cid, owner_id in split.items():
                owner = next(p for p in typed if p.id == owner_id)
                for t in owner.types:
                    specific = by_type.get(pid, {}).get(t, {})
                    if cid in specific:
                        out[f"{cid}-{t}"] = specific[cid]
                        self.keys[f"weights.{pid}.{cid}-{t}"] = f"weights.{pid}.{t}.{cid}"
                    elif cid in common:
                        out[f"{cid}-{t}"] = common[cid]
                        self.keys[f"weights.{pid}.{cid}-{t}"] = f"weights.{pid}.{cid}"
            weights[pid] = out
        content["weights"] = weights
        return split

    # -- the tree ------------------------------------------------------------------------------

    def copy_node(
        self,
        raw: Any,
        file_where: str,
        where: str,
        profile: tuple[str, ...],
        typed: Sequence[TypedPlayer],
        type_owner: Mapping[str, str],
        split: Mapping[str, str],
        nodes_of: dict[tuple[str, tuple[str, ...]], str],
        player_of: dict[str, str],
        infoset_of: dict[str, str],
        profile_map: dict[str, dict[str, str]],
        original: dict[str, str],
    ) -> Any:
        """A copy of the file's node ``file_where`` for one type profile, numbers resolved."""
        self.keys[where] = file_where
        if not isinstance(raw, dict):
            return raw
        by_player = dict(zip((p.id for p in typed), profile, strict=True))
        profile_map[where] = by_player
        original[where] = file_where
        nodes_of[(file_where, profile)] = where
        out: dict[str, Any] = {}
        for key, value in raw.items():
            if key == "payoffs" and isinstance(value, dict):
                out[key] = {
                    pid: self.resolve(
                        v, f"{file_where}.payoffs.{pid}", f"{where}.payoffs.{pid}", by_player, typed
                    )
                    for pid, v in value.items()
                }
            elif key == "scores" and isinstance(value, dict):
                scores: dict[str, Any] = {}
                for cid, v in value.items():
                    new = f"{cid}-{by_player[split[cid]]}" if cid in split else cid
                    scores[new] = self.resolve(
                        v, f"{file_where}.scores.{cid}", f"{where}.scores.{new}", by_player, typed
                    )
                out[key] = scores
            elif key == "infoset":
                if "player" in raw and isinstance(value, str):
                    infoset_of[file_where] = value
                out[key] = value  # replaced when information sets are joined
            elif key in NODE_SETTINGS or not isinstance(value, dict):
                out[key] = value
            else:
                out[key] = self.copy_node(
                    value,
                    f"{file_where}.{key}",
                    f"{where}.{key}",
                    profile,
                    typed,
                    type_owner,
                    split,
                    nodes_of,
                    player_of,
                    infoset_of,
                    profile_map,
                    original,
                )
        if "player" in raw and isinstance(raw["player"], str):
            player_of[file_where] = raw["player"]
        return out

    def resolve(
        self,
        value: Any,
        file_key: str,
        key: str,
        by_player: Mapping[str, str],
        typed: Sequence[TypedPlayer],
    ) -> Any:
        """A leaf number for one type profile: the number, or the entry of its type table."""
        if not isinstance(value, dict):
            self.keys[key] = file_key
            return value
        owner = next((p for p in typed if set(value) & set(p.types)), None)
        if owner is None:
            known = [t for p in typed for t in p.types]
            raise self.error(
                f"{file_key}.{next(iter(value), '')}" if value else file_key,
                "a number written as a table must give one entry per type of one typed player; "
                f"unknown type, expected: {', '.join(known) or '(no types declared)'}",
            )
        for t in value:
            if t not in owner.types:
                raise self.error(
                    f"{file_key}.{t}",
                    f"unknown type of {owner.id!r}; expected one of: {', '.join(owner.types)} "
                    "(a number may depend on the types of one player only)",
                )
        for t in owner.types:
            if t not in value:
                raise self.error(
                    f"{file_key}.{t}",
                    f"missing; expected the number for type {t!r} of {owner.id!r} (a table by "
                    f"type lists every type: {', '.join(owner.types)})",
                )
        t = by_player[owner.id]
        self.keys[key] = f"{file_key}.{t}"
        return value[t]

    def join_infosets(
        self,
        tree: dict[str, Any],
        typed: Sequence[TypedPlayer],
        profiles: Sequence[tuple[str, ...]],
        nodes_of: Mapping[tuple[str, tuple[str, ...]], str],
        player_of: Mapping[str, str],
        infoset_of: Mapping[str, str],
    ) -> None:
        """Give every compiled decision node the information set of what its player observes."""
        typed_ids = [p.id for p in typed]
        # (named?, file infoset name or file node, own type or "") -> compiled nodes
        groups: dict[tuple[bool, str, str], list[str]] = {}
        for file_node, pid in player_of.items():
            named = file_node in infoset_of
            base = infoset_of[file_node] if named else file_node
            for profile in profiles:
                compiled = nodes_of.get((file_node, profile))
                if compiled is None:
                    continue
                own = profile[typed_ids.index(pid)] if pid in typed_ids else ""
                groups.setdefault((named, base, own), []).append(compiled)
        taken: dict[str, tuple[tuple[bool, str, str], str]] = {}
        for group, members in groups.items():
            named, base, own = group
            name = ""
            if len(members) > 1 or named:
                stem = base if named else _derived(base)
                name = f"{stem}-{own}" if own else stem
                first = self.keys.get(members[0], members[0])
                if not ID_PATTERN.fullmatch(name) or name == "tree":
                    raise self.error(
                        first,
                        f"cannot name the information set joining this node's copies ({name!r}); "
                        'give the node an infoset = "<id>"',
                    )
                other = taken.setdefault(name, (group, first))
                if other[0] != group:
                    raise self.error(
                        first,
                        f"the information set joining this node's copies would be called "
                        f"{name!r}, which the information set of {other[1]} already is; give "
                        'one of them an explicit, different infoset = "<id>"',
                    )
            for compiled in members:
                node = _find(tree, compiled)
                if name:
                    node["infoset"] = name
                else:
                    node.pop("infoset", None)


def _derived(file_node: str) -> str:
    """An information set id from a file node path: ``tree.full.accept`` -> ``full-accept``."""
    rest = file_node[len("tree.") :] if file_node.startswith("tree.") else ""
    return rest.replace(".", "-") or "root"


def _find(tree: dict[str, Any], node_id: str) -> dict[str, Any]:
    node: Any = tree
    for part in node_id.split(".")[1:]:
        node = node[part]
    assert isinstance(node, dict)
    return node


def _player_ids(raw: object) -> list[str]:
    """Player ids as far as they can be read (tree.py reports malformed players)."""
    if not isinstance(raw, list):
        return []
    return [p["id"] for p in raw if isinstance(p, dict) and isinstance(p.get("id"), str)]


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def _copy(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
