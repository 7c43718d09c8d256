"""What varies in an uncertainty study, and the draws: distributions, globs, simplex, seeds."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from scipy import stats
from scipy.stats import qmc

from negotiation.errors import LimitError, ScenarioError
from negotiation.studies import sampling
from negotiation.studies.sampling import (
    STREAM_BLOCK,
    Distribution,
    Scale,
    Simplex,
    Vary,
    glob_regex,
    linear_extensions,
    parse_order,
    saltelli_rows,
    simplex_points,
    unit_points,
)


def test_distributions_parse_to_kind_parameters_and_text() -> None:
    """Each written form gives its kind, float parameters and a spaceless canonical text."""
    cases = {
        "uniform:0:6": ("uniform", (0.0, 6.0)),
        "triangular: 0 : 1 : 4": ("triangular", (0.0, 1.0, 4.0)),
        "normal:1:0.5": ("normal", (1.0, 0.5)),
        "normal:1:0.5:0:inf": ("normal", (1.0, 0.5, 0.0, math.inf)),
        "beta:2:3:0:10": ("beta", (2.0, 3.0, 0.0, 10.0)),
        "choice:1/2,2,1e1": ("choice", (0.5, 2.0, 10.0)),
    }
    for text, (kind, params) in cases.items():
        d = Distribution.parse(text)
        assert (d.kind, d.params, d.text) == (kind, params, "".join(text.split()))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("gauss:0:1", "unknown distribution 'gauss'"),
        ("uniform:0", "expected uniform:LO:HI"),
        ("uniform:2:1", "expected LO < HI"),
        ("uniform:a:1", "with numbers such as"),
        ("triangular:0:5:4", "LO <= MODE <= HI"),
        ("normal:0:0", "SIGMA > 0"),
        ("normal:0:1:2:1", "LO < HI"),
        ("normal:0:1:50:60", "almost none of the normal's mass"),
        ("beta:0:1:0:1", "A > 0 and B > 0"),
        ("choice:", "expected choice:v1,v2"),
        ("choice:1,1.0", "must differ"),
        ("uniform:0:1e101", "magnitude at most 1e100"),
    ],
)
def test_bad_distributions_name_option_key_and_expectation(text: str, expected: str) -> None:
    """A malformed distribution is a ScenarioError naming the option, the path and the fix."""
    with pytest.raises(ScenarioError, match=expected) as caught:
        Distribution.parse(text, "--vary", "weights.us.wedge")
    assert (caught.value.source, caught.value.key) == ("--vary", "weights.us.wedge")


def test_inverse_cdfs_match_closed_forms() -> None:
    """Quantiles agree with closed forms.

    Uniform: lo + u (hi - lo); triangular(0, 1, 4): median 4 - sqrt(6) (the CDF
    1 - (4 - x)**2 / 12 at 1/2); normal: 97.5% quantile mu + 1.959964 sigma; beta(2, 2) on
    [0, 10]: median 5 by symmetry.
    """
    u = np.array([0.5])
    assert Distribution.parse("uniform:2:6").ppf(np.array([0.25]))[0] == 3.0
    assert Distribution.parse("triangular:0:1:4").ppf(u)[0] == pytest.approx(4 - math.sqrt(6))
    quantile = Distribution.parse("normal:1:2").ppf(np.array([0.975]))[0]
    assert quantile == pytest.approx(1 + 2 * 1.959963984540054)
    assert Distribution.parse("beta:2:2:0:10").ppf(u)[0] == pytest.approx(5.0)


def test_truncated_normal_stays_inside_its_bounds_with_the_right_median() -> None:
    """normal:0:1:0:inf is the half-normal: every draw >= 0, median norm.ppf(3/4) = 0.6745."""
    d = Distribution.parse("normal:0:1:0:inf")
    draws = d.ppf(unit_points("mc", 1, 1, 0, 4096)[:, 0])
    assert draws.min() >= 0
    assert d.ppf(np.array([0.5]))[0] == pytest.approx(stats.norm.ppf(0.75))


def test_choice_values_are_equally_likely() -> None:
    """choice:a,b,c gives a for u < 1/3, b for 1/3 <= u < 2/3, c above."""
    d = Distribution.parse("choice:1,2,3")
    assert d.ppf(np.array([0.0, 0.33, 0.34, 0.66, 0.67, 0.999])).tolist() == [1, 1, 2, 2, 3, 3]


def test_no_inverse_cdf_is_infinite_even_at_the_ends_of_the_unit_interval() -> None:
    """Coordinates 0 and 1 are clipped inside, so an unbounded normal stays finite."""
    assert np.isfinite(Distribution.parse("normal:0:1").ppf(np.array([0.0, 1.0]))).all()


def test_monte_carlo_blocks_use_spawned_seed_sequences() -> None:
    """Block b of the Monte Carlo draws comes from SeedSequence(seed).spawn(b + 1)[b]."""
    seed, dims, b = 12, 3, 2
    child = np.random.SeedSequence(seed).spawn(b + 1)[b]
    expected = np.random.default_rng(child).random((STREAM_BLOCK, dims))
    got = unit_points("mc", seed, dims, b * STREAM_BLOCK, (b + 1) * STREAM_BLOCK)
    assert np.array_equal(got, np.clip(expected, 2.0**-60, 1 - 2.0**-53))


@pytest.mark.parametrize("sampler", sampling.SAMPLERS)
def test_any_split_of_the_draws_gives_the_same_points(sampler: str) -> None:
    """Points of a range do not depend on how a study cuts its draws into chunks."""
    whole = unit_points(sampler, 5, 4, 0, 5000)
    cuts = [0, 1, 1023, 1024, 2500, 3072, 4999, 5000]
    parts = [unit_points(sampler, 5, 4, a, b) for a, b in itertools.pairwise(cuts)]
    assert np.array_equal(np.concatenate(parts), whole)


def test_sobol_points_are_one_scrambled_sequence() -> None:
    """The sobol sampler's draws are scipy's scrambled Sobol' sequence seeded by the seed."""
    engine = qmc.Sobol(d=3, scramble=True, rng=np.random.default_rng(np.random.SeedSequence(4)))
    expected = engine.random(4096)
    assert np.array_equal(unit_points("sobol", 4, 3, 0, 4096), np.clip(expected, 2.0**-60, 1))


