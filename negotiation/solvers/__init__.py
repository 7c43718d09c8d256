"""Solvers: the exact reference enumeration, the batched engine, the verified front end.

Components (maximal Nash subsets) are computed here too.
"""
