"""The built-in scenario catalogue: one TOML file per scenario, installed as negotiation.games."""
