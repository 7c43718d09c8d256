"""TreeFamily: its d + 2 rebuild construction agrees exactly with the 2**d corner oracle.

The oracle below is the construction TreeFamily used before (every corner of the box
rebuilt and validated, then multilinear interpolation one dimension at a time); the
family's docstring says why the two must agree coefficient for coefficient, and these tests
check it on random scored trees with types and chance nodes, errors included.
"""

from __future__ import annotations

import functools
import itertools
from collections.abc import Sequence
from fractions import Fraction
from typing import Any

import attrs
import numpy as np
import numpy.typing as npt
import pytest

from negotiation import load
from negotiation.errors import LimitError, ScenarioError
from negotiation.model import overrides as _overrides
from negotiation.model import tree as tree_module
from negotiation.model.tree import NotMultilinearError, TreeFamily, TreeScenario
from negotiation.model.types import tree_from_dict, tree_from_string

F = Fraction
Axes = list[tuple[str, list[Fraction]]]
Coefficients = dict[tuple[int, ...], tuple[Fraction, ...]]


# -- the oracle: the 2**d corner construction TreeFamily replaced ----------------------------


def corner_coefficients(
    tree: TreeScenario, axes: Sequence[tuple[str, Sequence[object]]]
) -> Coefficients:
    """Multilinear coefficients from all ``2**d`` corners, each rebuilt and validated."""
    paths = [p for p, _ in axes]
    bounds = []
    for path, values in axes:
        exact = [_overrides.normalise({path: v})[0][1] for v in values]
        bounds.append((min(exact), max(exact)))
    corners: dict[tuple[int, ...], list[Fraction]] = {}
    for bits in itertools.product((0, 1), repeat=len(axes)):
        at = {p: b[bit] for p, b, bit in zip(paths, bounds, bits, strict=True)}
        rebuilt = tree.with_overrides(at)
        flat = [x for v in rebuilt.leaves for x in rebuilt.nodes[v].payoffs]
        flat += [q for v in rebuilt.chance_nodes for q in rebuilt.nodes[v].probabilities]
        corners[bits] = flat
    for d, (lo, hi) in enumerate(bounds):
        for bits in corners:
            if bits[d] == 1:
                continue
            upper = (*bits[:d], 1, *bits[d + 1 :])
            f_lo, f_hi = corners[bits], corners[upper]
            if hi == lo:
                slopes = [F(0)] * len(f_lo)
            else:
                slopes = [(b - a) / (hi - lo) for a, b in zip(f_lo, f_hi, strict=True)]
            corners[bits] = [a - s * lo for a, s in zip(f_lo, slopes, strict=True)]
            corners[upper] = slopes
    return {bits: tuple(c) for bits, c in corners.items() if any(c) or not any(bits)}


def oracle_floats(
    coefficients: Coefficients, x: npt.NDArray[np.float64]
) -> npt.NDArray[np.float64]:
    """The old floats_at's numbers: monomials built bit by bit, times the float coefficients."""
    monomials = np.ones((len(x), len(coefficients)))
    for m, bits in enumerate(coefficients):
        for d, bit in enumerate(bits):
            if bit:
                monomials[:, m] *= x[:, d]
    table = np.array([[float(c) for c in coeffs] for coeffs in coefficients.values()])
    result: npt.NDArray[np.float64] = monomials @ table
    return result


def outcome(build: Any) -> tuple[str, Any]:
    """What building gives: ("ok", value) or ("error", (type, message))."""
    try:
        return "ok", build()
    except ScenarioError as error:
        return "error", (type(error), str(error))


# -- random trees ------------------------------------------------------------------------------


def small(rng: np.random.Generator) -> Fraction:
    """A small random number, sometimes 0 (numbers the format reads exactly)."""
    return F(int(rng.integers(-6, 7)), int(rng.choice([1, 2, 4])))


