"""Prometheus metrics and structured logs with a request id."""
