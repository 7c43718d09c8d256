"""The documented limits, and every input issue 8 (parts 2, 4 and 6) names, refused fast.

Each is refused at once with a one-line UserError naming the source and the key.

Each case runs under a wall-clock deadline (``deadline``, a SIGALRM interval timer) so a
regression to the old behaviour (305 s for ``1e-99999999``, a FIFO blocking forever) fails
the test instead of hanging the suite; no test asserts a speed beyond that.
"""

from __future__ import annotations

import math
import os
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal
from fractions import Fraction
from pathlib import Path
from types import FrameType

import pytest

from negotiation import Game, Scenario, cell_breakdown, limits, load, solve
from negotiation.errors import LimitError, ScenarioError, UserError
from negotiation.model.overrides import parse_assignment, parse_number, parse_path
from negotiation.model.payoffs import UnknownStrategyError
from negotiation.solvers.equilibria import (
    cross_check_cost,
    exact_cost,
    pure_equilibria,
)

DIRECT = """name = "direct"
[[players]]
id = "row"
strategies = ["left", "right"]
[[players]]
id = "col"
strategies = ["left", "right"]
[payoffs]
row = [[1, 0], [0, 1]]
col = [[1, 0], [0, 1]]
"""


class DeadlineExceededError(Exception):
    """Raised inside a ``deadline`` block that ran out of time."""


@contextmanager
def deadline(seconds: float) -> Iterator[None]:
    """Fail the block if it runs longer than ``seconds`` (SIGALRM via an interval timer)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise DeadlineExceededError(f"still running after {seconds} s")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def one_line(error: BaseException) -> str:
    """The error's message, checked to be one printable line of reasonable length."""
    message = str(error)
    assert message.isprintable(), repr(message[:200])
    assert len(message) < 600, message[:200]
    return message


def refused(
    kind: type[UserError], text: str, origin: str = "bad.toml", seconds: float = 1.0
) -> UserError:
    """The error ``Scenario.from_string`` raises for ``text``, within ``seconds``."""
    with deadline(seconds), pytest.raises(kind) as info:
        Scenario.from_string(text, origin)
    one_line(info.value)
    return info.value


def cell(value: str) -> str:
    """DIRECT with the row player's first payoff written as ``value``."""
    return DIRECT.replace("row = [[1, 0]", f"row = [[{value}, 0]")


# -- numbers -------------------------------------------------------------------------------


def test_tiny_exponent_file_of_190_bytes_is_refused_at_once(tmp_path: Path) -> None:
    """The issue's 190-byte file holding 1e-99999999 (305 s before) fails well under a second."""
    path = tmp_path / "tiny.toml"
    path.write_text(cell("1e-99999999"))
    assert path.stat().st_size < 200
    with deadline(0.5), pytest.raises(LimitError) as info:
        Scenario.from_toml(path)
    assert info.value.key == "payoffs.row[0][0]"
    assert "magnitude at least 1e-100" in one_line(info.value)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("1e-5000", "magnitude at least 1e-100"),  # passed validate, then crashed JSON output
        ("1e400", "magnitude at most 1e100"),
        ("-2e101", "magnitude at most 1e100"),
        ("1e" + "9" * 5000, "magnitude at most 1e100"),  # Decimal cannot even read this one
        ("0." + "1" * 5000, "at most 100 significant digits"),
        ("0x" + "f" * 5000, "magnitude at most 1e100"),  # hex: Python's digit limit skips it
        ("1e-101", "magnitude at least 1e-100"),
    ],
)
def test_numbers_beyond_the_limits_are_refused_with_their_key(value: str, expected: str) -> None:
    """Numbers out of range or with too many digits raise LimitError naming the cell."""
    error = refused(LimitError, cell(value))
    assert error.key == "payoffs.row[0][0]"
    assert expected in error.problem


def test_numbers_at_the_limits_are_accepted() -> None:
    """1e100, 1e-100, 0 and a 100-digit decimal are inside the limits and read exactly."""
    for value, exact in [
        ("1e100", Fraction(10**100)),
        ("-1e-100", -Fraction(1, 10**100)),
        ("0e-99999", Fraction(0)),
        ("0." + "3" * 100, Fraction(int("3" * 100), 10**100)),
        ("1" + "0" * 100, Fraction(10**100)),
    ]:
        payoffs = Scenario.from_string(cell(value)).payoffs
        assert payoffs is not None
        assert payoffs["row"][0][0] == exact