def random_content(rng: np.random.Generator, *, typed: bool, scored: bool) -> dict[str, Any]:
    """A random tree file: two players, chance nodes, optional criteria and types of ``a``."""
    types = ("t1", "t2", "t3")[: int(rng.integers(2, 4))] if typed else ()
    content: dict[str, Any] = {"name": "random", "players": [{"id": "a"}, {"id": "b"}]}
    if typed:
        first = int(rng.integers(0, 11))
        prior: dict[str, Any] = {"t1": F(first, 10)}
        if len(types) == 3:
            prior["t2"] = F(int(rng.integers(0, 11 - first)), 10)
        prior[types[-1]] = "rest"
        content["types"] = {"a": prior}
    criteria = ("c0", "c1", "c2")
    if scored:
        content["criteria"] = {c: {} for c in criteria}
        weights: dict[str, Any] = {
            "a": {"c0": small(rng), "c1": small(rng)},
            "b": {"c1": small(rng), "c2": small(rng)},
        }
        if typed:
            weights["a"]["t1"] = {"c0": small(rng)}  # a's weight of c0 depends on a's type
        content["weights"] = weights

    def number(rng: np.random.Generator) -> Any:
        if typed and rng.random() < 0.3:
            return {t: small(rng) for t in types}
        return small(rng)

    def node(depth: int) -> dict[str, Any]:
        if depth > 0 and (depth == 3 or rng.random() < 0.3):
            if scored:
                chosen = [c for c in criteria if rng.random() < 0.6]
                return {"scores": {c: number(rng) for c in chosen}}
            return {"payoffs": {"a": number(rng), "b": number(rng)}}
        if depth > 0 and rng.random() < 0.35:
            k = int(rng.integers(0, 11))
            probabilities: dict[str, Any] = {"o0": F(k, 10), "o1": "rest"}
            if rng.random() < 0.3:
                probabilities["o1"] = F(10 - k, 10)  # explicit, no rest
            return {"chance": probabilities, "o0": node(depth + 1), "o1": node(depth + 1)}
        return {"player": str(rng.choice(["a", "b"])), "x0": node(depth + 1), "x1": node(depth + 1)}

    content["tree"] = node(0)
    return content


def number_paths(content: dict[str, Any]) -> list[tuple[str, Fraction]]:
    """Every overridable number of a file with its value: held ones and implicit 0 scores."""
    found: list[tuple[str, Fraction]] = []

    def walk(value: Any, path: str) -> None:
        if isinstance(value, dict):
            if "scores" in value and isinstance(value["scores"], dict):
                for c in content.get("criteria", {}):
                    if c not in value["scores"]:
                        found.append((f"{path}.scores.{c}", F(0)))
            for key, child in value.items():
                walk(child, f"{path}.{key}")
        elif isinstance(value, Fraction):
            found.append((path, value))

    for table in ("types", "weights", "tree"):
        if table in content:
            walk(content[table], table)
    return found


def random_axes(rng: np.random.Generator, content: dict[str, Any], dims: int) -> Axes:
    """Up to ``dims`` swept paths; probabilities mostly within their valid range."""
    candidates = number_paths(content)
    picks = rng.choice(len(candidates), size=min(dims, len(candidates)), replace=False)
    axes: Axes = []
    for i in picks:
        path, value = candidates[int(i)]
        if path.startswith("types.") or ".chance." in path:
            hi = F(1) if rng.random() < 0.2 else value
            axes.append((path, [F(int(rng.integers(0, 3)), 10) * hi, hi]))
        elif rng.random() < 0.15:
            axes.append((path, [value]))  # a single value: lo == hi
        else:
            axes.append((path, [small(rng), small(rng), value]))
    return axes


# -- the oracle agrees -------------------------------------------------------------------------


def test_random_trees_agree_with_the_corner_oracle_exactly() -> None:
    """On 40 random trees (types, chance, d <= 8) coefficients, floats, errors match the oracle."""
    rng = np.random.default_rng(20250310)
    built = failed = big = 0
    for case in range(40):
        typed, scored = case % 3 != 0, case % 4 != 1
        content = random_content(rng, typed=typed, scored=scored)
        tree = tree_from_dict(content, f"<case {case}>")
        dims = 8 if case % 5 == 0 else int(rng.integers(1, 7))
        axes = random_axes(rng, content, dims)
        expected = outcome(functools.partial(corner_coefficients, tree, axes))
        got = outcome(functools.partial(TreeFamily, tree, axes))
        assert got[0] == expected[0], (case, axes, expected, got)
        if expected[0] == "error":
            assert got[1] == expected[1], case
            failed += 1
            continue
        family, oracle = got[1], expected[1]
        assert family.coefficients == oracle, case
        assert list(family.coefficients) == list(oracle), case  # the same monomial order
        x = np.array(
            [[float(v) for v in values] for values in itertools.product(*(vs for _, vs in axes))]
        )
        payoffs, probabilities, _ = family.floats_at(x)
        flat = np.hstack([payoffs.reshape(len(x), -1), probabilities])
        assert np.array_equal(flat, oracle_floats(oracle, x)), case
        built += 1
        big += len(axes) == 8
    assert built >= 25, built
    assert failed >= 3, failed
    assert big >= 5, big


