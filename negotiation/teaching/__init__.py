"""Classroom material: exercises with library-computed checks."""
