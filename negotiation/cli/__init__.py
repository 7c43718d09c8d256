"""The ``negotiation`` command: a thin shell over the library (parse, call, print).

:mod:`negotiation.cli.app` holds the command group, its one error boundary and the
commands on single scenarios and sweeps; commands with a module of their own are listed
in :data:`negotiation.cli.app.LAZY_COMMANDS` and imported when used.
"""

from negotiation.cli.app import main

__all__ = ["main"]