def test_integer_over_pythons_4300_digits_names_the_key_and_line() -> None:
    """A 5,000-digit TOML integer (a ValueError traceback before) is a LimitError at its key."""
    error = refused(LimitError, cell("1" * 5000))
    assert error.key == "payoffs.row"
    assert "at most 100 significant digits" in error.problem
    assert "line 9" in error.problem
    assert "set_int_max_str_digits" not in str(error)


def test_integer_in_an_array_of_tables_is_numbered() -> None:
    """The key of a huge integer under the second [[players]] header is players[1].<key>."""
    text = DIRECT.replace('id = "col"', 'id = "col"\nlabel = ' + "7" * 5000)
    assert refused(LimitError, text).key == "players[1].label"


def test_python_api_numbers_are_checked_like_the_file() -> None:
    """from_dict refuses a Decimal, float or int beyond the limits, before building it."""
    for value in (Decimal("1e-99999999"), 1e-300, 10**101, Fraction(1, 10**101)):
        data = {
            "name": "x",
            "players": [{"id": "a", "strategies": ["s"]}, {"id": "b", "strategies": ["t"]}],
            "payoffs": {"a": [[value]], "b": [[0]]},
        }
        with deadline(1), pytest.raises(LimitError) as info:
            Scenario.from_dict(data, "api")
        assert info.value.key == "payoffs.a[0][0]"


# -- override and sweep values --------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "kind", "expected"),
    [
        ("1e-9999999", LimitError, "magnitude at least 1e-100"),  # ran for minutes before
        ("1e-5000", LimitError, "magnitude at least 1e-100"),
        ("1" * 5000 + "/3", LimitError, "at most 100 significant digits"),  # "finite number"
        ("3/" + "1" * 5000, LimitError, "at most 100 significant digits"),
        ("1" + "0" * 5000 + "/3", LimitError, "magnitude at most 1e100"),
        ("1" * 5000, LimitError, "at most 100 significant digits"),
        ("1e" + "9" * 5000, LimitError, "magnitude at most 1e100"),
        ("x" * 5000, ScenarioError, "expected a finite number"),
        ("1__0", ScenarioError, "expected a finite number"),
        ("1/0", ScenarioError, "expected a finite number"),
        ("١٢", ScenarioError, "expected a finite number"),  # Arabic-Indic digits
    ],
)
def test_override_values_are_checked_on_their_text(
    value: str, kind: type[UserError], expected: str
) -> None:
    """--set values beyond the limits fail fast, one line, naming --set and the path."""
    with deadline(1), pytest.raises(kind) as info:
        parse_assignment(f"payoffs.row[0][0]={value}")
    assert type(info.value) is kind
    assert info.value.source == "--set"
    assert info.value.key == "payoffs.row[0][0]"
    assert expected in one_line(info.value)
    assert "set_int_max_str_digits" not in str(info.value)


def test_param_value_1e_minus_5000_does_not_print_pythons_digit_limit() -> None:
    """A sweep bound 1e-5000 is refused by its text, not with Python's int-digits message."""
    with deadline(1), pytest.raises(LimitError) as info:
        parse_number("1e-5000", "--param", "weights.us.legitimacy")
    assert str(info.value).startswith("--param: weights.us.legitimacy: expected 0 or")
    assert "set_int_max_str_digits" not in one_line(info.value)


def test_override_values_within_limits_are_exact() -> None:
    """Fractions, decimals with underscores and signs are read exactly."""
    assert parse_number("-1_000.5") == Fraction(-2001, 2)
    assert parse_number(" 2 / 6 ") == Fraction(1, 3)
    assert parse_number("+.5e1") == 5
    assert parse_number("1e-100") == Fraction(1, 10**100)


def test_override_python_values_are_checked() -> None:
    """Overrides given as Python numbers are held to the same limits."""
    for value in (Decimal("1e-99999999"), 1e-200, 10**101):
        with deadline(1), pytest.raises(LimitError) as info:
            Scenario.from_string(DIRECT, "d.toml", {"payoffs.row[0][0]": value})
        assert info.value.key == "payoffs.row[0][0]"


def test_override_index_with_5000_digits_is_out_of_range() -> None:
    """A bracketed position of 5,000 digits is out of range, not an int() crash."""
    with deadline(1), pytest.raises(ScenarioError) as info:
        parse_path("payoffs.row[" + "9" * 5000 + "][0]")
    assert "out of range" in one_line(info.value)


