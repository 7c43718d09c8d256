"""Errors a user can act on.

Every problem with the user's input or environment is raised as a :class:`UserError`
naming where it is (a file, an option, a folder), the key inside it and what was expected,
so the message alone tells the user what to fix. The CLI turns every :class:`UserError`
into one line and exit status 2, without a traceback; anything else is an internal error.

- :class:`ScenarioError`: a scenario file, an override or a sweep argument is not valid.
- :class:`LimitError`: the input is valid but beyond a documented limit (size, magnitude,
  digits); the message says how to go further.
- :class:`OutputError`: an output file or folder cannot be used (locked by another run,
  damaged, not writable, not a regular file).
"""

from __future__ import annotations


class UserError(ValueError):
    """Bad input or environment, described in one line.

    Parameters
    ----------
    source:
        Where the problem is: a file path, a catalogue name, an option such as ``--param``,
        a folder, or ``"<string>"``.
    key:
        The key path of the offending value in override syntax (``players[1].strategies``,
        ``criteria.gain.scores[0][1]``), or ``""`` when the problem is the whole source.
    problem:
        What is wrong and what was expected.

    """

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")


class ScenarioError(UserError):
    """A scenario file, or an override of it, or a sweep argument, is not valid."""


class LimitError(ScenarioError):
    """Valid input beyond a documented limit; ``problem`` says how to go further."""


class OutputError(UserError):
    """An output file or folder cannot be used as asked."""
