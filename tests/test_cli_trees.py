"""The command line on game trees: solve, show --plot, export, validate and list."""

from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from negotiation.cli import main
from negotiation.output.gambit_io import read_efg


def run(*args: str) -> tuple[int, str, str]:
    """Run the CLI in-process; (exit code, stdout, stderr)."""
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_solve_entry_says_the_spe_in_words_and_names_the_threat() -> None:
    """Selten's entry game: the one SPE (In, Accommodate) and the non-credible threat to fight.

    Selten, 'The chain store paradox', Theory and Decision 9(2), 1978.
    """
    code, out, err = run("solve", "entry")
    assert code == 0, err
    assert "Entrant enters; Incumbent accommodates." in out
    assert ("fight" in out and "not credible" in out.lower()) or "threat" in out.lower()


def test_solve_tree_json_has_the_documented_keys() -> None:
    """The JSON document of a tree has kind, ties and subgame_perfect with behaviour."""
    code, out, err = run("solve", "entry", "--format", "json")
    assert code == 0, err
    document = json.loads(out)
    assert document["kind"] == "tree"
    assert document["ties"] is False
    (spe,) = document["subgame_perfect"]
    assert spe["payoffs"] == {"entrant": 1.0, "incumbent": 1.0}
    assert spe["strategies"]["incumbent"]["tree.in"] == {"fight": 0.0, "accommodate": 1.0}
    assert any(not e["subgame_perfect"] for e in document["equilibria"])


def test_a_swept_chance_probability_is_an_override(tmp_path: Path) -> None:
    """--set on a chance node's probability reaches the tree and is reported exactly."""
    code, out, err = run("solve", "card-game", "--set", "tree.chance.red=1/3", "--format", "json")
    assert code == 0, err
    (override,) = json.loads(out)["overrides"]
    assert override == {"path": "tree.chance.red", "value": 1 / 3, "exact": "1/3"}


def test_export_efg_round_trips_through_our_reader(tmp_path: Path) -> None:
    """Export --to efg writes a file that reads back as the same tree (ids kept)."""
    target = tmp_path / "entry.efg"
    code, _, err = run("export", "entry", "--to", "efg", "-o", str(target))
    assert code == 0, err
    tree = read_efg(target)
    assert [node.id for node in tree.nodes] == [
        "tree",
        "tree.out",
        "tree.in",
        "tree.in.fight",
        "tree.in.accommodate",
    ]
    code, out, err = run("solve", str(target), "--format", "json")
    assert code == 0, err
    (spe,) = json.loads(out)["subgame_perfect"]
    assert spe["payoffs"] == {"entrant": 1.0, "incumbent": 1.0}


def test_export_refuses_the_wrong_kind_in_one_line() -> None:
    """A matrix scenario cannot become .efg, a tree cannot become .nfg: one line, exit 2."""
    for args in (("rare-earth", "--to", "efg"), ("entry", "--to", "nfg")):
        code, _, err = run("export", *args)
        assert code == 2
        assert err.startswith("Error: ")
        assert err.count("\n") == 1


def test_show_plot_draws_a_tree(tmp_path: Path) -> None:
    """Show --plot on a tree writes a PNG image."""
    target = tmp_path / "entry.png"
    code, _, err = run("show", "entry", "--plot", str(target))
    assert code == 0, err
    assert target.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_sweep_a_tree_names_the_tie_at_china_weight_1(tmp_path: Path) -> None:
    """A 1-D tree sweep prints the change at the tie point and writes the folder's files."""
    out = tmp_path / "china"
    code, text, err = run(
        "sweep", "rare-earth-sequential", "--param",
        "weights.russia.china_relations=0:2:9", "--out", str(out), "-q",
    )  # fmt: skip
    assert code == 0, err
    assert "  at 1 (ties): " in text
    assert "makes no offer" in text
    names = {p.name for p in out.iterdir()} - {".lock"}
    assert names == {"results.csv", "manifest.json", "summary.json", "payoffs.png"}


def test_sweep_a_tree_as_json_then_plot_redraws_it(tmp_path: Path) -> None:
    """--format json prints the tree summary; plot FOLDER redraws it and writes the same summary."""
    out = tmp_path / "map"
    code, text, err = run(
        "sweep", "rare-earth-sequential", "--param", "weights.us.supply_security=0:10:5",
        "--param", "weights.russia.china_relations=0:2:5", "--out", str(out), "--format", "json",
    )  # fmt: skip
    assert code == 0, err
    summary = json.loads(text)
    assert summary["kind"] == "tree"
    assert summary["points_solved"] == 25
    (out / "regimes.png").unlink()
    code, _, err = run("plot", str(out))
    assert code == 0, err
    assert (out / "regimes.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    assert json.loads((out / "summary.json").read_text()) == summary


def test_sweep_a_signalling_prior_prints_the_exact_threshold(tmp_path: Path) -> None:
    """Beer-Quiche over P(strong): the threshold 1/2 (Cho and Kreps 1987, section II payoffs)."""
    code, text, err = run(
        "sweep", "beer-quiche", "--param", "types.sender.strong=0:1:6",
        "--out", str(tmp_path / "bq"), "-q",
    )  # fmt: skip
    assert code == 0, err
    assert "Prior thresholds along types.sender.strong" in text
    assert "  at 1/2 = 0.5: " in text


def test_sweep_a_tree_refuses_bad_input_in_one_line(tmp_path: Path) -> None:
    """A non-number path, a PBE sweep past its limit, --solver: one line, exit 2, no folder."""
    cases = [
        ("entry", "--param", "tree.in.player=0:1:3"),
        ("entry", "--param", "tree.nothing=0:1:3"),
        ("beer-quiche", "--param", "types.sender.strong=0:1:41",
         "--param", "tree.beer.duel.payoffs.receiver.weak=0:2:41"),
        ("entry", "--param", "tree.out.payoffs.entrant=0:1:3", "--solver", "per-game"),
    ]  # fmt: skip
    for k, args in enumerate(cases):
        out = tmp_path / f"bad{k}"
        code, _, err = run("sweep", *args, "--out", str(out))
        assert code == 2, (args, err)
        assert err.startswith("Error: ")
        assert err.count("\n") == 1
        assert not out.exists()