def test_exact_numbers_equal_rebuilds_inside_the_box() -> None:
    """At random interior points of a random typed tree, numbers_at equals the rebuilt tree."""
    rng = np.random.default_rng(7)
    content = random_content(rng, typed=True, scored=True)
    tree = tree_from_dict(content, "<typed>")
    numbers = [(p, v) for p, v in number_paths(content) if "chance" not in p and "types" not in p]
    axes = [(p, [F(0), v]) for p, v in numbers][:8]
    family = tree.family(axes)
    for _ in range(5):
        point = [F(int(rng.integers(0, 11)), 10) * hi for _, (_, hi) in axes]
        assert (
            family.numbers_at(point)
            == tree.with_overrides(dict(zip([p for p, _ in axes], point, strict=True))).numbers
        )


# -- validation: the same errors as the corners gave -------------------------------------------

THREE_TYPES = """
name = "three"
[[players]]
id = "a"
[[players]]
id = "b"
[types.a]
t1 = 0.3
t2 = 0.3
t3 = "rest"
[tree]
player = "a"
[tree.x]
payoffs = { a = 1, b = 0 }
[tree.y]
payoffs = { a = { t1 = 0, t2 = 1, t3 = 2 }, b = 1 }
"""


def test_a_prior_swept_negative_inside_the_box_is_refused_like_the_corners() -> None:
    """Each prior alone stays valid, but both at 0.6 leave the rest at -1/5: the oracle's error."""
    tree = tree_from_string(THREE_TYPES)
    axes = [("types.a.t1", [F(0), F(3, 5)]), ("types.a.t2", [F(0), F(3, 5)])]
    with pytest.raises(ScenarioError) as raised:
        tree.family(axes)
    with pytest.raises(ScenarioError) as oracle:
        corner_coefficients(tree, axes)
    assert str(raised.value) == str(oracle.value)
    assert raised.value.key == "types.a"
    assert "other than 't3' sum to 6/5 > 1" in raised.value.problem


TWO_EXPLICIT = """
name = "coin"
[[players]]
id = "a"
[tree]
chance = { heads = 0.5, tails = 0.5 }
[tree.heads]
payoffs = { a = 1 }
[tree.tails]
payoffs = { a = 0 }
"""


def test_sweeping_one_of_two_explicit_probabilities_is_refused_like_the_corners() -> None:
    """Without a rest, moving one probability breaks the sum at once: the parser's own error."""
    tree = TreeScenario.from_string(TWO_EXPLICIT)
    axes = [("tree.chance.heads", [F(1, 2), F(3, 5)])]
    with pytest.raises(ScenarioError) as raised:
        tree.family(axes)
    with pytest.raises(ScenarioError) as oracle:
        corner_coefficients(tree, axes)
    assert str(raised.value) == str(oracle.value)
    assert raised.value.key == "tree.chance"
    assert "sum to 11/10; expected exactly 1" in raised.value.problem


def test_the_first_invalid_corner_in_oracle_order_names_the_error() -> None:
    """Two nodes invalid at different corners: the error is the one product order meets first."""
    tree = TreeScenario.from_string("""
name = "two"
[[players]]
id = "a"
[tree]
player = "a"
[tree.l]
chance = { p = 0.5, q = 0.25, r = "rest" }
[tree.l.p]
payoffs = { a = 1 }
[tree.l.q]
payoffs = { a = 2 }
[tree.l.r]
payoffs = { a = 3 }
[tree.m]
chance = { p = 0.5, q = "rest" }
[tree.m.p]
payoffs = { a = 1 }
[tree.m.q]
payoffs = { a = 0 }
""")
    # Corner (0, 1, 1) makes tree.l's rest negative; (1, 0, 0) puts 3/2 at tree.m; the
    # oracle meets (0, 1, 1) first although the single rebuild of path 0 fails on its own.
    axes = [
        ("tree.m.chance.p", [F(1, 2), F(3, 2)]),
        ("tree.l.chance.p", [F(1, 2), F(3, 5)]),
        ("tree.l.chance.q", [F(1, 4), F(1, 2)]),
    ]
    with pytest.raises(ScenarioError) as raised:
        tree.family(axes)
    with pytest.raises(ScenarioError) as oracle:
        corner_coefficients(tree, axes)
    assert str(raised.value) == str(oracle.value)
    assert raised.value.key == "tree.l.chance"


# -- failing loudly ----------------------------------------------------------------------------

CRITERIA = """
name = "offer"
[[players]]
id = "a"
[[players]]
id = "b"
[criteria.gain]
[weights.a]
gain = 1
[weights.b]
gain = -1
[tree]
player = "a"
[tree.deal]
scores = { gain = 2 }
[tree.none]
scores = {}
"""


@attrs.frozen
class Squaring(TreeScenario):
    """A made-up future format: the swept number enters the score squared."""

    def with_overrides(self, overrides: Any) -> TreeScenario:
        """Rebuild with every overridden value squared."""
        items = _overrides.normalise(overrides)
        squared = [(p, v * v) for p, v in items]
        return rebuilt_as(Squaring, TreeScenario.from_dict(self.content, self.origin, squared))


