r"""Gambit's text formats: ``.efg`` for game trees (both ways) and ``.nfg`` for matrix games.

Gambit (McKelvey, McLennan and Turocy, *Gambit: Software Tools for Game Theory*,
https://www.gambit-project.org) reads and writes games in plain text. The writers and the
reader here are our own, written from the format documentation ("The extensive game (.efg)
file format" and "The strategic game (.nfg) file format, payoff version", Gambit
documentation, ``doc/formats.efg.rst`` and ``doc/formats.nfgpay.rst``), so that pygambit
(GPL-2.0-or-later) stays an optional test dependency. Numbers are exact both ways: a
:class:`~fractions.Fraction` is written as an integer or ``p/q``, and ``p/q``, integers and
decimals (``0.5``, ``.80``, ``1e-3``) are read exactly, within the limits of
:mod:`negotiation.limits`.

**Export** (:func:`efg_text`, :func:`nfg_text`). Players, actions and strategies are named by
their ids, so every node keeps its id through a round trip (``tree.in.fight`` is the node
reached by the actions ``in``, ``fight``); each leaf is an outcome named by its node id; a
named information set keeps its name; chance probabilities and payoffs are the exact
numbers (a scenario with criteria is written with its computed payoffs). The title is the
scenario's title (or name) and the comment its description. Labels, descriptions of nodes,
criteria and weights have no place in the format and are not written; a backslash in the
title or description is written as ``/``, since Gambit's reader multiplies backslashes.

**Import** (:func:`read_efg`, :func:`efg_tree`): a ``.efg`` file becomes a
:class:`~negotiation.model.tree.TreeScenario` validated like any tree file. Gambit's labels
become ids (``"Player 1"`` becomes ``Player_1``, with the label kept; an empty action label
becomes ``a1``, ``a2``, ...), information sets with more than one node (or a name) are
written as ``infoset`` names, the node names become node descriptions, and outcomes at
non-terminal nodes are added to the payoffs of every leaf below (the format's "incremental
payoffs"). Repeated information sets, chance events and outcomes may omit their
description, as the format allows. The scenario's name comes from the file name.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.limits import shown
from negotiation.model.payoffs import payoff_matrices
from negotiation.model.scenario import ID_PATTERN, Scenario, read_text
from negotiation.model.tree import NODE_SETTINGS, TreeNumbers, TreeScenario

#: Overrides as every loader takes them: path -> value, as a mapping or as pairs.
Overrides = Mapping[str, object] | Iterable[tuple[str, object]]

# -- writing ---------------------------------------------------------------------------------


def efg_text(tree: TreeScenario, numbers: TreeNumbers | None = None) -> str:
    """The tree in Gambit's ``.efg`` format, numbers exact (``numbers``: default its own).

    >>> from negotiation.model.catalogue import load
    >>> print(efg_text(load("entry")), end="")
    EFG 2 R "Selten's entry game" { "entrant" "incumbent" }
    "A potential entrant ...
    <BLANKLINE>
    p "" 1 1 "" { "out" "in" } 0
    t "" 1 "tree.out" { 0, 2 }
    p "" 2 1 "" { "fight" "accommodate" } 0
    t "" 2 "tree.in.fight" { -1, -1 }
    t "" 3 "tree.in.accommodate" { 1, 1 }
    """
    numbers = numbers or tree.numbers
    players = " ".join(_quote(p.id) for p in tree.players)
    lines = [
        f"EFG 2 R {_quote(_free_text(tree.title or tree.name))} {{ {players} }}",
        _quote(_free_text(tree.description)),
        "",
    ]
    numbering: dict[int, int] = {}  # our infoset index -> Gambit's number within its player
    counts = [0] * len(tree.players)
    events = outcomes = 0
    for node in tree.nodes:  # preorder, as the format lists nodes
        if node.kind == "leaf":
            outcomes += 1
            values = ", ".join(_number(x) for x in numbers.payoffs[node.index])
            lines.append(f't "" {outcomes} {_quote(node.id)} {{ {values} }}')
        elif node.kind == "chance":
            events += 1
            moves = " ".join(
                f"{_quote(a)} {_number(p)}"
                for a, p in zip(node.actions, numbers.probabilities[node.index], strict=True)
            )
            lines.append(f'c "" {events} "" {{ {moves} }} 0')
        else:
            info = tree.infosets[node.infoset]
            if node.infoset not in numbering:
                counts[node.player] += 1
                numbering[node.infoset] = counts[node.player]
            name = info.id if info.named else ""
            moves = " ".join(_quote(a) for a in node.actions)
            lines.append(
                f'p "" {node.player + 1} {numbering[node.infoset]} {_quote(name)} {{ {moves} }} 0'
            )
    return "\n".join(lines) + "\n"


def nfg_text(scenario: Scenario) -> str:
    """A matrix scenario in Gambit's ``.nfg`` format (payoff version), numbers exact.

    Strategies are named by their ids; payoffs are listed with the first player's strategy
    changing fastest, both players' payoffs for each profile.

    >>> from negotiation.model.catalogue import load_matrix
    >>> print(nfg_text(load_matrix("prisoners-dilemma")), end="")
    NFG 1 R "Prisoner's dilemma" { "row" "column" }
    { { "cooperate" "defect" } { "cooperate" "defect" } }
    "Each prisoner does better by defecting ...
    <BLANKLINE>
    3 3 5 0 0 5 1 1
    """
    game = payoff_matrices(scenario)
    players = " ".join(_quote(p.id) for p in scenario.players)
    strategies = " ".join(
        "{ " + " ".join(_quote(s) for s in p.strategy_ids) + " }" for p in scenario.players
    )
    m, n = scenario.shape
    body = " ".join(
        f"{_number(game.A[r][c])} {_number(game.B[r][c])}" for c in range(n) for r in range(m)
    )
    return (
        f"NFG 1 R {_quote(_free_text(scenario.title or scenario.name))} {{ {players} }}\n"
        f"{{ {strategies} }}\n"
        f"{_quote(_free_text(scenario.description))}\n\n{body}\n"
    )


def _quote(text: str) -> str:
    """A Gambit string: in double quotes, a quote inside escaped with a backslash."""
    return '"' + text.replace('"', '\\"') + '"'


def _free_text(text: str) -> str:
    r"""Free text (title, comment) safe for Gambit: ``\`` becomes ``/`` (see the module)."""
    return text.replace("\\", "/")


def _number(x: Fraction) -> str:
    """An exact number as Gambit reads it: ``3``, ``-1/3``."""
    return str(x.numerator) if x.denominator == 1 else f"{x.numerator}/{x.denominator}"


# -- reading ---------------------------------------------------------------------------------


def read_efg(path: str | Path, overrides: Overrides = ()) -> TreeScenario:
    """Read a Gambit ``.efg`` file as a tree scenario, then apply ``overrides``.

    The file is read by :func:`negotiation.model.scenario.read_text`, as every scenario file
    is (regular files only, size-limited, UTF-8). The scenario's name is the file name
    without its extension, made an id.
    """
    origin = str(path)
    name = _identifier(Path(origin).stem, "game")
    return efg_tree(read_text(path), origin, overrides, name=name)


def efg_tree(
    text: str,
    origin: str = "<string>",
    overrides: Overrides = (),
    *,
    name: str = "game",
) -> TreeScenario:
    """A tree scenario from ``.efg`` text (see the module docstring for what maps to what).

    >>> tree = efg_tree('''EFG 2 R "Entry" { "Entrant" "Incumbent" } ""
    ... p "" 1 1 "" { "Out" "In" } 0
    ... t "" 1 "out" { 0, 2 }
    ... p "" 2 1 "" { "Fight" "Accommodate" } 0
    ... t "" 2 "fight" { -1, -1 }
    ... t "" 3 "accommodate" { 1, 1 }
    ... ''')
    >>> [node.id for node in tree.nodes]
    ['tree', 'tree.Out', 'tree.In', 'tree.In.Fight', 'tree.In.Accommodate']
    >>> tree.node("tree.In.Fight").payoffs
    (Fraction(-1, 1), Fraction(-1, 1))

    Errors name the file and the line: :class:`~negotiation.errors.ScenarioError` for text
    that is not a valid ``.efg`` game, :class:`~negotiation.errors.LimitError` beyond the
    limits on numbers, nodes and depth.
    """
    source = shown(origin, 4096)
    data = _EfgReader(text, source, name).read()
    return TreeScenario.from_dict(data, origin, overrides)


_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}]|[^\s{}",]+|,|\s+', re.DOTALL)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)")
_NOT_ID = re.compile(r"[^A-Za-z0-9_-]+")


@attrs.frozen
class _Token:
    """A token of an ``.efg`` file: its text, whether it was quoted, and its line."""

    text: str
    quoted: bool
    line: int


@attrs.frozen
class _Infoset:
    """A Gambit information set or chance event as first declared: its name and actions."""

    name: str
    ids: tuple[str, ...]
    labels: tuple[str, ...]
    probabilities: tuple[Fraction, ...] = ()
    line: int = 0


@attrs.define
class _Open:
    """A node being read: its table, its actions, the payoffs above it, children so far."""

    table: dict[str, Any]
    actions: _Infoset
    above: tuple[Fraction, ...]
    filled: int = 0


#: A temporary key of a node table: the (player, number) of its Gambit information set.
_INFOSET = "_infoset"


class _EfgReader:
    """Reads ``.efg`` text into raw tree content, one node line at a time (no recursion)."""

    def __init__(self, text: str, source: str, name: str) -> None:
        self.source = source
        self.name = name
        self.tokens = self.tokenize(text)
        self.pos = 0
        self.player_ids: list[str] = []
        self.infosets: dict[tuple[int, int], _Infoset] = {}
        self.events: dict[int, _Infoset] = {}
        self.outcomes: dict[int, tuple[Fraction, ...]] = {}
        self.members: dict[tuple[int, int], int] = {}  # how many nodes each set has

    # -- tokens ------------------------------------------------------------------------------

    def tokenize(self, text: str) -> list[_Token]:
        if len(text) > limits.MAX_FILE_BYTES:
            raise LimitError(
                self.source,
                "",
                f"holds {len(text):,} characters, over the limit of {limits.MAX_FILE_BYTES:,} "
                "(negotiation.limits.MAX_FILE_BYTES)",
            )
        tokens: list[_Token] = []
        line = 1
        pos = 0
        while pos < len(text):
            match = _TOKEN.match(text, pos)
            if match is None:  # an unterminated string
                raise self.error(line, "a string is not closed (a '\"' is missing)")
            piece = match.group()
            if piece.startswith('"'):
                body = piece[1:-1].replace('\\"', '"')
                tokens.append(_Token(body, True, line))
            elif not piece.isspace() and piece != ",":
                tokens.append(_Token(piece, False, line))
            line += piece.count("\n")
            pos = match.end()
        return tokens

    def error(self, line: int, problem: str) -> ScenarioError:
        return ScenarioError(self.source, f"line {line}", problem)

    def limit(self, line: int, problem: str) -> LimitError:
        return LimitError(self.source, f"line {line}", problem)

    def peek(self) -> _Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def next(self, what: str) -> _Token:
        token = self.peek()
        if token is None:
            last = self.tokens[-1].line if self.tokens else 1
            raise self.error(last, f"the file ends early; expected {what}")
        self.pos += 1
        return token

    def word(self, expected: str, what: str) -> _Token:
        token = self.next(what)
        if token.quoted or token.text != expected:
            raise self.error(token.line, f"expected {what}, got {_shown(token)}")
        return token

    def string(self, what: str) -> str:
        token = self.next(what)
        if not token.quoted:
            raise self.error(token.line, f"expected {what} (a quoted string), got {_shown(token)}")
        return token.text

    def integer(self, what: str, least: int) -> tuple[int, int]:
        token = self.next(what)
        if token.quoted or not token.text.isdigit() or len(token.text) > 9:
            raise self.error(token.line, f"expected {what}, got {_shown(token)}")
        value = int(token.text)
        if value < least:
            raise self.error(token.line, f"expected {what} of at least {least}, got {value}")
        return value, token.line

    def number(self, what: str) -> Fraction:
        token = self.next(what)
        text = token.text
        if token.quoted:
            raise self.error(token.line, f"expected {what}, got {_shown(token)}")
        if rational := _RATIONAL.fullmatch(text):
            for part in rational.groups():
                if problem := limits.digits_problem(part.lstrip("+-")):
                    raise self.limit(token.line, problem)
            if int(rational.group(2)) == 0:
                raise self.error(token.line, f"expected {what}, got {shown(text)} (divides by 0)")
            value = Fraction(int(rational.group(1)), int(rational.group(2)))
            if problem := limits.number_problem(value):
                raise self.limit(token.line, problem)
            return value
        if not _NUMBER.fullmatch(text):
            raise self.error(token.line, f"expected {what}, got {_shown(token)}")
        if problem := limits.decimal_text_problem(text):
            raise self.limit(token.line, problem)
        try:
            decimal = Decimal(text)
        except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
            raise self.error(token.line, f"expected {what}, got {_shown(token)}") from None
        if problem := limits.number_problem(decimal):
            raise self.limit(token.line, problem)
        return Fraction(decimal)

    def strings_in_braces(self, what: str) -> tuple[list[str], int]:
        line = self.word("{", f"'{{' opening {what}").line
        found = []
        while (token := self.next(f"{what} or '}}'")).text != "}" or token.quoted:
            if not token.quoted:
                raise self.error(token.line, f"expected {what} (quoted), got {_shown(token)}")
            found.append(token.text)
        return found, line

    # -- the file ----------------------------------------------------------------------------

    def read(self) -> dict[str, Any]:
        self.word("EFG", "'EFG' at the start of a Gambit extensive-form (.efg) file")
        version = self.next("the version number 2")
        if version.quoted or version.text != "2":
            raise self.error(version.line, f"expected version 2, got {_shown(version)}")
        kind = self.next("'R' (rational numbers)")
        if kind.quoted or kind.text not in ("R", "D"):
            raise self.error(kind.line, f"expected 'R', got {_shown(kind)}")
        title = self.string("the game's title")
        labels, line = self.strings_in_braces("player names")
        if not labels:
            raise self.error(line, "expected at least one player name")
        self.player_ids = _unique_ids(labels, "player")
        description = ""
        token = self.peek()
        if token is not None and token.quoted:
            description = self.next("the comment").text
        root = self.nodes(len(labels))
        players = [
            {"id": pid, "label": label} if pid != label else {"id": pid}
            for pid, label in zip(self.player_ids, labels, strict=True)
        ]
        self.name_infosets(root)
        content: dict[str, Any] = {"name": self.name, "players": players, "tree": root}
        if title:
            content["title"] = title
        if description:
            content["description"] = description
        return content

    def nodes(self, players: int) -> dict[str, Any]:
        """Every node, in preorder, built into nested tables with an explicit stack."""
        zero = tuple(Fraction(0) for _ in range(players))
        root: dict[str, Any] | None = None
        stack: list[_Open] = []
        count = 0
        while True:
            token = self.peek()
            if token is None:
                if root is None:
                    raise self.error(
                        self.tokens[-1].line if self.tokens else 1,
                        "the file has no nodes; expected node lines starting with c, p or t",
                    )
                if stack:
                    missing = len(stack[-1].actions.ids) - stack[-1].filled
                    raise self.error(
                        self.tokens[-1].line,
                        f"the file ends early: a node still needs {missing} more child node(s)",
                    )
                return root
            if root is not None and not stack:
                raise self.error(
                    token.line, f"text after the last node of the tree: {_shown(token)}"
                )
            count += 1
            if count > limits.MAX_TREE_NODES:
                raise self.limit(
                    token.line,
                    f"the tree has more than {limits.MAX_TREE_NODES} nodes "
                    "(MAX_TREE_NODES in negotiation/limits.py)",
                )
            if len(stack) > limits.MAX_TREE_DEPTH:
                raise self.limit(
                    token.line,
                    f"a node lies more than {limits.MAX_TREE_DEPTH} moves below the root "
                    "(MAX_TREE_DEPTH in negotiation/limits.py)",
                )
            above = stack[-1].above if stack else zero
            table, info, above = self.node(players, above)
            if stack:
                parent = stack[-1]
                action, label = (
                    parent.actions.ids[parent.filled],
                    parent.actions.labels[parent.filled],
                )
                if label and label != action:
                    table = {"label": label, **table}
                parent.table[action] = table
                parent.filled += 1
            else:
                root = table
            while stack and stack[-1].filled == len(stack[-1].actions.ids):
                stack.pop()
            if info is not None:
                stack.append(_Open(table, info, above))

    def node(
        self, players: int, above: tuple[Fraction, ...]
    ) -> tuple[dict[str, Any], _Infoset | None, tuple[Fraction, ...]]:
        """One node line: its table, its actions (None at a leaf), the payoffs so far."""
        token = self.next("a node (c, p or t)")
        kind, line = token.text, token.line
        if token.quoted or kind not in ("c", "p", "t"):
            raise self.error(
                line,
                "expected a node: 'c' (chance), 'p' (player) or 't' (terminal), got "
                f"{_shown(token)}",
            )
        node_name = self.string("the node's name")
        table: dict[str, Any] = {}
        if node_name:
            table["description"] = node_name
        info = None
        if kind == "c":
            event, line = self.integer("the chance event's number", 1)
            info = self.describe_event(event, line)
            table["chance"] = dict(zip(info.ids, info.probabilities, strict=True))
        elif kind == "p":
            player, line = self.integer("the player's number", 1)
            if player > players:
                raise self.error(
                    line, f"player {player} does not exist; the file names {players} player(s)"
                )
            number, line = self.integer("the information set's number", 1)
            info = self.describe_infoset(player, number, line)
            table["player"] = self.player_ids[player - 1]
            table[_INFOSET] = (player, number)  # named by name_infosets, once all are read
            self.members[(player, number)] = self.members.get((player, number), 0) + 1
        payoffs = self.outcome(players)
        total = tuple(a + b for a, b in zip(above, payoffs, strict=True))
        if kind == "t":
            table["payoffs"] = dict(zip(self.player_ids, total, strict=True))
        return table, info, total

    def describe_event(self, event: int, line: int) -> _Infoset:
        token = self.peek()
        if token is not None and token.quoted:
            name = self.next("the event's name").text
            self.word("{", "'{' opening the chance event's actions and probabilities")
            labels: list[str] = []
            probabilities: list[Fraction] = []
            while True:
                token = self.next("an action name, a probability or '}'")
                if token.text == "}" and not token.quoted:
                    break
                if not token.quoted:
                    raise self.error(
                        token.line, f"expected an action name (quoted), got {_shown(token)}"
                    )
                labels.append(token.text)
                probabilities.append(self.number(f"the probability of {token.text!r}"))
            if not labels:
                raise self.error(line, "a chance event without actions")
            for label, p in zip(labels, probabilities, strict=True):
                if p < 0:
                    raise self.error(
                        line, f"the probability of {label!r} is {p}; expected 0 or more"
                    )
            if sum(probabilities, Fraction(0)) != 1:
                raise self.error(
                    line,
                    f"the probabilities of chance event {event} sum to "
                    f"{sum(probabilities, Fraction(0))}; expected exactly 1 (write them as "
                    "fractions such as 1/3 where decimals do not add up)",
                )
            info = _Infoset(
                name, tuple(_unique_ids(labels, "a")), tuple(labels), tuple(probabilities), line
            )
            known = self.events.get(event)
            if known is not None and (known.labels, known.probabilities) != (
                info.labels,
                info.probabilities,
            ):
                raise self.error(
                    line,
                    f"chance event {event} was declared on line {known.line} with other actions "
                    "or probabilities; a repeated declaration must match the first",
                )
            self.events.setdefault(event, info)
        elif event not in self.events:
            raise self.error(
                line, f"chance event {event} is used before its actions and probabilities are given"
            )
        return self.events[event]

    def describe_infoset(self, player: int, number: int, line: int) -> _Infoset:
        token = self.peek()
        key = (player, number)
        if token is not None and token.quoted:
            name = self.next("the information set's name").text
            labels, _ = self.strings_in_braces("action names")
            if not labels:
                raise self.error(line, "an information set without actions")
            info = _Infoset(name, tuple(_unique_ids(labels, "a")), tuple(labels), (), line)
            known = self.infosets.get(key)
            if known is not None and known.labels != info.labels:
                raise self.error(
                    line,
                    f"information set {number} of player {player} was declared on line "
                    f"{known.line} with actions {', '.join(known.labels)}; got "
                    f"{', '.join(labels)} (a repeated declaration must match the first)",
                )
            self.infosets.setdefault(key, info)
        elif key not in self.infosets:
            raise self.error(
                line,
                f"information set {number} of player {player} is used before its actions are given",
            )
        return self.infosets[key]

    def outcome(self, players: int) -> tuple[Fraction, ...]:
        """A node's outcome: its payoffs (added to those above), or zeros for outcome 0."""
        number, line = self.integer("the outcome's number (0 for none)", 0)
        token = self.peek()
        if token is not None and token.quoted:
            self.next("the outcome's name")
            self.word("{", "'{' opening the outcome's payoffs")
            payoffs = []
            while (token := self.peek()) is not None and (token.text != "}" or token.quoted):
                payoffs.append(self.number("a payoff"))
            self.word("}", "'}' closing the outcome's payoffs")
            if len(payoffs) != players:
                raise self.error(
                    line,
                    f"outcome {number} has {len(payoffs)} payoff(s); expected {players}, "
                    "one per player",
                )
            if number == 0:
                raise self.error(line, "outcome 0 is the null outcome and has no payoffs")
            values = tuple(payoffs)
            known = self.outcomes.get(number)
            if known is not None and known != values:
                raise self.error(
                    line,
                    f"outcome {number} was declared with other payoffs; a repeated "
                    "declaration must match the first",
                )
            self.outcomes[number] = values
            return values
        if number == 0:
            return tuple(Fraction(0) for _ in range(players))
        if number not in self.outcomes:
            raise self.error(line, f"outcome {number} is used before its payoffs are given")
        return self.outcomes[number]

    def name_infosets(self, root: dict[str, Any]) -> None:
        """Write each shared (or named) information set as ``infoset = "<id>"``."""
        names: dict[tuple[int, int], str] = {}
        used = {"tree"}
        for key in sorted(self.infosets):
            info = self.infosets[key]
            wanted = info.name if ID_PATTERN.fullmatch(info.name or "-") else ""
            if wanted and len(wanted) <= limits.MAX_ID_LENGTH and wanted not in used:
                names[key] = wanted
            else:
                player, number = key
                names[key] = _fresh(f"{self.player_ids[player - 1]}-{number}", used)
            used.add(names[key])
        for table in _tables(root):
            key = table.pop(_INFOSET, None)
            if key is None:
                continue
            info = self.infosets[key]
            if self.members[key] > 1 or info.name:
                table["infoset"] = names[key]


