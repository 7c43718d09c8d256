"""A seeded mutation fuzzer over the catalogue's scenario files, driving the command line.

Each case mutates one catalogue TOML file (byte flips, deletions, duplications, hostile
numbers, truncations) and runs ``validate``, then, if the file is still valid, ``solve``
and ``show`` on it. The rule every case must keep (issue 8, "Keep"): exit 0, or exit 2
with exactly one line on standard error, never a traceback, and within a time bound per
case (an interval timer stops a case that runs longer). Most cases run in-process with
click's CliRunner; a handful run as real processes. Failures are collected and reported
together, one example per distinct message shape, so one run shows everything left.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

import numpy as np
import pytest
from click.testing import CliRunner

from negotiation.cli import main
from negotiation.model.catalogue import catalogue

SEED = 20_250_308
CASES_PER_KIND = 80
SUBPROCESS_CASES = 5
#: Seconds a case (all its commands) may take; generous for a busy 2-core machine.
CASE_SECONDS = 30
FILES = [path.read_bytes() for path in catalogue().values()]
NUMBER = re.compile(rb"(?<![\w.\"])-?\d+(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w\"])")
HOSTILE_NUMBERS = [
    b"1e400", b"-1e400", b"1e-400", b"1e-99999999", b"1e99999999", b"9" * 5000,
    b"1." + b"1" * 5000, b"nan", b"-inf", b"inf", b"1e100", b"1e-100", b"-0", b"0x7f",
    b"1_000", b"0o17", b"1e15", b"1e-15", b"123456789012345678901234567890", b"\"3\"",
    b"[]", b"{}", b"true", b"1979-05-27", b"[[1, 2], [3]]", b"[" * 600 + b"]" * 600,
]  # fmt: skip


class CaseTimeout(BaseException):
    """A case ran past its time bound (a BaseException, so no handler can swallow it)."""


@contextmanager
def time_bound(seconds: float) -> Iterator[None]:
    """Raise CaseTimeout in the block if it runs longer than ``seconds``."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise CaseTimeout

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def flip(data: bytes, rng: np.random.Generator) -> bytes:
    """Flip one to four random bits at random places."""
    out = bytearray(data)
    for _ in range(int(rng.integers(1, 5))):
        out[int(rng.integers(len(out)))] ^= 1 << int(rng.integers(8))
    return bytes(out)


def delete(data: bytes, rng: np.random.Generator) -> bytes:
    """Delete a random run of 1 to 40 bytes."""
    start = int(rng.integers(len(data)))
    return data[:start] + data[start + int(rng.integers(1, 41)) :]


def duplicate(data: bytes, rng: np.random.Generator) -> bytes:
    """Repeat a random line, or a random run of bytes, in place."""
    if rng.random() < 0.5:
        lines = data.splitlines(keepends=True)
        k = int(rng.integers(len(lines)))
        return b"".join([*lines[: k + 1], lines[k], *lines[k + 1 :]])
    start = int(rng.integers(len(data)))
    end = start + int(rng.integers(1, 60))
    return data[:end] + data[start:end] + data[end:]


def number(data: bytes, rng: np.random.Generator) -> bytes:
    """Replace one number of the file by a hostile value or a random one."""
    found = list(NUMBER.finditer(data))
    if not found:
        return flip(data, rng)
    match = found[int(rng.integers(len(found)))]
    if rng.random() < 0.7:
        value = HOSTILE_NUMBERS[int(rng.integers(len(HOSTILE_NUMBERS)))]
    else:
        value = repr(float(rng.standard_normal() * 10.0 ** rng.integers(-20, 20))).encode()
    return data[: match.start()] + value + data[match.end() :]


def truncate(data: bytes, rng: np.random.Generator) -> bytes:
    """Cut the file at a random byte."""
    return data[: int(rng.integers(len(data)))]


KINDS: dict[str, Callable[[bytes, np.random.Generator], bytes]] = {
    "flip": flip,
    "delete": delete,
    "duplicate": duplicate,
    "number": number,
    "truncate": truncate,
}


