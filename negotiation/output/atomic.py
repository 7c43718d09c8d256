"""File output that never leaves a partial file and never replaces what is not a file.

Where the output goes decides how it is written (:func:`target`):

- a **regular file**, or a name that does not exist yet: the content is written to a
  temporary file in the same folder, flushed to disk, then renamed over the name
  (:func:`os.replace` is atomic on POSIX), so a reader sees the old file or the complete new
  one, and an interrupted or killed run leaves no truncated output;
- a **symbolic link** is followed deliberately: the file it points to is replaced
  atomically as above and the link itself stays a link (a dangling link's target is
  created). Links into ``/dev`` or ``/proc`` (``/dev/stdout``) are written through instead;
- anything else that can be opened for writing, a **character device** (``/dev/null``,
  a terminal) or a **FIFO**, is written through: opened and written in place, never
  replaced by a regular file;
- ``-`` is standard output.

A folder, a socket or an unwritable place raises :class:`~negotiation.errors.OutputError`
naming the path, so the command line prints one line.
"""

from __future__ import annotations

import os
import shutil
import stat
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Literal

from negotiation.errors import OutputError

#: How :func:`replace` writes to a path (see the module docstring).
Mode = Literal["replace", "through", "stdout"]

#: Folders whose entries are devices or kernel views, never replaced by files.
_SPECIAL_ROOTS = ("/dev/", "/proc/")


def write_text(path: str | Path, text: str) -> None:
    """Write ``text`` to ``path`` as UTF-8, atomically where ``path`` is a regular file."""
    replace(path, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))


def target(path: str | Path) -> tuple[Mode, Path]:
    """How output to ``path`` is written, and the path actually written.

    >>> target("-")
    ('stdout', PosixPath('-'))
    >>> target("/dev/null")
    ('through', PosixPath('/dev/null'))
    """
    text = str(path)
    if text == "-":
        return "stdout", Path("-")
    given = Path(text)
    try:
        info = os.stat(given)  # follows symbolic links
    except FileNotFoundError:
        info = None
    except OSError as error:
        raise _error(given, error) from None
    if info is not None and stat.S_ISDIR(info.st_mode):
        raise OutputError(text, "", "is a folder; expected a file name")
    if info is not None and not stat.S_ISREG(info.st_mode):
        if stat.S_ISSOCK(info.st_mode):
            raise OutputError(text, "", "is a socket; expected a file, a device or a FIFO")
        return "through", given
    if given.is_symlink():
        resolved = Path(os.path.realpath(given))
        if str(given.absolute()).startswith(_SPECIAL_ROOTS) or str(resolved).startswith(
            _SPECIAL_ROOTS
        ):
            return "through", given
        return "replace", resolved
    return "replace", given


def replace(path: str | Path, write: Callable[[Path], object]) -> None:
    """Let ``write`` fill a temporary file, then put its content at ``path``.

    For a regular file (or a new name, or a link to one) the temporary file is made beside
    the target and renamed over it, keeping the target's permissions; for a device, a FIFO
    or ``-`` its bytes are copied through (see the module docstring). Any
    :class:`OSError` becomes an :class:`~negotiation.errors.OutputError` naming the path;
    other errors from ``write`` propagate, leaving the old file whole.
    """
    mode, where = target(path)
    folder = where.parent if mode == "replace" else Path(tempfile.gettempdir())
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=f".{where.name}.", suffix=".tmp")
    except OSError as error:
        raise _error(where if mode == "replace" else Path(tempfile.gettempdir()), error) from None
    os.close(fd)
    tmp = Path(name)
    try:
        write(tmp)
        if mode == "replace":
            with open(tmp, "rb+") as handle:
                os.fsync(handle.fileno())
            # mkstemp makes the file private (0600); give it the mode a plain open() would.
            os.chmod(tmp, where.stat().st_mode & 0o777 if where.exists() else _default_mode())
            os.replace(tmp, where)
        else:
            _copy_through(tmp, where, mode)
    except OSError as error:
        raise _error(where, error) from None
    finally:
        tmp.unlink(missing_ok=True)


def _copy_through(source: Path, where: Path, mode: Mode) -> None:
    with open(source, "rb") as data:
        if mode == "stdout":
            sys.stdout.flush()
            shutil.copyfileobj(data, sys.stdout.buffer)
            sys.stdout.buffer.flush()
        else:
            with open(where, "wb") as sink:
                shutil.copyfileobj(data, sink)


def _error(path: Path, error: OSError) -> OutputError:
    reason = error.strerror or type(error).__name__
    return OutputError(str(path), "", f"cannot write ({reason})")


def _default_mode() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return 0o666 & ~mask
