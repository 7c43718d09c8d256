"""The exact game family of a sweep, and its payoffs in floating point, correctly rounded.

A payoff is a sum of weight x score terms (or a cell of a direct table), and each swept
path names one weight, one score or one cell, so every payoff is a polynomial of degree at
most 1 in each swept value ``v_1, ..., v_d`` (d <= 2), a *multilinear* polynomial::

    P(v) = sum over subsets S of the axes of  c_S * prod_{i in S} v_i

Its exact coefficients come from the scenario at the 2**d corners of {0, 1}**d (built with
:meth:`Scenario.with_overrides`, so paths and values are validated like the file) by
Moebius inversion, ``c_S = sum over T in S of (-1)**(|S| - |T|) P(corner T)``. Most payoffs
do not depend on the swept values at all: only ``c_{}`` is non-zero.

For the batched engine every payoff at a grid point is computed as a float equal to the
exact payoff *correctly rounded* (the float nearest to it), which no formula evaluated in
plain floating point guarantees: ``(1 - v) C0 + v C1`` cancels for large ``v``. Constant
payoffs are rounded once. The others are evaluated in double-double arithmetic (about 106
bits; Dekker, "A floating-point technique for extending the available precision",
*Numerische Mathematik* 18, 1971: error-free TwoSum and TwoProduct by Veltkamp splitting),
with an error bound of ``2**-98`` times the sum of the magnitudes of the terms (each of at
most a few double-double operations of relative error below ``2**-104``; Joldes, Muller and
Popescu, "Tight and rigorous error bounds for basic building blocks of double-word
arithmetic", *ACM TOMS* 44, 2017). Where that bound does not prove which float is nearest
(a payoff within the bound of a rounding boundary, or of 0 after cancellation), the
payoff is recomputed from its exact fractions. So every float is exactly
``float(exact payoff)``, cells the sweep does not touch included.

Correct rounding keeps every exact tie a tie; the engine also needs the converse for two
payoffs of one player in one row or column (:func:`negotiation.solvers.batch.solve_batch`).
Two payoffs with the same polynomial are equal everywhere; for two different polynomials
whose floats coincide at a point, the exact values there are compared, and if they differ
the point is marked for the exact solver.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Iterator, Sequence
from fractions import Fraction
from typing import TYPE_CHECKING, overload

import attrs
import numpy as np
import numpy.typing as npt

from negotiation.errors import ScenarioError
from negotiation.model.overrides import canonical_path
from negotiation.model.payoffs import Game, payoff_matrices
from negotiation.model.scenario import Scenario

if TYPE_CHECKING:
    from negotiation.studies.sweep import Axis, Grid

FloatArray = npt.NDArray[np.float64]

#: Relative error bound of the double-double evaluation, against the sum of |terms|.
_DD_ERROR = 2.0**-98

#: Absolute slack per term covering underflow in the error-free products.
_DD_FLOOR = 2.0**-990

#: Axes of at most this many values keep their double-double values (16 bytes each).
_AXIS_CACHE = 2**20

#: Veltkamp's splitting constant for doubles, 2**27 + 1.
_SPLIT = 134217729.0

#: :meth:`GameFamily.integers` keeps ``L`` and the integers ``L * payoff`` at most this, so
#: a batch can shift them to positive (``X - min X + L``) in int64 without overflow.
INTEGER_LIMIT = 2**60

IntArray = npt.NDArray[np.int64]


class Linspace(Sequence[Fraction]):
    """``num`` evenly spaced exact values from ``start`` to ``stop``, both included.

    Values are computed on demand, so a long axis costs nothing until its points are
    solved: value ``i`` is ``(n0 + step * i) / den`` in integers.

    >>> values = Linspace(Fraction(0), Fraction(1), 5)
    >>> len(values), values[1], list(values)[-1]
    (5, Fraction(1, 4), Fraction(1, 1))
    """

    __slots__ = ("_den", "_n0", "_step", "num", "start", "stop")

    def __init__(self, start: Fraction, stop: Fraction, num: int) -> None:
        if num < 1 or (num == 1) != (start == stop):
            raise ValueError(
                f"NUM must be >= 2 with START != STOP, or 1 with START == STOP; "
                f"got {start}:{stop}:{num}"
            )
        self.start, self.stop, self.num = Fraction(start), Fraction(stop), int(num)
        den = math.lcm(self.start.denominator, self.stop.denominator)
        first = self.start.numerator * (den // self.start.denominator)
        last = self.stop.numerator * (den // self.stop.denominator)
        gaps = max(self.num - 1, 1)
        self._n0, self._step, self._den = first * gaps, last - first, den * gaps

    def __len__(self) -> int:
        return self.num

    @overload
    def __getitem__(self, index: int) -> Fraction: ...

    @overload
    def __getitem__(self, index: slice) -> tuple[Fraction, ...]: ...

    def __getitem__(self, index: int | slice) -> Fraction | tuple[Fraction, ...]:
        if isinstance(index, slice):
            return tuple(self[i] for i in range(*index.indices(self.num)))
        i = self._position(index)
        return Fraction(self._n0 + self._step * i, self._den)

    def ratio(self, index: int) -> tuple[int, int]:
        """Value ``index`` as (numerator, denominator), not reduced (cheaper than a Fraction)."""
        return self._n0 + self._step * self._position(index), self._den

    def _position(self, index: int) -> int:
        i = int(index)
        if i < 0:
            i += self.num
        if not 0 <= i < self.num:
            raise IndexError(f"index {index} out of range for {self.num} values")
        return i

    def __iter__(self) -> Iterator[Fraction]:
        for i in range(self.num):
            yield Fraction(self._n0 + self._step * i, self._den)

    def __eq__(self, other: object) -> bool:
        """Equal to a Linspace or tuple holding the same values, like a tuple."""
        if isinstance(other, Linspace):
            return (self.start, self.stop, self.num) == (other.start, other.stop, other.num)
        if isinstance(other, tuple):
            return len(other) == self.num and all(a == b for a, b in zip(self, other, strict=True))
        return NotImplemented

    def __hash__(self) -> int:
        """The hash of the tuple of its values (so equal sequences hash alike)."""
        return hash(tuple(self))

    def __repr__(self) -> str:
        return f"Linspace({self.start!r}, {self.stop!r}, {self.num})"


def _double_double(numerator: int, denominator: int) -> tuple[float, float]:
    """``numerator / denominator`` as hi + lo, hi correctly rounded, lo the rounded rest."""
    hi = numerator / denominator  # Python's integer division is correctly rounded
    a, b = hi.as_integer_ratio()
    return hi, (numerator * b - a * denominator) / (denominator * b)


@attrs.frozen
class Block:
    """Float payoffs of a block of grid points, ready for the batched engine.

    ``A`` and ``B`` (points, m, n) hold every payoff correctly rounded; ``values`` (points,
    d) the swept values correctly rounded; ``force_exact`` marks points where two
    different exact payoffs in one row or column round to one float.
    """

    A: FloatArray
    B: FloatArray
    values: FloatArray
    force_exact: npt.NDArray[np.bool_]


class GameFamily:
    """The exact payoff matrices of a scenario as a multilinear function of the swept values.

    Built once per sweep: checks that the axes name different numbers (two spellings of
    one cell, ``[accept][full]`` and ``[0][0]``, are one number), validates every value
    of an explicit axis and the ends (and the value nearest 0) of an evenly spaced one
    like the file, then evaluates the scenario at the corners.
    """

    def __init__(self, scenario: Scenario, grid: Grid) -> None:
        self.grid = grid
        self.dims = len(grid.axes)
        seen: dict[str, str] = {}
        for axis in grid.axes:
            key = canonical_path(axis.path, scenario)
            if key in seen:
                raise ScenarioError(
                    "--param",
                    axis.path,
                    f"names the same number as {seen[key]} ({key}); sweep each number once",
                )
            seen[key] = axis.path
        for axis in grid.axes:
            for value in _values_to_check(axis):
                scenario.with_overrides({axis.path: value})
        corners = {
            bits: payoff_matrices(
                scenario.with_overrides(dict(zip(grid.paths, map(Fraction, bits), strict=True)))
            )
            for bits in itertools.product((0, 1), repeat=self.dims)
        }
        self.shape = next(iter(corners.values())).shape
        m, n = self.shape
        # Moebius inversion: the coefficient of prod_{i in S} v_i, S given by its bits.
        self.coefficients: dict[tuple[int, ...], list[list[list[Fraction]]]] = {}
        for bits in corners:
            total = [[[Fraction(0)] * n for _ in range(m)] for _ in range(2)]
            for sub in itertools.product(*((0, 1) if b else (0,) for b in bits)):
                sign = -1 if (sum(bits) - sum(sub)) % 2 else 1
                game = corners[sub]
                for p, table in enumerate((game.A, game.B)):
                    for i in range(m):
                        for j in range(n):
                            total[p][i][j] += sign * table[i][j]
            if bits == (0,) * self.dims or any(x for t in total for row in t for x in row):
                self.coefficients[bits] = total
        # Per cell, its non-zero terms (bits, coefficient); cells with only the constant
        # term are constant over the sweep.
        self.terms = [
            [
                [
                    [(bits, c[p][i][j]) for bits, c in self.coefficients.items() if c[p][i][j]]
                    for j in range(n)
                ]
                for i in range(m)
            ]
            for p in range(2)
        ]
        constant = np.array(
            [[[all(not any(b) for b, _ in cell) for cell in row] for row in t] for t in self.terms]
        )
        self._varying = ~constant  # (2, m, n)
        self._varying_cells = np.flatnonzero(self._varying.reshape(-1))
        self._axis_cache: dict[int, tuple[FloatArray, FloatArray]] = {}
        self._constant = np.array(
            [
                [[float(self._cell(p, i, j, ())) for j in range(n)] for i in range(m)]
                for p in range(2)
            ]
        )
        self._coef = {
            bits: _split_fractions(c) for bits, c in self.coefficients.items() if any(bits)
        }
        self._coef_base = _split_fractions(self.coefficients[(0,) * self.dims])
        self._pairs = self._tie_pairs()
        self._integer_terms = self._integer_coefficients()

    # ------------------------------------------------------------------ exact games

    def at(self, values: Sequence[Fraction]) -> Game:
        """The exact game at a point given by its swept values, one per axis."""
        m, n = self.shape
        return Game(
            *(
                tuple(tuple(self._cell(p, i, j, values) for j in range(n)) for i in range(m))
                for p in range(2)
            )
        )

    def at_point(self, index: int) -> Game:
        """The exact game at grid point ``index``."""
        return self.at(self.grid.point(index))

    def _cell(self, p: int, i: int, j: int, values: Sequence[Fraction]) -> Fraction:
        """The exact payoff of player ``p`` in cell (i, j); ``values`` may be () if constant."""
        total = Fraction(0)
        for bits, c in self.terms[p][i][j]:
            term = c
            for bit, v in zip(bits, values, strict=False):
                if bit:
                    term *= v
            total += term
        return total

    # ------------------------------------------------------------------ exact integers

    def integers(self, points: IntArray) -> tuple[IntArray, int, npt.NDArray[np.bool_]]:
        """The exact payoffs at ``points`` as integers over one common denominator.

        Returns ``(X, L, valid)``: ``X`` (points, 2, m, n) int64 and a positive integer ``L``
        with ``X[g] / L`` the exact payoffs of :meth:`at_point` at every point ``g`` marked
        ``valid``. The other points (payoffs too large for int64, see below) have ``X[g] = 0``
        and need :meth:`at_point`; if the family has no common ``L`` within
        :data:`INTEGER_LIMIT` (badly scaled coefficients, long explicit value lists) no point
        is valid.

        Why it is exact: value ``i`` of axis ``d`` is ``a_d(i) / den_d`` in integers (an
        evenly spaced axis: ``a_d(i) = n0 + step * i``; an explicit list: ``den_d`` the lcm
        of its denominators). With ``C`` the lcm of the coefficients' denominators and
        ``L = C * prod_d den_d``, ``L * P(v) = sum_S K_S * prod_{d in S} a_d`` where
        ``K_S = C * c_S * prod_{d not in S} den_d`` is an integer (module docstring for
        ``P`` and ``c_S``). A point is valid when ``sum_S |K_S| prod |a_d|``, evaluated in
        floating point, is at most ``INTEGER_LIMIT / 2`` (a sum of non-negative terms with
        relative error far below 1, so the exact sum is below ``INTEGER_LIMIT``); every
        product and partial sum of a valid point is then below it in magnitude, so the
        int64 arithmetic does not overflow.

        Cost: a few numpy operations per term on the whole block, against some 300 us of
        Fraction arithmetic per :meth:`at_point`.
        """
        count = len(points)
        m, n = self.shape
        X = np.zeros((count, 2, m, n), dtype=np.int64)
        valid = np.zeros(count, dtype=bool)
        if self._integer_terms is None or not count:
            return X, 1, valid
        L, axes, terms = self._integer_terms
        coords = self.grid.coordinates(np.asarray(points, dtype=np.int64))
        a = [axis(coords[:, d]) for d, axis in enumerate(axes)]
        size = np.zeros((count, 2, m, n))
        for bits, K, K_size in terms:
            product = np.ones(count, dtype=np.int64)
            magnitude = np.ones(count)
            for d, bit in enumerate(bits):
                if bit:
                    product = product * a[d]
                    magnitude = magnitude * np.abs(a[d].astype(np.float64))
            X += product[:, None, None, None] * K
            size += magnitude[:, None, None, None] * K_size
        valid = size.reshape(count, -1).max(axis=1) <= INTEGER_LIMIT / 2
        X[~valid] = 0  # int64 arithmetic wrapped around there
        return X, L, valid

    def _integer_coefficients(
        self,
    ) -> tuple[int, list[Callable[[IntArray], IntArray]], list[_IntegerTerm]] | None:
        """``L``, each axis's integer numerators, and ``(bits, K_S, |K_S|)`` per term.

        None when ``L``, a ``K_S`` or an axis's numerators exceed :data:`INTEGER_LIMIT`
        (:meth:`integers` then marks every point invalid).
        """
        axes: list[Callable[[IntArray], IntArray]] = []
        denominators: list[int] = []
        for axis in self.grid.axes:
            numerators = _axis_integers(axis.values)
            if numerators is None:
                return None
            axes.append(numerators[0])
            denominators.append(numerators[1])
        C = math.lcm(
            *(
                x.denominator
                for table in self.coefficients.values()
                for rows in table
                for row in rows
                for x in row
            )
        )
        L = C * math.prod(denominators)
        if L > INTEGER_LIMIT:
            return None
        terms: list[_IntegerTerm] = []
        for bits, table in self.coefficients.items():
            others = (den for den, bit in zip(denominators, bits, strict=True) if not bit)
            scale = C * math.prod(others)
            K = [[[int(x * scale) for x in row] for row in rows] for rows in table]
            if any(abs(k) > INTEGER_LIMIT for rows in K for row in rows for k in row):
                return None
            array = np.array(K, dtype=np.int64)
            terms.append((bits, array, np.abs(array).astype(np.float64)))
        return L, axes, terms

    # ------------------------------------------------------------------ floats

    def block(self, points: npt.NDArray[np.int64]) -> Block:
        """Correctly rounded float payoffs at the grid points ``points`` (module docstring)."""
        count = len(points)
        coords = self.grid.coordinates(points)  # (count, d) axis indices
        hi = np.empty((count, self.dims))
        lo = np.empty((count, self.dims))
        for d in range(self.dims):
            hi[:, d], lo[:, d] = self._axis_values(d, coords[:, d])
        payoffs = np.broadcast_to(self._constant, (count, *self._constant.shape)).copy()
        if self._varying.any():
            self._evaluate(points, hi, lo, payoffs)
        force = self._ties(points, payoffs)
        return Block(payoffs[:, 0], payoffs[:, 1], hi, force)

    def _axis_values(self, d: int, indices: npt.NDArray[np.int64]) -> tuple[FloatArray, FloatArray]:
        """Axis ``d``'s values at ``indices`` as double-double.

        Axes of up to :data:`_AXIS_CACHE` values are computed once per sweep (a 1001-value
        inner axis was otherwise recomputed for every block), longer ones per block.
        """
        axis = self.grid.axes[d]
        if len(axis.values) > _AXIS_CACHE:
            return _axis_double_double(axis, indices)
        if d not in self._axis_cache:
            everything = np.arange(len(axis.values), dtype=np.int64)
            self._axis_cache[d] = _axis_double_double(axis, everything)
        hi, lo = self._axis_cache[d]
        return hi[indices], lo[indices]

    def _evaluate(
        self,
        points: npt.NDArray[np.int64],
        hi: FloatArray,
        lo: FloatArray,
        payoffs: FloatArray,
    ) -> None:
        """Fill the varying cells of ``payoffs`` (points, 2, m, n), correctly rounded.

        Only the cells that vary are computed, as columns of a (points, cells) array; each
        value is the same elementwise arithmetic whatever the array's shape.
        """
        cells = self._varying_cells
        count = len(points)
        base_hi, base_lo = (c.reshape(-1)[cells] for c in self._coef_base)
        s_hi = np.broadcast_to(base_hi, (count, len(cells)))
        s_lo = np.broadcast_to(base_lo, (count, len(cells)))
        magnitude = np.broadcast_to(np.abs(base_hi), (count, len(cells)))
        terms = 1
        with np.errstate(all="ignore"):  # overflow and NaN are caught by the check below
            for bits, (c_hi, c_lo) in self._coef.items():
                v_hi, v_lo = np.ones(count), np.zeros(count)
                size = np.ones(count)
                for d, bit in enumerate(bits):
                    if bit:
                        v_hi, v_lo = _dd_mul(v_hi, v_lo, hi[:, d], lo[:, d])
                        size = size * np.abs(hi[:, d])
                k_hi, k_lo = c_hi.reshape(-1)[cells], c_lo.reshape(-1)[cells]
                t_hi, t_lo = _dd_mul(v_hi[:, None], v_lo[:, None], k_hi, k_lo)
                s_hi, s_lo = _dd_add(s_hi, s_lo, t_hi, t_lo)
                magnitude = magnitude + size[:, None] * np.abs(k_hi)
                terms += 1
            bound = (magnitude * _DD_ERROR + terms * _DD_FLOOR) * (1 + 2.0**-40)
            rounded = s_hi  # normalised: |s_lo| <= half an ulp of s_hi
            up = np.nextafter(rounded, np.inf) - rounded
            down = rounded - np.nextafter(rounded, -np.inf)
            sure = (np.abs(s_lo) + bound < np.minimum(up, down) / 2) & np.isfinite(bound)
        flat = payoffs.reshape(count, -1)  # a view: payoffs is contiguous
        flat[:, cells] = rounded
        m, n = self.shape
        for g, v in zip(*np.nonzero(~sure), strict=True):
            p, rest = divmod(int(cells[v]), m * n)
            i, j = divmod(rest, n)
            values = self.grid.point(int(points[g]))
            flat[g, cells[v]] = float(self._cell(p, i, j, values))

    def _tie_pairs(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        """Payoff pairs in one row or column of one player whose polynomials differ.

        As flat indices into (2, m, n): such payoffs may round to one float where they
        are not equal.
        """
        m, n = self.shape
        first, second = [], []
        for p in range(2):
            cells = [(i, j) for i in range(m) for j in range(n)]
            for (i1, j1), (i2, j2) in itertools.combinations(cells, 2):
                if (i1 == i2 or j1 == j2) and self.terms[p][i1][j1] != self.terms[p][i2][j2]:
                    first.append((p * m + i1) * n + j1)
                    second.append((p * m + i2) * n + j2)
        return np.array(first, dtype=np.int64), np.array(second, dtype=np.int64)

    def _ties(self, points: npt.NDArray[np.int64], payoffs: FloatArray) -> npt.NDArray[np.bool_]:
        """Points where two different exact payoffs of one row or column share a float."""
        force = np.zeros(len(points), dtype=bool)
        first, second = self._pairs
        if not len(first):
            return force
        flat = payoffs.reshape(len(points), -1)
        m, n = self.shape
        for g, k in zip(*np.nonzero(flat[:, first] == flat[:, second]), strict=True):
            if force[g]:
                continue
            values = self.grid.point(int(points[g]))
            cells = [divmod(int(index), n) for index in (first[k], second[k])]
            (pi, j1), (_, j2) = cells
            p, i1 = divmod(pi, m)
            i2 = cells[1][0] % m
            force[g] = self._cell(p, i1, j1, values) != self._cell(p, i2, j2, values)
        return force


def _values_to_check(axis: Axis) -> list[Fraction]:
    """The values of an axis to validate like the file.

    All of an explicit list; the two ends of an evenly spaced axis, and its values nearest
    0 (its smallest magnitudes).
    """
    values = axis.values
    if not isinstance(values, Linspace):
        return list(values)
    checked = [values[0], values[-1]]
    if values.num > 2 and (values.start < 0 < values.stop or values.stop < 0 < values.start):
        # Position of 0 along the axis; the values on either side are the nearest to it.
        at = -values.start / (values.stop - values.start) * (values.num - 1)
        for i in {math.floor(at), math.ceil(at)}:
            if 0 < i < values.num - 1 and values[i] != 0:
                checked.append(values[i])
    return checked


_IntegerTerm = tuple[tuple[int, ...], "IntArray", "FloatArray"]


def _axis_integers(
    values: Sequence[Fraction],
) -> tuple[Callable[[IntArray], IntArray], int] | None:
    """An axis's values as integer numerators over one denominator: (numerators, den).

    ``numerators(indices)`` gives the int64 numerators at those indices. None when a
    numerator or the denominator exceeds :data:`INTEGER_LIMIT`.
    """
    if isinstance(values, Linspace):
        n0, step, den = values._n0, values._step, values._den
        if den > INTEGER_LIMIT or abs(n0) + abs(step) * (values.num - 1) > INTEGER_LIMIT:
            return None
        return (lambda i: n0 + step * i), den
    den = math.lcm(*(v.denominator for v in values))
    numerators = [v.numerator * (den // v.denominator) for v in values]
    if den > INTEGER_LIMIT or max(abs(x) for x in numerators) > INTEGER_LIMIT:
        return None
    table = np.array(numerators, dtype=np.int64)
    return (lambda i: table[i]), den


def _axis_double_double(
    axis: Axis, indices: npt.NDArray[np.int64]
) -> tuple[FloatArray, FloatArray]:
    """The axis values at ``indices`` as double-double (hi correctly rounded, lo the rest)."""
    values = axis.values
    unique, inverse = np.unique(indices, return_inverse=True)
    hi, lo = np.empty(len(unique)), np.empty(len(unique))
    for k, index in enumerate(unique):
        if isinstance(values, Linspace):
            hi[k], lo[k] = _double_double(*values.ratio(int(index)))
        else:
            value = values[int(index)]
            hi[k], lo[k] = _double_double(value.numerator, value.denominator)
    return hi[inverse], lo[inverse]


def _split_fractions(tables: list[list[list[Fraction]]]) -> tuple[FloatArray, FloatArray]:
    """Exact (2, m, n) coefficient tables as double-double float arrays."""
    pairs = [
        [[_double_double(x.numerator, x.denominator) for x in row] for row in t] for t in tables
    ]
    array = np.array(pairs, dtype=np.float64)  # (2, m, n, 2)
    return array[..., 0], array[..., 1]


def _two_sum(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """TwoSum (Knuth): ``s + e == a + b`` exactly, with ``s = fl(a + b)``."""
    s = a + b
    v = s - a
    return s, (a - (s - v)) + (b - v)


def _split(a: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Veltkamp splitting: ``a == hi + lo`` exactly, each with at most 26 bits."""
    t = _SPLIT * a
    hi = t - (t - a)
    return hi, a - hi


def _two_product(a: FloatArray, b: FloatArray) -> tuple[FloatArray, FloatArray]:
    """TwoProduct (Dekker): ``p + e == a * b`` exactly, ``p = fl(a * b)`` (no overflow)."""
    p = a * b
    a_hi, a_lo = _split(a)
    b_hi, b_lo = _split(b)
    return p, ((a_hi * b_hi - p) + a_hi * b_lo + a_lo * b_hi) + a_lo * b_lo


def _dd_mul(
    x_hi: FloatArray, x_lo: FloatArray, y_hi: FloatArray, y_lo: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Double-double product, normalised."""
    p, e = _two_product(x_hi, y_hi)
    return _two_sum(p, e + (x_hi * y_lo + x_lo * y_hi))


def _dd_add(
    x_hi: FloatArray, x_lo: FloatArray, y_hi: FloatArray, y_lo: FloatArray
) -> tuple[FloatArray, FloatArray]:
    """Double-double sum, normalised (error below 2**-104 times |x| + |y|)."""
    s, e = _two_sum(x_hi, y_hi)
    return _two_sum(s, e + (x_lo + y_lo))
