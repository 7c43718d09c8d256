"""Presentation and export: tables and JSON, plots, sweep folders, atomic file output."""
