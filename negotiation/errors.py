"""Errors a user can act on.

Every problem with a scenario file or an override is raised as a :class:`ScenarioError`
naming the file, the key path inside it and what was expected, so the message alone tells
the user what to fix. The CLI turns it into exit status 2 without a traceback.
"""

from __future__ import annotations


class ScenarioError(ValueError):
    """A scenario file, or an override of it, is not valid.

    Parameters
    ----------
    source:
        Where the scenario came from: a file path, a catalogue name or ``"<string>"``.
    key:
        The key path of the offending value in override syntax (``players[1].strategies``,
        ``criteria.gain.scores[0][1]``), or ``""`` when the problem is the whole file.
    problem:
        What is wrong and what was expected.

    """

    def __init__(self, source: str, key: str, problem: str) -> None:
        self.source = source
        self.key = key
        self.problem = problem
        where = f"{source}: {key}" if key else source
        super().__init__(f"{where}: {problem}")
