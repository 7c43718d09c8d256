"""The documented limits of the product, in one place.

Every limit is checked up front, before any work that could take unbounded time or memory,
and a breach raises :class:`~negotiation.errors.LimitError` saying which limit and how to go
further. ``docs/reference/guarantees.md`` and ``docs/reference/scenario-format.md`` list
them; tests keep those pages in step with these constants.

The checks read the cheap form of a number (its digits and exponent as written, or the bit
lengths of a fraction) so that a 190-byte file holding ``1e-99999999`` is refused in
microseconds instead of building ``10**99999999``. The helpers here return the problem as
text (or ``None``) and leave raising to the caller, who knows the file and the key.
"""

from __future__ import annotations

import math
import re
from decimal import Decimal
from fractions import Fraction

#: Largest scenario file read, in bytes (the catalogue's largest is under 10 KiB).
MAX_FILE_BYTES = 1 << 20

#: Largest magnitude of any number in a scenario, an override or a sweep value: products
#: of two such numbers (a weight times a score) stay finite in floating point.
MAX_MAGNITUDE = Fraction(10) ** 100

#: Smallest non-zero magnitude of any number (so that exact arithmetic stays bounded and
#: products of two such numbers stay normal floating-point numbers).
MIN_MAGNITUDE = Fraction(1, 10**100)

#: Most significant digits in one written number (a TOML integer or decimal, or each part
#: of a fraction ``p/q``), leading and trailing zeros not counted.
MAX_DIGITS = 100

#: Most strategies of one player in a matrix scenario.
MAX_STRATEGIES = 100

#: Longest id (scenario name, player, strategy, criterion), in characters.
MAX_ID_LENGTH = 64

#: Longest label or title, in characters.
MAX_LABEL_LENGTH = 200

#: Deepest nesting of TOML tables and arrays in a scenario file.
MAX_NESTING = 64

#: Most points of one sweep grid (the product of the axes' lengths).
MAX_GRID_POINTS = 4_000_000

#: Most points of one sweep of a two-player tree with information sets, where every point
#: is solved exactly twice over: its subgame-perfect equilibria and its perfect Bayesian
#: equilibria (:mod:`negotiation.studies.tree_sweep`). On ``rare-earth-trap`` a point costs
#: about 1 to 3 s on one core, so 1,000 points (a 31 x 31 map) take about 20 to 50 minutes.
MAX_PBE_SWEEP_POINTS = 1_000

#: Work budgets of the perfect Bayesian stage (:mod:`negotiation.solvers.pbe_engine`), counted,
#: not timed, so that a refusal is the same on every machine. ``MAX_PBE_PATTERNS``: support
#: patterns (pairs of faces of a maximal Nash subset of the top game) examined in one tree,
#: each a few exact checks. ``MAX_PBE_HULL_WORK``: exact hull tests that reduce the PBE
#: polytopes to their vertices and drop those inside others, counted as the points tested
#: against, summed over the tests and known before the first one. A 3-type x 3-message x
#: 3-answer signalling game whose top game has 4,105 extreme equilibria needs about 2.8
#: million (hours: each test is a linear programme over 1,667 points) and is refused; the
#: catalogue's trees need under 100. Beyond either budget, the tree report says in a note
#: that the perfect Bayesian equilibria are not computed.
MAX_PBE_PATTERNS = 100_000
MAX_PBE_HULL_WORK = 100_000

#: Most nodes of a game tree, and its greatest depth (edges from the root to a leaf).
MAX_TREE_NODES = 100_000
MAX_TREE_DEPTH = 64

#: Most numbers of a tree one ``negotiation explore`` study varies. The tree's exact
#: polynomials (:class:`negotiation.model.tree.TreeFamily`) take ``d + 2`` validated
#: rebuilds of the tree, about 2 ms each for rare-earth-sequential (its 7 Russian weights
#: and 83 scores, d = 90, build in 0.35 s on a loaded 2-core machine), and hold at most
#: ``1 + d + d**2 / 4`` monomials (a varied weight times a varied score), 10,201 at 200,
#: times the tree's numbers (bounded apart by MAX_FAMILY_COEFFICIENTS in that module).
#: At 200, a 127-node tree with 64 scored leaves builds in about 4 s and evaluates about
#: 30,000 draws a second in floating point.
MAX_TREE_EXPLORE_INPUTS = 200

#: Most draws solved one by one, exactly, in an explore study of a tree with information
#: sets (confidence-factor draws included): about 10 ms a draw for beer-quiche, 0.9 s for
#: rare-earth-trap on a 2-core machine, so the limit is minutes to hours.
MAX_TREE_EXACT_DRAWS = 20_000

