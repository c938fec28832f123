"""Populations of cases: generating them from distribution files and comparing rule sets
over them, in worker processes."""
