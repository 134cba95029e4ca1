"""What the Airflow DAG files call: the per-source DAGs, their generated DAG files, settings from connections."""
