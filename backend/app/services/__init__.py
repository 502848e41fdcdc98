"""Use cases: the only layer that combines the database, brokers and events. Never imports FastAPI."""
