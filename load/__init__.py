"""Load test: the real Streamlit server under many concurrent browser sessions (``python -m load``).

Not part of the test suite; see ``load/__main__.py`` for what it does and ``load/results.md``
for the last run's figures.
"""