def test_saltelli_design_is_salibs_own() -> None:
    """The saltelli sampler's rows equal SALib.sample.sobol.sample for the same seed.

    Second-order indices off, so SALib.analyze.sobol reads them as its own design.
    """
    from SALib.sample import sobol

    problem = {"num_vars": 3, "names": ["a", "b", "c"], "bounds": [[0, 1]] * 3}
    rng = np.random.default_rng(np.random.SeedSequence(9))
    theirs = sobol.sample(problem, 1024, calc_second_order=False, scramble=True, seed=rng)
    assert np.array_equal(np.clip(theirs, 2.0**-60, 1), unit_points("saltelli", 9, 3, 0, 5120))


def test_saltelli_rows_cross_columns_of_a_and_b() -> None:
    """Rows per base point: A, A with column j from B (each j), then B."""
    rows = saltelli_rows(np.array([[0.1, 0.2, 0.3, 0.7, 0.8, 0.9]]), 3)
    assert rows.tolist() == [
        [0.1, 0.2, 0.3],
        [0.7, 0.2, 0.3],
        [0.1, 0.8, 0.3],
        [0.1, 0.2, 0.9],
        [0.7, 0.8, 0.9],
    ]


def test_each_latin_hypercube_block_has_one_point_per_stratum() -> None:
    """Each stream block is a Latin hypercube: one point per stratum in every dimension.

    1024 equal strata per block (McKay, Beckman and Conover 1979).
    """
    points = unit_points("lhs", 3, 2, STREAM_BLOCK, 2 * STREAM_BLOCK)
    for d in range(2):
        strata = np.sort(np.floor(points[:, d] * STREAM_BLOCK).astype(int))
        assert strata.tolist() == list(range(STREAM_BLOCK))


@pytest.mark.parametrize(
    ("pattern", "path", "matches"),
    [
        ("weights.us.*", "weights.us.legitimacy", True),
        ("weights.*", "weights.us.legitimacy", False),  # * stays inside one part
        ("weights.**", "weights.us.legitimacy", True),
        ("**", "criteria.wedge.scores[0][1]", True),
        ("criteria.*.scores[accept][*]", "criteria.wedge.scores[accept][full]", True),
        ("criteria.*.scores[accept][*]", "criteria.wedge.scores[reject][full]", False),
        ("criteria.wedge.*", "criteria.wedge.scores[0][1]", False),  # nor into brackets
        ("criteria.wedge.scores[?][0]", "criteria.wedge.scores[2][0]", True),
        ("payoffs.row[0][*]", "payoffs.row[0][1]", True),
    ],
)
def test_glob_rules(pattern: str, path: str, matches: bool) -> None:
    """``*`` matches inside one key or index, ``**`` across parts, brackets are literal."""
    assert bool(glob_regex(pattern).fullmatch(path)) is matches


