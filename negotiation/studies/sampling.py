"""What varies in an uncertainty study, and the draws: distributions, samplers, seeds.

An uncertainty study (:mod:`negotiation.studies.explore`) gives some of a scenario's numbers
a distribution instead of a value. This module parses what the user writes and turns a
seed into points, chunk by chunk, so that **the same seed gives the same points whatever
the chunk size, the number of workers or the scheduler**.

Distributions (``--vary PATH=DIST``)
    ``uniform:LO:HI``, ``triangular:LO:MODE:HI``, ``normal:MU:SIGMA`` or
    ``normal:MU:SIGMA:LO:HI`` (truncated to [LO, HI]; ``-inf`` and ``inf`` allowed),
    ``beta:A:B:LO:HI`` (a beta(A, B) stretched onto [LO, HI]) and ``choice:v1,v2,...``
    (equally likely values). Numbers are written as for ``--set`` (``0.9``, ``1e-3``,
    ``1/3``). Every draw is a float64 and the study takes it at its exact binary value.

Relative forms (``--scale GLOB=DIST``)
    multiply every number the scenario file holds whose path matches ``GLOB`` by a draw
    of its own from ``DIST``. The glob rules (:func:`glob_regex`):

    - a path is matched whole, as a weight ``weights.<player>.<criterion>``, a score cell
      ``criteria.<criterion>.scores[<row>][<col>]`` or a payoff cell
      ``payoffs.<player>[<row>][<col>]``; a cell is tried both with strategy ids
      (``scores[accept][full]``) and with zero-based positions (``scores[0][0]``);
    - ``*`` matches any run of characters inside one part: one key between dots, or one
      index between brackets; it never crosses ``.``, ``[`` or ``]``;
    - ``**`` matches any run of characters, across parts (``criteria.**`` is every score,
      ``**`` every number);
    - ``?`` matches one character inside one part; everything else, brackets included,
      matches itself;
    - only numbers the file holds are matched, and numbers equal to 0 are left out (0
      times a draw stays 0; a weight the file leaves out is 0 too); a glob that matches
      nothing, a number matched by two globs, or one both scaled and varied, is an error.

Weights on a simplex (``--simplex PLAYER[=CRITERION,...]``, or ``PLAYER:CRITERION,...``)
    draw the player's weights on the given criteria (default: every criterion the file
    gives the player) uniformly from the simplex, SMAA's "no weight information"
    (Lahdelma, Hokkanen and Salminen 1998). Each weight keeps the sign the file gives it
    and the weights' absolute values sum to the file's sum (1 if that is 0), so the
    player's scale is unchanged. Ordinal constraints (``--order 'PLAYER: a >= b >= c'``)
    restrict the simplex to the weights ordered so (Tervonen and Lahdelma 2007).

Samplers (:data:`SAMPLERS`)
    ``mc`` (Monte Carlo, numpy's PCG64), ``lhs`` (Latin hypercube, scipy.stats.qmc),
    ``sobol`` (scrambled Sobol', scipy.stats.qmc) and ``saltelli`` (Saltelli's scheme on a
    scrambled Sobol' sequence, the design SALib's ``sobol.sample`` builds with
    ``calc_second_order=False``, which Sobol' indices need). Every sampler gives points
    of the unit cube; each distribution maps its coordinate through its inverse CDF.

Streams
    Points are made in blocks of :data:`STREAM_BLOCK` samples (sample ``i`` is in block
    ``i // STREAM_BLOCK``). Monte Carlo and Latin hypercube block ``b`` draws from its own
    generator, ``numpy.random.default_rng(SeedSequence(seed).spawn(b + 1)[b])`` (built
    directly as ``SeedSequence(seed, spawn_key=(b,))``, the same thing); a Latin hypercube
    is stratified within each block. The Sobol' sequence is one sequence, scrambled by the
    seed, of which a chunk takes its stretch (``fast_forward``). A chunk therefore makes
    the same points as any other split of the same samples, and sample ``i`` does not
    depend on how many samples the study has.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator, Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
from scipy import stats  # type: ignore[import-untyped]
from scipy.stats import qmc  # type: ignore[import-untyped]

from negotiation.errors import LimitError, ScenarioError
from negotiation.model.overrides import parse_number, parse_path

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]

#: The samplers, in the order the help lists them.
SAMPLERS = ("mc", "sobol", "lhs", "saltelli")

#: Samples per random stream: chunks of a study start at multiples of this.
STREAM_BLOCK = 1024

#: The kinds of distribution and how each is written.
DISTRIBUTIONS = {
    "uniform": "uniform:LO:HI",
    "triangular": "triangular:LO:MODE:HI",
    "normal": "normal:MU:SIGMA or normal:MU:SIGMA:LO:HI",
    "beta": "beta:A:B:LO:HI",
    "choice": "choice:v1,v2,...",
}

#: Largest magnitude of a distribution's parameters and of any value drawn (as for the
#: numbers of a scenario file, so products of a weight and a score stay finite).
MAX_MAGNITUDE = 1e100

#: Most orderings of a simplex's criteria that its ordinal constraints may allow (each is
#: held in memory; 8 criteria without constraints have 40,320).
MAX_EXTENSIONS = 100_000

#: Unit-cube coordinates are clipped to [_LOW, _HIGH] so that no inverse CDF is infinite.
_LOW, _HIGH = 2.0**-60, 1.0 - 2.0**-53


@attrs.frozen
class Distribution:
    """A distribution of one number, as written after ``PATH=`` (see the module docstring).

    Build one with :meth:`parse`. ``params`` holds the float parameters in the order they
    are written (for ``choice``, the values).

    >>> d = Distribution.parse("triangular:0:1:4")
    >>> d.kind, d.params, d.text
    ('triangular', (0.0, 1.0, 4.0), 'triangular:0:1:4')
    >>> [float(x) for x in Distribution.parse("uniform:2:6").ppf(np.array([0.25]))]
    [3.0]
    """

    kind: str
    params: tuple[float, ...]
    text: str

    @classmethod
    def parse(cls, text: str, source: str = "--vary", key: str = "") -> Distribution:
        """Read ``kind:p1:p2...``; raises :class:`~negotiation.errors.ScenarioError`."""
        spec = "".join(text.split())
        kind, _, rest = spec.partition(":")
        if kind not in DISTRIBUTIONS:
            raise ScenarioError(
                source,
                key,
                f"unknown distribution {kind!r}; expected one of: "
                + ", ".join(DISTRIBUTIONS.values()),
            )
        form = DISTRIBUTIONS[kind]
        if kind == "choice":
            parts = rest.split(",") if rest else []
            if not parts or any(not p for p in parts):
                raise ScenarioError(source, key, f"expected {form}, got {text!r}")
            values = tuple(_number(p, source, key, form) for p in parts)
            floats = [float(v) for v in values]
            if len(set(floats)) != len(floats):
                raise ScenarioError(
                    source, key, f"choice values must differ (as float64 numbers), got {text!r}"
                )
            return cls(kind, tuple(floats), spec)
        parts = rest.split(":") if rest else []
        counts = {"uniform": (2,), "triangular": (3,), "normal": (2, 4), "beta": (4,)}[kind]
        if len(parts) not in counts:
            raise ScenarioError(source, key, f"expected {form}, got {text!r}")
        truncated = kind == "normal" and len(parts) == 4
        params = tuple(
            _bound(p, source, key, form)
            if truncated and i >= 2
            else float(_number(p, source, key, form))
            for i, p in enumerate(parts)
        )
        problem = _check_params(kind, params)
        if problem:
            raise ScenarioError(source, key, f"{problem} in {text!r}")
        return cls(kind, params, spec)

    def ppf(self, u: FloatArray) -> FloatArray:
        """The inverse CDF: the value at each probability in ``u`` (each in (0, 1))."""
        p = self.params
        u = np.clip(np.asarray(u, dtype=np.float64), _LOW, _HIGH)
        out: FloatArray
        if self.kind == "uniform":
            out = p[0] + u * (p[1] - p[0])
            out = np.clip(out, p[0], p[1])
        elif self.kind == "triangular":
            lo, mode, hi = p
            out = stats.triang.ppf(u, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo)
        elif self.kind == "normal" and len(p) == 2:
            out = stats.norm.ppf(u, loc=p[0], scale=p[1])
        elif self.kind == "normal":
            mu, sigma, lo, hi = p
            out = stats.truncnorm.ppf(u, (lo - mu) / sigma, (hi - mu) / sigma, loc=mu, scale=sigma)
            out = np.clip(out, lo, hi)
        elif self.kind == "beta":
            a, b, lo, hi = p
            out = stats.beta.ppf(u, a, b, loc=lo, scale=hi - lo)
        else:
            values = np.array(p)
            out = values[np.minimum((u * len(values)).astype(np.int64), len(values) - 1)]
        return np.asarray(out, dtype=np.float64)

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest value the distribution can give (maybe infinite)."""
        p = self.params
        if self.kind == "choice":
            return min(p), max(p)
        if self.kind == "normal":
            return (p[2], p[3]) if len(p) == 4 else (-math.inf, math.inf)
        return (p[0], p[-1]) if self.kind != "beta" else (p[2], p[3])


