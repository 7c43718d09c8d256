"""The documented limits of the product, in one place.

Every limit is checked up front, before any work that could take unbounded time or memory,
and a breach raises :class:`~negotiation.errors.LimitError` saying which limit and how to go
further. ``docs/reference/guarantees.md`` lists them; a test keeps that page in step with
these constants.
"""

from __future__ import annotations

from fractions import Fraction

#: Largest scenario file read, in bytes (the catalogue's largest is under 10 KiB).
MAX_FILE_BYTES = 1 << 20

#: Largest magnitude of any number in a scenario, an override or a sweep value.
MAX_MAGNITUDE = Fraction(10) ** 100

#: Smallest non-zero magnitude of any number (so that exact arithmetic stays bounded).
MIN_MAGNITUDE = Fraction(1, 10**100)

#: Most significant digits in one written number (a TOML integer, decimal or fraction part).
MAX_DIGITS = 100

#: Most strategies of one player in a matrix scenario.
MAX_STRATEGIES = 100

#: Longest id (player, strategy, criterion) and longest label or title, in characters.
MAX_ID_LENGTH = 64
MAX_LABEL_LENGTH = 200

#: Deepest nesting of TOML tables and arrays in a scenario file.
MAX_NESTING = 64

#: Most points of one sweep grid (the product of the axes' lengths).
MAX_GRID_POINTS = 4_000_000

#: Most nodes of a game tree, and its greatest depth (edges from the root to a leaf).
MAX_TREE_NODES = 100_000
MAX_TREE_DEPTH = 64
