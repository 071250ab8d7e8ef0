"""Build the dashboard's DuckDB file from the Trust's extracts.

ingest (read CSV/XLSX as text) -> validate (declared rules, in DuckDB SQL)
-> load (typed tables, rejects, build_info) -> swap the new file in whole.
Run as ``python -m pipeline build --extracts DIR --db FILE``.
"""
