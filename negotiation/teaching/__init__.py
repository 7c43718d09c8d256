"""Classroom material: exercises with library-computed checks, and weight sliders (``explorer``)."""
