"""Benchmarks: the product's pages against the usual pandas approach (``python -m bench``).

They print ratios and medians, never pass/fail: see ``bench/__main__.py`` for
what is measured and ``bench/reference/`` for the reference app.
"""
