"""Maximal Nash subsets and connected components of the equilibrium set.

In a degenerate game equilibria need not be isolated: they can form line segments and
polytopes. The structure is known exactly from the extreme equilibria (Avis, Rosenberg,
Savani and von Stengel, "Enumeration of Nash equilibria for two-player games", *Economic
Theory* 42, 2010, section 4, after Winkels 1979 and Jansen 1981):

* Think of the extreme equilibria as the edges of a bipartite graph between the row
  player's and the column player's extreme strategies.
* A *maximal Nash subset* is ``conv(X) x conv(Y)`` for a maximal biclique ``(X, Y)`` of that
  graph: every mix of the strategies in X against every mix of those in Y is an equilibrium.
* The *components* (maximal connected sets of equilibria) are unions of maximal Nash subsets
  that intersect; two of them intersect exactly when they share an extreme equilibrium, so
  the components are the connected components of the bipartite graph.

The equilibrium set is the union of the maximal Nash subsets, so reporting them describes
every equilibrium, not only the extreme ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs


@attrs.frozen
class NashSubset:
    """``conv(rows) x conv(cols)``: indices of extreme row and column strategies."""

    rows: tuple[int, ...]
    cols: tuple[int, ...]


@attrs.frozen
class Component:
    """A connected component of the equilibrium set.

    ``equilibria`` indexes the extreme equilibria (edges) it contains; ``subsets`` are its
    maximal Nash subsets. A component with a single equilibrium is an isolated point.
    """

    equilibria: tuple[int, ...]
    subsets: tuple[NashSubset, ...]

    @property
    def isolated(self) -> bool:
        """Whether the component is a single equilibrium."""
        return len(self.equilibria) == 1


def maximal_nash_subsets(pairs: Sequence[tuple[int, int]]) -> tuple[NashSubset, ...]:
    """The maximal bicliques of the bipartite graph whose edges are ``pairs``.

    Every maximal biclique ``(X, Y)`` has ``Y`` equal to the intersection of the
    neighbourhoods of the members of X, so closing the neighbourhoods of the row vertices
    under intersection yields every candidate ``Y``; its common neighbours give ``X``.

    >>> # Rows 0 and 1 both pair with column 0; row 1 also pairs with column 1.
    >>> maximal_nash_subsets([(0, 0), (1, 0), (1, 1)])
    (NashSubset(rows=(0, 1), cols=(0,)), NashSubset(rows=(1,), cols=(0, 1)))
    """
    col_nbrs: dict[int, set[int]] = {}
    row_nbrs: dict[int, set[int]] = {}
    for i, j in pairs:
        row_nbrs.setdefault(i, set()).add(j)
        col_nbrs.setdefault(j, set()).add(i)
    closed: set[frozenset[int]] = set()
    frontier = {frozenset(nbrs) for nbrs in row_nbrs.values()}
    while frontier:
        closed |= frontier
        frontier = {a & b for a in closed for b in closed if a & b} - closed
    subsets = []
    for cols in closed:
        rows = set.intersection(*(col_nbrs[j] for j in cols))
        # Keep (rows, cols) only if cols is exactly the common neighbourhood of rows.
        if set.intersection(*(row_nbrs[i] for i in rows)) == cols:
            subsets.append(NashSubset(tuple(sorted(rows)), tuple(sorted(cols))))
    return tuple(sorted(set(subsets), key=lambda s: (s.rows, s.cols)))


def components(pairs: Sequence[tuple[int, int]]) -> tuple[Component, ...]:
    """The connected components of the equilibrium set, from its extreme equilibria.

    ``pairs[e] = (i, j)`` says extreme equilibrium ``e`` is row strategy ``i`` against
    column strategy ``j``.

    >>> [c.equilibria for c in components([(0, 0), (1, 1), (2, 1)])]
    [(0,), (1, 2)]
    """
    parent = {("r", i): ("r", i) for i, _ in pairs} | {("c", j): ("c", j) for _, j in pairs}

    def find(node: tuple[str, int]) -> tuple[str, int]:
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node

    for i, j in pairs:
        parent[find(("r", i))] = find(("c", j))
    groups: dict[tuple[str, int], list[int]] = {}
    for e, (i, _) in enumerate(pairs):
        groups.setdefault(find(("r", i)), []).append(e)
    result = []
    for members in groups.values():
        edges = [pairs[e] for e in members]
        result.append(Component(tuple(members), maximal_nash_subsets(edges)))
    return tuple(sorted(result, key=lambda c: c.equilibria))
