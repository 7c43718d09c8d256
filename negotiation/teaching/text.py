"""How the exercises print exact numbers, payoff lines, players, nodes and lists.

Every number an exercise shows is computed by the library; this module only decides how it
reads in class: ``4``, ``-5.8`` or ``3/13`` for a number, ``11p - 10`` for a payoff that is
affine in a probability, "the row player (United States)" for a player, "Incumbent (after
in)" for the mover at a tree node. Nothing here solves a game.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction

import attrs

from negotiation.model.scenario import Scenario
from negotiation.model.tree import TreeScenario


def num(x: Fraction | int) -> str:
    """An exact number as a reader writes it: ``4``, ``-5.8`` (a short decimal) or ``3/13``."""
    x = Fraction(x)
    if x.denominator == 1:
        return str(x.numerator)
    d = x.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d == 1:  # a terminating decimal
        return format(Decimal(x.numerator) / Decimal(x.denominator), "f")
    return f"{x.numerator}/{x.denominator}"


def frac(x: Fraction | int) -> str:
    """A probability as a class writes it: always a fraction (``9/10``, ``1``)."""
    return str(Fraction(x))


def and_(items: Sequence[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return ", ".join(items[:-1]) + " and " * (len(items) > 1) + items[-1]


def text(value: object) -> str:
    """A fact as a template shows it: numbers by :func:`num`, lists joined by commas."""
    if isinstance(value, Fraction | int) and not isinstance(value, bool):
        return num(value)
    if isinstance(value, list | tuple):
        return ", ".join(text(v) for v in value)
    return str(value)


def matrix(rows: Sequence[Sequence[int]]) -> str:
    """A payoff table as nested lists: ``[[3, 0], [3, 1]]``."""
    return "[" + ", ".join("[" + ", ".join(str(x) for x in row) + "]" for row in rows) + "]"


def who(scenario: Scenario, k: int) -> str:
    """A player as a sentence names it: "the row player (United States)"."""
    return f"the {('row', 'column')[k]} player ({scenario.players[k].label})"


def where(tree: TreeScenario, v: int) -> str:
    """A node as a reader finds it: "at the start", or "after full, accept" (the actions)."""
    actions = []
    while v > 0:
        node = tree.nodes[v]
        actions.append(node.action)
        v = node.parent
    return "after " + ", ".join(reversed(actions)) if actions else "at the start"


def mover(tree: TreeScenario, node_id: str) -> str:
    """The player moving at a node, and where: "Incumbent (after in)"."""
    node = tree.node(node_id)
    return f"{tree.players[node.player].label} ({where(tree, node.index)})"


@attrs.frozen
class Affine:
    """An exact affine function ``slope * x + intercept`` of one variable, printed as in class.

    Expected payoffs are affine in a probability and, in a weighted-criteria scenario, in
    any one weight; the explanations print them as ``11p - 10`` or ``2w - 5.8``.
    """

    slope: Fraction
    intercept: Fraction
    var: str = "p"

    def __call__(self, x: Fraction | int) -> Fraction:
        """The value at ``x``, exactly."""
        return self.slope * x + self.intercept

    def root_with(self, other: Affine) -> Fraction:
        """Where this line meets ``other`` (they must not be parallel)."""
        return (other.intercept - self.intercept) / (self.slope - other.slope)

    def __str__(self) -> str:
        if self.slope == 0:
            return num(self.intercept)
        if self.slope in (1, -1):
            term = f"{'-' if self.slope < 0 else ''}{self.var}"
        else:
            term = f"{num(self.slope)}{self.var}"
        if self.intercept == 0:
            return term
        if self.slope < 0:  # "1 - 2p" reads better than "-2p + 1"
            return f"{num(self.intercept)} - {term[1:]}"
        sign = "-" if self.intercept < 0 else "+"
        return f"{term} {sign} {num(abs(self.intercept))}"
