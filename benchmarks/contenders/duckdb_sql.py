"""DuckDB running the card's compiled SQL (`scorecard compile --dialect duckdb`) over Parquet.

    python duckdb_sql.py CARD.sql DATA.parquet OUT.parquet

The SQL is compiled once beforehand (as a warehouse user would); this script only creates a
view `customers` over the Parquet file and copies the statement's result to Parquet.
"""

from __future__ import annotations

import sys
from pathlib import Path

import duckdb


def main(sql_path: str, data: str, out: str) -> None:
    sql = Path(sql_path).read_text(encoding="utf-8").strip().rstrip(";")
    con = duckdb.connect()
    con.execute(f"CREATE VIEW customers AS SELECT * FROM read_parquet('{data}')")
    con.execute(f"COPY ({sql}) TO '{out}' (FORMAT parquet)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3])
