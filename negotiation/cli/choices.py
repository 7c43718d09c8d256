"""What the command line offers before it imports the library: option choices and text.

``negotiation --help`` and ``--version`` must not load numpy, the model, the solvers or
matplotlib (issue 9: start-up time, measured by ``benchmarks/startup.py``), yet click needs
the choices of ``--method`` and ``--solver`` and the default ``--tol`` when it builds the
commands, and the error boundary needs :func:`printable` for every message. They live here,
importing nothing but the standard library; ``tests/test_startup.py`` keeps each equal to
the library's own (:data:`negotiation.solvers.equilibria.METHODS` and ``TOLERANCE``,
:data:`negotiation.studies.sweep.SOLVERS`, :func:`negotiation.output.report.printable`).
"""

from __future__ import annotations

import re

#: The ``--method`` names of :data:`negotiation.solvers.equilibria.METHODS`, in its order.
METHODS: tuple[str, ...] = ("support", "vertex", "lemke-howson", "exact")

#: :data:`negotiation.solvers.equilibria.TOLERANCE`: the default ``--tol``.
TOLERANCE = 1e-9

#: :data:`negotiation.studies.sweep.SOLVERS`: the ``--solver`` names of a matrix sweep.
SOLVERS: tuple[str, ...] = ("batch", "per-game")

#: Picture formats (--image-format) and what a command prints (--format): one meaning each.
IMAGE_FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
OUTPUT_FORMATS: tuple[str, ...] = ("table", "json")

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    r"""``text`` with every terminal control character written as a visible escape.

    The same function as :func:`negotiation.output.report.printable` (a test compares them
    on every code point), here so that the error boundary prints any message without
    importing the report module and what it loads. A scenario title holding ``ESC [2J``
    would otherwise clear the screen; newlines are escaped so a message stays one line.

    >>> printable("Accept\x1b[2J\nfake") == "Accept\\x1b[2J\\nfake"
    True
    """
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
