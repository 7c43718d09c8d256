"""Exercises on beliefs and signalling (placeholder)."""

from __future__ import annotations

from negotiation.teaching.questions import Exercise

BELIEF_EXERCISES: list[Exercise] = []