def _number(text: str, source: str, key: str, form: str) -> Fraction:
    try:
        value = parse_number(text, source, key)
    except LimitError:
        raise
    except ScenarioError:
        raise ScenarioError(
            source, key, f"expected {form} with numbers such as 0.9, -2, 1e-3 or 1/3, got {text!r}"
        ) from None
    if abs(value) > MAX_MAGNITUDE:
        raise ScenarioError(source, key, f"expected numbers of magnitude at most 1e100, got {text}")
    return value


def _bound(text: str, source: str, key: str, form: str) -> float:
    if text in ("inf", "+inf", "-inf"):
        return float(text)
    return float(_number(text, source, key, form))


def _check_params(kind: str, p: tuple[float, ...]) -> str:
    """What is wrong with a distribution's parameters, or ``""``."""
    if kind == "uniform" and not p[0] < p[1]:
        return "expected LO < HI"
    if kind == "triangular" and not (p[0] <= p[1] <= p[2] and p[0] < p[2]):
        return "expected LO <= MODE <= HI and LO < HI"
    if kind == "normal":
        if not p[1] > 0:
            return "expected SIGMA > 0"
        if abs(p[0]) + 10 * p[1] > MAX_MAGNITUDE:
            return "expected |MU| + 10 SIGMA at most 1e100, so every draw stays finite"
        if len(p) == 4 and not p[2] < p[3]:
            return "expected LO < HI"
        if len(p) == 4 and stats.norm.sf(max(p[2] - p[0], p[0] - p[3]) / p[1]) < 1e-12:
            return "the interval [LO, HI] holds almost none of the normal's mass"
    if kind == "beta":
        if not (p[0] > 0 and p[1] > 0):
            return "expected A > 0 and B > 0"
        if not p[2] < p[3]:
            return "expected LO < HI"
    return ""