def test_huge_override_path_is_truncated() -> None:
    """A 1 MB override path is echoed shortened, with its length."""
    with deadline(1), pytest.raises(ScenarioError) as info:
        parse_assignment("weights." + "k" * 1_000_000 + "!=1")
    assert "characters)" in one_line(info.value)


# -- files ----------------------------------------------------------------------------------


def test_dev_zero_is_refused_without_reading_it() -> None:
    """/dev/zero (which grew memory without limit) is refused as a character device."""
    with deadline(1), pytest.raises(ScenarioError) as info:
        Scenario.from_toml("/dev/zero")
    assert "character device, not a regular file" in one_line(info.value)


def test_fifo_is_refused_without_blocking(tmp_path: Path) -> None:
    """A FIFO with no writer (which blocked validate forever) is refused at once."""
    fifo = tmp_path / "pipe.toml"
    os.mkfifo(fifo)
    with deadline(1), pytest.raises(ScenarioError) as info:
        Scenario.from_toml(fifo)
    assert "FIFO" in one_line(info.value)
    assert info.value.source == str(fifo)


def test_file_over_the_size_limit_is_refused(tmp_path: Path) -> None:
    """A file of more than MAX_FILE_BYTES is refused from its size, before parsing."""
    path = tmp_path / "big.toml"
    path.write_text(DIRECT + "#" + "x" * limits.MAX_FILE_BYTES + "\n")
    with deadline(1), pytest.raises(LimitError) as info:
        Scenario.from_toml(path)
    assert "MAX_FILE_BYTES" in one_line(info.value)


