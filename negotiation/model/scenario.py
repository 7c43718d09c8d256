"""Scenarios: two players, their strategies, and how each outcome is valued.

A scenario is a TOML file (read with the standard library's :mod:`tomllib`) naming exactly
two players, the first the row player, each with a list of strategy ids. Payoffs come in one
of two forms.

*Direct payoff tables*, for classic games and exercises::

    [payoffs]                       # rows: first player's strategies, columns: second's
    target = [[0, 0], [-5, 3]]
    sender = [[-1, 0], [-1, -4]]

*Criteria weighted per player*, the heart of the product: every outcome (cell) is scored on
each criterion, and each player weighs the criteria::

    [criteria.gain]
    scores = [[0, 0], [0, 1]]
    [weights.target]
    gain = 3.0

so that, for every player ``p`` and cell ``(r, c)``::

    payoff[p][r][c] = sum over criteria k of weights[p][k] * criteria[k].scores[r][c]

Weights and scores are any reals within the limits of :mod:`negotiation.limits` (0 or a
magnitude from 1e-100 to 1e100, at most 100 significant digits); a player may weigh a
criterion negatively, and a criterion a player does not weigh counts 0. Files, ids, labels
and nesting have limits too, all checked before the work they bound.

Numbers are held exactly: TOML decimals are parsed as :class:`decimal.Decimal` and kept as
:class:`fractions.Fraction`, so ``0.1 + 0.2 == 0.3`` and a tie on paper is a tie to the solver
(ties are what make a game degenerate, see :mod:`negotiation.solvers.exact`).
"""

from __future__ import annotations

import difflib
import os
import re
import stat
import tomllib
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import attrs

from negotiation import limits
from negotiation.errors import LimitError, ScenarioError
from negotiation.limits import quoted, shown
from negotiation.model import overrides as _overrides

#: An exact payoff or score table: one tuple per row player strategy.
Matrix = tuple[tuple[Fraction, ...], ...]

#: Largest magnitude of a number in a scenario (kept here for older imports; the limits
#: live in :mod:`negotiation.limits`).
MAX_MAGNITUDE = limits.MAX_MAGNITUDE

#: Ids of players, strategies and criteria: a letter, then letters, digits, ``_`` or ``-``.
ID_PATTERN = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")

# ``uncertainty``: an explore study kept in the scenario file, validated by
# :mod:`negotiation.studies.uncertainty`; it does not change the game.
_TOP_KEYS = (
    "name",
    "title",
    "description",
    "source",
    "players",
    "payoffs",
    "criteria",
    "weights",
    "uncertainty",
)
_PLAYER_KEYS = ("id", "label", "description", "strategies")
_STRATEGY_KEYS = ("id", "label", "description")
_CRITERION_KEYS = ("label", "description", "scores")