def test_a_glob_with_other_characters_is_refused() -> None:
    """Spaces, '=' or other characters in a glob are a ScenarioError naming the glob."""
    with pytest.raises(ScenarioError, match="expected a glob"):
        glob_regex("weights us *")


def test_specs_parse_or_say_what_was_expected() -> None:
    """--vary, --scale, --simplex and --order read their forms and refuse malformed ones."""
    assert Vary.parse("weights.us.wedge = uniform:0:1").path == "weights.us.wedge"
    assert Scale.parse("criteria.**=uniform:0.5:1.5").dist.params == (0.5, 1.5)
    assert Simplex.parse("us").criteria == ()
    assert parse_order("us: a >= b >= c") == ("us", ("a", "b", "c"))
    for bad, parse in (
        ("weights.us.wedge", Vary.parse),
        ("=uniform:0:1", Scale.parse),
        ("us=a,a", Simplex.parse),
    ):
        with pytest.raises(ScenarioError):
            parse(bad)
    with pytest.raises(ScenarioError, match="PLAYER: CRITERION >= CRITERION"):
        parse_order("a >= b")


def test_uniform_simplex_weights_have_dirichlet_moments() -> None:
    """Simplex weights have the moments of Dirichlet(1, 1, 1).

    Each weight has mean 1/3 and P(w1 > 1/2) = (1/2)**2 = 1/4 (Devroye 1986, V.2).
    """
    u = unit_points("sobol", 2, 2, 0, 2**14)
    w = simplex_points(u, 3)
    assert np.allclose(w.sum(axis=1), 1)
    assert (w >= 0).all()
    assert w.mean(axis=0) == pytest.approx([1 / 3] * 3, abs=2e-3)
    assert (w[:, 0] > 0.5).mean() == pytest.approx(0.25, abs=3e-3)


def test_ordinal_constraints_hold_and_keep_the_region_uniform() -> None:
    """With w_a >= w_b on two weights the constraint always holds and w_a ~ U(1/2, 1).

    Mean 3/4 (Tervonen and Lahdelma 2007).
    """
    extensions = linear_extensions(["a", "b"], [("a", "b")])
    w = simplex_points(unit_points("sobol", 3, 1, 0, 2**13), 2, extensions)
    assert (w[:, 0] >= w[:, 1]).all()
    assert w[:, 0].mean() == pytest.approx(0.75, abs=1e-3)


def test_partial_orders_give_every_allowed_ranking_equal_weight() -> None:
    """Among a, b, c, a >= b allows 3 rankings, each holding a third of the draws."""
    extensions = linear_extensions(["a", "b", "c"], [("a", "b")])
    assert extensions.tolist() == [[0, 1, 2], [0, 2, 1], [2, 0, 1]]
    w = simplex_points(unit_points("mc", 3, 3, 0, 30000), 3, extensions)
    assert (w[:, 0] >= w[:, 1]).all()
    largest_c = (w[:, 2] > w[:, 0]).mean()  # ranking c > a > b
    assert largest_c == pytest.approx(1 / 3, abs=0.01)


def test_contradictory_or_unknown_order_constraints_are_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A cycle, an unknown criterion, or too many rankings, each raise a clear error."""
    with pytest.raises(ScenarioError, match="cycle"):
        linear_extensions(["a", "b"], [("a", "b"), ("b", "a")])
    with pytest.raises(ScenarioError, match="unknown criterion 'z'"):
        linear_extensions(["a", "b"], [("a", "z")])
    monkeypatch.setattr(sampling, "MAX_EXTENSIONS", 5)
    with pytest.raises(LimitError, match="more than 5 orderings"):
        linear_extensions(["a", "b", "c", "d"], [("a", "b")])


def test_an_unknown_sampler_is_refused() -> None:
    """The sampler must be one of mc, sobol, lhs, saltelli."""
    with pytest.raises(ScenarioError, match="expected one of: mc, sobol, lhs, saltelli"):
        unit_points("halton", 0, 1, 0, 10)