def test_file_read_is_bounded_even_if_its_size_lies(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only MAX_FILE_BYTES + 1 bytes are read, so a file that reports a small size is bounded."""
    path = tmp_path / "big.toml"
    path.write_text(DIRECT + "#" + "x" * 5000 + "\n")
    real_fstat = os.fstat

    def small(fd: int) -> os.stat_result:
        info = real_fstat(fd)
        return os.stat_result((info.st_mode, *info[1:6], 10, *info[7:]))

    monkeypatch.setattr(os, "fstat", small)
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1000)
    with pytest.raises(LimitError, match="holds 1,001 bytes"):
        Scenario.from_toml(path)


def test_text_over_the_size_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    """from_string holds text to the same size limit as files."""
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 100)
    assert refused(LimitError, DIRECT).key == ""


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    """A UTF-8 byte order mark (before: 'Invalid statement at line 1, column 1') is skipped."""
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + DIRECT.encode())
    assert Scenario.from_toml(path).name == "direct"
    assert Scenario.from_string("\ufeff" + DIRECT).name == "direct"


def test_cr_only_line_ends_are_accepted(tmp_path: Path) -> None:
    """Old Mac line ends (CR only) read like newlines; CRLF files still work."""
    path = tmp_path / "cr.toml"
    path.write_bytes(DIRECT.replace("\n", "\r").encode())
    assert Scenario.from_toml(path).shape == (2, 2)
    assert Scenario.from_string(DIRECT.replace("\n", "\r\n")).shape == (2, 2)


def test_non_utf8_byte_is_located(tmp_path: Path) -> None:
    """A Latin-1 byte is reported with its value and offset."""
    path = tmp_path / "latin.toml"
    path.write_bytes(DIRECT.replace('"direct"', '"caf\xe9"').encode("latin-1"))
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert "byte 0xe9 at offset 11" in one_line(info.value)


def test_file_name_with_a_newline_is_escaped(tmp_path: Path) -> None:
    """A file name holding a newline is echoed escaped, so the message stays one line."""
    path = tmp_path / "two\nlines.toml"
    with pytest.raises(ScenarioError) as info:
        Scenario.from_toml(path)
    assert "two\\nlines.toml: no such file" in one_line(info.value)


# -- structure ------------------------------------------------------------------------------


def test_arrays_nested_500_deep_are_refused() -> None:
    """Arrays nested 500 deep (RecursionError before) raise LimitError naming the limit."""
    error = refused(LimitError, DIRECT + "x = " + "[" * 500 + "]" * 500 + "\n")
    assert "MAX_NESTING" in error.problem


def test_nesting_just_over_the_limit_names_the_key() -> None:
    """Nesting of 70 (which the parser handles) is refused at the deep key, shortened."""
    text = DIRECT.replace("[payoffs]", "[payoffs]\nextra = " + "[" * 70 + "]" * 70)
    error = refused(LimitError, text)
    assert error.key.startswith("payoffs.extra[0][0]")
    assert "characters)" in error.key


def test_too_many_strategies_are_refused() -> None:
    """A player with more than MAX_STRATEGIES strategies raises LimitError at its list."""
    ids = ", ".join(f'"s{i}"' for i in range(limits.MAX_STRATEGIES + 1))
    text = DIRECT.replace('strategies = ["left", "right"]', f"strategies = [{ids}]", 1)
    error = refused(LimitError, text)
    assert error.key == "players[0].strategies"
    assert "at most 100 strategies, got 101" in error.problem


@pytest.mark.parametrize(
    ("text", "key", "expected"),
    [
        (DIRECT.replace('id = "row"', 'id = "' + "r" * 1000 + '"'), "players[0].id", "at most 64"),
        (
            DIRECT.replace('id = "row"', 'id = "row"\nlabel = "' + "L" * 10_000 + '"'),
            "players[0].label",
            "at most 200 characters, got 10000",
        ),
        (DIRECT.replace('name = "direct"', 'name = "' + "n" * 65 + '"'), "name", "at most 64"),
    ],
)
def test_long_ids_and_labels_are_refused(text: str, key: str, expected: str) -> None:
    """Ids over MAX_ID_LENGTH and labels over MAX_LABEL_LENGTH (bad_alloc in plots) are refused."""
    error = refused(LimitError, text)
    assert error.key == key
    assert expected in error.problem


@pytest.mark.parametrize(
    ("text", "key"),
    [
        (DIRECT.replace('name = "direct"', 'name = "direct"\ntitle = "a\\u001b[2Jb"'), "title"),
        (DIRECT.replace('id = "col"', 'id = "col"\nlabel = "two\\nlines"'), "players[1].label"),
        (DIRECT.replace('name = "direct"', 'name = "d"\ndescription = "\\u0007"'), "description"),
    ],
)
def test_control_characters_in_text_are_refused(text: str, key: str) -> None:
    """A title that could clear the terminal, or a label of two lines, is refused."""
    assert refused(ScenarioError, text).key == key


def test_descriptions_may_span_lines() -> None:
    """Newlines and tabs are fine in a description (only labels and titles are one line)."""
    text = DIRECT.replace('name = "direct"', 'name = "d"\ndescription = """one\n\ttwo"""')
    assert Scenario.from_string(text).description == "one\n\ttwo"


# -- messages -------------------------------------------------------------------------------


def test_key_containing_a_newline_is_escaped() -> None:
    """A quoted TOML key holding a newline (two printed lines before) is echoed escaped."""
    error = refused(ScenarioError, '"a\\nb" = 1\n' + DIRECT)
    assert error.key == '"a\\nb"'
    assert "unknown key" in error.problem


def test_one_megabyte_key_is_truncated() -> None:
    """A 1 MB key (echoed in full before) is shortened to its start and its length."""
    error = refused(ScenarioError, '"' + "k" * 1_000_000 + '" = 1\n', seconds=3)
    assert error.key.endswith("... (1000000 characters)")
    assert len(str(error)) < 300


def test_4000_digit_number_of_wrong_type_is_not_echoed() -> None:
    """A 4,000-digit integer where a string belongs is described by its size, not echoed."""
    text = DIRECT.replace('name = "direct"', 'name = "d"\ntitle = ' + "4" * 4000)
    error = refused(ScenarioError, text)
    assert error.key == "title"
    assert "expected a string, got an integer of about 4000 digits" in error.problem


def test_cannot_overwrite_names_the_key() -> None:
    """A key set twice names the key (tomllib says only 'Cannot overwrite a value')."""
    error = refused(ScenarioError, DIRECT + "col = [[0, 0], [0, 0]]\n")
    assert error.key == "payoffs.col"
    assert "already set" in error.problem
    top = refused(ScenarioError, 'name = "a"\nname = "b"\n')
    assert top.key == "name"


def test_shown_and_quoted_keep_messages_on_one_line() -> None:
    """Echoed text is escaped and shortened by shown, and also quoted by quoted."""
    assert limits.shown("a\nb\x1b") == "a\\nb\\x1b"
    assert limits.shown("x" * 100) == "x" * 70 + "... (100 characters)"
    assert limits.quoted("x" * 100) == "'" + "x" * 70 + "...' (100 characters)"
    assert limits.shown("\u2028") == "\\u2028"


# -- catalogue names and cells ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "hint"),
    [
        ("rare_earth", "rare-earth"),
        ("Rare-Earth", "rare-earth"),
        ("prisoners", "prisoners-dilemma"),
    ],
)
def test_mistyped_catalogue_name_gets_did_you_mean(name: str, hint: str) -> None:
    """A near miss of a catalogue name is answered with the name meant (issue 13 item 7)."""
    with pytest.raises(ScenarioError) as info:
        load(name)
    assert f"(did you mean '{hint}'?)" in one_line(info.value)


def test_empty_scenario_name_is_not_the_current_folder() -> None:
    """An empty scenario argument (read as '.', a directory, before) says it is empty."""
    with pytest.raises(ScenarioError) as info:
        load("")
    assert "got nothing" in one_line(info.value)


@pytest.mark.parametrize(
    ("row", "col", "expected"),
    [
        ("Diversify", "full", ("diversify", "full")),
        ("DIVERSIFY", "Full offer", ("diversify", "full")),
        ("  full   offer ", "0", None),  # a label of the other player is not a row
        ("2", "withhold", ("diversify", "withhold")),
        (0, 2, ("accept", "withhold")),
    ],
)
def test_cell_accepts_ids_in_any_case_labels_and_positions(
    row: str | int, col: str | int, expected: tuple[str, str] | None
) -> None:
    """--cell takes 'Diversify' and 'Full offer' as the checker does (issue 13 item 7)."""
    scenario = load("rare-earth")
    if expected is None:
        with pytest.raises(UnknownStrategyError):
            cell_breakdown(scenario, row, col)
    else:
        found = cell_breakdown(scenario, row, col)
        assert (found.row, found.col) == expected


def test_cell_with_5000_digit_position_is_one_short_line() -> None:
    """A 5,000-digit --cell value (a traceback before) is an unknown strategy, shortened."""
    with deadline(1), pytest.raises(UnknownStrategyError) as info:
        cell_breakdown(load("rare-earth"), "1" * 5000, "full")
    message = one_line(info.value)
    assert message.startswith("--cell: unknown strategy '111")
    assert "(5000 characters)" in message
    assert isinstance(info.value, ScenarioError)
    assert isinstance(info.value, KeyError)


def test_cell_suggests_the_strategy_meant() -> None:
    """A misspelt strategy gets a did-you-mean among ids and labels."""
    with pytest.raises(UnknownStrategyError) as info:
        cell_breakdown(load("rare-earth"), "acept", "full")
    assert "unknown strategy 'acept' of us (did you mean 'accept'?)" in one_line(info.value)


def test_cell_ambiguous_in_case_is_refused() -> None:
    """Ids that differ only in case are not guessed between."""
    text = DIRECT.replace('["left", "right"]', '["a", "A", "b"]', 1).replace(
        "row = [[1, 0], [0, 1]]\ncol = [[1, 0], [0, 1]]",
        "row = [[1, 0], [0, 1], [0, 0]]\ncol = [[1, 0], [0, 1], [0, 0]]",
    )
    scenario = Scenario.from_string(text)
    assert cell_breakdown(scenario, "A", 0).row == "A"  # the exact id wins
    assert cell_breakdown(scenario, "B", 0).row == "b"  # one match in any case
    with pytest.raises(UnknownStrategyError, match="ambiguous"):
        cell_breakdown(scenario, " a", 0)


# -- solver bounds --------------------------------------------------------------------------


def zeros(m: int, n: int) -> Game:
    """The all-zero m x n game: maximally degenerate, so every basis is a candidate."""
    return Game.from_arrays([[0] * n] * m, [[0] * n] * m)


def test_1x20_default_solve_skips_the_support_cross_check() -> None:
    """A 1x20 game (over 60 s in nashpy's 2^n support enumeration) is solved with a note."""
    B = [(7 * j) % 20 for j in range(20)]
    game = Game.from_arrays([list(range(20))], [B])
    with deadline(10):
        solution = solve(game, "support")
    assert solution.method == "exact"
    assert any("support enumeration cross-check was not run" in n for n in solution.notes)
    assert any("1,048,575 support pairs" in n for n in solution.notes)
    # The row player has one strategy; the column player's best reply is its largest payoff.
    assert [e.support for e in solution.equilibria] == [((0,), (B.index(max(B)),))]


@pytest.mark.parametrize(
    ("shape", "method"),
    [((2, 50), "support"), ((50, 2), "vertex"), ((1, 300), "support"), ((1, 300), "lemke-howson")],
)
def test_tall_and_wide_games_answer_in_bounded_time(shape: tuple[int, int], method: str) -> None:
    """2x50, 50x2 and 1x300 games (which hung) are solved exactly with the cross-check skipped."""
    m, n = shape
    A = [[(3 * r + 5 * c) % 7 for c in range(n)] for r in range(m)]
    B = [[(2 * r + 3 * c) % 5 for c in range(n)] for r in range(m)]
    with deadline(20):
        solution = solve(Game.from_arrays(A, B), method)
    assert solution.method == "exact"
    assert solution.equilibria


@pytest.mark.parametrize("shape", [(10, 10), (12, 12), (3, 100)])
def test_games_past_the_reference_enumeration_go_to_the_large_game_engine(
    shape: tuple[int, int],
) -> None:
    """10x10 (45 s), 12x12 zero (32 s) and 3x100 games are now answered, exactly, in seconds.

    An all-zero game makes every pure pair an equilibrium (each strategy is a best
    response to anything), and those are its extreme equilibria.
    """
    m, n = shape
    with deadline(30):
        solution = solve(zeros(m, n), "exact")
    assert solution.degenerate
    assert len(solution.equilibria) == m * n
    assert all(e.pure for e in solution.equilibria)


def wide_game(seed: int = 0, m: int = 40, n: int = 40) -> tuple[list[list[int]], list[list[int]]]:
    """A random 40x40 game of small integers: far too many vertices to enumerate."""
    A = [[(seed + 7 * r * r + 13 * c + r * c) % 19 - 9 for c in range(n)] for r in range(m)]
    B = [[(seed + 5 * c * c + 11 * r + 3 * r * c) % 17 - 8 for c in range(n)] for r in range(m)]
    return A, B


def test_games_beyond_the_large_game_budget_are_refused_in_bounded_time() -> None:
    """A 40x40 game (which never ended) stops at the documented basis budget, in one line."""
    with deadline(60), pytest.raises(LimitError) as info:
        solve(Game.from_arrays(*wide_game()), "exact")
    message = one_line(info.value)
    assert "40x40 game" in message
    assert "MAX_WIDE_BASES" in message
    assert "remove dominated or redundant strategies" in message


def test_scenario_beyond_the_budget_names_its_file() -> None:
    """The refusal of a scenario's game names the scenario's file."""
    A, B = wide_game(1)
    ids = ", ".join(f'"s{i}"' for i in range(40))
    text = (
        DIRECT.replace('["left", "right"]', f"[{ids}]")
        .replace("row = [[1, 0], [0, 1]]", f"row = {A}")
        .replace("col = [[1, 0], [0, 1]]", f"col = {B}")
    )
    scenario = Scenario.from_string(text, "forty.toml")
    with deadline(60), pytest.raises(LimitError) as info:
        solve(scenario)
    assert info.value.source == "forty.toml"


def test_big_integers_count_against_the_exact_budget() -> None:
    """A 6x6 game of 100-digit fractions (4,000-bit integers: about 10 s) is refused."""
    A = [[Fraction(1 + r + c, 10**99 + 7 * r + c) for c in range(6)] for r in range(6)]
    game = Game.from_arrays(A, A)
    assert exact_cost(zeros(6, 6)) == math.comb(12, 6)
    assert exact_cost(game) > limits.MAX_EXACT_BASES
    with deadline(1), pytest.raises(LimitError, match="of large integers"):
        solve(game, "exact")


def test_exact_budget_is_one_constant(monkeypatch: pytest.MonkeyPatch) -> None:
    """Raising MAX_EXACT_BASES lets a larger game through (the budget is read at call time)."""
    monkeypatch.setattr(limits, "MAX_EXACT_BASES", 10)
    assert solve(zeros(2, 3), "exact").degenerate  # C(5, 2) = 10 bases of small integers
    with pytest.raises(LimitError):
        solve(zeros(3, 3), "exact")  # C(6, 3) = 20
    monkeypatch.setattr(limits, "MAX_EXACT_BASES", 20)
    assert solve(zeros(3, 3), "exact").degenerate


def test_cross_check_costs_follow_nashpy() -> None:
    """Costs: (2^m-1)(2^n-1) support pairs, C(m+n,m)*max(m,n) vertex work, (m+n)^3 for LH."""
    assert cross_check_cost((3, 3), "support")[0] == 49
    assert cross_check_cost((3, 4), "vertex")[0] == math.comb(7, 3) * 4
    assert cross_check_cost((2, 100), "lemke-howson")[0] == 102**3
    assert cross_check_cost((6, 6), "support")[0] <= limits.MAX_SUPPORT_PAIRS


def test_cross_check_within_budget_still_runs() -> None:
    """Under its budget the chosen nashpy method runs and is reported as the method."""
    solution = solve(load("rare-earth"), "support")
    assert solution.method == "support"
    assert all(e.found_by_method for e in solution.equilibria)


def test_pure_equilibria_of_a_game_far_beyond_the_budget() -> None:
    """pure_equilibria answers for a 100x100 game at once (for plots) and exactly."""
    n = 100
    A = [[1 if r == c else 0 for c in range(n)] for r in range(n)]  # coordination game
    with deadline(2):
        found = pure_equilibria(Game.from_arrays(A, A))
    assert found == tuple((i, i) for i in range(n))


def test_limits_module_documents_each_budget() -> None:
    """Every budget the solver reads exists in negotiation.limits with a positive value."""
    for name in (
        "MAX_EXACT_BASES",
        "MAX_SUPPORT_PAIRS",
        "MAX_VERTEX_WORK",
        "MAX_LEMKE_HOWSON_WORK",
    ):
        assert getattr(limits, name) > 0


def test_pbe_hull_budget_stops_the_3x3x3_signalling_game() -> None:
    """Fuzz finding F7: the PBE stage of a 730-byte signalling game stops at its hull budget.

    Bound: about 15 s on a loaded 2-core machine (the top game's 4,105 extreme equilibria,
    then the up-front count); it ran over 25 minutes before the budget.
    """
    from negotiation.model.catalogue import load_tree
    from negotiation.solvers.pbe import solve_pbe

    tree = load_tree(str(Path(__file__).parent / "trees" / "limits" / "signalling_3x3x3.toml"))
    with pytest.raises(LimitError) as caught:
        solve_pbe(tree, nash=False)
    assert "limit MAX_PBE_HULL_WORK" in caught.value.problem
    assert "2,861,228 exact hull-test points" in caught.value.problem


def test_pbe_budgets_become_a_note_in_the_tree_report(monkeypatch: pytest.MonkeyPatch) -> None:
    """Past either PBE work budget the tree report keeps its other answers and says so in a note."""
    from negotiation.model.catalogue import load_tree
    from negotiation.output.tree_report import analyse

    tree = load_tree(str(Path(__file__).parent / "trees" / "types" / "beer_quiche.toml"))
    monkeypatch.setattr(limits, "MAX_PBE_HULL_WORK", 0)
    analysis = analyse(tree)
    assert analysis.pbe is None
    assert analysis.spe.equilibria
    note = "the perfect Bayesian equilibria are not computed"
    assert any(n.startswith(note) and "MAX_PBE_HULL_WORK" in n for n in analysis.notes)
    monkeypatch.setattr(limits, "MAX_PBE_HULL_WORK", 100_000)
    monkeypatch.setattr(limits, "MAX_PBE_PATTERNS", 1)
    analysis = analyse(tree)
    assert analysis.pbe is None
    assert any("limit MAX_PBE_PATTERNS" in n for n in analysis.notes)


def test_spe_refuses_a_local_game_with_too_many_extreme_equilibria_at_once() -> None:
    """Fuzz finding F7: a 20x20 simultaneous game written as a tree is refused once counted.

    Bound: about 2 s (its 36,583 extreme equilibria are counted before any is mapped to
    behaviour; the refusal came after 70 s of that mapping before).
    """
    from negotiation.model.catalogue import load_tree
    from negotiation.solvers.spe import MAX_EQUILIBRIA, solve_spe

    tree = load_tree(str(Path(__file__).parent / "trees" / "limits" / "wideinfo20.toml"))
    with pytest.raises(LimitError) as caught:
        solve_spe(tree)
    assert "has 36583 extreme equilibria" in caught.value.problem
    assert f"more than the {MAX_EQUILIBRIA} subgame-perfect" in caught.value.problem