def _check_id(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise ValueError(f"{attribute.name} must match {ID_PATTERN.pattern}, got {value!r}")


def _check_matrix(instance: object, attribute: attrs.Attribute[Matrix], value: Matrix) -> None:
    if not value or not value[0] or any(len(row) != len(value[0]) for row in value):
        raise ValueError(f"{attribute.name} must be a non-empty rectangular table")
    if not all(isinstance(x, Fraction) for row in value for x in row):
        raise ValueError(f"{attribute.name} must hold fractions.Fraction values")


@attrs.frozen
class Strategy:
    """One strategy of a player: an id used in paths and output, and a readable label."""

    id: str = attrs.field(validator=_check_id)
    label: str = attrs.field(validator=attrs.validators.instance_of(str))
    description: str = ""


@attrs.frozen
class Player:
    """A player: an id, a label and at least one strategy (ids unique)."""

    id: str = attrs.field(validator=_check_id)
    label: str = attrs.field(validator=attrs.validators.instance_of(str))
    strategies: tuple[Strategy, ...] = attrs.field(validator=attrs.validators.min_len(1))
    description: str = ""

    def __attrs_post_init__(self) -> None:
        if len(set(self.strategy_ids)) != len(self.strategies):
            raise ValueError(f"player {self.id!r} has duplicate strategy ids")

    @property
    def strategy_ids(self) -> tuple[str, ...]:
        """The strategy ids, in table order."""
        return tuple(s.id for s in self.strategies)

    @property
    def strategy_labels(self) -> tuple[str, ...]:
        """The strategy labels, in table order."""
        return tuple(s.label for s in self.strategies)


@attrs.frozen
class Criterion:
    """A criterion on which every outcome is scored: ``scores[r][c]`` for each cell."""

    id: str = attrs.field(validator=_check_id)
    label: str
    scores: Matrix = attrs.field(validator=_check_matrix)
    description: str = ""


@attrs.frozen
class Scenario:
    """A two-player game described by payoff tables or by weighted criteria.

    Build one with :meth:`from_toml`, :meth:`from_string` or :meth:`from_dict`, which
    validate the input and name the offending key on error; change numbers with
    :meth:`with_overrides`. Exactly one of ``payoffs`` (direct tables) and ``criteria``
    (with ``weights``) is set.
    """

    name: str = attrs.field(validator=_check_id)
    players: tuple[Player, Player]
    payoffs: Mapping[str, Matrix] | None = None
    criteria: tuple[Criterion, ...] = ()
    weights: Mapping[str, Mapping[str, Fraction]] = attrs.field(factory=dict)
    title: str = ""
    description: str = ""
    source: str = ""
    #: Where the scenario was read from (a path, or ``"<string>"``); used in messages.
    origin: str = attrs.field(default="<string>", eq=False)
    #: The resolved file content, overrides applied; enough to rebuild the scenario.
    content: Mapping[str, Any] = attrs.field(factory=dict, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        if len(self.players) != 2:
            raise ValueError("a scenario has exactly two players")
        if (self.payoffs is None) == (not self.criteria):
            raise ValueError("set exactly one of payoffs and criteria")
        shape = self.shape
        tables = list(self.payoffs.values()) if self.payoffs else []
        tables += [c.scores for c in self.criteria]
        if any((len(t), len(t[0])) != shape for t in tables):
            raise ValueError(f"every table must have shape {shape}")

    @property
    def shape(self) -> tuple[int, int]:
        """Numbers of strategies of the row and of the column player."""
        return len(self.players[0].strategies), len(self.players[1].strategies)

    @property
    def player_ids(self) -> tuple[str, str]:
        """The row and column players' ids."""
        return self.players[0].id, self.players[1].id

    def player(self, player_id: str) -> Player:
        """The player with this id."""
        for player in self.players:
            if player.id == player_id:
                return player
        raise KeyError(player_id)

    @classmethod
    def from_toml(
        cls,
        path: str | Path,
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> Scenario:
        """Read and validate a scenario file, then apply ``overrides`` (path -> number).

        The file is read by :func:`read_text` (regular files only, size-limited). Raises
        :class:`~negotiation.errors.ScenarioError` naming the file, the key and what was
        expected, for unreadable files as well as invalid content.
        """
        return cls.from_string(read_text(path), str(path), overrides)

    @classmethod
    def from_string(
        cls,
        text: str,
        origin: str = "<string>",
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> Scenario:
        """Parse and validate scenario TOML text; ``origin`` names it in messages.

        The text is parsed by :func:`parse_toml` (byte order mark, line ends, size, integer
        and nesting limits).
        """
        return cls.from_dict(parse_toml(text, origin), origin, overrides)

    @classmethod
    def from_dict(
        cls,
        data: Mapping[str, Any],
        origin: str = "<dict>",
        overrides: Mapping[str, object] | Iterable[tuple[str, object]] = (),
    ) -> Scenario:
        """Validate parsed content (as from :func:`tomllib.loads`) and build a scenario.

        Numbers may be ``int``, :class:`~decimal.Decimal` or :class:`~fractions.Fraction`
        (``float`` is accepted and read as its shortest decimal form).
        """
        return _Parser(origin).parse(data, _overrides.normalise(overrides))

    def with_overrides(
        self, overrides: Mapping[str, object] | Iterable[tuple[str, object]]
    ) -> Scenario:
        """A copy with some numbers changed, validated exactly like the file.

        >>> from negotiation import load
        >>> pd = load("prisoners-dilemma")
        >>> pd.with_overrides({"payoffs.row[0][0]": 4}).payoffs["row"][0][0]
        Fraction(4, 1)
        """
        return _Parser(self.origin).parse(self.content, _overrides.normalise(overrides))


class _Parser:
    """Turns raw TOML content into a :class:`Scenario`, one checked key at a time."""

    def __init__(self, origin: str) -> None:
        self.origin = origin
        self.source = shown(origin, 4096)  # the origin as messages show it

    def error(self, key: str, problem: str) -> ScenarioError:
        return ScenarioError(self.source, key, problem)

    def limit(self, key: str, problem: str) -> LimitError:
        return LimitError(self.source, key, problem)

    def parse(
        self, data: Mapping[str, Any], overrides: tuple[tuple[str, Fraction], ...]
    ) -> Scenario:
        if not isinstance(data, Mapping):
            raise self.error("", "expected a TOML table at the top level")
        if (deep := _too_deep(data)) is not None:
            raise self.limit(shown(deep), _nesting_problem())
        content = _copy(data)
        self.check_keys(content, "", _TOP_KEYS)
        if "name" not in content:
            raise self.error(
                "name",
                "missing; expected the scenario's name, an id such as 'rare-earth' (top-level "
                "keys must come before the first [[players]] or other [table] header)",
            )
        name = self.ident(content, "name", "name")
        title = self.line(content, "title", "title")
        description, source = (self.text(content, k, k) for k in ("description", "source"))
        players = self.players(content)
        has_payoffs, has_criteria = "payoffs" in content, "criteria" in content
        if has_payoffs and (has_criteria or "weights" in content):
            raise self.error(
                "payoffs",
                "expected either [payoffs] (direct tables) or [criteria] with [weights], not both",
            )
        if not has_payoffs and not has_criteria:
            raise self.error(
                "",
                "expected payoff tables under [payoffs], or criteria under [criteria] "
                "with weights under [weights]",
            )
        criterion_ids = self.criterion_ids(content) if has_criteria else ()
        strategies = (players[0].strategy_ids, players[1].strategy_ids)
        _overrides.apply(content, overrides, strategies, criterion_ids, self.source)
        if has_payoffs:
            form: dict[str, Any] = {"payoffs": self.payoffs(content["payoffs"], players)}
        else:
            form = {
                "criteria": self.criteria(content["criteria"], players),
                "weights": self.weights(content.get("weights"), players, criterion_ids),
            }
        return Scenario(
            name,
            (players[0], players[1]),
            origin=self.origin,
            content=content,
            title=title,
            description=description,
            source=source,
            **form,
        )

    # -- pieces --------------------------------------------------------------------------

    def check_keys(self, table: Mapping[str, Any], where: str, allowed: Iterable[str]) -> None:
        allowed = tuple(allowed)
        for key in table:
            if key not in allowed:
                hint = difflib.get_close_matches(key[: 4 * limits.MAX_ID_LENGTH], allowed, n=1)
                did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                raise self.error(
                    _join(where, key),
                    f"unknown key{did_you_mean}; expected one of: {', '.join(allowed)}",
                )

    def text(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        """Free text (a description or source): any string without terminal controls."""
        value = table.get(key, default)
        if not isinstance(value, str):
            raise self.error(where, f"expected a string, got {described(value)}")
        if control := _CONTROL_IN_TEXT.search(value):
            raise self.error(
                where,
                f"expected text without control characters, got {quoted(control.group())} at "
                f"position {control.start()}",
            )
        return value

    def line(self, table: Mapping[str, Any], key: str, where: str, default: str = "") -> str:
        """A label or title: one line of at most ``MAX_LABEL_LENGTH`` characters."""
        value = self.text(table, key, where, default)
        if len(value) > limits.MAX_LABEL_LENGTH:
            raise self.limit(
                where,
                f"expected at most {limits.MAX_LABEL_LENGTH} characters, got {len(value)} "
                "(shorten it, and put the rest in a description)",
            )
        if control := _CONTROL_IN_LINE.search(value):
            raise self.error(
                where,
                f"expected one line of text, got {quoted(control.group())} at position "
                f"{control.start()}",
            )
        return value

    def ident(self, table: Mapping[str, Any], key: str, where: str) -> str:
        if key not in table:
            raise self.error(where, "missing; expected an id such as 'us' or 'accept'")
        value = table[key]
        if isinstance(value, str) and len(value) > limits.MAX_ID_LENGTH:
            raise self.limit(
                where,
                f"expected an id of at most {limits.MAX_ID_LENGTH} characters, got "
                f"{len(value)} ({quoted(value[:20])[:-1]}...'); put long names in a label",
            )
        if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
            raise self.error(
                where,
                "expected an id: a letter followed by letters, digits, '_' or '-', "
                f"got {described(value)}",
            )
        return value

    def players(self, content: Mapping[str, Any]) -> list[Player]:
        raw = content.get("players")
        if not isinstance(raw, list) or len(raw) != 2:
            got = _count(len(raw), "player") if isinstance(raw, list) else described(raw)
            raise self.error(
                "players",
                f"expected exactly two [[players]] tables (the first is the row player), got {got}",
            )
        players = []
        for p, entry in enumerate(raw):
            where = f"players[{p}]"
            if not isinstance(entry, dict):
                raise self.error(where, f"expected a table, got {described(entry)}")
            self.check_keys(entry, where, _PLAYER_KEYS)
            pid = self.ident(entry, "id", f"{where}.id")
            strategies = entry.get("strategies")
            if not isinstance(strategies, list) or not strategies:
                raise self.error(
                    f"{where}.strategies",
                    f"expected a non-empty list of strategy ids, got {described(strategies)}",
                )
            if len(strategies) > limits.MAX_STRATEGIES:
                raise self.limit(
                    f"{where}.strategies",
                    f"expected at most {limits.MAX_STRATEGIES} strategies, got "
                    f"{len(strategies)} (negotiation.limits.MAX_STRATEGIES); merge similar "
                    "strategies or drop dominated ones",
                )
            parsed = [
                self.strategy(s, f"{where}.strategies[{i}]") for i, s in enumerate(strategies)
            ]
            seen: set[str] = set()
            for i, strategy in enumerate(parsed):
                if strategy.id in seen:
                    raise self.error(
                        f"{where}.strategies[{i}]", f"duplicate strategy id {strategy.id!r}"
                    )
                seen.add(strategy.id)
            players.append(
                Player(
                    pid,
                    self.line(entry, "label", f"{where}.label", pid),
                    tuple(parsed),
                    self.text(entry, "description", f"{where}.description"),
                )
            )
        if players[0].id == players[1].id:
            raise self.error("players[1].id", f"duplicate player id {players[1].id!r}")
        return players

    def strategy(self, raw: object, where: str) -> Strategy:
        if isinstance(raw, str):
            return Strategy(self.ident({"id": raw}, "id", where), raw)
        if isinstance(raw, dict):
            self.check_keys(raw, where, _STRATEGY_KEYS)
            sid = self.ident(raw, "id", f"{where}.id")
            return Strategy(
                sid,
                self.line(raw, "label", f"{where}.label", sid),
                self.text(raw, "description", f"{where}.description"),
            )
        raise self.error(
            where, f"expected a strategy id or a table with an id, got {described(raw)}"
        )

    def table(self, raw: object, where: str, players: list[Player]) -> Matrix:
        rows, cols = players[0].strategies, players[1].strategies
        expected = (
            f"a {len(rows)}x{len(cols)} table: {len(rows)} rows (one per strategy of "
            f"{players[0].id}: {', '.join(s.id for s in rows)}), each a list of {len(cols)} "
            f"numbers (one per strategy of {players[1].id}: {', '.join(s.id for s in cols)})"
        )
        if not isinstance(raw, list):
            raise self.error(where, f"expected {expected}; got {described(raw)}")
        if len(raw) != len(rows):
            raise self.error(where, f"expected {expected}; got {_count(len(raw), 'row')}")
        table = []
        for r, row in enumerate(raw):
            if not isinstance(row, list) or len(row) != len(cols):
                got = _count(len(row), "number") if isinstance(row, list) else described(row)
                raise self.error(
                    f"{where}[{r}]",
                    f"expected a row of {len(cols)} numbers (one per strategy of "
                    f"{players[1].id}), got {got}",
                )
            table.append(tuple(self.number(x, f"{where}[{r}][{c}]") for c, x in enumerate(row)))
        return tuple(table)

    def number(self, raw: object, where: str) -> Fraction:
        if isinstance(raw, _Refused):
            raise self.limit(where, raw.problem)
        if isinstance(raw, bool) or not isinstance(raw, (int, float, Decimal, Fraction)):
            raise self.error(where, f"expected a finite number, got {described(raw)}")
        if isinstance(raw, float):
            raw = Decimal(repr(raw))
        if isinstance(raw, Decimal) and not raw.is_finite():
            raise self.error(where, f"expected a finite number, got {raw}")
        if problem := limits.number_problem(raw):
            raise self.limit(where, problem)
        return Fraction(raw)

    def payoffs(self, raw: object, players: list[Player]) -> dict[str, Matrix]:
        if not isinstance(raw, dict):
            raise self.error("payoffs", f"expected a table of payoff tables, got {described(raw)}")
        ids = [p.id for p in players]
        self.check_keys(raw, "payoffs", ids)
        for pid in ids:
            if pid not in raw:
                raise self.error(
                    f"payoffs.{pid}", f"missing; expected the payoff table of player {pid!r}"
                )
        return {pid: self.table(raw[pid], f"payoffs.{pid}", players) for pid in ids}

    def criterion_ids(self, content: Mapping[str, Any]) -> tuple[str, ...]:
        raw = content["criteria"]
        if not isinstance(raw, dict) or not raw:
            got = "an empty table" if raw == {} else described(raw)
            raise self.error(
                "criteria", f"expected at least one [criteria.<id>] table with scores, got {got}"
            )
        for key in raw:
            self.ident({"id": key}, "id", _join("criteria", key))
        return tuple(raw)

    def criteria(self, raw: dict[str, Any], players: list[Player]) -> tuple[Criterion, ...]:
        criteria = []
        for cid, entry in raw.items():
            where = f"criteria.{cid}"
            if not isinstance(entry, dict):
                raise self.error(where, f"expected a table with scores, got {described(entry)}")
            self.check_keys(entry, where, _CRITERION_KEYS)
            if "scores" not in entry:
                raise self.error(
                    f"{where}.scores", "missing; expected a table of scores, one per outcome"
                )
            criteria.append(
                Criterion(
                    cid,
                    self.line(entry, "label", f"{where}.label", cid),
                    self.table(entry["scores"], f"{where}.scores", players),
                    self.text(entry, "description", f"{where}.description"),
                )
            )
        return tuple(criteria)

    def weights(
        self, raw: object, players: list[Player], criterion_ids: tuple[str, ...]
    ) -> dict[str, dict[str, Fraction]]:
        ids = [p.id for p in players]
        if not isinstance(raw, dict):
            raise self.error(
                "weights",
                "expected a [weights.<player>] table for each player mapping criteria to "
                f"numbers, got {described(raw)}",
            )
        self.check_keys(raw, "weights", ids)
        weights = {}
        for pid in ids:
            where = f"weights.{pid}"
            if pid not in raw:
                raise self.error(
                    where,
                    f"missing; expected a table mapping criteria ({', '.join(criterion_ids)}) "
                    "to numbers (write an empty [weights.<player>] table for a player who "
                    "weighs nothing)",
                )
            table = raw[pid]
            if not isinstance(table, dict):
                raise self.error(where, f"expected a table of numbers, got {described(table)}")
            for key in table:
                if key not in criterion_ids:
                    hint = difflib.get_close_matches(
                        key[: 4 * limits.MAX_ID_LENGTH], criterion_ids, n=1
                    )
                    did_you_mean = f" (did you mean {hint[0]!r}?)" if hint else ""
                    raise self.error(
                        _join(where, key),
                        f"unknown criterion{did_you_mean}; expected one of: "
                        f"{', '.join(criterion_ids)}",
                    )
            weights[pid] = {k: self.number(v, f"{where}.{k}") for k, v in table.items()}
        return weights


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


_BARE_KEY = re.compile(r"[A-Za-z0-9_-]+")


def _join(where: str, key: str) -> str:
    """``where.key`` in override-path syntax; a key that is not bare is quoted as in TOML."""
    if not _BARE_KEY.fullmatch(key):
        key = '"' + key.replace("\\", "\\\\").replace('"', '\\"') + '"'
    key = shown(key)
    return f"{where}.{key}" if where else key


def described(value: object) -> str:
    """Say what a value is, for messages (every scenario parser): ``string 'x'``, ``nothing``."""
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"string {quoted(value)}"
    if isinstance(value, bool):
        return f"boolean {str(value).lower()}"
    if isinstance(value, dict):
        return "a table"
    if isinstance(value, list):
        return f"a list of {len(value)}"
    if isinstance(value, _Refused):
        return "a number beyond the limits"
    if isinstance(value, int) and abs(value).bit_length() > 400:
        return f"an integer of about {round(abs(value).bit_length() * 0.30103)} digits"
    if isinstance(value, (int, Decimal, Fraction, float)):
        return f"number {shown(str(value))}"
    return shown(type(value).__name__)


# -- reading files and TOML text --------------------------------------------------------

_UTF8_BOM = b"\xef\xbb\xbf"
_LONE_CR = re.compile(r"\r(?!\n)")
#: Control characters refused in free text (newlines and tabs are fine there) and in one
#: line of text such as a label (nothing is fine there).
_CONTROL_IN_TEXT = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
_CONTROL_IN_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_FILE_KINDS = {
    stat.S_IFCHR: "character device",
    stat.S_IFBLK: "block device",
    stat.S_IFIFO: "FIFO (named pipe)",
    stat.S_IFSOCK: "socket",
}


def read_text(path: str | Path) -> str:
    """The text of a scenario file, read safely whatever ``path`` turns out to be.

    Every scenario file (matrix or tree, through :mod:`negotiation.model.catalogue`) is read
    here: only a regular file of at most :data:`negotiation.limits.MAX_FILE_BYTES` bytes is
    read, without blocking on a FIFO and never beyond the limit (``/dev/zero``); a UTF-8
    byte order mark is dropped, and anything but UTF-8 text is refused with the offending
    byte's value and offset. Raises :class:`~negotiation.errors.ScenarioError` (or
    :class:`~negotiation.errors.LimitError` for the size) naming the file.
    """
    source = shown(str(path), 4096)  # for messages: a file name may hold a newline
    raw = _read_file(path, source)
    if raw.startswith(_UTF8_BOM):  # written by some Windows editors; TOML has no use for it
        raw = raw[len(_UTF8_BOM) :]
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise ScenarioError(
            source,
            "",
            f"is not a UTF-8 text file (byte 0x{raw[error.start]:02x} at offset "
            f"{error.start}); expected TOML",
        ) from None


def parse_toml(text: str, origin: str = "<string>") -> dict[str, Any]:
    """Scenario TOML text parsed, every number exact, within the limits; not yet validated.

    Shared by matrix and tree scenarios. A leading byte order mark is ignored and old Mac
    line ends (a lone carriage return) are read as newlines; text longer than
    :data:`negotiation.limits.MAX_FILE_BYTES` characters, integers beyond the limits and
    nesting too deep for the TOML reader raise :class:`~negotiation.errors.LimitError`.
    Decimals are read as :class:`~decimal.Decimal`; one whose text is beyond the limits
    (``1e-99999999``, which would take minutes to build) is kept as a refusal that the
    scenario parser raises, naming its key, when it reaches it.
    """
    source = shown(origin, 4096)
    if len(text) > limits.MAX_FILE_BYTES:
        raise _too_big(source, len(text), "characters")
    if "\x00" in text:
        raise ScenarioError(source, "", "contains NUL bytes; expected a TOML text file")
    text = _LONE_CR.sub("\n", text.removeprefix("\ufeff"))
    try:
        return tomllib.loads(text, parse_float=_toml_float)
    except tomllib.TOMLDecodeError as error:
        raise _toml_error(source, text, str(error)) from None
    except RecursionError:
        raise LimitError(source, "", _nesting_problem()) from None
    except ValueError as error:  # an integer over Python's 4,300-digit limit
        raise _integer_error(source, text, str(error)) from None


def _read_file(path: str | Path, origin: str) -> bytes:
    """The bytes of a scenario file, read safely whatever ``path`` turns out to be.

    The file is opened without blocking (a FIFO with no writer would otherwise wait
    forever), then checked on the open descriptor, so it cannot be swapped in between: only
    a regular file of at most :data:`negotiation.limits.MAX_FILE_BYTES` bytes is read, and
    at most that many bytes are ever read (``/dev/zero`` never ends).
    """
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        fd = os.open(path, flags)
    except FileNotFoundError:
        raise ScenarioError(origin, "", "no such file") from None
    except IsADirectoryError:
        raise ScenarioError(origin, "", "is a directory; expected a TOML file") from None
    except OSError as error:
        raise ScenarioError(origin, "", f"cannot be read ({error.strerror})") from None
    except ValueError:  # a NUL character in the name
        raise ScenarioError(origin, "", "is not a valid file name") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise ScenarioError(origin, "", "is a directory; expected a TOML file")
        if not stat.S_ISREG(info.st_mode):
            kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "special file")
            raise ScenarioError(
                origin,
                "",
                f"is a {kind}, not a regular file; expected a TOML file (save the scenario "
                "to a file first)",
            )
        if info.st_size > limits.MAX_FILE_BYTES:
            raise _too_big(origin, info.st_size, "bytes")
        chunks: list[bytes] = []
        size = 0
        while size <= limits.MAX_FILE_BYTES and (
            chunk := os.read(fd, limits.MAX_FILE_BYTES + 1 - size)
        ):
            chunks.append(chunk)
            size += len(chunk)
    except OSError as error:
        raise ScenarioError(origin, "", f"cannot be read ({error.strerror})") from None
    finally:
        os.close(fd)
    raw = b"".join(chunks)
    if len(raw) > limits.MAX_FILE_BYTES:  # it grew while being read
        raise _too_big(origin, len(raw), "bytes")
    return raw


def _too_big(origin: str, size: int, unit: str) -> LimitError:
    return LimitError(
        origin,
        "",
        f"holds {size:,} {unit}, over the limit of {limits.MAX_FILE_BYTES:,} "
        "(negotiation.limits.MAX_FILE_BYTES); a scenario is a short text file: check that "
        "this is the file you meant",
    )


@attrs.frozen
class _Refused:
    """What TOML float parsing returns for a number refused on sight, with the reason.

    :mod:`tomllib` does not say which key a float belongs to, so the refusal is kept as a
    value and raised when the parser reaches it, naming the key.
    """

    problem: str


#: The public name of a refused number as :func:`parse_toml` leaves it in parsed content:
#: every scenario parser (matrix or tree) raises its ``problem`` as a LimitError at its key.
Refused = _Refused


def _toml_float(text: str) -> Decimal | _Refused:
    """Read a TOML float exactly, refusing on sight what the limits do not allow.

    ``1e-99999999`` is refused from its text: as a :class:`~fractions.Fraction` it would
    take minutes to build. Underscores are TOML digit separators.
    """
    problem = limits.decimal_text_problem(text) if text[-3:] not in ("inf", "nan") else None
    return _Refused(problem) if problem else Decimal(text.replace("_", ""))


def _nesting_problem() -> str:
    return (
        f"nests arrays or tables more than {limits.MAX_NESTING} deep "
        "(negotiation.limits.MAX_NESTING); a scenario needs at most 4"
    )


def _too_deep(data: Mapping[str, Any]) -> str | None:
    """The key path of a value nested deeper than ``MAX_NESTING``, if there is one."""
    stack: list[tuple[object, str, int]] = [(data, "", 0)]
    while stack:
        value, where, depth = stack.pop()
        if depth > limits.MAX_NESTING:
            return where
        if isinstance(value, Mapping):
            stack.extend((v, _join(where, str(k)), depth + 1) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend((v, f"{where}[{i}]", depth + 1) for i, v in enumerate(value))
    return None


_POSITION = re.compile(r"\(at line (\d+), column \d+\)")
_TOML_KEY = r"""(?:[A-Za-z0-9_-]+|"(?:[^"\\\n]|\\.)*"|'[^'\n]*')"""
_DOTTED_KEY = rf"{_TOML_KEY}(?:[ \t]*\.[ \t]*{_TOML_KEY})*"
_ASSIGNMENT = re.compile(rf"[ \t]*({_DOTTED_KEY})[ \t]*=")
_HEADER = re.compile(rf"[ \t]*(\[\[?)[ \t]*({_DOTTED_KEY})[ \t]*\]\]?[ \t]*(?:#.*)?$")


def _line_key(text: str, line: int) -> str:
    """The key path that line ``line`` of TOML ``text`` sets, or ``""`` if it sets none.

    The key on the line is put under the table header above it; an array of tables header
    ``[[players]]`` is numbered by counting its earlier occurrences, so the second player's
    ``id`` line is ``players[1].id``.
    """
    lines = text.split("\n", line)[:line]
    if not 0 < line <= len(lines):
        return ""
    if header := _HEADER.match(lines[-1]):
        return shown(_dotted(header.group(2)))
    if (assignment := _ASSIGNMENT.match(lines[-1])) is None:
        return ""
    key = _dotted(assignment.group(1))
    headers = [h for h in map(_HEADER.match, lines[:-1]) if h]
    if headers:
        last = headers[-1]
        table = _dotted(last.group(2))
        if last.group(1) == "[[":
            count = sum(h.group(1) == "[[" and _dotted(h.group(2)) == table for h in headers)
            table += f"[{count - 1}]"
        key = f"{table}.{key}"
    return shown(key)


def _dotted(key: str) -> str:
    return re.sub(r"[ \t]*\.[ \t]*", ".", key)


def _toml_error(origin: str, text: str, message: str) -> ScenarioError:
    """A TOML syntax error; when a key is set twice, the message names the key."""
    problem = f"invalid TOML: {shown(message, 200)}"
    position = _POSITION.search(message)
    if message.startswith("Cannot overwrite a value") and position:
        key = _line_key(text, int(position.group(1)))
        return ScenarioError(
            origin, key, f"{problem}; this key is already set (a key may be set only once)"
        )
    return ScenarioError(origin, "", problem)


def _integer_error(origin: str, text: str, message: str) -> ScenarioError:
    """Python's refusal of a huge TOML integer, said as a limit with its line and key."""
    run = re.search(r"[0-9][0-9_]{4300,}", text)  # Python reads at most 4,300 digits
    if run is None or "digits" not in message:
        return ScenarioError(origin, "", f"cannot be read: {shown(message)}")
    line = text.count("\n", 0, run.start()) + 1
    problem = limits.integer_text_problem(run.group()) or "expected a shorter number"
    return LimitError(origin, _line_key(text, line), f"{problem} (line {line})")


def _copy(value: Any) -> Any:
    """A deep copy of parsed TOML content (dicts, lists and immutable leaves)."""
    if isinstance(value, Mapping):
        return {k: _copy(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_copy(v) for v in value]
    return value
