"""Stand-ins for outside systems (brokers) that tests and demos run against instead of the real thing."""
