"""API request and response bodies (pydantic); money is Decimal and goes out as a JSON string."""