# --------------------------------------------------------------------------- what varies


@attrs.frozen
class Vary:
    """One number drawn from a distribution: ``PATH=DIST`` as given to ``--vary``."""

    path: str
    dist: Distribution

    @classmethod
    def parse(cls, spec: str, source: str = "--vary") -> Vary:
        """Parse ``PATH=DIST``.

        >>> Vary.parse("weights.us.supply_security=uniform:0:6").dist.params
        (0.0, 6.0)
        """
        path, dist = _split(spec, source, "PATH=DIST, e.g. weights.us.legitimacy=uniform:0:2")
        parse_path(path, source)
        return cls(path, Distribution.parse(dist, source, path))


@attrs.frozen
class Scale:
    """Numbers multiplied by draws of their own: ``GLOB=DIST`` as given to ``--scale``."""

    pattern: str
    dist: Distribution

    @classmethod
    def parse(cls, spec: str, source: str = "--scale") -> Scale:
        """Parse ``GLOB=DIST``.

        >>> Scale.parse("weights.us.*=uniform:0.5:1.5").pattern
        'weights.us.*'
        """
        pattern, dist = _split(spec, source, "GLOB=DIST, e.g. 'weights.us.*=uniform:0.5:1.5'")
        glob_regex(pattern, source)
        return cls(pattern, Distribution.parse(dist, source, pattern))