#: Largest game whose every equilibrium :func:`negotiation.solve` enumerates exactly, in
#: enumeration steps: ``C(m + n, m)`` bases (each best-response polytope has
#: ``C(m + n, m) - 1`` candidate bases, by Vandermonde's identity), each counted
#: ``ceil(bits / 256) ** 2`` times when the payoffs, scaled to integers, need more than 256
#: bits (big integers make each step slower). 12,870 is an 8x8 game of small numbers,
#: about 3 s on one core; 2x100 (5,151) takes 1.5 s, 3x40 (12,341) 1 s; 9x9 (48,620) takes
#: 9 to 18 s and is refused. Raise it as the engine gets faster.
MAX_EXACT_BASES = 15_000

#: Games of at most this many bases, ``C(m + n, m)`` (924 is a 6x6 game, about 0.2 s), are
#: solved by the reference enumeration; larger ones by the certified vertex traversal of
#: :mod:`negotiation.solvers.large`, which needs its compiled code (loaded from numba's
#: cache in about a second, compiled once per machine in 20-40 s).
SMALL_GAME_BASES = 924

#: Most bases the vertex traversal visits in one best-response polytope. A random 15x15
#: game needs about 50,000 (1.5 s); degenerate games (small integer payoffs) take the
#: exact lexicographic path at about 0.1-0.4 ms per basis, so the limit keeps a refusal
#: under about 20 s on a busy 2-core machine.
MAX_LARGE_BASES = 100_000

#: The same for games with more than 62 strategies in all (``m + n > 62``), which only the
#: Python-integer path can enumerate (about 0.1-0.3 ms per basis).
MAX_WIDE_BASES = 20_000

#: Largest nashpy support-enumeration cross-check run, in support pairs. nashpy 0.0.43
#: tries every pair of non-empty supports, ``(2**m - 1) * (2**n - 1)`` of them, at about
#: 0.26 ms each: 3,969 is a 6x6 game (about 1 s); a 7x7 game (16,129 pairs, 4 s) or a 1x20
#: game (10**6 pairs, minutes) is solved exactly without the cross-check, with a note.
MAX_SUPPORT_PAIRS = 5_000

#: Largest nashpy vertex-enumeration cross-check run, as ``C(m + n, m) * max(m, n)``
#: (qhull's cost grows with the polytopes' dimension as well as their bases): 5,544 is a
#: 6x6 game (1 s), 4,620 a 20x2 game (0.5 s); 7x7 (24,024, 3.5 s) and 50x2 (66,300, 3 s)
#: are skipped with a note.
MAX_VERTEX_WORK = 6_000

#: Largest Lemke-Howson cross-check run, as ``(m + n) ** 3``: ``m + n`` paths, each at most
#: ``MAX_PIVOTS`` (1000) pivots of an ``(m + n)``-row tableau; a 2x100 game (1,061,208)
#: takes 0.1 s, and at most about 3 s if every path hits the pivot cap.
MAX_LEMKE_HOWSON_WORK = 1_100_000

#: Longest piece of the user's own text (a key, a value) echoed in a message, in characters.
MAX_ECHO = 80

_LOG10_2 = math.log10(2)
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def shown(text: str, limit: int = MAX_ECHO) -> str:
    r"""``text`` made safe to echo in a one-line message: escaped, then shortened.

    Control characters (newlines included) are escaped as in Python's ``repr``, so that a
    message stays on one line and cannot drive the terminal; text longer than ``limit``
    characters keeps its start, then ``...`` and its length.

    >>> print(shown("two\nlines"))
    two\nlines
    >>> print(shown("x" * 1000, limit=20))
    xxxxxxxxxx... (1000 characters)
    """
    escaped = _CONTROL.sub(lambda m: repr(m.group())[1:-1], text[: limit + 1])
    if len(text) <= limit and len(escaped) <= limit:
        return escaped
    return f"{escaped[: max(limit - 10, 10)]}... ({len(text)} characters)"


def quoted(text: str, limit: int = MAX_ECHO) -> str:
    r"""``text`` in quotes as Python's ``repr`` writes it, shortened like :func:`shown`.

    >>> print(quoted("high"), quoted("a\nb"))
    'high' 'a\nb'
    """
    if len(text) <= limit and len(written := repr(text)) <= limit + 2:
        return written
    return f"{repr(text[: max(limit - 10, 10)])[:-1]}...' ({len(text)} characters)"


def significant_digits(digits: str) -> int:
    """Number of significant digits in a string of digits: leading and trailing zeros off.

    >>> significant_digits("000120300"), significant_digits("0")
    (4, 0)
    """
    return len(digits.strip("0"))


