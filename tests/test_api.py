"""The public API: every exported name resolves, and importing the package stays light."""

from __future__ import annotations

import subprocess
import sys

import negotiation


def test_every_exported_name_resolves() -> None:
    """Each name in ``negotiation.__all__`` imports from the module the lazy table names."""
    exports = dict(negotiation._EXPORTS)
    assert sorted(negotiation.__all__) == sorted([*exports, "__version__"])
    for name in negotiation.__all__:
        assert getattr(negotiation, name) is not None, name
    for name, module in exports.items():
        assert getattr(negotiation, name) is getattr(sys.modules[module], name)


def test_unknown_names_raise_attribute_error() -> None:
    """A misspelt name fails like any module attribute, so ``hasattr`` and IDEs behave."""
    assert not hasattr(negotiation, "solvee")


def test_importing_the_package_loads_no_heavy_dependency() -> None:
    """``import negotiation`` (and so the CLI's start-up) loads none of the numeric stack.

    The heavy libraries load when a name that needs them is first used (PEP 562).
    """
    probe = (
        "import sys, negotiation\n"
        "heavy = {'numpy', 'nashpy', 'scipy', 'matplotlib', 'numba', 'flint'}\n"
        "print(sorted(heavy & set(sys.modules)))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    assert out.strip() == "[]"
