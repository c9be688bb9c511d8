"""Database layer: engine, models, migrations, queries and services."""
