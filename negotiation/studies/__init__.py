"""Studies over many games: parameter sweeps."""