@attrs.frozen
class Simplex:
    """One player's weights drawn uniformly from a simplex, maybe with ordinal constraints.

    ``criteria`` empty means every criterion the file gives the player; ``order`` holds
    pairs ``(a, b)`` meaning weight ``a`` >= weight ``b`` (in absolute value).
    """

    player: str
    criteria: tuple[str, ...] = ()
    order: tuple[tuple[str, str], ...] = ()

    @classmethod
    def parse(cls, spec: str, source: str = "--simplex") -> Simplex:
        """Parse ``PLAYER`` or ``PLAYER=CRITERION,CRITERION,...`` (``:`` for ``=`` too).

        >>> Simplex.parse("us=supply_security,legitimacy").criteria
        ('supply_security', 'legitimacy')
        >>> Simplex.parse("us:supply_security,legitimacy").criteria
        ('supply_security', 'legitimacy')
        """
        player, sep, rest = spec.replace(":", "=", 1).partition("=")
        player = player.strip()
        criteria = tuple(c.strip() for c in rest.split(",")) if sep else ()
        if not _ID.fullmatch(player) or any(not _ID.fullmatch(c) for c in criteria):
            raise ScenarioError(
                source, spec, "expected PLAYER or PLAYER=CRITERION,CRITERION,... (ids)"
            )
        if len(set(criteria)) != len(criteria):
            raise ScenarioError(source, spec, "a criterion is listed twice")
        return cls(player, criteria)

    def with_order(self, spec: str, source: str = "--order") -> Simplex:
        """Add constraints written ``PLAYER: a >= b >= c`` (this simplex's player).

        >>> Simplex("us").with_order("us: supply_security >= legitimacy").order
        (('supply_security', 'legitimacy'),)
        """
        player, ordered = parse_order(spec, source)
        if player != self.player:
            raise ScenarioError(source, spec, f"is about {player!r}, not {self.player!r}")
        pairs = tuple(itertools.pairwise(ordered))
        return attrs.evolve(self, order=tuple(dict.fromkeys(self.order + pairs)))


_ID = re.compile(r"[A-Za-z][A-Za-z0-9_-]*")


def parse_order(spec: str, source: str = "--order") -> tuple[str, tuple[str, ...]]:
    """Read ``PLAYER: a >= b >= c``: the player and the criteria from heaviest down.

    >>> parse_order("us: supply_security >= legitimacy >= alliance_cohesion")
    ('us', ('supply_security', 'legitimacy', 'alliance_cohesion'))
    """
    player, sep, chain = spec.partition(":")
    names = tuple(part.strip() for part in chain.split(">="))
    if (
        not sep
        or not _ID.fullmatch(player.strip())
        or len(names) < 2
        or any(not _ID.fullmatch(n) for n in names)
    ):
        raise ScenarioError(
            source,
            spec,
            "expected PLAYER: CRITERION >= CRITERION [>= ...], e.g. 'us: supply_security >= "
            "legitimacy' (weights compared in absolute value)",
        )
    if len(set(names)) != len(names):
        raise ScenarioError(source, spec, "a criterion appears twice in the chain")
    return player.strip(), names


def _split(spec: str, source: str, form: str) -> tuple[str, str]:
    left, sep, right = spec.partition("=")
    if not sep or not left.strip() or not right.strip():
        raise ScenarioError(source, spec, f"expected {form}")
    return left.strip(), right.strip()


_GLOB_CHARS = re.compile(r"[A-Za-z0-9_.\-\[\]*?]+")