@attrs.frozen
class SelfWeighing(TreeScenario):
    """A made-up future format: a swept score also sets the weight that multiplies it."""

    def with_overrides(self, overrides: Any) -> TreeScenario:
        """Rebuild with the weight of a for gain copied from the swept score."""
        items = list(_overrides.normalise(overrides))
        items += [("weights.a.gain", v) for p, v in items if p == "tree.deal.scores.gain"]
        return rebuilt_as(SelfWeighing, TreeScenario.from_dict(self.content, self.origin, items))


def rebuilt_as(cls: type[TreeScenario], tree: TreeScenario) -> TreeScenario:
    """The same tree as an instance of a subclass that rebuilds differently."""
    fields = {a.alias or a.name: getattr(tree, a.name) for a in attrs.fields(TreeScenario)}
    return cls(**fields)


def test_a_number_that_is_not_affine_fails_loudly() -> None:
    """If a stored number stops being affine in the overrides, the interior check raises."""
    tree = rebuilt_as(Squaring, TreeScenario.from_string(CRITERIA))
    with pytest.raises(NotMultilinearError, match="polynomial gives"):
        tree.family([("tree.deal.scores.gain", [F(1), F(3)])])


def test_a_squared_number_fails_loudly() -> None:
    """If one swept number were both a weight and the score it multiplies, building raises."""
    tree = rebuilt_as(SelfWeighing, TreeScenario.from_string(CRITERIA))
    with pytest.raises(NotMultilinearError, match="both the weight"):
        tree.family([("tree.deal.scores.gain", [F(1), F(3)])])


def test_too_many_coefficients_is_a_limit_error(monkeypatch: pytest.MonkeyPatch) -> None:
    """A family beyond MAX_FAMILY_COEFFICIENTS is refused with the limit's name."""
    monkeypatch.setattr(tree_module, "MAX_FAMILY_COEFFICIENTS", 5)
    with pytest.raises(LimitError, match="MAX_FAMILY_COEFFICIENTS"):
        TreeScenario.from_string(CRITERIA).family([("weights.a.gain", [F(0), F(1)])])


# -- many inputs ---------------------------------------------------------------------------------


def test_every_russian_weight_and_score_of_rare_earth_sequential() -> None:
    """With all 7 Russian weights and all 126 leaf scores swept (d = 133) numbers match rebuilds."""
    tree = load("rare-earth-sequential")
    assert isinstance(tree, TreeScenario)
    paths = [f"weights.russia.{k}" for k in tree.weights["russia"]]
    paths += [f"{tree.nodes[v].id}.scores.{c.id}" for v in tree.leaves for c in tree.criteria]
    axes = [(p, [F(-2), F(2)]) for p in paths]
    family = tree.family(axes)
    # The constant; x_s for each score s of the 6 criteria the US weighs (Russia's payoff
    # terms are products of two swept numbers, so Russian weights have no linear term);
    # x_w x_s for each Russian weight w and each leaf's score s of w's criterion.
    assert len(family.coefficients) == 1 + 6 * 14 + 7 * 14
    rng = np.random.default_rng(3)
    for _ in range(3):
        point = [F(int(rng.integers(-20, 21)), 10) for _ in paths]
        expected = tree.with_overrides(dict(zip(paths, point, strict=True))).numbers
        assert family.numbers_at(point) == expected
    x = rng.uniform(-2, 2, size=(50, len(paths)))
    payoffs, _, _ = family.floats_at(x)
    exact = family.exact_numbers([F(v) for v in x[0]])
    expected_floats = [[float(u) for u in exact.payoffs[v]] for v in tree.leaves]
    np.testing.assert_allclose(payoffs[0], expected_floats, rtol=1e-12, atol=1e-12)


def test_floats_in_blocks_equal_one_block(monkeypatch: pytest.MonkeyPatch) -> None:
    """Evaluating points in small blocks gives the numbers of one block, to rounding."""
    tree = load("rare-earth-sequential")
    assert isinstance(tree, TreeScenario)
    axes = [(f"weights.russia.{k}", [F(0), F(2)]) for k in ("sanctions", "legitimacy")]
    family = tree.family(axes)
    x = np.random.default_rng(5).uniform(0, 2, size=(40, 2))
    whole = family.floats_at(x)
    monkeypatch.setattr(tree_module, "_FLOAT_BLOCK", len(family.monomials) * 3)
    blocks = family.floats_at(x)
    for a, b in zip(whole, blocks, strict=True):
        np.testing.assert_allclose(a, b, rtol=1e-15, atol=0)
