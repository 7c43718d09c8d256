"""The sequential rare-earth game: traceable numbers, its SPE in words, Russia's real choice.

Expected answers are derived by hand below from the file's scores and weights (backward
induction, Selten 1975); they agree with helper I's independent exact script
(``/work/notes/scratch/exact_tree.py``, summarised in ``rare_earth_analysis.md`` sections 1-2).
"""

from __future__ import annotations

import re
from fractions import Fraction

from negotiation import catalogue
from negotiation.model.catalogue import load_tree
from negotiation.solvers.spe import solve_spe, sweep_spe

NAME = "rare-earth-sequential"
FULL = (
    "Russia: makes the full offer (Russia and occupied Ukraine); "
    "United States: declines and diversifies"
)
NONE = "Russia: makes no offer; United States: diversifies"


def pure(actions: tuple[str, ...], chosen: str) -> dict[str, Fraction]:
    """Behaviour at a node that takes ``chosen`` for sure."""
    return {a: Fraction(a == chosen) for a in actions}


def test_every_number_carries_a_comment() -> None:
    """Each score and weight line in the file has a comment, and most cite a source."""
    tree = load_tree(NAME)
    content = tree.content
    weights = sum(len(w) for w in content["weights"].values())

    def scores(node: dict[str, object]) -> int:
        own = node.get("scores")
        count = len(own) if isinstance(own, dict) else 0
        return count + sum(scores(v) for v in node.values() if isinstance(v, dict) and v is not own)

    lines = catalogue()[NAME].read_text().splitlines()
    numeric = [line for line in lines if re.match(r"\s*[a-z_]+\s*=\s*-?\d", line)]
    assert weights == 6 + 7  # six US weights, seven Russian ones
    assert len(numeric) == weights + scores(content["tree"])  # every number is on its own line
    assert [line for line in numeric if "#" not in line] == []
    cited = [line for line in numeric if re.search(r"\[(A|F\d+)", line)]
    assert len(cited) >= len(numeric) // 2  # most comments quote the article or a cited figure


def test_default_spe_is_the_full_offer_declined_and_diversification() -> None:
    """At the default weights the one SPE is: full offer; the US declines and diversifies.

    By hand (weights in the file): the US's answers to the full offer, Russia honouring any
    deal, are accept -73/20, hedge -9/4, decline -1/5, diversify 1 x 1 + 0.8 x 0.75 - 0.6 x 1
    = 1; to the limited offer -53/40, -1/40, -1/10, 11/10; to none 0 or 6/5. So the US
    diversifies whatever Russia does, and Russia compares declined offers only: full
    -1 x 0.75 + 0.5 x -0.25 = -7/8, limited -1 x 0.875 - 1/8 = -1, none -1 x 1 = -1.
    """
    solution = solve_spe(load_tree(NAME))
    assert not solution.ties
    assert solution.complete
    (spe,) = solution.equilibria
    assert spe.path == FULL
    assert spe.payoffs == (Fraction(1), Fraction(-7, 8))
    assert spe.reached == {"tree.full.diversify": Fraction(1)}
    # Off the path the US diversifies after any offer, and Russia honours every deal.
    assert spe.at("tree.limited") == pure(("accept", "hedge", "decline", "diversify"), "diversify")
    assert spe.at("tree.withhold") == pure(("status_quo", "diversify"), "diversify")
    for deal in ("full.accept", "full.hedge", "limited.accept", "limited.hedge"):
        assert spe.at(f"tree.{deal}") == pure(("honour", "weaponise"), "honour")


def test_russia_makes_the_full_offer_below_a_china_weight_of_one() -> None:
    """With Beijing's goodwill weighed 0.9, Russia still makes the full offer (-0.75 - 0.225).

    Against a diversifying US, full = -3/4 - c/4 and none = -1: full wins for c < 1.
    """
    tree = load_tree(NAME, {"weights.russia.china_relations": "0.9"})
    (spe,) = solve_spe(tree).equilibria
    assert spe.path == FULL
    assert spe.payoffs == (Fraction(1), Fraction(-3, 4) - Fraction(9, 40))


def test_russia_makes_no_offer_above_a_china_weight_of_one() -> None:
    """With Beijing's goodwill weighed 1.1, Russia makes no offer and the US diversifies."""
    tree = load_tree(NAME, {"weights.russia.china_relations": "1.1"})
    (spe,) = solve_spe(tree).equilibria
    assert spe.path == NONE
    assert spe.payoffs == (Fraction(6, 5), Fraction(-1))


def test_at_a_china_weight_of_exactly_one_both_first_moves_are_reported_as_ties() -> None:
    """At c = 1 the full offer and no offer tie (both -1): both SPE are listed, flagged tied.

    Off the path Russia also ties at an accepted full deal: honour 9/2 - c, weaponise
    15/4 - c/4, equal at c = 1; so each first move appears with both keep-or-break choices.
    """
    solution = solve_spe(load_tree(NAME, {"weights.russia.china_relations": "1"}))
    assert solution.ties
    assert not solution.complete
    assert set(solution.tied_nodes) == {"tree", "tree.full.accept"}
    paths = sorted(spe.path for spe in solution.equilibria)
    assert paths == sorted([FULL, FULL, NONE, NONE])
    assert {spe.payoffs[1] for spe in solution.equilibria} == {Fraction(-1)}
    choices = {
        (spe.path, tuple(sorted(k for k, p in (spe.at("tree.full.accept") or {}).items() if p)))
        for spe in solution.equilibria
    }
    assert choices == {(p, (a,)) for p in (FULL, NONE) for a in ("honour", "weaponise")}


def test_a_sweep_of_russias_china_weight_shows_its_choice_moving() -> None:
    """The tree sweep over c = 0, 1/4, ..., 2 gives full below 1, no offer above, ties at 1."""
    tree = load_tree(NAME)
    grid = [Fraction(k, 4) for k in range(9)]
    found = {
        float(grid[i]): ({row["path"] for row in rows}, {row["ties"] for row in rows})
        for i, rows in sweep_spe(tree, [("weights.russia.china_relations", grid)])
    }
    for c, (paths, ties) in found.items():
        if c < 1:
            assert (paths, ties) == ({FULL}, {False})
        elif c > 1:
            assert (paths, ties) == ({NONE}, {False})
        else:
            assert (paths, ties) == ({FULL, NONE}, {True})
    assert len(found) == len(grid)
