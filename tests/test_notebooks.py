"""The notebooks in notebooks/ run top to bottom, headless, and are stored without outputs.

Each notebook is executed in a fresh kernel running this very interpreter (the kernelspec is
written to a temporary directory at test time and put first on ``JUPYTER_PATH``, so nothing
installed outside the virtual environment, and no kernelspec the user has, is used), in an
empty temporary working directory, with ``MPLBACKEND=Agg``.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import nbformat
import pytest
from ipykernel.kernelspec import write_kernel_spec
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError

NOTEBOOK_DIR = Path(__file__).resolve().parent.parent / "notebooks"
NOTEBOOKS = sorted(NOTEBOOK_DIR.glob("*.ipynb"))
KERNEL = "python3"
CELL_TIMEOUT = 120  # seconds per cell
ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")


@pytest.fixture
def kernel_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """An isolated Jupyter setup whose "python3" kernel is sys.executable; returns the cwd."""
    jupyter = tmp_path / "jupyter"
    write_kernel_spec(jupyter / "kernels" / KERNEL)
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter))
    monkeypatch.setenv("JUPYTER_RUNTIME_DIR", str(tmp_path / "runtime"))
    monkeypatch.setenv("JUPYTER_PLATFORM_DIRS", "1")
    monkeypatch.setenv("IPYTHONDIR", str(tmp_path / "ipython"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # Files a notebook writes with tempfile land here and go away with tmp_path.
    (tmp_path / "tmp").mkdir()
    monkeypatch.setenv("TMPDIR", str(tmp_path / "tmp"))
    workdir = tmp_path / "work"
    workdir.mkdir()
    return workdir


def _failure(path: Path, index: int, source: str, error: Exception) -> str:
    """A readable report of a failing cell: notebook, cell number, source, error."""
    if isinstance(error, CellExecutionError):
        detail = str(error)  # nbclient's message: the cell's source, then the traceback
    else:
        detail = f"{type(error).__name__} in this cell:\n{source}\n\n{error}"
    return f"{path.name}: cell {index} failed.\n{ANSI.sub('', detail).strip()}"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, kernel_env: Path) -> None:
    """The notebook executes top to bottom without error in a fresh headless kernel."""
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb,
        kernel_name=KERNEL,
        timeout=CELL_TIMEOUT,
        resources={"metadata": {"path": str(kernel_env)}},
    )
    cells = list(nb.cells)
    with client.setup_kernel():
        kernel_prefix = _kernel_prefix(client)
        assert kernel_prefix == sys.prefix, (
            f"the kernel runs in {kernel_prefix}, not in this environment {sys.prefix}"
        )
        failure = None
        for index, cell in enumerate(cells):
            if cell.cell_type != "code":
                continue
            try:
                client.execute_cell(cell, index)
            except (CellExecutionError, CellTimeoutError, DeadKernelError) as error:
                failure = _failure(path, index, cell.source, error)
                break
    if failure:  # failed outside the except block, so pytest shows no chained traceback
        pytest.fail(failure, pytrace=False)
    not_run = [
        index
        for index, cell in enumerate(cells)
        if cell.cell_type == "code" and cell.source.strip() and cell.execution_count is None
    ]
    assert not not_run, f"{path.name}: code cells {not_run} were never executed"
    assert not list(kernel_env.iterdir()), "the notebook wrote files into its working directory"


def _kernel_prefix(client: NotebookClient) -> str:
    """The environment (sys.prefix) of the started kernel, as reported by the kernel itself."""
    # nbclient stores an executed cell back at its index, so the probe gets a slot of its own
    # at the end of the notebook and leaves it again.
    probe = nbformat.v4.new_code_cell("import sys; print(sys.prefix, end='')")
    client.nb.cells.append(probe)
    try:
        client.execute_cell(probe, len(client.nb.cells) - 1, store_history=False)
    finally:
        client.nb.cells.pop()
    return "".join(o.get("text", "") for o in probe.outputs if o.output_type == "stream")


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_is_stored_clean(path: Path) -> None:
    """The notebook is valid nbformat 4 and stored without outputs or execution counts."""
    nb = nbformat.read(path, as_version=4)
    nbformat.validate(nb)
    dirty = [
        index
        for index, cell in enumerate(nb.cells)
        if cell.cell_type == "code" and (cell.outputs or cell.execution_count is not None)
    ]
    assert not dirty, f"{path.name}: code cells {dirty} have outputs or execution counts"


def test_notebooks_are_found() -> None:
    """The notebooks folder holds at least one notebook, so the tests above are not vacuous."""
    assert NOTEBOOKS, f"no notebooks found in {NOTEBOOK_DIR}"
