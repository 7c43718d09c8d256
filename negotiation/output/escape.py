"""Text from scenario files made safe to print on a terminal (standard library only).

Labels, titles and descriptions come from scenario files, which anyone can write. This
module imports nothing but :mod:`re`, so the command line's error boundary can escape
every message without loading the report module and what it loads (start-up time,
``benchmarks/startup.py``).
"""

from __future__ import annotations

import re

_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ufeff]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}


def printable(text: str) -> str:
    r"""``text`` with every terminal control character written as a visible escape.

    A title holding ``ESC [2J`` would otherwise clear the screen and could print a fake
    result; bidirectional overrides could reorder what the reader sees. Newlines are
    escaped too, so each printed item (and each error message) stays on its line.

    >>> printable("Accept\x1b[2J\nfake") == "Accept\\x1b[2J\\nfake"
    True
    >>> printable("Café, 日本")
    'Café, 日本'
    """
    return _UNPRINTABLE.sub(_escape, text)


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"