def number_problem(value: int | Decimal | Fraction) -> str | None:
    """What is wrong with a number under the limits, or ``None`` if nothing is.

    Integers and decimals, as written in a file, must have at most :data:`MAX_DIGITS`
    significant digits; every number must be 0 or of magnitude between
    :data:`MIN_MAGNITUDE` and :data:`MAX_MAGNITUDE`. A decimal is judged from its digits
    and exponent and a fraction from the bit lengths of its parts, so that ``1e-99999999``
    is refused at once, never built (``10**99999999`` takes minutes).

    >>> number_problem(Decimal("2.5e3")) is None
    True
    >>> print(number_problem(Decimal("1e-5000")))
    expected 0 or a number of magnitude at least 1e-100, got 1.000e-5000 (rescale: ...)
    >>> print(number_problem(10**101))
    expected a number of magnitude at most 1e100, got about 1e101 (rescale: ...)
    """
    if isinstance(value, Decimal):
        return _decimal_problem(value)
    exact = Fraction(value)
    if exact == 0:
        return None
    bits = abs(exact.numerator).bit_length() - exact.denominator.bit_length()
    if bits > 400 or (bits > 300 and abs(exact) > MAX_MAGNITUDE):
        return _too_large(f"about 1e{round(bits * _LOG10_2)}")
    if bits < -400 or (bits < -300 and abs(exact) < MIN_MAGNITUDE):
        return _too_small(f"about 1e{round(bits * _LOG10_2)}")
    if isinstance(value, int):  # at most 101 digits here, so str() is cheap
        return digits_problem(str(abs(value)))
    return None


def digits_problem(digits: str) -> str | None:
    """What is wrong with a written run of digits (``_`` allowed), before ``int()`` reads it.

    Python refuses to read integers of more than 4,300 digits with an error naming
    ``sys.set_int_max_str_digits``; this check comes first and says what the product allows.

    >>> digits_problem("1" * 5000)
    'expected a number with at most 100 significant digits, got 5000 (round it; ...)'
    """
    count = significant_digits(digits.replace("_", ""))
    if count > MAX_DIGITS:
        return (
            f"expected a number with at most {MAX_DIGITS} significant digits, got {count} "
            "(round it; negotiation.limits.MAX_DIGITS)"
        )
    return None


def integer_text_problem(digits: str) -> str | None:
    """What is wrong with a written integer (digits, maybe ``_``), checked before ``int()``.

    >>> print(integer_text_problem("1" + "0" * 5000))
    expected a number of magnitude at most 1e100, got an integer of 5001 digits (rescale: ...)
    """
    problem = digits_problem(digits)
    length = len(digits.replace("_", "").lstrip("0"))
    if problem is None and length > 101:
        return _too_large(f"an integer of {length} digits")
    return problem


def decimal_text_problem(text: str) -> str | None:
    """What is wrong with a written decimal (``-1.5e-3``), checked before it is read.

    Catches what even :class:`~decimal.Decimal` cannot read cheaply: too many digits, or
    an exponent of more than 12 digits.

    >>> print(decimal_text_problem("1e-" + "9" * 5000))
    expected 0 or a number of magnitude at least 1e-100, got 1e-9999999... (5003 characters) (...)
    """
    mantissa, _, exponent = text.lower().partition("e")
    digits = "".join(c for c in mantissa if c.isdigit())
    problem = digits_problem(digits)
    if problem is None and significant_digits(digits):
        power = exponent.replace("_", "").lstrip("+-").lstrip("0")
        if len(power) > 12:
            written = shown(text, 20)
            return _too_small(written) if exponent.startswith("-") else _too_large(written)
    return problem


def _decimal_problem(value: Decimal) -> str | None:
    if not value.is_finite():
        return f"expected a finite number, got {value}"
    problem = digits_problem("".join(map(str, value.as_tuple().digits)))
    if problem is not None or value.is_zero():
        return problem
    exponent = value.adjusted()  # the power of ten of the leading digit
    if exponent > 100 or (exponent == 100 and abs(value) > 10**100):
        return _too_large(f"{value:.3e}")
    if exponent < -100:
        return _too_small(f"{value:.3e}")
    return None


_RESCALE = (
    "rescale: express the numbers in another unit; multiplying all of a player's payoffs "
    "by a positive number does not change the equilibria"
)


def _too_large(value: str) -> str:
    return f"expected a number of magnitude at most 1e100, got {value} ({_RESCALE})"


def _too_small(value: str) -> str:
    return f"expected 0 or a number of magnitude at least 1e-100, got {value} ({_RESCALE})"
