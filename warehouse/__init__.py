"""The DuckDB warehouse: migrations, views, bulk loads and the analysts' snapshot. No Prefect."""
