"""Scenario models: TOML parsing and validation, overrides, the payoff model, catalogue."""
