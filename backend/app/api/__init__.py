"""HTTP routers: validate, authorise, call a service, shape the response."""