def glob_regex(pattern: str, source: str = "--scale") -> re.Pattern[str]:
    r"""The regular expression of a ``--scale`` glob (rules in the module docstring).

    >>> regex = glob_regex("criteria.*.scores[accept][*]")
    >>> bool(regex.fullmatch("criteria.wedge.scores[accept][full]"))
    True
    >>> bool(glob_regex("criteria.*").fullmatch("criteria.wedge.scores[0][0]"))
    False
    >>> bool(glob_regex("criteria.**").fullmatch("criteria.wedge.scores[0][0]"))
    True
    """
    if not _GLOB_CHARS.fullmatch(pattern):
        raise ScenarioError(
            source,
            pattern,
            "expected a glob over paths: keys, [indices], '*', '**' and '?' "
            "(e.g. 'weights.us.*' or 'criteria.wedge.scores[accept][*]')",
        )
    out = []
    i = 0
    while i < len(pattern):
        if pattern.startswith("**", i):
            out.append(".*")
            i += 2
        elif pattern[i] == "*":
            out.append(r"[^.\[\]]*")
            i += 1
        elif pattern[i] == "?":
            out.append(r"[^.\[\]]")
            i += 1
        else:
            out.append(re.escape(pattern[i]))
            i += 1
    return re.compile("".join(out))


# --------------------------------------------------------------------------- simplex


def linear_extensions(names: Sequence[str], order: Sequence[tuple[str, str]]) -> IntArray:
    """Every ranking of ``names`` (heaviest first, as indices) that ``order`` allows.

    ``order`` holds pairs ``(a, b)``: ``a`` ranks above ``b``. Rankings come in
    lexicographic order. Raises :class:`~negotiation.errors.ScenarioError` for a name not
    in ``names`` or contradictory constraints, :class:`~negotiation.errors.LimitError`
    beyond :data:`MAX_EXTENSIONS` rankings.

    >>> linear_extensions(["a", "b", "c"], [("a", "b")]).tolist()
    [[0, 1, 2], [0, 2, 1], [2, 0, 1]]
    """
    index = {n: i for i, n in enumerate(names)}
    above: list[set[int]] = [set() for _ in names]
    for a, b in order:
        for name in (a, b):
            if name not in index:
                raise ScenarioError(
                    "--order",
                    f"{a} >= {b}",
                    f"unknown criterion {name!r}; the simplex holds: {', '.join(names)}",
                )
        above[index[b]].add(index[a])
    found: list[tuple[int, ...]] = []

    def extend(prefix: list[int], placed: set[int]) -> None:
        if len(found) > MAX_EXTENSIONS:
            return
        if len(prefix) == len(names):
            found.append(tuple(prefix))
            return
        for i in range(len(names)):
            if i not in placed and above[i] <= placed:
                prefix.append(i)
                placed.add(i)
                extend(prefix, placed)
                placed.discard(i)
                prefix.pop()

    extend([], set())
    if not found:
        raise ScenarioError(
            "--order", "", "the ordinal constraints contradict each other (they form a cycle)"
        )
    if len(found) > MAX_EXTENSIONS:
        raise LimitError(
            "--order",
            "",
            f"the constraints allow more than {MAX_EXTENSIONS:,} orderings of "
            f"{len(names)} criteria; add constraints or put fewer criteria on the simplex",
        )
    return np.array(found, dtype=np.int64).reshape(len(found), len(names))


def simplex_dims(size: int, extensions: IntArray | None) -> int:
    """Unit-cube coordinates one simplex of ``size`` weights uses."""
    return size - 1 + (1 if extensions is not None and len(extensions) > 1 else 0)


