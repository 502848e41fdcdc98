"""Password hashing, JWTs and the credential vault."""