def _tables(root: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """Every node table under ``root`` (iteratively)."""
    stack = [root]
    while stack:
        table = stack.pop()
        yield table
        stack.extend(v for k, v in table.items() if isinstance(v, dict) and k != "chance")


def _shown(token: _Token) -> str:
    return repr(shown(token.text, 40)) if token.quoted else shown(token.text, 40)


def _identifier(label: str, fallback: str) -> str:
    """An id (``[A-Za-z][A-Za-z0-9_-]*``, at most MAX_ID_LENGTH long) made from a label."""
    text = _NOT_ID.sub("_", label.strip()).strip("_")
    if not text:
        return fallback
    if not text[0].isalpha() or not text[0].isascii():
        text = f"{fallback}{text}" if fallback[-1:].isalpha() else f"x{text}"
    return text[: limits.MAX_ID_LENGTH]


def _fresh(base: str, used: set[str]) -> str:
    """``base``, or ``base-2``, ``base-3``, ... if taken (kept within MAX_ID_LENGTH)."""
    base = base[: limits.MAX_ID_LENGTH]
    candidate, k = base, 1
    while candidate in used:
        k += 1
        suffix = f"-{k}"
        candidate = base[: limits.MAX_ID_LENGTH - len(suffix)] + suffix
    return candidate


def _unique_ids(labels: Iterable[str], fallback: str) -> list[str]:
    """Ids for labels, unique among themselves and never a node setting (``player``, ...)."""
    used = set(NODE_SETTINGS)
    ids = []
    for k, label in enumerate(labels):
        base = _identifier(label, fallback) if label.strip() else f"{fallback}{k + 1}"
        ids.append(_fresh(base, used))
        used.add(ids[-1])
    return ids
