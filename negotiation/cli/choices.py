"""What the command line offers before it imports the library: option choices and text.

``negotiation --help`` and ``--version`` must not load numpy, the model, the solvers or
matplotlib (issue 9: start-up time, measured by ``benchmarks/startup.py``), yet click needs
the choices of ``--method`` and ``--solver`` and the default ``--tol`` when it builds the
commands. They live here, importing nothing but the standard library;
``tests/test_startup.py`` keeps each equal to the library's own
(:data:`negotiation.solvers.equilibria.METHODS` and ``TOLERANCE``,
:data:`negotiation.studies.sweep.SOLVERS`). The error boundary's :func:`printable` comes from
:mod:`negotiation.output.escape`, which is as light.
"""

from __future__ import annotations

from negotiation.output.escape import printable

__all__ = ["IMAGE_FORMATS", "METHODS", "OUTPUT_FORMATS", "SOLVERS", "TOLERANCE", "printable"]

#: The ``--method`` names of :data:`negotiation.solvers.equilibria.METHODS`, in its order.
METHODS: tuple[str, ...] = ("support", "vertex", "lemke-howson", "exact")

#: :data:`negotiation.solvers.equilibria.TOLERANCE`: the default ``--tol``.
TOLERANCE = 1e-9

#: :data:`negotiation.studies.sweep.SOLVERS`: the ``--solver`` names of a matrix sweep.
SOLVERS: tuple[str, ...] = ("batch", "per-game")

#: Picture formats (--image-format) and what a command prints (--format): one meaning each.
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
OUTPUT_FORMATS: tuple[str, ...] = ("table", "json")