def cases(kind: str) -> Iterator[tuple[int, bytes]]:
    """The kind's cases: the same mutated files on every run (seeded per kind)."""
    rng = np.random.default_rng([SEED, list(KINDS).index(kind)])
    for k in range(CASES_PER_KIND):
        source = FILES[int(rng.integers(len(FILES)))]
        yield k, KINDS[kind](source, rng)


def broken_rule(code: int, stdout: str, stderr: str) -> str | None:
    """What breaks the rule (exit 0, or 2 with one stderr line, never a traceback), if any."""
    if "Traceback" in stdout + stderr:
        return "traceback"
    if code == 0:
        return None
    if code != 2:
        return f"exit {code}"
    if stderr.count("\n") != 1 or not stderr.endswith("\n"):
        return f"exit 2 with {stderr.count(chr(10))} lines on stderr"
    return None


def shape(message: str) -> str:
    """A failure's message with its specifics removed, to group similar failures."""
    message = re.sub(r"/\S+\.toml", "FILE", message)
    return re.sub(r"\d+", "N", message)[:90]


def _run_case(path: Path) -> list[tuple[str, str, str]]:
    """Run the commands of one case in-process; (command, problem, stderr) per broken rule."""
    broken = []
    runner = CliRunner()
    for args in (["validate", str(path)],
                 ["solve", str(path), "--method", "exact", "--format", "json"],
                 ["show", str(path)]):  # fmt: skip
        result = runner.invoke(main, args)
        problem = broken_rule(result.exit_code, result.stdout, result.stderr)
        if problem:
            detail = result.stderr or repr(result.exception)
            broken.append((args[0], problem, detail.strip().splitlines()[-1][:300]))
        if args[0] == "validate" and result.exit_code != 0:
            break  # the other commands would report the same invalid file
    return broken


@pytest.mark.parametrize("kind", list(KINDS))
def test_mutated_catalogue_files_keep_the_cli_rule(tmp_path: Path, kind: str) -> None:
    """Eighty mutated files of one kind: exit 0 or one-line exit 2, no traceback, no hang."""
    failures: dict[str, tuple[int, str, bytes]] = {}
    counts = {"valid": 0, "refused": 0, "broken": 0}
    for k, data in cases(kind):
        path = tmp_path / f"{kind}{k}.toml"
        path.write_bytes(data)
        try:
            with time_bound(CASE_SECONDS):
                broken = _run_case(path)
        except CaseTimeout:
            broken = [("case", f"ran over {CASE_SECONDS} s", "")]
        if broken:
            counts["broken"] += 1
            for command, problem, detail in broken:
                failures.setdefault(f"{command}: {problem}: {shape(detail)}", (k, detail, data))
        else:
            valid = CliRunner().invoke(main, ["validate", str(path)]).exit_code == 0
            counts["valid" if valid else "refused"] += 1
    assert sum(counts.values()) == CASES_PER_KIND
    report = "\n".join(
        f"case {k}: {key}\n    {detail}\n    file starts {data[:80]!r}"
        for key, (k, detail, data) in sorted(failures.items())
    )
    assert not failures, f"{kind}: {counts}; distinct failures:\n{report}"


def test_mutated_files_keep_the_rule_as_real_processes(tmp_path: Path) -> None:
    """A handful of mutated files run through the installed command, in real processes."""
    exe = str(Path(sys.executable).with_name("negotiation"))
    rng = np.random.default_rng([SEED, 99])
    broken = []
    for k in range(SUBPROCESS_CASES):
        kind = list(KINDS)[k % len(KINDS)]
        data = KINDS[kind](FILES[int(rng.integers(len(FILES)))], rng)
        path = tmp_path / f"proc{k}.toml"
        path.write_bytes(data)
        for args in (["validate", str(path)], ["solve", str(path), "--method", "exact"]):
            try:
                done = subprocess.run(
                    [exe, *args], capture_output=True, text=True, timeout=CASE_SECONDS * 2
                )
            except subprocess.TimeoutExpired:
                broken.append((k, kind, args[0], "timed out"))
                continue
            problem = broken_rule(done.returncode, done.stdout, done.stderr)
            if problem:
                broken.append((k, kind, args[0], f"{problem}: {done.stderr[-300:]}"))
    assert not broken