def simplex_points(u: FloatArray, size: int, extensions: IntArray | None = None) -> FloatArray:
    """Points uniform on the simplex {w >= 0, sum w = 1} of ``size`` weights.

    The first ``size - 1`` columns of ``u`` are cut points: their uniform spacings are
    uniform on the simplex (Devroye, *Non-Uniform Random Variate Generation*, 1986,
    section V.2.1). With ``extensions`` (rankings allowed by ordinal constraints,
    :func:`linear_extensions`), the weights are sorted and handed out in the order of a
    ranking picked by the last column: each ranking's region of the simplex has the same
    volume, so the result is uniform on the constrained region (Tervonen and Lahdelma,
    "Implementing stochastic multicriteria acceptability analysis", *EJOR* 178, 2007).

    >>> w = simplex_points(np.array([[0.25, 0.75]]), 3)
    >>> w.tolist()
    [[0.25, 0.5, 0.25]]
    """
    n = len(u)
    if size == 1:
        return np.ones((n, 1))
    cuts = np.sort(np.clip(u[:, : size - 1], 0.0, 1.0), axis=1)
    edges = np.concatenate([np.zeros((n, 1)), cuts, np.ones((n, 1))], axis=1)
    w: FloatArray = np.diff(edges, axis=1)
    if extensions is None:
        return w
    ranked = -np.sort(-w, axis=1)
    if len(extensions) == 1:
        pick = np.zeros(n, dtype=np.int64)
    else:
        pick = np.minimum((u[:, size - 1] * len(extensions)).astype(np.int64), len(extensions) - 1)
    out = np.empty_like(w)
    np.put_along_axis(out, extensions[pick], ranked, axis=1)
    return out


# --------------------------------------------------------------------------- samplers


