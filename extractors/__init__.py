"""Pure extraction code: fetching (I/O), parsing and NLP. No Prefect, no configuration reading."""
