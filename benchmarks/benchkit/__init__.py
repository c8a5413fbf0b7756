"""Helpers of ``benchmarks/run.py``: whole-process timing, the figures, the report.

Kept apart from the ``presssite`` package on purpose: the suite measures presssite from the
outside, as a user runs it, and must not import the code it measures.
"""