def unit_points(
    sampler: str,
    seed: int,
    dims: int,
    start: int,
    stop: int,
    stream: tuple[int, ...] = (),
) -> FloatArray:
    """Points ``start`` to ``stop - 1`` of the study's design in the unit cube.

    Shape ``(stop - start, dims)``; independent of how a study splits its samples (see the
    module docstring). ``stream`` tells apart several designs from one seed (the main draws
    use ``()``). For ``saltelli`` the points are the rows of Saltelli's design, ``dims + 2``
    per base point of a ``2 dims``-dimensional Sobol' sequence (so the first ``k (dims +
    2)`` rows are a complete design of ``k`` base points).

    >>> a = unit_points("mc", 7, 2, 0, 3000)
    >>> bool((unit_points("mc", 7, 2, 1000, 2100) == a[1000:2100]).all())
    True
    """
    if sampler not in SAMPLERS:
        raise ScenarioError(
            "--sampler", "", f"unknown sampler {sampler!r}; expected one of: {', '.join(SAMPLERS)}"
        )
    count = stop - start
    if count <= 0 or dims == 0:
        return np.zeros((max(count, 0), dims))
    if sampler == "saltelli":
        first, last = start // (dims + 2), (stop - 1) // (dims + 2) + 1
        base = _sobol(seed, 2 * dims, first, last, stream)
        rows = saltelli_rows(base, dims)
        offset = start - first * (dims + 2)
        return rows[offset : offset + count]
    if sampler == "sobol":
        return _sobol(seed, dims, start, stop, stream)
    blocks = []
    for b in range(start // STREAM_BLOCK, (stop - 1) // STREAM_BLOCK + 1):
        rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(*stream, b)))
        if sampler == "mc":
            blocks.append(rng.random((STREAM_BLOCK, dims)))
        else:
            blocks.append(qmc.LatinHypercube(d=dims, rng=rng).random(STREAM_BLOCK))
    points = np.concatenate(blocks)
    offset = start - (start // STREAM_BLOCK) * STREAM_BLOCK
    return np.clip(points[offset : offset + count], _LOW, _HIGH)


def _sobol(seed: int, dims: int, start: int, stop: int, stream: tuple[int, ...]) -> FloatArray:
    """Points ``start`` to ``stop - 1`` of one scrambled Sobol' sequence, in whole blocks.

    Blocks of :data:`STREAM_BLOCK` points (a power of two) are drawn after a
    ``fast_forward`` to the block, so the first block is a balanced 2**k set and no
    stretch depends on the blocks drawn before it.
    """
    first = start // STREAM_BLOCK
    last = (stop - 1) // STREAM_BLOCK + 1
    rng = np.random.default_rng(np.random.SeedSequence(seed, spawn_key=stream))
    engine = qmc.Sobol(d=dims, scramble=True, rng=rng)
    if first:
        engine.fast_forward(first * STREAM_BLOCK)
    # One power-of-two block at a time: scipy warns about unbalanced first draws otherwise.
    points = np.concatenate([engine.random(STREAM_BLOCK) for _ in range(first, last)])
    offset = start - first * STREAM_BLOCK
    out: FloatArray = np.clip(points[offset : offset + stop - start], _LOW, _HIGH)
    return out


def saltelli_rows(base: FloatArray, dims: int) -> FloatArray:
    """Saltelli's design from base points (rows ``[A | B]`` of ``2 dims`` coordinates).

    Each base point gives ``dims + 2`` rows: ``A``, then ``A`` with column ``j`` taken from
    ``B`` for each ``j``, then ``B``; the layout of SALib's ``sobol.sample`` with
    ``calc_second_order=False`` (Saltelli et al., "Variance based sensitivity analysis of
    model output", *Computer Physics Communications* 181, 2010), which
    ``SALib.analyze.sobol.analyze`` reads.

    >>> saltelli_rows(np.array([[0.1, 0.2, 0.8, 0.9]]), 2).tolist()
    [[0.1, 0.2], [0.8, 0.2], [0.1, 0.9], [0.8, 0.9]]
    """
    n = len(base)
    A, B = base[:, :dims], base[:, dims:]
    rows = np.repeat(A[:, None, :], dims + 2, axis=1)
    for j in range(dims):
        rows[:, j + 1, j] = B[:, j]
    rows[:, dims + 1, :] = B
    out: FloatArray = rows.reshape(n * (dims + 2), dims)
    return out


def blocks(start: int, stop: int) -> Iterator[tuple[int, int]]:
    """The stream blocks ``[lo, hi)`` that ``[start, stop)`` covers, cut to it."""
    b = start // STREAM_BLOCK
    while b * STREAM_BLOCK < stop:
        yield max(start, b * STREAM_BLOCK), min(stop, (b + 1) * STREAM_BLOCK)
        b += 1


# --------------------------------------------------------------------------- resolved inputs


@attrs.frozen
class Input:
    """One varied number: where it is, what it is in words, and how it is drawn.

    ``kind`` is ``vary`` (drawn from ``dist``), ``scale`` (``base`` times a draw from
    ``dist``) or ``simplex`` (``dist`` is ``simplex:<player>``); ``weight`` says whether it
    is a weight (central weights are computed over weights).
    """

    path: str
    label: str
    kind: str
    dist: str
    weight: bool
    base: float | None = None
    pattern: str | None = None

    def describe(self) -> dict[str, Any]:
        """The input as listed under ``vary`` in ``summary.json``."""
        out: dict[str, Any] = {"path": self.path, "dist": self.dist, "kind": self.kind}
        out["label"] = self.label
        if self.base is not None:
            out["base"] = self.base
        if self.pattern is not None:
            out["pattern"] = self.pattern
        return out


@attrs.frozen(eq=False)
class Source:
    """How one column of the draws is made from the unit cube: ``base`` times a draw."""

    column: int
    unit: int
    dist: Distribution
    base: float | None

    @property
    def support(self) -> tuple[float, float]:
        """The smallest and largest value of the column (maybe infinite)."""
        lo, hi = self.dist.support
        if self.base is None:
            return lo, hi
        a, b = lo * self.base, hi * self.base
        return min(a, b), max(a, b)


@attrs.frozen(eq=False)
class SimplexGroup:
    """Columns drawn together on a simplex: signs and total as the file's weights give."""

    columns: tuple[int, ...]
    units: tuple[int, ...]
    extensions: IntArray | None
    signs: FloatArray
    total: float


def input_values(
    u: FloatArray, width: int, sources: Sequence[Source], groups: Sequence[SimplexGroup]
) -> FloatArray:
    """The varied numbers (``width`` columns) of each draw from its unit-cube point."""
    x = np.empty((len(u), width))
    for s in sources:
        drawn = s.dist.ppf(u[:, s.unit])
        x[:, s.column] = drawn if s.base is None else s.base * drawn
    for g in groups:
        w = simplex_points(u[:, list(g.units)], len(g.columns), g.extensions)
        x[:, list(g.columns)] = w * (g.total * g.signs)
    return x
